//! Line parsers for the allowlist file formats. Every line is either used, a comment or blank, a
//! line the format itself says to skip (RIR version and summary lines, other countries' records),
//! or an error naming the file, the line and the problem.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::{AllowlistBuilder, AllowlistError, SourceId, SourceKind};

/// Parses a whole file of `kind` into `b`, attributing each record to `id` and its 1-based line.
pub(super) fn parse(
    b: &mut AllowlistBuilder,
    id: SourceId,
    kind: SourceKind,
    text: &[u8],
) -> Result<(), AllowlistError> {
    for (i, raw) in text.split(|&c| c == b'\n').enumerate() {
        let line = i + 1;
        let Ok(raw) = std::str::from_utf8(raw) else {
            return Err(b.error(id, line, "invalid UTF-8"));
        };
        let content = raw.split_once('#').map_or(raw, |(before, _)| before).trim();
        if content.is_empty() {
            continue;
        }
        match kind {
            SourceKind::Delegated => delegated(b, id, line, content)?,
            SourceKind::Registered | SourceKind::Operator => {
                let mut tokens = content.split_whitespace();
                let prefix = tokens.next().unwrap_or_default();
                if let Some(extra) = tokens.next() {
                    let msg = format!("unexpected {extra:?} after the prefix (one prefix a line)");
                    return Err(b.error(id, line, msg));
                }
                let net = parse_prefix(prefix).map_err(|m| b.error(id, line, m))?;
                if kind == SourceKind::Operator {
                    b.add_operator(id, line, net)?;
                } else {
                    b.add_registered(id, line, net)?;
                }
            }
            SourceKind::Asn => {
                let token = content.split_whitespace().next().unwrap_or_default();
                let asn = parse_asn(token).map_err(|m| b.error(id, line, m))?;
                b.add_kz_asns(id, line, asn, 1)?;
            }
            SourceKind::Routing => {
                let (net, origins) = pfx2as(content).map_err(|m| b.error(id, line, m))?;
                b.add_route(id, line, net, &origins)?;
            }
        }
    }
    Ok(())
}

/// A prefix `addr/len`, or a bare address meaning one host. Host bits are checked by the builder.
fn parse_prefix(token: &str) -> Result<IpNet, String> {
    let parsed = if token.contains('/') {
        token.parse::<IpNet>().ok()
    } else {
        token.parse::<IpAddr>().ok().map(IpNet::from)
    };
    parsed.ok_or_else(|| format!("invalid prefix {token:?}"))
}

/// A plain decimal ASN (asplain), 1 ..= 4294967295.
fn parse_asn_digits(token: &str) -> Result<u32, String> {
    if token.is_empty() || !token.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("invalid ASN {token:?}"));
    }
    match token.parse::<u32>() {
        Ok(0) => Err("ASN 0 is reserved and cannot be registered or originate routes".to_owned()),
        Ok(asn) => Ok(asn),
        Err(_) => Err(format!(
            "ASN {token} is out of range (largest is 4294967295)"
        )),
    }
}

/// An ASN as `9198` or `AS9198` (any case).
fn parse_asn(token: &str) -> Result<u32, String> {
    let digits = match (token.get(..2), token.get(2..)) {
        (Some(prefix), Some(rest)) if prefix.eq_ignore_ascii_case("as") => rest,
        _ => token,
    };
    parse_asn_digits(digits).map_err(|m| {
        if digits.len() == token.len() {
            m
        } else {
            format!("invalid ASN {token:?}: {m}")
        }
    })
}

/// A count of addresses or ASNs in a delegated record: decimal, at least 1.
fn parse_count(token: &str, what: &str) -> Result<u64, String> {
    match token.parse::<u64>() {
        Ok(n) if n > 0 && token.bytes().all(|c| c.is_ascii_digit()) => Ok(n),
        _ => Err(format!("invalid {what} count {token:?}")),
    }
}

