//! The notice page: an HTTP server inside the kzdns process that tells a person who opens a
//! suspended (or, in `notice` mode, non-compliant) name what happened and what to do, in Kazakh,
//! Russian and English.
//!
//! * [`lookup`] — finds why a host is here: the suspension covering it, or the hosting violation
//!   for which the DNS side sends it here (the same judgement, [`crate::enforce::judge`]).
//! * [`page`] — renders the HTML (inline CSS, no scripts, every policy value escaped).
//! * [`texts`] — the seven grounds and the page's wording in kk, ru and en.
//! * [`listen`] — the HTTP and optional HTTPS listeners, graceful shutdown.
//!
//! Routes: `GET /healthz` → `ok` for probes; any other path → the notice for the `Host` (200) or,
//! where the Host has none, for `?domain=NAME` (how people reach it through the notice server's
//! own name); else a short neutral page (404). HEAD everywhere. Every response carries the security headers of
//! [`finish`].

mod listen;
pub mod lookup;
pub mod page;
pub mod texts;

use std::{sync::Arc, time::Instant};

use arc_swap::ArcSwap;
use axum::{
    Router,
    body::Body,
    extract::State,
    http::{
        HeaderMap, HeaderName, HeaderValue, StatusCode, Uri,
        header::{
            ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST,
            REFERRER_POLICY, VARY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
        },
    },
    middleware::map_response,
    response::Response,
    routing::get,
};
use hickory_proto::rr::Name;
use tracing::debug;

pub use listen::{NoticeError, NoticeListeners, check_tls, serve};
use lookup::Finding;
use texts::Lang;

use crate::{
    config::NoticeConfig, enforce::NoticeTargets, metrics::metrics, policy::Policy, zones::ZoneSet,
};

/// The probe path.
pub const HEALTH_PATH: &str = "/healthz";

const HTML: &str = "text/html; charset=utf-8";

/// What every notice handler needs: the live snapshots (shared with the DNS handler, so a reload
/// shows at once) and the page's settings.
#[derive(Clone)]
pub struct NoticeState {
    zones: Arc<ArcSwap<ZoneSet>>,
    policy: Arc<ArcSwap<Policy>>,
    /// `notice.contact`, shown under "whom to contact".
    contact: Arc<str>,
    /// The addresses the DNS side hands out for rewritten names: needed to judge, as the DNS
    /// side does, whether a hosting violation is sent here.
    targets: NoticeTargets,
}

impl NoticeState {
    pub fn new(
        zones: Arc<ArcSwap<ZoneSet>>,
        policy: Arc<ArcSwap<Policy>>,
        config: &NoticeConfig,
    ) -> Self {
        Self {
            zones,
            policy,
            contact: config.contact.as_str().into(),
            targets: NoticeTargets {
                ipv4: config.ipv4,
                ipv6: config.ipv6,
            },
        }
    }
}

/// The notice page's routes.
pub fn router(state: NoticeState) -> Router {
    Router::new()
        .route(HEALTH_PATH, get(healthz))
        // Any other path on any host: people follow deep links into a suspended site.
        .fallback_service(get(notice).with_state(state))
        .layer(map_response(finish))
}

async fn healthz() -> Response {
    let mut response = Response::new(Body::from("ok\n"));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

async fn notice(State(state): State<NoticeState>, headers: HeaderMap, uri: Uri) -> Response {
    let started = Instant::now();
    // An absolute-form request's authority wins over Host (RFC 9112 §3.2.2).
    let raw_host = uri.authority().map(|a| a.as_str()).or_else(|| {
        headers
            .get(HOST)
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
    });
    let order = Lang::order(headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let find = |host: Name| {
        let today = time::OffsetDateTime::now_utc().date();
        let (policy, zones) = (state.policy.load(), state.zones.load());
        lookup::find(&host, &policy, &zones, state.targets, today)
    };
    // The Host first; where it has nothing to say (the notice server's own name), the name in
    // `?domain=`.
    let finding = match raw_host.and_then(lookup::host_name).map(find) {
        Some(found @ (Finding::Suspended { .. } | Finding::Hosting { .. })) => found,
        _ => uri
            .query()
            .and_then(lookup::queried_name)
            .map_or(Finding::NotHere, find),
    };
    let status = match finding {
        Finding::NotHere => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    };
    let body = page::render(&finding, &state.contact, order);
    debug!(
        host = raw_host.unwrap_or(""), path = %uri.path(), status = status.as_u16(),
        elapsed_us = started.elapsed().as_micros() as u64, "notice page"
    );
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(HTML));
    // The page's language order follows Accept-Language.
    headers.insert(VARY, HeaderValue::from_static("Accept-Language"));
    response
}

/// Headers on every response, whatever route, status or method; and the count by status.
/// Counts every response by status and sets the security headers on it.
async fn finish(mut response: Response) -> Response {
    metrics().notice_response(response.status().as_u16());
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, CACHE_CONTROL, "no-store");
    set(headers, X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, REFERRER_POLICY, "no-referrer");
    set(headers, X_FRAME_OPTIONS, "DENY");
    if let Ok(csp) = HeaderValue::from_str(&page::CONTENT_SECURITY_POLICY) {
        headers.insert(CONTENT_SECURITY_POLICY, csp);
    }
    if !headers.contains_key(CONTENT_TYPE) {
        set(headers, CONTENT_TYPE, HTML);
    }
    // axum sets Content-Length from the body before it empties HEAD responses, so HEAD and GET
    // carry the same one.
    response
}
