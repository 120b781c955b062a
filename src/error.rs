//! Typed library errors. Messages are lowercase without a trailing period and
//! say what would be valid; the binary adds context with `anyhow`.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

/// A scenario (or sweep) file that cannot be used: unreadable, malformed, of
/// the wrong shape, or describing an impossible run. Always fatal for the
/// command that loaded it; nothing has been written when it is returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file (or `--set` override) the problem is in.
    pub file: String,
    /// Dotted path of the offending field, e.g. `gossip.fanout`, when known.
    pub field: Option<String>,
    /// 1-based line and column, when the format or a search gives one.
    pub location: Option<(usize, usize)>,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    /// `file:line:col: field `path`: message`, with long pieces of input
    /// repeated in the field or the message clipped (see [`clip_echoes`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, col)) = self.location {
            write!(f, ":{line}:{col}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{}`", clip(field))?;
        }
        write!(f, ": {}", clip_echoes(&self.message))
    }
}

/// Most characters of a piece of input (a value, a name, a key) an error
/// message repeats; longer ones are cut there and end in `…`.
pub const ECHO_CHARS: usize = 60;

/// `text`, or its first [`ECHO_CHARS`] characters and `…` when longer: for
/// repeating input in a message without repeating all of a huge value.
pub fn clip(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(ECHO_CHARS) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// `message` with every quoted piece (`"…"`, with `\"` escapes, or
/// `` `…` ``) and every run of digits longer than [`ECHO_CHARS`] clipped
/// (see [`clip`]): messages quote the input they repeat, and a 100,000-digit
/// value should not make a 100 KB error.
pub fn clip_echoes(message: &str) -> Cow<'_, str> {
    let long = |s: &str| s.chars().nth(ECHO_CHARS).is_some();
    if !long(message) {
        return Cow::Borrowed(message);
    }
    let mut out = String::with_capacity(message.len().min(1024));
    let mut rest = message;
    while let Some(c) = rest.chars().next() {
        if c == '"' || c == '`' {
            let body = &rest[1..];
            // The closing quote; a `"` after a backslash is part of the text.
            let mut escaped = false;
            let close = body.char_indices().find(|&(_, d)| {
                let hit = d == c && !escaped;
                escaped = c == '"' && d == '\\' && !escaped;
                hit
            });
            let Some((end, _)) = close else {
                out.push_str(rest);
                break;
            };
            out.push(c);
            out.push_str(&clip(&body[..end]));
            out.push(c);
            rest = &body[end + 1..];
        } else if c.is_ascii_digit() {
            let end = rest
                .find(|d: char| !(d.is_ascii_digit() || d == '.'))
                .unwrap_or(rest.len());
            out.push_str(&clip(&rest[..end]));
            rest = &rest[end..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Cow::Owned(out)
}

impl std::error::Error for ScenarioError {}

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario or sweep file is invalid (fatal; nothing written).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A file or directory could not be read or written (fatal for the command).
    /// (The OS error is part of the message, not a `source`, so a chain of
    /// contexts prints it once.)
    #[error("{path}: {error}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
    /// A stored artefact (manifest, trace, metrics) is malformed (fatal).
    #[error("{path}: {message}")]
    Format {
        /// The file involved.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A chart could not be rendered (fatal for that chart).
    #[error("chart {name}: {message}")]
    Chart {
        /// The chart's name.
        name: String,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            error,
        }
    }

    /// Creates directory `dir` and its parents; failing, an I/O error on
    /// `dir` that says it could not be made and where the path stops
    /// (`/proc/x/run`: `/proc` exists but `x` cannot be made in it).
    pub fn create_dir_all(dir: &std::path::Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| {
            if dir.exists() && !dir.is_dir() {
                let error = std::io::Error::new(
                    e.kind(),
                    format!("cannot create this directory: {e}; it is a file"),
                );
                return Error::io(dir, error);
            }
            let stop = dir
                .ancestors()
                .skip(1)
                .find(|a| a.as_os_str().is_empty() || a.exists());
            let hint = match stop {
                Some(a) if !a.as_os_str().is_empty() && !a.is_dir() => {
                    format!("; {} is not a directory", a.display())
                }
                Some(a) => {
                    let shown = if a.as_os_str().is_empty() {
                        std::path::Path::new(".")
                    } else {
                        a
                    };
                    let next = dir.strip_prefix(a).ok().and_then(|r| r.components().next());
                    match next {
                        Some(c) => format!(
                            "; {} exists, but {:?} cannot be made in it",
                            shown.display(),
                            c.as_os_str()
                        ),
                        None => String::new(),
                    }
                }
                None => String::new(),
            };
            let error = std::io::Error::new(e.kind(), format!("cannot create this directory: {e}{hint}"));
            Error::io(dir, error)
        })
    }

    /// Whether this error is the user's input (exit code 2) rather than the
    /// environment.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, Error::Scenario(_) | Error::Format { .. })
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_short_text_and_cuts_long_text() {
        assert_eq!(clip("10s"), "10s");
        let long = "9".repeat(100_000);
        assert_eq!(clip(&long), format!("{}…", &long[..ECHO_CHARS]));
        // Characters, not bytes: no char is split.
        let wide = "ü".repeat(ECHO_CHARS + 1);
        assert_eq!(clip(&wide), format!("{}…", "ü".repeat(ECHO_CHARS)));
    }

    #[test]
    fn long_quoted_pieces_and_numbers_are_clipped() {
        let short = "invalid duration \"+10s\" (a sign): expected a number and a unit, e.g. \"250ms\"";
        assert_eq!(clip_echoes(short), short);
        let digits = "1".repeat(1000);
        let m = format!("invalid duration \"{digits}s\" (too large): at most `{digits}`; got {digits}");
        let clipped = clip_echoes(&m);
        let one = format!("{}…", &digits[..ECHO_CHARS]);
        assert_eq!(
            clipped,
            format!("invalid duration \"{one}\" (too large): at most `{one}`; got {one}")
        );
        // An escaped quote does not end the piece; an unclosed one is kept.
        let m = format!("name \"a\\\"{digits}\" is bad, and \"open");
        assert_eq!(
            clip_echoes(&m),
            format!("name \"a\\\"{}…\" is bad, and \"open", &digits[..ECHO_CHARS - 3])
        );
    }
}
