//! Live reload: a watcher on the policy folder (and SIGHUP) rebuilds the snapshot off the query
//! path and swaps it in atomically; a file that fails validation is rejected whole and the last
//! good snapshot stays in force. Queries never wait: they read whichever snapshot is current.

use std::{path::Path, sync::Arc, time::Duration};

use arc_swap::ArcSwap;
use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

use crate::{
    config::Config,
    metrics::metrics,
    policy::{Policy, PolicyError, Suspensions},
    zones::{ZoneLoadError, ZoneSet},
};

/// Quiet time after the last file event before reloading: editors and `kzdns suspend` write a
/// temp file and rename it, which is several events for one change.
pub const DEBOUNCE: Duration = Duration::from_millis(200);
/// How many added / removed names a reload lists in its log line.
const DIFF_NAMES_SHOWN: usize = 5;

/// The live snapshots and what rebuilds them.
#[derive(Clone)]
pub struct Reloader {
    /// One reload at a time (watcher and SIGHUP may fire together), so a slower, older read can
    /// never be stored over a newer one. Never taken on the query path.
    serial: Arc<std::sync::Mutex<()>>,
    config: Arc<Config>,
    zones: Arc<ArcSwap<ZoneSet>>,
    policy: Arc<ArcSwap<Policy>>,
}

impl Reloader {
    pub fn new(config: Config, zones: Arc<ArcSwap<ZoneSet>>, policy: Arc<ArcSwap<Policy>>) -> Self {
        Self {
            serial: Arc::default(),
            config: Arc::new(config),
            zones,
            policy,
        }
    }

    /// Rebuilds the policy; on success swaps it in and logs what changed. Blocking (file I/O).
    pub fn reload_policy(&self) -> Result<(), PolicyError> {
        let _one_at_a_time = self.serial.lock().unwrap_or_else(|e| e.into_inner());
        let started = std::time::Instant::now();
        let mut fresh = Policy::load(&self.config)?;
        let old = self.policy.load();
        // The RPZ serial must rise on every change, even two edits within one second.
        fresh.rpz_serial = if fresh.suspensions.values().eq(old.suspensions.values()) {
            old.rpz_serial
        } else {
            fresh.rpz_serial.max(old.rpz_serial.wrapping_add(1))
        };
        let diff = SuspensionDiff::between(&old.suspensions, &fresh.suspensions);
        info!(
            suspensions = fresh.suspensions.len(),
            exemptions = fresh.exemptions.len(),
            rpz_serial = fresh.rpz_serial,
            added = diff.added,
            removed = diff.removed,
            first_added = ?diff.first_added,
            first_removed = ?diff.first_removed,
            took_ms = started.elapsed().as_millis() as u64,
            "policy reloaded"
        );
        metrics().policy_loaded(&fresh, true);
        self.policy.store(Arc::new(fresh));
        Ok(())
    }

    /// Rebuilds every zone; on success swaps them in. Blocking (file I/O).
    pub fn reload_zones(&self) -> Result<(), ZoneLoadError> {
        let _one_at_a_time = self.serial.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = ZoneSet::load_dir(&self.config.zones.dir)?;
        info!(zones = fresh.len(), "zones reloaded");
        metrics().zones_loaded(&fresh, true);
        self.zones.store(Arc::new(fresh));
        Ok(())
    }

    /// Reloads zones and policy (SIGHUP), each kept as it was when its files are bad.
    pub fn reload_all(&self) {
        if let Err(error) = self.reload_zones() {
            metrics().zone_reload_failed();
            error!(%error, "zone reload rejected; still serving the previous zones");
        }
        self.reload_policy_logged();
    }

    fn reload_policy_logged(&self) {
        if let Err(error) = self.reload_policy() {
            metrics().policy_reload_failed();
            error!(%error, "policy reload rejected; the previous policy stays in force");
        }
    }

    /// Starts watching the policy folder. Done before the server announces its listeners, so no
    /// edit made after that can be missed. Watching the folder, not the files, survives editors
    /// that replace a file by renaming a temp file over it, and files deleted and created again.
    pub fn watch_policy(&self) -> notify::Result<PolicyWatch> {
        let dir = &self.config.policy.dir;
        let (tx, rx) = mpsc::unbounded_channel();
        let watcher = start_watcher(dir, tx)?;
        info!(dir = %dir.display(), "watching the policy folder");
        Ok(PolicyWatch {
            _watcher: watcher,
            events: rx,
            reloader: self.clone(),
        })
    }
}

/// A running watch on the policy folder; [`PolicyWatch::run`] turns its events into reloads.
pub struct PolicyWatch {
    /// Dropping the watcher stops the events.
    _watcher: RecommendedWatcher,
    events: mpsc::UnboundedReceiver<()>,
    reloader: Reloader,
}

impl PolicyWatch {
    /// Reloads the policy after each burst of changes, until `shutdown`.
    pub async fn run(mut self, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                event = self.events.recv() => if event.is_none() { return },
                _ = shutdown.cancelled() => return,
            }
            // Debounce: wait until the folder has been quiet for DEBOUNCE.
            loop {
                match tokio::time::timeout(DEBOUNCE, self.events.recv()).await {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            let reloader = self.reloader.clone();
            let _ = tokio::task::spawn_blocking(move || reloader.reload_policy_logged()).await;
        }
    }
}

fn start_watcher(dir: &Path, tx: mpsc::UnboundedSender<()>) -> notify::Result<RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            // Reading the files (access events) must not trigger another reload.
            if !matches!(event.kind, notify::EventKind::Access(_)) {
                let _ = tx.send(());
            }
        }
    })?;
    watcher.watch(dir, RecursiveMode::Recursive)?;
    Ok(watcher)
}

/// How many domains were added and removed between two suspension lists, and the first few of
/// each in file order. Linear in the lists, with no allocation per entry (a 1 M-entry list
/// reloads in well under a second).
struct SuspensionDiff {
    added: usize,
    removed: usize,
    first_added: Vec<String>,
    first_removed: Vec<String>,
}

impl SuspensionDiff {
    fn between(old: &Suspensions, new: &Suspensions) -> Self {
        let only_in = |a: &Suspensions, b: &Suspensions| {
            let mut count = 0;
            let mut first = Vec::new();
            for s in a.values().filter(|s| !b.contains_key(s.domain.as_bytes())) {
                count += 1;
                if first.len() < DIFF_NAMES_SHOWN {
                    first.push(s.domain.to_ascii());
                }
            }
            (count, first)
        };
        let (added, first_added) = only_in(new, old);
        let (removed, first_removed) = only_in(old, new);
        Self {
            added,
            removed,
            first_added,
            first_removed,
        }
    }
}
