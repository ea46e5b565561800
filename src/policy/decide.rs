//! The hosting rule (Rules No. 38/НҚ, paragraph 16, sub-paragraph 6) as a pure decision over an
//! answer: A, AAAA and CNAME answers of names under .KZ / .ҚАЗ must resolve to addresses in
//! Kazakhstan; NS, MX, TXT and other types, and the DNS and mail hosts themselves, are exempt.

use std::net::IpAddr;

use hickory_proto::rr::RecordType;
use time::Date;

use super::{Exemption, Policy};
use crate::names::WireName;

/// The top-level domains the rule applies to, as wire keys: `kz.` and `қаз.` (`xn--80ao21a.`).
const RULED_TLDS: [&[u8]; 2] = [b"\x02kz\x00", b"\x0bxn--80ao21a\x00"];

/// What the engine looks at: the question and facts about the answer.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub qname: &'a WireName,
    pub qtype: RecordType,
    /// The name is an NS or MX target in our zones: a DNS or mail host, exempt.
    pub infra_host: bool,
    /// The answer's CNAME chain left our zones and nothing followed it, so some final addresses
    /// are unknown.
    pub chain_leaves: bool,
}

/// The engine's verdict on one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<'p> {
    /// Outside the rule: another type, another namespace, or no addresses in the answer.
    NotChecked,
    /// Every address is in Kazakhstan.
    Compliant,
    /// The chain leaves our zones and could not be followed: passes, and is logged and counted.
    Unjudged,
    /// The name is a DNS or mail host (exempt whatever its addresses).
    InfraHost,
    /// Foreign addresses, allowed by a documented, unexpired exemption.
    Exempt(&'p Exemption),
    /// The hosting rule is broken by these addresses; `expired` is an exemption that would have
    /// allowed them but has run out.
    Violation {
        foreign: Vec<IpAddr>,
        expired: Option<&'p Exemption>,
    },
}

/// Whether `qname` is under .KZ or .ҚАЗ.
pub fn in_ruled_namespace(qname: &WireName) -> bool {
    qname.num_labels() >= 1 && RULED_TLDS.contains(&qname.ancestor(1))
}

