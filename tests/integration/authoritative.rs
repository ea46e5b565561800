//! Authoritative answers over UDP and TCP with hickory's client, against `tests/data/zones`
//! (expected answers are tabled in `tests/data/zones/README.md`).

use hickory_proto::{
    op::{Message, ResponseCode},
    rr::RecordType,
};

use crate::support::*;

async fn both(server: &TestServer, qname: &str, qtype: RecordType) -> Message {
    let udp = ask(&mut udp_client(server.addr).await, qname, qtype).await;
    let tcp = ask(&mut tcp_client(server.addr).await, qname, qtype).await;
    assert_eq!(udp.metadata.response_code, tcp.metadata.response_code);
    assert_eq!(
        owners(&udp.answers),
        owners(&tcp.answers),
        "{qname} {qtype}: UDP and TCP agree"
    );
    udp
}

#[tokio::test]
async fn apex_soa_and_ns_are_authoritative() {
    let server = TestServer::start("");
    let soa = both(&server, "kz.", RecordType::SOA).await;
    assert_eq!(soa.metadata.response_code, ResponseCode::NoError);
    assert!(soa.metadata.authoritative);
    assert_eq!(soa.answers.len(), 1);
    assert_eq!(soa_serial(&soa.answers[0]), 2026120301);

    let ns = both(&server, "kz.", RecordType::NS).await;
    assert!(ns.metadata.authoritative);
    assert_eq!(
        rdata_of(&ns.answers, RecordType::NS),
        ["a.nic.kz.", "b.nic.kz."]
    );
    // The name servers' addresses come along in the additional section.
    assert_eq!(
        rdata_of(&ns.additionals, RecordType::A),
        ["192.0.2.53", "198.51.100.53"]
    );

    let qaz = both(&server, "xn--80ao21a.", RecordType::SOA).await;
    assert!(qaz.metadata.authoritative);
    assert_eq!(qaz.answers[0].name.to_ascii(), "xn--80ao21a.");
    // Unicode spelling on the wire is the same name.
    let nic = both(&server, "nic.xn--80ao21a.", RecordType::A).await;
    assert_eq!(rdata_of(&nic.answers, RecordType::A), ["192.0.2.60"]);
}

#[tokio::test]
async fn positive_answer_and_case_insensitivity() {
    let server = TestServer::start("");
    let a = both(&server, "NIC.Kz.", RecordType::A).await;
    assert!(a.metadata.authoritative);
    assert_eq!(rdata_of(&a.answers, RecordType::A), ["80.241.1.10"]);
    assert!(
        a.authorities.is_empty(),
        "no authority section in a positive answer"
    );
    let many = both(&server, "many.kz.", RecordType::AAAA).await;
    assert_eq!(many.answers.len(), 3);
}

#[tokio::test]
async fn nxdomain_and_nodata_carry_the_soa_with_the_negative_ttl() {
    let server = TestServer::start("");
    let nx = both(&server, "nothere.kz.", RecordType::A).await;
    assert_eq!(nx.metadata.response_code, ResponseCode::NXDomain);
    assert!(nx.metadata.authoritative);
    assert!(nx.answers.is_empty());
    assert_eq!(owners(&nx.authorities), [("kz.".into(), RecordType::SOA)]);
    // RFC 2308: min(SOA TTL 3600, MINIMUM 300).
    assert_eq!(nx.authorities[0].ttl, 300);

    let nodata = both(&server, "nic.kz.", RecordType::AAAA).await;
    assert_eq!(nodata.metadata.response_code, ResponseCode::NoError);
    assert!(nodata.metadata.authoritative);
    assert!(nodata.answers.is_empty());
    assert_eq!(
        owners(&nodata.authorities),
        [("kz.".into(), RecordType::SOA)]
    );

    // b.c.kz and c.kz exist only as empty non-terminals above a.b.c.kz: NODATA, not NXDOMAIN.
    for ent in ["b.c.kz.", "c.kz."] {
        let reply = both(&server, ent, RecordType::A).await;
        assert_eq!(reply.metadata.response_code, ResponseCode::NoError, "{ent}");
        assert!(reply.answers.is_empty(), "{ent}");
    }
    let below = both(&server, "x.a.b.c.kz.", RecordType::A).await;
    assert_eq!(below.metadata.response_code, ResponseCode::NXDomain);
}

