//! Our hickory `RequestHandler`: one place where every query is answered, so that EDNS, the
//! policy check and EDE (later) all act on the reply before it is encoded.
//!
//! hickory's `Catalog` builds the reply's EDNS itself and hides the records from anything that
//! could rewrite them, so kzdns answers from its own zone store and builds the reply here.

use std::{
    borrow::Cow,
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Instant,
};

use arc_swap::ArcSwap;
use hickory_proto::{
    op::{Edns, Header, HeaderCounts, Metadata, OpCode, ResponseCode},
    rr::{DNSClass, Name, Record, RecordType},
    serialize::binary::BinEncoder,
};
use hickory_server::{
    net::{runtime::Time, xfer::Protocol},
    server::{Request, RequestHandler, ResponseHandler, ResponseInfo},
    zone_handler::MessageResponseBuilder,
};
use ipnet::IpNet;
use tracing::{debug, info, warn};

use crate::{
    enforce::NoticeTargets,
    log_limit::{LogLimit, Permit},
    metrics::{Proto, metrics},
    policy::{Policy, Reason, Verdict},
    respond::{Decision, Outcome, respond},
    rpz::{self, RpzRecords, RpzTarget},
    zones::{Answer, ZoneSet, record_wire_len},
};

/// Header (12) plus OPT record with room for options: slack added to the sections' size before
/// deciding that an answer surely fits a UDP payload without encoding it.
const FIXED_OVERHEAD: usize = 12 + 11 + 64;

/// Records per AXFR message are capped by their uncompressed size, keeping each message under
/// the 64 KiB of a TCP DNS message with room for the header, question and OPT.
const AXFR_CHUNK_BYTES: usize = 60 * 1024;

/// Settings the handler needs from the config.
#[derive(Debug, Clone)]
pub struct HandlerSettings {
    /// Cap on the UDP payload we send, whatever larger size the client offers.
    pub max_udp_payload: u16,
    /// Networks allowed to transfer zones.
    pub allow_transfer: Vec<IpNet>,
    /// Addresses handed out for rewritten names.
    pub notice: NoticeTargets,
    /// `log.queries`: one log line per query.
    pub query_log: bool,
    /// `log.policy_lines_per_second`: cap on policy-action log lines (0: none).
    pub policy_lines_per_second: u32,
    /// The live RPZ feed, when `rpz.enabled`.
    pub rpz: Option<RpzFeed>,
}

/// Where the RPZ feed lives and what it sends suspended names to.
#[derive(Debug, Clone)]
pub struct RpzFeed {
    pub origin: Name,
    pub notice_target: Name,
}

/// Answers DNS queries from the current zone and policy snapshots.
pub struct DnsHandler {
    zones: Arc<ArcSwap<ZoneSet>>,
    policy: Arc<ArcSwap<Policy>>,
    log_limit: LogLimit,
    settings: HandlerSettings,
}

impl DnsHandler {
    pub fn new(
        zones: Arc<ArcSwap<ZoneSet>>,
        policy: Arc<ArcSwap<Policy>>,
        settings: HandlerSettings,
    ) -> Self {
        Self {
            zones,
            policy,
            log_limit: LogLimit::new(settings.policy_lines_per_second),
            settings,
        }
    }

    fn transfer_allowed(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.settings
            .allow_transfer
            .iter()
            .any(|net| net.contains(&ip))
    }

    /// The reply's OPT record: present only when the query had one (RFC 6891 §6.1.1).
    fn response_edns(&self, request: &Request) -> Option<Edns> {
        let req = request.edns.as_ref()?;
        let mut edns = Edns::new();
        edns.set_version(0);
        edns.set_max_payload(
            req.max_payload()
                .clamp(512, self.settings.max_udp_payload.max(512)),
        );
        Some(edns)
    }
}

#[async_trait::async_trait]
impl RequestHandler for DnsHandler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response_handle: R,
    ) -> ResponseInfo {
        let started = Instant::now();
        let info = self.reply(request, response_handle).await;
        let proto = match request.protocol() {
            Protocol::Tcp => Proto::Tcp,
            _ => Proto::Udp,
        };
        let query = request.queries.queries().first();
        let qtype = query.map_or(RecordType::Unknown(0), |q| q.query_type());
        let took = started.elapsed();
        metrics().query(proto, qtype, info.response_code, took);
        if self.settings.query_log {
            info!(
                target: "kzdns::query",
                client = %request.src(), protocol = %request.protocol(),
                name = %query.map_or_else(String::new, |q| q.name().to_string()), %qtype,
                rcode = %crate::metrics::rcode_name(info.response_code), answers = info.counts().answers,
                micros = took.as_micros() as u64, "query"
            );
        }
        info
    }
}

