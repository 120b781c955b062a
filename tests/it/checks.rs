//! `[[checks]]`: hand-derived pass/fail boundaries, validation with field
//! paths, results in the manifest, exit codes of `run`.

use crate::bin::{s, scuttlesim, stdout};
use crate::support::{scenario, scenario_error, temp_dir};
use scuttlesim::check::run_checked;
use scuttlesim::scenario::TraceLevel;
use scuttlesim::trace::NullSink;

/// Two nodes, aligned rounds every 1 s, constant 10 ms latency, one write at
/// node 0 at 100 ms. By hand (see `hand.rs`): node 1 holds it at
/// I + 2L = 1.020 s, so everything has converged 0.920 s after the last
/// write. Bytes (size model: header 32, digest entry 12, delta 16 + 8):
/// every round each node sends a syn (32 + 2·12 = 56), an ack (56 + deltas)
/// and an ack2 (32 + deltas). In round 1 node 0's ack carries the write
/// (80) and so does its ack2 (56); afterwards nothing is missing. Rounds at
/// 1..9 s finish before the 10 s end: node 0 sends 192 + 8·144 = 1344 B,
/// node 1 sends 9·144 = 1296 B, i.e. 134.4 and 129.6 B/s.
fn two_nodes(checks: &str) -> String {
    format!(
        r#"
        duration = "10s"
        [nodes]
        count = 2
        [gossip]
        phase = "aligned"
        [network]
        latency = {{ dist = "constant", value = "10ms" }}
        [[workload.schedule]]
        at = "100ms"
        node = 0
        {checks}
        "#
    )
}

fn results(checks: &str) -> Vec<scuttlesim::check::CheckResult> {
    let sc = scenario(&two_nodes(checks));
    run_checked(&sc, &mut NullSink, TraceLevel::Off, None).checks
}

#[test]
fn converged_within_boundary_by_hand() {
    let r = results("[[checks]]\nconverged_within = \"920ms\"");
    assert!(r[0].passed, "{:?}", r[0]);
    let r = results("[[checks]]\nconverged_within = \"919ms\"");
    assert!(!r[0].passed);
    assert_eq!(r[0].check, "converged_within = \"919ms\"");
    assert_eq!(r[0].at_ns, Some(1_019_000_000), "the deadline");
    assert_eq!(r[0].node, Some(1), "node 1 was the last to hold it");
    assert!(r[0].detail.starts_with("0.001s late"), "{}", r[0].detail);
    assert!(!r[0].inconclusive);
}

#[test]
fn all_writes_delivered_by_boundary_by_hand() {
    let r = results("[[checks]]\nall_writes_delivered_by = \"1.02s\"");
    assert!(r[0].passed, "{:?}", r[0]);
    let r = results("[[checks]]\nall_writes_delivered_by = \"1.019999999s\"");
    assert!(!r[0].passed);
    assert_eq!(r[0].node, Some(1));
    // Late by less than a millisecond: said exactly, not "0.000s late".
    assert!(r[0].detail.starts_with("1ns late"), "{}", r[0].detail);
    // A deadline before the write: no write is subject to it.
    let r = results("[[checks]]\nall_writes_delivered_by = \"50ms\"");
    assert!(r[0].passed, "{:?}", r[0]);
}

#[test]
fn max_bytes_per_node_per_s_boundary_by_hand() {
    let r = results("[[checks]]\nmax_bytes_per_node_per_s = 135");
    assert!(r[0].passed, "{:?}", r[0]);
    let r = results("[[checks]]\nmax_bytes_per_node_per_s = 134");
    assert!(!r[0].passed);
    assert_eq!(r[0].node, Some(0), "node 0 sent 1344 B in 10 s");
    assert_eq!(r[0].at_ns, Some(10_000_000_000));
    assert!(r[0].detail.contains("1344 B"), "{}", r[0].detail);
    let r = results("[[checks]]\nmax_bytes_per_node_per_s = 130");
    assert!(!r[0].passed);
    assert!(r[0].detail.contains("1 of 2 nodes over"), "{}", r[0].detail);
}

