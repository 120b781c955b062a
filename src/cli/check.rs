//! `scuttlesim check`: validate a scenario without running it.

use super::limits::MemoryOpts;
use super::{load, ScenarioOpts};
use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

/// Validates a scenario and prints it resolved; refuses, as `run` does, a
/// scenario whose run would need more memory than the limit.
pub(crate) fn check(path: &Path, opts: &ScenarioOpts, memory: &MemoryOpts) -> Result<ExitCode> {
    let s = load(path, opts, None)?;
    memory.check(path, &opts.set, &s, 1)?;
    outln!("{}", serde_json::to_string_pretty(&s)?);
    super::print_warnings(path, &s);
    // The two files whose default depends on the run's size.
    let auto = |set: Option<bool>, on: bool| match (set, on) {
        (Some(_), true) => "yes",
        (Some(_), false) => "no",
        (None, true) => "yes (by size)",
        (None, false) => "no (by size)",
    };
    let o = &s.output;
    eprintln!(
        "{}: ok ({} nodes, scenario hash {}) · learned.csv: {} · bandwidth_nodes_time.csv: {}",
        path.display(),
        s.nodes.count,
        &s.hash()[..16],
        auto(
            o.learned,
            o.learned(s.nodes.count, scuttlesim::limits::expected_writes(&s))
        ),
        auto(o.bandwidth_nodes_time, o.node_series(s.nodes.count, s.duration)),
    );
    Ok(ExitCode::SUCCESS)
}
