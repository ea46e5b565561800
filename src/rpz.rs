//! The suspension list as a Response Policy Zone (draft-vixie-dnsop-dns-rpz), so every resolver
//! in the country (BIND, Unbound, Knot Resolver, PowerDNS) can enforce the same list: the zone's
//! records ([`rpz_records`], pure, built from `Name`s directly so the live AXFR can use it on a
//! million suspensions), the zone-file text ([`render_zone`]), and reading the QNAME triggers of
//! an RPZ zone file back ([`read_triggers`], for `kzdns rpz import`).
//!
//! Each suspension becomes two QNAME triggers, `bad.kz.<origin>` and `*.bad.kz.<origin>` (RPZ
//! needs the wildcard for the names below), with the same action.

use std::{
    collections::BTreeMap,
    fmt::{self, Write as _},
    net::{Ipv4Addr, Ipv6Addr},
    path::{Path, PathBuf},
};

use hickory_proto::{
    rr::{
        Name, RData, Record, RecordType,
        domain::Label,
        rdata::{A, AAAA, CNAME, NS, SOA},
    },
    serialize::txt::Parser,
};
use time::OffsetDateTime;

use crate::{
    names::DomainKey,
    policy::{Suspension, Suspensions, edit::display},
};

/// The policy zone's origin unless `--origin` names another.
pub const DEFAULT_ORIGIN: &str = "rpz.kz.";
/// The notice host suspended names are sent to unless `--notice-target` names another.
pub const DEFAULT_NOTICE_TARGET: &str = "notice.nic.kz.";
/// TTL of every record, and the zone's `$TTL`: short, so a lifted suspension is seen quickly.
pub const TTL: u32 = 60;
/// SOA timers: secondaries check hourly (NOTIFY makes it sooner), retry after ten minutes, and
/// keep enforcing a week without their primary.
pub const REFRESH: i32 = 3600;
pub const RETRY: i32 = 600;
pub const EXPIRE: i32 = 604_800;
/// SOA MINIMUM: the negative-caching TTL (RFC 2308).
pub const MINIMUM: u32 = 60;
/// The SOA MNAME and the NS target: a policy zone is not meant to be looked up, only
/// transferred, so it names no real server (the convention of the BIND ARM).
pub const NAME_SERVER: &str = "localhost.";

/// The RPZ trigger kinds other than QNAME, as the last label of an owner below the origin.
const NON_QNAME_TRIGGERS: [&str; 4] = ["rpz-ip", "rpz-nsdname", "rpz-nsip", "rpz-client-ip"];

/// What a resolver does with a suspended name: the RPZ policy action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RpzTarget {
    /// `CNAME notice.nic.kz.`: the resolver answers with the notice host's own addresses.
    NoticeHost(Name),
    /// Local data `A` and `AAAA`: the notice page's addresses themselves (`[notice]` ipv4/ipv6).
    NoticeAddresses { v4: Ipv4Addr, v6: Ipv6Addr },
    /// `CNAME .`: NXDOMAIN.
    Nxdomain,
}

impl RpzTarget {
    /// The rdatas of each trigger's records.
    fn rdatas(&self) -> Vec<RData> {
        match self {
            Self::NoticeHost(host) => vec![RData::CNAME(CNAME(host.clone()))],
            Self::NoticeAddresses { v4, v6 } => vec![RData::A(A(*v4)), RData::AAAA(AAAA(*v6))],
            Self::Nxdomain => vec![RData::CNAME(CNAME(Name::root()))],
        }
    }
}

impl fmt::Display for RpzTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoticeHost(host) => write!(f, "CNAME {} (the notice page)", host.to_ascii()),
            Self::NoticeAddresses { v4, v6 } => {
                write!(f, "A {v4} / AAAA {v6} (the notice page's addresses)")
            }
            Self::Nxdomain => f.write_str("CNAME . (NXDOMAIN)"),
        }
    }
}

/// The SOA RNAME: the hostmaster of the notice host's domain (`notice.nic.kz.` →
/// `hostmaster.nic.kz.`, the registry that runs the notice page and answers for the list), or of
/// the policy zone itself when the action names no host.
pub fn soa_rname(origin: &Name, target: &RpzTarget) -> Name {
    let domain = match target {
        RpzTarget::NoticeHost(host) if host.num_labels() >= 2 => host.base_name(),
        _ => origin.clone(),
    };
    Name::from_ascii("hostmaster")
        .and_then(|h| h.append_domain(&domain))
        .unwrap_or_else(|_| origin.clone())
}

