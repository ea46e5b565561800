//! `kzdns serve`: load config and zones, bind, serve until SIGTERM; `--check` loads and exits.

use std::{net::SocketAddr, sync::Arc};

use arc_swap::ArcSwap;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use super::ConfigArg;
use crate::{
    ExitError,
    config::Config,
    policy::Policy,
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

pub fn run(args: ServeArgs) -> Result<(), ExitError> {
    let mut config = Config::load(args.config.config.as_deref())?;
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
        return Ok(());
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let signals = Signals::install()?;
        let listeners = Listeners::bind(&config.dns.listen).await?;
        let zones = Arc::new(ArcSwap::from_pointee(zones));
        let policy = Arc::new(ArcSwap::from_pointee(policy));
        let shutdown = CancellationToken::new();
        let reload = {
            let (zones, policy, config) = (zones.clone(), policy.clone(), config.clone());
            move || {
                reload_zones(&config, &zones);
                reload_policy(&config, &policy);
            }
        };
        tokio::spawn(signals.watch(shutdown.clone(), reload));
        server::serve(&config, zones, policy, listeners, shutdown).await?;
        Ok(())
    })
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

/// SIGHUP: reload the policy; a bad file keeps the policy in force.
fn reload_policy(config: &Config, policy: &ArcSwap<Policy>) {
    match load_policy(config) {
        Ok(fresh) => policy.store(Arc::new(fresh)),
        Err(error) => error!(%error, "policy reload rejected; the previous policy stays in force"),
    }
}

/// SIGHUP: reload every zone; a bad file keeps the zones already being served.
fn reload_zones(config: &Config, zones: &ArcSwap<ZoneSet>) {
    match load_zones(config) {
        Ok(fresh) => {
            info!(zones = fresh.len(), "zones reloaded");
            zones.store(Arc::new(fresh));
        }
        Err(error) => error!(%error, "zone reload rejected; still serving the previous zones"),
    }
}
