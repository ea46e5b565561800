//! `/metrics`: scraped and parsed, asserting that counters moved by exactly what the test did.

use std::collections::BTreeMap;

use hickory_proto::rr::RecordType;
use kzdns::metrics as m;

use crate::support::*;

/// One scrape: `name{label="v",...}` (labels sorted, as Prometheus prints them) → value.
fn scrape(server: &TestServer) -> BTreeMap<String, f64> {
    let response = http_get(server.metrics_addr, "localhost", "/metrics");
    assert_eq!(response.status, 200);
    let content_type = response
        .headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.as_str());
    assert_eq!(content_type, Some("text/plain; version=0.0.4"));
    response
        .body
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_owned(), value.parse().unwrap())
        })
        .collect()
}

fn value(samples: &BTreeMap<String, f64>, series: &str) -> f64 {
    samples.get(series).copied().unwrap_or(0.0)
}

/// The difference of one series between two scrapes.
fn moved(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>, series: &str) -> f64 {
    value(after, series) - value(before, series)
}

const LIST: &str =
    "domain,reason,reference,since,note\ncasino.host.kz,malware,CERT-1,2026-11-02,\n";

#[test]
fn counters_move_by_exactly_the_queries_sent() {
    let server = Setup::new()
        .zones(&data("policy-zones"))
        .mode("notice")
        .suspensions(LIST)
        .start();
    let before = scrape(&server);
    assert_eq!(
        value(
            &before,
            &format!(
                "{}{{version=\"{}\"}}",
                m::BUILD_INFO,
                env!("CARGO_PKG_VERSION")
            )
        ),
        1.0
    );
    assert_eq!(value(&before, m::POLICY_SUSPENSIONS), 1.0);
    assert_eq!(
        value(
            &before,
            &format!("{}{{zone=\"host.kz.\"}}", m::ZONE_RECORDS)
        ),
        24.0
    );
    assert!(
        value(
            &before,
            &format!("{}{{family=\"ipv4\"}}", m::ALLOWLIST_RANGES)
        ) > 100.0
    );

    // 3 compliant A over UDP, 2 violations (notice), 1 suspended, 1 NXDOMAIN, 1 refused, 2 MX over TCP.
    for _ in 0..3 {
        udp_exchange(server.addr, &query_message("host.kz.", RecordType::A, None));
    }
    for qname in ["foreign.host.kz.", "amazon.host.kz."] {
        udp_exchange(server.addr, &query_message(qname, RecordType::A, None));
    }
    udp_exchange(
        server.addr,
        &query_message("casino.host.kz.", RecordType::A, None),
    );
    udp_exchange(
        server.addr,
        &query_message("nothere.host.kz.", RecordType::A, None),
    );
    udp_exchange(
        server.addr,
        &query_message("example.com.", RecordType::AAAA, None),
    );
    tcp_exchange(
        server.addr,
        &query_message("host.kz.", RecordType::MX, None),
        1,
    );
    tcp_exchange(
        server.addr,
        &query_message("host.kz.", RecordType::MX, None),
        1,
    );

    let after = scrape(&server);
    let q = |proto: &str, qtype: &str| {
        format!(
            "{}{{protocol=\"{proto}\",qtype=\"{qtype}\"}}",
            m::DNS_QUERIES
        )
    };
    assert_eq!(moved(&before, &after, &q("udp", "A")), 7.0);
    assert_eq!(moved(&before, &after, &q("udp", "AAAA")), 1.0);
    assert_eq!(moved(&before, &after, &q("tcp", "MX")), 2.0);
    assert_eq!(moved(&before, &after, &q("tcp", "A")), 0.0);
    let r = |rcode: &str| format!("{}{{rcode=\"{rcode}\"}}", m::DNS_RESPONSES);
    assert_eq!(moved(&before, &after, &r("NOERROR")), 8.0);
    assert_eq!(moved(&before, &after, &r("NXDOMAIN")), 1.0);
    assert_eq!(moved(&before, &after, &r("REFUSED")), 1.0);
    let a = |action: &str, ground: &str| {
        format!(
            "{}{{action=\"{action}\",ground=\"{ground}\"}}",
            m::POLICY_ACTIONS
        )
    };
    assert_eq!(
        moved(&before, &after, &a("pass", "hosting-outside-kz")),
        3.0
    );
    assert_eq!(
        moved(&before, &after, &a("notice", "hosting-outside-kz")),
        2.0
    );
    assert_eq!(moved(&before, &after, &a("suspended", "malware")), 1.0);
    assert_eq!(
        moved(
            &before,
            &after,
            &format!("{}_count", m::DNS_REQUEST_DURATION)
        ),
        10.0
    );
    assert!(moved(&before, &after, &format!("{}_sum", m::DNS_REQUEST_DURATION)) > 0.0);
}