/// The suspensions in canonical DNS order (RFC 4034 §6.1: `bad.kz` < `*.bad.kz` < `www.bad.kz`),
/// so the output is stable. Sorting a million names by `Name` comparisons chases pointers; here
/// most comparisons are settled by an inline 16-byte prefix of the labels right to left (each
/// closed by a zero byte, consistent with the full order for host names, which hold no NUL).
fn sorted(suspensions: &Suspensions) -> Vec<&Suspension> {
    let mut keyed: Vec<(u128, &Suspension)> = suspensions
        .values()
        .map(|s| (prefix_key(&s.domain), s))
        .collect();
    keyed.sort_unstable_by(|(ka, a), (kb, b)| {
        ka.cmp(kb).then_with(|| {
            let (a, b) = (a.domain.as_bytes(), b.domain.as_bytes());
            rev_labels(a).cmp(rev_labels(b))
        })
    });
    keyed.into_iter().map(|(_, s)| s).collect()
}

/// The labels of a wire-format key (lower-case `DomainKey` bytes), left to right.
fn labels(key: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    // A name has at most 127 labels; their start offsets fit in a byte.
    let mut starts = [0u8; 128];
    let mut count = 0;
    let mut at = 0;
    while let Some(&len) = key.get(at).filter(|&&len| len != 0 && count < starts.len()) {
        starts[count] = at as u8;
        count += 1;
        at += 1 + usize::from(len);
    }
    (0..count).map(move |i| {
        let start = usize::from(starts[i]) + 1;
        let len = usize::from(key[start - 1]);
        key.get(start..start + len).unwrap_or_default()
    })
}

/// The labels of a wire-format key, right to left.
fn rev_labels(key: &[u8]) -> impl Iterator<Item = &[u8]> {
    labels(key).rev()
}

/// The first 16 bytes of a name's labels, right to left, each followed by a zero byte.
fn prefix_key(domain: &DomainKey) -> u128 {
    let mut key = [0u8; 16];
    let mut bytes =
        rev_labels(domain.as_bytes()).flat_map(|label| label.iter().copied().chain([0]));
    for slot in &mut key {
        match bytes.next() {
            Some(b) => *slot = b,
            None => break,
        }
    }
    u128::from_be_bytes(key)
}

/// `domain.<origin>` and `*.domain.<origin>`, built from the labels (no text is parsed); None
/// when they would be longer than 255 octets.
fn owners(domain: &DomainKey, origin: &Name) -> Option<(Name, Name)> {
    let owner = Name::from_labels(labels(domain.as_bytes()).chain(origin.iter())).ok()?;
    let wildcard = owner.prepend_label(Label::wildcard()).ok()?;
    Some((owner, wildcard))
}

/// Whether `*.domain.<origin>` fits in the 255 octets of a wire-format name.
fn fits(domain: &DomainKey, origin: &Name) -> bool {
    let origin_wire: usize = origin.iter().map(|l| l.len() + 1).sum::<usize>() + 1;
    // domain's bytes without its root octet, then the origin, then the `*` label in front.
    domain.as_bytes().len() - 1 + origin_wire + 2 <= 255
}

/// The suspensions whose domain is too long to sit under `origin` (left out of the zone).
pub fn too_long<'a>(suspensions: &'a Suspensions, origin: &Name) -> Vec<&'a Suspension> {
    let mut out: Vec<&Suspension> = suspensions
        .values()
        .filter(|s| !fits(&s.domain, origin))
        .collect();
    out.sort_by_key(|s| s.line);
    out
}

/// SOA and NS at the apex.
/// The policy zone's SOA and NS (answered to SOA queries, which secondaries send before AXFR).
pub fn apex_records(origin: &Name, target: &RpzTarget, serial: u32) -> [Record; 2] {
    let localhost = Name::from_ascii(NAME_SERVER).expect("a valid name");
    let soa = SOA::new(
        localhost.clone(),
        soa_rname(origin, target),
        serial,
        REFRESH,
        RETRY,
        EXPIRE,
        MINIMUM,
    );
    [
        Record::from_rdata(origin.clone(), TTL, RData::SOA(soa)),
        Record::from_rdata(origin.clone(), TTL, RData::NS(NS(localhost))),
    ]
}

