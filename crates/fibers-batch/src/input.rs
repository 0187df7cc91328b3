//! Where the lines come from: a JSON Lines file, standard input, or a directory of checkpoints.
//!
//! A directory stands for the lines `{"id": NAME, "path": PATH}` of its files whose names end in
//! `.safetensors`, `.json`, `.pt`, `.pth` or `.bin` (in name order, numbers compared by value;
//! subdirectories and hidden files are skipped); `.pt` files are reported as pickles.

use crate::lines::Outcome;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// A source of input lines.
pub struct Input {
    kind: Kind,
    /// Relative paths in lines are resolved against this directory.
    pub base: PathBuf,
    /// How many lines there are, when known in advance (files and directories).
    pub total: Option<u64>,
    /// The input, for messages.
    pub name: String,
}

enum Kind {
    Lines(Box<dyn BufRead + Send>),
    Files(Vec<PathBuf>),
}

/// One numbered input line (from 1): its text, or why it cannot be used.
pub type Line = (usize, Result<String, Outcome>);

/// The lines of an input; `Err` ends it (a read error).
pub type Lines = Box<dyn Iterator<Item = Result<Line, InputError>> + Send>;

/// An input that cannot be opened or read.
#[derive(Debug)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// The file extensions read from a directory.
pub const CHECKPOINT_EXTENSIONS: [&str; 5] = ["safetensors", "json", "pt", "pth", "bin"];

impl Input {
    /// Opens `path`: `-` is standard input, a directory is its checkpoint files, anything else
    /// a JSON Lines file.
    pub fn open(path: &Path) -> Result<Input, InputError> {
        let name = path.display().to_string();
        if path.as_os_str() == "-" {
            return Ok(Input {
                kind: Kind::Lines(Box::new(BufReader::new(std::io::stdin()))),
                base: PathBuf::from("."),
                total: None,
                name: "standard input".to_string(),
            });
        }
        if path.is_dir() {
            let rd = std::fs::read_dir(path)
                .map_err(|e| InputError(format!("{name}: directory: {e}")))?;
            let mut files: Vec<PathBuf> = rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && !p
                            .file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with('.'))
                        && p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                            CHECKPOINT_EXTENSIONS
                                .iter()
                                .any(|x| e.eq_ignore_ascii_case(x))
                        })
                })
                .collect();
            files.sort_by(|a, b| {
                fibers_import::detect::natural_cmp(
                    &a.file_name().unwrap_or_default().to_string_lossy(),
                    &b.file_name().unwrap_or_default().to_string_lossy(),
                )
            });
            if files.is_empty() {
                return Err(InputError(format!(
                    "{name}: directory: no checkpoint files (.{})",
                    CHECKPOINT_EXTENSIONS.join(", .")
                )));
            }
            return Ok(Input {
                total: Some(files.len() as u64),
                kind: Kind::Files(files),
                base: path.to_path_buf(),
                name,
            });
        }
        let f = std::fs::File::open(path).map_err(|e| InputError(format!("{name}: file: {e}")))?;
        Ok(Input {
            kind: Kind::Lines(Box::new(BufReader::with_capacity(1 << 16, f))),
            base: path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            total: count_lines(path),
            name,
        })
    }

    /// The lines, numbered from 1, each its text or why it cannot be used (not UTF-8, longer
    /// than `cap` bytes). Blank lines are skipped (their numbers too: a number is the line's
    /// place in the input), a `\r` before `\n` and a UTF-8 byte-order mark at the start are
    /// dropped. `Err` ends the input (a read error).
    pub fn into_lines(self, cap: usize) -> Lines {
        match self.kind {
            Kind::Files(files) => Box::new(files.into_iter().enumerate().map(|(i, p)| {
                let id = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let line = serde_json::json!({"id": id, "path": p.display().to_string()});
                Ok((i + 1, Ok(line.to_string())))
            })),
            Kind::Lines(reader) => {
                let mut r = LineReader {
                    reader,
                    next: 1,
                    buf: Vec::new(),
                    name: self.name,
                    failed: false,
                };
                Box::new(std::iter::from_fn(move || r.next_line(cap)))
            }
        }
    }
}

struct LineReader {
    reader: Box<dyn BufRead + Send>,
    next: usize,
    buf: Vec<u8>,
    name: String,
    failed: bool,
}

impl LineReader {
    /// Reads one line into `buf` (without storing more than `cap` bytes of it; the rest of a
    /// longer line is skipped). `None` at the end of the input, else whether it was too long.
    fn read_line(&mut self, cap: usize) -> std::io::Result<Option<bool>> {
        self.buf.clear();
        let (mut any, mut too_long) = (false, false);
        loop {
            let avail = self.reader.fill_buf()?;
            if avail.is_empty() {
                return Ok(any.then_some(too_long));
            }
            any = true;
            let (len, done) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            if !too_long {
                if self.buf.len() + len > cap.saturating_add(2) {
                    too_long = true;
                    self.buf = Vec::new();
                } else {
                    self.buf.extend_from_slice(&avail[..len]);
                }
            }
            self.reader.consume(len);
            if done {
                return Ok(Some(too_long));
            }
        }
    }

    fn next_line(&mut self, cap: usize) -> Option<Result<Line, InputError>> {
        if self.failed {
            return None;
        }
        let (n, read) = loop {
            let read = match self.read_line(cap) {
                Ok(r) => r?,
                Err(e) => {
                    self.failed = true;
                    return Some(Err(InputError(format!(
                        "{}: line {}: {e}",
                        self.name, self.next
                    ))));
                }
            };
            let n = self.next;
            self.next += 1;
            if n == 1 && !read {
                // A UTF-8 byte-order mark at the start of the input.
                if let Some(rest) = self.buf.strip_prefix("\u{feff}".as_bytes()) {
                    self.buf = rest.to_vec();
                }
            }
            // Blank lines (JSON whitespace only, CRLF included) are skipped; the line numbers
            // in messages stay those of the input.
            if read || !self.buf.iter().all(|b| b" \t\r\n".contains(b)) {
                break (n, read);
            }
        };
        if read {
            return Some(Ok((
                n,
                Err(Outcome::bad(
                    n,
                    format!("line longer than {cap} bytes (see --max-line-bytes)"),
                )),
            )));
        }
        let mut bytes = &self.buf[..];
        if let Some(b) = bytes.strip_suffix(b"\n") {
            bytes = b.strip_suffix(b"\r").unwrap_or(b);
        }
        let line = match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => Err(Outcome::bad(
                n,
                format!(
                    "not valid UTF-8 text (byte {}); a checkpoint file is named by a line \
                     {{\"path\": FILE}}, or give a directory of checkpoints",
                    e.valid_up_to()
                ),
            )),
        };
        Some(Ok((n, line)))
    }
}

/// Counts the lines of a file (for progress); `None` when it cannot be read.
fn count_lines(path: &Path) -> Option<u64> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let k = f.read(&mut buf).ok()?;
        if k == 0 {
            break;
        }
        lines += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[k - 1];
    }
    Some(lines + u64::from(last != b'\n'))
}
