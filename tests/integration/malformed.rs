//! Malformed and unusual queries: FORMERR, NOTIMP, REFUSED or silence, and never a crash.

use std::time::Duration;

use hickory_proto::{
    op::{Message, MessageType, OpCode, Query, ResponseCode},
    rr::{DNSClass, RecordType},
};

use crate::support::*;

fn still_answers(server: &TestServer) {
    let reply = udp_exchange(server.addr, &query_message("kz.", RecordType::SOA, None));
    assert_eq!(reply.metadata.response_code, ResponseCode::NoError);
    assert!(reply.metadata.authoritative);
}

#[test]
fn garbage_is_dropped_or_answered_formerr() {
    let server = TestServer::start("");
    // Shorter than a header: nothing to answer to.
    assert!(udp_raw(server.addr, &[1, 2, 3], Duration::from_millis(300)).is_none());
    // A header promising a question that is not there.
    let mut bytes = vec![0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0];
    bytes.extend([0x07, b'b', b'r']);
    let reply = udp_raw(server.addr, &bytes, Duration::from_secs(2)).expect("FORMERR");
    let reply = Message::from_vec(&reply).unwrap();
    assert_eq!(reply.metadata.id, 0x1234);
    assert_eq!(reply.metadata.response_code, ResponseCode::FormErr);
    // A label pointer loop.
    let mut looped = vec![0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0];
    looped.extend([0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01]);
    if let Some(reply) = udp_raw(server.addr, &looped, Duration::from_secs(1)) {
        let reply = Message::from_vec(&reply).unwrap();
        assert_eq!(reply.metadata.response_code, ResponseCode::FormErr);
    }
    // Random bytes of every length up to 64: never a crash.
    let mut x: u32 = 0x9e37_79b9;
    for len in 0..64 {
        let junk: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let _ = udp_raw(server.addr, &junk, Duration::from_millis(20));
    }
    still_answers(&server);
}

#[test]
fn two_questions_are_a_format_error() {
    let server = TestServer::start("");
    let mut message = query_message("kz.", RecordType::SOA, None);
    message.add_query(Query::query(name("nic.kz."), RecordType::A));
    let reply = udp_exchange(server.addr, &message);
    assert_eq!(reply.metadata.response_code, ResponseCode::FormErr);
    let mut none = Message::new(7, MessageType::Query, OpCode::Query);
    none.metadata.recursion_desired = true;
    let reply = udp_exchange(server.addr, &none);
    assert_eq!(reply.metadata.response_code, ResponseCode::FormErr);
    still_answers(&server);
}

#[test]
fn other_opcodes_classes_and_responses() {
    let server = TestServer::start("");
    for op in [OpCode::Status, OpCode::Notify, OpCode::Update] {
        let mut message = query_message("kz.", RecordType::SOA, None);
        message.metadata.op_code = op;
        let reply = udp_exchange(server.addr, &message);
        assert_eq!(reply.metadata.response_code, ResponseCode::NotImp, "{op:?}");
    }
    let mut chaos = query_message("version.bind.", RecordType::TXT, None);
    let mut query = Query::query(name("version.bind."), RecordType::TXT);
    query.set_query_class(DNSClass::CH);
    chaos.queries = vec![query];
    let reply = udp_exchange(server.addr, &chaos);
    assert_eq!(reply.metadata.response_code, ResponseCode::Refused);
    // A response sent to us is never answered (no reflection).
    let mut response = query_message("kz.", RecordType::SOA, None);
    response.metadata.message_type = MessageType::Response;
    assert!(
        udp_raw(
            server.addr,
            &response.to_vec().unwrap(),
            Duration::from_millis(300)
        )
        .is_none()
    );
    still_answers(&server);
}
