//! Suspended domains on the wire, and live edits of the suspension list.

use std::time::Duration;

use hickory_proto::{
    op::{Message, ResponseCode},
    rr::RecordType,
};

use crate::support::*;

const LIST: &str = "# suspended\ndomain,reason,reference,since,note\n\
    casino.host.kz,malware,KZ-CERT 2026-117,2026-11-02,\"drive-by download, see ticket\"\n\
    DELEG.kz.,court-order,Case 2-1234/2026,2026-10-01,\n";

fn start() -> TestServer {
    Setup::new()
        .zones(&data("policy-zones"))
        .mode("notice")
        .suspensions(LIST)
        .start()
}

fn query(server: &TestServer, qname: &str, qtype: RecordType) -> Message {
    udp_exchange(server.addr, &query_message(qname, qtype, Some(1232)))
}

fn assert_suspension_ede(reply: &Message, needle: &str) {
    let edes = edes(reply);
    assert_eq!(edes.len(), 1, "{edes:?}");
    assert_eq!(edes[0].0, 16);
    assert!(
        edes[0].1.contains(needle),
        "{} should contain {needle}",
        edes[0].1
    );
}

#[test]
fn a_suspended_hosted_domain_and_its_subtree_point_to_the_notice_page() {
    let server = start();
    for qname in [
        "casino.host.kz.",
        "www.casino.host.kz.",
        "deep.x.casino.host.kz.",
    ] {
        let a = query(&server, qname, RecordType::A);
        assert_eq!(a.metadata.response_code, ResponseCode::NoError, "{qname}");
        assert!(a.metadata.authoritative, "{qname}");
        assert_eq!(
            owners(&a.answers),
            [(qname.to_string(), RecordType::A)],
            "{qname}"
        );
        assert_eq!(rdata_of(&a.answers, RecordType::A), ["127.0.0.1"]);
        assert_eq!(a.answers[0].ttl, 60);
        assert_suspension_ede(
            &a,
            "Rules 38/NK p.16(2) malware: casino.host.kz. suspended; ref KZ-CERT 2026-117; since 2026-11-02",
        );
        let aaaa = query(&server, qname, RecordType::AAAA);
        assert_eq!(rdata_of(&aaaa.answers, RecordType::AAAA), ["::1"]);
        // Other types: NODATA with the zone's SOA, and the EDE.
        let mx = query(&server, qname, RecordType::MX);
        assert_eq!(mx.metadata.response_code, ResponseCode::NoError);
        assert!(mx.metadata.authoritative && mx.answers.is_empty());
        assert_eq!(
            owners(&mx.authorities),
            [("host.kz.".into(), RecordType::SOA)]
        );
        assert_suspension_ede(&mx, "p.16(2) malware");
    }
    // TXT says why in words.
    let txt = query(&server, "casino.host.kz.", RecordType::TXT);
    let text = rdata_of(&txt.answers, RecordType::TXT).concat();
    assert!(
        text.contains("sub-paragraph 2 (malware)") && text.contains("KZ-CERT 2026-117"),
        "{text}"
    );
    // Neighbours are untouched.
    let host = query(&server, "host.kz.", RecordType::A);
    assert_eq!(rdata_of(&host.answers, RecordType::A), ["80.241.1.10"]);
    assert!(edes(&host).is_empty());
    assert!(server.logged("action=\"suspended\""), "{}", server.log());
}

