//! Process signals: SIGTERM and Ctrl-C cancel the one shutdown token; SIGHUP asks for a reload.

use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio_util::sync::CancellationToken;
use tracing::info;

/// The installed handlers. Installed before the server says it is listening, so a signal sent
/// as soon as the addresses are logged is never lost to the default action.
pub struct Signals {
    term: Signal,
    int: Signal,
    hup: Signal,
}

impl Signals {
    /// Must be called inside the tokio runtime.
    pub fn install() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// Runs until shutdown: cancels `shutdown` on SIGTERM/SIGINT and calls `on_hup` on SIGHUP.
    pub async fn watch(mut self, shutdown: CancellationToken, on_hup: impl Fn() + Send + 'static) {
        loop {
            tokio::select! {
                _ = self.term.recv() => { info!("SIGTERM received"); break; }
                _ = self.int.recv() => { info!("interrupt received"); break; }
                _ = self.hup.recv() => { info!("SIGHUP received: reloading"); on_hup(); }
                _ = shutdown.cancelled() => return,
            }
        }
        shutdown.cancel();
    }
}