#[tokio::test]
async fn delegations_are_referrals_with_glue() {
    let server = TestServer::start("");
    for qname in ["deleg.kz.", "www.deleg.kz.", "a.b.deleg.kz."] {
        let reply = both(&server, qname, RecordType::A).await;
        assert_eq!(
            reply.metadata.response_code,
            ResponseCode::NoError,
            "{qname}"
        );
        assert!(
            !reply.metadata.authoritative,
            "{qname}: AA clear on a referral"
        );
        assert!(reply.answers.is_empty(), "{qname}");
        assert_eq!(
            rdata_of(&reply.authorities, RecordType::NS),
            ["ns1.deleg.kz.", "ns2.example.net."],
            "{qname}"
        );
        assert_eq!(
            owners(&reply.additionals),
            [("ns1.deleg.kz.".into(), RecordType::A)]
        );
    }
    // DS belongs to the parent side of the cut: an authoritative NODATA here.
    let ds = both(&server, "deleg.kz.", RecordType::DS).await;
    assert!(ds.metadata.authoritative);
    assert_eq!(owners(&ds.authorities), [("kz.".into(), RecordType::SOA)]);
}

#[tokio::test]
async fn the_longest_matching_zone_answers() {
    let server = TestServer::start("");
    // kz. delegates shop.kz, but shop.kz is ours too: its own SOA answers, not a referral.
    let soa = both(&server, "shop.kz.", RecordType::SOA).await;
    assert!(soa.metadata.authoritative);
    assert_eq!(soa_serial(&soa.answers[0]), 2026120302);
    let nx = both(&server, "nothere.shop.kz.", RecordType::A).await;
    assert_eq!(nx.metadata.response_code, ResponseCode::NXDomain);
    assert_eq!(nx.authorities[0].name.to_ascii(), "shop.kz.");
    assert_eq!(nx.authorities[0].ttl, 600);
    // The parent zone still answers DS for its child.
    let ds = both(&server, "shop.kz.", RecordType::DS).await;
    assert_eq!(ds.authorities[0].name.to_ascii(), "kz.");
}

#[tokio::test]
async fn cname_chains_are_followed_inside_our_zones() {
    let server = TestServer::start("");
    let chain = both(&server, "chain1.kz.", RecordType::A).await;
    assert!(chain.metadata.authoritative);
    assert_eq!(
        owners(&chain.answers),
        [
            ("chain1.kz.".into(), RecordType::CNAME),
            ("chain2.kz.".into(), RecordType::CNAME),
            ("nic.kz.".into(), RecordType::A)
        ]
    );
    // Across zones: kz. → shop.kz.
    let cross = both(&server, "toshop.kz.", RecordType::A).await;
    assert_eq!(
        owners(&cross.answers),
        [
            ("toshop.kz.".into(), RecordType::CNAME),
            ("www.shop.kz.".into(), RecordType::CNAME),
            ("shop.kz.".into(), RecordType::A)
        ]
    );
    // Leaving our zones: the CNAME alone, for the resolver to follow.
    let ext = both(&server, "ext.kz.", RecordType::A).await;
    assert_eq!(ext.metadata.response_code, ResponseCode::NoError);
    assert_eq!(
        owners(&ext.answers),
        [("ext.kz.".into(), RecordType::CNAME)]
    );
    // To a name that does not exist: the CNAME, and NXDOMAIN for the target (RFC 6604).
    let dangling = both(&server, "dangling.kz.", RecordType::A).await;
    assert_eq!(dangling.metadata.response_code, ResponseCode::NXDomain);
    assert_eq!(
        owners(&dangling.answers),
        [("dangling.kz.".into(), RecordType::CNAME)]
    );
    assert_eq!(
        owners(&dangling.authorities),
        [("kz.".into(), RecordType::SOA)]
    );
    // A loop ends after one turn instead of hanging or failing.
    let looped = both(&server, "loop1.kz.", RecordType::A).await;
    assert_eq!(looped.metadata.response_code, ResponseCode::NoError);
    assert_eq!(
        rdata_of(&looped.answers, RecordType::CNAME),
        ["loop1.kz.", "loop2.kz."]
    );
    // Asking for the CNAME itself does not follow it.
    let itself = both(&server, "www.nic.kz.", RecordType::CNAME).await;
    assert_eq!(
        owners(&itself.answers),
        [("www.nic.kz.".into(), RecordType::CNAME)]
    );
}

