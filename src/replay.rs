//! Replay: rerun the resolved scenario stored in a manifest and verify the
//! run bit for bit.
//!
//! The rerun's trace digest must equal the manifest's. When the run's trace
//! is stored, every rerun record is also compared, as it is made, with the
//! stored record at the same position (the stored file is read one line at a
//! time, never held in memory); the first difference — record index, line,
//! time, node and both versions — is the *first divergence*. So a replay
//! tells apart a non-deterministic (or changed) simulator, whose digest
//! differs, from an edited or damaged trace file, whose digest still matches.
//! A trace the manifest names that is missing or unreadable, or whose header
//! does not match the manifest, is a difference too
//! ([`Replay::trace_problem`]), never an `identical` on the digest alone.
//!
//! A replay writes nothing: the original run directory is left as it is.
//! An interrupted run (status `interrupted`) is replayed up to the record
//! where it stopped. A manifest made by another scuttlesim version still
//! replays, with a warning: identity is only promised for the same version.

use crate::check::{run_checked, CheckResult};
use crate::error::{Error, Result};
use crate::scenario::{self, Format, Scenario, TraceLevel};
use crate::summary::{Manifest, STATUS_INTERRUPTED, VERSION};
use crate::trace::{Record, TraceReader, TraceSink, DIGEST_FORMAT};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// The first record where the rerun and the stored trace differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// 0-based index among the trace's records.
    pub index: u64,
    /// 1-based line in the trace file (the header is line 1).
    pub line: u64,
    /// True time of the record (the rerun's, or the stored one's if the rerun
    /// has none there), ns.
    pub time_ns: Option<u64>,
    /// The node the record is about.
    pub node: Option<u32>,
    /// The stored line; `None`: the stored trace ends before this record.
    pub stored: Option<String>,
    /// The rerun's record as JSON; `None`: the rerun ends before this record.
    pub rerun: Option<String>,
}

/// How the stored trace compared with the rerun.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceComparison {
    /// The run wrote no trace (`--trace off`): only the digest is compared.
    NotStored,
    /// The manifest names a trace file that cannot be read.
    Unreadable(String),
    /// Compared record by record.
    Compared {
        /// Records compared.
        records: u64,
        /// The first difference, if any.
        divergence: Option<Divergence>,
    },
}

/// What a replay found.
#[derive(Debug)]
pub struct Replay {
    /// The manifest replayed.
    pub manifest: Manifest,
    /// The run directory (the manifest's folder).
    pub dir: PathBuf,
    /// Warnings: another version, or a scenario hash that does not match
    /// the manifest.
    pub warnings: Vec<String>,
    /// The rerun's digest.
    pub digest: String,
    /// Records the rerun's digest covers.
    pub records: u64,
    /// The stored trace against the rerun.
    pub trace: TraceComparison,
    /// What the stored trace's header says that the manifest does not
    /// (edited, or the trace of another run); `None` when they agree.
    pub trace_header: Option<String>,
    /// The rerun's check results (empty for an interrupted run).
    pub checks: Vec<CheckResult>,
    /// Whether the original was an interrupted run (replayed up to its stop).
    pub prefix_only: bool,
    /// The replay itself was interrupted (Ctrl-C).
    pub stopped: bool,
}

impl Replay {
    /// Whether the manifest's digest was made with this build's encoding
    /// ([`DIGEST_FORMAT`]), so that the digests can be compared at all.
    pub fn digest_comparable(&self) -> bool {
        self.manifest.digest_format == DIGEST_FORMAT
    }

    /// Whether the digest matches the manifest.
    pub fn digest_matches(&self) -> bool {
        self.digest_comparable()
            && self.digest == self.manifest.trace_digest
            && self.records == self.manifest.trace_records
    }

    /// Whether the stored trace was compared and every record, and the
    /// number of records, matched the rerun.
    pub fn records_match(&self) -> bool {
        matches!(self.trace, TraceComparison::Compared { divergence: None, .. })
            && self.records == self.manifest.trace_records
    }

