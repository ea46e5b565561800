//! Operator edits of suspensions.csv: validated text edits that keep every other line byte for
//! byte, and the locked, atomic rewrite of the file that the server watches.
//!
//! The edits are pure (text in, text out) so they can be tested without a file system:
//! [`add`] appends rows at the end, [`remove`] cuts exactly the lines of one row. [`update`] wraps
//! an edit in an exclusive advisory lock on `.suspensions.lock` beside the file (so concurrent
//! `kzdns suspend` runs serialise instead of losing each other's change) and
//! [`write_atomic`] replaces the file by rename, so a reader sees the old file or the new one,
//! never half of one.

use std::{
    fs::{self, File, OpenOptions, Permissions},
    io::{self, Write as _},
    ops::Range,
    os::unix::fs::{MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _},
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use hickory_proto::rr::Name;

use super::{
    csv_file::PolicyFileError,
    suspensions::{self, HEADER, Reason, Suspension, Suspensions},
};
use crate::names::{DomainKey, WireName};

/// The comment a new suspensions.csv starts with.
const NEW_FILE_COMMENT: &str = "\
# Suspended .KZ / .ҚАЗ domains (Rules No. 38/НҚ, paragraph 16), created by `kzdns suspend`.
# A suspension covers the domain and every name below it; the most specific entry wins.
# reason: false-registrant-data | malware | court-order | unresolved-incident | no-certificate |
#         hosting-outside-kz | phishing. since: YYYY-MM-DD.
";

/// Why an edit was refused or failed. Nothing is written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The file as it stands does not parse (the message names file and line).
    #[error("{0} (fix this line first: kzdns edits only a valid file)")]
    Invalid(PolicyFileError),
    /// The requested row is not a valid suspension (unknown reason, bad date, not a .kz name).
    #[error("{0}")]
    Row(String),
    /// Unsuspending a domain that has no row of its own.
    #[error("{domain} is not suspended in {}{}", path.display(), covered_hint(covered_by))]
    NotListed {
        path: PathBuf,
        domain: String,
        /// The listed ancestor that suspends it anyway: (domain, line).
        covered_by: Option<(String, usize)>,
    },
    /// Suspending an already suspended domain for a different reason.
    #[error(
        "{domain} is already suspended at {}:{line} for {existing}, not {requested}; nothing \
         changed (unsuspend it first to change the ground)", path.display()
    )]
    OtherReason {
        path: PathBuf,
        domain: String,
        line: usize,
        existing: Reason,
        requested: Reason,
    },
    /// The file's layout cannot be edited line by line (records sharing a line: bare CR endings).
    #[error("{}: {message}", path.display())]
    Layout { path: PathBuf, message: String },
    /// The edited text failed to parse again; a bug guard, nothing is written.
    #[error("the edited file would not parse, nothing written: {0}")]
    Result(PolicyFileError),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

