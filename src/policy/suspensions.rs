//! `policy/suspensions.csv`: suspended .KZ / .ҚАЗ domains and the ground of each (Rules No. 38/НҚ,
//! paragraph 16). A suspension covers the domain and every name below it.

use std::{fmt, path::Path, str::FromStr};

use time::Date;

use super::{
    csv_file::{self, PolicyFileError},
    decide::in_ruled_namespace,
    domain_map::{DomainMap, Keyed},
};
use crate::names::{DomainKey, WireName, normalize};

/// The header of suspensions.csv (architecture.md).
pub const HEADER: [&str; 5] = ["domain", "reason", "reference", "since", "note"];

/// The seven grounds of paragraph 16, in the order of its sub-paragraphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    FalseRegistrantData,
    Malware,
    CourtOrder,
    UnresolvedIncident,
    NoCertificate,
    HostingOutsideKz,
    Phishing,
}

impl Reason {
    pub const ALL: [Reason; 7] = [
        Self::FalseRegistrantData,
        Self::Malware,
        Self::CourtOrder,
        Self::UnresolvedIncident,
        Self::NoCertificate,
        Self::HostingOutsideKz,
        Self::Phishing,
    ];

    /// The code written in suspensions.csv (rules.md: use exactly these).
    pub fn code(self) -> &'static str {
        match self {
            Self::FalseRegistrantData => "false-registrant-data",
            Self::Malware => "malware",
            Self::CourtOrder => "court-order",
            Self::UnresolvedIncident => "unresolved-incident",
            Self::NoCertificate => "no-certificate",
            Self::HostingOutsideKz => "hosting-outside-kz",
            Self::Phishing => "phishing",
        }
    }

    /// The sub-paragraph of paragraph 16 (1–7).
    pub fn subparagraph(self) -> u8 {
        Self::ALL
            .iter()
            .position(|r| *r == self)
            .map_or(0, |i| i as u8 + 1)
    }

    /// A one-line English summary of the ground (rules.md).
    pub fn summary(self) -> &'static str {
        match self {
            Self::FalseRegistrantData => {
                "inaccurate registrant information in the registration application"
            }
            Self::Malware => {
                "malicious software threatening safe use of the Internet found on the resource"
            }
            Self::CourtOrder => "a court decision in legal force orders the suspension",
            Self::UnresolvedIncident => {
                "an information-security incident not eliminated after notice"
            }
            Self::NoCertificate => "the resource has no security (TLS) certificate",
            Self::HostingOutsideKz => "the resource is hosted outside the territory of Kazakhstan",
            Self::Phishing => "phishing found on the resource",
        }
    }

    /// The valid codes, for error messages.
    pub fn codes() -> String {
        Self::ALL.map(Self::code).join(", ")
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Reason {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| format!("unknown reason {s:?}; valid reasons: {}", Self::codes()))
    }
}

/// One suspension as filed. Compact (a million of them must fit in well under 200 MB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspension {
    /// Normalised: punycode, lower case, absolute.
    pub domain: DomainKey,
    pub reason: Reason,
    /// The decision or case it rests on (court decision number, CERT ticket, ...); may be empty.
    pub reference: Box<str>,
    pub since: Date,
    /// Free text from the operator (shown, escaped, on the notice page); may be empty.
    pub note: Box<str>,
    /// Line in suspensions.csv.
    pub line: usize,
}

impl Keyed for Suspension {
    fn domain(&self) -> &DomainKey {
        &self.domain
    }
}

impl Suspension {
    /// The citation used in EDE text and logs: `Rules 38/NK p.16(3) court-order`.
    pub fn citation(&self) -> String {
        format!(
            "Rules 38/NK p.16({}) {}",
            self.reason.subparagraph(),
            self.reason
        )
    }
}

/// All suspensions, looked up by the query name (most specific entry wins).
pub type Suspensions = DomainMap<Suspension>;

/// Parses suspensions.csv; a missing file means no suspensions.
pub fn load(path: &Path) -> Result<Suspensions, PolicyFileError> {
    match csv_file::read_optional(path)? {
        Some(text) => parse(path, &text),
        None => Ok(Suspensions::default()),
    }
}

