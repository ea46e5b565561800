//! The hosting rule on the wire: every case of `tests/data/policy-zones/host.kz.zone`, in each of
//! the four modes, asserted on rcode, records and the Extended DNS Error a client receives. The
//! allowlist is the real shipped data (policy/allowlist/), plus a test operator addition.

use hickory_proto::{
    op::{Message, ResponseCode},
    rr::RecordType,
};

use crate::support::*;

const EXEMPTIONS: &str = "domain,provider,document,expires\n\
    guarded.host.kz,Cloudflare,INV-2026-0042,2099-12-31\n\
    lapsed.host.kz,Qrator,contract 17,2020-01-31\n";

fn start(mode: &str) -> TestServer {
    Setup::new()
        .zones(&data("policy-zones"))
        .mode(mode)
        .exemptions(EXEMPTIONS)
        .allowlist_file("ops.cidr", "# test operator addition\n192.0.2.77/32\n")
        .start()
}

fn query(server: &TestServer, qname: &str, qtype: RecordType) -> Message {
    udp_exchange(server.addr, &query_message(qname, qtype, Some(1232)))
}

/// Asserts an unchanged, EDE-free answer with exactly these address / CNAME rdatas.
fn assert_untouched(server: &TestServer, qname: &str, qtype: RecordType, rdatas: &[&str]) {
    let reply = query(server, qname, qtype);
    assert_eq!(
        reply.metadata.response_code,
        ResponseCode::NoError,
        "{qname} {qtype}"
    );
    let mut got: Vec<String> = reply.answers.iter().map(|r| r.data.to_string()).collect();
    got.sort();
    let mut want: Vec<String> = rdatas.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want, "{qname} {qtype}");
    assert!(
        edes(&reply).is_empty(),
        "{qname} {qtype}: no EDE on an unchanged answer"
    );
}

/// Asserts the policy's EDE: code 16, the ground, the offending addresses and the action.
fn assert_ede(reply: &Message, offending: &[&str], action: &str) {
    let edes = edes(reply);
    assert_eq!(edes.len(), 1, "{edes:?}");
    let (code, text) = &edes[0];
    assert_eq!(*code, 16, "{text}");
    assert!(text.contains("p.16(6) hosting-outside-kz"), "{text}");
    for ip in offending {
        assert!(text.contains(ip), "{text} names {ip}");
    }
    assert!(text.ends_with(&format!("action: {action}")), "{text}");
}

/// The cases every mode passes untouched.
fn compliant_and_exempt_cases(server: &TestServer) {
    assert_untouched(server, "host.kz.", RecordType::A, &["80.241.1.10"]);
    assert_untouched(server, "host.kz.", RecordType::AAAA, &["2a01:7640::10"]);
    assert_untouched(
        server,
        "www.host.kz.",
        RecordType::A,
        &["host.kz.", "80.241.1.10"],
    );
    // DNS and mail: the types, and the hosts they name.
    assert_untouched(server, "host.kz.", RecordType::MX, &["10 mail.host.kz."]);
    assert_untouched(server, "mail.host.kz.", RecordType::A, &["203.0.113.25"]);
    assert_untouched(server, "ns.host.kz.", RecordType::A, &["198.51.100.53"]);
    let txt = query(server, "host.kz.", RecordType::TXT);
    assert_eq!(txt.answers.len(), 1);
    assert!(edes(&txt).is_empty());
    // Documented DDoS protection, unexpired.
    assert_untouched(server, "guarded.host.kz.", RecordType::A, &["104.16.1.1"]);
    // An operator addition makes a foreign-looking address Kazakh.
    assert_untouched(server, "ops.host.kz.", RecordType::A, &["192.0.2.77"]);
    // A chain that leaves our zones cannot be judged without a resolver: passed, and logged.
    assert_untouched(
        server,
        "ext.host.kz.",
        RecordType::A,
        &["host.example.com."],
    );
    assert!(server.logged("not judged"), "{}", server.log());
}

/// Every violating name of the fixture, its query type and the addresses at fault.
const VIOLATIONS: &[(&str, RecordType, &[&str])] = &[
    ("foreign.host.kz.", RecordType::A, &["203.0.113.5"]),
    ("foreign6.host.kz.", RecordType::AAAA, &["2001:db8::5"]),
    ("mixed.host.kz.", RecordType::A, &["203.0.113.20"]),
    ("cdn.host.kz.", RecordType::A, &["198.51.100.7"]),
    ("lapsed.host.kz.", RecordType::A, &["104.16.1.2"]),
    ("amazon.host.kz.", RecordType::A, &["31.223.192.10"]),
    ("abroad.kz.", RecordType::A, &["203.0.113.9"]),
];