fn covered_hint(covered_by: &Option<(String, usize)>) -> String {
    match covered_by {
        Some((parent, line)) => format!(
            " (it is covered by the suspension of {parent} on line {line}; unsuspend that to lift it)"
        ),
        None => String::new(),
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> EditError + '_ {
    move |source| EditError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A validated row to add, with the fields exactly as they will be written.
#[derive(Debug, Clone)]
pub struct NewRow {
    /// The parsed suspension (its `line` is set when the row is placed).
    pub suspension: Suspension,
    /// domain (punycode, lower case, no trailing dot), reason, reference, since, note; trimmed,
    /// because the reader trims them too.
    fields: [String; 5],
}

impl NewRow {
    /// Validates the fields with the rules of the file itself ([`suspensions::from_fields`]).
    pub fn new(
        domain: &str,
        reason: &str,
        reference: &str,
        since: &str,
        note: &str,
    ) -> Result<Self, EditError> {
        let raw = [domain, reason, reference, since, note].map(|f| f.trim().to_owned());
        if raw[0].split('.').any(|label| label == "*") {
            return Err(EditError::Row(format!(
                "domain: {:?} has a `*` label; a suspension already covers every name below \
                 its domain, so suspend the domain itself",
                raw[0]
            )));
        }
        let suspension = suspensions::from_fields(raw.each_ref().map(String::as_str), 0)
            .map_err(EditError::Row)?;
        let mut fields = raw;
        fields[0] = display(&suspension.domain);
        Ok(Self { suspension, fields })
    }

    /// The row as one CSV record, quoted where needed, without a line terminator.
    fn csv(&self) -> String {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        writer
            .write_record(&self.fields)
            .expect("writing to memory");
        let bytes = writer.into_inner().expect("writing to memory");
        let mut text = String::from_utf8(bytes).expect("fields are UTF-8");
        text.pop();
        text
    }
}

/// A parsed suspensions.csv text and where each of its rows is.
#[derive(Debug)]
pub struct Current {
    pub suspensions: Suspensions,
    /// The byte range of every data row's whole lines (terminators included), by first line.
    rows: Vec<(usize, Range<usize>)>,
    /// Whether a header line is present (an empty or comment-only file has none).
    has_header: bool,
    /// The file's line terminator: CRLF when its first line ends so, else LF.
    eol: &'static str,
    /// Lines in the text (a last line without a terminator counts).
    lines: usize,
}

impl Current {
    /// Validates `text` (the whole file must parse) and locates its rows.
    pub fn parse(path: &Path, text: &str) -> Result<Self, EditError> {
        let suspensions = suspensions::parse(path, text).map_err(EditError::Invalid)?;
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&i| i < text.len())
            .collect();
        let line_of = |byte: usize| starts.partition_point(|&s| s <= byte).max(1);
        let line_range = |first: usize, last: usize| {
            starts[first - 1]..starts.get(last).copied().unwrap_or(text.len())
        };
        let skippable = |line: usize| {
            let r = line_range(line, line);
            let l = &text[r];
            l.trim().is_empty() || l.starts_with('#')
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .comment(Some(b'#'))
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut rows = Vec::new();
        let mut has_header = false;
        let mut previous_last = 0;
        loop {
            // A record's position is where the previous one ended: skip the blank and comment
            // lines between (as csv_file does for line numbers).
            let mut before = reader.position().byte() as usize;
            let more = reader
                .read_record(&mut record)
                .map_err(|e| EditError::Layout {
                    path: path.to_owned(),
                    message: e.to_string(),
                })?;
            if !more {
                break;
            }
            let end = reader.position().byte() as usize;
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            // A CRLF terminator may be consumed up to its CR only.
            if text.as_bytes().get(before) == Some(&b'\n') {
                before += 1;
            }
            let mut first = line_of(before);
            while first < starts.len() && skippable(first) {
                first += 1;
            }
            let last = line_of(end.saturating_sub(1)).max(first);
            if first <= previous_last {
                return Err(EditError::Layout {
                    path: path.to_owned(),
                    message: format!(
                        "line {first} holds more than one CSV record (bare CR line endings?); \
                         edit it by hand"
                    ),
                });
            }
            previous_last = last;
            if has_header {
                rows.push((first, line_range(first, last)));
            } else {
                has_header = true;
            }
        }
        let eol = match text.find('\n') {
            Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        Ok(Self {
            suspensions,
            rows,
            has_header,
            eol,
            lines: starts.len(),
        })
    }

    /// The suspension listed for exactly `domain`, if any.
    pub fn get(&self, domain: &DomainKey) -> Option<&Suspension> {
        self.suspensions.get(domain.as_bytes())
    }

    /// The suspension that covers `domain`: its own, or its closest listed ancestor's.
    pub fn covering(&self, domain: &DomainKey) -> Option<&Suspension> {
        self.suspensions
            .covering(&WireName::new(&domain.to_name())?)
    }

    /// Listed domains strictly below `domain`.
    pub fn below(&self, domain: &DomainKey) -> Vec<&Suspension> {
        let mut below: Vec<&Suspension> = self
            .suspensions
            .values()
            .filter(|s| is_below(s.domain.as_bytes(), domain.as_bytes()))
            .collect();
        below.sort_by_key(|s| s.line);
        below
    }
}

/// What happened to one requested row.
#[derive(Debug, Clone)]
pub enum RowOutcome {
    /// Appended at this line.
    Added {
        suspension: Suspension,
        /// A listed ancestor that already covered the domain (the new, more specific row wins).
        parent: Option<Suspension>,
        /// Listed names below the domain, which keep their own rows (and grounds).
        below: Vec<Suspension>,
    },
    /// The domain already has a row (in the file, or earlier in the same request).
    Duplicate {
        requested: Suspension,
        existing: Suspension,
    },
}

/// The result of [`add`]: the new text (None when nothing was added) and one outcome per row.
#[derive(Debug)]
pub struct Added {
    pub text: Option<String>,
    pub outcomes: Vec<RowOutcome>,
}

/// Appends `rows` to `text` (the whole file; empty for a new one). A row for a domain that is
/// already listed (or listed earlier in `rows`) is not added. Every existing byte is kept: the
/// new rows go at the end, after a line terminator of the file's own kind when the last line
/// had none; a file without a header gets one (and a new file a short comment).
pub fn add(path: &Path, text: &str, rows: Vec<NewRow>) -> Result<Added, EditError> {
    let mut current = Current::parse(path, text)?;
    let eol = current.eol;
    let mut out = String::from(text);
    let mut line = current.lines;
    let push_line = |out: &mut String, line: &mut usize, s: &str| {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(eol);
        }
        out.push_str(s);
        out.push_str(eol);
        *line += 1 + s.matches('\n').count();
    };
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut added = false;
    for mut row in rows {
        let domain = row.suspension.domain.clone();
        if let Some(existing) = current.get(&domain) {
            outcomes.push(RowOutcome::Duplicate {
                requested: row.suspension,
                existing: existing.clone(),
            });
            continue;
        }
        let parent = current.covering(&domain).cloned();
        let below = current.below(&domain).into_iter().cloned().collect();
        if !current.has_header {
            if text.trim().is_empty() && out.is_empty() {
                for comment in NEW_FILE_COMMENT.lines() {
                    push_line(&mut out, &mut line, comment);
                }
            }
            push_line(&mut out, &mut line, &HEADER.join(","));
            current.has_header = true;
        }
        row.suspension.line = line + 1;
        push_line(&mut out, &mut line, &row.csv());
        current
            .suspensions
            .insert(row.suspension.clone())
            .expect("checked above: not listed");
        outcomes.push(RowOutcome::Added {
            suspension: row.suspension,
            parent,
            below,
        });
        added = true;
    }
    let text = added.then_some(out);
    if let Some(text) = &text {
        check_result(path, text)?;
    }
    Ok(Added { text, outcomes })
}

/// Removes the row of exactly `domain` (its whole lines, quoted continuation lines included);
/// every other byte is kept. Returns the new text and the suspension that was lifted.
pub fn remove(path: &Path, text: &str, domain: &Name) -> Result<(String, Suspension), EditError> {
    let current = Current::parse(path, text)?;
    let key = DomainKey::from_name(domain)
        .ok_or_else(|| EditError::Row(format!("domain: {} is too long", display_name(domain))))?;
    let Some(listed) = current.get(&key) else {
        return Err(EditError::NotListed {
            path: path.to_owned(),
            domain: display_name(domain),
            covered_by: current.covering(&key).map(|s| (display(&s.domain), s.line)),
        });
    };
    let (_, range) = current
        .rows
        .iter()
        .find(|(first, _)| *first == listed.line)
        .ok_or_else(|| EditError::Layout {
            path: path.to_owned(),
            message: format!("cannot locate line {} of the file", listed.line),
        })?;
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..range.start]);
    out.push_str(&text[range.end..]);
    check_result(path, &out)?;
    Ok((out, listed.clone()))
}

