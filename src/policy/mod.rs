//! The policy engine: an immutable snapshot of every policy file, and the pure decision over an
//! answer (`Policy::decide`). No I/O, no locks and no allocation on the path of a compliant answer;
//! snapshots are built off the query path by [`Policy::load`] and swapped through `ArcSwap`.

pub mod allowlist;
mod csv_file;
mod decide;
mod domain_map;
pub mod edit;
pub mod exemptions;
pub mod suspensions;

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

pub use allowlist::{Allowlist, AllowlistError};
pub use csv_file::PolicyFileError;
pub use decide::{Subject, Verdict};
pub use domain_map::DomainMap;
pub use exemptions::{Exemption, Exemptions};
pub use suspensions::{Reason, Suspension, Suspensions};

use crate::{
    config::{Config, PolicyMode},
    names::{WireName, key_of},
};

/// File names inside the policy folder (architecture.md).
pub const SUSPENSIONS_FILE: &str = "suspensions.csv";
pub const EXEMPTIONS_FILE: &str = "exemptions.csv";
pub const ALLOWLIST_DIR: &str = "allowlist";

/// A policy that could not be loaded; each variant names the file (and line).
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error(transparent)]
    Allowlist(#[from] AllowlistError),
    #[error(transparent)]
    File(#[from] PolicyFileError),
}

/// One immutable policy snapshot.
#[derive(Debug)]
pub struct Policy {
    pub allowlist: Allowlist,
    pub exemptions: Exemptions,
    pub suspensions: Suspensions,
    /// What a hosting violation does, unless the zone has its own mode.
    pub mode: PolicyMode,
    /// `policy.zone_mode`: per-zone overrides, keyed by the zone origin's wire key.
    zone_modes: FxHashMap<Box<[u8]>, PolicyMode>,
    /// Where the files came from, for messages.
    pub dir: PathBuf,
    /// SOA serial of the live RPZ feed: the suspension list's modification time (seconds), raised
    /// by the reloader so that it grows on every change.
    pub rpz_serial: u32,
}

impl Policy {
    /// Reads and validates every policy file under `config.policy.dir`.
    pub fn load(config: &Config) -> Result<Self, PolicyError> {
        let dir = &config.policy.dir;
        let allowlist = Allowlist::load_dir(&dir.join(ALLOWLIST_DIR))?;
        let exemptions = exemptions::load(&dir.join(EXEMPTIONS_FILE))?;
        let suspensions_path = dir.join(SUSPENSIONS_FILE);
        let suspensions = suspensions::load(&suspensions_path)?;
        let rpz_serial = std::fs::metadata(&suspensions_path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(1, |d| d.as_secs() as u32);
        let zone_modes = config
            .policy
            .zone_mode
            .iter()
            .map(|(zone, mode)| (key_of(zone).expect("config checked the name"), *mode))
            .collect();
        Ok(Self {
            allowlist,
            exemptions,
            suspensions,
            mode: config.policy.mode,
            zone_modes,
            dir: dir.clone(),
            rpz_serial,
        })
    }

    /// A snapshot from parts (tests, benches).
    pub fn from_parts(allowlist: Allowlist, exemptions: Exemptions, mode: PolicyMode) -> Self {
        Self {
            allowlist,
            exemptions,
            suspensions: Suspensions::default(),
            mode,
            zone_modes: FxHashMap::default(),
            dir: Path::new("").to_owned(),
            rpz_serial: 1,
        }
    }

    /// The mode for answers from the zone with this origin.
    pub fn mode_for(&self, zone_origin: Option<&WireName>) -> PolicyMode {
        zone_origin
            .and_then(|origin| self.zone_modes.get(origin.key()))
            .copied()
            .unwrap_or(self.mode)
    }
}
