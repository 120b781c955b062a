//! Writing a run's directory: `trace.jsonl`, `summary.json`, `metrics/`,
//! `charts/`, `manifest.json`. Every file is written under a temporary name and renamed
//! when complete, and the manifest is written last, so an interrupted run
//! never leaves a manifest that looks whole: a rerun first removes the old
//! manifest; a kill leaves no manifest at all; a run stopped by its stop flag
//! (Ctrl-C) keeps the whole records made so far as `trace.jsonl`, writes no
//! `summary.json` and a manifest with status `interrupted`.

use crate::check::{self, run_checked};
use crate::error::{Error, Result};
use crate::render::{self, Written};
use crate::scenario::{Scenario, TraceLevel};
use crate::sim::Outcome;
use crate::summary::{Manifest, Summary, STATUS_CHECK_FAILED, STATUS_INTERRUPTED, STATUS_OK, VERSION};
use crate::time::SimTime;
use crate::trace::{Header, NullSink, WithProgress, DIGEST_FORMAT, TRACE_FORMAT};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

mod early_sync;
mod trace_thread;
use trace_thread::TraceThread;

/// The directory of one run: `<root>/<name>/<seed>`.
pub fn run_dir(root: &Path, scenario: &Scenario) -> PathBuf {
    root.join(&scenario.name).join(scenario.seed.to_string())
}

/// What [`execute`] produced.
#[derive(Debug)]
pub struct RunReport {
    /// Where the files are.
    pub dir: PathBuf,
    /// The headline figures.
    pub summary: Summary,
    /// The raw outcome (metrics included).
    pub outcome: Outcome,
    /// The manifest written (status, check results).
    pub manifest: Manifest,
    /// The charts drawn (none when interrupted).
    pub charts: Written,
}

impl RunReport {
    /// Whether the stop flag ended the run early.
    pub fn interrupted(&self) -> bool {
        self.manifest.status == STATUS_INTERRUPTED
    }
}

/// Runs `scenario` and writes its directory under `root`.
pub fn execute(scenario: &Scenario, root: &Path) -> Result<RunReport> {
    execute_with(scenario, root, None)
}

/// Runs `scenario` and writes its directory under `root`; once `stop` is set
/// the run ends before its next event and is written as interrupted.
pub fn execute_with(scenario: &Scenario, root: &Path, stop: Option<&AtomicBool>) -> Result<RunReport> {
    execute_observed(scenario, root, stop, &mut |_, _| {})
}

/// Like [`execute_with`], also calling `progress(simulated time, events)`
/// every [`crate::trace::PROGRESS_EVERY`] events while the simulation runs.
pub fn execute_observed(
    scenario: &Scenario,
    root: &Path,
    stop: Option<&AtomicBool>,
    progress: &mut dyn FnMut(SimTime, u64),
) -> Result<RunReport> {
    let dir = run_dir(root, scenario);
    execute_all(scenario, &dir, &|_| Vec::new(), stop, true, progress)
}

