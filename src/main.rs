//! The `kzdns` binary: parse the command line, start logging, run, map errors to exit codes.

use std::{io::IsTerminal, process::ExitCode};

use clap::Parser;
use kzdns::cli::Cli;
use tracing_subscriber::EnvFilter;

/// Logging when RUST_LOG is unset: our info lines, and only warnings from the libraries (hickory
/// logs every request at info).
const DEFAULT_LOG_FILTER: &str = "info,hickory_server=warn,hickory_proto=warn,hickory_net=warn";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kzdns: error: {error}");
            ExitCode::FAILURE
        }
    }
}
