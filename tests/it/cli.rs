//! The binary as a user runs it: exit codes, outputs, nothing written on
//! bad input.

use crate::support::{shipped, temp_dir};
use std::path::Path;
use std::process::{Command, Output};

fn scuttlesim(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scuttlesim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("binary runs")
}

#[test]
fn run_writes_manifest_summary_and_trace_identically_twice() {
    let dir = temp_dir("run-twice");
    let q = shipped("quickstart.toml");
    let q = q.to_str().unwrap();
    let a = scuttlesim(&["run", q, "--out", "a"], &dir);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let b = scuttlesim(&["run", q, "--out", "b"], &dir);
    assert!(b.status.success());
    let run_a = dir.join("a/quickstart/42");
    let run_b = dir.join("b/quickstart/42");
    for f in ["manifest.json", "summary.json", "trace.jsonl"] {
        let x = std::fs::read(run_a.join(f)).unwrap();
        let y = std::fs::read(run_b.join(f)).unwrap();
        assert_eq!(x, y, "{f} differs between two runs");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run_a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 42);
    assert_eq!(manifest["status"], "ok");
    assert_eq!(manifest["trace_digest"].as_str().unwrap().len(), 64);
    let stdout = String::from_utf8_lossy(&a.stdout);
    assert!(
        stdout.contains(manifest["trace_digest"].as_str().unwrap()),
        "{stdout}"
    );
    // No temporary files left behind.
    for e in std::fs::read_dir(&run_a).unwrap() {
        assert!(!e.unwrap().file_name().to_string_lossy().ends_with(".tmp"));
    }
    readme_shows_this_summary(&stdout);
}

