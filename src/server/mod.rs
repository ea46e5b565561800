//! The DNS listeners: bind every configured address for UDP and TCP, log what was bound, serve
//! through [`DnsHandler`] until the shutdown token fires, then drain.

mod handler;

use std::{io, net::SocketAddr, sync::Arc};

use arc_swap::ArcSwap;
use hickory_server::Server;
use tokio::net::{TcpListener, UdpSocket};
use tokio_util::sync::CancellationToken;
use tracing::info;

pub use handler::{DnsHandler, HandlerSettings, RpzFeed};

use crate::{config::Config, enforce::NoticeTargets, policy::Policy, zones::ZoneSet};

/// Replies that may queue on one TCP connection. hickory writes a connection's queue only between
/// requests, so a zone transfer (one request, many messages) queues all of its messages before
/// the first is written: the bound must exceed the messages of the largest transfer (a 1 M-entry
/// RPZ feed is about 2,000 messages). The queue is a linked list: the bound costs nothing unused.
const TCP_RESPONSE_BUFFER: usize = 1 << 16;
/// How often binding a random port for UDP and then TCP is retried when TCP finds it taken.
const PORT_ZERO_ATTEMPTS: usize = 32;

/// A socket could not be bound.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr} ({proto}): {source}")]
pub struct BindError {
    pub addr: SocketAddr,
    pub proto: &'static str,
    pub source: io::Error,
}

/// The sockets of every `dns.listen` address, UDP and TCP on the same port.
pub struct Listeners {
    pub udp: Vec<UdpSocket>,
    pub tcp: Vec<TcpListener>,
}

impl Listeners {
    /// Binds all addresses. Port 0 picks one free port that UDP and TCP share, so a test or a
    /// user reading the log gets one address to query.
    pub async fn bind(addrs: &[SocketAddr]) -> Result<Self, BindError> {
        let mut this = Self {
            udp: Vec::new(),
            tcp: Vec::new(),
        };
        for &addr in addrs {
            let (udp, tcp) = bind_pair(addr).await?;
            this.udp.push(udp);
            this.tcp.push(tcp);
        }
        Ok(this)
    }

    /// The bound addresses, UDP then TCP, for logs and tests.
    pub fn local_addrs(&self) -> Vec<(&'static str, SocketAddr)> {
        let udp = self
            .udp
            .iter()
            .filter_map(|s| s.local_addr().ok())
            .map(|a| ("udp", a));
        let tcp = self
            .tcp
            .iter()
            .filter_map(|s| s.local_addr().ok())
            .map(|a| ("tcp", a));
        udp.chain(tcp).collect()
    }
}

async fn bind_pair(addr: SocketAddr) -> Result<(UdpSocket, TcpListener), BindError> {
    let err = |proto, source| BindError {
        addr,
        proto,
        source,
    };
    if addr.port() != 0 {
        let udp = UdpSocket::bind(addr).await.map_err(|e| err("udp", e))?;
        let tcp = TcpListener::bind(addr).await.map_err(|e| err("tcp", e))?;
        return Ok((udp, tcp));
    }
    let mut last = None;
    for _ in 0..PORT_ZERO_ATTEMPTS {
        let udp = UdpSocket::bind(addr).await.map_err(|e| err("udp", e))?;
        let port = udp.local_addr().map_err(|e| err("udp", e))?.port();
        match TcpListener::bind(SocketAddr::new(addr.ip(), port)).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) => last = Some(e),
        }
    }
    Err(err(
        "tcp",
        last.unwrap_or_else(|| io::Error::other("no free port")),
    ))
}

/// Serves DNS on `listeners` until `shutdown` is cancelled, then lets in-flight work finish.
pub async fn serve(
    config: &Config,
    zones: Arc<ArcSwap<ZoneSet>>,
    policy: Arc<ArcSwap<Policy>>,
    listeners: Listeners,
    shutdown: CancellationToken,
) -> io::Result<()> {
    let settings = HandlerSettings {
        max_udp_payload: config.dns.max_udp_payload,
        allow_transfer: config.zones.allow_transfer.clone(),
        notice: NoticeTargets {
            ipv4: config.notice.ipv4,
            ipv6: config.notice.ipv6,
        },
        query_log: config.log.queries,
        policy_lines_per_second: config.log.policy_lines_per_second,
        rpz: config.rpz.enabled.then(|| RpzFeed {
            origin: config.rpz.origin.clone(),
            notice_target: config.rpz.notice_target.clone(),
        }),
    };
    let mut server = Server::new(DnsHandler::new(zones, policy, settings));
    for (proto, addr) in listeners.local_addrs() {
        info!("listening on {proto} {addr}");
    }
    for socket in listeners.udp {
        server.register_socket(socket);
    }
    for listener in listeners.tcp {
        server.register_listener(listener, config.dns.tcp_idle_timeout(), TCP_RESPONSE_BUFFER);
    }
    shutdown.cancelled().await;
    info!("shutting down");
    server.shutdown_gracefully().await.map_err(io::Error::other)
}
