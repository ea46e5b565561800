//! Reading `zones/*.zone` into [`Zone`]s, with errors that name the file and line.
//!
//! hickory-proto's RFC 1035 parser does the parsing but reports no line numbers, so on a failure
//! we find the line ourselves: parsing is monotone in the input (a prefix that fails keeps failing
//! as lines are added), so a binary search over record boundaries finds the first line whose
//! addition makes the file fail. The same search locates the record behind a semantic problem.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use hickory_proto::{
    rr::{Name, RecordSet, RecordType, RrKey},
    serialize::txt::Parser,
};

use super::zone::{Culprit, Zone, ZoneProblem};

/// A zone file that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ZoneLoadError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `line` is 1-based; 0 when the problem belongs to the file as a whole.
    #[error("{}{}: {message}", path.display(), line_suffix(*line))]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

fn line_suffix(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}")
    }
}

/// The zone files of a folder, sorted by name: every `*.zone`.
pub fn zone_files(dir: &Path) -> Result<Vec<PathBuf>, ZoneLoadError> {
    let io = |source| ZoneLoadError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "zone") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The origin named by a zone file's name (`shop.kz.zone` → `shop.kz.`; Unicode is punycoded).
pub fn origin_of(path: &Path) -> Result<Name, ZoneLoadError> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let invalid = |message: String| ZoneLoadError::Invalid {
        path: path.to_owned(),
        line: 0,
        message,
    };
    if stem.is_empty() {
        return Err(invalid("the file name must be <origin>.zone".into()));
    }
    let mut origin = Name::from_utf8(stem)
        .map_err(|e| invalid(format!("file name {stem:?} is not a domain name: {e}")))?;
    origin.set_fqdn(true);
    Ok(origin)
}