    /// The first divergent record, if the stored trace was compared and differs.
    pub fn divergence(&self) -> Option<&Divergence> {
        match &self.trace {
            TraceComparison::Compared { divergence, .. } => divergence.as_ref(),
            _ => None,
        }
    }

    /// What is wrong with the stored trace itself: the manifest says the
    /// run wrote one but it is missing or cannot be read, or its header
    /// does not match the manifest. `None` for a sound trace or none.
    pub fn trace_problem(&self) -> Option<String> {
        match (&self.trace, &self.trace_header) {
            (TraceComparison::Unreadable(e), _) => Some(format!(
                "the manifest says the run wrote a trace, but it cannot be read: {e}"
            )),
            (_, Some(h)) => Some(h.clone()),
            _ => None,
        }
    }

    /// Digest and (if stored) every record identical, the stored trace
    /// readable and its header the manifest's; not interrupted. A
    /// manifest whose digest uses another encoding is identical when its
    /// stored trace matches the rerun record for record.
    pub fn identical(&self) -> bool {
        if self.trace_problem().is_some() {
            return false;
        }
        let verified = if self.digest_comparable() {
            self.digest_matches() && self.divergence().is_none()
        } else {
            self.records_match()
        };
        !self.stopped && verified
    }

    /// Whether the rerun's check results equal the recorded ones: each
    /// check, pass or fail, conclusiveness, time and node (not the detail's
    /// wording, which a build may change; see [`Replay::details_match`]).
    pub fn checks_match(&self) -> bool {
        let key =
            |c: &crate::check::CheckResult| (c.check.clone(), c.passed, c.inconclusive, c.at_ns, c.node);
        self.checks.len() == self.manifest.checks.len()
            && self
                .checks
                .iter()
                .zip(&self.manifest.checks)
                .all(|(a, b)| key(a) == key(b))
    }

    /// How the rerun's check results differ from the recorded ones, one
    /// line per differing field (`check 0 (...): passed: manifest true,
    /// rerun false`); details (wording) aside.
    pub fn check_differences(&self) -> Vec<String> {
        let (ours, theirs) = (&self.checks, &self.manifest.checks);
        if ours.len() != theirs.len() {
            return vec![format!(
                "the manifest records {} check results, the rerun made {}",
                theirs.len(),
                ours.len()
            )];
        }
        let mut lines = Vec::new();
        for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
            let mut field = |name: &str, recorded: String, rerun: String| {
                if recorded != rerun {
                    lines.push(format!(
                        "check {i} ({}): {name}: manifest {recorded}, rerun {rerun}",
                        a.check
                    ));
                }
            };
            field("check", format!("{:?}", b.check), format!("{:?}", a.check));
            field("passed", b.passed.to_string(), a.passed.to_string());
            field(
                "inconclusive",
                b.inconclusive.to_string(),
                a.inconclusive.to_string(),
            );
            field("at_ns", format!("{:?}", b.at_ns), format!("{:?}", a.at_ns));
            field("node", format!("{:?}", b.node), format!("{:?}", a.node));
        }
        lines
    }

    /// Whether the rerun's check details read as the recorded ones.
    pub fn details_match(&self) -> bool {
        self.checks
            .iter()
            .map(|c| &c.detail)
            .eq(self.manifest.checks.iter().map(|c| &c.detail))
    }
}