/// The edited text must parse like any file the server would load.
fn check_result(path: &Path, text: &str) -> Result<(), EditError> {
    suspensions::parse(path, text)
        .map(|_| ())
        .map_err(EditError::Result)
}

/// `bad.kz` for `bad.kz.`: names as operators type them, in messages.
pub fn display_name(name: &Name) -> String {
    name.to_ascii().trim_end_matches('.').to_owned()
}

/// [`display_name`] of a listed domain.
pub fn display(domain: &DomainKey) -> String {
    domain.to_ascii().trim_end_matches('.').to_owned()
}

/// Whether wire key `name` is strictly below wire key `ancestor` (both lower case).
fn is_below(name: &[u8], ancestor: &[u8]) -> bool {
    if name.len() <= ancestor.len() || !name.ends_with(ancestor) {
        return false;
    }
    // The suffix must start on a label boundary.
    let cut = name.len() - ancestor.len();
    let mut at = 0;
    while at < cut {
        at += 1 + usize::from(name[at]);
    }
    at == cut
}

/// The lock file that serialises edits of `path`: `.suspensions.lock` for `suspensions.csv`.
/// It is a separate file because the edited file itself is replaced by rename on every edit.
pub fn lock_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{stem}.lock"))
}

/// Runs `edit` on the file's current text (None when there is no file) while holding an
/// exclusive lock on [`lock_path`]; when it returns new text, writes it with [`write_atomic`].
pub fn update<T>(
    path: &Path,
    edit: impl FnOnce(Option<&str>) -> Result<(Option<String>, T), EditError>,
) -> Result<T, EditError> {
    let lock_file = lock_path(path);
    let lock = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_file)
        .or_else(|e| match e.kind() {
            // Someone else created it and we may not write it: a shared-read fd locks too.
            io::ErrorKind::PermissionDenied => File::open(&lock_file),
            _ => Err(e),
        })
        .map_err(io_error(&lock_file))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            tracing::info!(lock = %lock_file.display(), "another edit holds the lock; waiting");
            lock.lock().map_err(io_error(&lock_file))?;
        }
        Err(fs::TryLockError::Error(e)) => return Err(io_error(&lock_file)(e)),
    }
    // Write through a symlink to its target (an operator may link the file from elsewhere).
    let target = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path).map_err(io_error(path))?,
        _ => path.to_owned(),
    };
    let text = match fs::read_to_string(&target) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error(&target)(e)),
    };
    let (new_text, value) = edit(text.as_deref())?;
    if let Some(new_text) = new_text {
        write_atomic(&target, new_text.as_bytes())?;
    }
    drop(lock);
    Ok(value)
}

