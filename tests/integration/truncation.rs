//! EDNS0 and truncation: the client's UDP size is honoured, a reply that does not fit is sent
//! with TC (and its OPT record intact) and the full answer comes over TCP.

use hickory_proto::{op::ResponseCode, rr::RecordType};

use crate::support::*;

#[test]
fn an_answer_too_big_for_udp_is_truncated_and_whole_over_tcp() {
    let server = TestServer::start("");
    // No EDNS: 512 bytes. 40 TXT records of 60 characters do not fit.
    let plain = udp_exchange(
        server.addr,
        &query_message("big.kz.", RecordType::TXT, None),
    );
    assert!(plain.metadata.truncation);
    assert!(plain.metadata.authoritative);
    assert!(
        plain.answers.is_empty(),
        "TC replies carry no partial RRset"
    );
    assert!(
        plain.edns.is_none(),
        "no OPT record for a query without one"
    );

    // EDNS with 4096 offered: capped at our 1232, still too small for ~2.9 kB.
    let edns = udp_exchange(
        server.addr,
        &query_message("big.kz.", RecordType::TXT, Some(4096)),
    );
    assert!(edns.metadata.truncation);
    let opt = edns
        .edns
        .as_ref()
        .expect("the OPT record survives truncation");
    assert_eq!(opt.max_payload(), 1232);

    // The retry over TCP gets all 40.
    let tcp = tcp_exchange(
        server.addr,
        &query_message("big.kz.", RecordType::TXT, Some(1232)),
        1,
    );
    assert!(!tcp[0].metadata.truncation);
    assert_eq!(tcp[0].answers.len(), 40);
    assert_eq!(tcp[0].metadata.response_code, ResponseCode::NoError);
}

#[test]
fn a_larger_client_buffer_is_honoured_up_to_our_cap() {
    // With our cap raised, the 4096 the client offers is what decides.
    let server = Setup::new()
        .dns("listen = [\"127.0.0.1:0\"]\nmax_udp_payload = 4096")
        .start();
    let reply = udp_exchange(
        server.addr,
        &query_message("big.kz.", RecordType::TXT, Some(4096)),
    );
    assert!(!reply.metadata.truncation);
    assert_eq!(reply.answers.len(), 40);
    assert_eq!(reply.edns.as_ref().unwrap().max_payload(), 4096);
    // A client offering less than 512 still gets 512 (RFC 6891 §6.2.3), and a small answer fits.
    let small = udp_exchange(
        server.addr,
        &query_message("kz.", RecordType::SOA, Some(100)),
    );
    assert!(!small.metadata.truncation);
    assert_eq!(small.answers.len(), 1);
}

#[test]
fn edns_is_answered_only_when_asked_and_unknown_versions_get_badvers() {
    let server = TestServer::start("");
    let with = udp_exchange(
        server.addr,
        &query_message("kz.", RecordType::SOA, Some(1232)),
    );
    assert!(with.edns.is_some());
    let without = udp_exchange(server.addr, &query_message("kz.", RecordType::SOA, None));
    assert!(without.edns.is_none());

    let mut v1 = query_message("kz.", RecordType::SOA, Some(1232));
    v1.edns.as_mut().unwrap().set_version(1);
    let reply = udp_exchange(server.addr, &v1);
    // BADVERS is extended RCODE 16 (hickory decodes 16 as its alias BADSIG).
    assert_eq!(
        u16::from(reply.metadata.response_code),
        u16::from(ResponseCode::BADVERS)
    );
    assert_eq!(reply.edns.as_ref().unwrap().version(), 0);
}
