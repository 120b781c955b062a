//! Writing a run's directory: `trace.jsonl`, `summary.json`, `metrics/`,
//! `charts/`, `manifest.json`. Every file is written under a temporary name and renamed
//! when complete, and the manifest is written last, so an interrupted run
//! never leaves a manifest that looks whole.

use crate::error::{Error, Result};
use crate::render::{self, Written};
use crate::scenario::{Scenario, TraceLevel};
use crate::sim::{Outcome, Simulation};
use crate::summary::{Manifest, Summary, VERSION};
use crate::time::SimTime;
use crate::trace::{Header, JsonlWriter, NullSink, WithProgress, TRACE_FORMAT};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

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
    /// The charts drawn.
    pub charts: Written,
}

/// Runs `scenario` and writes its directory under `root`.
pub fn execute(scenario: &Scenario, root: &Path) -> Result<RunReport> {
    execute_observed(scenario, root, &mut |_, _| {})
}

/// Like [`execute`], calling `progress(simulated time, events)` every
/// [`crate::trace::PROGRESS_EVERY`] events while the simulation runs.
pub fn execute_observed(
    scenario: &Scenario,
    root: &Path,
    progress: &mut dyn FnMut(SimTime, u64),
) -> Result<RunReport> {
    render::check_charts(scenario)?;
    let dir = run_dir(root, scenario);
    fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let level = scenario.output.trace;
    let mut sim = Simulation::new(scenario, level);
    let trace_path = dir.join("trace.jsonl");
    let outcome = if level == TraceLevel::Off {
        let _ = fs::remove_file(&trace_path);
        sim.run(&mut WithProgress {
            inner: &mut NullSink,
            progress,
        })
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
        let mut writer = JsonlWriter::new(BufWriter::with_capacity(1 << 20, file), &header)
            .map_err(|e| Error::io(&tmp, e))?;
        let outcome = sim.run(&mut WithProgress {
            inner: &mut writer,
            progress,
        });
        let buf = writer.finish().map_err(|e| Error::io(&tmp, e))?;
        let file = buf.into_inner().map_err(|e| Error::io(&tmp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
        fs::rename(&tmp, &trace_path).map_err(|e| Error::io(&trace_path, e))?;
        outcome
    };
    let summary = Summary::new(scenario, &outcome);
    write_json(&dir.join("summary.json"), &summary)?;
    let charts = render::write_run_products(&dir, scenario, &outcome)?;
    let manifest = Manifest {
        scuttlesim_version: VERSION.into(),
        seed: scenario.seed,
        scenario_hash: scenario.hash(),
        scenario: scenario.clone(),
        trace_level: level,
        digest_level: outcome.digest_level,
        trace_digest: outcome.digest.clone(),
        trace_records: outcome.records,
        trace_file: (level != TraceLevel::Off).then(|| "trace.jsonl".into()),
        status: "ok".into(),
    };
    write_json(&dir.join("manifest.json"), &manifest)?;
    Ok(RunReport {
        dir,
        summary,
        outcome,
        charts,
    })
}

fn tmp_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().expect("a file path").to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Writes `value` as pretty JSON to `path`, atomically (temp file + rename).
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("outputs always serialize");
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = tmp_name(path);
    let mut f = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| Error::io(&tmp, e))?;
    f.sync_all().map_err(|e| Error::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}