/// Validates one row's fields into a suspension (shared with the CLI, which validates edits).
pub fn from_fields(fields: [&str; 5], line: usize) -> Result<Suspension, String> {
    let [domain, reason, reference, since, note] = fields;
    let name = normalize(domain).map_err(|e| format!("domain: {e}"))?;
    let wire = WireName::new(&name).ok_or("domain: too long")?;
    if !in_ruled_namespace(&wire) || wire.num_labels() < 2 {
        return Err(format!(
            "domain: {name} is not a domain under .kz or .қаз (xn--80ao21a)"
        ));
    }
    let reason = reason
        .parse::<Reason>()
        .map_err(|e| format!("reason: {e}"))?;
    let since = csv_file::parse_date(since).map_err(|e| format!("since: {e}"))?;
    Ok(Suspension {
        domain: DomainKey::from_name(&name).ok_or("domain: too long")?,
        reason,
        reference: reference.into(),
        since,
        note: note.into(),
        line,
    })
}

pub fn parse(path: &Path, text: &str) -> Result<Suspensions, PolicyFileError> {
    // One line per entry, near enough: reserving up front avoids rehashing a million entries.
    let mut map = Suspensions::with_capacity(text.len() / 48);
    csv_file::for_each_row(path, text, &HEADER, |line, fields| {
        let suspension = from_fields(fields, line)?;
        map.insert(suspension).map_err(|first| {
            format!(
                "{} is already suspended on line {}",
                first.domain, first.line
            )
        })
    })?;
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# suspended domains\ndomain,reason,reference,since,note\n\
        Bad.KZ.,malware,CERT-2026-117,2026-11-02,\"drive-by, see ticket\"\n\
        пример.қаз,court-order,Case 2-1234/2026,2026-10-01,\n";

    #[test]
    fn loads_normalised_domains_with_their_grounds() {
        let map = parse(Path::new("suspensions.csv"), FILE).unwrap();
        assert_eq!(map.len(), 2);
        let at = |s: &str| map.covering(&WireName::new(&normalize(s).unwrap()).unwrap());
        let bad = at("www.bad.kz").unwrap();
        assert_eq!(bad.domain.to_ascii(), "bad.kz.");
        assert_eq!(&*bad.reference, "CERT-2026-117");
        assert_eq!(bad.reason, Reason::Malware);
        assert_eq!(bad.reason.subparagraph(), 2);
        assert_eq!(&*bad.note, "drive-by, see ticket");
        assert_eq!(bad.line, 3);
        assert_eq!(bad.citation(), "Rules 38/NK p.16(2) malware");
        let idn = at("xn--e1afmkfd.xn--80ao21a").unwrap();
        assert_eq!(idn.reason, Reason::CourtOrder);
        assert!(at("good.kz").is_none());
    }

    #[test]
    fn every_code_round_trips_in_order() {
        for (i, reason) in Reason::ALL.iter().enumerate() {
            assert_eq!(reason.code().parse::<Reason>().unwrap(), *reason);
            assert_eq!(usize::from(reason.subparagraph()), i + 1);
        }
        assert_eq!(Reason::HostingOutsideKz.subparagraph(), 6);
    }

    #[test]
    fn errors_name_file_line_and_problem() {
        let check = |text: &str, want: &str| {
            let e = parse(Path::new("s.csv"), text).err().unwrap().to_string();
            assert!(e.contains(want), "{e} should contain {want}");
        };
        let head = "domain,reason,reference,since,note\n";
        check(
            &format!("{head}a.kz,spam,,2026-01-01,\n"),
            "s.csv:2: reason: unknown reason \"spam\"; valid reasons: false-registrant-data, malware",
        );
        check(
            &format!("{head}a.kz,malware,,yesterday,\n"),
            "s.csv:2: since:",
        );
        check(
            &format!("{head}example.com,malware,,2026-01-01,\n"),
            "s.csv:2: domain: example.com. is not a domain under .kz",
        );
        check(
            &format!("{head}kz,malware,,2026-01-01,\n"),
            "s.csv:2: domain",
        );
        check(
            &format!("{head}a.kz,malware,,2026-01-01,\n# x\nA.kz.,phishing,,2026-01-02,\n"),
            "s.csv:4: a.kz. is already suspended on line 2",
        );
        check(
            &format!("{head}a.kz,malware,2026-01-01\n"),
            "s.csv:2: 3 fields",
        );
    }
}