/// Extra files of a run directory, made from the outcome: `(file name, bytes)`.
pub type ExtraFiles<'a> = &'a dyn Fn(&Outcome) -> Vec<(&'static str, Vec<u8>)>;

/// Like [`execute`], but writes into `dir` itself (sweeps choose their own
/// layout) and also writes the `extra` files, atomically, before the
/// manifest, so a manifest still means every file of the run is complete.
pub fn execute_in(scenario: &Scenario, dir: &Path, extra: ExtraFiles<'_>) -> Result<RunReport> {
    execute_in_with(scenario, dir, extra, None)
}

/// [`execute_in`] with a stop flag (see [`execute_with`]); an interrupted
/// run gets no summary and no extra files. Runs written this way (a sweep's)
/// get their `metrics/` but no `charts/`: `scuttlesim chart` draws them on
/// demand.
pub fn execute_in_with(
    scenario: &Scenario,
    dir: &Path,
    extra: ExtraFiles<'_>,
    stop: Option<&AtomicBool>,
) -> Result<RunReport> {
    execute_all(scenario, dir, extra, stop, false, &mut |_, _| {})
}

/// The body of every `execute*`: `charts` says whether to draw the
/// scenario's charts (`run`) or not (sweeps). An interrupted run gets no
/// metrics and no charts either.
fn execute_all(
    scenario: &Scenario,
    dir: &Path,
    extra: ExtraFiles<'_>,
    stop: Option<&AtomicBool>,
    charts: bool,
    progress: &mut dyn FnMut(SimTime, u64),
) -> Result<RunReport> {
    if charts {
        render::check_charts(scenario)?;
    }
    let dir = dir.to_path_buf();
    Error::create_dir_all(&dir)?;
    let _claim = lock_dir(&dir)?;
    let manifest_path = dir.join("manifest.json");
    // Exports and a shrunk scenario of the same run (same build, scenario
    // and seed) stay true; of another, they would pass for this one's.
    let same_run = fs::read(&manifest_path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
        .is_some_and(|m| {
            m.scuttlesim_version == VERSION && m.scenario_hash == scenario.hash() && m.seed == scenario.seed
        });
    remove_if_present(&manifest_path)?;
    if !same_run {
        for name in DERIVED_FILES {
            remove_if_present(&dir.join(name))?;
        }
    }
    let level = scenario.output.trace;
    let trace_path = dir.join("trace.jsonl");
    let checked = if level == TraceLevel::Off {
        remove_if_present(&trace_path)?;
        let mut sink = WithProgress {
            inner: &mut NullSink,
            progress,
        };
        run_checked(scenario, &mut sink, level, stop)
    } else {
        let tmp = tmp_name(&trace_path);
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let header = Header {
            kind: "header".into(),
            format: TRACE_FORMAT.into(),
            version: VERSION.into(),
            scenario: scenario.name.clone(),
            scenario_hash: scenario.hash(),
            seed: scenario.seed,
            level,
            nodes: scenario.nodes.count,
        };
        // On any error (a full disk) the partial file is removed: nothing
        // half-written stays behind, and no manifest is written.
        let written: Result<_> = (|| {
            // A helper thread renders and writes the records.
            let mut writer = TraceThread::start(file, &header).map_err(|e| Error::io(&tmp, e))?;
            let mut sink = WithProgress {
                inner: &mut writer,
                progress,
            };
            let checked = run_checked(scenario, &mut sink, level, stop);
            let file = writer.finish().map_err(|e| Error::io(&tmp, e))?;
            file.sync_all().map_err(|e| Error::io(&tmp, e))?;
            fs::rename(&tmp, &trace_path).map_err(|e| Error::io(&trace_path, e))?;
            Ok(checked)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written?
    };
    let outcome = checked.outcome;
    let summary = Summary::new(scenario, &outcome);
    let summary_path = dir.join("summary.json");
    let mut drawn = Written::default();
    let status = if checked.interrupted {
        remove_if_present(&summary_path)?;
        render::remove_run_products(&dir)?;
        STATUS_INTERRUPTED
    } else {
        write_json(&summary_path, &summary)?;
        for (name, bytes) in extra(&outcome) {
            write_atomic(&dir.join(name), &bytes)?;
        }
        drawn = render::write_run_products(&dir, scenario, &outcome, charts)?;
        // After the files held in memory (whose writing removed any stale
        // copy of these): the large ones, streamed.
        crate::report::write_streamed_metrics(&dir, scenario, &outcome)?;
        if check::all_passed(&checked.checks) {
            STATUS_OK
        } else {
            STATUS_CHECK_FAILED
        }
    };
    let manifest = Manifest {
        scuttlesim_version: VERSION.into(),
        seed: scenario.seed,
        scenario_hash: scenario.hash(),
        scenario: scenario.clone(),
        trace_level: level,
        digest_level: outcome.digest_level,
        digest_format: DIGEST_FORMAT.into(),
        trace_digest: outcome.digest.clone(),
        trace_records: outcome.records,
        trace_file: (level != TraceLevel::Off).then(|| "trace.jsonl".into()),
        status: status.into(),
        checks: checked.checks,
        interrupted_at_ns: checked.interrupted.then_some(outcome.end.0),
    };
    write_json(&manifest_path, &manifest)?;
    Ok(RunReport {
        dir,
        summary,
        outcome,
        manifest,
        charts: drawn,
    })
}

fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

/// Opens `path` to write into as it is ([`WriteTarget::InPlace`]),
/// appending: `--out /dev/stdout >> log` must not write over the log.
pub(crate) fn open_in_place(path: &Path) -> Result<File> {
    fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, e))
}

/// `path` with `.tmp` added to its file name. (Two runs never share one:
/// a run claims its directory, [`lock_dir`].)
pub(crate) fn tmp_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Files other commands write into a run's directory by default (`export`,
/// `shrink`): a rerun of another scenario or seed removes them, as they
/// describe the old run.
const DERIVED_FILES: [&str; 4] = ["chrome-trace.json", "shiviz.log", "shrunk.toml", "shrunk.json"];

/// An exclusive claim on a run's directory, held while the run writes it
/// and released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct DirLock {
    _dir: File,
}

/// Claims `dir` (which exists) for one writer: a second process running
/// into the same directory at the same time would interleave the files of
/// two runs (a manifest of one, a summary of the other). An advisory lock
/// on the directory itself, so no lock file is left behind; where the
/// file system cannot lock, the run goes on unclaimed.
pub fn lock_dir(dir: &Path) -> Result<DirLock> {
    let handle = File::open(dir).map_err(|e| Error::io(dir, e))?;
    match handle.try_lock() {
        Ok(()) | Err(fs::TryLockError::Error(_)) => Ok(DirLock { _dir: handle }),
        Err(fs::TryLockError::WouldBlock) => Err(Error::Format {
            path: dir.to_path_buf(),
            message: "another scuttlesim process is writing a run into this directory now; wait for it to \
                      finish, or choose another --out"
                .into(),
        }),
    }
}

/// Writes `value` as pretty JSON to `path`, atomically (temp file + rename).
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("outputs always serialize");
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

/// How a file is written: through a temporary file renamed over the
/// final name, or straight into something that is not a regular file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteTarget {
    /// Write a temporary file beside this path and rename it over the path.
    Replace(PathBuf),
    /// Write into the path as it is: a device (`/dev/null`), a FIFO or a
    /// terminal, which a rename would replace with a regular file.
    InPlace,
}

