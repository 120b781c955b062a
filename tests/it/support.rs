//! Helpers shared by the integration tests.

use scuttlesim::scenario::{self, Format, Scenario};
use scuttlesim::sim::{Outcome, Simulation};
use scuttlesim::trace::{Record, VecSink};
use std::path::PathBuf;

/// Parses a TOML scenario given inline.
pub fn scenario(text: &str) -> Scenario {
    scenario::parse_str(text, Format::Toml, "test.toml", "test", &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Parses a TOML scenario, expecting an error; returns its display text.
pub fn scenario_error(text: &str) -> String {
    match scenario::parse_str(text, Format::Toml, "test.toml", "test", &[]) {
        Ok(_) => panic!("scenario should have been rejected:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// Runs a scenario keeping every record at its trace level.
pub fn run_records(s: &Scenario) -> (Outcome, Vec<Record>) {
    let mut sink = VecSink::default();
    let out = Simulation::new(s, s.output.trace).run(&mut sink);
    (out, sink.0)
}

/// A shipped scenario file.
pub fn shipped(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// A fresh empty temporary directory for one test.
pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scuttlesim-it-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Times (ns) at which each node first held write `(origin, version)`,
/// read from `version` records: the node's entry for `origin` reached at
/// least `version`.
pub fn learned_at(records: &[Record], origin: u32, version: u64, nodes: u32) -> Vec<Option<u64>> {
    let mut at = vec![None; nodes as usize];
    for r in records {
        if let Record::Version {
            t,
            node,
            origin: o,
            old,
            new,
            ..
        } = *r
        {
            if o == origin && old < version && new >= version && at[node as usize].is_none() {
                at[node as usize] = Some(t);
            }
        }
    }
    at
}