/// The README's sample summary of `quickstart.toml` (the block after "prints
/// something like:") is what the run printed, line for line; a line ending
/// in `…` (the digest) is a prefix.
fn readme_shows_this_summary(stdout: &str) {
    let readme = std::fs::read_to_string(shipped("../README.md")).unwrap();
    let block = readme
        .split_once("prints something like:\n\n```\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("README has the sample summary")
        .0;
    let printed: Vec<&str> = stdout.lines().collect();
    assert!(block.lines().count() >= 10, "sample too short: {block}");
    for (i, want) in block.lines().enumerate() {
        let got = printed.get(i).copied().unwrap_or("");
        let same = match want.strip_suffix('…') {
            Some(prefix) => got.starts_with(prefix),
            None => got == want,
        };
        assert!(
            same,
            "README sample line {}: {want:?}, the run printed {got:?}",
            i + 1
        );
    }
}

#[test]
fn seed_trace_and_set_flags_apply() {
    let dir = temp_dir("flags");
    let q = shipped("quickstart.toml");
    let out = scuttlesim(
        &[
            "run",
            q.to_str().unwrap(),
            "--seed",
            "7",
            "--trace",
            "off",
            "--set",
            "nodes.count=16",
            "--out",
            "o",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = dir.join("o/quickstart/7");
    assert!(!run.join("trace.jsonl").exists(), "--trace off writes no trace");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["scenario"]["nodes"]["count"], 16);
    assert_eq!(m["trace_level"], "off");
    assert_eq!(m["digest_level"], "versions");
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = temp_dir("bad");
    std::fs::write(dir.join("bad.toml"), "duration = \"10s\"\n[nodes]\ncount = 0\n").unwrap();
    let out = scuttlesim(&["run", "bad.toml", "--out", "o"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:3:1") && err.contains("nodes.count"),
        "{err}"
    );
    assert!(!dir.join("o").exists(), "nothing may be written on bad input");
    let out = scuttlesim(&["run", "missing.toml"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let out = scuttlesim(&["run", "."], &dir);
    assert_eq!(out.status.code(), Some(2));
    let out = scuttlesim(&["check", "bad.toml"], &dir);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_prints_the_resolved_scenario() {
    let dir = temp_dir("check");
    let q = shipped("quickstart.toml");
    let out = scuttlesim(&["check", q.to_str().unwrap()], &dir);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["gossip"]["value_bytes"], 8, "defaults are filled in");
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "check writes nothing"
    );
    // The files whose default depends on the size, as the run decides:
    // quickstart (64 nodes, 60 s in 1 s samples: 3,904 cells; about 500
    // writes: 32,000 cells) writes both; at 10,000 nodes (610,000 cells;
    // 5 million) neither; set, they say so without "by size".
    let says = |args: &[&str]| {
        let mut all = vec!["check", q.to_str().unwrap()];
        all.extend_from_slice(args);
        let o = scuttlesim(&all, &dir);
        assert!(o.status.success());
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let e = says(&[]);
    assert!(
        e.contains("learned.csv: yes (by size) · bandwidth_nodes_time.csv: yes (by size)"),
        "{e}"
    );
    let e = says(&["--set", "nodes.count=10000"]);
    assert!(
        e.contains("learned.csv: no (by size) · bandwidth_nodes_time.csv: no (by size)"),
        "{e}"
    );
    let e = says(&[
        "--set",
        "output.learned=false",
        "--set",
        "output.bandwidth_nodes_time=true",
    ]);
    assert!(
        e.contains("learned.csv: no · bandwidth_nodes_time.csv: yes\n"),
        "{e}"
    );
    let run = scuttlesim(&["run", q.to_str().unwrap(), "-q"], &dir);
    assert!(run.status.success());
    let metrics = dir.join("output/quickstart/42/metrics");
    assert!(metrics.join("learned.csv").exists() && metrics.join("bandwidth_nodes_time.csv").exists());
}

#[test]
fn every_shipped_scenario_is_valid() {
    let mut found = 0;
    let mut stack = vec![shipped("")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_stem()
                .is_some_and(|x| x.to_string_lossy().ends_with("sweep"))
            {
                // Sweep files (`*sweep.toml`) resolve every point of their grid.
                let level = scuttlesim::scenario::TraceLevel::Off;
                scuttlesim::sweep::load(&p, level).unwrap_or_else(|e| panic!("{e}"));
            } else if p.extension().is_some_and(|x| x == "toml" || x == "json") {
                scuttlesim::scenario::load(&p, &[]).unwrap_or_else(|e| panic!("{e}"));
                found += 1;
            }
        }
    }
    assert!(found >= 3);
}

/// `scuttlesim … | head` closes stdout early: the command must not panic
/// ("failed printing to stdout: Broken pipe") and keeps its own exit code.
#[test]
fn a_closed_stdout_is_not_a_panic() {
    let dir = temp_dir("closed-stdout");
    let q = shipped("quickstart.toml");
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_scuttlesim"))
        .args(["check", q.to_str().unwrap()])
        .current_dir(&dir)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// A run into the directory of a run of the same scenario replaces it
/// quietly; into one of another version of it (a `--set`, same name and
/// seed) it says so on stderr, and still replaces it.
#[test]
fn replacing_a_run_of_other_settings_is_noted() {
    let dir = temp_dir("replace-note");
    let q = shipped("quickstart.toml");
    let q = q.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", q, "--set", "nodes.count=8", "-q"];
        args.extend_from_slice(extra);
        let o = scuttlesim(&args, &dir);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    assert_eq!(run(&[]), "");
    assert_eq!(run(&[]), "", "the same scenario again");
    let note = run(&["--set", "gossip.fanout=2"]);
    assert!(
        note.contains("output/quickstart/42 holds a run of another version") && note.contains("--out"),
        "{note}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("output/quickstart/42/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["scenario"]["gossip"]["fanout"], 2, "replaced");
}

/// A seed or a time a user gets wrong (negative, fractional, not a number)
/// is refused naming the option and what is valid, and nothing is written.
/// clap's own message for `--seed -1` advised "to pass '-1' as a value, use
/// '-- -1'", which passes `-1` as the scenario instead.
#[test]
fn bad_seeds_and_negative_times_say_what_is_valid() {
    let dir = temp_dir("bad-seed");
    let q = shipped("quickstart.toml");
    let q = q.to_str().unwrap();
    let seed_help = "expected a whole number from 0 to 18446744073709551615";
    let cases: [(&[&str], &[&str]); 9] = [
        (&["run", q, "--seed", "-1"], &["'-1' for '--seed", seed_help]),
        (&["run", q, "--seed", "1.5"], &["'1.5' for '--seed", seed_help]),
        (&["check", q, "--seed", "abc"], &["'abc' for '--seed", seed_help]),
        (&["bench", "--seed", "-3"], &["'-3' for '--seed", seed_help]),
        (
            &["explore", q, "--seeds", "-1..3"],
            &["invalid seed range \"-1..3\""],
        ),
        (&["soak", q, "--seeds", "-5"], &["invalid seed range \"-5\""]),
        (
            &["trace", "run", "--from", "-1s"],
            &["--from", "cannot be negative"],
        ),
        (&["chart", "run", "--to", "-2"], &["--to", "cannot be negative"]),
        (
            &["trace", "run", "--from", "-1"],
            &["--from", "cannot be negative"],
        ),
    ];
    for (args, want) in cases {
        let o = scuttlesim(args, &dir);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        for w in want {
            assert!(err.contains(w), "{args:?}: expected {w:?} in: {err}");
        }
        assert!(!err.contains("-- -"), "{args:?}: misleading advice in: {err}");
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing written");
}

/// A sweep file given to `run` (or `check`), or a scenario given to
/// `sweep`, fails on a field the other kind has; the error then says which
/// command the file is for. A plain typo gets no such hint.
#[test]
fn a_file_for_the_other_command_says_which_command() {
    let dir = temp_dir("wrong-kind");
    let sweep = shipped("fanout-sweep.toml");
    let scenario = shipped("quickstart.toml");
    let cases = [
        (
            vec!["run", sweep.to_str().unwrap()],
            "this is a sweep file (it has `base`): run it with `scuttlesim sweep`",
        ),
        (
            vec!["check", sweep.to_str().unwrap()],
            "run it with `scuttlesim sweep`",
        ),
        (
            vec!["sweep", scenario.to_str().unwrap()],
            "this is a scenario, not a sweep file (it has no `base`): run it with `scuttlesim run`",
        ),
    ];
    for (args, want) in cases {
        let o = scuttlesim(&args, &dir);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("unknown field") && err.contains(want),
            "{args:?}: {err}"
        );
    }
    // Typos: a scenario's field misspelt, a sweep's `seeds` written `seed`.
    std::fs::write(dir.join("typo.toml"), "duraton = \"1s\"\n[nodes]\ncount = 2\n").unwrap();
    std::fs::write(
        dir.join("typo-sweep.toml"),
        format!("base = {:?}\nseed = 3\n", scenario.to_str().unwrap()),
    )
    .unwrap();
    for args in [["run", "typo.toml"], ["sweep", "typo-sweep.toml"]] {
        let o = scuttlesim(&args, &dir);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("unknown field") && !err.contains("this is a"),
            "{args:?}: {err}"
        );
    }
    assert!(!dir.join("output").exists(), "nothing written");
}

/// `--out` naming a file (or a path through one) is refused in the
/// option's words, before anything runs, and the file is left as it was.
#[test]
fn an_out_dir_that_is_a_file_is_refused_before_running() {
    let dir = temp_dir("out-file");
    std::fs::write(dir.join("afile"), "keep me").unwrap();
    let q = shipped("quickstart.toml");
    let q = q.to_str().unwrap();
    let flaky = shipped("flaky-convergence.toml");
    let sweep = shipped("fanout-sweep.toml");
    for out in ["afile", "afile/sub"] {
        let want = if out == "afile" {
            "--out afile: is a file, not a directory".to_string()
        } else {
            "--out afile/sub: cannot be a directory: afile is a file".to_string()
        };
        for args in [
            vec!["run", q, "--out", out, "-q"],
            vec![
                "explore",
                flaky.to_str().unwrap(),
                "--seeds",
                "0..20",
                "--out",
                out,
                "-q",
            ],
            vec!["sweep", sweep.to_str().unwrap(), "--out", out, "-q"],
            vec!["merge", "nowhere", "--out", out],
        ] {
            let o = scuttlesim(&args, &dir);
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
            assert_eq!(err.trim(), format!("error: {want}"), "{args:?}");
            assert!(o.stdout.is_empty(), "{args:?}: nothing ran");
        }
    }
    assert_eq!(std::fs::read_to_string(dir.join("afile")).unwrap(), "keep me");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "nothing written");
}

/// With flow control the summary reports the protocol's counters, as the
/// README says: `writes_deferred` equals the `defer` records of the
/// trace, and `summary.json` and the printed summary agree.
#[test]
fn flow_control_counters_reach_the_summary() {
    let dir = temp_dir("flow-counters");
    let q = shipped("quickstart.toml");
    let flow = "gossip.flow_control={ initial_rate = 1.0, min_rate = 0.01, max_rate = 100.0, increase = 0.1, decrease = 0.5 }";
    let out = scuttlesim(
        &[
            "run",
            q.to_str().unwrap(),
            "--set",
            "gossip.mtu=900",
            "--set",
            flow,
            "--out",
            "o",
            "--quiet",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = dir.join("o/quickstart/42");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("summary.json")).unwrap()).unwrap();
    let counters = &summary["counters"];
    let trace = std::fs::read_to_string(run.join("trace.jsonl")).unwrap();
    let defers = trace.lines().filter(|l| l.contains(r#""type":"defer""#)).count() as u64;
    assert!(defers > 0, "the scenario defers writes");
    assert_eq!(counters["writes_deferred"], defers, "{counters}");
    for k in ["writes_coalesced", "max_backlog"] {
        assert!(counters[k].is_u64(), "{k} in {counters}");
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("writes_deferred {defers}")), "{stdout}");
    // Without flow control there are no counters.
    let plain = scuttlesim(&["run", q.to_str().unwrap(), "--out", "p", "--quiet"], &dir);
    assert!(plain.status.success());
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("p/quickstart/42/summary.json")).unwrap()).unwrap();
    assert!(summary.get("counters").is_none(), "{summary}");
}

/// `bench` checks every case before running any: a bad node count, or a
/// case too large for the memory limit, is refused (exit 2) and nothing
/// runs; `--repeat 0` is refused.
#[test]
fn bench_refuses_bad_cases_before_running() {
    let dir = temp_dir("bench-refusals");
    for (args, want) in [
        (
            &["bench", "--p0", "1000", "--p1", "0"][..],
            "--p1 0: p1 with --set nodes.count=0: field `nodes.count`: must be at least 2",
        ),
        (
            &["bench", "--p0", "2", "--p1", "1000000", "--max-memory", "1GiB"][..],
            "--p1 1000000: the run would need about",
        ),
        (&["bench", "--repeat", "0"][..], "'0' for '--repeat"),
        (&["bench", "--p0", "none", "--p1", "none"][..], "no cases"),
        (&["bench", "--p1", "lots"][..], "expected a node count or `none`"),
    ] {
        let o = scuttlesim(args, &dir);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(
            o.stdout.is_empty(),
            "nothing ran: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

/// Node lists take ranges as the charts and messages write them (`0-2,5`);
/// a reversed range is refused, and a group name that reads as a range
/// cannot be defined.
#[test]
fn node_lists_take_ranges() {
    use scuttlesim::scenario::{Member, SpacetimeView};
    let nodes = SpacetimeView::parse_nodes("0-2, 5,left").unwrap();
    assert_eq!(
        nodes,
        vec![
            Member::Node(0),
            Member::Node(1),
            Member::Node(2),
            Member::Node(5),
            Member::Group("left".into())
        ]
    );
    assert!(SpacetimeView::parse_nodes("3-1")
        .unwrap_err()
        .contains("reversed"));
    let e = crate::support::scenario_error(
        "duration = \"1s\"\n[nodes]\ncount = 4\ngroups = { \"1-2\" = 2, b = 2 }",
    );
    assert!(e.contains("two numbers joined by '-'"), "{e}");
}
