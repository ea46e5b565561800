//! `kzdns check NAME [--type T]`: what kzdns answers for a name and why — the records (the whole
//! CNAME chain), for each address whether it is in Kazakhstan and on what evidence (file:line),
//! exemptions and suspensions, and the action under the configured mode. Always exits 0.

use std::{fmt::Write as _, net::IpAddr, str::FromStr};

use hickory_proto::rr::{Name, Record, RecordType};
use time::Date;

use super::ConfigArg;
use crate::{
    ExitError,
    config::Config,
    enforce::NoticeTargets,
    names::{WireName, normalize},
    policy::{Policy, Verdict},
    respond::{Decision, Outcome, respond},
    zones::ZoneSet,
};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The name to explain (Unicode or punycode).
    pub name: String,
    /// Query type (A, AAAA, CNAME, MX, TXT, ...). Default: A and AAAA.
    #[arg(long = "type", short = 't', value_name = "TYPE")]
    pub qtype: Option<String>,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run(args: CheckArgs) -> Result<(), ExitError> {
    let config = Config::load(args.config.config.as_deref())?;
    let zones = ZoneSet::load_dir(&config.zones.dir)?;
    let policy = Policy::load(&config)?;
    let name = match normalize(&args.name) {
        Ok(name) => name,
        Err(e) => {
            println!("{}: not a domain name: {e}", args.name);
            return Ok(());
        }
    };
    let types = match &args.qtype {
        Some(t) => match RecordType::from_str(&t.to_ascii_uppercase()) {
            Ok(t) => vec![t],
            Err(_) => {
                println!("{t}: not a record type");
                return Ok(());
            }
        },
        None => vec![RecordType::A, RecordType::AAAA],
    };
    let notice = NoticeTargets {
        ipv4: config.notice.ipv4,
        ipv6: config.notice.ipv6,
    };
    let today = time::OffsetDateTime::now_utc().date();
    print!("{}", header(&name, &zones, &policy, &config, today));
    for qtype in types {
        let outcome = respond(&zones, &policy, &name, qtype, notice, today);
        print!("{}", report(&zones, &policy, &name, qtype, &outcome, today));
    }
    Ok(())
}

fn header(name: &Name, zones: &ZoneSet, policy: &Policy, config: &Config, today: Date) -> String {
    let mut out = String::new();
    let unicode = name.to_utf8();
    let _ = write!(out, "name: {}", name.to_ascii());
    if unicode != name.to_ascii() {
        let _ = write!(out, " ({unicode})");
    }
    out.push('\n');
    let wire = WireName::new(name);
    let zone = wire.as_ref().and_then(|w| zones.find(w));
    match zone {
        Some(zone) => {
            let origin = WireName::new(zone.origin());
            let _ = writeln!(
                out,
                "zone: {} (serial {}), policy mode: {}",
                zone.origin().to_ascii(),
                zone.serial(),
                policy.mode_for(origin.as_ref())
            );
        }
        None => {
            let _ = writeln!(
                out,
                "zone: none of ours (zones from {}): REFUSED, the resolver is off",
                config.zones.dir.display()
            );
        }
    }
    if let Some(s) = wire.as_ref().and_then(|w| policy.suspensions.covering(w)) {
        let _ = writeln!(
            out,
            "suspended: {} since {}, {} ({}); reference {:?}; {}:{}",
            s.domain.to_ascii(),
            s.since,
            s.citation(),
            s.reason.summary(),
            s.reference,
            policy.dir.join(crate::policy::SUSPENSIONS_FILE).display(),
            s.line
        );
    }
    if let Some(e) = wire.as_ref().and_then(|w| policy.exemptions.covering(w)) {
        let _ = writeln!(
            out,
            "exemption: {} via {}, document {:?}, expires {}{}; {}:{}",
            e.domain.to_ascii(),
            e.provider,
            e.document,
            e.expires,
            if e.is_valid_on(today) {
                ""
            } else {
                " (EXPIRED: no longer applies)"
            },
            policy.dir.join(crate::policy::EXEMPTIONS_FILE).display(),
            e.line
        );
    }
    let infra = wire.as_ref().is_some_and(|w| zones.is_infra_host(w));
    if infra {
        out.push_str(
            "exempt host: an NS or MX target in our zones (DNS and mail may be anywhere)\n",
        );
    }
    out
}

