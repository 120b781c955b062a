//! `scuttlesim run`: one run, its directory, its summary, its checks.

use super::limits::MemoryOpts;
use super::progress::RunBar;
use super::report::{render_checks, replay_command, run_command};
use super::signal::{stop_flag, EXIT_INTERRUPTED};
use super::{load, ScenarioOpts, TraceArg};
use anyhow::{Context, Result};
use scuttlesim::check::secs;
use scuttlesim::output;
use std::path::Path;
use std::process::ExitCode;

/// Runs one scenario and prints its summary; exit 1 when a check fails,
/// 130 when interrupted.
pub(crate) fn run(
    path: &Path,
    opts: &ScenarioOpts,
    out: &Path,
    trace: Option<TraceArg>,
    quiet: bool,
    memory: &MemoryOpts,
) -> Result<ExitCode> {
    let s = load(path, opts, trace)?;
    super::check_out_dir(out)?;
    memory.check(path, &opts.set, &s, 1)?;
    super::print_warnings(path, &s);
    let dir = output::run_dir(out, &s);
    if holds_another_scenario(&dir, &s.hash()) {
        eprintln!(
            "note: {} holds a run of another version of this scenario (its scenario hash differs), which this run replaces; keep runs apart with --out DIR or --set name=NAME",
            dir.display()
        );
    }
    let stop = stop_flag();
    let mut bar = RunBar::new(s.duration, quiet);
    let report = output::execute_observed(&s, out, Some(stop), &mut |now, events| bar.update(now, events));
    bar.finish();
    let report = report.with_context(|| format!("running {}", path.display()))?;
    if report.interrupted() {
        outln!(
            "interrupted at {} (simulated) after {}; no summary written; the manifest says \"interrupted\"",
            secs(report.outcome.end.0),
            super::plural(report.outcome.records, "record", "records")
        );
        outln!("output: {}", report.dir.display());
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    out!("{}", report.summary.render_text());
    out!("{}", render_checks(&report.manifest.checks));
    for note in &report.charts.notes {
        outln!("note: {note}");
    }
    outln!("output: {}", report.dir.display());
    if report.manifest.checks.iter().any(|c| !c.passed) {
        let default_out = out == Path::new("output");
        outln!("replay: {}", replay_command(&report.dir));
        outln!(
            "rerun:  {}",
            run_command(
                path,
                s.seed,
                &opts.set,
                trace.map(|_| s.output.trace.name()),
                (!default_out).then_some(out),
            )
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `dir` holds the manifest of a run whose scenario hash is not
/// `hash` (the same name and seed, other settings: a `--set` or an edit).
fn holds_another_scenario(dir: &Path, hash: &str) -> bool {
    let Ok(bytes) = std::fs::read(dir.join("manifest.json")) else {
        return false;
    };
    let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return false;
    };
    manifest["scenario_hash"].as_str().is_some_and(|h| h != hash)
}
