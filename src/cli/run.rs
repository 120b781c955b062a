//! `scuttlesim run`: one run, its directory, its summary.

use super::{load, ScenarioOpts, TraceArg};
use anyhow::{Context, Result};
use scuttlesim::output;
use std::path::Path;
use std::process::ExitCode;

/// Runs one scenario and prints its summary.
pub(crate) fn run(path: &Path, opts: &ScenarioOpts, out: &Path, trace: Option<TraceArg>) -> Result<ExitCode> {
    let mut s = load(path, opts)?;
    if let Some(t) = trace {
        s.output.trace = t.into();
    }
    let report = output::execute(&s, out).with_context(|| format!("running {}", path.display()))?;
    print!("{}", report.summary.render_text());
    println!("output: {}", report.dir.display());
    Ok(ExitCode::SUCCESS)
}
