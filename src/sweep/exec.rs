//! Running a sweep: the selected runs in parallel (rayon), resume, results
//! gathered in canonical order, then the summary files (or a shard marker).

use super::charts::write_charts;
use super::series::{self, STALENESS_FILE};
use super::shard::{Shard, ShardMarker, MARKER_FORMAT};
use super::table::{points_csv, summary_csv};
use super::{Plan, Sweep};
use crate::error::{Error, Result};
use crate::metrics::StalenessSample;
use crate::output::{self, write_atomic, write_json};
use crate::summary::{Manifest, Summary, STATUS_CHECK_FAILED, STATUS_OK};
use crate::trace::DIGEST_FORMAT;
use rayon::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Per-write convergence times of a run (ns, one per line after a header,
/// in (origin, version) order; unconverged writes left out): what the
/// sweep's convergence CDFs are drawn from.
pub const CONVERGENCE_FILE: &str = "convergence_ns.csv";

/// How to run a sweep.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Worker threads; 0: one per available core.
    pub jobs: usize,
    /// Keep runs whose manifest matches their scenario hash instead of
    /// running them again.
    pub resume: bool,
    /// Run only this slice (and write its marker, not the summary files).
    pub shard: Option<Shard>,
    /// Once set (Ctrl-C), runs in progress stop as interrupted, no more
    /// start, and nothing is summarised: `--resume` finishes the sweep.
    pub stop: Option<&'static AtomicBool>,
}

/// Told about progress by [`execute`] (from worker threads).
pub trait Progress: Sync {
    /// `runs` runs selected, `done` of them already complete (resumed).
    fn start(&self, runs: usize, done: usize);
    /// One more run finished.
    fn run_done(&self);
}

/// A [`Progress`] that ignores everything.
#[derive(Copy, Clone, Debug, Default)]
pub struct SilentProgress;

impl Progress for SilentProgress {
    fn start(&self, _: usize, _: usize) {}
    fn run_done(&self) {}
}

/// One finished run, as the summary files need it.
#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    /// Its `summary.json`.
    pub summary: Summary,
    /// Its per-write convergence times, ns ([`CONVERGENCE_FILE`]).
    pub convergence_ns: Vec<u64>,
    /// Its staleness samples ([`STALENESS_FILE`]; empty unless the scenario
    /// samples staleness).
    pub staleness: Vec<StalenessSample>,
    /// How many of its `[[checks]]` failed (its manifest's `checks`).
    pub checks_failed: u32,
}

impl RunResult {
    /// Reads a complete run directory: its manifest must exist and carry
    /// `scenario_hash`, scuttlesim `version` and this build's digest
    /// encoding ([`DIGEST_FORMAT`]), and its summary and
    /// convergence file must parse. The error says what is missing or
    /// different.
    pub(crate) fn load(
        dir: &Path,
        scenario_hash: &str,
        version: &str,
    ) -> std::result::Result<RunResult, String> {
        let read =
            |name: &str| fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()));
        let manifest: Manifest = serde_json::from_slice(&read("manifest.json")?)
            .map_err(|e| format!("{}: {e}", dir.join("manifest.json").display()))?;
        // A run that failed a check is complete; an interrupted one is not.
        let complete = manifest.status == STATUS_OK || manifest.status == STATUS_CHECK_FAILED;
        if manifest.scenario_hash != scenario_hash || !complete {
            return Err(format!(
                "{}: scenario hash {} (status {}), the sweep expects {scenario_hash}: a run of a different sweep",
                dir.join("manifest.json").display(),
                manifest.scenario_hash,
                manifest.status
            ));
        }
        if manifest.scuttlesim_version != version {
            return Err(format!(
                "{}: made by scuttlesim {}, the sweep by {version}",
                dir.join("manifest.json").display(),
                manifest.scuttlesim_version
            ));
        }
        if manifest.digest_format != DIGEST_FORMAT {
            return Err(format!(
                "{}: its trace digest uses the {:?} encoding, this build's {DIGEST_FORMAT:?}: made by an older build",
                dir.join("manifest.json").display(),
                manifest.digest_format
            ));
        }
        let summary: Summary = serde_json::from_slice(&read("summary.json")?)
            .map_err(|e| format!("{}: {e}", dir.join("summary.json").display()))?;
        let text = String::from_utf8(read(CONVERGENCE_FILE)?)
            .map_err(|e| format!("{}: {e}", dir.join(CONVERGENCE_FILE).display()))?;
        let convergence_ns =
            parse_convergence(&text).map_err(|e| format!("{}: {e}", dir.join(CONVERGENCE_FILE).display()))?;
        if summary.scenario_hash != scenario_hash
            || convergence_ns.len() as u64 != summary.convergence.converged
        {
            return Err(format!("{}: files disagree with the manifest", dir.display()));
        }
        let staleness = if manifest.scenario.output.staleness {
            let text = String::from_utf8(read(STALENESS_FILE)?)
                .map_err(|e| format!("{}: {e}", dir.join(STALENESS_FILE).display()))?;
            series::parse_run(&text).map_err(|e| format!("{}: {e}", dir.join(STALENESS_FILE).display()))?
        } else {
            Vec::new()
        };
        Ok(RunResult {
            summary,
            convergence_ns,
            staleness,
            checks_failed: failed(&manifest.checks),
        })
    }
}

