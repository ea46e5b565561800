//! `kzdns rpz export` and `kzdns rpz import`: the suspension list as a Response Policy Zone for
//! other resolvers, and an RPZ zone's QNAME triggers taken in as suspensions.

use std::{collections::BTreeMap, fs, path::PathBuf, time::UNIX_EPOCH};

use hickory_proto::rr::Name;

use super::{
    ConfigArg,
    suspend::{RELOAD_HINT, reasons_help, suspensions_path, today},
};
use crate::{
    ExitError,
    config::Config,
    names::normalize,
    policy::{
        PolicyError,
        edit::{self, NewRow, RowOutcome, display, display_name},
        suspensions,
    },
    rpz::{self, DEFAULT_NOTICE_TARGET, DEFAULT_ORIGIN, RpzError, RpzTarget},
};

#[derive(Debug, clap::Args)]
pub struct RpzArgs {
    #[command(subcommand)]
    pub command: RpzCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum RpzCommand {
    /// Write the suspension list as an RPZ zone file (draft-vixie-dnsop-dns-rpz) that BIND,
    /// Unbound, Knot Resolver or PowerDNS can load: two QNAME triggers per suspended domain
    /// (the domain and `*.` below it).
    Export(ExportArgs),
    /// Add the QNAME triggers of an RPZ zone file as suspensions, all on one ground. Other
    /// triggers (rpz-ip, rpz-nsdname, rpz-nsip, rpz-client-ip), rpz-passthru and rpz-tcp-only
    /// entries, names outside .kz / .қаз and names already suspended are skipped and reported.
    #[command(after_help = reasons_help())]
    Import(ImportArgs),
}

/// A domain name as operators type it (Unicode or punycode, any case).
fn parse_name(s: &str) -> Result<Name, String> {
    normalize(s)
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The policy zone's origin: owners are `<domain>.<origin>`.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_ORIGIN, value_parser = parse_name)]
    pub origin: Name,
    /// Send suspended names to this host: `CNAME <NAME>` (resolvers answer with its addresses).
    #[arg(
        long, value_name = "NAME", default_value = DEFAULT_NOTICE_TARGET, value_parser = parse_name,
        conflicts_with_all = ["notice_addresses", "nxdomain"]
    )]
    pub notice_target: Name,
    /// Answer suspended names with the notice page's addresses as local data (A and AAAA from
    /// the config's [notice] ipv4 / ipv6) instead of a CNAME.
    #[arg(long, conflicts_with = "nxdomain")]
    pub notice_addresses: bool,
    /// Answer suspended names NXDOMAIN (`CNAME .`) instead of sending them to the notice page.
    #[arg(long)]
    pub nxdomain: bool,
    /// SOA serial. Default: suspensions.csv's modification time in unix seconds, which rises on
    /// every `kzdns suspend` / `unsuspend`.
    #[arg(long, value_name = "N")]
    pub serial: Option<u32>,
    /// Write the zone to this file (replaced atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArg,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The RPZ zone file (RFC 1035 syntax).
    pub file: PathBuf,
    /// The ground of every added suspension: one of the seven codes below.
    #[arg(long, value_name = "CODE")]
    pub reason: String,
    /// The decision or case the suspensions rest on.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub reference: String,
    /// The date they take effect, YYYY-MM-DD. Default: today (UTC).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Note on every added row. Default: `imported from RPZ zone <origin> (<file name>)`.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The policy zone's origin. Default: the owner of the file's SOA record (its $ORIGIN).
    #[arg(long, value_name = "NAME", value_parser = parse_name)]
    pub origin: Option<Name>,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run(args: RpzArgs) -> Result<(), ExitError> {
    match args.command {
        RpzCommand::Export(args) => export(args),
        RpzCommand::Import(args) => import(args),
    }
}

/// The serial a file's mtime gives: unix seconds (1 when there is no file yet).
fn mtime_serial(path: &std::path::Path) -> u32 {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(1, |d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX))
}