#[test]
fn unconverged_at_a_short_end_is_inconclusive() {
    // The run ends at 1.01 s, before node 1 holds the write (1.02 s) and
    // before the deadline 0.1 + 5 = 5.1 s.
    let text = two_nodes("[[checks]]\nconverged_within = \"5s\"").replace("\"10s\"", "\"1.01s\"");
    let sc = scenario(&text);
    let r = run_checked(&sc, &mut NullSink, TraceLevel::Off, None).checks;
    assert!(!r[0].passed && r[0].inconclusive, "{:?}", r[0]);
    assert_eq!(r[0].node, Some(1), "node 1 still lacks the write");
    assert!(r[0].detail.contains("lengthen `duration`"), "{}", r[0].detail);
    // Held by node 0 alone: the detail names node 1 as the one lacking it.
    assert!(
        r[0].detail.contains("held by 1 of 2 nodes, missing at node 1)"),
        "{}",
        r[0].detail
    );
}

/// A deadline at the run's end: events at that instant do not run, so the
/// check is inconclusive, and the detail says why rather than "ended at
/// 1.010s, before the deadline 1.010s".
#[test]
fn a_deadline_at_the_end_is_inconclusive_and_says_why() {
    let text = two_nodes("[[checks]]\nall_writes_delivered_by = \"1.01s\"").replace("\"10s\"", "\"1.01s\"");
    let r = run_checked(&scenario(&text), &mut NullSink, TraceLevel::Off, None).checks;
    assert!(!r[0].passed && r[0].inconclusive, "{:?}", r[0]);
    assert!(
        r[0].detail
            .contains("the instant of the deadline 1.010s, which it does not run"),
        "{}",
        r[0].detail
    );
}

/// Node 1 holds the write from 1.020 s (see `two_nodes`) and forgets it in
/// a lost-state crash at 5 s. A deadline is judged by the state at the
/// deadline: before 5 s the write was held everywhere (whatever happens
/// after), from 5 s it was not. Without a restart node 1 never gets it
/// back, and the detail says it is down; with one, the write is late by
/// the time node 1 holds it again (from the records).
#[test]
fn a_deadline_is_judged_at_its_instant_not_at_the_end() {
    let crashed = |check: &str, restart: &str| {
        let text = two_nodes(check).replace(
            "[[workload.schedule]]",
            &format!(
                "[[faults]]\nat = \"5s\"\ncrash = 1\nstate = \"lost\"\n{restart}\n[[workload.schedule]]"
            ),
        );
        let sc = scenario(&text);
        let mut sink = scuttlesim::trace::VecSink::default();
        let mut run = run_checked(&sc, &mut sink, TraceLevel::Versions, None);
        (run.checks.remove(0), sink.0)
    };
    for deadline in ["1.02s", "3s", "4.999999999s"] {
        let (r, _) = crashed(
            &format!("[[checks]]\nall_writes_delivered_by = \"{deadline}\""),
            "",
        );
        assert!(r.passed, "{deadline}: {r:?}");
        assert!(r.detail.contains("held everywhere by 1.020s"), "{}", r.detail);
    }
    let (r, _) = crashed("[[checks]]\nconverged_within = \"3s\"", "");
    assert!(r.passed, "{r:?}");
    let (r, _) = crashed("[[checks]]\nall_writes_delivered_by = \"5s\"", "");
    assert!(!r.passed && !r.inconclusive, "{r:?}");
    assert!(
        r.detail.contains("missing at node 1 (down at the end)"),
        "{}",
        r.detail
    );
    let (r, records) = crashed(
        "[[checks]]\nall_writes_delivered_by = \"5s\"",
        "restart_after = \"1s\"",
    );
    let again = records
        .iter()
        .find_map(|rec| match *rec {
            scuttlesim::trace::Record::Version { t, node: 1, new, .. } if t > 5_000_000_000 && new >= 1 => {
                Some(t)
            }
            _ => None,
        })
        .expect("node 1 learns the write again");
    assert!(!r.passed, "{r:?}");
    let late = scuttlesim::check::secs(again - 5_000_000_000);
    assert!(
        r.detail.starts_with(&format!("{late} late")),
        "{late}: {}",
        r.detail
    );
    assert!(
        r.detail
            .contains(&format!("at {}", scuttlesim::check::secs(again))),
        "{}",
        r.detail
    );
}