fn convergence_bytes(times: &[u64]) -> Vec<u8> {
    let mut s = String::from("convergence_ns\n");
    for t in times {
        s.push_str(&t.to_string());
        s.push('\n');
    }
    s.into_bytes()
}

fn parse_convergence(text: &str) -> std::result::Result<Vec<u64>, String> {
    let mut lines = text.lines();
    if lines.next() != Some("convergence_ns") {
        return Err("expected the header `convergence_ns`".into());
    }
    lines
        .map(|l| l.parse().map_err(|_| format!("not a time in ns: {l:?}")))
        .collect()
}

/// What [`execute`] did.
#[derive(Debug)]
pub struct Report {
    /// The sweep directory, `root/<name>`.
    pub dir: PathBuf,
    /// Runs selected (all, or the shard's).
    pub selected: usize,
    /// Runs executed now.
    pub ran: usize,
    /// Runs found complete and kept (`--resume`).
    pub resumed: usize,
    /// Every run's result in canonical order (`None` for a shard).
    pub results: Option<Vec<RunResult>>,
    /// Selected runs that failed a check.
    pub failed_checks: usize,
    /// Whether the stop flag ended the sweep before every selected run
    /// was complete (then nothing was summarised).
    pub interrupted: bool,
    /// Summary files (or the shard marker) written, in order.
    pub files: Vec<PathBuf>,
}

