//! One authoritative zone, indexed by owner name for the query path.
//!
//! Built once from the parsed zone file and never mutated: every owner name and every empty
//! non-terminal between it and the apex is a node, so "does this name exist" is one hash lookup
//! and the closest encloser is found by walking the query name's ancestors.

use std::collections::BTreeMap;

use hickory_proto::{
    rr::{Name, RData, Record, RecordSet, RecordType, RrKey},
    serialize::binary::{BinEncodable, BinEncoder},
};
use rustc_hash::FxHashMap;

use crate::names::{WireName, key_of};

/// An RRset as stored: the records plus their uncompressed wire size, so a reply can tell
/// cheaply whether it can possibly overflow a UDP payload.
#[derive(Debug)]
pub struct RrSet {
    pub rtype: RecordType,
    pub records: Box<[Record]>,
    /// Sum of the records' encoded sizes without name compression (an upper bound on the wire).
    pub wire_len: usize,
}

/// Everything stored at one owner name.
#[derive(Debug, Default)]
pub struct Node {
    /// Sorted by record type; empty for an empty non-terminal.
    pub rrsets: Vec<RrSet>,
    /// NS records below the apex: a delegation point.
    pub is_cut: bool,
}

impl Node {
    pub fn rrset(&self, rtype: RecordType) -> Option<&RrSet> {
        self.rrsets.iter().find(|s| s.rtype == rtype)
    }
}

/// A loaded zone.
#[derive(Debug)]
pub struct Zone {
    origin: Name,
    /// Labels of the origin (`kz.` has 1).
    origin_labels: usize,
    nodes: FxHashMap<Box<[u8]>, Node>,
    /// The apex SOA as served in answers and transfers.
    soa: Record,
    /// The SOA for negative answers: TTL lowered to the SOA MINIMUM (RFC 2308 §3).
    negative_soa: Record,
    negative_soa_len: usize,
    record_count: usize,
}

/// Why a set of parsed records is not a valid zone, and which record to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneProblem {
    pub message: String,
    pub culprit: Culprit,
}

/// The record a [`ZoneProblem`] is about, so the loader can find its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Culprit {
    /// The zone as a whole (e.g. no SOA).
    Zone,
    /// The first record of this owner and type.
    Record(Name, RecordType),
    /// The second record of this owner and type, where only one is allowed.
    Second(Name, RecordType),
    /// The record that put other data beside this owner's CNAME, or the CNAME beside other data.
    Mixed(Name),
}

impl ZoneProblem {
    fn at(owner: &Name, rtype: RecordType, message: String) -> Self {
        Self {
            message,
            culprit: Culprit::Record(owner.clone(), rtype),
        }
    }

    fn zone(message: String) -> Self {
        Self {
            message,
            culprit: Culprit::Zone,
        }
    }
}

/// Encoded size of one record without name compression.
pub fn record_wire_len(record: &Record) -> usize {
    let mut buf = Vec::with_capacity(64);
    let mut encoder = BinEncoder::new(&mut buf);
    match record.emit(&mut encoder) {
        Ok(()) => buf.len(),
        // Cannot happen for records that parsed; a pessimistic size keeps the reply path honest.
        Err(_) => usize::from(u16::MAX),
    }
}

