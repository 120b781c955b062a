//! Same binary + scenario + seed = same trace, byte for byte, whatever is
//! written to disk.

use crate::support::{run_records, scenario, shipped};
use scuttlesim::scenario::{load, TraceLevel};
use scuttlesim::sim::Simulation;
use scuttlesim::trace::{digest_of, Header, JsonlWriter, NullSink, Record, TRACE_FORMAT};

fn quickstart() -> scuttlesim::scenario::Scenario {
    load(&shipped("quickstart.toml"), &[]).unwrap()
}

fn header(level: TraceLevel) -> Header {
    Header {
        kind: "header".into(),
        format: TRACE_FORMAT.into(),
        version: "test".into(),
        scenario: "q".into(),
        scenario_hash: "h".into(),
        seed: 0,
        level,
        nodes: 0,
    }
}

fn jsonl(s: &scuttlesim::scenario::Scenario) -> (Vec<u8>, String) {
    let mut w = JsonlWriter::new(Vec::new(), &header(s.output.trace)).unwrap();
    let out = Simulation::new(s, s.output.trace).run(&mut w);
    (w.finish().unwrap(), out.digest)
}

#[test]
fn same_seed_twice_gives_identical_bytes_and_digest() {
    let s = quickstart();
    let (a, da) = jsonl(&s);
    let (b, db) = jsonl(&s);
    assert!(a.len() > 10_000);
    assert_eq!(a, b);
    assert_eq!(da, db);
}

#[test]
fn writing_the_trace_does_not_change_the_digest() {
    let mut s = quickstart();
    let (_, written) = jsonl(&s);
    s.output.trace = TraceLevel::Off;
    let silent = Simulation::new(&s, TraceLevel::Off).run(&mut NullSink).digest;
    assert_eq!(written, silent);
}

#[test]
fn the_digest_is_the_hash_of_the_records() {
    let s = quickstart();
    let (out, records) = run_records(&s);
    assert_eq!(out.digest, digest_of(&records, TraceLevel::Versions));
    assert_eq!(out.records as usize, records.len());
}

#[test]
fn a_different_seed_gives_a_different_digest() {
    let mut s = quickstart();
    let a = jsonl(&s).1;
    s.seed += 1;
    let b = jsonl(&s).1;
    assert_ne!(a, b);
}

/// The run does not change with the trace level: the `versions` records are
/// exactly the version-level records inside a `full` trace.
#[test]
fn versions_records_equal_those_inside_full() {
    let mut s = quickstart();
    s.output.trace = TraceLevel::Versions;
    let (_, versions) = run_records(&s);
    s.output.trace = TraceLevel::Full;
    let (out_full, full) = run_records(&s);
    let filtered: Vec<&Record> = full
        .iter()
        .filter(|r| r.level() == TraceLevel::Versions)
        .collect();
    assert_eq!(filtered.len(), versions.len());
    assert!(filtered.iter().zip(&versions).all(|(a, b)| *a == b));
    assert!(full.len() > versions.len());
    assert_eq!(out_full.digest, digest_of(&full, TraceLevel::Full));
}

#[test]
fn inline_scenario_is_deterministic_with_loss() {
    let text = r#"
        duration = "30s"
        [nodes]
        count = 20
        [gossip]
        fanout = 2
        [workload]
        writes = { process = "poisson", mean_interval = "2s" }
        [network]
        latency = { dist = "uniform", low = "1ms", high = "80ms" }
        loss = 0.2
        [output]
        trace = "full"
    "#;
    let (a, ra) = run_records(&scenario(text));
    let (b, rb) = run_records(&scenario(text));
    assert_eq!(a.digest, b.digest);
    assert_eq!(ra, rb);
    assert!(ra.iter().any(|r| matches!(r, Record::Drop { .. })));
}

/// Every feature and every fault at once: still byte-for-byte repeatable,
/// and the trace level does not change the run.
#[test]
fn every_fault_at_once_is_deterministic() {
    let s = load(&shipped("everything.toml"), &[]).unwrap();
    let (a, da) = jsonl(&s);
    let (b, db) = jsonl(&s);
    assert_eq!(a, b);
    assert_eq!(da, db);
    let (_, full) = run_records(&s);
    let mut v = s.clone();
    v.output.trace = TraceLevel::Versions;
    let (_, versions) = run_records(&v);
    let filtered: Vec<&Record> = full
        .iter()
        .filter(|r| r.level() == TraceLevel::Versions)
        .collect();
    assert!(filtered.iter().zip(&versions).all(|(a, b)| *a == b) && filtered.len() == versions.len());
    for reason in ["loss", "partition", "crash"] {
        assert!(
            full.iter()
                .any(|r| matches!(r, Record::Drop { reason: x, .. } if x == reason)),
            "the fixture exercises {reason} drops"
        );
    }
    let mut other = s.clone();
    other.seed += 1;
    assert_ne!(jsonl(&other).1, da);
}
