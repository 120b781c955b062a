//! Typed library errors. Messages are lowercase without a trailing period and
//! say what would be valid; the binary adds context with `anyhow`.

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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, col)) = self.location {
            write!(f, ":{line}:{col}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
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
