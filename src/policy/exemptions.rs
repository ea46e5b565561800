//! `policy/exemptions.csv`: documented DDoS protection (Cloudflare, StormWall, Qrator, ...) that
//! hides a KZ-hosted origin behind foreign addresses. An exemption covers the domain and every
//! name below it until its `expires` date (inclusive); after that it no longer applies.

use std::path::Path;

use time::Date;

use super::{
    csv_file::{self, PolicyFileError},
    domain_map::{DomainMap, Keyed},
};
use crate::names::{DomainKey, normalize};

/// The header of exemptions.csv (architecture.md).
pub const HEADER: [&str; 4] = ["domain", "provider", "document", "expires"];

/// One exemption as filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exemption {
    pub domain: DomainKey,
    /// The protection service (`Cloudflare`, `StormWall`, ...).
    pub provider: Box<str>,
    /// The document filed with the authority (invoice or hosting contract reference).
    pub document: Box<str>,
    /// Last day the exemption applies.
    pub expires: Date,
    /// Line in exemptions.csv, for `kzdns check`.
    pub line: usize,
}

impl Keyed for Exemption {
    fn domain(&self) -> &DomainKey {
        &self.domain
    }
}

impl Exemption {
    pub fn is_valid_on(&self, today: Date) -> bool {
        today <= self.expires
    }
}

/// All exemptions, looked up by the query name.
pub type Exemptions = DomainMap<Exemption>;

/// Parses exemptions.csv; a missing file means no exemptions.
pub fn load(path: &Path) -> Result<Exemptions, PolicyFileError> {
    match csv_file::read_optional(path)? {
        Some(text) => parse(path, &text),
        None => Ok(Exemptions::default()),
    }
}

pub fn parse(path: &Path, text: &str) -> Result<Exemptions, PolicyFileError> {
    let mut map = Exemptions::default();
    csv_file::for_each_row(
        path,
        text,
        &HEADER,
        |line, [domain, provider, document, expires]| {
            let name = normalize(domain).map_err(|e| format!("domain: {e}"))?;
            let domain = DomainKey::from_name(&name).ok_or("domain: too long")?;
            if provider.is_empty() || document.is_empty() {
                return Err(
                    "provider and document are required: an exemption needs its evidence".into(),
                );
            }
            let expires = csv_file::parse_date(expires).map_err(|e| format!("expires: {e}"))?;
            let exemption = Exemption {
                domain,
                provider: provider.into(),
                document: document.into(),
                expires,
                line,
            };
            map.insert(exemption)
                .map_err(|first| format!("{name} is listed twice (first on line {})", first.line))
        },
    )?;
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::WireName;
    use time::macros::date;

    const FILE: &str = "domain,provider,document,expires\nprotected.shop.kz,Cloudflare,INV-2026-0042,2027-06-30\nold.kz,Qrator,contract 7,2025-01-31\n";

    #[test]
    fn loads_and_covers_subdomains_until_expiry() {
        let map = parse(Path::new("exemptions.csv"), FILE).unwrap();
        assert_eq!(map.len(), 2);
        let name = WireName::new(&normalize("www.protected.shop.kz").unwrap()).unwrap();
        let e = map.covering(&name).unwrap();
        assert_eq!(&*e.provider, "Cloudflare");
        assert_eq!(e.line, 2);
        assert!(e.is_valid_on(date!(2027 - 06 - 30)));
        assert!(!e.is_valid_on(date!(2027 - 07 - 01)));
    }

    #[test]
    fn bad_lines_are_named() {
        let bad = FILE.replace("2025-01-31", "someday");
        let e = parse(Path::new("exemptions.csv"), &bad).err().unwrap();
        assert!(
            e.to_string().starts_with("exemptions.csv:3: expires:"),
            "{e}"
        );
        let dup = format!("{FILE}PROTECTED.shop.kz.,X,Y,2030-01-01\n");
        let e = parse(Path::new("exemptions.csv"), &dup).err().unwrap();
        assert!(
            e.to_string().contains(":4:") && e.to_string().contains("line 2"),
            "{e}"
        );
        let e = parse(
            Path::new("x.csv"),
            "domain,provider,document,expires\na.kz,,doc,2030-01-01\n",
        )
        .err()
        .unwrap();
        assert!(e.to_string().starts_with("x.csv:2: provider"), "{e}");
    }
}