/// Loads one zone file.
pub fn load_zone_file(path: &Path) -> Result<Zone, ZoneLoadError> {
    let origin = origin_of(path)?;
    let text = fs::read_to_string(path).map_err(|source| ZoneLoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let invalid = |line: usize, message: String| ZoneLoadError::Invalid {
        path: path.to_owned(),
        line,
        message,
    };
    let records = parse(&text, path, &origin).map_err(|message| {
        let line = first_failing_line(&text, path, &origin);
        invalid(line, message)
    })?;
    Zone::build(origin.clone(), records).map_err(|problem| {
        let line = line_of_problem(&text, path, &origin, &problem);
        invalid(line, problem.message)
    })
}

type Records = BTreeMap<RrKey, RecordSet>;

fn parse(text: &str, path: &Path, origin: &Name) -> Result<Records, String> {
    Parser::new(text, Some(path.to_owned()), Some(origin.clone()))
        .parse()
        .map(|(_, records)| records)
        .map_err(|e| e.to_string())
}

/// Byte offsets where a line starts outside parentheses and quotes: every place the file may be
/// cut without splitting a record. Element i is the start of line `i + 1`, or `None` when that
/// line continues a record.
fn cut_points(text: &str) -> Vec<Option<usize>> {
    let mut points = vec![Some(0)];
    let (mut depth, mut quoted, mut escaped, mut comment) = (0usize, false, false, false);
    for (i, c) in text.char_indices() {
        if c == '\n' {
            comment = false;
            escaped = false;
            points.push((depth == 0 && !quoted).then_some(i + 1));
            continue;
        }
        if comment {
            continue;
        }
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => comment = true,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    points
}

/// The smallest 1-based line number such that the text up to and including the record starting on
/// that line satisfies `bad`.
fn first_line_where(text: &str, bad: impl Fn(&str) -> bool) -> usize {
    let points = cut_points(text);
    // cuts[j] = (line whose record ends at this cut, byte offset)
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut last_start_line = 1;
    for (idx, point) in points.iter().enumerate().skip(1) {
        if let Some(offset) = point {
            cuts.push((last_start_line, *offset));
            last_start_line = idx + 1;
        }
    }
    cuts.push((last_start_line, text.len()));
    // Binary search for the first cut whose prefix is bad.
    let (mut lo, mut hi) = (0, cuts.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if bad(&text[..cuts[mid].1]) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    cuts.get(lo).map_or(0, |c| c.0)
}

fn first_failing_line(text: &str, path: &Path, origin: &Name) -> usize {
    first_line_where(text, |prefix| parse(prefix, path, origin).is_err())
}

/// The line of the record a semantic problem is about: the first prefix in which it shows.
fn line_of_problem(text: &str, path: &Path, origin: &Name, problem: &ZoneProblem) -> usize {
    let shows = |records: &Records| match &problem.culprit {
        Culprit::Zone => false,
        Culprit::Record(owner, rtype) => records.contains_key(&RrKey::new(owner.into(), *rtype)),
        Culprit::Second(owner, rtype) => records
            .get(&RrKey::new(owner.into(), *rtype))
            .is_some_and(|s| s.records_count() > 1),
        Culprit::Mixed(owner) => {
            let mut types = records.keys().filter(|k| Name::from(&k.name) == *owner);
            let (mut cname, mut other) = (false, false);
            for key in &mut types {
                cname |= key.record_type == RecordType::CNAME;
                other |= key.record_type != RecordType::CNAME;
            }
            cname && other
        }
    };
    if problem.culprit == Culprit::Zone {
        return 0;
    }
    first_line_where(text, |prefix| {
        parse(prefix, path, origin).is_ok_and(|records| shows(&records))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(name: &str, text: &str) -> Result<Zone, ZoneLoadError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        load_zone_file(&path)
    }

    const GOOD: &str = "$ORIGIN kz.\n$TTL 3600\n@ IN SOA ns1.nic.kz. hostmaster.nic.kz. ( 1 7200\n  900 1209600 300 )\n@ NS ns1.nic.kz.\nns1.nic A 192.0.2.1\n";

    fn line_and_message(err: ZoneLoadError) -> (usize, String) {
        match err {
            ZoneLoadError::Invalid { line, message, .. } => (line, message),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn a_good_zone_loads() {
        let zone = load_text("kz.zone", GOOD).unwrap();
        assert_eq!(zone.origin().to_string(), "kz.");
        assert_eq!(zone.serial(), 1);
        assert_eq!(zone.record_count(), 3);
        // kz., nic.kz. (empty non-terminal) and ns1.nic.kz.
        assert_eq!(zone.node_count(), 3);
        assert_eq!(zone.negative_soa().0.ttl, 300);
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let text = format!("{GOOD}www A 192.0.2.2\n; comment\nbad A 300.1.2.3\nok A 192.0.2.3\n");
        let err = load_text("kz.zone", &text).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.ends_with(&format!("kz.zone:9: {}", line_and_message(err).1)),
            "{shown}"
        );
    }

    #[test]
    fn an_error_inside_parentheses_names_the_records_first_line() {
        let text = "$ORIGIN kz.\n@ 3600 IN SOA ns1.nic.kz. h.nic.kz. (\n 1 2 3 4\n x )\n";
        let (line, _) = line_and_message(load_text("kz.zone", text).unwrap_err());
        assert_eq!(line, 2);
    }

    #[test]
    fn out_of_zone_data_is_refused_with_its_line() {
        let text = format!("{GOOD}www.example.com. A 192.0.2.9\n");
        let (line, message) = line_and_message(load_text("kz.zone", &text).unwrap_err());
        assert_eq!(line, 7);
        assert!(message.contains("outside the zone kz."), "{message}");
    }

    #[test]
    fn cname_and_other_data_is_refused_at_the_second_record() {
        let text = format!("{GOOD}www CNAME nic.kz.\nx A 192.0.2.5\nwww A 192.0.2.4\n");
        let (line, message) = line_and_message(load_text("kz.zone", &text).unwrap_err());
        assert_eq!(line, 9, "{message}");
        assert!(message.contains("CNAME"), "{message}");
    }

    #[test]
    fn missing_soa_and_ns_are_refused() {
        let err = load_text("kz.zone", "$ORIGIN kz.\n@ 60 NS a.nic.kz.\n").unwrap_err();
        assert!(err.to_string().contains("no SOA"), "{err}");
        let err = load_text("kz.zone", "$ORIGIN kz.\n@ 60 SOA a. b. 1 2 3 4 5\n").unwrap_err();
        assert!(err.to_string().contains("no NS"), "{err}");
    }

    #[test]
    fn origin_comes_from_the_file_name() {
        assert_eq!(
            origin_of(Path::new("z/shop.kz.zone")).unwrap().to_string(),
            "shop.kz."
        );
        assert_eq!(
            origin_of(Path::new("z/қаз.zone")).unwrap().to_ascii(),
            "xn--80ao21a."
        );
        // A file written for another origin puts its records outside this zone.
        let text = GOOD.replace("$ORIGIN kz.", "$ORIGIN shop.kz.");
        let (line, message) = line_and_message(load_text("kz.zone", &text).unwrap_err());
        assert_eq!(line, 3, "{message}");
    }
}
