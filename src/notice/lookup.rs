//! Why a host is here: the suspension covering it, or the hosting violation for which the DNS
//! side would send it here, judged by the same code the DNS handler runs.

use std::net::IpAddr;

use hickory_proto::rr::{Name, RecordType};
use time::Date;

use crate::{
    enforce::{Action, NoticeTargets},
    names::{WireName, normalize},
    policy::{Exemption, Policy, Suspension, Verdict},
    respond::{Decision, respond},
    zones::ZoneSet,
};

/// What the notice page has to say about a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The host, or a domain above it, is suspended.
    Suspended {
        /// The name the browser asked for (normalised).
        host: Name,
        suspension: Suspension,
    },
    /// The host's address records break the hosting rule and the DNS side answers them with
    /// the notice page's address.
    Hosting {
        host: Name,
        /// The addresses found outside Kazakhstan, A then AAAA, without repeats.
        foreign: Vec<IpAddr>,
        /// A DDoS-protection exemption that would have covered them but has run out.
        expired: Option<Exemption>,
    },
    /// Neither: the page has nothing to say (404).
    NotHere,
}

/// The host name in a `Host` header (or URI authority): port stripped, case folded, Unicode or
/// punycode. `None` for an IP literal (`127.0.0.1:8080`, `[::1]:8080`) or anything that is not a
/// domain name.
pub fn host_name(raw: &str) -> Option<Name> {
    let raw = raw.trim();
    if raw.starts_with('[') {
        // An IPv6 literal, with or without a port: not a domain.
        return None;
    }
    let host = match raw.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some(_) => return None,
        None => raw,
    };
    if host.is_empty() || host.parse::<IpAddr>().is_ok() {
        return None;
    }
    normalize(host).ok()
}

/// The name asked about in a query string, `?domain=NAME` (percent-encoded UTF-8 or punycode):
/// how people reach the notice through the notice server's own name
/// (`https://notice.nic.kz/?domain=suspended.kz`), where the `Host` has nothing to say.
pub fn queried_name(query: &str) -> Option<Name> {
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("domain="))?;
    host_name(&percent_decode(value)?)
}

/// `application/x-www-form-urlencoded` decoding of one value; `None` if it is not UTF-8.
fn percent_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// What to show for `host` under the current snapshots. `notice` is the configured notice
/// address (the rewrite the DNS side would make); `today` dates exemptions.
pub fn find(
    host: &Name,
    policy: &Policy,
    zones: &ZoneSet,
    notice: NoticeTargets,
    today: Date,
) -> Finding {
    let Some(wire) = WireName::new(host) else {
        return Finding::NotHere;
    };
    if let Some(suspension) = policy.suspensions.covering(&wire) {
        return Finding::Suspended {
            host: host.clone(),
            suspension: suspension.clone(),
        };
    }
    let mut foreign = Vec::new();
    let mut expired = None;
    let mut redirected = false;
    for qtype in [RecordType::A, RecordType::AAAA] {
        // Exactly what the DNS side answers (zone modes, filter, exemptions, DNS/mail hosts).
        let outcome = respond(zones, policy, host, qtype, notice, today);
        let Decision::Hosting(Verdict::Violation {
            foreign: found,
            expired: lapsed,
        }) = &outcome.decision
        else {
            continue;
        };
        if outcome.action != Action::Notice {
            continue;
        }
        redirected = true;
        for ip in found {
            if !foreign.contains(ip) {
                foreign.push(*ip);
            }
        }
        expired = expired.or_else(|| lapsed.cloned());
    }
    if redirected {
        Finding::Hosting {
            host: host.clone(),
            foreign,
            expired,
        }
    } else {
        Finding::NotHere
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_headers_as_browsers_send_them() {
        let ascii = |s: &str| host_name(s).map(|n| n.to_ascii());
        assert_eq!(ascii("Bad.KZ"), Some("bad.kz.".into()));
        assert_eq!(ascii("bad.kz:8080"), Some("bad.kz.".into()));
        assert_eq!(ascii("bad.kz."), Some("bad.kz.".into()));
        assert_eq!(
            ascii("пример.ҚАЗ:80"),
            Some("xn--e1afmkfd.xn--80ao21a.".into())
        );
        assert_eq!(
            ascii("XN--E1AFMKFD.xn--80ao21a"),
            Some("xn--e1afmkfd.xn--80ao21a.".into())
        );
        let queried = |q: &str| queried_name(q).map(|n| n.to_ascii());
        assert_eq!(queried("domain=Bad.KZ"), Some("bad.kz.".into()));
        assert_eq!(
            queried("lang=ru&domain=%D0%BF%D1%80%D0%B8%D0%BC%D0%B5%D1%80.%D2%9B%D0%B0%D0%B7"),
            Some("xn--e1afmkfd.xn--80ao21a.".into())
        );
        assert_eq!(queried("domain=%ZZ.kz"), None);
        assert_eq!(queried("domain=%FF.kz"), None);
        assert_eq!(queried("domain=a.kz%"), None);
        assert_eq!(queried("name=bad.kz"), None);
        for not_a_name in [
            "[::1]:8080",
            "[::1]",
            "127.0.0.1",
            "127.0.0.1:8080",
            "",
            ":80",
            "a.kz:x",
        ] {
            assert_eq!(ascii(not_a_name), None, "{not_a_name}");
        }
    }
}
