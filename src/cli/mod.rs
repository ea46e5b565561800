//! The command line: one file per subcommand.

mod check;
mod serve;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::{
    ExitError,
    logging::{self, LogFormat},
};

/// kzdns: a DNS server for .KZ / .ҚАЗ that enforces Kazakhstan's domain rules.
#[derive(Debug, Parser)]
#[command(name = "kzdns", version, about, propagate_version = true)]
pub struct Cli {
    /// Log format on stderr (default: the config's `log.format`, else text).
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve DNS for the zones in zones/ (UDP and TCP on every dns.listen address).
    Serve(serve::ServeArgs),
    /// Explain what kzdns answers for a name and why (records, allowlist evidence, verdict).
    Check(check::CheckArgs),
}

/// Where the config comes from; shared by every subcommand.
#[derive(Debug, clap::Args)]
pub struct ConfigArg {
    /// Config file (TOML). Default: kzdns.toml in the working directory when present, else the
    /// built-in defaults.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl Cli {
    pub fn run(self) -> Result<(), ExitError> {
        match self.command {
            Command::Serve(args) => serve::run(args, self.log_format),
            Command::Check(args) => {
                logging::init(self.log_format.unwrap_or_default());
                check::run(args)
            }
        }
    }
}
