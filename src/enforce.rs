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
        rdata::{A, AAAA, opt::EdnsOption},
    },
};

use time::Date;

use crate::{
    config::PolicyMode,
    names::WireName,
    policy::{HOSTING_GROUND, Policy, Subject, Verdict},
    zones::{Answer, AnswerKind, ZoneSet},
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
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::AuditOnly => "audit-only",
            Self::Filter => "filter",
            Self::Notice => "notice",
            Self::Refuse => "refuse",
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

/// The policy's verdict on `answer`, the zones' answer to `qname`/`qtype`: the one judgement that
/// both the DNS handler and the notice page make. Names outside our zones are not judged; a CNAME
/// query is judged by the addresses its chain leads to.
pub fn judge<'p>(
    policy: &'p Policy,
    zones: &ZoneSet,
    answer: &Answer<'_>,
    qname: &Name,
    qtype: RecordType,
    today: Date,
) -> Verdict<'p> {
    let (Some(_), Some(wire)) = (answer.zone, WireName::new(qname)) else {
        return Verdict::NotChecked;
    };
    let mut subject = Subject {
        qname: &wire,
        qtype,
        infra_host: answer.infra_host,
        chain_leaves: answer.chain_leaves,
    };
    if qtype == RecordType::CNAME {
        if answer.answers.is_empty() {
            return Verdict::NotChecked;
        }
        // The CNAME's own answer has no addresses: judge where it leads.
        let v4 = zones.answer(qname, RecordType::A);
        let v6 = zones.answer(qname, RecordType::AAAA);
        subject.chain_leaves = v4.chain_leaves || v6.chain_leaves;
        policy.decide(&subject, v4.addresses().chain(v6.addresses()), today)
    } else {
        policy.decide(&subject, answer.addresses(), today)
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
    let mut text = format!(
        "Rules 38/NK p.16({HOSTING_GROUND}) hosting-outside-kz: hosting must be in Kazakhstan; not in KZ:"
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