fn report(
    zones: &ZoneSet,
    policy: &Policy,
    name: &Name,
    qtype: RecordType,
    outcome: &Outcome<'_, '_>,
    today: Date,
) -> String {
    let mut out = format!("\n{qtype}:\n");
    // What the zones hold, before policy.
    let zone_answer = zones.answer(name, qtype);
    let _ = writeln!(
        out,
        "  zone data: {}{}",
        zone_answer.rcode(),
        if zone_answer.authoritative {
            ", authoritative"
        } else {
            ""
        }
    );
    for r in zone_answer
        .answers
        .iter()
        .chain(zone_answer.authority.iter())
    {
        write_record(&mut out, r);
    }
    if zone_answer.chain_leaves {
        out.push_str(
            "    (the CNAME chain leaves our zones; without a resolver its end cannot be judged)\n",
        );
    }
    let mut addresses: Vec<IpAddr> = zone_answer.addresses().collect();
    if qtype == RecordType::CNAME {
        for t in [RecordType::A, RecordType::AAAA] {
            addresses.extend(zones.answer(name, t).addresses());
        }
    }
    for ip in &addresses {
        let explanation = policy.allowlist.explain(*ip);
        for (i, line) in explanation.to_string().lines().enumerate() {
            let _ = writeln!(out, "  {}{line}", if i == 0 { "" } else { "  " });
        }
    }
    let verdict = match &outcome.decision {
        Decision::Suspended(s) => format!("suspended ({})", s.citation()),
        Decision::Hosting(v) => describe(v, today),
    };
    let _ = writeln!(out, "  verdict: {verdict}");
    let _ = writeln!(out, "  action: {}", outcome.action.as_str());
    let _ = writeln!(out, "  reply: {}", outcome.answer.rcode());
    for r in &outcome.answer.answers {
        write_record(&mut out, r);
    }
    if let Some(ede) = &outcome.ede {
        let _ = writeln!(out, "  EDE {}: {}", ede.info_code, ede.extra_text);
    }
    out
}

/// One record as a line of the report: owner, TTL, type, data.
fn write_record(out: &mut String, r: &Record) {
    let _ = writeln!(
        out,
        "    {} {} {} {}",
        r.name.to_ascii(),
        r.ttl,
        r.record_type(),
        r.data
    );
}

fn describe(verdict: &Verdict<'_>, today: Date) -> String {
    match verdict {
        Verdict::NotChecked => {
            "not subject to the hosting rule (type, namespace, or no addresses)".into()
        }
        Verdict::Compliant => "compliant: every address is in Kazakhstan".into(),
        Verdict::Unjudged => {
            "not judged: the chain leaves our zones and no resolver follows it".into()
        }
        Verdict::InfraHost => "exempt: a DNS or mail host".into(),
        Verdict::Exempt(e) => format!(
            "exempt: {} protection, document {:?}, until {}",
            e.provider, e.document, e.expires
        ),
        Verdict::Violation { foreign, expired } => {
            let list: Vec<String> = foreign.iter().map(ToString::to_string).collect();
            let mut text = format!(
                "VIOLATION of Rules 38/NK p.16(6) hosting-outside-kz: {}",
                list.join(", ")
            );
            if let Some(e) = expired {
                let _ = write!(
                    text,
                    " (exemption for {} expired {}, today is {today})",
                    e.domain.to_ascii(),
                    e.expires
                );
            }
            text
        }
    }
}