impl Zone {
    /// Validates and indexes the records of one zone file.
    pub fn build(origin: Name, records: BTreeMap<RrKey, RecordSet>) -> Result<Self, ZoneProblem> {
        let origin_labels = usize::from(origin.num_labels());
        let mut nodes: FxHashMap<Box<[u8]>, Node> = FxHashMap::default();
        let mut soa = None;
        let mut record_count = 0;

        for (key, set) in records {
            let owner: Name = key.name.into();
            let rtype = key.record_type;
            if !origin.zone_of(&owner) {
                return Err(ZoneProblem::at(
                    &owner,
                    rtype,
                    format!("{owner} {rtype} is outside the zone {origin}"),
                ));
            }
            // Taken by value: cloning would hold every record twice while a zone loads.
            let records: Box<[Record]> = set.into_parts().records.into_boxed_slice();
            if records.is_empty() {
                continue;
            }
            if let Some(r) = records
                .iter()
                .find(|r| r.dns_class != hickory_proto::rr::DNSClass::IN)
            {
                return Err(ZoneProblem::at(
                    &owner,
                    rtype,
                    format!(
                        "{owner} {rtype}: class {} is not served, only IN",
                        r.dns_class
                    ),
                ));
            }
            match rtype {
                RecordType::SOA if owner != origin => {
                    return Err(ZoneProblem::at(
                        &owner,
                        rtype,
                        format!("SOA at {owner}: the only SOA belongs at the apex {origin}"),
                    ));
                }
                RecordType::SOA if records.len() > 1 => {
                    return Err(ZoneProblem {
                        message: format!(
                            "{} SOA records at {owner}: a zone has exactly one",
                            records.len()
                        ),
                        culprit: Culprit::Second(owner, rtype),
                    });
                }
                RecordType::SOA => soa = Some(records[0].clone()),
                RecordType::CNAME if records.len() > 1 => {
                    return Err(ZoneProblem {
                        message: format!(
                            "{} CNAME records at {owner}: a name has at most one",
                            records.len()
                        ),
                        culprit: Culprit::Second(owner, rtype),
                    });
                }
                _ => {}
            }
            record_count += records.len();
            let wire_len = records.iter().map(record_wire_len).sum();
            let Some(node_key) = key_of(&owner) else {
                return Err(ZoneProblem::at(
                    &owner,
                    rtype,
                    format!("{owner}: name too long"),
                ));
            };
            let node = nodes.entry(node_key).or_default();
            node.rrsets.push(RrSet {
                rtype,
                records,
                wire_len,
            });
            if node.rrsets.len() > 1 && node.rrset(RecordType::CNAME).is_some() {
                let other = node
                    .rrsets
                    .iter()
                    .map(|s| s.rtype)
                    .find(|t| *t != RecordType::CNAME)
                    .unwrap_or(rtype);
                return Err(ZoneProblem {
                    message: format!(
                        "{owner} has a CNAME and {other} data: a CNAME must stand alone (RFC 1034 §3.6.2)"
                    ),
                    culprit: Culprit::Mixed(owner),
                });
            }
            // Empty non-terminals between the owner and the apex exist too (RFC 4592 §2.2.2).
            let wire = WireName::new(&owner).expect("key_of succeeded above");
            for labels in origin_labels..wire.num_labels() {
                nodes.entry(wire.ancestor(labels).into()).or_default();
            }
        }

        let Some(soa) = soa else {
            return Err(ZoneProblem::zone(format!(
                "no SOA record at the apex {origin}"
            )));
        };
        let apex_key = key_of(&origin).expect("origin fits the wire");
        let apex = nodes
            .get_mut(&apex_key)
            .expect("the SOA made the apex node");
        if apex.rrset(RecordType::NS).is_none() {
            return Err(ZoneProblem::zone(format!(
                "no NS records at the apex {origin}"
            )));
        }
        for (key, node) in nodes.iter_mut() {
            node.rrsets.sort_by_key(|s| u16::from(s.rtype));
            node.is_cut = *key != apex_key && node.rrset(RecordType::NS).is_some();
        }

        let minimum = match &soa.data {
            RData::SOA(s) => s.minimum,
            _ => unreachable!("the SOA key holds SOA data"),
        };
        let mut negative_soa = soa.clone();
        negative_soa.ttl = soa.ttl.min(minimum);
        let negative_soa_len = record_wire_len(&negative_soa);
        Ok(Self {
            origin,
            origin_labels,
            nodes,
            soa,
            negative_soa,
            negative_soa_len,
            record_count,
        })
    }

    pub fn origin(&self) -> &Name {
        &self.origin
    }

    pub fn origin_labels(&self) -> usize {
        self.origin_labels
    }

    pub fn soa(&self) -> &Record {
        &self.soa
    }

    /// The SOA for the authority section of NXDOMAIN / NODATA, and its wire size.
    pub fn negative_soa(&self) -> (&Record, usize) {
        (&self.negative_soa, self.negative_soa_len)
    }

    pub fn serial(&self) -> u32 {
        match &self.soa.data {
            RData::SOA(s) => s.serial,
            _ => 0,
        }
    }

    /// Number of records (not RRsets) in the zone.
    pub fn record_count(&self) -> usize {
        self.record_count
    }

    /// Number of owner names, empty non-terminals included.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The node with exactly this key, if the name exists in the zone.
    pub fn node(&self, key: &[u8]) -> Option<&Node> {
        self.nodes.get(key)
    }

    /// The apex node.
    pub fn apex(&self) -> &Node {
        let w = WireName::new(&self.origin).expect("origin fits the wire");
        self.nodes.get(w.key()).expect("the apex always exists")
    }

    /// Keys of every NS and MX target named in this zone (DNS and mail hosts).
    pub fn infra_targets(&self) -> impl Iterator<Item = Box<[u8]>> + '_ {
        self.nodes
            .values()
            .flat_map(|n| n.rrsets.iter())
            .filter(|s| matches!(s.rtype, RecordType::NS | RecordType::MX))
            .flat_map(|s| s.records.iter())
            .filter_map(|r| match &r.data {
                RData::NS(ns) => key_of(&ns.0),
                RData::MX(mx) => key_of(&mx.exchange),
                _ => None,
            })
    }

    /// Every record for a zone transfer, SOA first (the caller repeats it last), in name order.
    pub fn transfer_records(&self) -> Vec<&Record> {
        let mut owners: Vec<(&Name, &Node)> = self
            .nodes
            .values()
            .filter_map(|n| n.rrsets.first().map(|s| (&s.records[0].name, n)))
            .collect();
        owners.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = Vec::with_capacity(self.record_count + 1);
        out.push(&self.soa);
        for (_, node) in owners {
            for set in node.rrsets.iter().filter(|s| s.rtype != RecordType::SOA) {
                out.extend(set.records.iter());
            }
        }
        out
    }
}