#[test]
fn reloads_are_counted_by_result() {
    let server = Setup::new()
        .zones(&data("policy-zones"))
        .suspensions(LIST)
        .start();
    let before = scrape(&server);
    let ok = format!("{}{{result=\"success\"}}", m::POLICY_RELOADS);
    let failed = format!("{}{{result=\"failure\"}}", m::POLICY_RELOADS);
    let csv = server.policy_dir().join("suspensions.csv");
    std::fs::write(&csv, format!("{LIST}host.kz,phishing,,2026-12-01,\n")).unwrap();
    assert!(eventually(std::time::Duration::from_secs(5), || value(
        &scrape(&server),
        m::POLICY_SUSPENSIONS
    ) == 2.0));
    let good = scrape(&server);
    assert!(moved(&before, &good, &ok) >= 1.0);
    assert_eq!(moved(&before, &good, &failed), 0.0);
    assert!(value(&good, m::POLICY_LAST_RELOAD) >= value(&before, m::POLICY_LAST_RELOAD));

    std::fs::write(&csv, format!("{LIST}host.kz,not-a-reason,,2026-12-01,\n")).unwrap();
    assert!(eventually(std::time::Duration::from_secs(5), || moved(
        &good,
        &scrape(&server),
        &failed
    ) >= 1.0));
    // The last good list stays loaded.
    assert_eq!(value(&scrape(&server), m::POLICY_SUSPENSIONS), 2.0);
}

#[test]
fn notice_page_responses_are_counted_by_status() {
    let server = Setup::new()
        .zones(&data("policy-zones"))
        .suspensions(LIST)
        .start();
    let before = scrape(&server);
    assert_eq!(http_get(server.http(), "casino.host.kz", "/").status, 200);
    assert_eq!(http_get(server.http(), "casino.host.kz", "/x").status, 200);
    assert_eq!(http_get(server.http(), "host.kz", "/").status, 404);
    let after = scrape(&server);
    let s = |status: &str| format!("{}{{status=\"{status}\"}}", m::NOTICE_REQUESTS);
    assert_eq!(moved(&before, &after, &s("200")), 2.0);
    assert_eq!(moved(&before, &after, &s("404")), 1.0);
}

#[test]
fn policy_log_lines_are_capped_per_second_and_the_rest_counted() {
    let server = Setup::new()
        .zones(&data("policy-zones"))
        .mode("audit")
        .tables("[log]\npolicy_lines_per_second = 2\n")
        .start();
    for _ in 0..30 {
        udp_exchange(
            server.addr,
            &query_message("foreign.host.kz.", RecordType::A, None),
        );
    }
    let after = scrape(&server);
    let actions = format!(
        "{}{{action=\"audit-only\",ground=\"hosting-outside-kz\"}}",
        m::POLICY_ACTIONS
    );
    // Every action is counted, even those whose line was held back.
    assert_eq!(value(&after, &actions), 30.0);
    let suppressed = value(&after, m::LOG_LINES_SUPPRESSED);
    // 30 queries within at most a few seconds at 2 lines a second.
    assert!(suppressed >= 20.0, "{suppressed}");
    let written = || server.log().matches("policy action").count() as f64;
    assert!(
        eventually(std::time::Duration::from_secs(3), || written() + suppressed
            == 30.0),
        "{}",
        server.log()
    );
    // The next line written says how many were held back.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    udp_exchange(
        server.addr,
        &query_message("foreign.host.kz.", RecordType::A, None),
    );
    assert!(
        eventually(std::time::Duration::from_secs(3), || {
            server
                .log()
                .lines()
                .any(|l| l.contains("policy action") && !l.contains("suppressed=0"))
        }),
        "{}",
        server.log()
    );
}
