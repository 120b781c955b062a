//! `scuttlesim check`: validate a scenario without running it.

use super::{load, ScenarioOpts};
use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

/// Validates a scenario and prints it resolved.
pub(crate) fn check(path: &Path, opts: &ScenarioOpts) -> Result<ExitCode> {
    let s = load(path, opts, None)?;
    outln!("{}", serde_json::to_string_pretty(&s)?);
    eprintln!(
        "{}: ok ({} nodes, scenario hash {})",
        path.display(),
        s.nodes.count,
        &s.hash()[..16]
    );
    Ok(ExitCode::SUCCESS)
}