/// Where a write to `path` should go. A name under `/dev/` or `/proc/`
/// (`/dev/stdout` even when it leads to a regular file), or one that leads
/// (through symbolic links) to something other than a regular file or a
/// directory, is written in place. A symbolic link is followed, so that the
/// link stays and the file it names is replaced; a dangling link names the
/// file to create. Anything else (a regular file, a new name, a directory,
/// which the rename then refuses) is replaced as itself.
pub fn write_target(path: &Path) -> WriteTarget {
    if path.starts_with("/dev") || path.starts_with("/proc") {
        return WriteTarget::InPlace;
    }
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    match fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => WriteTarget::InPlace,
        Ok(_) if is_link => {
            WriteTarget::Replace(fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
        }
        Err(_) if is_link => {
            let dangling = fs::read_link(path).map(|to| path.parent().unwrap_or(Path::new("")).join(to));
            WriteTarget::Replace(dangling.unwrap_or_else(|_| path.to_path_buf()))
        }
        _ => WriteTarget::Replace(path.to_path_buf()),
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename (see
/// [`write_target`]: a device or FIFO is written in place). A temporary
/// file that cannot be created is reported as `path` (the user's name; the
/// reason is the same).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let target = match write_target(path) {
        WriteTarget::InPlace => {
            return open_in_place(path)?
                .write_all(bytes)
                .map_err(|e| Error::io(path, e))
        }
        WriteTarget::Replace(target) => target,
    };
    let tmp = tmp_name(&target);
    let mut f = File::create(&tmp).map_err(|e| Error::io(path, e))?;
    let written = f
        .write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io(&tmp, e))
        .and_then(|()| fs::rename(&tmp, &target).map_err(|e| Error::io(path, e)));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}
