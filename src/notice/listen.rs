//! The notice page's listeners: plain HTTP on `notice.listen`, and HTTPS on `notice.tls_listen`
//! when configured (rustls, ring provider). HTTP/1.1 through hyper, with a header-read timeout so
//! a slow client cannot hold a connection open for free; on shutdown the listeners close, idle
//! connections are dropped and requests in flight get [`DRAIN_TIMEOUT`] to finish.

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use axum::Router;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tokio_rustls::{
    TlsAcceptor,
    rustls::{
        self,
        pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
    },
};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::{NoticeState, router};
use crate::{
    config::{NoticeConfig, NoticeTls},
    server::BindError,
};

/// A client must send its request headers within this time.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A TLS client must finish its handshake within this time.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// After shutdown, requests in flight get this long before the process exits anyway.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The notice server could not start.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error(transparent)]
    Bind(#[from] BindError),
    /// The `[notice]` settings do not fit together.
    #[error("{0}")]
    Config(String),
    /// The certificate or key file is missing, unreadable or not usable.
    #[error("{}: {message}", path.display())]
    Tls { path: PathBuf, message: String },
}

/// The bound sockets of the notice page, with the TLS acceptor for the HTTPS one.
pub struct NoticeListeners {
    http: TcpListener,
    https: Option<(TcpListener, TlsAcceptor)>,
}

impl NoticeListeners {
    /// Loads the certificate (when HTTPS is configured) and binds both listeners.
    pub async fn bind(config: &NoticeConfig) -> Result<Self, NoticeError> {
        let http = bind(config.listen, "http").await?;
        let https = match tls_settings(config)? {
            Some(tls) => {
                let acceptor = acceptor(&tls)?;
                Some((bind(tls.listen, "https").await?, acceptor))
            }
            None => None,
        };
        Ok(Self { http, https })
    }

    /// The bound addresses, for logs and tests.
    pub fn local_addrs(&self) -> Vec<(&'static str, SocketAddr)> {
        let https = self.https.as_ref().map(|(l, _)| ("https", l));
        [("http", &self.http)]
            .into_iter()
            .chain(https)
            .filter_map(|(proto, l)| Some((proto, l.local_addr().ok()?)))
            .collect()
    }
}

/// Checks that the HTTPS certificate and key load (for `kzdns serve --check`); `Ok(false)` when
/// HTTPS is not configured.
pub fn check_tls(config: &NoticeConfig) -> Result<bool, NoticeError> {
    match tls_settings(config)? {
        Some(tls) => acceptor(&tls).map(|_| true),
        None => Ok(false),
    }
}

/// `notice.tls_*` (a config read from a file was already checked; this covers one built in code).
fn tls_settings(config: &NoticeConfig) -> Result<Option<NoticeTls>, NoticeError> {
    config.tls().map_err(NoticeError::Config)
}

async fn bind(addr: SocketAddr, proto: &'static str) -> Result<TcpListener, BindError> {
    TcpListener::bind(addr).await.map_err(|source| BindError {
        addr,
        proto,
        source,
    })
}

/// A rustls acceptor for the configured PEM chain and key.
fn acceptor(tls: &NoticeTls) -> Result<TlsAcceptor, NoticeError> {
    let error = |path: &PathBuf, message: String| NoticeError::Tls {
        path: path.clone(),
        message,
    };
    let certs = CertificateDer::pem_file_iter(&tls.cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| error(&tls.cert, format!("certificate chain: {e}")))?;
    if certs.is_empty() {
        return Err(error(&tls.cert, "no CERTIFICATE block found".into()));
    }
    let key = PrivateKeyDer::from_pem_file(&tls.key)
        .map_err(|e| error(&tls.key, format!("private key: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .map_err(|e| {
            error(
                &tls.key,
                format!("certificate and key do not fit together: {e}"),
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves the notice page on `listeners` until `shutdown` is cancelled, then drains.
pub async fn serve(listeners: NoticeListeners, state: NoticeState, shutdown: CancellationToken) {
    for (proto, addr) in listeners.local_addrs() {
        info!("listening on {proto} {addr}");
    }
    let app = router(state);
    let http = accept_loop(listeners.http, None, app.clone(), shutdown.clone());
    match listeners.https {
        Some((listener, acceptor)) => {
            let https = accept_loop(listener, Some(acceptor), app, shutdown);
            tokio::join!(http, https);
        }
        None => http.await,
    }
}

/// Accepts connections until shutdown; each is served on its own task.
async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    shutdown: CancellationToken,
) {
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    warn!(%error, "notice page: accept failed");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let watcher = graceful.watcher();
        let app = app.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let service = TowerToHyperService::new(app);
            let result = match tls {
                None => watcher.watch(connection(stream, service)).await,
                Some(acceptor) => {
                    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    {
                        Ok(Ok(stream)) => watcher.watch(connection(stream, service)).await,
                        Ok(Err(error)) => {
                            debug!(%peer, %error, "notice page: TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            debug!(%peer, "notice page: TLS handshake timed out");
                            return;
                        }
                    }
                }
            };
            if let Err(error) = result {
                debug!(%peer, %error, "notice page: connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        warn!("notice page: connections still open after the drain timeout; closing them");
    }
}

/// One HTTP/1.1 connection over a plain or TLS stream.
fn connection<S>(
    stream: S,
    service: TowerToHyperService<Router>,
) -> hyper::server::conn::http1::Connection<TokioIo<S>, TowerToHyperService<Router>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service)
}