impl DnsHandler {
    /// Answers one request; every reply is built here.
    async fn reply<R: ResponseHandler>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let mut response_edns = self.response_edns(request);
        let edns = response_edns.as_ref();
        let failure = if request.edns.as_ref().is_some_and(|e| e.version() > 0) {
            Some(ResponseCode::BADVERS)
        } else if request.metadata.op_code != OpCode::Query {
            Some(ResponseCode::NotImp)
        } else {
            None
        };
        if let Some(code) = failure {
            return send_error(request, code, edns, &mut response_handle).await;
        }
        let Ok(info) = request.request_info() else {
            // RFC 9619: exactly one question.
            return send_error(request, ResponseCode::FormErr, edns, &mut response_handle).await;
        };
        let query = info.query;
        let (qname, qtype) = (query.name(), query.query_type());
        if query.query_class() != DNSClass::IN {
            return send_error(request, ResponseCode::Refused, edns, &mut response_handle).await;
        }
        if let Some(feed) = &self.settings.rpz
            && feed.origin.zone_of(qname)
        {
            return self
                .rpz(request, feed, qname, qtype, edns, &mut response_handle)
                .await;
        }
        match qtype {
            RecordType::AXFR | RecordType::IXFR => {
                return self
                    .transfer(request, qname, edns, &mut response_handle)
                    .await;
            }
            RecordType::OPT => {
                return send_error(request, ResponseCode::FormErr, edns, &mut response_handle)
                    .await;
            }
            _ => {}
        }

        let zones = self.zones.load();
        let policy = self.policy.load();
        let today = time::OffsetDateTime::now_utc().date();
        let outcome = respond(&zones, &policy, qname, qtype, self.settings.notice, today);
        log_decision(&self.log_limit, request.src(), qname, qtype, &outcome);
        if let (Some(ede), Some(edns)) = (&outcome.ede, response_edns.as_mut()) {
            ede.attach(edns);
        }
        debug!(
            src = %request.src(), name = %qname, %qtype, rcode = %outcome.answer.rcode(),
            answers = outcome.answer.answers.len(), "query"
        );
        send_answer(
            request,
            &outcome.answer,
            response_edns.as_ref(),
            &mut response_handle,
        )
        .await
    }
}

/// Counts every policy decision, and logs each action once at a level operators keep on in
/// production — up to `log.policy_lines_per_second`, beyond which lines are counted and the
/// count is reported in the next line written.
fn log_decision(
    limit: &LogLimit,
    src: SocketAddr,
    qname: &Name,
    qtype: RecordType,
    outcome: &Outcome<'_, '_>,
) {
    let action = outcome.action.as_str();
    match &outcome.decision {
        Decision::Suspended(s) => metrics().action(outcome.action, s.reason.code()),
        Decision::Hosting(Verdict::NotChecked) => return,
        Decision::Hosting(Verdict::Unjudged) => {
            metrics().action(outcome.action, Reason::HostingOutsideKz.code());
            metrics().unjudged.inc();
        }
        Decision::Hosting(_) => metrics().action(outcome.action, Reason::HostingOutsideKz.code()),
    }
    let worth_a_line = match &outcome.decision {
        Decision::Hosting(Verdict::Compliant | Verdict::InfraHost) => false,
        Decision::Hosting(Verdict::Exempt(_)) => tracing::enabled!(tracing::Level::DEBUG),
        _ => true,
    };
    if !worth_a_line {
        return;
    }
    let suppressed = match limit.check() {
        Permit::Write { suppressed_before } => suppressed_before,
        Permit::Suppress => {
            metrics().log_lines_suppressed.inc();
            return;
        }
    };
    match &outcome.decision {
        Decision::Suspended(s) => info!(
            %src, name = %qname, %qtype, action, ground = %s.reason, reference = %s.reference,
            domain = %s.domain, suppressed, "policy action"
        ),
        Decision::Hosting(Verdict::Violation { foreign, expired }) => {
            if let Some(e) = expired {
                warn!(name = %qname, exemption = %e.domain, expired = %e.expires, "policy: exemption expired; it no longer applies");
            }
            info!(
                %src, name = %qname, %qtype, action, ground = "hosting-outside-kz",
                addresses = ?foreign, suppressed, "policy action"
            );
        }
        Decision::Hosting(Verdict::Unjudged) => info!(
            %src, name = %qname, %qtype, suppressed,
            "policy: CNAME chain leaves our zones and no resolver follows it; not judged"
        ),
        Decision::Hosting(Verdict::Exempt(e)) => debug!(
            %src, name = %qname, %qtype, provider = %e.provider, document = %e.document,
            "policy: exempt"
        ),
        Decision::Hosting(_) => {}
    }
}

