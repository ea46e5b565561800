//! Prometheus metrics: names (constants the tests and the dashboard use), the registry, and the
//! `/metrics` endpoint on `metrics.listen`.
//!
//! The per-query counters are resolved once into arrays indexed by protocol, query type and rcode,
//! so counting a query is a few atomic adds, not a label lookup.

use std::{
    net::SocketAddr,
    sync::LazyLock,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{Router, http::header::CONTENT_TYPE, routing::get};
use hickory_proto::{op::ResponseCode, rr::RecordType};
use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::{enforce::Action, policy::Policy, zones::ZoneSet};

pub const BUILD_INFO: &str = "kzdns_build_info";
pub const DNS_QUERIES: &str = "kzdns_dns_queries_total";
pub const DNS_RESPONSES: &str = "kzdns_dns_responses_total";
pub const DNS_REQUEST_DURATION: &str = "kzdns_dns_request_duration_seconds";
pub const POLICY_ACTIONS: &str = "kzdns_policy_actions_total";
pub const POLICY_UNJUDGED: &str = "kzdns_policy_unjudged_total";
pub const POLICY_SUSPENSIONS: &str = "kzdns_policy_suspensions";
pub const POLICY_EXEMPTIONS: &str = "kzdns_policy_exemptions";
pub const ALLOWLIST_RANGES: &str = "kzdns_allowlist_ranges";
pub const ZONE_RECORDS: &str = "kzdns_zone_records";
pub const POLICY_RELOADS: &str = "kzdns_policy_reloads_total";
pub const POLICY_LAST_RELOAD: &str = "kzdns_policy_last_reload_success_timestamp_seconds";
pub const ZONE_RELOADS: &str = "kzdns_zone_reloads_total";
pub const NOTICE_REQUESTS: &str = "kzdns_notice_requests_total";
pub const LOG_LINES_SUPPRESSED: &str = "kzdns_log_lines_suppressed_total";

/// Every metric name, for checks that a dashboard only uses names that exist.
pub const ALL: &[&str] = &[
    BUILD_INFO,
    DNS_QUERIES,
    DNS_RESPONSES,
    DNS_REQUEST_DURATION,
    POLICY_ACTIONS,
    POLICY_UNJUDGED,
    POLICY_SUSPENSIONS,
    POLICY_EXEMPTIONS,
    ALLOWLIST_RANGES,
    ZONE_RECORDS,
    POLICY_RELOADS,
    POLICY_LAST_RELOAD,
    ZONE_RELOADS,
    NOTICE_REQUESTS,
    LOG_LINES_SUPPRESSED,
];

/// Query types given their own label value; anything else counts as `other`, so a client
/// cannot blow up the label set.
const QTYPES: [RecordType; 16] = [
    RecordType::A,
    RecordType::AAAA,
    RecordType::CNAME,
    RecordType::MX,
    RecordType::NS,
    RecordType::SOA,
    RecordType::TXT,
    RecordType::SRV,
    RecordType::PTR,
    RecordType::CAA,
    RecordType::DS,
    RecordType::DNSKEY,
    RecordType::HTTPS,
    RecordType::SVCB,
    RecordType::ANY,
    RecordType::AXFR,
];
const RCODES: [(ResponseCode, &str); 7] = [
    (ResponseCode::NoError, "NOERROR"),
    (ResponseCode::NXDomain, "NXDOMAIN"),
    (ResponseCode::Refused, "REFUSED"),
    (ResponseCode::FormErr, "FORMERR"),
    (ResponseCode::ServFail, "SERVFAIL"),
    (ResponseCode::NotImp, "NOTIMP"),
    (ResponseCode::NotAuth, "NOTAUTH"),
];
/// The conventional name of an rcode (`NOERROR`, `NXDOMAIN`, ...), as in dig and in the
/// `rcode` label.
pub fn rcode_name(rcode: ResponseCode) -> std::borrow::Cow<'static, str> {
    match RCODES.iter().find(|c| c.0 == rcode) {
        Some((_, name)) => (*name).into(),
        None => u16::from(rcode).to_string().into(),
    }
}

/// The transport of a query.
#[derive(Debug, Clone, Copy)]
pub enum Proto {
    Udp = 0,
    Tcp = 1,
}

