//! The `kzdns` binary: parse the command line, run, map errors to exit codes. Logging starts in
//! the subcommand, once the config (which may choose the log format) is read.

use std::process::ExitCode;

use clap::Parser;
use kzdns::cli::Cli;

fn main() -> ExitCode {
    match Cli::parse().run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kzdns: error: {error}");
            ExitCode::FAILURE
        }
    }
}