impl DnsHandler {
    /// AXFR (and IXFR, answered with the full zone as RFC 1995 §4 allows) over TCP to allowed
    /// clients only.
    async fn transfer<R: ResponseHandler>(
        &self,
        request: &Request,
        qname: &Name,
        edns: Option<&Edns>,
        response_handle: &mut R,
    ) -> ResponseInfo {
        if let Some(refusal) = self.transfer_refusal(request, qname) {
            return send_error(request, refusal, edns, response_handle).await;
        }
        let zones = self.zones.load();
        let Some(zone) = zones.get(qname) else {
            return send_error(request, ResponseCode::NotAuth, edns, response_handle).await;
        };
        info!(src = %request.src(), zone = %zone.origin(), serial = zone.serial(), records = zone.record_count(), "zone transfer");
        let mut records: Vec<Cow<'_, Record>> = Vec::with_capacity(zone.record_count() + 1);
        for record in zone.transfer_records().into_iter().chain([zone.soa()]) {
            records.push(Cow::Borrowed(record));
        }
        send_transfer(request, edns, response_handle, records.into_iter()).await
    }

    /// Why a transfer request is refused, if it is: transfers need TCP (RFC 5936 §4.2; BIND
    /// answers FORMERR over UDP too) and a client listed in `zones.allow_transfer`.
    fn transfer_refusal(&self, request: &Request, qname: &Name) -> Option<ResponseCode> {
        if request.protocol() != Protocol::Tcp {
            return Some(ResponseCode::FormErr);
        }
        if !self.transfer_allowed(request.src().ip()) {
            info!(src = %request.src(), zone = %qname, "zone transfer refused: client not in zones.allow_transfer");
            return Some(ResponseCode::Refused);
        }
        None
    }

    /// Queries for the RPZ feed's zone: SOA and NS at its apex (secondaries ask for the SOA
    /// before they transfer), the whole zone by AXFR, streamed from the live suspension list.
    /// Anything else under it is refused: the zone is for transfer, not for lookups.
    async fn rpz<R: ResponseHandler>(
        &self,
        request: &Request,
        feed: &RpzFeed,
        qname: &Name,
        qtype: RecordType,
        edns: Option<&Edns>,
        response_handle: &mut R,
    ) -> ResponseInfo {
        let at_apex = *qname == feed.origin;
        let policy = self.policy.load();
        let target = RpzTarget::NoticeHost(feed.notice_target.clone());
        match qtype {
            RecordType::AXFR | RecordType::IXFR if at_apex => {
                if let Some(refusal) = self.transfer_refusal(request, qname) {
                    return send_error(request, refusal, edns, response_handle).await;
                }
                info!(
                    src = %request.src(), zone = %feed.origin, serial = policy.rpz_serial,
                    suspensions = policy.suspensions.len(), "RPZ transfer"
                );
                let [soa, _] = rpz::apex_records(&feed.origin, &target, policy.rpz_serial);
                let records =
                    RpzRecords::new(&policy.suspensions, &feed.origin, target, policy.rpz_serial)
                        .chain([soa])
                        .map(Cow::Owned);
                send_transfer(request, edns, response_handle, records).await
            }
            RecordType::SOA | RecordType::NS if at_apex => {
                let [soa, ns] = rpz::apex_records(&feed.origin, &target, policy.rpz_serial);
                let record = if qtype == RecordType::SOA { soa } else { ns };
                let mut metadata = Metadata::response_from_request(&request.metadata);
                metadata.authoritative = true;
                let message = builder(request, edns).build(metadata, [&record], [], [], []);
                send(request, message, response_handle).await
            }
            _ => send_error(request, ResponseCode::Refused, edns, response_handle).await,
        }
    }
}

