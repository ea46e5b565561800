//! `kzdns suspend`, `kzdns unsuspend` and `kzdns suspensions`: the operator's edits of
//! suspensions.csv (validated, locked and atomic: see [`crate::policy::edit`]) and its listing.

use std::{io, path::PathBuf};

use super::ConfigArg;
use crate::{
    ExitError,
    config::Config,
    names::normalize,
    policy::{
        Reason, SUSPENSIONS_FILE, Suspension,
        edit::{self, Current, EditError, NewRow, RowOutcome, display, display_name},
        suspensions,
    },
};

/// The seven codes and their grounds, for `--help`.
pub fn reasons_help() -> String {
    let mut help = String::from("Reasons (Rules No. 38/НҚ, paragraph 16):\n");
    for reason in Reason::ALL {
        help.push_str(&format!(
            "  {:<22} {}. {}\n",
            reason.code(),
            reason.subparagraph(),
            reason.summary()
        ));
    }
    help
}

#[derive(Debug, clap::Args)]
#[command(after_help = reasons_help())]
pub struct SuspendArgs {
    /// The domain: Unicode or punycode, any case (`пример.қаз`, `Bad.KZ.`). The suspension
    /// covers it and every name below it.
    pub domain: String,
    /// The ground: one of the seven codes below.
    #[arg(long, value_name = "CODE")]
    pub reason: String,
    /// The decision or case it rests on (court decision number, CERT ticket, ...).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub reference: String,
    /// Free text, shown on the notice page.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub note: String,
    /// The date it takes effect, YYYY-MM-DD. Default: today (UTC).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    #[command(flatten)]
    pub config: ConfigArg,
}

#[derive(Debug, clap::Args)]
pub struct UnsuspendArgs {
    /// The domain whose own suspension is lifted (any spelling). Names listed below it keep
    /// theirs.
    pub domain: String,
    #[command(flatten)]
    pub config: ConfigArg,
}

#[derive(Debug, clap::Args)]
#[command(after_help = reasons_help())]
pub struct SuspensionsArgs {
    /// Only the suspensions on this ground.
    #[arg(long, value_name = "CODE")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub config: ConfigArg,
}

/// Today's date in UTC, as the file writes dates.
pub fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

/// suspensions.csv of the configured policy folder, which must exist for an edit.
pub fn suspensions_path(config: &Config, for_edit: bool) -> Result<PathBuf, ExitError> {
    let dir = &config.policy.dir;
    if for_edit && !dir.is_dir() {
        return Err(EditError::Io {
            path: dir.clone(),
            source: io::Error::new(
                io::ErrorKind::NotFound,
                "the policy folder (policy.dir) does not exist",
            ),
        }
        .into());
    }
    Ok(dir.join(SUSPENSIONS_FILE))
}

fn load(config: &ConfigArg) -> Result<Config, ExitError> {
    Ok(Config::load(config.config.as_deref())?)
}

/// `ground, reference …, since …` for messages.
fn describe(s: &Suspension) -> String {
    let mut text = format!(
        "{}, Rules 38/NK p.16({})",
        s.reason,
        s.reason.subparagraph()
    );
    if !s.reference.is_empty() {
        text.push_str(&format!("; reference {}", s.reference));
    }
    text.push_str(&format!("; since {}", s.since));
    text
}

/// `bad.kz` or `xn--e1afmkfd.xn--80ao21a (пример.қаз)`.
fn both_spellings(s: &Suspension) -> String {
    let ascii = display(&s.domain);
    let unicode = unicode_name(s);
    if unicode == ascii {
        ascii
    } else {
        format!("{ascii} ({unicode})")
    }
}

fn unicode_name(s: &Suspension) -> String {
    s.domain.to_utf8().trim_end_matches('.').to_owned()
}

/// Printed after an edit.
pub const RELOAD_HINT: &str =
    "a running server picks this up by itself (it watches the policy folder; SIGHUP also reloads)";

/// Exit 0 when the domain is added, and when it is already suspended on the same ground (the
/// state asked for holds: re-running a suspension is harmless); an existing suspension on another
/// ground is an error, since the ground asked for is not the one in force.
pub fn run_suspend(args: SuspendArgs) -> Result<(), ExitError> {
    let since = args.since.unwrap_or_else(today);
    let row = NewRow::new(
        &args.domain,
        &args.reason,
        &args.reference,
        &since,
        &args.note,
    )?;
    let path = suspensions_path(&load(&args.config)?, true)?;
    let mut outcome = edit::update(&path, |text| {
        let added = edit::add(&path, text.unwrap_or(""), vec![row])?;
        Ok((added.text, added.outcomes))
    })?;
    match outcome.remove(0) {
        RowOutcome::Added {
            suspension,
            parent,
            below,
        } => {
            println!(
                "suspended {}: {} [{}:{}]",
                both_spellings(&suspension),
                describe(&suspension),
                path.display(),
                suspension.line
            );
            if let Some(parent) = parent {
                println!(
                    "note: {} is already suspended (line {}, {}); the new, more specific entry \
                     wins for {} and the names below it",
                    display(&parent.domain),
                    parent.line,
                    parent.reason,
                    display(&suspension.domain)
                );
            }
            if !below.is_empty() {
                let names: Vec<String> = below
                    .iter()
                    .map(|s| format!("{} (line {}, {})", display(&s.domain), s.line, s.reason))
                    .collect();
                println!(
                    "note: listed below it, keeping their own entries: {}",
                    names.join(", ")
                );
            }
            println!("{RELOAD_HINT}");
            Ok(())
        }
        RowOutcome::Duplicate {
            requested,
            existing,
        } => {
            if existing.reason != requested.reason {
                return Err(EditError::OtherReason {
                    path,
                    domain: display(&existing.domain),
                    line: existing.line,
                    existing: existing.reason,
                    requested: requested.reason,
                }
                .into());
            }
            println!(
                "{} is already suspended: {} [{}:{}]; nothing changed",
                both_spellings(&existing),
                describe(&existing),
                path.display(),
                existing.line
            );
            Ok(())
        }
    }
}

