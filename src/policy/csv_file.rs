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

/// Calls `row` with the 1-based line and the trimmed fields of every data row of CSV `text` from
/// `path`, whose first non-comment line must be exactly `header`. Streams: a million-line file is
/// never held as rows. A message returned by `row` becomes an error naming file and line.
pub fn for_each_row<const N: usize>(
    path: &Path,
    text: &str,
    header: &[&str; N],
    mut row: impl FnMut(usize, [&str; N]) -> Result<(), String>,
) -> Result<(), PolicyFileError> {
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
    let mut line_of = LineFinder::new(text);
    let mut seen_header = false;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_of.at(p.byte() as usize));
                return Err(err(line, e.to_string()));
            }
        }
        let line = record
            .position()
            .map_or(0, |p| line_of.at(p.byte() as usize));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if !seen_header {
            if record.iter().map(str::trim).ne(header.iter().copied()) {
                let found: Vec<&str> = record.iter().map(str::trim).collect();
                return Err(err(
                    line,
                    format!(
                        "the header must be `{}`, found `{}`",
                        header.join(","),
                        found.join(",")
                    ),
                ));
            }
            seen_header = true;
            continue;
        }
        if record.len() != N {
            return Err(err(
                line,
                format!(
                    "{} fields where the header has {N} ({})",
                    record.len(),
                    header.join(",")
                ),
            ));
        }
        let fields: [&str; N] = std::array::from_fn(|i| record.get(i).unwrap_or("").trim());
        row(line, fields).map_err(|message| err(line, message))?;
    }
    Ok(())
}

/// Byte offset → 1-based line, for offsets that only grow (one pass over the text in all).
struct LineFinder<'t> {
    text: &'t str,
    /// Start of line `line`.
    offset: usize,
    line: usize,
}

impl<'t> LineFinder<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the first record at or after `byte`: comment and blank lines are skipped.
    fn at(&mut self, mut byte: usize) -> usize {
        // After a CRLF-terminated record the position may stop at the CR, before the LF.
        if self.text.as_bytes().get(byte) == Some(&b'\n') {
            byte += 1;
        }
        if byte < self.offset {
            *self = Self::new(self.text);
        }
        // Advance to the line holding `byte`.
        while let Some(nl) = self.text[self.offset..].find('\n') {
            if self.offset + nl >= byte {
                break;
            }
            self.offset += nl + 1;
            self.line += 1;
        }
        // Skip comment and blank lines.
        let (mut offset, mut line) = (self.offset, self.line);
        loop {
            let rest = &self.text[offset..];
            let end = rest.find('\n').map_or(rest.len(), |i| i + 1);
            let current = &rest[..end];
            if end == 0 || !(current.trim().is_empty() || current.starts_with('#')) {
                return line;
            }
            offset += end;
            line += 1;
        }
    }
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

    type Rows = Vec<(usize, Vec<String>)>;

    fn rows<const N: usize>(text: &str, header: &[&str; N]) -> Result<Rows, PolicyFileError> {
        let mut out = Vec::new();
        for_each_row(Path::new("e.csv"), text, header, |line, fields| {
            out.push((line, fields.map(str::to_owned).to_vec()));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn rows_keep_line_numbers_and_skip_comments() {
        let text = "# c\ndomain,provider\n\n# c2\na.kz,\"Cloud, Inc\"\nb.kz,x\n\n\n# end\nc.kz,\"multi\nline\"\nd.kz,y";
        let rows = rows(text, &["domain", "provider"]).unwrap();
        let lines: Vec<usize> = rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [5, 6, 10, 12]);
        assert_eq!(rows[0].1, ["a.kz", "Cloud, Inc"]);
        assert_eq!(rows[2].1, ["c.kz", "multi\nline"]);
    }

    #[test]
    fn crlf_files_have_the_same_line_numbers() {
        let text = "# c\r\ndomain,provider\r\n\r\na.kz,x\r\nb.kz,\"y\r\nz\"\r\nc.kz,w";
        let rows = rows(text, &["domain", "provider"]).unwrap();
        let lines: Vec<usize> = rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [4, 5, 7]);
    }

    #[test]
    fn bad_header_field_counts_and_row_errors_name_the_line() {
        let e = rows("domain\n", &["domain", "x"]).err().unwrap();
        assert_eq!(
            e.to_string(),
            "e.csv:1: the header must be `domain,x`, found `domain`"
        );
        let e = rows("domain,x\n# c\na,b,c\n", &["domain", "x"])
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("e.csv:3: 3 fields"), "{e}");
        let e = for_each_row(Path::new("f.csv"), "h\n\n# c\nv\n", &["h"], |_, _| {
            Err("bad".into())
        });
        assert_eq!(e.err().unwrap().to_string(), "f.csv:4: bad");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2026-12-31").unwrap().to_string(), "2026-12-31");
        assert!(parse_date("2026-13-01").is_err());
        assert!(parse_date("31.12.2026").is_err());
    }
}
