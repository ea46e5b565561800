//! The authoritative lookup of RFC 1034 §4.3.2 over the indexed zones: exact match, CNAME chains
//! across our zones, wildcards (RFC 4592), delegations with glue, and negative answers with the
//! SOA (RFC 2308). ANY gets one RRset (RFC 8482).

use std::borrow::Cow;

use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::{Answer, AnswerKind, Node, ZoneSet, zone::Zone};
use crate::names::{WireName, scratch, wildcard_key};

/// Longest CNAME chain we follow inside our zones (BIND follows 16 too).
const MAX_CNAME_CHAIN: usize = 16;

/// Where a name lands inside one zone.
enum Found<'z> {
    /// The name exists (or a wildcard covers it: `wildcard` is then true).
    Node { node: &'z Node, wildcard: bool },
    /// The name is at or below this delegation point.
    Cut(&'z Node),
    /// Neither the name nor a covering wildcard exists.
    NxDomain,
}

impl Zone {
    /// Walks from the apex down to `name`, one hash lookup per label.
    fn locate(&self, name: &WireName, qtype: RecordType) -> Found<'_> {
        let labels = name.num_labels();
        for depth in self.origin_labels() + 1..=labels {
            match self.node(name.ancestor(depth)) {
                // DS lives on the parent side of a cut (RFC 4035 §3.1.4.1).
                Some(node) if node.is_cut && !(depth == labels && qtype == RecordType::DS) => {
                    return Found::Cut(node);
                }
                Some(_) => {}
                None => {
                    let mut buf = scratch();
                    let closest = name.ancestor(depth - 1);
                    return match wildcard_key(closest, &mut buf).and_then(|k| self.node(k)) {
                        Some(node) => Found::Node {
                            node,
                            wildcard: true,
                        },
                        None => Found::NxDomain,
                    };
                }
            }
        }
        match self.node(name.key()) {
            Some(node) => Found::Node {
                node,
                wildcard: false,
            },
            None => Found::NxDomain,
        }
    }
}

impl ZoneSet {
    /// Answers `qname`/`qtype` from our zones.
    pub fn answer(&self, qname: &Name, qtype: RecordType) -> Answer<'_> {
        let Some(wire) = WireName::new(qname) else {
            return Answer::not_ours();
        };
        let Some(zone) = self.zone_for(&wire, qtype) else {
            return Answer::not_ours();
        };
        let mut answer = Answer::not_ours();
        answer.zone = Some(zone);
        answer.authoritative = true;
        answer.kind = AnswerKind::Positive;
        answer.infra_host = self.is_infra_host(&wire);