impl Policy {
    /// Judges the addresses an answer resolves `subject.qname` to. Pure: the same inputs give the
    /// same verdict; allocation happens only for a violation.
    pub fn decide<I>(&self, subject: &Subject<'_>, addresses: I, today: Date) -> Verdict<'_>
    where
        I: IntoIterator<Item = IpAddr>,
        I::IntoIter: Clone,
    {
        if !matches!(
            subject.qtype,
            RecordType::A | RecordType::AAAA | RecordType::CNAME | RecordType::ANY
        ) || !in_ruled_namespace(subject.qname)
        {
            return Verdict::NotChecked;
        }
        let addresses = addresses.into_iter();
        let mut any = false;
        let mut foreign_seen = false;
        for ip in addresses.clone() {
            any = true;
            foreign_seen |= !self.allowlist.is_kz(ip);
        }
        if !foreign_seen {
            return match (any, subject.chain_leaves) {
                (_, true) => Verdict::Unjudged,
                (true, false) => Verdict::Compliant,
                (false, false) => Verdict::NotChecked,
            };
        }
        if subject.infra_host {
            return Verdict::InfraHost;
        }
        let exemption = self.exemptions.covering(subject.qname);
        match exemption {
            Some(e) if e.is_valid_on(today) => Verdict::Exempt(e),
            expired => Verdict::Violation {
                foreign: addresses.filter(|ip| !self.allowlist.is_kz(*ip)).collect(),
                expired,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        config::PolicyMode,
        names::normalize,
        policy::{Allowlist, exemptions},
    };
    use std::path::Path;
    use time::macros::date;

    fn policy() -> Policy {
        let mut b = Allowlist::builder();
        b.add_text(
            super::super::allowlist::SourceKind::Operator,
            "ops.cidr",
            "80.241.0.0/20\n2a01:7640::/32\n",
        )
        .unwrap();
        let ex = exemptions::parse(
            Path::new("exemptions.csv"),
            "domain,provider,document,expires\nguarded.kz,Cloudflare,INV-1,2026-12-31\n",
        )
        .unwrap();
        Policy::from_parts(b.build(), ex, PolicyMode::Notice)
    }

    fn subject(qname: &WireName, qtype: RecordType) -> Subject<'_> {
        Subject {
            qname,
            qtype,
            infra_host: false,
            chain_leaves: false,
        }
    }

    fn wire(s: &str) -> WireName {
        WireName::new(&normalize(s).unwrap()).unwrap()
    }

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    const TODAY: Date = date!(2026 - 12 - 03);

    #[test]
    fn compliant_foreign_and_mixed() {
        let p = policy();
        let name = wire("shop.kz");
        let s = subject(&name, RecordType::A);
        assert_eq!(
            p.decide(&s, ips(&["80.241.1.10"]), TODAY),
            Verdict::Compliant
        );
        assert_eq!(
            p.decide(&s, ips(&["80.241.1.10", "203.0.113.5"]), TODAY),
            Verdict::Violation {
                foreign: ips(&["203.0.113.5"]),
                expired: None
            }
        );
        let s6 = subject(&name, RecordType::AAAA);
        assert!(matches!(
            p.decide(&s6, ips(&["2001:db8::1"]), TODAY),
            Verdict::Violation { .. }
        ));
        assert_eq!(
            p.decide(&s6, ips(&["2a01:7640::1"]), TODAY),
            Verdict::Compliant
        );
    }

    #[test]
    fn other_types_namespaces_and_infra_hosts_are_exempt() {
        let p = policy();
        let name = wire("shop.kz");
        for qtype in [
            RecordType::MX,
            RecordType::NS,
            RecordType::TXT,
            RecordType::SRV,
            RecordType::SOA,
        ] {
            assert_eq!(
                p.decide(&subject(&name, qtype), ips(&["203.0.113.5"]), TODAY),
                Verdict::NotChecked
            );
        }
        let other = wire("example.com");
        assert_eq!(
            p.decide(
                &subject(&other, RecordType::A),
                ips(&["203.0.113.5"]),
                TODAY
            ),
            Verdict::NotChecked
        );
        let qaz = wire("nic.қаз");
        assert!(matches!(
            p.decide(&subject(&qaz, RecordType::A), ips(&["203.0.113.5"]), TODAY),
            Verdict::Violation { .. }
        ));
        let mail = wire("mail.shop.kz");
        let mut s = subject(&mail, RecordType::A);
        s.infra_host = true;
        assert_eq!(
            p.decide(&s, ips(&["203.0.113.5"]), TODAY),
            Verdict::InfraHost
        );
    }

    #[test]
    fn exemptions_apply_until_they_expire() {
        let p = policy();
        let name = wire("www.guarded.kz");
        let s = subject(&name, RecordType::A);
        assert!(
            matches!(p.decide(&s, ips(&["104.16.0.1"]), TODAY), Verdict::Exempt(e) if &*e.document == "INV-1")
        );
        let later = date!(2027 - 01 - 01);
        assert!(matches!(
            p.decide(&s, ips(&["104.16.0.1"]), later),
            Verdict::Violation { expired: Some(e), .. } if &*e.provider == "Cloudflare"
        ));
    }

    #[test]
    fn chains_that_leave_our_zones_are_unjudged_unless_already_foreign() {
        let p = policy();
        let name = wire("promo.shop.kz");
        let mut s = subject(&name, RecordType::A);
        s.chain_leaves = true;
        assert_eq!(p.decide(&s, ips(&[]), TODAY), Verdict::Unjudged);
        assert!(matches!(
            p.decide(&s, ips(&["198.51.100.1"]), TODAY),
            Verdict::Violation { .. }
        ));
        let s = subject(&name, RecordType::A);
        assert_eq!(p.decide(&s, ips(&[]), TODAY), Verdict::NotChecked);
    }
}
