//! Process signals: SIGTERM and Ctrl-C cancel the one shutdown token; SIGHUP asks for a reload.

use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Runs until shutdown: cancels `shutdown` on SIGTERM/SIGINT and calls `on_hup` on each SIGHUP.
pub async fn watch(shutdown: CancellationToken, on_hup: impl Fn() + Send + 'static) {
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        warn!("cannot install signal handlers; stop kzdns with SIGKILL");
        return;
    };
    loop {
        tokio::select! {
            _ = term.recv() => { info!("SIGTERM received"); break; }
            _ = int.recv() => { info!("interrupt received"); break; }
            _ = hup.recv() => { info!("SIGHUP received: reloading"); on_hup(); }
            _ = shutdown.cancelled() => return,
        }
    }
    shutdown.cancel();
}