/// The policy zone: SOA, NS, then for each suspension (in canonical order) `domain.<origin>` and
/// `*.domain.<origin>` with the action's records. A domain too long to fit under `origin` (a
/// name of more than 255 octets) is left out; [`render_zone`] names it in a comment.
///
/// Pure and allocation-light: names are built label by label, never formatted and parsed. For a
/// million suspensions this is two million `Record`s (about 270 bytes each); a zone transfer
/// can stream [`RpzRecords`] instead of holding them all.
pub fn rpz_records(
    suspensions: &Suspensions,
    origin: &Name,
    target: RpzTarget,
    serial: u32,
) -> Vec<Record> {
    let records = RpzRecords::new(suspensions, origin, target, serial);
    let mut out = Vec::with_capacity(2 + suspensions.len() * 2 * records.rdatas.len());
    out.extend(records);
    out
}

/// The records of [`rpz_records`], one at a time: only the sorted list of suspensions is held,
/// each entry's names are built when it is reached.
pub struct RpzRecords<'a> {
    origin: &'a Name,
    /// The action's rdatas, the same for every trigger.
    rdatas: Vec<RData>,
    apex: std::array::IntoIter<Record, 2>,
    entries: std::vec::IntoIter<&'a Suspension>,
    /// The entry being emitted (its owner and wildcard) and how many of its records are out.
    current: Option<(Name, Name)>,
    emitted: usize,
}

impl<'a> RpzRecords<'a> {
    pub fn new(
        suspensions: &'a Suspensions,
        origin: &'a Name,
        target: RpzTarget,
        serial: u32,
    ) -> Self {
        Self {
            origin,
            rdatas: target.rdatas(),
            apex: apex_records(origin, &target, serial).into_iter(),
            entries: sorted(suspensions).into_iter(),
            current: None,
            emitted: 0,
        }
    }
}

impl Iterator for RpzRecords<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if let Some(apex) = self.apex.next() {
            return Some(apex);
        }
        let per_owner = self.rdatas.len();
        loop {
            if let Some((owner, wildcard)) = &self.current
                && self.emitted < 2 * per_owner
            {
                let i = self.emitted;
                self.emitted += 1;
                let name = if i < per_owner { owner } else { wildcard };
                return Some(Record::from_rdata(
                    name.clone(),
                    TTL,
                    self.rdatas[i % per_owner].clone(),
                ));
            }
            let next = self.entries.next()?;
            self.current = owners(&next.domain, self.origin);
            self.emitted = 0;
        }
    }
}

/// The zone's text, as `kzdns rpz export` writes it: a header comment saying what it is, when and
/// from what it was generated, then the records of [`rpz_records`] with owners relative to the
/// origin, and before each suspension's pair a comment with its ground and reference.
pub fn render_zone(
    suspensions: &Suspensions,
    origin: &Name,
    target: &RpzTarget,
    serial: u32,
    generated: OffsetDateTime,
    source: &str,
) -> String {
    let entries: Vec<&Suspension> = sorted(suspensions)
        .into_iter()
        .filter(|s| fits(&s.domain, origin))
        .collect();
    let too_long = too_long(suspensions, origin);
    let rdatas = target.rdatas();
    let when = generated
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(generated)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut out = String::with_capacity(256 + entries.len() * 160);
    let _ = writeln!(
        out,
        "; RPZ policy zone (draft-vixie-dnsop-dns-rpz): the suspended .KZ / .ҚАЗ domains\n\
         ; (Rules No. 38/НҚ, paragraph 16). Generated by `kzdns rpz export` at {when}\n\
         ; from {}: {} suspensions, serial {serial}.\n\
         ; Action for each domain and every name below it: {target}.",
        one_line(source),
        entries.len(),
    );
    for suspension in &too_long {
        let _ = writeln!(
            out,
            "; LEFT OUT (too long to fit under {}): {} (line {})",
            origin.to_ascii(),
            display(&suspension.domain),
            suspension.line
        );
    }
    let [soa, ns] = apex_records(origin, target, serial);
    let _ = writeln!(out, "$ORIGIN {}\n$TTL {TTL}", origin.to_ascii());
    for apex in [soa, ns] {
        let _ = writeln!(
            out,
            "@ IN {} {}",
            apex.record_type(),
            rdata_text(&apex.data)
        );
    }
    for s in &entries {
        let domain = display(&s.domain);
        let unicode = s.domain.to_utf8();
        let unicode = unicode.trim_end_matches('.');
        let _ = write!(out, "\n; {domain}");
        if unicode != domain {
            let _ = write!(out, " ({unicode})");
        }
        let _ = write!(
            out,
            ": {}, Rules 38/NK p.16({}); since {}",
            s.reason,
            s.reason.subparagraph(),
            s.since
        );
        if !s.reference.is_empty() {
            let _ = write!(out, "; reference: {}", one_line(&s.reference));
        }
        out.push('\n');
        for owner in [domain.clone(), format!("*.{domain}")] {
            for rdata in &rdatas {
                let _ = writeln!(
                    out,
                    "{owner} IN {} {}",
                    rdata.record_type(),
                    rdata_text(rdata)
                );
            }
        }
    }
    out
}

