//! Logs: human-readable lines by default, JSON (one object a line) for log shippers. `RUST_LOG`
//! sets the filter.

use std::io::IsTerminal;

use serde::Deserialize;
use tracing_subscriber::EnvFilter;

/// Logging when RUST_LOG is unset: our info lines, and only warnings from the libraries (hickory
/// logs every request at info).
const DEFAULT_FILTER: &str = "info,hickory_server=warn,hickory_proto=warn,hickory_net=warn";

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event (colours on a terminal).
    #[default]
    Text,
    /// One JSON object per line, for Loki, Elasticsearch, journald exporters.
    Json,
}

/// Installs the global subscriber, writing to stderr. Call once.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}
