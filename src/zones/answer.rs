//! The result of looking a question up in our zones, before policy and before the wire.
//!
//! Records are borrowed from the zone snapshot where they can be and owned only when synthesised
//! (wildcard owners), so the common answer copies no record data.

use std::borrow::Cow;

use hickory_proto::{op::ResponseCode, rr::Record};

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
        }
    }

    /// The RCODE this answer is sent with.
    pub fn rcode(&self) -> ResponseCode {
        match self.kind {
            AnswerKind::Positive | AnswerKind::NoData | AnswerKind::Referral => {
                ResponseCode::NoError
            }
            AnswerKind::NxDomain => ResponseCode::NXDomain,
            AnswerKind::NotOurs => ResponseCode::Refused,
        }
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
