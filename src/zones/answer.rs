//! The result of looking a question up in our zones, before policy and before the wire.
//!
//! Records are borrowed from the zone snapshot where they can be and owned only when synthesised
//! (wildcard owners), so the common answer copies no record data.

use std::borrow::Cow;

use std::net::IpAddr;

use hickory_proto::{
    op::ResponseCode,
    rr::{RData, Record},
};

use super::{RrSet, Zone, record_wire_len};

/// What kind of answer the zones gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    /// Records of the asked type (possibly after CNAMEs), or a CNAME chain leaving our zones.
    Positive,
    /// The name exists but has no data of the asked type.
    NoData,
    /// The name (or the end of its CNAME chain) does not exist.
    NxDomain,
    /// The name is at or below a delegation: NS in authority, glue in additional.
    Referral,
    /// No zone of ours holds the name.
    NotOurs,
    /// The policy refused to answer (REFUSED, sections emptied).
    PolicyRefused,
}

/// An answer from the zone store.
#[derive(Debug)]
pub struct Answer<'z> {
    pub kind: AnswerKind,
    /// AA: set when we are authoritative for the query name and did not refer.
    pub authoritative: bool,
    pub answers: Vec<Cow<'z, Record>>,
    pub authority: Vec<Cow<'z, Record>>,
    pub additional: Vec<Cow<'z, Record>>,
    /// Upper bound of the three sections' encoded size (no name compression), so the reply path
    /// knows without encoding whether a UDP payload limit can be hit.
    pub wire_len: usize,
    /// The zone holding the query name.
    pub zone: Option<&'z Zone>,
    /// The query name is an NS or MX target in our zones (a DNS or mail host).
    pub infra_host: bool,
    /// The CNAME chain ended on a name outside our zones, so its final addresses are unknown here.
    pub chain_leaves: bool,
}

impl<'z> Answer<'z> {
    pub fn not_ours() -> Self {
        Self {
            kind: AnswerKind::NotOurs,
            authoritative: false,
            answers: Vec::new(),
            authority: Vec::new(),
            additional: Vec::new(),
            wire_len: 0,
            zone: None,
            infra_host: false,
            chain_leaves: false,
        }
    }

    /// An authoritative answer from `zone` that policy builds itself (a suspension), starting empty.
    pub fn authoritative_from(zone: &'z Zone) -> Self {
        Self {
            kind: AnswerKind::Positive,
            authoritative: true,
            zone: Some(zone),
            ..Self::not_ours()
        }
    }

    /// Makes this a NODATA answer: no records, the zone's SOA in the authority section.
    pub fn set_nodata(&mut self) {
        self.replace_answers(Vec::new());
        self.kind = AnswerKind::NoData;
        if let Some(zone) = self.zone {
            let (soa, len) = zone.negative_soa();
            Self::push_borrowed(&mut self.authority, &mut self.wire_len, soa, len);
        }
    }

    /// The RCODE this answer is sent with.
    pub fn rcode(&self) -> ResponseCode {
        match self.kind {
            AnswerKind::Positive | AnswerKind::NoData | AnswerKind::Referral => {
                ResponseCode::NoError
            }
            AnswerKind::NxDomain => ResponseCode::NXDomain,
            AnswerKind::NotOurs | AnswerKind::PolicyRefused => ResponseCode::Refused,
        }
    }

    /// The addresses in the answer section (the end of any CNAME chain).
    pub fn addresses(&self) -> impl Iterator<Item = IpAddr> + Clone + '_ {
        self.answers.iter().filter_map(|r| match &r.data {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
    }

    /// Replaces the answer section with `records`, dropping the authority and additional
    /// sections (a policy rewrite: nothing of the original answer may leak).
    pub fn replace_answers(&mut self, records: Vec<Record>) {
        self.authority.clear();
        self.additional.clear();
        self.wire_len = records.iter().map(record_wire_len).sum();
        self.answers = records.into_iter().map(Cow::Owned).collect();
    }

    pub(super) fn push_rrset(section: &mut Vec<Cow<'z, Record>>, len: &mut usize, set: &'z RrSet) {
        section.extend(set.records.iter().map(Cow::Borrowed));
        *len += set.wire_len;
    }

    pub(super) fn push_owned(section: &mut Vec<Cow<'z, Record>>, len: &mut usize, record: Record) {
        *len += record_wire_len(&record);
        section.push(Cow::Owned(record));
    }

    pub(super) fn push_borrowed(
        section: &mut Vec<Cow<'z, Record>>,
        len: &mut usize,
        record: &'z Record,
        record_len: usize,
    ) {
        *len += record_len;
        section.push(Cow::Borrowed(record));
    }
}
