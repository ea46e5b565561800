//! What a `dig` user sees.

use crate::support::*;

#[test]
fn dig_sees_authoritative_soa_for_kz_and_qaz() {
    let server = TestServer::start("");
    for zone in ["kz", "xn--80ao21a"] {
        let out = dig(&server, &[zone, "SOA"]);
        assert!(out.contains("status: NOERROR"), "{out}");
        assert!(out.contains("flags: qr aa;"), "{out}");
        assert!(out.contains("ANSWER: 1,"), "{out}");
    }
    let out = dig(&server, &["nothere.kz", "A"]);
    assert!(
        out.contains("status: NXDOMAIN") && out.contains("flags: qr aa;"),
        "{out}"
    );
    let out = dig(&server, &["example.com", "A"]);
    assert!(out.contains("status: REFUSED"), "{out}");
}

#[test]
fn dig_retries_a_truncated_answer_over_tcp() {
    let server = TestServer::start("");
    let out = dig(&server, &["big.kz", "TXT"]);
    assert!(out.contains("Truncated, retrying in TCP mode"), "{out}");
    assert!(out.contains("ANSWER: 40,"), "{out}");
    let tcp = dig(&server, &["+tcp", "big.kz", "TXT"]);
    assert!(
        tcp.contains("ANSWER: 40,") && !tcp.contains("Truncated"),
        "{tcp}"
    );
}

#[test]
fn dig_sees_a_referral_with_glue() {
    let server = TestServer::start("");
    let out = dig(&server, &["www.deleg.kz", "A"]);
    assert!(out.contains("flags: qr;"), "AA clear: {out}");
    assert!(out.contains("AUTHORITY: 2, ADDITIONAL: 2"), "{out}"); // NS x2; glue + OPT
    assert!(
        out.contains("ns1.deleg.kz.\t\t3600\tIN\tA\t192.0.2.100"),
        "{out}"
    );
}