fn export(args: ExportArgs) -> Result<(), ExitError> {
    let config = Config::load(args.config.config.as_deref())?;
    let path = suspensions_path(&config, false)?;
    let list = suspensions::load(&path).map_err(PolicyError::from)?;
    let serial = args.serial.unwrap_or_else(|| mtime_serial(&path));
    let target = if args.nxdomain {
        RpzTarget::Nxdomain
    } else if args.notice_addresses {
        RpzTarget::NoticeAddresses {
            v4: config.notice.ipv4,
            v6: config.notice.ipv6,
        }
    } else {
        RpzTarget::NoticeHost(args.notice_target)
    };
    let text = rpz::render_zone(
        &list,
        &args.origin,
        &target,
        serial,
        time::OffsetDateTime::now_utc(),
        &path.display().to_string(),
    );
    let left_out = rpz::too_long(&list, &args.origin).len();
    if left_out > 0 {
        eprintln!(
            "kzdns: warning: {left_out} suspension(s) too long to fit under {} were left out \
             (named in the zone's header comment)",
            args.origin.to_ascii()
        );
    }
    match &args.output {
        None => print!("{text}"),
        Some(output) => {
            edit::write_atomic(output, text.as_bytes())?;
            println!(
                "wrote {} ({} suspensions, serial {serial}, origin {})",
                output.display(),
                list.len() - left_out,
                args.origin.to_ascii()
            );
        }
    }
    Ok(())
}

/// At most this many names are printed per group of the import report.
const REPORT_NAMES: usize = 10;

fn import(args: ImportArgs) -> Result<(), ExitError> {
    let since = args.since.unwrap_or_else(today);
    // The fields every row shares are validated before anything is read.
    NewRow::new("probe.kz", &args.reason, &args.reference, &since, "")?;
    let text = fs::read_to_string(&args.file).map_err(|source| RpzError::Io {
        path: args.file.clone(),
        source,
    })?;
    let triggers = rpz::read_triggers(&args.file, &text, args.origin.as_ref())?;
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let note = args.note.unwrap_or_else(|| {
        format!(
            "imported from RPZ zone {} ({file_name})",
            triggers.origin.to_ascii()
        )
    });
    // Skip groups: why → names.
    let mut skipped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (owner, why) in &triggers.skipped {
        skipped
            .entry(why.to_string())
            .or_default()
            .push(owner.to_ascii());
    }
    let mut rows = Vec::with_capacity(triggers.domains.len());
    for domain in &triggers.domains {
        let ascii = display_name(domain);
        match NewRow::new(&ascii, &args.reason, &args.reference, &since, &note) {
            Ok(row) => rows.push(row),
            Err(_) => skipped
                .entry("not a domain under .kz / .қаз".into())
                .or_default()
                .push(ascii),
        }
    }
    let path = suspensions_path(&Config::load(args.config.config.as_deref())?, true)?;
    let outcomes = if rows.is_empty() {
        Vec::new()
    } else {
        edit::update(&path, |text| {
            let added = edit::add(&path, text.unwrap_or(""), rows)?;
            Ok((added.text, added.outcomes))
        })?
    };
    let (mut added, mut below) = (Vec::new(), 0);
    for outcome in outcomes {
        match outcome {
            RowOutcome::Added {
                suspension, parent, ..
            } => {
                below += usize::from(parent.is_some());
                added.push(display(&suspension.domain));
            }
            RowOutcome::Duplicate { existing, .. } => skipped
                .entry("already suspended".into())
                .or_default()
                .push(format!(
                    "{} (line {}, {})",
                    display(&existing.domain),
                    existing.line,
                    existing.reason
                )),
        }
    }
    let skipped_count: usize = skipped.values().map(Vec::len).sum();
    println!(
        "{}: policy zone {}, {} QNAME triggers",
        args.file.display(),
        triggers.origin.to_ascii(),
        triggers.domains.len()
    );
    if !added.is_empty() {
        println!(
            "  added {} to {}: {}",
            added.len(),
            path.display(),
            abbreviated(&added)
        );
    }
    if below > 0 {
        println!("  note: {below} of them lie below a domain that was already suspended");
    }
    for (why, names) in &skipped {
        println!("  skipped {}, {why}: {}", names.len(), abbreviated(names));
    }
    println!("added {}, skipped {skipped_count}", added.len());
    if !added.is_empty() {
        println!("{RELOAD_HINT}");
    }
    Ok(())
}

/// `a, b, c and 12 more`.
fn abbreviated(names: &[String]) -> String {
    let shown = names[..names.len().min(REPORT_NAMES)].join(", ");
    match names.len().saturating_sub(REPORT_NAMES) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_abbreviated() {
        let names: Vec<String> = (0..13).map(|i| format!("n{i}.kz")).collect();
        assert_eq!(abbreviated(&names[..2]), "n0.kz, n1.kz");
        assert!(abbreviated(&names).ends_with("n9.kz and 3 more"));
    }
}