/// Sends a zone transfer: the records in messages of at most [`AXFR_CHUNK_BYTES`] each.
async fn send_transfer<'r, R: ResponseHandler>(
    request: &Request,
    edns: Option<&Edns>,
    response_handle: &mut R,
    records: impl Iterator<Item = Cow<'r, Record>>,
) -> ResponseInfo {
    let mut metadata = Metadata::response_from_request(&request.metadata);
    metadata.authoritative = true;
    let mut records = records.peekable();
    let mut last = None;
    let mut chunk: Vec<Cow<'r, Record>> = Vec::new();
    while records.peek().is_some() {
        let mut bytes = 0;
        chunk.clear();
        while let Some(record) = records.peek() {
            let len = record_wire_len(record);
            if !chunk.is_empty() && bytes + len > AXFR_CHUNK_BYTES {
                break;
            }
            bytes += len;
            chunk.extend(records.next());
        }
        let message =
            builder(request, edns).build(metadata, chunk.iter().map(|r| &**r), [], [], []);
        match response_handle.send_response(message).await {
            Ok(info) => last = Some(info),
            Err(error) => {
                warn!(src = %request.src(), %error, "zone transfer aborted");
                return failed(request);
            }
        }
    }
    last.unwrap_or_else(|| failed(request))
}

/// Sends an answer; over UDP, a reply that does not fit the payload is sent with TC and empty
/// sections so the client retries over TCP (RFC 2181 §9) and the OPT record is never cut off.
async fn send_answer<R: ResponseHandler>(
    request: &Request,
    answer: &Answer<'_>,
    edns: Option<&Edns>,
    response_handle: &mut R,
) -> ResponseInfo {
    let mut metadata = Metadata::response_from_request(&request.metadata);
    metadata.authoritative = answer.authoritative;
    metadata.response_code = answer.rcode();

    let sections = || {
        (
            answer.answers.iter().map(|r| &**r),
            answer.authority.iter().map(|r| &**r),
            answer.additional.iter().map(|r| &**r),
        )
    };
    if request.protocol() == Protocol::Udp {
        let limit = usize::from(edns.map_or(512, Edns::max_payload));
        let options: usize = edns.map_or(0, |e| {
            e.options()
                .as_ref()
                .iter()
                .map(|(_, o)| 4 + usize::from(o.len()))
                .sum()
        });
        let upper_bound =
            FIXED_OVERHEAD + request.queries.as_bytes().len() + answer.wire_len + options;
        if upper_bound > limit && !fits(request, metadata, &sections, edns, limit) {
            metadata.truncation = true;
            let empty = std::iter::empty::<&Record>;
            let message =
                builder(request, edns).build(metadata, empty(), empty(), empty(), empty());
            return send(request, message, response_handle).await;
        }
    }
    let (answers, authority, additional) = sections();
    let message = builder(request, edns).build(metadata, answers, authority, [], additional);
    send(request, message, response_handle).await
}

/// Encodes the reply once to see whether it fits `limit` bytes.
fn fits<'a, A, N, D>(
    request: &Request,
    metadata: Metadata,
    sections: &impl Fn() -> (A, N, D),
    edns: Option<&Edns>,
    limit: usize,
) -> bool
where
    A: Iterator<Item = &'a Record> + Send + 'a,
    N: Iterator<Item = &'a Record> + Send + 'a,
    D: Iterator<Item = &'a Record> + Send + 'a,
{
    let (answers, authority, additional) = sections();
    let message = builder(request, edns).build(metadata, answers, authority, [], additional);
    let mut buf = Vec::with_capacity(limit);
    let mut encoder = BinEncoder::new(&mut buf);
    encoder.set_max_size(u16::try_from(limit).unwrap_or(u16::MAX));
    message
        .destructive_emit(&mut encoder)
        .is_ok_and(|info| !info.truncation)
}

fn builder<'q>(request: &'q Request, edns: Option<&'q Edns>) -> MessageResponseBuilder<'q> {
    MessageResponseBuilder::new(&request.queries, edns)
}

async fn send_error<R: ResponseHandler>(
    request: &Request,
    code: ResponseCode,
    edns: Option<&Edns>,
    response_handle: &mut R,
) -> ResponseInfo {
    let message = builder(request, edns).error_msg(&request.metadata, code);
    send(request, message, response_handle).await
}

async fn send<'a, R: ResponseHandler>(
    request: &Request,
    message: hickory_server::zone_handler::MessageResponse<
        '_,
        'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
    >,
    response_handle: &mut R,
) -> ResponseInfo {
    match response_handle.send_response(message).await {
        Ok(info) => info,
        Err(error) => {
            warn!(src = %request.src(), %error, "could not send reply");
            failed(request)
        }
    }
}

/// What we report to hickory when no reply could be sent.
fn failed(request: &Request) -> ResponseInfo {
    let mut metadata = Metadata::response_from_request(&request.metadata);
    metadata.response_code = ResponseCode::ServFail;
    ResponseInfo::from(Header {
        metadata,
        counts: HeaderCounts::default(),
    })
}
