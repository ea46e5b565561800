//! `kzdns serve`: load config and zones, bind, serve DNS and the notice page until SIGTERM;
//! `--check` loads and exits.

use std::{net::SocketAddr, sync::Arc};

use arc_swap::ArcSwap;
use sd_notify::NotifyState;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::ConfigArg;
use crate::{
    ExitError,
    config::Config,
    logging::{self, LogFormat},
    metrics,
    notice::{self, NoticeListeners, NoticeState},
    policy::Policy,
    reload::Reloader,
    server::{self, Listeners},
    signals::Signals,
    zones::ZoneSet,
};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Load config and zones, report, and exit (0 when all is good) without serving.
    #[arg(long)]
    pub check: bool,
    /// Listen on these addresses instead of dns.listen (repeatable; port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: Vec<SocketAddr>,
    /// Use this port on every listen address.
    #[arg(long)]
    pub port: Option<u16>,
}

pub fn run(args: ServeArgs, log_format: Option<LogFormat>) -> Result<(), ExitError> {
    let mut config = Config::load(args.config.config.as_deref())?;
    logging::init(log_format.unwrap_or(config.log.format));
    if !args.listen.is_empty() {
        config.dns.listen = args.listen;
    }
    if let Some(port) = args.port {
        config.dns.listen.iter_mut().for_each(|a| a.set_port(port));
    }
    info!(config = %config.source_name(), "configuration loaded");
    let zones = load_zones(&config)?;
    let policy = load_policy(&config)?;

    if args.check {
        println!("config {}: ok", config.source_name());
        let stats = policy.allowlist.stats();
        println!(
            "policy {}: ok, mode {}, allowlist {} IPv4 + {} IPv6 ranges, {} exemptions",
            config.policy.dir.display(),
            config.policy.mode,
            stats.table_ranges.v4,
            stats.table_ranges.v6,
            policy.exemptions.len()
        );
        for zone in zones.zones() {
            println!(
                "zone {}: ok, serial {}, {} records, {} names",
                zone.origin(),
                zone.serial(),
                zone.record_count(),
                zone.node_count()
            );
        }
        if notice::check_tls(&config.notice)? {
            println!("notice https certificate and key: ok");
        }
        return Ok(());
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let signals = Signals::install()?;
        let listeners = Listeners::bind(&config.dns.listen).await?;
        let notice_listeners = NoticeListeners::bind(&config.notice).await?;
        let metrics_listener = metrics::bind(config.metrics.listen).await?;
        let zones = Arc::new(ArcSwap::from_pointee(zones));
        let policy = Arc::new(ArcSwap::from_pointee(policy));
        let notice_state = NoticeState::new(zones.clone(), policy.clone(), &config.notice);
        let shutdown = CancellationToken::new();
        let reloader = Reloader::new(config.clone(), zones.clone(), policy.clone());
        match reloader.watch_policy() {
            Ok(watch) => drop(tokio::spawn(watch.run(shutdown.clone()))),
            Err(error) => warn!(
                dir = %config.policy.dir.display(), %error,
                "cannot watch the policy folder; reload with SIGHUP"
            ),
        }
        let on_hup = move || {
            let reloader = reloader.clone();
            tokio::task::spawn_blocking(move || {
                let mut reloading = vec![NotifyState::Reloading];
                reloading.extend(NotifyState::monotonic_usec_now());
                tell_systemd(&reloading);
                reloader.reload_all();
                tell_systemd(&[NotifyState::Ready]);
            });
        };
        tokio::spawn(signals.watch(shutdown.clone(), on_hup));
        metrics::metrics().zones_loaded(&zones.load(), false);
        metrics::metrics().policy_loaded(&policy.load(), false);
        let notice = notice::serve(notice_listeners, notice_state, shutdown.clone());
        let metrics_server = metrics::serve(metrics_listener, shutdown.clone());
        let stopping = shutdown.clone();
        // `biased`: polled in this order, the three servers log their bound addresses on their
        // first poll, so systemd hears READY=1 only after every "listening on" line.
        let (dns, (), metrics_result, ()) = tokio::join!(
            biased;
            server::serve(&config, zones, policy, listeners, shutdown),
            notice,
            metrics_server,
            async move {
                tell_systemd(&[NotifyState::Ready]);
                stopping.cancelled().await;
                tell_systemd(&[NotifyState::Stopping]);
            },
        );
        dns?;
        metrics_result?;
        Ok(())
    })
}

/// Tells systemd (`Type=notify`) what the server is doing; nothing when NOTIFY_SOCKET is unset.
fn tell_systemd(state: &[NotifyState]) {
    if let Err(error) = sd_notify::notify(state) {
        warn!(%error, "cannot notify systemd (NOTIFY_SOCKET)");
    }
}

fn load_zones(config: &Config) -> Result<ZoneSet, ExitError> {
    let zones = ZoneSet::load_dir(&config.zones.dir)?;
    for zone in zones.zones() {
        info!(
            zone = %zone.origin(), serial = zone.serial(), records = zone.record_count(),
            "zone loaded"
        );
    }
    if zones.is_empty() {
        warn!(dir = %config.zones.dir.display(), "no *.zone files: every query will be REFUSED");
    }
    Ok(zones)
}

fn load_policy(config: &Config) -> Result<Policy, ExitError> {
    let policy = Policy::load(config)?;
    let stats = policy.allowlist.stats();
    info!(
        dir = %config.policy.dir.display(), mode = %config.policy.mode,
        allowlist_v4_ranges = stats.table_ranges.v4, allowlist_v6_ranges = stats.table_ranges.v6,
        exemptions = policy.exemptions.len(), suspensions = policy.suspensions.len(),
        "policy loaded"
    );
    Ok(policy)
}
