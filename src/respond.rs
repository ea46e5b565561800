//! One query's way through kzdns, without I/O: zone answer (or suspension), policy verdict,
//! enforcement. The DNS handler sends the result; `kzdns check` prints it.

use hickory_proto::rr::{Name, RecordType};
use time::Date;

use crate::{
    enforce::{Action, Ede, NoticeTargets, enforce, suspension_answer},
    names::WireName,
    policy::{Policy, Subject, Suspension, Verdict},
    zones::{Answer, ZoneSet},
};

/// Why the policy acted (or did not).
#[derive(Debug)]
pub enum Decision<'p> {
    /// The name is under a suspended domain; the zone's data was not consulted.
    Suspended(&'p Suspension),
    /// The hosting rule's verdict on the zone's answer.
    Hosting(Verdict<'p>),
}

/// The reply to send and how it came about.
#[derive(Debug)]
pub struct Outcome<'z, 'p> {
    pub answer: Answer<'z>,
    pub decision: Decision<'p>,
    pub action: Action,
    /// Present exactly when the policy changed the reply.
    pub ede: Option<Ede>,
}

/// Answers `qname`/`qtype` from `zones` under `policy` on `today`.
pub fn respond<'z, 'p>(
    zones: &'z ZoneSet,
    policy: &'p Policy,
    qname: &Name,
    qtype: RecordType,
    notice: NoticeTargets,
    today: Date,
) -> Outcome<'z, 'p> {
    let Some(wire) = WireName::new(qname) else {
        return Outcome {
            answer: Answer::not_ours(),
            decision: Decision::Hosting(Verdict::NotChecked),
            action: Action::Pass,
            ede: None,
        };
    };
    if let Some((suspension, zone)) = policy
        .suspensions
        .covering(&wire)
        .and_then(|s| zones.find(&wire).map(|z| (s, z)))
    {
        let mut answer = Answer::authoritative_from(zone);
        let ede = suspension_answer(&mut answer, suspension, qname, qtype, notice);
        return Outcome {
            answer,
            decision: Decision::Suspended(suspension),
            action: Action::Suspended,
            ede: Some(ede),
        };
    }

    let mut answer = zones.answer(qname, qtype);
    let verdict = judge(zones, policy, &wire, qname, qtype, &answer, today);
    // The zone's mode matters only for a violation; the common answer skips the lookup.
    let mode = match verdict {
        Verdict::Violation { .. } => {
            policy.mode_for(answer.zone.and_then(|z| WireName::new(z.origin())).as_ref())
        }
        _ => policy.mode,
    };
    let (action, ede) = enforce(&verdict, mode, &mut answer, qname, qtype, notice);
    Outcome {
        answer,
        decision: Decision::Hosting(verdict),
        action,
        ede,
    }
}

/// The hosting rule's verdict on a zone answer. A CNAME query is judged by where its chain leads.
fn judge<'p>(
    zones: &ZoneSet,
    policy: &'p Policy,
    wire: &WireName,
    qname: &Name,
    qtype: RecordType,
    answer: &Answer<'_>,
    today: Date,
) -> Verdict<'p> {
    if answer.zone.is_none() {
        return Verdict::NotChecked;
    }
    let mut subject = Subject {
        qname: wire,
        qtype,
        infra_host: answer.infra_host,
        chain_leaves: answer.chain_leaves,
    };
    if qtype != RecordType::CNAME {
        return policy.decide(&subject, answer.addresses(), today);
    }
    if answer.answers.is_empty() {
        return Verdict::NotChecked;
    }
    let v4 = zones.answer(qname, RecordType::A);
    let v6 = zones.answer(qname, RecordType::AAAA);
    subject.chain_leaves = v4.chain_leaves || v6.chain_leaves;
    policy.decide(&subject, v4.addresses().chain(v6.addresses()), today)
}