/// Replaces `path` with `bytes` atomically: a temporary file in the same folder, written and
/// fsynced, renamed over the original, then the folder fsynced. The original's permissions (and
/// owner, where allowed) are kept; its mtime is made to rise by at least a second, because the
/// RPZ serial is the file's mtime in seconds.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), EditError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let previous = match fs::metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error(path)(e)),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(if previous.is_some() { 0o600 } else { 0o666 })
            .open(&tmp)?;
        file.write_all(bytes)?;
        if let Some(meta) = &previous {
            file.set_permissions(Permissions::from_mode(meta.permissions().mode()))?;
            if (meta.uid(), meta.gid()) != (file.metadata()?.uid(), file.metadata()?.gid()) {
                // Only root may give a file away; anyone else keeps their own ownership.
                let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
            }
            let next_second = SystemTime::UNIX_EPOCH
                + Duration::from_secs(u64::try_from(meta.mtime()).unwrap_or(0) + 1);
            if SystemTime::now() < next_second {
                file.set_modified(next_second)?;
            }
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::normalize;

    const PATH: &str = "policy/suspensions.csv";
    const HEAD: &str = "domain,reason,reference,since,note";

    fn path() -> &'static Path {
        Path::new(PATH)
    }

    fn row(domain: &str, reason: &str, note: &str) -> NewRow {
        NewRow::new(domain, reason, "REF-1", "2026-12-01", note).unwrap()
    }

    fn add_one(text: &str, new: NewRow) -> (String, RowOutcome) {
        let mut added = add(path(), text, vec![new]).unwrap();
        (added.text.unwrap(), added.outcomes.remove(0))
    }

    fn name(s: &str) -> Name {
        normalize(s).unwrap()
    }

    fn key(s: &str) -> DomainKey {
        DomainKey::from_name(&name(s)).unwrap()
    }

    #[test]
    fn below_means_on_a_label_boundary() {
        let k = |s: &str| key(s).as_bytes().to_vec();
        assert!(is_below(&k("a.shop.kz"), &k("shop.kz")));
        assert!(is_below(&k("x.y.shop.kz"), &k("shop.kz")));
        assert!(!is_below(&k("myshop.kz"), &k("shop.kz")));
        assert!(!is_below(&k("shop.kz"), &k("shop.kz")));
        assert!(!is_below(&k("kz"), &k("shop.kz")));
    }

    #[test]
    fn append_keeps_every_byte_and_reports_the_line() {
        let text = format!(
            "# a comment, with \"quotes\"\n\n{HEAD}\n# another\n\
             phish-bank.kz,phishing,KZ-CERT 1,2026-11-28,\"a, b\"\n\n# tail\n"
        );
        let (out, outcome) = add_one(&text, row("Bad.KZ.", "malware", "drive-by"));
        assert!(out.starts_with(&text), "{out}");
        assert_eq!(
            &out[text.len()..],
            "bad.kz,malware,REF-1,2026-12-01,drive-by\n"
        );
        let RowOutcome::Added { suspension, .. } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(suspension.line, 8);
        let map = suspensions::parse(path(), &out).unwrap();
        let listed = Current::parse(path(), &out).unwrap();
        assert_eq!(map.len(), 2);
        assert_eq!(listed.get(&key("bad.kz")).unwrap().line, 8);
    }

    #[test]
    fn no_trailing_newline_gets_one_before_the_new_row() {
        let text = format!("{HEAD}\na.kz,malware,,2026-01-01,last line without newline");
        let (out, _) = add_one(&text, row("b.kz", "phishing", ""));
        assert_eq!(out, format!("{text}\nb.kz,phishing,REF-1,2026-12-01,\n"));
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let text = format!("# c\r\n{HEAD}\r\na.kz,malware,,2026-01-01,x\r\n");
        let (out, outcome) = add_one(&text, row("b.kz", "phishing", ""));
        assert_eq!(out, format!("{text}b.kz,phishing,REF-1,2026-12-01,\r\n"));
        let RowOutcome::Added { suspension, .. } = outcome else {
            panic!()
        };
        assert_eq!(suspension.line, 4);
        // And without a final CRLF.
        let text = text.trim_end().to_owned();
        let (out, _) = add_one(&text, row("b.kz", "phishing", ""));
        assert_eq!(
            out,
            format!("{text}\r\nb.kz,phishing,REF-1,2026-12-01,\r\n")
        );
        // Removal takes the CRLF with the row.
        let (removed, lifted) = remove(path(), &out, &name("a.kz")).unwrap();
        assert_eq!(lifted.line, 3);
        assert_eq!(
            removed,
            format!("# c\r\n{HEAD}\r\nb.kz,phishing,REF-1,2026-12-01,\r\n")
        );
    }

    #[test]
    fn fields_that_need_quotes_are_quoted_and_read_back() {
        let new = NewRow::new(
            "пример.қаз",
            "court-order",
            "Case 2-1234/2026, Almaty",
            "2026-10-01",
            "says \"stop\"\nsecond line",
        )
        .unwrap();
        let (out, outcome) = add_one(&format!("{HEAD}\n"), new);
        assert_eq!(
            out,
            format!(
                "{HEAD}\nxn--e1afmkfd.xn--80ao21a,court-order,\"Case 2-1234/2026, Almaty\",\
                 2026-10-01,\"says \"\"stop\"\"\nsecond line\"\n"
            )
        );
        let RowOutcome::Added { suspension, .. } = outcome else {
            panic!()
        };
        assert_eq!(suspension.line, 2);
        let map = suspensions::parse(path(), &out).unwrap();
        let read = map.values().next().unwrap();
        assert_eq!(&*read.reference, "Case 2-1234/2026, Almaty");
        assert_eq!(&*read.note, "says \"stop\"\nsecond line");
        // A row added after it counts the quoted line break.
        let (out, outcome) = add_one(&out, row("c.kz", "malware", ""));
        let RowOutcome::Added { suspension, .. } = outcome else {
            panic!()
        };
        assert_eq!(suspension.line, 4);
        assert_eq!(
            Current::parse(path(), &out)
                .unwrap()
                .get(&key("c.kz"))
                .unwrap()
                .line,
            4
        );
    }

    #[test]
    fn remove_cuts_exactly_the_rows_lines() {
        let text = format!(
            "# head\n{HEAD}\na.kz,malware,,2026-01-01,\"two\nlines\"\n# keep me\n\
             b.kz,phishing,,2026-01-02,\nc.kz,court-order,,2026-01-03,no newline"
        );
        let (out, lifted) = remove(path(), &text, &name("A.KZ.")).unwrap();
        assert_eq!(lifted.line, 3);
        assert_eq!(
            out,
            format!(
                "# head\n{HEAD}\n# keep me\nb.kz,phishing,,2026-01-02,\n\
                 c.kz,court-order,,2026-01-03,no newline"
            )
        );
        let (out, _) = remove(path(), &out, &name("c.kz")).unwrap();
        assert_eq!(
            out,
            format!("# head\n{HEAD}\n# keep me\nb.kz,phishing,,2026-01-02,\n")
        );
        let (out, _) = remove(path(), &out, &name("b.kz")).unwrap();
        assert_eq!(out, format!("# head\n{HEAD}\n# keep me\n"));
    }

    #[test]
    fn a_quoted_domain_field_is_found_and_removed() {
        let text = format!(
            "{HEAD}\n\"Пример.ҚАЗ.\",\"malware\",\"\",2026-01-01,\"\"\nz.kz,malware,,2026-01-01,\n"
        );
        let (out, _) = remove(path(), &text, &name("xn--e1afmkfd.xn--80ao21a")).unwrap();
        assert_eq!(out, format!("{HEAD}\nz.kz,malware,,2026-01-01,\n"));
    }

    #[test]
    fn duplicates_are_found_in_any_spelling() {
        let text = format!("{HEAD}\nпример.қаз,phishing,T-1,2026-01-01,\n");
        for spelling in [
            "Пример.ҚАЗ",
            "xn--e1afmkfd.xn--80ao21a",
            "XN--E1AFMKFD.XN--80AO21A.",
            " пример.қаз. ",
        ] {
            let added = add(path(), &text, vec![row(spelling, "malware", "")]).unwrap();
            assert!(added.text.is_none(), "{spelling}");
            let RowOutcome::Duplicate { existing, .. } = &added.outcomes[0] else {
                panic!("{spelling}: {:?}", added.outcomes)
            };
            assert_eq!((existing.line, existing.reason), (2, Reason::Phishing));
        }
    }

    #[test]
    fn parents_and_children_are_reported() {
        let text =
            format!("{HEAD}\nbad.kz,malware,,2026-01-01,\nx.shop.kz,phishing,,2026-01-01,\n");
        let (_, outcome) = add_one(&text, row("www.bad.kz", "phishing", ""));
        let RowOutcome::Added { parent, below, .. } = outcome else {
            panic!()
        };
        assert_eq!(parent.unwrap().domain, key("bad.kz"));
        assert!(below.is_empty());
        let (_, outcome) = add_one(&text, row("shop.kz", "court-order", ""));
        let RowOutcome::Added { parent, below, .. } = outcome else {
            panic!()
        };
        assert!(parent.is_none());
        assert_eq!(below.len(), 1);
        assert_eq!(below[0].domain, key("x.shop.kz"));
    }

    #[test]
    fn a_batch_skips_its_own_duplicates() {
        let added = add(
            path(),
            "",
            vec![
                row("a.kz", "malware", ""),
                row("A.kz.", "malware", ""),
                row("b.kz", "malware", ""),
            ],
        )
        .unwrap();
        let text = added.text.unwrap();
        assert!(text.starts_with("# Suspended .KZ"), "{text}");
        let map = suspensions::parse(path(), &text).unwrap();
        assert_eq!(map.len(), 2);
        let RowOutcome::Duplicate { existing, .. } = &added.outcomes[1] else {
            panic!()
        };
        assert_eq!(existing.line, NEW_FILE_COMMENT.lines().count() + 2);
    }

    #[test]
    fn files_without_a_header_get_one() {
        for text in ["", "\n", "# only a comment\n", "# no newline"] {
            let (out, _) = add_one(text, row("a.kz", "malware", ""));
            assert!(out.starts_with(text), "{text:?} → {out}");
            assert!(
                out.ends_with(&format!("{HEAD}\na.kz,malware,REF-1,2026-12-01,\n")),
                "{out}"
            );
            assert_eq!(suspensions::parse(path(), &out).unwrap().len(), 1);
        }
        // A new (empty) file gets the comment too; an existing comment-only one keeps its own.
        assert!(add_one("", row("a.kz", "malware", "")).0.starts_with('#'));
        assert!(
            !add_one("# mine\n", row("a.kz", "malware", ""))
                .0
                .contains("created by")
        );
    }

    #[test]
    fn bad_requests_and_bad_files_are_refused() {
        let e = NewRow::new("a.kz", "spam", "", "2026-01-01", "").unwrap_err();
        assert_eq!(
            e.to_string(),
            "reason: unknown reason \"spam\"; valid reasons: false-registrant-data, malware, \
             court-order, unresolved-incident, no-certificate, hosting-outside-kz, phishing"
        );
        assert!(NewRow::new("example.com", "malware", "", "2026-01-01", "").is_err());
        let e = NewRow::new("*.bad.kz", "malware", "", "2026-01-01", "").unwrap_err();
        assert!(e.to_string().contains("suspend the domain itself"), "{e}");
        assert!(NewRow::new("a.kz", "malware", "", "01.01.2026", "").is_err());
        let bad = format!("{HEAD}\na.kz,malware,,2026-01-01,\nb.kz,nope,,2026-01-01,\n");
        let e = add(path(), &bad, vec![row("c.kz", "malware", "")]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("policy/suspensions.csv:3: reason:"),
            "{e}"
        );
        let e = remove(path(), &bad, &name("a.kz")).unwrap_err();
        assert!(matches!(e, EditError::Invalid(_)), "{e}");
    }

    #[test]
    fn unlisted_names_say_what_covers_them() {
        let text = format!("{HEAD}\nbad.kz,malware,,2026-01-01,\n");
        let e = remove(path(), &text, &name("www.bad.kz")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "www.bad.kz is not suspended in policy/suspensions.csv (it is covered by the \
             suspension of bad.kz on line 2; unsuspend that to lift it)"
        );
        let e = remove(path(), &text, &name("good.kz")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "good.kz is not suspended in policy/suspensions.csv"
        );
    }

    #[test]
    fn line_numbers_agree_with_the_loader() {
        let text = format!(
            "\n# c\n\n{HEAD}\n\n# x\na.kz,malware,,2026-01-01,\"q\n\nq\"\n\n\nb.kz,malware,,2026-01-01,\n"
        );
        let current = Current::parse(path(), &text).unwrap();
        let mut lines: Vec<usize> = current.rows.iter().map(|(l, _)| *l).collect();
        lines.sort();
        let mut loaded: Vec<usize> = current.suspensions.values().map(|s| s.line).collect();
        loaded.sort();
        assert_eq!(lines, loaded);
        assert_eq!(lines, [7, 12]);
        let (out, _) = remove(path(), &text, &name("a.kz")).unwrap();
        assert_eq!(
            out,
            format!("\n# c\n\n{HEAD}\n\n# x\n\n\nb.kz,malware,,2026-01-01,\n")
        );
    }

    #[test]
    fn update_writes_atomically_keeping_mode_and_raising_mtime() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("suspensions.csv");
        let first = update(&file, |text| {
            assert!(text.is_none());
            let added = add(&file, "", vec![row("a.kz", "malware", "")])?;
            Ok((added.text, ()))
        });
        first.unwrap();
        assert!(dir.path().join(".suspensions.lock").exists());
        fs::set_permissions(&file, Permissions::from_mode(0o640)).unwrap();
        let before = fs::metadata(&file).unwrap();
        update(&file, |text| {
            let added = add(&file, text.unwrap(), vec![row("b.kz", "malware", "")])?;
            Ok((added.text, ()))
        })
        .unwrap();
        let after = fs::metadata(&file).unwrap();
        assert_eq!(after.permissions().mode() & 0o7777, 0o640);
        assert!(after.mtime() > before.mtime());
        assert_ne!(after.ino(), before.ino(), "replaced by rename");
        assert_eq!(
            suspensions::load(&file).unwrap().len(),
            2,
            "{}",
            fs::read_to_string(&file).unwrap()
        );
        // No temporary file is left behind; a refused edit writes nothing.
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        let err = update(&file, |text| {
            let added = add(
                &file,
                text.unwrap(),
                vec![NewRow::new("c.kz", "x", "", "", "")?],
            )?;
            Ok((added.text, ()))
        });
        assert!(err.is_err());
        assert_eq!(fs::metadata(&file).unwrap().ino(), after.ino());
    }

    #[test]
    fn symlinked_files_are_edited_in_place_of_their_target() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        fs::write(&real, format!("{HEAD}\n")).unwrap();
        let link = dir.path().join("suspensions.csv");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        update(&link, |text| {
            let added = add(&link, text.unwrap(), vec![row("a.kz", "malware", "")])?;
            Ok((added.text, ()))
        })
        .unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(suspensions::load(&real).unwrap().len(), 1);
    }
}