        let (mut zone, mut wire) = (zone, wire);
        let mut name = Cow::Borrowed(qname);
        for step in 0..MAX_CNAME_CHAIN {
            let node = match zone.locate(&wire, qtype) {
                Found::NxDomain => {
                    answer.kind = AnswerKind::NxDomain;
                    push_negative_soa(&mut answer, zone);
                    return answer;
                }
                Found::Cut(cut) => {
                    if step == 0 {
                        answer.kind = AnswerKind::Referral;
                        answer.authoritative = false;
                    }
                    self.push_referral(&mut answer, cut);
                    return answer;
                }
                Found::Node { node, wildcard } => (node, wildcard),
            };
            let (node, wildcard) = node;
            let wanted = if qtype == RecordType::ANY {
                // RFC 8482 §4.2: one RRset of those present (a CNAME stands alone anyway).
                node.rrsets.first()
            } else {
                node.rrset(qtype)
            };
            if let Some(set) = wanted {
                push_answer_rrset(&mut answer, set, wildcard.then_some(&*name));
                self.push_additional_for(&mut answer, set.rtype, &set.records);
                return answer;
            }
            let Some(cname) = node.rrset(RecordType::CNAME) else {
                answer.kind = AnswerKind::NoData;
                push_negative_soa(&mut answer, zone);
                return answer;
            };
            push_answer_rrset(&mut answer, cname, wildcard.then_some(&*name));
            let RData::CNAME(target) = &cname.records[0].data else {
                return answer;
            };
            let target = &target.0;
            // A loop ends the chain; the client sees the CNAMEs up to the repeat.
            let seen = answer.answers[..answer.answers.len() - 1]
                .iter()
                .any(|r| r.name == *target)
                || *target == *qname;
            let next = WireName::new(target);
            let next_zone = next.as_ref().and_then(|w| self.zone_for(w, qtype));
            match (seen, next, next_zone) {
                (false, Some(w), Some(z)) => {
                    wire = w;
                    zone = z;
                    name = Cow::Owned(target.clone());
                }
                // Leaves our zones: the resolver (or the client) follows it.
                (false, _, None) => {
                    answer.chain_leaves = true;
                    return answer;
                }
                _ => return answer,
            }
        }
        answer
    }

    /// The zone to answer from; a DS query at a child apex is answered by the parent zone.
    fn zone_for(&self, wire: &WireName, qtype: RecordType) -> Option<&Zone> {
        let zone = self.find(wire)?;
        let at_child_apex = wire.num_labels() == zone.origin_labels() && wire.num_labels() > 0;
        if qtype == RecordType::DS && at_child_apex {
            return self.find_below(wire, wire.num_labels() - 1).or(Some(zone));
        }
        Some(zone)
    }

    fn push_referral<'z>(&'z self, answer: &mut Answer<'z>, cut: &'z Node) {
        let Some(ns) = cut.rrset(RecordType::NS) else {
            return;
        };
        Answer::push_rrset(&mut answer.authority, &mut answer.wire_len, ns);
        self.push_additional_for(answer, RecordType::NS, &ns.records);
    }

    /// Addresses of the hosts named by NS, MX and SRV records, where we hold them (RFC 1034
    /// §4.3.2 step 6); for a referral this is the glue.
    fn push_additional_for<'z>(
        &'z self,
        answer: &mut Answer<'z>,
        rtype: RecordType,
        records: &'z [Record],
    ) {
        if !matches!(rtype, RecordType::NS | RecordType::MX | RecordType::SRV) {
            return;
        }
        for record in records {
            let target = match &record.data {
                RData::NS(ns) => &ns.0,
                RData::MX(mx) => &mx.exchange,
                RData::SRV(srv) => &srv.target,
                _ => continue,
            };
            if answer.additional.iter().any(|r| r.name == *target) {
                continue;
            }
            let Some(wire) = WireName::new(target) else {
                continue;
            };
            let Some(node) = self.find(&wire).and_then(|z| z.node(wire.key())) else {
                continue;
            };
            for rtype in [RecordType::A, RecordType::AAAA] {
                if let Some(set) = node.rrset(rtype) {
                    Answer::push_rrset(&mut answer.additional, &mut answer.wire_len, set);
                }
            }
        }
    }

    /// The longest zone holding the ancestor of `wire` with `labels` labels.
    fn find_below(&self, wire: &WireName, labels: usize) -> Option<&Zone> {
        (0..=labels)
            .rev()
            .find_map(|n| self.by_origin_key(wire.ancestor(n)))
    }
}

fn push_answer_rrset<'z>(answer: &mut Answer<'z>, set: &'z super::RrSet, owner: Option<&Name>) {
    match owner {
        None => Answer::push_rrset(&mut answer.answers, &mut answer.wire_len, set),
        Some(owner) => {
            for record in set.records.iter() {
                let mut record = record.clone();
                record.name = owner.clone();
                Answer::push_owned(&mut answer.answers, &mut answer.wire_len, record);
            }
        }
    }
}

fn push_negative_soa<'z>(answer: &mut Answer<'z>, zone: &'z Zone) {
    let (soa, len) = zone.negative_soa();
    Answer::push_borrowed(&mut answer.authority, &mut answer.wire_len, soa, len);
}