#[tokio::test]
async fn wildcards_synthesise_the_query_name() {
    let server = TestServer::start("");
    for qname in ["foo.wild.kz.", "a.b.wild.kz."] {
        let reply = both(&server, qname, RecordType::A).await;
        assert!(reply.metadata.authoritative);
        assert_eq!(owners(&reply.answers), [(qname.into(), RecordType::A)]);
        assert_eq!(rdata_of(&reply.answers, RecordType::A), ["192.0.2.10"]);
    }
    let txt = both(&server, "foo.wild.kz.", RecordType::TXT).await;
    assert_eq!(rdata_of(&txt.answers, RecordType::TXT), ["wildcard"]);
    // An existing name is not covered by the wildcard.
    let exists = both(&server, "exists.wild.kz.", RecordType::A).await;
    assert_eq!(rdata_of(&exists.answers, RecordType::A), ["192.0.2.11"]);
    let nodata = both(&server, "exists.wild.kz.", RecordType::TXT).await;
    assert!(nodata.answers.is_empty());
    assert_eq!(nodata.metadata.response_code, ResponseCode::NoError);
    // Wildcard name without the asked type: NODATA.
    let aaaa = both(&server, "foo.wild.kz.", RecordType::AAAA).await;
    assert_eq!(aaaa.metadata.response_code, ResponseCode::NoError);
    assert!(aaaa.answers.is_empty());
}

#[tokio::test]
async fn mx_and_srv_targets_come_with_their_addresses() {
    let server = TestServer::start("");
    let mx = both(&server, "mx.kz.", RecordType::MX).await;
    assert_eq!(rdata_of(&mx.answers, RecordType::MX), ["10 mail.kz."]);
    assert_eq!(rdata_of(&mx.additionals, RecordType::A), ["192.0.2.25"]);
    assert_eq!(
        rdata_of(&mx.additionals, RecordType::AAAA),
        ["2001:db8::25"]
    );
    let srv = both(&server, "_sip._tcp.kz.", RecordType::SRV).await;
    assert_eq!(
        rdata_of(&srv.answers, RecordType::SRV),
        ["10 5 5060 sip.kz."]
    );
    assert_eq!(rdata_of(&srv.additionals, RecordType::A), ["89.46.33.26"]);
}

#[tokio::test]
async fn any_gets_one_rrset() {
    let server = TestServer::start("");
    let any = both(&server, "many.kz.", RecordType::ANY).await;
    assert_eq!(any.metadata.response_code, ResponseCode::NoError);
    assert!(any.metadata.authoritative);
    // RFC 8482: one RRset (the 8 A records), not the AAAA set too.
    assert_eq!(any.answers.len(), 8);
    assert!(any.answers.iter().all(|r| r.record_type() == RecordType::A));
}

#[tokio::test]
async fn names_outside_our_zones_are_refused() {
    let server = TestServer::start("");
    for qname in ["example.com.", "com.", "."] {
        let reply = both(&server, qname, RecordType::A).await;
        assert_eq!(
            reply.metadata.response_code,
            ResponseCode::Refused,
            "{qname}"
        );
        assert!(!reply.metadata.authoritative);
        assert!(reply.answers.is_empty());
    }
}

#[tokio::test]
async fn every_listen_address_serves_ipv4_and_ipv6() {
    let server = Setup::new()
        .dns("listen = [\"127.0.0.1:0\", \"[::1]:0\"]")
        .start();
    assert_eq!(server.udp_addrs.len(), 2);
    let v6 = server.udp_addrs[1];
    assert!(v6.is_ipv6());
    for client in [udp_client(v6).await, tcp_client(v6).await] {
        let mut client = client;
        let reply = ask(&mut client, "kz.", RecordType::SOA).await;
        assert!(reply.metadata.authoritative);
    }
}