/// Exit 0 when the row is removed; not listed is an error (exit 1).
pub fn run_unsuspend(args: UnsuspendArgs) -> Result<(), ExitError> {
    let domain = normalize(&args.domain).map_err(|e| EditError::Row(format!("domain: {e}")))?;
    let path = suspensions_path(&load(&args.config)?, true)?;
    let (lifted, still_covered) = edit::update(&path, |text| {
        let Some(text) = text else {
            return Err(EditError::NotListed {
                path: path.clone(),
                domain: display_name(&domain),
                covered_by: None,
            });
        };
        let (new_text, lifted) = edit::remove(&path, text, &domain)?;
        let still = Current::parse(&path, &new_text)?
            .covering(&lifted.domain)
            .cloned();
        Ok((Some(new_text), (lifted, still)))
    })?;
    println!(
        "unsuspended {} (was: {}): removed line {} of {}",
        both_spellings(&lifted),
        describe(&lifted),
        lifted.line,
        path.display()
    );
    if let Some(parent) = still_covered {
        println!(
            "note: it stays suspended through {} (line {}, {})",
            display(&parent.domain),
            parent.line,
            parent.reason
        );
    }
    println!("{RELOAD_HINT}");
    Ok(())
}

/// Lists the suspensions as a table, in file order; exit 0 (also when there are none).
pub fn run_list(args: SuspensionsArgs) -> Result<(), ExitError> {
    let filter = args
        .reason
        .as_deref()
        .map(|r| {
            r.parse::<Reason>()
                .map_err(|e| EditError::Row(format!("reason: {e}")))
        })
        .transpose()?;
    let path = suspensions_path(&load(&args.config)?, false)?;
    let all = suspensions::load(&path).map_err(crate::policy::PolicyError::from)?;
    let mut shown: Vec<&Suspension> = all
        .values()
        .filter(|s| filter.is_none_or(|r| s.reason == r))
        .collect();
    shown.sort_by_key(|s| s.line);
    print!("{}", table(&shown));
    let count = |n: usize| format!("{n} suspension{}", if n == 1 { "" } else { "s" });
    match filter {
        Some(reason) => println!(
            "{} for {reason} (of {}) in {}",
            count(shown.len()),
            all.len(),
            path.display()
        ),
        None => println!("{} in {}", count(shown.len()), path.display()),
    }
    Ok(())
}

/// The listing's table: columns padded to their widest cell (in characters).
fn table(rows: &[&Suspension]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let header = [
        "DOMAIN",
        "UNICODE",
        "REASON",
        "REFERENCE",
        "SINCE",
        "LINE",
        "NOTE",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|s| {
            [
                display(&s.domain),
                unicode_name(s),
                s.reason.to_string(),
                one_line(&s.reference),
                s.since.to_string(),
                s.line.to_string(),
                one_line(&s.note),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            text.push_str(cell);
            if i + 1 < cells.len() {
                let pad = w - cell.chars().count() + 2;
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header);
    for row in &cells {
        line(&row.each_ref().map(String::as_str));
    }
    out
}

/// `-` for empty text; line breaks shown as spaces.
fn one_line(text: &str) -> String {
    if text.is_empty() {
        return "-".into();
    }
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn the_table_aligns_unicode_columns() {
        let map = suspensions::parse(
            Path::new("s.csv"),
            "domain,reason,reference,since,note\nпример.қаз,court-order,,2026-10-01,\"a\nb\"\n\
             bad.kz,malware,CERT-1,2026-11-02,\n",
        )
        .unwrap();
        let mut rows: Vec<&Suspension> = map.values().collect();
        rows.sort_by_key(|s| s.line);
        let text = table(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "DOMAIN                    UNICODE     REASON       REFERENCE  SINCE       LINE  NOTE"
        );
        assert_eq!(
            lines[1],
            "xn--e1afmkfd.xn--80ao21a  пример.қаз  court-order  -          2026-10-01  2     a b"
        );
        assert_eq!(
            lines[2],
            "bad.kz                    bad.kz      malware      CERT-1     2026-11-02  4     -"
        );
    }

    #[test]
    fn help_lists_every_code() {
        let help = reasons_help();
        for reason in Reason::ALL {
            assert!(help.contains(reason.code()), "{help}");
        }
    }
}
