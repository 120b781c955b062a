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

/// Two runs into one directory at once would interleave their files (a
/// manifest of one, a summary of the other, which `replay` then called
/// identical): a run claims its directory, and a second one is refused
/// while the claim holds, leaving the first run's files as they were.
#[test]
fn a_run_directory_has_one_writer_at_a_time() {
    use crate::bin::{s, scuttlesim, stderr};
    let dir = crate::support::temp_dir("one-writer");
    let q = shipped("quickstart.toml");
    let args = ["run", s(&q), "--set", "nodes.count=4", "--out", "o", "-q"];
    assert_eq!(scuttlesim(&args, &dir).status.code(), Some(0));
    let run = dir.join("o/quickstart/42");
    let manifest = std::fs::read(run.join("manifest.json")).unwrap();
    let claim = scuttlesim::output::lock_dir(&run).unwrap();
    let o = scuttlesim(&args, &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("another scuttlesim process is writing a run into this directory"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(run.join("manifest.json")).unwrap(), manifest);
    drop(claim);
    assert_eq!(scuttlesim(&args, &dir).status.code(), Some(0));
}

/// A rerun keeps the exports and shrunk scenario of the same run (same
/// scenario and seed: they still describe it) and removes those of
/// another scenario written into the same directory.
#[test]
fn a_rerun_of_another_scenario_removes_the_old_exports() {
    use crate::bin::{s, scuttlesim};
    let dir = crate::support::temp_dir("rerun-exports");
    let q = shipped("quickstart.toml");
    let run = dir.join("o/quickstart/42");
    let go = |extra: &[&str]| {
        let mut args = vec![
            "run",
            s(&q),
            "--set",
            "nodes.count=4",
            "--trace",
            "full",
            "--out",
            "o",
            "-q",
        ];
        args.extend_from_slice(extra);
        assert_eq!(scuttlesim(&args, &dir).status.code(), Some(0));
    };
    go(&[]);
    let export = |format: &str| {
        assert_eq!(
            scuttlesim(&["export", "o/quickstart/42", "--format", format], &dir)
                .status
                .code(),
            Some(0)
        );
    };
    export("chrome");
    export("shiviz");
    go(&[]);
    assert!(run.join("chrome-trace.json").is_file() && run.join("shiviz.log").is_file());
    go(&["--set", "gossip.fanout=2"]);
    assert!(!run.join("chrome-trace.json").exists() && !run.join("shiviz.log").exists());
}