/// Reads and parses a manifest; errors are bad input.
pub fn read_manifest(path: &Path) -> Result<Manifest> {
    let format = |message: String| Error::Format {
        path: path.to_path_buf(),
        message,
    };
    let mut text = String::new();
    File::open(path)
        .and_then(|f| f.take(scenario::MAX_FILE_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| Error::io(path, e))?;
    if text.len() as u64 > scenario::MAX_FILE_BYTES {
        return Err(format(format!(
            "larger than {} MiB: not a scuttlesim manifest",
            scenario::MAX_FILE_BYTES >> 20
        )));
    }
    let mut de = serde_json::Deserializer::from_str(&text);
    let m: Manifest = serde_path_to_error::deserialize(&mut de).map_err(|e| format(manifest_error(&e)))?;
    de.end().map_err(|e| {
        let message = crate::trace::strip_position(&e.to_string());
        format(format!(
            "line {}, column {}: not a scuttlesim manifest: {message}",
            e.line(),
            e.column()
        ))
    })?;
    // The trace is read from beside the manifest: one plain file name.
    if let Some(f) = &m.trace_file {
        let mut parts = Path::new(f).components();
        if !matches!(parts.next(), Some(std::path::Component::Normal(_))) || parts.next().is_some() {
            return Err(format(format!(
                "trace_file {f:?} must be a file name in the run directory"
            )));
        }
    }
    Ok(m)
}

/// A manifest serde refused, in a reader's words: line and column once,
/// the field, and types as numbers and text rather than Rust's (`expected a
/// whole number`, not `expected u32`).
fn manifest_error(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let inner = e.inner();
    let message = scenario::plain_types(&crate::trace::strip_position(&inner.to_string()));
    let path = e.path().to_string();
    let field = if path == "." || inner.is_syntax() || inner.is_eof() {
        String::new()
    } else {
        format!("field `{path}`: ")
    };
    format!(
        "line {}, column {}: not a scuttlesim manifest: {field}{message}",
        inner.line(),
        inner.column()
    )
}

/// The manifest's scenario, validated again as if loaded from a file.
pub fn manifest_scenario(manifest: &Manifest, path: &Path) -> Result<Scenario> {
    let s = scenario::parse_str(
        &manifest.scenario.canonical_json(),
        Format::Json,
        &format!("{} (scenario)", path.display()),
        &manifest.scenario.name,
        &[],
    )?;
    Ok(s)
}

/// Replays the run of the manifest at `path` (see the module docs).
pub fn replay(path: &Path, stop: Option<&AtomicBool>) -> Result<Replay> {
    replay_observed(path, stop, &mut |_, _| {})
}

/// [`replay`], calling `progress` with `(simulated time, events)` every
/// [`crate::trace::PROGRESS_EVERY`] events (for a progress bar).
pub fn replay_observed(
    path: &Path,
    stop: Option<&AtomicBool>,
    progress: &mut dyn FnMut(crate::time::SimTime, u64),
) -> Result<Replay> {
    let manifest = read_manifest(path)?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut warnings = Vec::new();
    if manifest.digest_format != DIGEST_FORMAT {
        warnings.push(format!(
            "this manifest's digest was computed with the {:?} encoding and this build computes {DIGEST_FORMAT:?}: the digests cannot be compared, so only a stored trace can be verified (record by record)",
            manifest.digest_format
        ));
    }
    if manifest.scuttlesim_version != VERSION {
        warnings.push(format!(
            "this run was made by scuttlesim {}, this is {VERSION}: bit-for-bit identity is only promised for the same version",
            manifest.scuttlesim_version
        ));
    }
    let scenario = manifest_scenario(&manifest, path)?;
    if manifest.seed != scenario.seed {
        warnings.push(format!(
            "the manifest says seed {} but its scenario has seed {}: it was edited; replaying seed {}",
            manifest.seed, scenario.seed, scenario.seed
        ));
    }
    if scenario.hash() != manifest.scenario_hash {
        warnings.push(format!(
            "the manifest's scenario hashes to {}, not the recorded scenario_hash {}: it was edited, or serializes differently in this version",
            &scenario.hash()[..16],
            &manifest.scenario_hash[..manifest.scenario_hash.len().min(16)]
        ));
    }
    let level = manifest.trace_level;
    let mut reader = None;
    let mut trace = TraceComparison::NotStored;
    let mut trace_header = None;
    if let (Some(file), true) = (&manifest.trace_file, level != TraceLevel::Off) {
        let trace_path = dir.join(file);
        match File::open(&trace_path)
            .map_err(|e| e.to_string())
            .and_then(|f| TraceReader::new(BufReader::with_capacity(1 << 20, f)))
        {
            Ok(r) => {
                let h = r.header();
                if h.seed != scenario.seed || h.scenario_hash != manifest.scenario_hash {
                    trace_header = Some(format!(
                        "{} belongs to another run (seed {}, scenario hash {}…)",
                        trace_path.display(),
                        h.seed,
                        &h.scenario_hash[..h.scenario_hash.len().min(16)]
                    ));
                } else if h.nodes != manifest.scenario.nodes.count
                    || h.level != level
                    || h.scenario != manifest.scenario.name
                {
                    // Not part of the digest: a header edited by hand.
                    trace_header = Some(format!(
                        "{}: the header says scenario {:?}, {} nodes, level {}; the manifest says {:?}, {} nodes, level {}",
                        trace_path.display(),
                        h.scenario,
                        h.nodes,
                        h.level.name(),
                        manifest.scenario.name,
                        manifest.scenario.nodes.count,
                        level.name()
                    ));
                }
                reader = Some(r);
            }
            Err(e) => trace = TraceComparison::Unreadable(format!("{}: {e}", trace_path.display())),
        }
    }
    let prefix_only = manifest.status == STATUS_INTERRUPTED;
    let mut cmp = Compare {
        reader,
        level,
        index: 0,
        seen: 0,
        divergence: None,
        stop_after: prefix_only.then_some(manifest.trace_records),
    };
    let digest_level = level.digest_level();
    let mut sink = crate::trace::WithProgress {
        inner: &mut cmp,
        progress,
    };
    let checked = run_checked(&scenario, &mut sink, digest_level, stop);
    let stopped = stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::SeqCst));
    if cmp.reader.is_some() {
        if !stopped {
            cmp.finish();
        }
        trace = TraceComparison::Compared {
            records: cmp.index,
            divergence: cmp.divergence,
        };
    }
    Ok(Replay {
        dir,
        warnings,
        digest: checked.outcome.digest,
        records: checked.outcome.records,
        trace,
        trace_header,
        checks: checked.checks,
        prefix_only,
        stopped,
        manifest,
    })
}