/// Free text made safe for one comment line.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// RDATA in zone-file syntax with names in ASCII (hickory's `Display` writes Unicode).
fn rdata_text(rdata: &RData) -> String {
    match rdata {
        RData::CNAME(CNAME(name)) | RData::NS(NS(name)) => name.to_ascii(),
        RData::SOA(soa) => format!(
            "{} {} {} {} {} {} {}",
            soa.mname.to_ascii(),
            soa.rname.to_ascii(),
            soa.serial,
            soa.refresh,
            soa.retry,
            soa.expire,
            soa.minimum
        ),
        other => other.to_string(),
    }
}

/// An RPZ zone file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RpzError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a zone file: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error(
        "{}: cannot tell the policy zone's origin: the file has {soas} SOA records; pass --origin",
        path.display()
    )]
    NoOrigin { path: PathBuf, soas: usize },
}

/// Why an owner of an RPZ zone was not taken as a suspension.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    /// An rpz-ip, rpz-nsdname, rpz-nsip or rpz-client-ip trigger: not about a domain name.
    NotQname(&'static str),
    /// `CNAME rpz-passthru.` (or the legacy CNAME to itself): an exception, not a block.
    Passthru,
    /// `CNAME rpz-tcp-only.`: forces TCP, blocks nothing.
    TcpOnly,
    /// `*.x` without a block of `x` itself: a suspension of `x` would cover `x` too.
    LoneWildcard,
    /// Not below the policy zone's origin.
    OutsideOrigin,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotQname(kind) => write!(f, "{kind} trigger, not a domain name"),
            Self::Passthru => f.write_str("rpz-passthru action (an exception, not a block)"),
            Self::TcpOnly => f.write_str("rpz-tcp-only action (blocks nothing)"),
            Self::LoneWildcard => f.write_str(
                "wildcard without a block of its parent (a suspension would cover the parent too)",
            ),
            Self::OutsideOrigin => f.write_str("outside the policy zone"),
        }
    }
}

/// The QNAME triggers of an RPZ zone, as domains (the origin taken off).
#[derive(Debug, Default)]
pub struct Triggers {
    pub origin: Name,
    /// Blocked domains, in canonical order; `*.x` twins of a taken `x` are folded into it.
    pub domains: Vec<Name>,
    /// Owners not taken (as full owner names), and why.
    pub skipped: Vec<(Name, Skip)>,
}

