//! The zone store: zone files loaded into indexed, immutable zones, and the authoritative answer
//! algorithm of RFC 1034 §4.3.2 over them.

mod answer;
mod load;
mod lookup;
mod zone;

use std::{path::Path, sync::Arc};

use crate::names::WireName;

use hickory_proto::rr::Name;
use rustc_hash::{FxHashMap, FxHashSet};

pub use answer::{Answer, AnswerKind};
pub use load::{ZoneLoadError, load_zone_file, origin_of, zone_files};
pub use zone::{Node, RrSet, Zone, record_wire_len};

/// Every zone we serve, found by longest match on the query name.
#[derive(Debug, Default)]
pub struct ZoneSet {
    by_origin: FxHashMap<Box<[u8]>, Arc<Zone>>,
    /// Most labels of any origin: the walk for the longest match starts there.
    max_labels: usize,
    /// Every NS and MX target named in any of our zones: the DNS and mail hosts, whose address
    /// records the hosting rule exempts.
    infra_hosts: FxHashSet<Box<[u8]>>,
}

impl ZoneSet {
    /// Loads every `*.zone` file of `dir`; the first bad file is an error naming file and line.
    pub fn load_dir(dir: &Path) -> Result<Self, ZoneLoadError> {
        let mut set = Self::default();
        for path in zone_files(dir)? {
            let zone = load_zone_file(&path)?;
            if set.get(zone.origin()).is_some() {
                return Err(ZoneLoadError::Invalid {
                    path,
                    line: 0,
                    message: format!("a second file for the zone {}", zone.origin()),
                });
            }
            set.insert(zone);
        }
        Ok(set)
    }

    pub fn insert(&mut self, zone: Zone) {
        let key = WireName::new(zone.origin()).expect("origins fit the wire");
        self.max_labels = self.max_labels.max(key.num_labels());
        self.infra_hosts.extend(zone.infra_targets());
        self.by_origin.insert(key.key().into(), Arc::new(zone));
    }

    /// Whether `name` is an NS or MX target in one of our zones.
    pub fn is_infra_host(&self, name: &WireName) -> bool {
        self.infra_hosts.contains(name.key())
    }

    /// The zone with exactly this origin.
    pub fn get(&self, origin: &Name) -> Option<&Arc<Zone>> {
        WireName::new(origin).and_then(|w| self.by_origin.get(w.key()))
    }

    /// The zone with the longest origin at or above `name` (`www.shop.kz` → `shop.kz`, not `kz`).
    pub fn find(&self, name: &WireName) -> Option<&Zone> {
        (0..=name.num_labels().min(self.max_labels))
            .rev()
            .find_map(|labels| self.by_origin.get(name.ancestor(labels)))
            .map(|z| &**z)
    }

    fn by_origin_key(&self, key: &[u8]) -> Option<&Zone> {
        self.by_origin.get(key).map(|z| &**z)
    }

    /// All zones, sorted by origin (for listings and logs).
    pub fn zones(&self) -> Vec<&Arc<Zone>> {
        let mut zones: Vec<_> = self.by_origin.values().collect();
        zones.sort_by(|a, b| a.origin().cmp(b.origin()));
        zones
    }

    pub fn is_empty(&self) -> bool {
        self.by_origin.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_origin.len()
    }
}