/// One CAIDA pfx2as line: `address<TAB>length<TAB>origins`.
fn pfx2as(content: &str) -> Result<(IpNet, Vec<u32>), String> {
    let mut fields = content.split_whitespace();
    let (Some(addr), Some(len), Some(origins), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(format!(
            "expected 3 fields (address, prefix length, origin AS), found {}",
            content.split_whitespace().count()
        ));
    };
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| format!("invalid address {addr:?}"))?;
    let net = len
        .parse::<u8>()
        .ok()
        .filter(|_| len.bytes().all(|c| c.is_ascii_digit()))
        .and_then(|l| IpNet::new(addr, l).ok())
        .ok_or_else(|| format!("invalid prefix length {len:?} for {addr}"))?;
    Ok((net, parse_origins(origins)?))
}

/// The origin field: `a`, multi-origin `a_b` or `a,b`, and CAIDA AS sets `{a,b}` (also `a_{b,c}`).
/// Every member of an AS set is taken as a possible origin: the route is KZ only if all of them are.
fn parse_origins(field: &str) -> Result<Vec<u32>, String> {
    let mut out = Vec::new();
    for part in field.split('_') {
        let members = match part.strip_prefix('{') {
            Some(rest) => rest
                .strip_suffix('}')
                .ok_or_else(|| format!("invalid origin {field:?}: AS set without closing brace"))?,
            None => part,
        };
        for token in members.split(',') {
            out.push(
                parse_asn_digits(token).map_err(|m| format!("invalid origin {field:?}: {m}"))?,
            );
        }
    }
    Ok(out)
}

/// One delegated(-extended) line: `registry|cc|type|start|value|date|status[|opaque-id|...]`.
fn delegated(
    b: &mut AllowlistBuilder,
    id: SourceId,
    line: usize,
    content: &str,
) -> Result<(), AllowlistError> {
    let fields: Vec<&str> = content.split('|').collect();
    let err = |b: &AllowlistBuilder, msg: String| b.error(id, line, msg);
    // The version line starts with the format version; summary lines have "*" as cc and start.
    if content.starts_with(|c: char| c.is_ascii_digit())
        || (fields.len() >= 6 && fields[1] == "*" && fields[5] == "summary")
    {
        return Ok(());
    }
    let &[_registry, cc, kind, start, value, _date, status, ..] = fields.as_slice() else {
        let msg = format!(
            "expected at least 7 \"|\"-separated fields (registry|cc|type|start|value|date|status), found {}",
            fields.len()
        );
        return Err(err(b, msg));
    };
    let registered = match status {
        "allocated" | "assigned" => true,
        "available" | "reserved" => false,
        other => return Err(err(b, format!("unknown status {other:?}"))),
    };
    let keep = registered && cc.eq_ignore_ascii_case("KZ");
    match kind {
        "ipv4" => {
            let first: Ipv4Addr = start
                .parse()
                .map_err(|_| err(b, format!("invalid IPv4 address {start:?}")))?;
            let count = parse_count(value, "address").map_err(|m| err(b, m))?;
            let first = u64::from(u32::from(first));
            if first + count > 1 << 32 {
                return Err(err(
                    b,
                    format!("{count} addresses from {start} run past 255.255.255.255"),
                ));
            }
            if keep {
                for net in split_v4(first, count) {
                    b.add_registered(id, line, IpNet::V4(net))?;
                }
            }
        }
        "ipv6" => {
            let addr: Ipv6Addr = start
                .parse()
                .map_err(|_| err(b, format!("invalid IPv6 address {start:?}")))?;
            let net = value
                .parse::<u8>()
                .ok()
                .and_then(|len| Ipv6Net::new(addr, len).ok())
                .ok_or_else(|| err(b, format!("invalid IPv6 prefix length {value:?}")))?;
            if net.trunc() != net {
                let msg = format!("host bits set in {net} (the block is {})", net.trunc());
                return Err(err(b, msg));
            }
            if keep {
                b.add_registered(id, line, IpNet::V6(net))?;
            }
        }
        "asn" => {
            let first = parse_asn_digits(start).map_err(|m| err(b, m))?;
            let count = parse_count(value, "ASN").map_err(|m| err(b, m))?;
            let count = u32::try_from(count)
                .ok()
                .filter(|&c| first.checked_add(c - 1).is_some())
                .ok_or_else(|| err(b, format!("{count} ASNs from {first} run past 4294967295")))?;
            if keep {
                b.add_kz_asns(id, line, first, count)?;
            }
        }
        other => {
            return Err(err(
                b,
                format!("unknown record type {other:?} (expected ipv4, ipv6 or asn)"),
            ));
        }
    }
    Ok(())
}

