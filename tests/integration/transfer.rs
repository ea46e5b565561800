//! AXFR: refused unless the client is in `zones.allow_transfer`; over TCP only.

use hickory_proto::{op::ResponseCode, rr::RecordType};

use crate::support::*;

#[test]
fn axfr_is_refused_by_default() {
    let server = TestServer::start("");
    let reply = tcp_exchange(
        server.addr,
        &query_message("kz.", RecordType::AXFR, None),
        1,
    );
    assert_eq!(reply[0].metadata.response_code, ResponseCode::Refused);
    assert!(reply[0].answers.is_empty());
    assert!(server.logged("zone transfer refused"), "{}", server.log());
}

#[test]
fn axfr_is_served_to_allowed_clients() {
    let server = TestServer::start("allow_transfer = [\"127.0.0.0/8\"]\n");
    let reply = tcp_exchange(
        server.addr,
        &query_message("kz.", RecordType::AXFR, None),
        1,
    );
    let msg = &reply[0];
    assert_eq!(msg.metadata.response_code, ResponseCode::NoError);
    assert!(msg.metadata.authoritative);
    let first = msg.answers.first().unwrap();
    let last = msg.answers.last().unwrap();
    assert_eq!(first.record_type(), RecordType::SOA);
    assert_eq!(last.record_type(), RecordType::SOA);
    assert_eq!(soa_serial(first), 2026120301);
    // Every record of the zone file once, plus the closing SOA; glue and delegations included.
    let body = &msg.answers[1..msg.answers.len() - 1];
    assert!(body.iter().all(|r| r.record_type() != RecordType::SOA));
    assert!(body.iter().any(|r| r.name.to_ascii() == "ns1.deleg.kz."));
    assert_eq!(
        body.iter()
            .filter(|r| r.name.to_ascii() == "big.kz.")
            .count(),
        40
    );
    assert_eq!(
        body.iter()
            .filter(|r| r.name.to_ascii() == "*.wild.kz.")
            .count(),
        2
    );

    // A name that is not a zone apex of ours.
    let notauth = tcp_exchange(
        server.addr,
        &query_message("nic.kz.", RecordType::AXFR, None),
        1,
    );
    assert_eq!(notauth[0].metadata.response_code, ResponseCode::NotAuth);
    // Over UDP a transfer is a format error.
    let udp = udp_exchange(server.addr, &query_message("kz.", RecordType::AXFR, None));
    assert_eq!(udp.metadata.response_code, ResponseCode::FormErr);
}

#[test]
fn dig_transfers_the_zone_when_allowed() {
    let server = TestServer::start("allow_transfer = [\"127.0.0.1\"]\n");
    let out = dig(&server, &["shop.kz", "AXFR"]);
    let soas = out.lines().filter(|l| l.contains("\tSOA\t")).count();
    assert_eq!(soas, 2, "{out}");
    assert!(out.contains("XFR size:"), "{out}");
    assert!(!out.contains("Transfer failed"), "{out}");
}