/// Compares the rerun's records with the stored trace as they come.
struct Compare<R> {
    reader: Option<TraceReader<R>>,
    level: TraceLevel,
    index: u64,
    seen: u64,
    divergence: Option<Divergence>,
    stop_after: Option<u64>,
}

impl<R: std::io::BufRead> Compare<R> {
    /// After the rerun: a stored trace longer than the rerun diverges where
    /// the rerun ended.
    fn finish(&mut self) {
        if self.divergence.is_some() {
            return;
        }
        let Some(reader) = &mut self.reader else {
            return;
        };
        if let Some(next) = reader.next_record() {
            let (time_ns, node) = match &next {
                Ok((_, r)) => (Some(r.time()), Some(r.node())),
                Err(_) => (None, None),
            };
            self.divergence = Some(Divergence {
                index: self.index,
                line: reader.line_no(),
                time_ns,
                node,
                stored: Some(reader.raw_line().to_string()),
                rerun: None,
            });
        }
    }
}

impl<R: std::io::BufRead> TraceSink for Compare<R> {
    fn record(&mut self, r: &Record) {
        self.seen += 1;
        if r.level() > self.level {
            return;
        }
        let index = self.index;
        self.index += 1;
        if self.divergence.is_some() {
            return;
        }
        let Some(reader) = &mut self.reader else {
            return;
        };
        let rerun = || serde_json::to_string(r).expect("records always serialize");
        let differs = match reader.next_record() {
            None => Some(Divergence {
                index,
                line: reader.line_no() + 1,
                time_ns: Some(r.time()),
                node: Some(r.node()),
                stored: None,
                rerun: Some(rerun()),
            }),
            Some(Ok((_, stored))) if stored == *r => None,
            Some(_) => Some(Divergence {
                index,
                line: reader.line_no(),
                time_ns: Some(r.time()),
                node: Some(r.node()),
                stored: Some(reader.raw_line().to_string()),
                rerun: Some(rerun()),
            }),
        };
        self.divergence = differs;
    }

    fn stop_requested(&self) -> bool {
        self.stop_after.is_some_and(|n| self.seen >= n)
    }
}
