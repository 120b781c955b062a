//! The commands that read a stored run (`chart`, `trace`, `export`,
//! `replay`, `shrink`) on damaged or misused run directories: one clear
//! error naming the file, the line and the field, exit 2 (1 for a replay
//! that differs), and nothing of the run overwritten.

use crate::bin::{s, scuttlesim, stderr, stdout};
use crate::support::{shipped, temp_dir};
use std::path::{Path, PathBuf};

/// A full-trace run of 8 nodes (it fails a check: exit 1).
fn full_run(dir: &Path) -> PathBuf {
    let flaky = shipped("flaky-convergence.toml");
    let o = scuttlesim(
        &[
            "run",
            s(&flaky),
            "--set",
            "nodes.count=8",
            "--out",
            "o",
            "--quiet",
        ],
        dir,
    );
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    dir.join("o/flaky-convergence/15")
}

/// Replaces the first trace line (after the header) of `type` `kind` with
/// `edit(line)`; returns its 1-based line number.
fn edit_trace(run: &Path, kind: &str, edit: impl Fn(&str) -> String) -> usize {
    let path = run.join("trace.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let at = lines
        .iter()
        .skip(1)
        .position(|l| l.starts_with(&format!("{{\"type\":\"{kind}\"")))
        .unwrap_or_else(|| panic!("a {kind} record"))
        + 1;
    let edited = edit(&lines[at]);
    assert_ne!(edited, lines[at], "the edit changes the line");
    lines[at] = edited;
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    at + 1
}

/// Exit 2 and exactly one error line containing `want`.
fn refused(o: &std::process::Output, want: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{want}: {err}{}", stdout(o));
    assert!(err.contains(want), "expected {want:?} in: {err}");
    assert_eq!(err.matches("error:").count(), 1, "one error: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A clock entry at the node count panicked the space-time chart (index out
/// of bounds) and became a ShiViz host `n8`: every reader refuses it now,
/// at its line and field.
#[test]
fn a_node_id_past_the_node_count_is_refused_by_every_reader() {
    let dir = temp_dir("readers-node-ids");
    let run = full_run(&dir);
    let line = edit_trace(&run, "clock", |l| {
        let (head, _) = l.split_once("\"set\":").unwrap();
        format!("{head}\"set\":[[8,1]]}}")
    });
    let want = format!("trace.jsonl: line {line}: field `set[0]` is 8, the run has 8 nodes (valid: 0 to 7)");
    refused(
        &scuttlesim(&["chart", s(&run), "--only", "spacetime"], &dir),
        &want,
    );
    refused(
        &scuttlesim(&["export", s(&run), "--format", "shiviz"], &dir),
        &want,
    );
    assert!(!run.join("shiviz.log").exists(), "nothing written");
    refused(&scuttlesim(&["trace", s(&run)], &dir), &want);
}

/// A `receive` at t = 2^64 - 1 made the space-time chart allocate without
/// bound; `trace` and `export` took it silently. Records are in time order
/// and within the run.
#[test]
fn a_record_out_of_order_or_after_the_end_is_refused() {
    let dir = temp_dir("readers-times");
    let run = full_run(&dir);
    let original = std::fs::read_to_string(run.join("trace.jsonl")).unwrap();
    let set_t = |l: &str, t: &str| {
        let start = l.find("\"t\":").unwrap() + 4;
        let end = start + l[start..].find(',').unwrap();
        format!("{}{t}{}", &l[..start], &l[end..])
    };
    let line = edit_trace(&run, "receive", |l| set_t(l, "18446744073709551615"));
    let want = format!("trace.jsonl: line {line}: field `t` is 18446744073709551615, after the run's end");
    // `trace` first: on the old code the chart never returned.
    refused(&scuttlesim(&["trace", s(&run)], &dir), &want);
    refused(
        &scuttlesim(&["export", s(&run), "--format", "chrome"], &dir),
        &want,
    );
    refused(
        &scuttlesim(&["chart", s(&run), "--only", "spacetime"], &dir),
        &want,
    );

    // Earlier than the record before it.
    std::fs::write(run.join("trace.jsonl"), &original).unwrap();
    let line = edit_trace(&run, "receive", |l| set_t(l, "0"));
    let o = scuttlesim(&["trace", s(&run)], &dir);
    refused(
        &o,
        &format!("trace.jsonl: line {line}: field `t` is 0, earlier than the record before it"),
    );
}

/// A node id of 2^32 - 1 in `bandwidth_nodes.csv` sized the chart's
/// per-node arrays (a 34 GB allocation, SIGABRT); an unknown `kind` was
/// taken silently.
#[test]
fn metric_node_ids_and_kinds_are_checked_against_the_run() {
    let dir = temp_dir("readers-metrics");
    let run = full_run(&dir);
    let edit = |file: &str, row: usize, f: &dyn Fn(&str) -> String| {
        let path = run.join("metrics").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let at = lines.iter().position(|l| !l.starts_with('#')).unwrap() + row;
        lines[at] = f(&lines[at]);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        (text, at + 1)
    };
    let (before, line) = edit("bandwidth_nodes.csv", 3, &|l| {
        let (_, rest) = l.split_once(',').unwrap();
        format!("4294967295,{rest}")
    });
    refused(
        &scuttlesim(&["chart", s(&run), "--only", "bandwidth"], &dir),
        &format!(
            "bandwidth_nodes.csv: line {line}: column \"node\": 4294967295 is not a node of this 8-node run (valid: 0 to 7)"
        ),
    );
    std::fs::write(run.join("metrics/bandwidth_nodes.csv"), before).unwrap();
    let (_, line) = edit("bandwidth.csv", 1, &|l| {
        let f: Vec<&str> = l.split(',').collect();
        format!("{},{},bogus,{}", f[0], f[1], f[3..].join(","))
    });
    refused(
        &scuttlesim(&["chart", s(&run), "--only", "bandwidth"], &dir),
        &format!("bandwidth.csv: line {line}: column \"kind\": \"bogus\" is not one of this run's values: syn, ack, ack2"),
    );
}

/// `export --out` and `shrink --out` replaced the run's own trace or
/// manifest (exit 0), leaving a broken run.
#[test]
fn outputs_never_overwrite_the_run_they_read() {
    let dir = temp_dir("readers-own-files");
    let run = full_run(&dir);
    let files = [
        "trace.jsonl",
        "manifest.json",
        "summary.json",
        "metrics/writes.csv",
    ];
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(run.join(f)).unwrap())
        .collect();
    for f in files {
        let out = run.join(f);
        let o = scuttlesim(&["export", s(&run), "--format", "shiviz", "--out", s(&out)], &dir);
        refused(&o, "one of the run's own files");
        // Another spelling of the same file.
        let other = run.join("metrics/..").join(f);
        let o = scuttlesim(
            &["export", s(&run), "--format", "chrome", "--out", s(&other)],
            &dir,
        );
        refused(&o, "one of the run's own files");
    }
    // shrink writes a scenario: of the run's files only the .json ones could be one.
    for f in ["manifest.json", "summary.json"] {
        let out = run.join(f);
        let o = scuttlesim(&["shrink", s(&run), "--max-runs", "2", "--out", s(&out)], &dir);
        refused(&o, &format!("--out {}: is ", out.display()));
    }
    for (f, b) in files.iter().zip(&before) {
        assert_eq!(&std::fs::read(run.join(f)).unwrap(), b, "{f} unchanged");
    }
    // The default outputs beside the trace are still written.
    let o = scuttlesim(&["export", s(&run), "--format", "shiviz"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// `shrink --out x.txt` wrote a file `run` refuses, and said to run it.
#[test]
fn shrink_writes_only_files_run_can_read() {
    let dir = temp_dir("readers-shrink-names");
    let run = full_run(&dir);
    for name in ["x.txt", "x.TOML", "x"] {
        let o = scuttlesim(&["shrink", s(&run), "--max-runs", "2", "--out", name], &dir);
        refused(
            &o,
            &format!("--out {name}: a scenario file must end in .toml or .json"),
        );
        assert!(!dir.join(name).exists(), "{name} not written");
    }
}

/// A missing or damaged stored trace replayed as `identical` (exit 0),
/// while an edited record was `DIFFERENT` (exit 1): all are differences.
#[test]
fn replay_says_when_the_stored_trace_is_missing_or_damaged() {
    let dir = temp_dir("readers-replay");
    let run = full_run(&dir);
    let trace = run.join("trace.jsonl");
    let original = std::fs::read_to_string(&trace).unwrap();
    let damaged = [
        ("missing", None),
        (
            "bad level",
            Some(original.replacen("\"level\":\"full\"", "\"level\":\"bogus\"", 1)),
        ),
        (
            "other hash",
            Some(original.replacen("\"scenario_hash\":\"", "\"scenario_hash\":\"00", 1)),
        ),
        (
            "other nodes",
            Some(original.replacen("\"nodes\":8}", "\"nodes\":5}", 1)),
        ),
    ];
    for (what, text) in damaged {
        match &text {
            Some(t) => {
                assert_ne!(t, &original, "{what}");
                std::fs::write(&trace, t).unwrap();
            }
            None => std::fs::remove_file(&trace).unwrap(),
        }
        let o = scuttlesim(&["replay", s(&run)], &dir);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{what}: {out}{}", stderr(&o));
        assert!(out.contains("DIFFERENT: "), "{what}: {out}");
        assert!(!out.contains("identical"), "{what}: {out}");
        assert!(
            out.contains("the rerun's digest matches the manifest's"),
            "{what}: {out}"
        );
        if text.is_none() || what == "bad level" {
            assert!(
                out.contains("the manifest says the run wrote a trace, but it cannot be read"),
                "{what}: {out}"
            );
        }
    }
    std::fs::write(&trace, &original).unwrap();
    let o = scuttlesim(&["replay", s(&run)], &dir);
    assert!(stdout(&o).contains("identical"), "{}", stdout(&o));
}

/// Format errors named Rust types and two conflicting lines (`line 8: …
/// at line 1 column 53`); they name the field in plain words, one line.
#[test]
fn stored_format_errors_name_the_field_in_plain_words() {
    let dir = temp_dir("readers-words");
    let run = full_run(&dir);
    let line = edit_trace(&run, "write", |l| {
        l.replacen("\"node\":", "\"node\":true,\"x\":", 1)
    });
    let o = scuttlesim(&["trace", s(&run)], &dir);
    refused(
        &o,
        &format!(
            "trace.jsonl: line {line}: field `node` is true, expected a whole number from 0 to 4294967295"
        ),
    );
    let err = stderr(&o);
    assert!(!err.contains("u32") && !err.contains("line 1 column"), "{err}");

    let manifest = run.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&text).unwrap();
    m["scenario"]["nodes"]["count"] = serde_json::json!("eight");
    std::fs::write(&manifest, serde_json::to_string(&m).unwrap()).unwrap();
    let o = scuttlesim(&["replay", s(&run)], &dir);
    refused(&o, "not a scuttlesim manifest: field `scenario.nodes.count`: invalid type: string \"eight\", expected a whole number");
    let err = stderr(&o);
    assert!(!err.contains("u32") && err.matches("line").count() == 1, "{err}");
}

/// A run that stopped early (converged) has nothing after its stop: a
/// `chart --from` past it is refused, naming both times, and the charts
/// already drawn are kept; a window before the stop draws.
#[test]
fn a_window_after_an_early_stop_is_refused() {
    let dir = temp_dir("readers-window-after-stop");
    let q = shipped("quickstart.toml");
    let o = scuttlesim(
        &[
            "run",
            s(&q),
            "--set",
            "nodes.count=4",
            "--trace",
            "full",
            "--out",
            "o",
            "-q",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run = dir.join("o/quickstart/42");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["stopped_early"], true);
    let end_s = summary["end_ns"].as_u64().unwrap() as f64 / 1e9;
    assert!(end_s < 50.0, "{end_s}");
    let charts = run.join("charts");
    let before: Vec<_> = std::fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let o = scuttlesim(
        &[
            "chart",
            "o/quickstart/42",
            "--only",
            "spacetime",
            "--from",
            "50s",
            "--to",
            "55s",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let e = stderr(&o);
    assert!(
        e.contains("--from: the window starts at 50.000s but the run stopped, converged, at"),
        "{e}"
    );
    let after: Vec<_> = std::fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(before, after, "nothing written");
    let from = format!("{:.3}s", end_s / 2.0);
    let o = scuttlesim(
        &["chart", "o/quickstart/42", "--only", "spacetime", "--from", &from],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