/// Grounds as metric labels: the hosting rule and the seven suspension codes.
const ACTIONS: [Action; 6] = [
    Action::Pass,
    Action::AuditOnly,
    Action::Filter,
    Action::Notice,
    Action::Refuse,
    Action::Suspended,
];

pub struct Metrics {
    pub registry: Registry,
    queries: [[IntCounter; QTYPES.len() + 1]; 2],
    responses: [IntCounter; RCODES.len() + 1],
    duration: Histogram,
    actions: IntCounterVec,
    pub unjudged: IntCounter,
    pub suspensions: IntGauge,
    pub exemptions: IntGauge,
    allowlist_ranges: IntGaugeVec,
    zone_records: IntGaugeVec,
    policy_reloads: IntCounterVec,
    policy_last_reload: IntGauge,
    zone_reloads: IntCounterVec,
    notice_requests: IntCounterVec,
    pub log_lines_suppressed: IntCounter,
}

/// The process's metrics.
pub fn metrics() -> &'static Metrics {
    static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);
    &METRICS
}

fn register<T: prometheus::core::Collector + Clone + 'static>(registry: &Registry, metric: T) -> T {
    registry
        .register(Box::new(metric.clone()))
        .expect("metric names are unique");
    metric
}

impl Metrics {
    fn new() -> Self {
        let registry = Registry::new();
        let r = &registry;
        let build = register(
            r,
            IntGaugeVec::new(Opts::new(BUILD_INFO, "kzdns version"), &["version"]).unwrap(),
        );
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        let queries_vec = register(
            r,
            IntCounterVec::new(
                Opts::new(
                    DNS_QUERIES,
                    "DNS queries answered by our handler, by transport and type",
                ),
                &["protocol", "qtype"],
            )
            .unwrap(),
        );
        let qtype_label = |i: usize| QTYPES.get(i).map_or("other".to_owned(), |t| t.to_string());
        let queries = [0, 1].map(|proto| {
            let proto = if proto == 0 { "udp" } else { "tcp" };
            std::array::from_fn(|i| queries_vec.with_label_values(&[proto, &qtype_label(i)]))
        });
        let responses_vec = register(
            r,
            IntCounterVec::new(
                Opts::new(DNS_RESPONSES, "DNS responses sent, by rcode"),
                &["rcode"],
            )
            .unwrap(),
        );
        let responses = std::array::from_fn(|i| {
            responses_vec.with_label_values(&[RCODES.get(i).map_or("other", |c| c.1)])
        });
        let duration = register(
            r,
            Histogram::with_opts(
                HistogramOpts::new(
                    DNS_REQUEST_DURATION,
                    "Time from a decoded query to its reply handed to the socket",
                )
                .buckets(vec![
                    0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01,
                    0.025, 0.1,
                ]),
            )
            .unwrap(),
        );
        let actions = register(
            r,
            IntCounterVec::new(
                Opts::new(POLICY_ACTIONS, "Answers the policy judged, by action and ground (pass = judged and left as is)"),
                &["action", "ground"],
            )
            .unwrap(),
        );
        let unjudged = register(
            r,
            IntCounter::new(
                POLICY_UNJUDGED,
                "Answers whose CNAME chain left our zones and could not be judged",
            )
            .unwrap(),
        );
        let suspensions = register(
            r,
            IntGauge::new(POLICY_SUSPENSIONS, "Suspended domains loaded").unwrap(),
        );
        let exemptions = register(
            r,
            IntGauge::new(POLICY_EXEMPTIONS, "Hosting exemptions loaded").unwrap(),
        );
        let allowlist_ranges = register(
            r,
            IntGaugeVec::new(
                Opts::new(
                    ALLOWLIST_RANGES,
                    "Disjoint address ranges in Kazakhstan in the compiled allowlist",
                ),
                &["family"],
            )
            .unwrap(),
        );
        let zone_records = register(
            r,
            IntGaugeVec::new(
                Opts::new(ZONE_RECORDS, "Records per loaded zone"),
                &["zone"],
            )
            .unwrap(),
        );
        let policy_reloads = register(
            r,
            IntCounterVec::new(
                Opts::new(POLICY_RELOADS, "Policy reloads, by result"),
                &["result"],
            )
            .unwrap(),
        );
        let policy_last_reload = register(
            r,
            IntGauge::new(
                POLICY_LAST_RELOAD,
                "Unix time of the last policy load that succeeded",
            )
            .unwrap(),
        );
        let zone_reloads = register(
            r,
            IntCounterVec::new(
                Opts::new(ZONE_RELOADS, "Zone reloads, by result"),
                &["result"],
            )
            .unwrap(),
        );
        let notice_requests = register(
            r,
            IntCounterVec::new(
                Opts::new(NOTICE_REQUESTS, "Notice page responses, by HTTP status"),
                &["status"],
            )
            .unwrap(),
        );
        let log_lines_suppressed = register(
            r,
            IntCounter::new(
                LOG_LINES_SUPPRESSED,
                "Policy-action log lines not written because of log.policy_lines_per_second",
            )
            .unwrap(),
        );
        for result in ["success", "failure"] {
            policy_reloads.with_label_values(&[result]);
            zone_reloads.with_label_values(&[result]);
        }
        Self {
            registry,
            queries,
            responses,
            duration,
            actions,
            unjudged,
            suspensions,
            exemptions,
            allowlist_ranges,
            zone_records,
            policy_reloads,
            policy_last_reload,
            zone_reloads,
            notice_requests,
            log_lines_suppressed,
        }
    }