#[test]
fn a_suspended_delegation_is_answered_authoritatively_instead_of_referred() {
    let server = start();
    for qname in ["deleg.kz.", "www.deleg.kz."] {
        let a = query(&server, qname, RecordType::A);
        assert!(a.metadata.authoritative, "{qname}: no referral");
        assert!(
            a.authorities
                .iter()
                .all(|r| r.record_type() != RecordType::NS),
            "{qname}"
        );
        assert_eq!(rdata_of(&a.answers, RecordType::A), ["127.0.0.1"]);
        assert_suspension_ede(
            &a,
            "Rules 38/NK p.16(3) court-order: deleg.kz. suspended; ref Case 2-1234/2026",
        );
        let ns = query(&server, qname, RecordType::NS);
        assert!(
            ns.metadata.authoritative && ns.answers.is_empty(),
            "{qname}"
        );
        assert_eq!(owners(&ns.authorities), [("kz.".into(), RecordType::SOA)]);
    }
    // Over TCP and with dig too.
    let tcp = tcp_exchange(
        server.addr,
        &query_message("deleg.kz.", RecordType::A, Some(1232)),
        1,
    );
    assert_eq!(rdata_of(&tcp[0].answers, RecordType::A), ["127.0.0.1"]);
    let out = dig(&server, &["www.deleg.kz", "A"]);
    assert!(
        out.contains("flags: qr aa;") && out.contains("EDE: 16 (Censored)"),
        "{out}"
    );
}

/// Replaces a file the way editors do: write a temp file, rename it over the original.
fn replace_file(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension("tmp~");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn a_of(server: &TestServer, qname: &str) -> Vec<String> {
    rdata_of(&query(server, qname, RecordType::A).answers, RecordType::A)
}

#[test]
fn live_edits_are_picked_up_and_bad_edits_rejected() {
    let server = start();
    let csv = server.policy_dir().join("suspensions.csv");
    let wait = Duration::from_secs(5);
    assert_eq!(a_of(&server, "host.kz."), ["80.241.1.10"]);

    // An editor-style save (temp file + rename) adding host.kz: picked up without SIGHUP.
    replace_file(
        &csv,
        &format!("{LIST}host.kz,phishing,SOC-77,2026-12-01,\n"),
    );
    assert!(
        eventually(wait, || a_of(&server, "host.kz.") == ["127.0.0.1"]),
        "{}",
        server.log()
    );
    assert!(server.logged("added=1"), "{}", server.log());

    // A bad line: rejected whole, the last good list stays, the error names file and line.
    replace_file(&csv, &format!("{LIST}host.kz,spam,,2026-12-01,\n"));
    assert!(server.logged("policy reload rejected"), "{}", server.log());
    assert!(
        server.logged("suspensions.csv:5: reason: unknown reason \"spam\""),
        "{}",
        server.log()
    );
    assert_eq!(a_of(&server, "host.kz."), ["127.0.0.1"]);

    // Deleted: no suspensions at all.
    std::fs::remove_file(&csv).unwrap();
    assert!(
        eventually(wait, || a_of(&server, "casino.host.kz.") == ["80.241.1.30"]),
        "{}",
        server.log()
    );
    // Created again, written in place.
    std::fs::write(&csv, LIST).unwrap();
    assert!(
        eventually(wait, || a_of(&server, "casino.host.kz.") == ["127.0.0.1"]),
        "{}",
        server.log()
    );
}

#[test]
fn no_query_fails_while_the_list_is_reloaded() {
    let server = start();
    let csv = server.policy_dir().join("suspensions.csv");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let editor = {
        let (stop, csv) = (stop.clone(), csv.clone());
        std::thread::spawn(move || {
            let mut edits = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && edits < 40 {
                let extra = if edits % 2 == 0 {
                    "host.kz,phishing,,2026-12-01,\n"
                } else {
                    ""
                };
                replace_file(&csv, &format!("{LIST}{extra}"));
                edits += 1;
                std::thread::sleep(Duration::from_millis(30));
            }
            edits
        })
    };
    let mut answered = 0;
    for _ in 0..600 {
        let reply = query(&server, "host.kz.", RecordType::A);
        assert_eq!(reply.metadata.response_code, ResponseCode::NoError);
        let a = rdata_of(&reply.answers, RecordType::A);
        assert!(a == ["80.241.1.10"] || a == ["127.0.0.1"], "{a:?}");
        answered += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let edits = editor.join().unwrap();
    assert_eq!(answered, 600);
    assert!(
        edits > 5,
        "the list changed {edits} times during the queries"
    );
    assert!(server.logged("policy reloaded"), "{}", server.log());
}
