//! Applying a verdict to the reply: rewrite, filter or refuse per the policy mode, and the
//! RFC 8914 Extended DNS Error that tells the client why.

use std::{
    fmt::Write as _,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
};

use hickory_proto::{
    op::Edns,
    rr::{
        Name, RData, Record, RecordType,
        rdata::{A, AAAA, TXT, opt::EdnsOption},
    },
};

use crate::{
    config::PolicyMode,
    policy::{Reason, Suspension, Verdict},
    zones::{Answer, AnswerKind},
};

/// EDNS option code of Extended DNS Errors (RFC 8914 §2); hickory-proto has no type for it.
pub const EDE_OPTION: u16 = 15;
/// INFO-CODE 16, Censored: blocked because of an external (legal) requirement.
pub const EDE_CENSORED: u16 = 16;
/// TTL of rewritten answers: short, so a fix or a lifted suspension is seen quickly.
pub const NOTICE_TTL: u32 = 60;
/// At most this many offending addresses are named in the EDE text.
const EDE_MAX_ADDRESSES: usize = 8;

/// What the policy did to a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing to do: compliant, exempt, or outside the rule.
    Pass,
    /// A violation answered unchanged (mode `audit`).
    AuditOnly,
    /// Foreign addresses removed, KZ ones kept (mode `filter`).
    Filter,
    /// Answered with the notice page's address (mode `notice`, or `filter` with nothing left).
    Notice,
    /// REFUSED (mode `refuse`).
    Refuse,
    /// The name is under a suspended domain.
    Suspended,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::AuditOnly => "audit-only",
            Self::Filter => "filter",
            Self::Notice => "notice",
            Self::Refuse => "refuse",
            Self::Suspended => "suspended",
        }
    }
}

/// The addresses handed out for rewritten names.
#[derive(Debug, Clone, Copy)]
pub struct NoticeTargets {
    pub ipv4: Ipv4Addr,
    pub ipv6: Ipv6Addr,
}

/// An Extended DNS Error to attach to the reply's OPT record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ede {
    pub info_code: u16,
    pub extra_text: String,
}

impl Ede {
    /// The option as it goes on the wire: INFO-CODE then UTF-8 EXTRA-TEXT.
    pub fn to_option(&self) -> EdnsOption {
        let mut data = Vec::with_capacity(2 + self.extra_text.len());
        data.extend_from_slice(&self.info_code.to_be_bytes());
        data.extend_from_slice(self.extra_text.as_bytes());
        EdnsOption::Unknown(EDE_OPTION, data)
    }

    /// Adds this EDE to a reply's OPT record.
    pub fn attach(&self, edns: &mut Edns) {
        edns.options_mut().insert(self.to_option());
    }

    /// The option's encoded size (code, length, data), for reply-size estimates.
    pub fn wire_len(&self) -> usize {
        4 + 2 + self.extra_text.len()
    }
}

/// Applies `verdict` under `mode` to `answer` for `qname`/`qtype`; returns the action taken and
/// the EDE the reply must carry (none when the answer is unchanged).
pub fn enforce(
    verdict: &Verdict<'_>,
    mode: PolicyMode,
    answer: &mut Answer<'_>,
    qname: &Name,
    qtype: RecordType,
    notice: NoticeTargets,
) -> (Action, Option<Ede>) {
    let Verdict::Violation { foreign, .. } = verdict else {
        return (Action::Pass, None);
    };
    let mut action = match mode {
        PolicyMode::Audit => return (Action::AuditOnly, None),
        PolicyMode::Filter => Action::Filter,
        PolicyMode::Notice => Action::Notice,
        PolicyMode::Refuse => Action::Refuse,
    };
    if action == Action::Filter {
        answer
            .answers
            .retain(|r| !address_of(r).is_some_and(|ip| foreign.contains(&ip)));
        let kept = answer.answers.iter().any(|r| r.record_type() == qtype);
        if !kept {
            action = Action::Notice;
        }
    }
    match action {
        Action::Notice => {
            let records = notice_records(qname, qtype, notice);
            if records.is_empty() {
                // A CNAME query: no address to hand out; the name has no usable data.
                answer.replace_answers(Vec::new());
                answer.kind = AnswerKind::NoData;
            } else {
                answer.replace_answers(records);
                answer.kind = AnswerKind::Positive;
            }
        }
        Action::Refuse => {
            answer.replace_answers(Vec::new());
            answer.kind = AnswerKind::PolicyRefused;
            answer.authoritative = false;
        }
        _ => {}
    }
    (action, Some(hosting_ede(foreign, action)))
}