    /// One query answered: its transport and type, the rcode sent and the time it took.
    pub fn query(&self, proto: Proto, qtype: RecordType, rcode: ResponseCode, took: Duration) {
        let q = QTYPES
            .iter()
            .position(|t| *t == qtype)
            .unwrap_or(QTYPES.len());
        self.queries[proto as usize][q].inc();
        let r = RCODES
            .iter()
            .position(|c| c.0 == rcode)
            .unwrap_or(RCODES.len());
        self.responses[r].inc();
        self.duration.observe(took.as_secs_f64());
    }

    /// A policy action on an answer, under a ground (`hosting-outside-kz` or a suspension code).
    pub fn action(&self, action: Action, ground: &str) {
        debug_assert!(ACTIONS.contains(&action));
        self.actions
            .with_label_values(&[action.as_str(), ground])
            .inc();
    }

    /// A policy snapshot went live (at start-up or by a reload).
    pub fn policy_loaded(&self, policy: &Policy, reload: bool) {
        self.suspensions.set(policy.suspensions.len() as i64);
        self.exemptions.set(policy.exemptions.len() as i64);
        let stats = policy.allowlist.stats();
        self.allowlist_ranges
            .with_label_values(&["ipv4"])
            .set(stats.table_ranges.v4 as i64);
        self.allowlist_ranges
            .with_label_values(&["ipv6"])
            .set(stats.table_ranges.v6 as i64);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.policy_last_reload.set(now as i64);
        if reload {
            self.policy_reloads.with_label_values(&["success"]).inc();
        }
    }

    pub fn policy_reload_failed(&self) {
        self.policy_reloads.with_label_values(&["failure"]).inc();
    }

    /// A zone set went live.
    pub fn zones_loaded(&self, zones: &ZoneSet, reload: bool) {
        self.zone_records.reset();
        for zone in zones.zones() {
            self.zone_records
                .with_label_values(&[&zone.origin().to_ascii()])
                .set(zone.record_count() as i64);
        }
        if reload {
            self.zone_reloads.with_label_values(&["success"]).inc();
        }
    }

    pub fn zone_reload_failed(&self) {
        self.zone_reloads.with_label_values(&["failure"]).inc();
    }

    pub fn notice_response(&self, status: u16) {
        self.notice_requests
            .with_label_values(&[&status.to_string()])
            .inc();
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let encoder = TextEncoder::new();
        // Encoding into a Vec cannot fail for well-formed metrics.
        let _ = encoder.encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// Binds `metrics.listen` and logs the bound address, like the other listeners, before any of
/// them serves.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, crate::server::BindError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| crate::server::BindError {
            addr,
            proto: "metrics",
            source,
        })?;
    if let Ok(addr) = listener.local_addr() {
        info!("listening on metrics {addr}");
    }
    Ok(listener)
}

/// Serves `GET /metrics` until `shutdown`.
pub async fn serve(listener: TcpListener, shutdown: CancellationToken) -> std::io::Result<()> {
    let app = Router::new().route(
        "/metrics",
        get(|| async {
            (
                [(CONTENT_TYPE, prometheus::TEXT_FORMAT)],
                metrics().render(),
            )
        }),
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
}
