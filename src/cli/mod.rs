//! The command line: one file per subcommand.

mod check;
mod rpz;
mod serve;
mod suspend;

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
    /// Suspend a .KZ / .ҚАЗ domain and every name below it: adds a row to suspensions.csv
    /// (validated, locked, written atomically).
    Suspend(suspend::SuspendArgs),
    /// Lift a domain's suspension: removes its row from suspensions.csv.
    Unsuspend(suspend::UnsuspendArgs),
    /// List the suspensions (domain in punycode and Unicode, reason, reference, since, note).
    Suspensions(suspend::SuspensionsArgs),
    /// The suspension list as a Response Policy Zone: export it, import one.
    Rpz(rpz::RpzArgs),
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
        // `serve` starts logging once its config (which may choose the format) is read; the
        // other commands log in the format given here.
        let format = self.log_format;
        let log = || logging::init(format.unwrap_or_default());
        match self.command {
            Command::Serve(args) => serve::run(args, format),
            Command::Check(args) => {
                log();
                check::run(args)
            }
            Command::Suspend(args) => {
                log();
                suspend::run_suspend(args)
            }
            Command::Unsuspend(args) => {
                log();
                suspend::run_unsuspend(args)
            }
            Command::Suspensions(args) => {
                log();
                suspend::run_list(args)
            }
            Command::Rpz(args) => {
                log();
                rpz::run(args)
            }
        }
    }
}