/// Reads the QNAME triggers of an RPZ zone file. The origin is `origin` when given, else the
/// owner of the zone's SOA record (which `$ORIGIN` and `@` name in the usual file).
pub fn read_triggers(path: &Path, text: &str, origin: Option<&Name>) -> Result<Triggers, RpzError> {
    let parse = |origin: Option<Name>| {
        Parser::new(text, Some(path.to_owned()), origin)
            .parse()
            .map(|(_, records)| records)
    };
    let records = match parse(origin.cloned()) {
        Ok(records) => Ok(records),
        // A file without $ORIGIN (absolute names, as dumped by named-compilezone) still parses
        // against the root; its origin then comes from its SOA.
        Err(first) if origin.is_none() => parse(Some(Name::root())).map_err(|_| first),
        Err(e) => Err(e),
    }
    .map_err(|e| RpzError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let origin = match origin {
        Some(origin) => origin.to_lowercase(),
        None => {
            let soas: Vec<&Name> = records
                .keys()
                .filter(|k| k.record_type == RecordType::SOA)
                .map(|k| &*k.name)
                .collect();
            match soas[..] {
                [one] => one.to_lowercase(),
                _ => {
                    return Err(RpzError::NoOrigin {
                        path: path.to_owned(),
                        soas: soas.len(),
                    });
                }
            }
        }
    };
    // Owner → the targets of its CNAMEs (the action; other records are local data: a block).
    let mut owners: BTreeMap<Name, Vec<Name>> = BTreeMap::new();
    for (key, set) in &records {
        let targets = owners
            .entry(Name::from(key.name.clone()).to_lowercase())
            .or_default();
        for record in set.records_without_rrsigs() {
            if let RData::CNAME(CNAME(target)) = &record.data {
                targets.push(target.to_lowercase());
            }
        }
    }
    let passthru = Name::from_ascii("rpz-passthru.").expect("a valid name");
    let tcp_only = Name::from_ascii("rpz-tcp-only.").expect("a valid name");
    // What is not a block, given the trigger's domain (`CNAME <domain>` is the legacy passthru).
    let not_a_block = |targets: &[Name], domain: &Name| {
        targets.iter().find_map(|t| {
            if *t == passthru || t == domain {
                Some(Skip::Passthru)
            } else if *t == tcp_only {
                Some(Skip::TcpOnly)
            } else {
                None
            }
        })
    };
    let origin_labels = origin.iter().count();
    let relative = |owner: &Name| {
        let labels: Vec<&[u8]> = owner.iter().collect();
        Name::from_labels(labels[..labels.len() - origin_labels].iter().copied())
    };
    let is_block = |owner: &Name| {
        let targets = owners.get(owner)?;
        let domain = relative(owner).ok()?;
        not_a_block(targets, &domain).is_none().then_some(())
    };
    let mut triggers = Triggers {
        origin: origin.clone(),
        ..Triggers::default()
    };
    for (owner, targets) in &owners {
        if *owner == origin {
            continue;
        }
        if !origin.zone_of(owner) {
            triggers.skipped.push((owner.clone(), Skip::OutsideOrigin));
            continue;
        }
        let Ok(domain) = relative(owner) else {
            continue;
        };
        let top = domain.iter().next_back().unwrap_or_default();
        if let Some(kind) = NON_QNAME_TRIGGERS
            .iter()
            .find(|k| top.eq_ignore_ascii_case(k.as_bytes()))
        {
            triggers.skipped.push((owner.clone(), Skip::NotQname(kind)));
            continue;
        }
        if let Some(skip) = not_a_block(targets, &domain) {
            triggers.skipped.push((owner.clone(), skip));
            continue;
        }
        if domain.is_wildcard() {
            // The twin of a block taken on its own is folded into it; a lone one is reported.
            let parent = owner.base_name();
            if parent == origin || is_block(&parent).is_none() {
                triggers.skipped.push((owner.clone(), Skip::LoneWildcard));
            }
            continue;
        }
        triggers.domains.push(domain);
    }
    Ok(triggers)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::{names::normalize, policy::suspensions};

    fn list(rows: &str) -> Suspensions {
        let text = format!("domain,reason,reference,since,note\n{rows}");
        suspensions::parse(Path::new("s.csv"), &text).unwrap()
    }

    fn name(s: &str) -> Name {
        normalize(s).unwrap()
    }

    fn notice() -> RpzTarget {
        RpzTarget::NoticeHost(name(DEFAULT_NOTICE_TARGET))
    }

    fn text_of(records: &[Record]) -> Vec<String> {
        records
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {}",
                    r.name.to_ascii(),
                    r.ttl,
                    r.record_type(),
                    rdata_text(&r.data)
                )
            })
            .collect()
    }

    #[test]
    fn records_are_soa_ns_then_a_pair_per_domain_in_canonical_order() {
        let map = list(
            "www.bad.kz,phishing,,2026-01-02,\nbad.kz,malware,T-1,2026-01-01,\n\
             пример.қаз,court-order,,2026-01-03,\na.kz,malware,,2026-01-04,\n",
        );
        let records = rpz_records(&map, &name("rpz.kz"), notice(), 42);
        assert_eq!(
            text_of(&records),
            [
                "rpz.kz. 60 SOA localhost. hostmaster.nic.kz. 42 3600 600 604800 60",
                "rpz.kz. 60 NS localhost.",
                "a.kz.rpz.kz. 60 CNAME notice.nic.kz.",
                "*.a.kz.rpz.kz. 60 CNAME notice.nic.kz.",
                "bad.kz.rpz.kz. 60 CNAME notice.nic.kz.",
                "*.bad.kz.rpz.kz. 60 CNAME notice.nic.kz.",
                "www.bad.kz.rpz.kz. 60 CNAME notice.nic.kz.",
                "*.www.bad.kz.rpz.kz. 60 CNAME notice.nic.kz.",
                "xn--e1afmkfd.xn--80ao21a.rpz.kz. 60 CNAME notice.nic.kz.",
                "*.xn--e1afmkfd.xn--80ao21a.rpz.kz. 60 CNAME notice.nic.kz.",
            ]
        );
        // The order is the canonical order of the owners.
        let owners: Vec<&Name> = records[2..].iter().map(|r| &r.name).collect();
        let mut sorted = owners.clone();
        sorted.sort();
        assert_eq!(owners, sorted);
    }

    #[test]
    fn the_fast_sort_is_canonical_order() {
        // Shared 16-byte prefixes, prefixes of labels, deep and shallow names, IDN.
        let mut rows = String::new();
        let labels = [
            "a",
            "aa",
            "ab",
            "b",
            "z9",
            "0",
            "xn--80a",
            "a-b",
            "long-label-0123456789",
        ];
        for (i, x) in labels.iter().enumerate() {
            for y in &labels[..i] {
                rows.push_str(&format!(
                    "{x}.{y}.verylongdomainname.kz,malware,,2026-01-01,\n"
                ));
                rows.push_str(&format!("{y}.{x}.kz,malware,,2026-01-01,\n"));
            }
            rows.push_str(&format!("{x}.kz,malware,,2026-01-01,\n"));
            rows.push_str(&format!("{x}.xn--80ao21a,malware,,2026-01-01,\n"));
        }
        let map = list(&rows);
        let fast: Vec<Name> = sorted(&map)
            .into_iter()
            .map(|s| s.domain.to_name())
            .collect();
        let mut slow: Vec<Name> = map.values().map(|s| s.domain.to_name()).collect();
        slow.sort();
        assert_eq!(fast, slow);
        // The iterator and the vector agree.
        let streamed: Vec<Record> = RpzRecords::new(&map, &name("rpz.kz"), notice(), 3).collect();
        assert_eq!(streamed, rpz_records(&map, &name("rpz.kz"), notice(), 3));
        assert_eq!(streamed.len(), 2 + 2 * map.len());
    }

    #[test]
    fn other_actions_and_an_empty_list() {
        let map = list("bad.kz,malware,,2026-01-01,\n");
        let nx = rpz_records(&map, &name("rpz.kz"), RpzTarget::Nxdomain, 1);
        assert_eq!(text_of(&nx)[2], "bad.kz.rpz.kz. 60 CNAME .");
        assert_eq!(
            text_of(&nx)[0].split(' ').nth(4),
            Some("hostmaster.rpz.kz.")
        );
        let addresses = RpzTarget::NoticeAddresses {
            v4: "192.0.2.80".parse().unwrap(),
            v6: "2001:db8::80".parse().unwrap(),
        };
        let local = rpz_records(&map, &name("policy.example"), addresses, 1);
        assert_eq!(
            text_of(&local)[2..],
            [
                "bad.kz.policy.example. 60 A 192.0.2.80",
                "bad.kz.policy.example. 60 AAAA 2001:db8::80",
                "*.bad.kz.policy.example. 60 A 192.0.2.80",
                "*.bad.kz.policy.example. 60 AAAA 2001:db8::80",
            ]
        );
        let empty = rpz_records(&Suspensions::default(), &name("rpz.kz"), notice(), 7);
        assert_eq!(empty.len(), 2);
    }

    #[test]
    fn rname_follows_the_notice_host() {
        let origin = name("rpz.kz");
        let rname = |target| soa_rname(&origin, &target).to_ascii();
        assert_eq!(rname(notice()), "hostmaster.nic.kz.");
        assert_eq!(
            rname(RpzTarget::NoticeHost(name("blocked.gov.kz"))),
            "hostmaster.gov.kz."
        );
        assert_eq!(
            rname(RpzTarget::NoticeHost(name("kz"))),
            "hostmaster.rpz.kz."
        );
        assert_eq!(rname(RpzTarget::Nxdomain), "hostmaster.rpz.kz.");
    }

    #[test]
    fn names_too_long_for_the_origin_are_left_out_and_named() {
        let long = format!("{}.kz", vec!["a".repeat(60); 4].join("."));
        let map = list(&format!(
            "{long},malware,,2026-01-01,\nok.kz,malware,,2026-01-01,\n"
        ));
        let origin = name("rpz.kz");
        assert_eq!(rpz_records(&map, &origin, notice(), 1).len(), 4);
        let text = render_zone(&map, &origin, &notice(), 1, OffsetDateTime::UNIX_EPOCH, "s");
        assert!(
            text.contains(&format!(
                "; LEFT OUT (too long to fit under rpz.kz.): {long} (line 2)"
            )),
            "{text}"
        );
    }

    #[test]
    fn the_length_check_agrees_with_building_the_names() {
        let origin = name("rpz.kz");
        let mut outcomes = BTreeSet::new();
        for n in 230..=250 {
            // A domain of n wire octets: labels of 60, then the rest, under .kz.
            let mut labels = Vec::new();
            let mut left = n - 4; // "\x02kz" and the root
            while left > 0 {
                let len = left.min(61) - 1;
                labels.push("a".repeat(len.max(1)));
                left = left.saturating_sub(len.max(1) + 1);
            }
            let text = format!("{}.kz", labels.join("."));
            let Ok(domain) = normalize(&text) else {
                continue;
            };
            let key = DomainKey::from_name(&domain).unwrap();
            assert_eq!(
                fits(&key, &origin),
                owners(&key, &origin).is_some(),
                "{text}"
            );
            outcomes.insert(fits(&key, &origin));
        }
        assert_eq!(outcomes.len(), 2, "both sides of the limit were tried");
    }

    #[test]
    fn rendered_text_parses_back_to_the_same_records() {
        let map = list(
            "bad.kz,malware,\"CERT, 7\nsecond line\",2026-01-01,\nпример.қаз,court-order,Case 2-1,2026-01-03,\n",
        );
        let origin = name("rpz.kz");
        let generated = OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap();
        for target in [
            notice(),
            RpzTarget::Nxdomain,
            RpzTarget::NoticeAddresses {
                v4: "127.0.0.1".parse().unwrap(),
                v6: "::1".parse().unwrap(),
            },
        ] {
            let text = render_zone(
                &map,
                &origin,
                &target,
                9,
                generated,
                "policy/suspensions.csv",
            );
            let (_, parsed) = Parser::new(text.as_str(), None, None).parse().unwrap();
            let parsed: BTreeSet<String> = text_of(
                &parsed
                    .values()
                    .flat_map(|set| set.records_without_rrsigs().cloned())
                    .collect::<Vec<_>>(),
            )
            .into_iter()
            .collect();
            let built: BTreeSet<String> = text_of(&rpz_records(&map, &origin, target.clone(), 9))
                .into_iter()
                .collect();
            assert_eq!(parsed, built, "{text}");
        }
        let text = render_zone(
            &map,
            &origin,
            &notice(),
            9,
            generated,
            "policy/suspensions.csv",
        );
        assert!(
            text.starts_with("; RPZ policy zone (draft-vixie-dnsop-dns-rpz)"),
            "{text}"
        );
        assert!(
            text.contains(
                "at 2026-05-28T20:26:40Z\n; from policy/suspensions.csv: 2 suspensions, serial 9."
            ),
            "{text}"
        );
        assert!(text.contains("\n; bad.kz: malware, Rules 38/NK p.16(2); since 2026-01-01; reference: CERT, 7 second line\nbad.kz IN CNAME notice.nic.kz.\n*.bad.kz IN CNAME notice.nic.kz.\n"), "{text}");
        assert!(text.contains("\n; xn--e1afmkfd.xn--80ao21a (пример.қаз): court-order, Rules 38/NK p.16(3); since 2026-01-03; reference: Case 2-1\n"), "{text}");
    }

    const RPZ: &str = "\
$TTL 300
$ORIGIN rpz.example.
@ SOA localhost. root.localhost. 1 3600 600 86400 60
@ NS localhost.
bad.kz CNAME .
*.bad.kz CNAME .
Shop.KZ CNAME *.
*.only-below.kz CNAME .
ok.bad.kz CNAME rpz-passthru.
self.kz CNAME self.kz.
tcp.kz CNAME rpz-tcp-only.
drop.kz CNAME rpz-drop.
walled.kz A 192.0.2.1
walled.kz TXT \"local data\"
24.0.2.0.192.rpz-ip CNAME .
ns.evil.com.rpz-nsdname CNAME .
32.1.2.0.192.rpz-nsip CNAME .
32.1.0.0.10.rpz-client-ip CNAME rpz-drop.
example.com CNAME .
* CNAME .
";

    #[test]
    fn import_takes_the_qname_triggers_only() {
        let t = read_triggers(Path::new("f.rpz"), RPZ, None).unwrap();
        assert_eq!(t.origin.to_ascii(), "rpz.example.");
        let domains: Vec<String> = t.domains.iter().map(|d| d.to_ascii()).collect();
        // Every blocking action counts; example.com is taken here and refused later as non-.kz.
        assert_eq!(
            domains,
            [
                "example.com.",
                "bad.kz.",
                "drop.kz.",
                "shop.kz.",
                "walled.kz."
            ]
        );
        let skipped: Vec<(String, Skip)> = t
            .skipped
            .iter()
            .map(|(n, s)| (n.to_ascii(), s.clone()))
            .collect();
        let want = [
            (
                "32.1.0.0.10.rpz-client-ip.rpz.example.",
                Skip::NotQname("rpz-client-ip"),
            ),
            ("24.0.2.0.192.rpz-ip.rpz.example.", Skip::NotQname("rpz-ip")),
            ("ok.bad.kz.rpz.example.", Skip::Passthru),
            ("*.only-below.kz.rpz.example.", Skip::LoneWildcard),
            ("*.rpz.example.", Skip::LoneWildcard),
            ("self.kz.rpz.example.", Skip::Passthru),
            ("tcp.kz.rpz.example.", Skip::TcpOnly),
            (
                "ns.evil.com.rpz-nsdname.rpz.example.",
                Skip::NotQname("rpz-nsdname"),
            ),
            (
                "32.1.2.0.192.rpz-nsip.rpz.example.",
                Skip::NotQname("rpz-nsip"),
            ),
        ];
        let mut got = skipped.clone();
        got.sort();
        let mut want: Vec<(String, Skip)> =
            want.into_iter().map(|(n, s)| (n.to_owned(), s)).collect();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn import_origin_comes_from_the_option_the_soa_or_nowhere() {
        // Absolute names and no $ORIGIN, as named-compilezone writes them.
        let dumped = "rpz.kz. 60 IN SOA localhost. h.nic.kz. 1 2 3 4 5\n\
                      rpz.kz. 60 IN NS localhost.\n\
                      a.kz.rpz.kz. 60 IN CNAME notice.nic.kz.\n\
                      *.a.kz.rpz.kz. 60 IN CNAME notice.nic.kz.\n\
                      stray.kz. 60 IN CNAME .\n";
        let t = read_triggers(Path::new("d"), dumped, None).unwrap();
        assert_eq!(t.origin.to_ascii(), "rpz.kz.");
        assert_eq!(t.domains, [name("a.kz")]);
        assert_eq!(t.skipped, [(name("stray.kz"), Skip::OutsideOrigin)]);
        // An explicit origin wins over the SOA.
        let t = read_triggers(Path::new("d"), dumped, Some(&name("kz"))).unwrap();
        assert_eq!(t.origin.to_ascii(), "kz.");
        // No SOA and no --origin: refused, naming the way out.
        let e = read_triggers(Path::new("d"), "a.kz.rpz.kz. 60 IN CNAME .\n", None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "d: cannot tell the policy zone's origin: the file has 0 SOA records; pass --origin"
        );
        let e = read_triggers(Path::new("d"), "$ORIGIN x.\n@ SOA bad\n", None).unwrap_err();
        assert!(e.to_string().starts_with("d: not a zone file: "), "{e}");
    }

    #[test]
    fn export_then_import_gives_the_same_domains() {
        let map = list(
            "bad.kz,malware,,2026-01-01,\nwww.bad.kz,phishing,,2026-01-01,\nпример.қаз,court-order,,2026-01-03,\n",
        );
        let origin = name("rpz.kz");
        for target in [notice(), RpzTarget::Nxdomain] {
            let text = render_zone(&map, &origin, &target, 1, OffsetDateTime::UNIX_EPOCH, "s");
            let t = read_triggers(Path::new("x"), &text, None).unwrap();
            assert!(t.skipped.is_empty(), "{:?}", t.skipped);
            let got: BTreeSet<Name> = t.domains.into_iter().collect();
            let want: BTreeSet<Name> = map.values().map(|s| s.domain.to_name()).collect();
            assert_eq!(got, want);
        }
    }
}