#[test]
fn check_validation_names_the_field() {
    let e = scenario_error(&two_nodes("[[checks]]\nafter = \"last-write\""));
    assert!(e.contains("checks[0]") && e.contains("names no check"), "{e}");
    let e = scenario_error(&two_nodes(
        "[[checks]]\nconverged_within = \"1s\"\nall_writes_delivered_by = \"2s\"",
    ));
    assert!(
        e.contains("checks[0].all_writes_delivered_by") && e.contains("one check per"),
        "{e}"
    );
    let e = scenario_error(&two_nodes(
        "[[checks]]\nconverged_within = \"1s\"\n[[checks]]\nall_writes_delivered_by = \"11s\"",
    ));
    assert!(
        e.contains("checks[1].all_writes_delivered_by") && e.contains("after the end"),
        "{e}"
    );
    let e = scenario_error(&two_nodes("[[checks]]\nconverge_within = \"1s\""));
    assert!(e.contains("converge_within"), "{e}");
    let e = scenario_error(&two_nodes(
        "[[checks]]\nconverged_within = \"1s\"\nafter = \"lunch\"",
    ));
    assert!(e.contains("checks[0].after") || e.contains("lunch"), "{e}");
}

#[test]
fn resolved_scenario_spells_out_the_anchor() {
    let sc = scenario(&two_nodes("[[checks]]\nconverged_within = \"1s\""));
    let json = sc.canonical_json();
    assert!(
        json.contains(r#""checks":[{"converged_within":"1s","after":"last-write-or-recovery"}]"#),
        "{json}"
    );
}

#[test]
fn run_exit_codes_and_manifest_checks() {
    let dir = temp_dir("checks-exit");
    let pass = dir.join("pass.toml");
    let fail = dir.join("fail.toml");
    std::fs::write(&pass, two_nodes("[[checks]]\nconverged_within = \"920ms\"")).unwrap();
    std::fs::write(
        &fail,
        two_nodes("[[checks]]\nconverged_within = \"919ms\"\n[[checks]]\nmax_bytes_per_node_per_s = 1000"),
    )
    .unwrap();
    let o = scuttlesim(&["run", s(&pass), "--out", "o"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("o/pass/1/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["status"], "ok");
    assert_eq!(m["checks"][0]["passed"], true);

    let o = scuttlesim(&["run", s(&fail), "--out", "o", "--set", "gossip.fanout=1"], &dir);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("o/fail/1/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["status"], "check-failed");
    assert_eq!(m["checks"][0]["passed"], false);
    assert_eq!(m["checks"][0]["check"], "converged_within = \"919ms\"");
    assert_eq!(m["checks"][1]["passed"], true);
    assert!(out.contains("FAILED converged_within = \"919ms\""), "{out}");
    assert!(
        out.contains("replay: scuttlesim replay o/fail/1/manifest.json"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "rerun:  scuttlesim run {} --seed 1 --set gossip.fanout=1 --out o",
            s(&fail)
        )),
        "{out}"
    );

    std::fs::write(dir.join("bad.toml"), two_nodes("[[checks]]\n")).unwrap();
    let o = scuttlesim(&["run", "bad.toml", "--out", "o2"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.join("o2").exists());
}

/// Two nodes as above, but cut apart from 0.5 s to 3.05 s. The rounds at
/// 1, 2 and 3 s are lost (their messages arrive before the heal), so node 1
/// holds the write 0.1 s at 4 s + 2L = 4.02 s: 0.97 s after the heal (the
/// default anchor, the later of last write and last recovery) and 3.92 s
/// after the last write.
fn healed(check: &str) -> scuttlesim::check::CheckResult {
    let text = two_nodes(check).replace(
        "[[workload.schedule]]",
        "[[faults]]\nat = \"500ms\"\npartition = [[0], [1]]\n[[faults]]\nat = \"3.05s\"\nheal = true\n[[workload.schedule]]",
    );
    let sc = scenario(&text);
    run_checked(&sc, &mut NullSink, TraceLevel::Off, None)
        .checks
        .remove(0)
}

#[test]
fn converged_within_counts_from_the_last_heal() {
    assert!(healed("[[checks]]\nconverged_within = \"970ms\"").passed);
    let r = healed("[[checks]]\nconverged_within = \"969ms\"");
    assert!(!r.passed);
    assert!(r.detail.contains("the last recovery at 3.050s"), "{}", r.detail);
    assert!(healed("[[checks]]\nconverged_within = \"3.92s\"\nafter = \"last-write\"").passed);
    assert!(!healed("[[checks]]\nconverged_within = \"3.919s\"\nafter = \"last-write\"").passed);
    assert!(healed("[[checks]]\nconverged_within = \"970ms\"\nafter = \"last-recovery\"").passed);
}

/// `after = "last-recovery"` judges only the writes made by the recovery:
/// with a second write at 5 s (after the deadline 3.05 + 0.97 s, which it
/// could not meet) the boundary is the one above. Without a recovery the
/// anchor is the last write.
#[test]
fn last_recovery_judges_only_the_writes_made_by_it() {
    let later = |check: &str| {
        let text = two_nodes(check).replace(
            "[[workload.schedule]]",
            "[[faults]]\nat = \"500ms\"\npartition = [[0], [1]]\n[[faults]]\nat = \"3.05s\"\nheal = true\n[[workload.schedule]]\nat = \"5s\"\nnode = 0\n[[workload.schedule]]",
        );
        let sc = scenario(&text);
        run_checked(&sc, &mut NullSink, TraceLevel::Off, None)
            .checks
            .remove(0)
    };
    let r = later("[[checks]]\nconverged_within = \"970ms\"\nafter = \"last-recovery\"");
    assert!(r.passed, "{r:?}");
    let r = later("[[checks]]\nconverged_within = \"969ms\"\nafter = \"last-recovery\"");
    assert!(
        !r.passed && r.detail.contains("write v1 (made at 0.100s)"),
        "{r:?}"
    );
    // The default anchor is the later write, which is judged: made with
    // the round at 5 s, node 1 holds it at 5 s + 2L.
    assert!(later("[[checks]]\nconverged_within = \"20ms\"").passed);
    let r = later("[[checks]]\nconverged_within = \"19ms\"");
    assert!(
        !r.passed && r.detail.contains("write v2 (made at 5.000s)"),
        "{r:?}"
    );
    // Without a recovery the anchor is the last write (the boundary of
    // `converged_within_boundary_by_hand`).
    let r = results("[[checks]]\nconverged_within = \"920ms\"\nafter = \"last-recovery\"");
    assert!(
        r[0].passed && r[0].detail.contains("the last write (no recovery)"),
        "{r:?}"
    );
    let r = results("[[checks]]\nconverged_within = \"919ms\"\nafter = \"last-recovery\"");
    assert!(!r[0].passed, "{r:?}");
}

/// The hand-derived skew case of `faults.rs`: node 0's clock is 10 s fast,
/// it writes 100 at 1 s (stamped 11 s), node 1 writes 50 at 5 s. Under
/// lww-timestamp node 1's (truly last) write is lost; under lww-version it
/// is kept.
#[test]
fn no_lost_writes_names_the_lost_write() {
    let text = |policy: &str| {
        format!(
            "{}\n[[checks]]\nno_lost_writes = true\n",
            crate::faults::skew("10s", "5s", policy)
        )
    };
    let check = |policy: &str| {
        run_checked(&scenario(&text(policy)), &mut NullSink, TraceLevel::Off, None)
            .checks
            .remove(0)
    };
    let r = check("lww-timestamp");
    assert!(!r.passed);
    assert_eq!(r.node, Some(1));
    assert_eq!(r.at_ns, Some(5_000_000_000));
    assert!(r.detail.contains("value 50"), "{}", r.detail);
    assert!(check("lww-version").passed);
}

/// Staleness is sampled every second: at 1 s node 1 still lacks the write
/// made at 0.1 s (it gets it at 1.02 s), so that mapping is 0.9 s stale; at
/// 2 s nothing is stale. The largest sampled staleness is 0.9 s, at 1 s.
#[test]
fn max_staleness_boundary_by_hand() {
    let with = |check: &str| {
        let text = two_nodes(check) + "\n[output]\nstaleness = true\n";
        run_checked(&scenario(&text), &mut NullSink, TraceLevel::Off, None)
            .checks
            .remove(0)
    };
    assert!(with("[[checks]]\nmax_staleness = \"900ms\"").passed);
    let r = with("[[checks]]\nmax_staleness = \"899ms\"");
    assert!(!r.passed);
    assert_eq!(r.at_ns, Some(1_000_000_000));
    assert!(
        r.detail.starts_with("staleness reached 0.900s at 1.000s"),
        "{}",
        r.detail
    );
    let e = scenario_error(&two_nodes("[[checks]]\nmax_staleness = \"1s\""));
    assert!(
        e.contains("checks[0].max_staleness") && e.contains("output.staleness"),
        "{e}"
    );
}

/// A write that cannot spread because of what still stands at the end (a
/// partition never healed, a node down for good) is explained by it, not by
/// "lengthen duration": node 0 is cut off from nodes 1 and 2 from 50 ms
/// (never healed), node 2 crashes at 60 ms (never restarted), node 0 writes
/// at 100 ms. Healing the partition at 2 s removes that half of the hint.
#[test]
fn a_missing_write_names_unhealed_partitions_and_down_nodes() {
    let run = |check: &str, heal: &str| {
        let text = format!(
            r#"
            duration = "10s"
            [nodes]
            count = 3
            [[faults]]
            at = "50ms"
            name = "cut"
            partition = [[0], [1, 2]]
            [[faults]]
            at = "60ms"
            crash = 2
            {heal}
            [[workload.schedule]]
            at = "100ms"
            node = 0
            [[checks]]
            {check}
            "#
        );
        let sc = scenario(&text);
        run_checked(&sc, &mut NullSink, TraceLevel::Off, None)
            .checks
            .remove(0)
    };
    let r = run("all_writes_delivered_by = \"10s\"", "");
    assert!(!r.passed && r.inconclusive, "{r:?}");
    assert!(
        r.detail.contains("missing at node 1 among others"),
        "{}",
        r.detail
    );
    assert!(r.detail.contains("node 2 down at the end"), "{}", r.detail);
    assert!(
        r.detail.contains("1 partition or cut still in force at the end"),
        "{}",
        r.detail
    );
    assert!(!r.detail.contains("lengthen"), "{}", r.detail);
    let r = run("all_writes_delivered_by = \"5s\"", "");
    assert!(!r.passed && !r.inconclusive, "{r:?}");
    assert!(
        r.detail
            .ends_with("(at the end: node 2 down, 1 partition or cut never healed)"),
        "{}",
        r.detail
    );
    let healed = "[[faults]]\nat = \"2s\"\nheal = \"cut\"";
    let r = run("all_writes_delivered_by = \"5s\"", healed);
    assert!(!r.passed, "node 2 never gets it: {r:?}");
    assert!(
        r.detail.ends_with("missing at node 2 (down at the end)"),
        "{}",
        r.detail
    );
}
