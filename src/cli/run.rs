//! `scuttlesim run`: one run, its directory, its summary.

use super::progress::RunBar;
use super::{load, ScenarioOpts, TraceArg};
use anyhow::{Context, Result};
use scuttlesim::output;
use std::path::Path;
use std::process::ExitCode;

/// Runs one scenario and prints its summary.
pub(crate) fn run(
    path: &Path,
    opts: &ScenarioOpts,
    out: &Path,
    trace: Option<TraceArg>,
    quiet: bool,
) -> Result<ExitCode> {
    let mut s = load(path, opts)?;
    if let Some(t) = trace {
        s.output.trace = t.into();
    }
    let mut bar = RunBar::new(s.duration, quiet);
    let report = output::execute_observed(&s, out, &mut |now, events| bar.update(now, events));
    bar.finish();
    let report = report.with_context(|| format!("running {}", path.display()))?;
    print!("{}", report.summary.render_text());
    for note in &report.charts.notes {
        println!("note: {note}");
    }
    println!("output: {}", report.dir.display());
    Ok(ExitCode::SUCCESS)
}
