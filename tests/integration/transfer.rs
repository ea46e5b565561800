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

const LIST: &str = "domain,reason,reference,since,note\n\
    casino.host.kz,malware,CERT-1,2026-11-02,\n\
    deleg.kz,court-order,Case 7,2026-10-01,\n";

fn rpz_transfer(server: &TestServer) -> Vec<hickory_proto::rr::Record> {
    let replies = tcp_exchange(
        server.addr,
        &query_message("rpz.kz.", RecordType::AXFR, None),
        1,
    );
    assert_eq!(replies[0].metadata.response_code, ResponseCode::NoError);
    assert!(replies[0].metadata.authoritative);
    replies[0].answers.clone()
}

#[test]
fn the_suspension_list_is_served_live_as_an_rpz_zone() {
    let server = Setup::new()
        .zones(&data("policy-zones"))
        .zones_extra("allow_transfer = [\"127.0.0.1\"]")
        .suspensions(LIST)
        .start();
    let records = rpz_transfer(&server);
    let serial = soa_serial(&records[0]);
    assert_eq!(soa_serial(records.last().unwrap()), serial);
    assert_eq!(
        owners(&records),
        [
            ("rpz.kz.".into(), RecordType::SOA),
            ("rpz.kz.".into(), RecordType::NS),
            ("deleg.kz.rpz.kz.".into(), RecordType::CNAME),
            ("*.deleg.kz.rpz.kz.".into(), RecordType::CNAME),
            ("casino.host.kz.rpz.kz.".into(), RecordType::CNAME),
            ("*.casino.host.kz.rpz.kz.".into(), RecordType::CNAME),
            ("rpz.kz.".into(), RecordType::SOA),
        ]
    );
    assert_eq!(rdata_of(&records, RecordType::CNAME), ["notice.nic.kz."; 4]);

    // Secondaries ask for the SOA (over UDP) before transferring.
    let soa = udp_exchange(
        server.addr,
        &query_message("rpz.kz.", RecordType::SOA, None),
    );
    assert!(soa.metadata.authoritative);
    assert_eq!(soa_serial(&soa.answers[0]), serial);
    // The zone is for transfer, not lookups; and over UDP a transfer is a format error.
    let lookup = udp_exchange(
        server.addr,
        &query_message("casino.host.kz.rpz.kz.", RecordType::CNAME, None),
    );
    assert_eq!(lookup.metadata.response_code, ResponseCode::Refused);

    // An edit, even within the same second, raises the serial and changes the zone.
    let csv = server.policy_dir().join("suspensions.csv");
    std::fs::write(&csv, format!("{LIST}host.kz,phishing,,2026-12-01,\n")).unwrap();
    assert!(eventually(std::time::Duration::from_secs(5), || {
        soa_serial(
            &udp_exchange(
                server.addr,
                &query_message("rpz.kz.", RecordType::SOA, None),
            )
            .answers[0],
        ) > serial
    }));
    let records = rpz_transfer(&server);
    assert_eq!(records.len(), 2 + 2 * 3 + 1);
    assert!(
        records
            .iter()
            .any(|r| r.name.to_ascii() == "*.host.kz.rpz.kz.")
    );
}

#[test]
fn the_rpz_zone_is_refused_to_clients_not_allowed() {
    let server = Setup::new()
        .zones(&data("policy-zones"))
        .suspensions(LIST)
        .start();
    let reply = tcp_exchange(
        server.addr,
        &query_message("rpz.kz.", RecordType::AXFR, None),
        1,
    );
    assert_eq!(reply[0].metadata.response_code, ResponseCode::Refused);
    assert!(reply[0].answers.is_empty());
}

#[test]
fn a_transfer_of_many_messages_arrives_whole() {
    // 30,000 suspensions: an RPZ feed of 60,002 records, far more messages than hickory's
    // default per-connection queue holds.
    let mut list = String::from("domain,reason,reference,since,note\n");
    for i in 0..30_000 {
        list.push_str(&format!("s{i}.kz,phishing,,2026-11-01,\n"));
    }
    let server = Setup::new()
        .zones(&data("policy-zones"))
        .zones_extra("allow_transfer = [\"127.0.0.1\"]")
        .suspensions(&list)
        .start();
    let (messages, records) = axfr(server.addr, "rpz.kz.");
    assert!(messages > 32, "{messages} messages");
    assert_eq!(records.len(), 2 + 2 * 30_000 + 1);
    assert_eq!(records.last().unwrap().record_type(), RecordType::SOA);
    // And dig agrees.
    let out = dig(&server, &["rpz.kz", "AXFR"]);
    assert!(
        out.contains("XFR size: 60003 records"),
        "{}",
        &out[out.len().saturating_sub(400)..]
    );
}