#[test]
fn audit_mode_answers_unchanged_and_logs() {
    let server = start("audit");
    compliant_and_exempt_cases(&server);
    for (qname, qtype, offending) in VIOLATIONS {
        let reply = query(&server, qname, *qtype);
        assert_eq!(reply.metadata.response_code, ResponseCode::NoError);
        let addresses = rdata_of(&reply.answers, *qtype);
        assert!(
            addresses.iter().any(|a| a == offending[0]),
            "{qname}: {addresses:?}"
        );
        assert!(edes(&reply).is_empty(), "{qname}: audit changes nothing");
    }
    assert!(
        server.logged("name=foreign.host.kz. qtype=A action=\"audit-only\""),
        "{}",
        server.log()
    );
    assert!(server.logged("exemption expired"), "{}", server.log());
}

#[test]
fn notice_mode_sends_violations_to_the_notice_page() {
    let server = start("notice");
    compliant_and_exempt_cases(&server);
    for (qname, qtype, offending) in VIOLATIONS {
        let reply = query(&server, qname, *qtype);
        assert_eq!(
            reply.metadata.response_code,
            ResponseCode::NoError,
            "{qname}"
        );
        assert!(reply.metadata.authoritative, "{qname}");
        let notice = if *qtype == RecordType::A {
            "127.0.0.1"
        } else {
            "::1"
        };
        // The whole answer is the notice address at the query name (no leftover CNAMEs).
        assert_eq!(
            owners(&reply.answers),
            [(qname.to_string(), *qtype)],
            "{qname}"
        );
        assert_eq!(rdata_of(&reply.answers, *qtype), [notice], "{qname}");
        assert_eq!(reply.answers[0].ttl, 60);
        assert!(reply.authorities.is_empty() && reply.additionals.is_empty());
        assert_ede(&reply, offending, "notice");
    }
    // Without EDNS in the query there is no OPT record, so no EDE; the rewrite still happens.
    let plain = udp_exchange(
        server.addr,
        &query_message("foreign.host.kz.", RecordType::A, None),
    );
    assert!(plain.edns.is_none());
    assert_eq!(rdata_of(&plain.answers, RecordType::A), ["127.0.0.1"]);
}

#[test]
fn filter_mode_drops_foreign_addresses_and_keeps_kazakh_ones() {
    let server = start("filter");
    compliant_and_exempt_cases(&server);
    let mixed = query(&server, "mixed.host.kz.", RecordType::A);
    assert_eq!(rdata_of(&mixed.answers, RecordType::A), ["80.241.1.20"]);
    assert_eq!(
        mixed.answers[0].ttl, 3600,
        "kept records are the zone's own"
    );
    assert_ede(&mixed, &["203.0.113.20"], "filter");
    // Nothing Kazakh left: acts as notice.
    for (qname, qtype, offending) in VIOLATIONS.iter().filter(|v| v.0 != "mixed.host.kz.") {
        let reply = query(&server, qname, *qtype);
        let notice = if *qtype == RecordType::A {
            "127.0.0.1"
        } else {
            "::1"
        };
        assert_eq!(rdata_of(&reply.answers, *qtype), [notice], "{qname}");
        assert_ede(&reply, offending, "notice");
    }
}

#[test]
fn refuse_mode_refuses_violations() {
    let server = start("refuse");
    compliant_and_exempt_cases(&server);
    for (qname, qtype, offending) in VIOLATIONS {
        let reply = query(&server, qname, *qtype);
        assert_eq!(
            reply.metadata.response_code,
            ResponseCode::Refused,
            "{qname}"
        );
        assert!(
            reply.answers.is_empty() && reply.authorities.is_empty(),
            "{qname}"
        );
        assert_ede(&reply, offending, "refuse");
    }
}

#[test]
fn a_zone_may_have_its_own_mode() {
    let server = Setup::new()
        .zones(&data("policy-zones"))
        .mode("audit")
        .tables("[policy.zone_mode]\n\"host.kz\" = \"refuse\"\n")
        .start();
    let refused = query(&server, "foreign.host.kz.", RecordType::A);
    assert_eq!(refused.metadata.response_code, ResponseCode::Refused);
    // abroad.kz is in the kz. zone, which keeps the global audit mode.
    assert_untouched(&server, "abroad.kz.", RecordType::A, &["203.0.113.9"]);
}

#[test]
fn a_cname_query_is_judged_by_where_the_chain_leads() {
    let server = start("notice");
    // cdn → edge → far (foreign): the CNAME query is rewritten to NODATA with the EDE.
    let reply = query(&server, "cdn.host.kz.", RecordType::CNAME);
    assert_eq!(reply.metadata.response_code, ResponseCode::NoError);
    assert!(reply.answers.is_empty());
    assert_ede(&reply, &["198.51.100.7"], "notice");
    // www → host.kz (KZ): untouched.
    assert_untouched(&server, "www.host.kz.", RecordType::CNAME, &["host.kz."]);
}