/// Splits `count` addresses from `first` (both within IPv4 space) into the fewest CIDR blocks:
/// RIRs record IPv4 blocks as counts, which need not be powers of two nor aligned.
fn split_v4(first: u64, count: u64) -> impl Iterator<Item = Ipv4Net> {
    let end = first + count;
    let mut start = first;
    std::iter::from_fn(move || {
        if start >= end {
            return None;
        }
        let aligned = start.trailing_zeros().min(32);
        let fits = 63 - (end - start).leading_zeros();
        let host_bits = aligned.min(fits);
        // host_bits <= 32, so the prefix length is valid.
        let net = Ipv4Net::new_assert(Ipv4Addr::from(start as u32), (32 - host_bits) as u8);
        start += 1 << host_bits;
        Some(net)
    })
}

#[cfg(test)]
mod tests {
    use super::super::Allowlist;
    use super::*;

    /// Parses `text` as a file `kind` named `label` and returns the error's display text.
    fn error(kind: SourceKind, label: &str, text: &str) -> String {
        match Allowlist::builder().add_text(kind, label, text) {
            Ok(_) => panic!("{label}: expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn v4(s: &str) -> Ipv4Net {
        s.parse().expect("test prefix")
    }

    #[test]
    fn split_v4_handles_counts_that_are_not_powers_of_two() {
        let split = |first: &str, count: u64| -> Vec<Ipv4Net> {
            let first = u64::from(u32::from(first.parse::<Ipv4Addr>().expect("test address")));
            split_v4(first, count).collect()
        };
        assert_eq!(
            split("10.0.0.0", 768),
            [v4("10.0.0.0/23"), v4("10.0.2.0/24")]
        );
        assert_eq!(
            split("10.0.1.0", 512),
            [v4("10.0.1.0/24"), v4("10.0.2.0/24")]
        );
        assert_eq!(split("10.0.0.0", 1024), [v4("10.0.0.0/22")]);
        assert_eq!(
            split("192.168.0.3", 6),
            [
                v4("192.168.0.3/32"),
                v4("192.168.0.4/30"),
                v4("192.168.0.8/32")
            ]
        );
        assert_eq!(split("0.0.0.0", 1 << 32), [v4("0.0.0.0/0")]);
        assert_eq!(split("255.255.255.255", 1), [v4("255.255.255.255/32")]);
    }

    #[test]
    fn origins_accept_moas_and_as_sets() {
        assert_eq!(parse_origins("9198"), Ok(vec![9198]));
        assert_eq!(parse_origins("48716_262287"), Ok(vec![48716, 262287]));
        assert_eq!(parse_origins("1,2"), Ok(vec![1, 2]));
        assert_eq!(parse_origins("{1,2}"), Ok(vec![1, 2]));
        assert_eq!(parse_origins("7_{1,2}"), Ok(vec![7, 1, 2]));
        for bad in [
            "", "12_", "_12", "{1,2", "1,2}", "{}", "AS12", "1.5", "-3", "+3", "0",
        ] {
            assert!(parse_origins(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn asn_forms() {
        assert_eq!(parse_asn("9198"), Ok(9198));
        assert_eq!(parse_asn("AS9198"), Ok(9198));
        assert_eq!(parse_asn("as4294967295"), Ok(u32::MAX));
        assert_eq!(
            parse_asn("ASx").unwrap_err(),
            r#"invalid ASN "ASx": invalid ASN "x""#
        );
        assert_eq!(parse_asn("Ж1").unwrap_err(), r#"invalid ASN "Ж1""#);
        assert!(
            parse_asn("4294967296")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(parse_asn("AS0").unwrap_err().contains("ASN 0 is reserved"));
    }

    #[test]
    fn cidr_errors_name_file_and_line() {
        let f = "policy/allowlist/x.cidr";
        assert_eq!(
            error(SourceKind::Operator, f, "# c\n10.0.0.0/8\n\n1.2.3/33\n"),
            r#"policy/allowlist/x.cidr:4: invalid prefix "1.2.3/33""#
        );
        assert_eq!(
            error(SourceKind::Operator, f, "1.2.3.4/33"),
            r#"policy/allowlist/x.cidr:1: invalid prefix "1.2.3.4/33""#
        );
        assert_eq!(
            error(
                SourceKind::Registered,
                "registered-a.cidr",
                "10.0.0.0/8\n10.0.0.1/8 # typo\n"
            ),
            "registered-a.cidr:2: host bits set in 10.0.0.1/8 (the block is 10.0.0.0/8)"
        );
        assert_eq!(
            error(SourceKind::Operator, f, "2001:db8::1/32"),
            "policy/allowlist/x.cidr:1: host bits set in 2001:db8::1/32 (the block is 2001:db8::/32)"
        );
        assert_eq!(
            error(
                SourceKind::Registered,
                "registered-a.cidr",
                "10.0.0.0/8 AS9198"
            ),
            r#"registered-a.cidr:1: unexpected "AS9198" after the prefix (one prefix a line)"#
        );
        assert_eq!(
            error(SourceKind::Operator, f, "10.0.0.0/8\n\u{feff}\n"),
            r#"policy/allowlist/x.cidr:2: invalid prefix "\u{feff}""#
        );
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let mut b = Allowlist::builder();
        let id = b.source(SourceKind::Operator, "ops.cidr");
        let e = parse(
            &mut b,
            id,
            SourceKind::Operator,
            b"10.0.0.0/8\n\xff\xfe/8\n",
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "ops.cidr:2: invalid UTF-8");
    }

    #[test]
    fn asn_file_errors() {
        assert_eq!(
            error(SourceKind::Asn, "kz.asn", "AS9198\tKazakhtelecom\nASx\n"),
            r#"kz.asn:2: invalid ASN "ASx": invalid ASN "x""#
        );
        assert_eq!(
            error(SourceKind::Asn, "kz.asn", "9198x name"),
            r#"kz.asn:1: invalid ASN "9198x""#
        );
        assert_eq!(
            error(SourceKind::Asn, "kz.asn", "\n\n4294967296"),
            "kz.asn:3: ASN 4294967296 is out of range (largest is 4294967295)"
        );
        assert_eq!(
            error(SourceKind::Asn, "kz.asn", "0"),
            "kz.asn:1: ASN 0 is reserved and cannot be registered or originate routes"
        );
    }

    #[test]
    fn pfx2as_errors() {
        let cases = [
            (
                "2.57.96.0\t24",
                "expected 3 fields (address, prefix length, origin AS), found 2",
            ),
            (
                "2.57.96.0/24\t41798",
                "expected 3 fields (address, prefix length, origin AS), found 2",
            ),
            (
                "2.57.96.0\t24\t41798\tx",
                "expected 3 fields (address, prefix length, origin AS), found 4",
            ),
            ("2.57.96\t24\t41798", r#"invalid address "2.57.96""#),
            (
                "2.57.96.0\t33\t41798",
                r#"invalid prefix length "33" for 2.57.96.0"#,
            ),
            (
                "2001:db8::\t129\t1",
                r#"invalid prefix length "129" for 2001:db8::"#,
            ),
            (
                "2.57.96.0\t+24\t41798",
                r#"invalid prefix length "+24" for 2.57.96.0"#,
            ),
            (
                "2.57.97.0\t23\t41798",
                "host bits set in 2.57.97.0/23 (the block is 2.57.96.0/23)",
            ),
            (
                "2.57.96.0\t24\t41798_",
                r#"invalid origin "41798_": invalid ASN """#,
            ),
            (
                "2.57.96.0\t24\t{1,2",
                r#"invalid origin "{1,2": AS set without closing brace"#,
            ),
            (
                "2.57.96.0\t24\tAS1",
                r#"invalid origin "AS1": invalid ASN "AS1""#,
            ),
            (
                "2.57.96.0\t24\t0",
                r#"invalid origin "0": ASN 0 is reserved and cannot be registered or originate routes"#,
            ),
        ];
        for (text, want) in cases {
            let got = error(
                SourceKind::Routing,
                "r.pfx2as",
                &format!("# header\n{text}\n"),
            );
            assert_eq!(got, format!("r.pfx2as:2: {want}"));
        }
    }

    #[test]
    fn delegated_errors() {
        let f = "delegated-x.txt";
        let head = "2|ripencc|1|3|19830705|20181013|+0200\nripencc|*|ipv4|*|2|summary\n";
        let cases = [
            (
                "ripencc|KZ|ipv4|2.72.0.0|524288",
                "expected at least 7 \"|\"-separated fields (registry|cc|type|start|value|date|status), found 5",
            ),
            (
                "ripencc|KZ|ipv5|2.72.0.0|524288|20100603|allocated",
                r#"unknown record type "ipv5" (expected ipv4, ipv6 or asn)"#,
            ),
            (
                "ripencc|KZ|ipv4|2.72.0|524288|20100603|allocated",
                r#"invalid IPv4 address "2.72.0""#,
            ),
            (
                "ripencc|KZ|ipv4|2.72.0.0|0|20100603|allocated",
                r#"invalid address count "0""#,
            ),
            (
                "ripencc|KZ|ipv4|2.72.0.0|-1|20100603|allocated",
                r#"invalid address count "-1""#,
            ),
            (
                "ripencc|KZ|ipv4|255.255.255.0|512|20100603|allocated",
                "512 addresses from 255.255.255.0 run past 255.255.255.255",
            ),
            (
                "ripencc|KZ|ipv6|2a00:12f8::|129|20100603|allocated",
                r#"invalid IPv6 prefix length "129""#,
            ),
            (
                "ripencc|KZ|ipv6|2a00:12f8::1|32|20100603|allocated",
                "host bits set in 2a00:12f8::1/32 (the block is 2a00:12f8::/32)",
            ),
            (
                "ripencc|KZ|asn|AS9198|1|20100603|allocated",
                r#"invalid ASN "AS9198""#,
            ),
            (
                "ripencc|KZ|asn|4294967295|2|20100603|allocated",
                "2 ASNs from 4294967295 run past 4294967295",
            ),
            (
                "ripencc|KZ|asn|9198|1|20100603|sold",
                r#"unknown status "sold""#,
            ),
            // Records of other countries are checked too: a corrupt file is not silently half-read.
            (
                "ripencc|DE|ipv4|1.2.3.4.5|256|20100603|allocated",
                r#"invalid IPv4 address "1.2.3.4.5""#,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(
                error(SourceKind::Delegated, f, &format!("{head}{text}\n")),
                format!("{f}:3: {want}")
            );
        }
    }

    #[test]
    fn delegated_keeps_only_registered_kz_records() {
        let text = "\
2|ripencc|1539467999|189189|19830705|20181013|+0200
ripencc|*|ipv4|*|2|summary
ripencc|*|asn|*|1|summary
ripencc|KZ|ipv4|10.0.0.0|768|20100603|allocated|x
ripencc|kz|ipv6|2001:db8::|32|20100603|assigned|x
ripencc|DE|ipv4|10.1.0.0|256|20100603|allocated|y
ripencc||ipv4|10.2.0.0|256||available
ripencc|ZZ|ipv4|10.3.0.0|256||reserved
ripencc|KZ|asn|64500|2|20100603|allocated|x
ripencc|RU|asn|64600|1|20100603|allocated|y
ripencc|KZ|ipv4|10.4.0.0|256|20100603|allocated
";
        let mut b = Allowlist::builder();
        b.add_text(SourceKind::Delegated, "delegated-test", text)
            .expect("valid file");
        let a = b.build();
        let s = a.stats();
        assert_eq!((s.registered_prefixes.v4, s.registered_prefixes.v6), (3, 1));
        assert_eq!(s.kz_asns, 2);
        assert_eq!(s.files.delegated, 1);
        let ip = |s: &str| s.parse::<IpAddr>().expect("test address");
        for (addr, want) in [
            ("10.0.0.0", true),
            ("10.0.2.255", true),
            ("10.0.3.0", false),
            ("10.1.0.1", false),
            ("10.2.0.1", false),
            ("10.3.0.1", false),
            ("10.4.0.1", true),
            ("2001:db8:ffff::1", true),
        ] {
            assert_eq!(a.is_kz(ip(addr)), want, "{addr}");
        }
        let e = a.explain(ip("10.0.2.7"));
        assert_eq!(e.registered.len(), 1);
        assert_eq!(e.registered[0].prefix.to_string(), "10.0.2.0/24");
        assert_eq!(e.registered[0].source.to_string(), "delegated-test:4");
    }
}
