//! A map from domains to values where an entry covers its domain and every name below it — the
//! shape of suspensions and exemptions. A lookup walks the query name's ancestors, most specific
//! first: one hash lookup per label, however many entries there are.
//!
//! Built for lists of a million entries: the values live in one dense `Vec` (in file order) and
//! the hash table holds only `u32` positions into it, hashed by each value's wire-format key.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use crate::names::{DomainKey, WireName};

/// A value that knows its domain.
pub trait Keyed {
    fn domain(&self) -> &DomainKey;
}

#[derive(Debug, Clone)]
pub struct DomainMap<T> {
    entries: Vec<T>,
    index: HashTable<u32>,
    /// Most labels of any entry: deeper ancestors of a query name cannot match.
    max_labels: usize,
}

impl<T> Default for DomainMap<T> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            index: HashTable::new(),
            max_labels: 0,
        }
    }
}

fn hash(key: &[u8]) -> u64 {
    FxBuildHasher.hash_one(key)
}

impl<T: Keyed> DomainMap<T> {
    /// Room for `n` entries without rehashing.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            entries: Vec::with_capacity(n),
            index: HashTable::with_capacity(n),
            max_labels: 0,
        }
    }

    /// Adds `value` under its domain; if the domain is already listed, returns that entry and
    /// keeps it.
    pub fn insert(&mut self, value: T) -> Result<(), &T> {
        let key = value.domain().as_bytes();
        let h = hash(key);
        let entries = &self.entries;
        if let Some(&i) = self
            .index
            .find(h, |&i| entries[i as usize].domain().as_bytes() == key)
        {
            return Err(&self.entries[i as usize]);
        }
        let position = u32::try_from(self.entries.len()).expect("fewer than 4 billion entries");
        self.max_labels = self.max_labels.max(value.domain().num_labels());
        let entries = &self.entries;
        self.index.insert_unique(h, position, |&i| {
            hash(entries[i as usize].domain().as_bytes())
        });
        self.entries.push(value);
        Ok(())
    }

    /// The entry listed with exactly this wire key.
    pub fn get(&self, key: &[u8]) -> Option<&T> {
        self.index
            .find(hash(key), |&i| {
                self.entries[i as usize].domain().as_bytes() == key
            })
            .map(|&i| &self.entries[i as usize])
    }

    /// The entry for `name` itself or its closest listed ancestor.
    pub fn covering(&self, name: &WireName) -> Option<&T> {
        if self.entries.is_empty() {
            return None;
        }
        (1..=name.num_labels().min(self.max_labels))
            .rev()
            .find_map(|labels| self.get(name.ancestor(labels)))
    }

    /// Whether a domain with exactly this wire key is listed.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }
}

impl<T> DomainMap<T> {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries in the order they were inserted (file order).
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::normalize;

    #[derive(Debug, PartialEq)]
    struct Entry(DomainKey, u32);

    impl Keyed for Entry {
        fn domain(&self) -> &DomainKey {
            &self.0
        }
    }

    fn entry(domain: &str, n: u32) -> Entry {
        Entry(
            DomainKey::from_name(&normalize(domain).unwrap()).unwrap(),
            n,
        )
    }

    #[test]
    fn an_entry_covers_its_subtree_and_the_most_specific_wins() {
        let mut map = DomainMap::default();
        map.insert(entry("shop.kz", 1)).unwrap();
        map.insert(entry("www.shop.kz", 2)).unwrap();
        assert_eq!(map.insert(entry("SHOP.kz.", 3)).unwrap_err().1, 1);
        assert_eq!(map.len(), 2);
        let at = |s: &str| {
            map.covering(&WireName::new(&normalize(s).unwrap()).unwrap())
                .map(|e| e.1)
        };
        assert_eq!(at("shop.kz"), Some(1));
        assert_eq!(at("a.b.shop.kz"), Some(1));
        assert_eq!(at("www.shop.kz"), Some(2));
        assert_eq!(at("x.www.shop.kz"), Some(2));
        assert_eq!(at("kz"), None);
        assert_eq!(at("myshop.kz"), None);
        assert_eq!(map.values().map(|e| e.1).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn many_entries_stay_findable() {
        let mut map = DomainMap::with_capacity(10);
        for i in 0..5000 {
            map.insert(entry(&format!("d{i}.kz"), i)).unwrap();
        }
        for i in (0..5000).step_by(97) {
            let name = WireName::new(&normalize(&format!("www.d{i}.kz")).unwrap()).unwrap();
            assert_eq!(map.covering(&name).map(|e| e.1), Some(i));
        }
    }
}