/// Fails when `dir` holds a point's directory under a name this build
/// would not give it: a sweep written by an older scuttlesim, which named
/// table values differently (`gossip.mtu=__deltas__50_`, now
/// `gossip.mtu=deltas-50`). Running (or resuming) into it would leave the
/// old directories beside the new ones; the sweep must be rerun elsewhere.
fn refuse_renamed_points(dir: &Path, plan_path: &Path, plan: &Plan) -> Result<()> {
    let Ok(bytes) = fs::read(plan_path) else {
        return Ok(());
    };
    let Ok(old) = serde_json::from_slice::<Plan>(&bytes) else {
        return Ok(());
    };
    if old.fields != plan.fields {
        return Ok(());
    }
    let key = |values: &[serde_json::Value]| serde_json::to_string(values).unwrap_or_default();
    let now: std::collections::BTreeMap<String, &str> = plan
        .points
        .iter()
        .map(|p| (key(&p.values), p.slug.as_str()))
        .collect();
    for was in &old.points {
        let renamed = now.get(&key(&was.values)).filter(|&&slug| slug != was.slug);
        if let Some(now) = renamed {
            if dir.join(&was.slug).is_dir() {
                return Err(Error::Format {
                    path: plan_path.to_path_buf(),
                    message: format!(
                        "holds point directory {:?} (named by an older scuttlesim); this one names that point {:?}: rerun the sweep into another --out, or remove {}",
                        was.slug,
                        now,
                        dir.display()
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Runs `sweep` under `root` (into `root/<name>/`): writes `sweep.json`,
/// every selected run's directory, then `summary.csv` and `points.csv` in
/// canonical order, or, for a shard, its marker. The first failing run (in
/// canonical order) fails the sweep after the others finish.
pub fn execute(sweep: &Sweep, root: &Path, opts: &Options, progress: &dyn Progress) -> Result<Report> {
    let plan = &sweep.plan;
    let dir = root.join(&plan.name);
    Error::create_dir_all(&dir)?;
    let plan_path = dir.join("sweep.json");
    refuse_renamed_points(&dir, &plan_path, plan)?;
    if opts.shard.is_some() {
        if let Ok(bytes) = fs::read(&plan_path) {
            if let Ok(old) = serde_json::from_slice::<Plan>(&bytes) {
                if old.sweep_hash != plan.sweep_hash {
                    return Err(Error::Format {
                        path: plan_path,
                        message: format!(
                            "holds a different sweep (hash {}, this one {}): shards of one sweep must share a directory only with each other; use another --out or remove it",
                            old.sweep_hash, plan.sweep_hash
                        ),
                    });
                }
            }
        }
    }
    write_plan(&plan_path, plan, opts.shard)?;

    let selected: Vec<usize> = match opts.shard {
        Some(s) => s.runs(plan.runs.len()),
        None => (0..plan.runs.len()).collect(),
    };
    // No more threads than runs (`--jobs 100000` on 8 runs); 0: one per core.
    let jobs = match opts.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        j => j,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.min(selected.len().max(1)))
        .build()
        .map_err(|e| Error::io(&dir, std::io::Error::other(e)))?;

    let mut results: Vec<Option<RunResult>> = if opts.resume {
        pool.install(|| {
            selected
                .par_iter()
                .map(|&i| {
                    let run_dir = dir.join(plan.run_path(i));
                    RunResult::load(&run_dir, &plan.runs[i].scenario_hash, &plan.scuttlesim_version).ok()
                })
                .collect()
        })
    } else {
        vec![None; selected.len()]
    };
    let resumed = results.iter().filter(|r| r.is_some()).count();
    progress.start(selected.len(), resumed);

    let pending: Vec<(usize, usize)> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_none())
        .map(|(slot, _)| (slot, selected[slot]))
        .collect();
    let stopped = || opts.stop.is_some_and(|s| s.load(Ordering::SeqCst));
    let fresh: Vec<Result<Option<RunResult>>> = pool.install(|| {
        pending
            .par_iter()
            .map(|&(_, i)| {
                if stopped() {
                    return Ok(None);
                }
                let r = run_one(sweep, &dir, i, opts.stop);
                progress.run_done();
                r
            })
            .collect()
    });
    let mut ran = 0;
    for ((slot, _), r) in pending.iter().zip(fresh) {
        results[*slot] = r?;
        ran += usize::from(results[*slot].is_some());
    }
    if results.iter().any(Option::is_none) {
        return Ok(Report {
            dir,
            selected: selected.len(),
            ran,
            resumed,
            results: None,
            failed_checks: 0,
            interrupted: true,
            files: Vec::new(),
        });
    }
    let results: Vec<RunResult> = results
        .into_iter()
        .map(|r| r.expect("every run has a result"))
        .collect();
    let failed_checks = results.iter().filter(|r| r.checks_failed > 0).count();

    let (results, files) = match opts.shard {
        Some(shard) => {
            let marker = ShardMarker {
                format: MARKER_FORMAT.into(),
                sweep: plan.name.clone(),
                sweep_hash: plan.sweep_hash.clone(),
                shard: shard.index,
                shards: shard.count,
                runs: selected.clone(),
            };
            let path = dir.join(shard.marker_name());
            write_json(&path, &marker)?;
            (None, vec![path])
        }
        None => {
            let files = write_summaries(&dir, plan, &results)?;
            (Some(results), files)
        }
    };
    Ok(Report {
        dir,
        selected: selected.len(),
        ran,
        resumed,
        results,
        failed_checks,
        interrupted: false,
        files,
    })
}

/// Writes `sweep.json`. Shards of one sweep may start at the same moment in
/// one directory, so each writes through its own temporary file (named by
/// shard and process) and renames it over the others' identical bytes.
fn write_plan(path: &Path, plan: &Plan, shard: Option<Shard>) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(plan).expect("a plan always serializes");
    bytes.push(b'\n');
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let tag = shard.map_or(0, |s| s.index);
    let tmp = path.with_file_name(format!(".sweep.json.{tag}.{}.tmp", std::process::id()));
    write_atomic(&tmp, &bytes)?;
    fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Runs run `index` into its directory under the sweep directory `dir`;
/// `None` if `stop` interrupted it (its manifest says so).
fn run_one(sweep: &Sweep, dir: &Path, index: usize, stop: Option<&AtomicBool>) -> Result<Option<RunResult>> {
    let scenario = sweep.run_scenario(index);
    let run_dir = dir.join(sweep.plan.run_path(index));
    let report = output::execute_in_with(
        &scenario,
        &run_dir,
        &|outcome| {
            vec![(
                CONVERGENCE_FILE,
                convergence_bytes(&outcome.metrics.convergence_times()),
            )]
        },
        stop,
    )?;
    if report.interrupted() {
        return Ok(None);
    }
    Ok(Some(RunResult {
        convergence_ns: report.outcome.metrics.convergence_times(),
        staleness: report.outcome.metrics.staleness().to_vec(),
        checks_failed: failed(&report.manifest.checks),
        summary: report.summary,
    }))
}

/// How many of `checks` failed.
fn failed(checks: &[crate::check::CheckResult]) -> u32 {
    checks.iter().filter(|c| !c.passed).count() as u32
}

/// Writes `summary.csv`, `points.csv` and the charts of all runs
/// (`results[i]` is run `i`) into the sweep directory `dir`; returns their
/// paths.
pub(crate) fn write_summaries(dir: &Path, plan: &Plan, results: &[RunResult]) -> Result<Vec<PathBuf>> {
    let summary = dir.join("summary.csv");
    write_atomic(&summary, summary_csv(plan, results).as_bytes())?;
    let points = dir.join("points.csv");
    write_atomic(&points, points_csv(plan, results).as_bytes())?;
    let mut files = vec![summary, points];
    files.extend(write_charts(dir, plan, results)?);
    files.extend(series::write(dir, plan, results)?);
    Ok(files)
}
