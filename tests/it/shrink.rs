//! `shrink` on a failing seed of the shipped flaky scenario: the shrunk file
//! still fails the same check, conclusively, and is smaller on every axis it
//! claims (measured here from the files and fresh runs, not taken from the
//! program's report).

use crate::bin::{s, scuttlesim, stdout};
use crate::support::{run_records, shipped, temp_dir};
use scuttlesim::check::run_checked;
use scuttlesim::scenario::{Latency, Scenario, TraceLevel};
use scuttlesim::trace::{NullSink, Record};

fn writes_made(sc: &Scenario) -> usize {
    let (_, records) = run_records(sc);
    records
        .iter()
        .filter(|r| matches!(r, Record::Write { .. }))
        .count()
}

#[test]
fn shrunk_scenario_fails_the_same_check_and_is_smaller() {
    let dir = temp_dir("shrink");
    let flaky = shipped("flaky-convergence.toml");
    let o = scuttlesim(&["run", s(&flaky), "--seed", "15", "--out", "o"], &dir);
    assert_eq!(o.status.code(), Some(1));
    let run = dir.join("o/flaky-convergence/15");
    let o = scuttlesim(&["shrink", s(&run.join("manifest.json"))], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    let shrunk_path = run.join("shrunk.toml");
    let text = std::fs::read_to_string(&shrunk_path).unwrap();
    assert!(text.starts_with("# Shrunk by `scuttlesim shrink"), "{text}");

    let original = scuttlesim::scenario::load(&flaky, &["seed=15".into()]).unwrap();
    let shrunk = scuttlesim::scenario::load(&shrunk_path, &[]).unwrap();
    assert_eq!(shrunk.seed, 15);
    assert_eq!(
        shrunk.checks,
        vec![original.checks[0].clone()],
        "the same check, alone"
    );

    // It still fails that check, and not merely for ending too early.
    let r = run_checked(&shrunk, &mut NullSink, TraceLevel::Off, None).checks;
    assert!(!r[0].passed && !r[0].inconclusive, "{:?}", r[0]);

    // Every claimed axis, measured independently.
    let claims: Vec<(&str, &str, &str)> = out
        .lines()
        .filter_map(|l| {
            let (axis, rest) = l.trim().split_once(": ")?;
            let (a, b) = rest.split_once(" -> ")?;
            Some((axis, a, b))
        })
        .collect();
    assert!(!claims.is_empty(), "{out}");
    let (w0, w1) = (writes_made(&original), writes_made(&shrunk));
    for (axis, a, b) in &claims {
        // Settings made plain: gone (or a constant) in the shrunk file.
        let plain = match *axis {
            "loss" => Some(original.network.loss > 0.0 && shrunk.network.loss == 0.0),
            "duplicate" => Some(original.network.duplicate > 0.0 && shrunk.network.duplicate == 0.0),
            "burst_loss" => {
                Some(original.network.burst_loss.is_some() && shrunk.network.burst_loss.is_none())
            }
            "latency" => Some(
                original.network.latency != shrunk.network.latency
                    && matches!(shrunk.network.latency, Latency::Constant { .. }),
            ),
            "clock offset" => Some(original.clock.offset.is_some() && shrunk.clock.offset.is_none()),
            "clock drift_ppm" => Some(original.clock.drift_ppm.is_some() && shrunk.clock.drift_ppm.is_none()),
            "clock nodes" => Some(!original.clock.nodes.is_empty() && shrunk.clock.nodes.is_empty()),
            "groups" => Some(!original.nodes.groups.is_empty() && shrunk.nodes.groups.is_empty()),
            _ => None,
        };
        if let Some(ok) = plain {
            assert!(ok, "{axis}: {a} -> {b}");
            continue;
        }
        let (was, now) = match *axis {
            "nodes" => (original.nodes.count as u64, shrunk.nodes.count as u64),
            "duration" => (original.duration.0, shrunk.duration.0),
            "writes" => (w0 as u64, w1 as u64),
            "fanout" => (original.gossip.fanout as u64, shrunk.gossip.fanout as u64),
            "faults" => (original.faults.len() as u64, shrunk.faults.len() as u64),
            "keys_per_node" => (
                original.workload.keys_per_node as u64,
                shrunk.workload.keys_per_node as u64,
            ),
            // While a random process remains (else its axes are not shown).
            "writers" => {
                let count = |s: &Scenario| {
                    s.workload
                        .writers
                        .as_ref()
                        .map_or(s.nodes.count, |w| w.len() as u32)
                };
                (count(&original) as u64, count(&shrunk) as u64)
            }
            "stop_at" => {
                let at = |s: &Scenario| s.workload.stop_at.map_or(u64::MAX, |d| d.0);
                (at(&original), at(&shrunk))
            }
            other => panic!("unknown axis {other}"),
        };
        assert!(now < was, "{axis}: {a} -> {b}, measured {was} -> {now}");
        if !matches!(*axis, "duration" | "stop_at") {
            assert_eq!((a.parse::<u64>().unwrap(), b.parse::<u64>().unwrap()), (was, now));
        }
    }
    // Nothing grew.
    assert!(shrunk.nodes.count <= original.nodes.count);
    assert!(shrunk.duration <= original.duration);
    assert!(w1 <= w0);
    assert!(w1 < w0, "the write axis shrinks on this example");

    // The shrunk file runs from the command line and fails (exit 1).
    let o = scuttlesim(&["run", s(&shrunk_path), "--out", "o2", "--trace", "off"], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

#[test]
fn shrink_refuses_a_passing_run() {
    let dir = temp_dir("shrink-pass");
    let flaky = shipped("flaky-convergence.toml");
    let o = scuttlesim(&["run", s(&flaky), "--seed", "3", "--out", "o"], &dir);
    assert_eq!(o.status.code(), Some(0), "seed 3 passes: {}", stdout(&o));
    let o = scuttlesim(&["shrink", "o/flaky-convergence/3/manifest.json"], &dir);
    assert_eq!(o.status.code(), Some(2));
}

/// A run without checks, and `--max-runs 0`, are refused with what to do
/// (they said "every check passed", and spent a run).
#[test]
fn shrink_says_why_it_cannot_start() {
    let dir = temp_dir("shrink-refusals");
    let q = shipped("quickstart.toml");
    let o = scuttlesim(&["run", s(&q), "--out", "o", "--trace", "off"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = scuttlesim(&["shrink", "o/quickstart/42"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let err = crate::bin::stderr(&o);
    assert!(err.contains("the run has no checks ([[checks]])"), "{err}");

    let flaky = shipped("flaky-convergence.toml");
    let o = scuttlesim(&["run", s(&flaky), "--seed", "15", "--out", "o"], &dir);
    assert_eq!(o.status.code(), Some(1), "seed 15 fails: {}", stdout(&o));
    let o = scuttlesim(&["shrink", "o/flaky-convergence/15", "--max-runs", "0"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let err = crate::bin::stderr(&o);
    assert!(err.contains("--max-runs"), "{err}");
    assert!(
        !dir.join("o/flaky-convergence/15/shrunk.toml").exists(),
        "nothing written"
    );

    // An inconclusive failure (the run ends before the deadline) is not
    // shrunk: every shorter run would "fail" the same way.
    let o = scuttlesim(
        &[
            "run",
            s(&flaky),
            "--seed",
            "0",
            "--set",
            "duration=15s",
            "--out",
            "o3",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("o3/flaky-convergence/0/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m["checks"][0]["inconclusive"], true, "{m}");
    let o = scuttlesim(&["shrink", "o3/flaky-convergence/0"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let err = crate::bin::stderr(&o);
    assert!(err.contains("failed only inconclusively"), "{err}");
}

/// A rate check (bytes per node per second over the run) keeps its
/// duration: a shorter run's rate is its start-up's. The shrunk file still
/// fails, conclusively, over the original duration.
#[test]
fn a_rate_check_keeps_the_duration() {
    let dir = temp_dir("shrink-rate");
    let flaky = shipped("flaky-convergence.toml");
    let set = "checks=[{max_bytes_per_node_per_s=700}]";
    let o = scuttlesim(
        &["run", s(&flaky), "--set", set, "--out", "o", "--trace", "off"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let run = std::fs::read_dir(dir.join("o/flaky-convergence"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let o = scuttlesim(&["shrink", s(&run)], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let original = scuttlesim::scenario::load(&flaky, &[set.into()]).unwrap();
    let shrunk = scuttlesim::scenario::load(&run.join("shrunk.toml"), &[]).unwrap();
    assert_eq!(shrunk.duration, original.duration);
    let r = run_checked(&shrunk, &mut NullSink, TraceLevel::Off, None).checks;
    assert!(!r[0].passed && !r[0].inconclusive, "{:?}", r[0]);
}

/// A failure after a recovery stays one: a 2|2 partition healed at 6 s and
/// a lost-state restart in between leave a write late after the heal. The
/// faults make the failure, so shrink must keep a recovery to count from
/// (removing them all would anchor on the last write, and removing the heal
/// alone would leave the write never delivered): the shrunk run fails the
/// same way, counted from a recovery, and is late, not missing.
#[test]
fn shrink_keeps_the_kind_of_failure() {
    let dir = temp_dir("shrink-kind");
    let text = r#"
        name = "bound"
        seed = 3
        duration = "12s"
        [nodes]
        count = 4
        [gossip]
        interval = "1s"
        fanout = 3
        [network]
        latency = { dist = "uniform", low = "1ms", high = "10ms" }
        [[workload.schedule]]
        at = "2.5s"
        node = 0
        [[workload.schedule]]
        at = "2.6s"
        node = 3
        [[workload.schedule]]
        at = "4s"
        node = 1
        [[faults]]
        at = "2s"
        partition = [[0, 1], [2, 3]]
        [[faults]]
        at = "3s"
        crash = 1
        state = "lost"
        restart_after = "1.5s"
        [[faults]]
        at = "6s"
        heal = true
        [[checks]]
        converged_within = "0.5s"
        after = "last-recovery"
        [output]
        charts = []
        "#;
    std::fs::write(dir.join("bound.toml"), text).unwrap();
    let o = scuttlesim(&["run", "bound.toml", "--out", "o"], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let original = scuttlesim::scenario::load(&dir.join("bound.toml"), &[]).unwrap();
    let before = run_checked(&original, &mut NullSink, TraceLevel::Off, None)
        .checks
        .remove(0);
    assert_eq!(before.kind, "late after the last recovery", "{before:?}");
    let o = scuttlesim(&["shrink", "o/bound/3", "--out", "s.toml"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let shrunk = scuttlesim::scenario::load(&dir.join("s.toml"), &[]).unwrap();
    let after = run_checked(&shrunk, &mut NullSink, TraceLevel::Off, None)
        .checks
        .remove(0);
    assert!(!after.passed && !after.inconclusive, "{after:?}");
    assert_eq!(after.kind, before.kind, "{after:?}");
    assert!(shrunk.faults.iter().any(|f| f.heal.is_some()), "the heal stays");
}

/// Removing a named partition removes its heal too: a lost-state crash
/// alone loses the write, and the partition and its heal are not needed.
/// Before, ddmin never tried the pair together (the partition alone is
/// invalid, the heal alone makes the check pass), so both stayed.
#[test]
fn a_partition_goes_with_its_heal() {
    let dir = temp_dir("shrink-heal");
    let text = r#"
        name = "heal-pair"
        seed = 1
        duration = "12s"
        [nodes]
        count = 4
        [gossip]
        phase = "aligned"
        [[workload.schedule]]
        at = "1.1s"
        node = 3
        [[faults]]
        at = "500ms"
        name = "split"
        partition = [[0, 1], [2, 3]]
        [[faults]]
        at = "1.2s"
        crash = 3
        state = "lost"
        restart_after = "4s"
        [[faults]]
        at = "8s"
        heal = "split"
        [[checks]]
        no_lost_writes = true
    "#;
    std::fs::write(dir.join("heal.toml"), text).unwrap();
    // The crash alone loses the write: node 3 crashes 100 ms after writing,
    // before its next round (aligned rounds at whole seconds).
    let o = scuttlesim(&["run", "heal.toml", "--out", "o"], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let o = scuttlesim(&["shrink", "o/heal-pair/1"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let shrunk = scuttlesim::scenario::load(&dir.join("o/heal-pair/1/shrunk.toml"), &[]).unwrap();
    assert_eq!(shrunk.faults.len(), 1, "{:?}", shrunk.faults);
    assert_eq!(shrunk.faults[0].crash, Some(3), "{:?}", shrunk.faults);
}

/// A seed above 2^63 - 1 does not fit TOML: the shrunk scenario is written
/// as JSON (and loads with that seed), and `--out FILE.toml` is refused
/// before any work.
#[test]
fn a_seed_beyond_toml_is_shrunk_to_json() {
    let dir = temp_dir("shrink-json");
    let flaky = shipped("flaky-convergence.toml");
    let seed = "9223372036854775811";
    let o = scuttlesim(&["run", s(&flaky), "--seed", seed, "--out", "o"], &dir);
    assert_eq!(o.status.code(), Some(1), "this seed fails: {}", stdout(&o));
    let run = dir.join("o/flaky-convergence").join(seed);
    let o = scuttlesim(&["shrink", s(&run), "--out", "x.toml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        crate::bin::stderr(&o).contains("give a .json file"),
        "{}",
        crate::bin::stderr(&o)
    );
    assert!(!dir.join("x.toml").exists());
    let o = scuttlesim(&["shrink", s(&run), "--max-runs", "3"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", crate::bin::stderr(&o));
    let shrunk = scuttlesim::scenario::load(&run.join("shrunk.json"), &[]).unwrap();
    assert_eq!(shrunk.seed.to_string(), seed);
    assert!(!run.join("shrunk.toml").exists());
}

/// Groups nothing names any more, and loss the failure does not need, are
/// dropped: the partition naming the groups goes (the crash alone loses
/// the write), then the groups, then the loss. Before, both stayed.
#[test]
fn unneeded_groups_and_loss_are_dropped() {
    let dir = temp_dir("shrink-plain");
    let text = r#"
        name = "plain"
        seed = 1
        duration = "12s"
        [nodes]
        count = 4
        groups = { a = 2, b = 2 }
        [gossip]
        phase = "aligned"
        [network]
        loss = 0.1
        [[workload.schedule]]
        at = "1.1s"
        node = 3
        [[faults]]
        at = "500ms"
        name = "split"
        partition = [["a"], ["b"]]
        [[faults]]
        at = "1.2s"
        crash = 3
        state = "lost"
        restart_after = "4s"
        [[faults]]
        at = "8s"
        heal = "split"
        [[checks]]
        no_lost_writes = true
    "#;
    std::fs::write(dir.join("plain.toml"), text).unwrap();
    let o = scuttlesim(&["run", "plain.toml", "--out", "o"], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let o = scuttlesim(&["shrink", "o/plain/1"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    let shrunk = scuttlesim::scenario::load(&dir.join("o/plain/1/shrunk.toml"), &[]).unwrap();
    assert!(shrunk.nodes.groups.is_empty(), "{out}");
    assert_eq!(shrunk.network.loss, 0.0, "{out}");
    assert!(out.contains("groups: a = 2, b = 2 -> none"), "{out}");
    assert!(out.contains("loss: 0.1 -> 0"), "{out}");
    let r = run_checked(&shrunk, &mut NullSink, TraceLevel::Off, None).checks;
    assert!(!r[0].passed && !r[0].inconclusive, "{:?}", r[0]);
}

/// Loss the failure needs stays, and the output says it was tried: two
/// nodes, one write, a tight deadline that only heavy loss misses.
#[test]
fn needed_loss_is_kept_and_listed() {
    let dir = temp_dir("shrink-loss");
    let text = r#"
        name = "lossy"
        seed = 2
        duration = "20s"
        [nodes]
        count = 2
        [gossip]
        phase = "aligned"
        fanout = 1
        [network]
        loss = 0.9
        [[workload.schedule]]
        at = "1.1s"
        node = 0
        [[checks]]
        converged_within = "1.5s"
    "#;
    std::fs::write(dir.join("lossy.toml"), text).unwrap();
    let o = scuttlesim(&["run", "lossy.toml", "--out", "o", "--trace", "off"], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let o = scuttlesim(&["shrink", "o/lossy/2"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("kept: loss 0.9 (without it the check passes)"),
        "{out}"
    );
    let text = std::fs::read_to_string(dir.join("o/lossy/2/shrunk.toml")).unwrap();
    assert!(
        text.contains("#   kept: loss 0.9 (without it the check passes)"),
        "{text}"
    );
    let shrunk = scuttlesim::scenario::load(&dir.join("o/lossy/2/shrunk.toml"), &[]).unwrap();
    assert_eq!(shrunk.network.loss, 0.9);
}

/// `shrink --out -` writes the scenario to standard output, and its
/// messages (on stderr) say so instead of `written: /dev/stdout` and a
/// `scuttlesim run /dev/stdout` that cannot work; the scenario on stdout
/// is the same as the one written to a file.
#[test]
fn shrink_to_stdout_says_where_it_went() {
    let dir = temp_dir("shrink-stdout");
    let flaky = shipped("flaky-convergence.toml");
    let o = scuttlesim(
        &["run", s(&flaky), "--seed", "15", "--out", "o", "--trace", "off"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1), "seed 15 fails: {}", stdout(&o));
    let o = scuttlesim(&["shrink", "o/flaky-convergence/15", "--out", "-"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", crate::bin::stderr(&o));
    let err = crate::bin::stderr(&o);
    assert!(!err.contains("/dev/stdout"), "{err}");
    assert!(err.contains("written to standard output"), "{err}");
    assert!(err.contains("save it to a .toml file"), "{err}");
    let file = scuttlesim(&["shrink", "o/flaky-convergence/15", "--out", "s.toml"], &dir);
    assert_eq!(file.status.code(), Some(0), "{}", stdout(&file));
    assert!(
        stdout(&file).contains("run it:  scuttlesim run s.toml"),
        "{}",
        stdout(&file)
    );
    assert_eq!(o.stdout, std::fs::read(dir.join("s.toml")).unwrap());
}
