//! Interval arithmetic that compiles the allowlist rule into one sorted boundary table per address
//! family, and the lock-free lookup over that table.
//!
//! Addresses of both families are handled as `u128` while compiling (IPv4 in the low 32 bits); the
//! finished IPv4 table is narrowed to `u32` so the hot path compares machine words.

/// An inclusive address interval `(first, last)`.
pub(super) type Span = (u128, u128);

/// Appends `(s, e)` to sorted, disjoint `out`, joining it to the last span when they touch.
fn push_span(out: &mut Vec<Span>, s: u128, e: u128) {
    if let Some(last) = out.last_mut()
        && last.1.checked_add(1) == Some(s)
    {
        last.1 = e;
    } else {
        out.push((s, e));
    }
}

/// The union of any spans, as sorted, disjoint, non-touching spans.
pub(super) fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            // `saturating_add`: a span ending at the family's top absorbs everything after it.
            Some(last) if s <= last.1.saturating_add(1) => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The union of two sorted, disjoint span lists.
pub(super) fn union(a: &[Span], b: &[Span]) -> Vec<Span> {
    merge(a.iter().chain(b).copied().collect())
}

/// The intersection of two sorted, disjoint span lists.
pub(super) fn intersect(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while let (Some(&(a0, a1)), Some(&(b0, b1))) = (a.get(i), b.get(j)) {
        let (s, e) = (a0.max(b0), a1.min(b1));
        if s <= e {
            push_span(&mut out, s, e);
        }
        if a1 < b1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// How many addresses the spans hold (saturating: only `::/0` itself does not fit in a `u128`).
pub(super) fn size(spans: &[Span]) -> u128 {
    spans.iter().fold(0u128, |acc, &(s, e)| {
        acc.saturating_add((e - s).saturating_add(1))
    })
}

/// Where the *most specific* covering prefix has `label == true`.
///
/// `items` are prefixes as `(first, last, label)`, sorted by first address and then from the
/// shortest prefix to the longest, with no duplicates. Prefixes never partially overlap, so a stack
/// of open prefixes gives, at each address, the innermost one that holds it.
pub(super) fn most_specific_true(items: impl IntoIterator<Item = (u128, u128, bool)>) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Vec<(u128, bool)> = Vec::new(); // (last address, label), innermost on top
    let mut cur: u128 = 0; // first address not yet attributed to a prefix
    for (s, e, label) in items {
        while let Some(&(top_end, top_label)) = open.last() {
            if top_end >= s {
                break;
            }
            if top_label && cur <= top_end {
                push_span(&mut out, cur, top_end);
            }
            cur = top_end + 1; // top_end < s, so this cannot overflow
            open.pop();
        }
        if let Some(&(_, top_label)) = open.last()
            && top_label
            && cur < s
        {
            push_span(&mut out, cur, s - 1);
        }
        cur = s;
        open.push((e, label));
    }
    while let Some((top_end, top_label)) = open.pop() {
        if top_label && cur <= top_end {
            push_span(&mut out, cur, top_end);
        }
        match top_end.checked_add(1) {
            Some(next) => cur = next,
            None => break, // the rest of the stack ends at the top of the space as well
        }
    }
    out
}

/// An unsigned address type the lookup table is built over.
pub(super) trait Key: Copy + Ord {
    const BITS: u32;
    /// Narrows a value known to fit.
    fn narrow(v: u128) -> Self;
    fn widen(self) -> u128;
}

impl Key for u32 {
    const BITS: u32 = 32;
    fn narrow(v: u128) -> Self {
        v as u32
    }
    fn widen(self) -> u128 {
        u128::from(self)
    }
}

impl Key for u128 {
    const BITS: u32 = 128;
    fn narrow(v: u128) -> Self {
        v
    }
    fn widen(self) -> u128 {
        self
    }
}

/// Largest first-level index: 2^20 buckets (4 MiB), reached only by tables of a million bounds.
const MAX_INDEX_BITS: u32 = 20;

/// A set of addresses stored as sorted boundaries where membership flips: an address is in the set
/// when an odd number of boundaries are `<=` it. A first-level index over the bits just below the
/// boundaries' common prefix narrows each binary search to a bucket holding about one boundary.
#[derive(Clone, Debug)]
pub(super) struct RangeTable<K> {
    bounds: Box<[K]>,
    /// `index[b]` = number of bounds below the first address of bucket `b`; one extra entry at the end.
    index: Box<[u32]>,
    base: u128,
    shift: u32,
}

impl<K: Key> RangeTable<K> {
    /// Builds the table from sorted, disjoint, non-touching spans.
    pub(super) fn new(spans: &[Span]) -> Self {
        let top = u128::MAX >> (128 - K::BITS);
        let mut bounds = Vec::with_capacity(spans.len() * 2);
        for &(s, e) in spans {
            bounds.push(K::narrow(s));
            if e < top {
                bounds.push(K::narrow(e + 1));
            }
        }
        debug_assert!(bounds.windows(2).all(|w| w[0] < w[1]));
        let (Some(first), Some(last)) = (bounds.first(), bounds.last()) else {
            return Self {
                bounds: Box::new([]),
                index: Box::new([0, 0]),
                base: 0,
                shift: 0,
            };
        };
        let (first, last) = (first.widen(), last.widen());
        // Addresses in [first, last] share the top `common` bits; index the next `bits` bits.
        let common = (first ^ last).leading_zeros() - (128 - K::BITS);
        let free = K::BITS - common;
        let wanted = usize::BITS - bounds.len().leading_zeros(); // about log2(len) + 1
        let bits = wanted.min(MAX_INDEX_BITS).min(free);
        let shift = free - bits;
        let base = if free == 128 {
            0
        } else {
            first >> free << free
        };
        let buckets = 1usize << bits;
        let mut index = Vec::with_capacity(buckets + 1);
        let mut j = 0usize;
        for b in 0..buckets {
            let start = base + ((b as u128) << shift);
            while bounds.get(j).is_some_and(|x| x.widen() < start) {
                j += 1;
            }
            index.push(j as u32);
        }
        index.push(bounds.len() as u32);
        Self {
            bounds: bounds.into_boxed_slice(),
            index: index.into_boxed_slice(),
            base,
            shift,
        }
    }

    /// Whether `ip` is in the set. No allocation, no locks: a bucket lookup and a short binary search.
    #[inline]
    pub(super) fn contains(&self, ip: K) -> bool {
        let bounds = &self.bounds[..];
        match (bounds.first(), bounds.last()) {
            (Some(&first), Some(&last)) if ip >= first => {
                if ip >= last {
                    return bounds.len() % 2 == 1;
                }
                // first <= ip < last, so ip shares their common prefix and the bucket is in range.
                let bucket = ((ip.widen() - self.base) >> self.shift) as usize;
                let lo = self.index[bucket] as usize;
                let hi = self.index[bucket + 1] as usize;
                let below = lo + bounds[lo..hi].partition_point(|&x| x <= ip);
                below % 2 == 1
            }
            _ => false,
        }
    }

    /// Number of disjoint ranges in the set.
    pub(super) fn ranges(&self) -> usize {
        self.bounds.len().div_ceil(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn merge_joins_overlapping_and_touching() {
        let m = merge(vec![
            (10, 20),
            (0, 4),
            (5, 6),
            (15, 30),
            (40, 41),
            (42, 42),
            (44, 50),
        ]);
        assert_eq!(m, vec![(0, 6), (10, 30), (40, 42), (44, 50)]);
        assert_eq!(merge(vec![(5, u128::MAX), (0, 4)]), vec![(0, u128::MAX)]);
        assert_eq!(size(&m), 7 + 21 + 3 + 7);
        assert_eq!(size(&[(0, u128::MAX)]), u128::MAX);
    }

    #[test]
    fn intersect_and_union() {
        let a = [(0, 10), (20, 30)];
        let b = [(5, 6), (7, 25), (29, 40)];
        assert_eq!(intersect(&a, &b), vec![(5, 10), (20, 25), (29, 30)]);
        assert_eq!(union(&a, &b), vec![(0, 40)]);
        assert_eq!(intersect(&a, &[]), vec![]);
    }

    #[test]
    fn most_specific_prefers_inner_prefixes() {
        // 0..=255 true, with 64..=127 false inside it, with 96..=111 true inside that; 300..=303 true.
        let items = [
            (0, 255, true),
            (64, 127, false),
            (96, 111, true),
            (300, 303, true),
        ];
        assert_eq!(
            most_specific_true(items),
            vec![(0, 63), (96, 111), (128, 255), (300, 303)]
        );
        // An inner true prefix inside a false one, touching the outer's end.
        assert_eq!(
            most_specific_true([(0, 15, false), (8, 15, true)]),
            vec![(8, 15)]
        );
        // The whole space, with the top half excluded.
        let half = u128::MAX / 2;
        let got = most_specific_true([(0, u128::MAX, true), (half + 1, u128::MAX, false)]);
        assert_eq!(got, vec![(0, half)]);
        let got = most_specific_true([(0, u128::MAX, false), (half + 1, u128::MAX, true)]);
        assert_eq!(got, vec![(half + 1, u128::MAX)]);
    }

    fn check_table<K: Key + std::fmt::Debug>(spans: &[Span], probes: &[u128]) {
        let t = RangeTable::<K>::new(spans);
        for &p in probes {
            let want = spans.iter().any(|&(s, e)| s <= p && p <= e);
            assert_eq!(t.contains(K::narrow(p)), want, "probe {p:#x} in {spans:x?}");
        }
    }

    #[test]
    fn table_matches_naive_membership() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for round in 0..200 {
            let wide = round % 2 == 1;
            let n = (rng.next() % 40) as usize;
            let mut spans = Vec::new();
            for _ in 0..n {
                let (s, len) = if wide {
                    (
                        u128::from(rng.next()) << 64 | u128::from(rng.next()),
                        u128::from(rng.next()),
                    )
                } else {
                    (u128::from(rng.next() as u32), u128::from(rng.next() % 5000))
                };
                let top = if wide {
                    u128::MAX
                } else {
                    u128::from(u32::MAX)
                };
                spans.push((s, s.saturating_add(len).min(top)));
            }
            if round % 10 == 0 {
                spans.push((0, 3)); // touch both ends of the space
                spans.push((
                    if wide {
                        u128::MAX - 3
                    } else {
                        u128::from(u32::MAX) - 3
                    },
                    if wide {
                        u128::MAX
                    } else {
                        u128::from(u32::MAX)
                    },
                ));
            }
            let spans = merge(spans);
            let mut probes: Vec<u128> = Vec::new();
            for &(s, e) in &spans {
                probes.extend([s, e, s.wrapping_sub(1), e.wrapping_add(1)]);
            }
            for _ in 0..200 {
                probes.push(if wide {
                    u128::from(rng.next()) << 64 | u128::from(rng.next())
                } else {
                    u128::from(rng.next() as u32)
                });
            }
            if wide {
                check_table::<u128>(&spans, &probes);
            } else {
                probes.retain(|&p| p <= u128::from(u32::MAX));
                check_table::<u32>(&spans, &probes);
            }
        }
    }

    #[test]
    fn table_edge_cases() {
        let empty = RangeTable::<u32>::new(&[]);
        assert!(!empty.contains(0) && !empty.contains(u32::MAX));
        assert_eq!(empty.ranges(), 0);
        let all = RangeTable::<u32>::new(&[(0, u128::from(u32::MAX))]);
        assert!(all.contains(0) && all.contains(u32::MAX));
        assert_eq!(all.ranges(), 1);
        let one = RangeTable::<u128>::new(&[(7, 7)]);
        assert!(one.contains(7) && !one.contains(6) && !one.contains(8));
        let top = RangeTable::<u128>::new(&[(u128::MAX, u128::MAX)]);
        assert!(top.contains(u128::MAX) && !top.contains(u128::MAX - 1));
    }
}
