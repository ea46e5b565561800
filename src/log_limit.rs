//! A lock-free cap on how many policy-action log lines are written per second. In `audit` mode a
//! busy server can judge thousands of violations a second; logging each one would cost more than
//! answering (measured: half the throughput). Lines over the cap are counted, not written, and
//! the count is reported in the next line that is.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

/// Lines allowed per second, and the bookkeeping: the current second and the lines seen in it
/// share one atomic word (second << 32 | count), so the check is one load and one CAS.
#[derive(Debug)]
pub struct LogLimit {
    per_second: u32,
    window: AtomicU64,
    suppressed: AtomicU64,
}

/// Whether to write a line now, and how many were held back since the last one written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    Write { suppressed_before: u64 },
    Suppress,
}

impl LogLimit {
    /// `per_second = 0` means no cap.
    pub fn new(per_second: u32) -> Self {
        Self {
            per_second,
            window: AtomicU64::new(0),
            suppressed: AtomicU64::new(0),
        }
    }

    pub fn check(&self) -> Permit {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.check_at(now)
    }

    fn check_at(&self, second: u64) -> Permit {
        if self.per_second == 0 {
            return Permit::Write {
                suppressed_before: 0,
            };
        }
        let second = second & u64::from(u32::MAX);
        let mut current = self.window.load(Ordering::Relaxed);
        loop {
            let (window, count) = (current >> 32, current & u64::from(u32::MAX));
            let next = if window == second {
                if count >= u64::from(self.per_second) {
                    self.suppressed.fetch_add(1, Ordering::Relaxed);
                    return Permit::Suppress;
                }
                current + 1
            } else {
                second << 32 | 1
            };
            match self.window.compare_exchange_weak(
                current,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    return Permit::Write {
                        suppressed_before: self.suppressed.swap(0, Ordering::Relaxed),
                    };
                }
                Err(actual) => current = actual,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_each_second_and_reports_what_was_held_back() {
        let limit = LogLimit::new(2);
        assert_eq!(
            limit.check_at(10),
            Permit::Write {
                suppressed_before: 0
            }
        );
        assert_eq!(
            limit.check_at(10),
            Permit::Write {
                suppressed_before: 0
            }
        );
        assert_eq!(limit.check_at(10), Permit::Suppress);
        assert_eq!(limit.check_at(10), Permit::Suppress);
        assert_eq!(
            limit.check_at(11),
            Permit::Write {
                suppressed_before: 2
            }
        );
        assert_eq!(
            limit.check_at(11),
            Permit::Write {
                suppressed_before: 0
            }
        );
        let unlimited = LogLimit::new(0);
        for _ in 0..1000 {
            assert_eq!(
                unlimited.check_at(5),
                Permit::Write {
                    suppressed_before: 0
                }
            );
        }
    }
}
