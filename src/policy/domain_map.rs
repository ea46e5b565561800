//! A map from domains to values where an entry covers its domain and every name below it — the
//! shape of suspensions and exemptions. A lookup walks the query name's ancestors, most specific
//! first: one hash lookup per label, however many entries there are.

use hickory_proto::rr::Name;
use rustc_hash::FxHashMap;

use crate::names::{WireName, key_of};

#[derive(Debug, Clone)]
pub struct DomainMap<T> {
    entries: FxHashMap<Box<[u8]>, T>,
    /// Most labels of any entry: deeper ancestors of a query name cannot match.
    max_labels: usize,
}

impl<T> Default for DomainMap<T> {
    fn default() -> Self {
        Self {
            entries: FxHashMap::default(),
            max_labels: 0,
        }
    }
}

impl<T> DomainMap<T> {
    /// Adds `domain`; returns the value already there, if any (and keeps it).
    pub fn insert(&mut self, domain: &Name, value: T) -> Result<(), &T> {
        let key = key_of(domain).expect("normalised names fit the wire");
        self.max_labels = self.max_labels.max(usize::from(domain.num_labels()));
        match self.entries.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => Err(e.into_mut()),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(value);
                Ok(())
            }
        }
    }

    /// The entry for `name` itself or its closest listed ancestor.
    pub fn covering(&self, name: &WireName) -> Option<&T> {
        if self.entries.is_empty() {
            return None;
        }
        (1..=name.num_labels().min(self.max_labels))
            .rev()
            .find_map(|labels| self.entries.get(name.ancestor(labels)))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.values()
    }

    /// Entries with their wire keys (for diffs between two maps).
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &T)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    /// Whether a domain with exactly this wire key is listed.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.entries.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::normalize;

    #[test]
    fn an_entry_covers_its_subtree_and_the_most_specific_wins() {
        let mut map = DomainMap::default();
        map.insert(&normalize("shop.kz").unwrap(), 1).unwrap();
        map.insert(&normalize("www.shop.kz").unwrap(), 2).unwrap();
        assert_eq!(map.insert(&normalize("SHOP.kz.").unwrap(), 3), Err(&1));
        let at = |s: &str| {
            map.covering(&WireName::new(&normalize(s).unwrap()).unwrap())
                .copied()
        };
        assert_eq!(at("shop.kz"), Some(1));
        assert_eq!(at("a.b.shop.kz"), Some(1));
        assert_eq!(at("www.shop.kz"), Some(2));
        assert_eq!(at("x.www.shop.kz"), Some(2));
        assert_eq!(at("kz"), None);
        assert_eq!(at("myshop.kz"), None);
    }
}