/// The answer for a name under a suspended domain (any type): the notice page's address for A /
/// AAAA (and ANY), the ground in words for TXT, NODATA for everything else; always with EDE 16
/// naming the ground and the reference.
pub fn suspension_answer(
    answer: &mut Answer<'_>,
    suspension: &Suspension,
    qname: &Name,
    qtype: RecordType,
    notice: NoticeTargets,
) -> Ede {
    let records = match qtype {
        RecordType::TXT => vec![Record::from_rdata(
            qname.clone(),
            NOTICE_TTL,
            RData::TXT(TXT::new(txt_strings(&suspension_text(suspension)))),
        )],
        _ => notice_records(qname, qtype, notice),
    };
    if records.is_empty() {
        answer.set_nodata();
    } else {
        answer.replace_answers(records);
        answer.kind = AnswerKind::Positive;
    }
    let mut text = format!("{}: {} suspended", suspension.citation(), suspension.domain);
    if !suspension.reference.is_empty() {
        let _ = write!(text, "; ref {}", suspension.reference);
    }
    let _ = write!(text, "; since {}", suspension.since);
    Ede {
        info_code: EDE_CENSORED,
        extra_text: text,
    }
}

/// A sentence a person can read in `dig` output.
fn suspension_text(s: &Suspension) -> String {
    let mut text = format!(
        "{} is suspended under Rules No. 38/NK paragraph 16, sub-paragraph {} ({}): {}.",
        s.domain.to_utf8().trim_end_matches('.'),
        s.reason.subparagraph(),
        s.reason,
        s.reason.summary()
    );
    if !s.reference.is_empty() {
        let _ = write!(text, " Reference: {}.", s.reference);
    }
    let _ = write!(text, " Since {}.", s.since);
    text
}

/// TXT character-strings hold at most 255 bytes: split on character boundaries.
fn txt_strings(text: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for c in text.chars() {
        if out.last().is_some_and(|s| s.len() + c.len_utf8() > 255) {
            out.push(String::new());
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

fn address_of(record: &Record) -> Option<IpAddr> {
    match &record.data {
        RData::A(a) => Some(IpAddr::V4(a.0)),
        RData::AAAA(a) => Some(IpAddr::V6(a.0)),
        _ => None,
    }
}

/// The notice page's address as the answer for `qname`.
pub fn notice_records(qname: &Name, qtype: RecordType, notice: NoticeTargets) -> Vec<Record> {
    let rdata = match qtype {
        RecordType::A | RecordType::ANY => RData::A(A(notice.ipv4)),
        RecordType::AAAA => RData::AAAA(AAAA(notice.ipv6)),
        _ => return Vec::new(),
    };
    vec![Record::from_rdata(qname.clone(), NOTICE_TTL, rdata)]
}

/// EXTRA-TEXT for a hosting violation: the rule, the offending addresses and the action. ASCII, so
/// every client prints it as is.
fn hosting_ede(foreign: &[IpAddr], action: Action) -> Ede {
    let ground = Reason::HostingOutsideKz;
    let mut text = format!(
        "Rules 38/NK p.16({}) {ground}: hosting must be in Kazakhstan; not in KZ:",
        ground.subparagraph()
    );
    for ip in foreign.iter().take(EDE_MAX_ADDRESSES) {
        let _ = write!(text, " {ip}");
    }
    if foreign.len() > EDE_MAX_ADDRESSES {
        let _ = write!(text, " (+{} more)", foreign.len() - EDE_MAX_ADDRESSES);
    }
    let _ = write!(text, "; action: {}", action.as_str());
    Ede {
        info_code: EDE_CENSORED,
        extra_text: text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_strings_split_at_255_bytes_on_char_boundaries() {
        let text = "қ".repeat(200); // 400 bytes
        let parts = txt_strings(&text);
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.len() <= 255));
        assert_eq!(parts.concat(), text);
        assert_eq!(txt_strings("short"), ["short"]);
    }

    #[test]
    fn ede_option_is_code_then_text() {
        let ede = Ede {
            info_code: EDE_CENSORED,
            extra_text: "why".into(),
        };
        assert_eq!(
            ede.to_option(),
            EdnsOption::Unknown(15, vec![0, 16, b'w', b'h', b'y'])
        );
        assert_eq!(ede.wire_len(), 9);
    }
}
