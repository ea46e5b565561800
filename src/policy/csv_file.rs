//! Reading the policy CSV files (RFC 4180, `#` comment lines, a fixed header), keeping each
//! record's line number for error messages.

use std::path::{Path, PathBuf};

/// A policy file that could not be read or has a bad line.
#[derive(Debug, thiserror::Error)]
pub enum PolicyFileError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `line` is 1-based.
    #[error("{}:{line}: {message}", path.display())]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// One data row: its 1-based line and its fields, trimmed.
pub struct Row {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Parses CSV `text` of `path` whose first non-comment line must be exactly `header`.
pub fn rows(path: &Path, text: &str, header: &[&str]) -> Result<Vec<Row>, PolicyFileError> {
    let err = |line: usize, message: String| PolicyFileError::Line {
        path: path.to_owned(),
        line,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(text.as_bytes());
    // The csv crate reports a record's position as where the previous one ended, before the
    // comment and blank lines it skipped, so the line is found from there by skipping them too.
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0, |offset, line| {
            let start = *offset;
            *offset += line.len();
            Some((start, line))
        })
        .collect();
    let line_at = |pos: Option<&csv::Position>| {
        let Some(mut byte) = pos.map(|p| p.byte() as usize) else {
            return 0;
        };
        // After a CRLF-terminated record the position may stop at the CR, before the LF.
        if text.as_bytes().get(byte) == Some(&b'\n') {
            byte += 1;
        }
        let first = lines
            .partition_point(|(start, _)| *start <= byte)
            .saturating_sub(1);
        let skipped = lines[first..]
            .iter()
            .take_while(|(_, l)| l.trim().is_empty() || l.starts_with('#'))
            .count();
        first + skipped + 1
    };
    let mut out = Vec::new();
    let mut seen_header = false;
    for record in reader.records() {
        let record = record.map_err(|e| err(line_at(e.position()), e.to_string()))?;
        let line = line_at(record.position());
        let fields: Vec<String> = record.iter().map(|f| f.trim().to_owned()).collect();
        if fields.iter().all(String::is_empty) {
            continue;
        }
        if !seen_header {
            if fields != header {
                return Err(err(
                    line,
                    format!(
                        "the header must be `{}`, found `{}`",
                        header.join(","),
                        fields.join(",")
                    ),
                ));
            }
            seen_header = true;
            continue;
        }
        if fields.len() != header.len() {
            return Err(err(
                line,
                format!(
                    "{} fields where the header has {} ({})",
                    fields.len(),
                    header.len(),
                    header.join(",")
                ),
            ));
        }
        out.push(Row { line, fields });
    }
    Ok(out)
}

/// Reads `path`; a missing file is an empty policy (`None`), any other read error is an error.
pub fn read_optional(path: &Path) -> Result<Option<String>, PolicyFileError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(PolicyFileError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, format).map_err(|e| format!("{s:?} is not a date YYYY-MM-DD ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_line_numbers_and_skip_comments() {
        let text = "# c\ndomain,provider\n\n# c2\na.kz,\"Cloud, Inc\"\nb.kz,x\n";
        let rows = rows(Path::new("e.csv"), text, &["domain", "provider"]).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 5);
        assert_eq!(rows[0].fields, ["a.kz", "Cloud, Inc"]);
        assert_eq!(rows[1].line, 6);
    }

    #[test]
    fn crlf_files_have_the_same_line_numbers() {
        let text = "# c\r\ndomain,provider\r\n\r\na.kz,x\r\nb.kz,\"y\r\nz\"\r\nc.kz,w";
        let rows = rows(Path::new("e.csv"), text, &["domain", "provider"]).unwrap();
        let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [4, 5, 7]);
    }

    #[test]
    fn bad_header_and_field_counts_name_the_line() {
        let e = rows(Path::new("e.csv"), "domain\n", &["domain", "x"])
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "e.csv:1: the header must be `domain,x`, found `domain`"
        );
        let e = rows(
            Path::new("e.csv"),
            "domain,x\n# c\na,b,c\n",
            &["domain", "x"],
        )
        .err()
        .unwrap();
        assert!(e.to_string().starts_with("e.csv:3: 3 fields"), "{e}");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2026-12-31").unwrap().to_string(), "2026-12-31");
        assert!(parse_date("2026-13-01").is_err());
        assert!(parse_date("31.12.2026").is_err());
    }
}
