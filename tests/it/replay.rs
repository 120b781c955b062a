//! `replay`: identical for a recorded run; a flipped byte in the stored
//! trace is named as the first divergent record; a changed scenario diverges
//! where an independent in-memory comparison says; `trace` prints records.

use crate::bin::{s, scuttlesim, stderr, stdout};
use crate::support::{run_records, shipped, temp_dir};
use std::path::{Path, PathBuf};

/// A failing seed of the shipped flaky scenario, run into `dir/o`.
fn failing_run(dir: &Path) -> PathBuf {
    let flaky = shipped("flaky-convergence.toml");
    let o = scuttlesim(&["run", s(&flaky), "--seed", "15", "--out", "o"], dir);
    assert_eq!(o.status.code(), Some(1), "seed 15 fails: {}", stdout(&o));
    dir.join("o/flaky-convergence/15")
}

/// Every file under `dir` (metrics/ and charts/ included) with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, prefix: &str, v: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let name = format!("{prefix}{}", p.file_name().unwrap().to_string_lossy());
            if p.is_dir() {
                walk(&p, &format!("{name}/"), v);
            } else {
                v.push((name, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, "", &mut v);
    v.sort();
    v
}

#[test]
fn replay_is_identical_and_writes_nothing() {
    let dir = temp_dir("replay-identical");
    let run = failing_run(&dir);
    let before = snapshot(&run);
    let o = scuttlesim(&["replay", s(&run.join("manifest.json"))], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("identical"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("FAILED converged_within"),
        "the checks fail again"
    );
    assert_eq!(snapshot(&run), before, "replay leaves the run directory alone");
}

#[test]
fn flipped_byte_is_the_first_divergence() {
    let dir = temp_dir("replay-flip");
    let run = failing_run(&dir);
    let trace = run.join("trace.jsonl");
    let text = std::fs::read_to_string(&trace).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // Line 1 is the header; pick a record line in the middle and change the
    // last digit of its time: still valid JSON, still a valid record.
    let line_no = lines.len() / 2;
    let line = &lines[line_no - 1];
    let t_start = line.find("\"t\":").unwrap() + 4;
    let t_end = t_start + line[t_start..].find(',').unwrap();
    let last = t_end - 1;
    let digit = line.as_bytes()[last];
    let flipped = if digit == b'9' { b'8' } else { digit + 1 };
    let mut bytes = line.clone().into_bytes();
    bytes[last] = flipped;
    let original_line = line.clone();
    lines[line_no - 1] = String::from_utf8(bytes).unwrap();
    std::fs::write(&trace, lines.join("\n") + "\n").unwrap();

    let o = scuttlesim(&["replay", s(&run.join("manifest.json"))], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    let index = line_no - 2; // 0-based among records
    assert!(
        out.contains(&format!(
            "first divergent record: #{index} (line {line_no} of the trace)"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("  stored: {}", lines[line_no - 1])),
        "{out}"
    );
    let rerun: serde_json::Value =
        serde_json::from_str(out.lines().find_map(|l| l.strip_prefix("  rerun:  ")).unwrap()).unwrap();
    let original: serde_json::Value = serde_json::from_str(&original_line).unwrap();
    assert_eq!(rerun, original, "the rerun shows the record as recorded");
    assert!(out.contains("the trace file was changed"), "{out}");
}

/// A manifest whose record count was edited (its digest left alone) is
/// named as such, not as a wrong digest; a trace header edited by hand
/// (not part of the digest) is a difference naming what differs.
#[test]
fn edited_record_count_and_header_are_named() {
    let dir = temp_dir("replay-edited");
    let run = failing_run(&dir);
    let manifest_path = run.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&text).unwrap();
    let records = m["trace_records"].as_u64().unwrap();
    m["trace_records"] = (records - 1).into();
    std::fs::write(&manifest_path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let o = scuttlesim(&["replay", s(&manifest_path)], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains(&format!(
            "the manifest's record count is wrong (it says {}, the rerun made {records})",
            records - 1
        )),
        "{out}"
    );
    assert!(!out.contains("digest is wrong"), "{out}");
    std::fs::write(&manifest_path, &text).unwrap();

    let trace = run.join("trace.jsonl");
    let t = std::fs::read_to_string(&trace).unwrap();
    let nodes = m["scenario"]["nodes"]["count"].as_u64().unwrap();
    let edited = t.replacen(
        &format!("\"nodes\":{nodes}}}"),
        &format!("\"nodes\":{}}}", nodes + 1),
        1,
    );
    assert_ne!(edited, t, "the header names the node count");
    std::fs::write(&trace, edited).unwrap();
    // A difference (it was a warning before an `identical`, exit 0).
    let o = scuttlesim(&["replay", s(&manifest_path)], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!(
            "DIFFERENT: {}: the header says scenario \"flaky-convergence\", {} nodes",
            trace.display(),
            nodes + 1
        )),
        "{}",
        stdout(&o)
    );
}

#[test]
fn changed_scenario_diverges_where_an_independent_diff_says() {
    let dir = temp_dir("replay-changed");
    let run = failing_run(&dir);
    let mpath = run.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&mpath).unwrap()).unwrap();
    // A different loss rate: the records are the same until the first
    // message whose fate changes.
    m["scenario"]["network"]["loss"] = serde_json::json!(0.3);
    m["scuttlesim_version"] = serde_json::json!("0.0.1");
    std::fs::write(&mpath, serde_json::to_vec_pretty(&m).unwrap()).unwrap();

    // Independently: both scenarios in memory, first differing record.
    let a: scuttlesim::scenario::Scenario =
        scuttlesim::scenario::load(&shipped("flaky-convergence.toml"), &["seed=15".into()]).unwrap();
    let mut b = a.clone();
    b.network.loss = 0.3;
    let (_, ra) = run_records(&a);
    let (_, rb) = run_records(&b);
    let first = ra.iter().zip(&rb).position(|(x, y)| x != y).unwrap();

    let o = scuttlesim(&["replay", s(&mpath)], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("DIFFERENT: trace digest expected"), "{out}");
    assert!(
        out.contains(&format!("first divergent record: #{first} (line {} ", first + 2)),
        "expected #{first}: {out}"
    );
    let err = stderr(&o);
    assert!(err.contains("only promised for the same version"), "{err}");
    assert!(err.contains("scenario_hash"), "{err}");
}

/// The manifest's check results and status are verified too: with either
/// edited, the replay of an identical trace differs (exit 1).
#[test]
fn edited_check_results_or_status_differ() {
    let dir = temp_dir("replay-checks");
    let run = failing_run(&dir);
    let mpath = run.join("manifest.json");
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(&mpath).unwrap()).unwrap();
    let o = scuttlesim(&["replay", s(&mpath)], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("DIFFERS"), "{}", stdout(&o));
    let mut passed = m.clone();
    passed["checks"][0]["passed"] = serde_json::json!(true);
    std::fs::write(&mpath, serde_json::to_vec_pretty(&passed).unwrap()).unwrap();
    let o = scuttlesim(&["replay", s(&mpath)], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("identical: digest"),
        "the trace is: {}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("DIFFERS: the check results differ"),
        "{}",
        stdout(&o)
    );
    let check0 = m["checks"][0]["check"].as_str().unwrap();
    assert!(
        stdout(&o).contains(&format!("check 0 ({check0}): passed: manifest true, rerun false")),
        "the field is named: {}",
        stdout(&o)
    );
    let mut detail = m.clone();
    detail["checks"][0]["detail"] = serde_json::json!("edited");
    std::fs::write(&mpath, serde_json::to_vec_pretty(&detail).unwrap()).unwrap();
    let o = scuttlesim(&["replay", s(&mpath)], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("the manifest was edited"), "{}", stdout(&o));
    let mut status = m.clone();
    status["status"] = serde_json::json!("ok");
    std::fs::write(&mpath, serde_json::to_vec_pretty(&status).unwrap()).unwrap();
    let o = scuttlesim(&["replay", s(&mpath)], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("DIFFERS: the manifest's status is \"ok\", the rerun's \"check-failed\""),
        "{}",
        stdout(&o)
    );
}

/// A manifest from a build whose digest encoding differs (here: one that
/// predates the `digest_format` field, with a digest this build cannot
/// make) is verified through its stored trace, record by record; without a
/// stored trace it cannot be verified, and says so.
#[test]
fn a_manifest_with_another_digest_encoding_is_checked_record_by_record() {
    let dir = temp_dir("replay-legacy");
    let run = failing_run(&dir);
    let mpath = run.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&mpath).unwrap()).unwrap();
    assert_eq!(m["digest_format"], "scuttlesim-digest/4");

    // The previous encoding, named: the same record-by-record check.
    let mut previous = m.clone();
    previous["digest_format"] = serde_json::json!("scuttlesim-digest/3");
    previous["trace_digest"] = serde_json::json!("1".repeat(64));
    std::fs::write(&mpath, serde_json::to_vec_pretty(&previous).unwrap()).unwrap();
    let o = scuttlesim(&["replay", s(&mpath)], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("identical: every one of the"),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o)
            .contains("\"scuttlesim-digest/3\" encoding and this build computes \"scuttlesim-digest/4\""),
        "{}",
        stderr(&o)
    );

    m.as_object_mut().unwrap().remove("digest_format");
    m["trace_digest"] = serde_json::json!("0".repeat(64));
    std::fs::write(&mpath, serde_json::to_vec_pretty(&m).unwrap()).unwrap();

    let o = scuttlesim(&["replay", s(&mpath)], &dir);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let records = m["trace_records"].as_u64().unwrap();
    assert!(
        out.contains(&format!(
            "identical: every one of the {records} stored {} records",
            m["digest_level"].as_str().unwrap()
        )),
        "{out}"
    );
    assert!(
        stderr(&o)
            .contains("\"scuttlesim-trace/1\" encoding and this build computes \"scuttlesim-digest/4\""),
        "{}",
        stderr(&o)
    );

    // One changed record in the stored trace is found.
    let trace = run.join("trace.jsonl");
    let text = std::fs::read_to_string(&trace).unwrap();
    let changed = text.replacen("\"value\":", "\"value\":1", 1);
    assert_ne!(changed, text);
    std::fs::write(&trace, &changed).unwrap();
    let o = scuttlesim(&["replay", s(&mpath)], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("DIFFERENT: the stored trace does not match the rerun"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("first divergent record: #"), "{}", stdout(&o));

    // A manifest whose record count differs from its (matching) trace.
    std::fs::write(&trace, &text).unwrap();
    let mut more = m.clone();
    more["trace_records"] = serde_json::json!(records + 1);
    std::fs::write(&mpath, serde_json::to_vec_pretty(&more).unwrap()).unwrap();
    let o = scuttlesim(&["replay", s(&mpath)], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!(
            "the stored trace matches the rerun's {records} records but the manifest says {}",
            records + 1
        )),
        "{}",
        stdout(&o)
    );

    // A stored trace that cannot be read says why.
    std::fs::write(&mpath, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    std::fs::remove_file(&trace).unwrap();
    let o = scuttlesim(&["replay", s(&mpath)], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("NOT VERIFIED"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("the stored trace cannot be read ("),
        "{}",
        stdout(&o)
    );

    // Without a stored trace nothing can be verified.
    m["trace_file"] = serde_json::Value::Null;
    std::fs::write(&mpath, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let o = scuttlesim(&["replay", s(&mpath)], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("NOT VERIFIED"), "{}", stdout(&o));
    assert!(stdout(&o).contains("no stored trace"), "{}", stdout(&o));
}

#[test]
fn replay_of_a_missing_manifest_is_bad_input() {
    let dir = temp_dir("replay-missing");
    let o = scuttlesim(&["replay", "nope/manifest.json"], &dir);
    assert_eq!(o.status.code(), Some(2));
    std::fs::write(dir.join("manifest.json"), "{}").unwrap();
    let o = scuttlesim(&["replay", "manifest.json"], &dir);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn trace_prints_filtered_records() {
    let dir = temp_dir("trace-cmd");
    let run = failing_run(&dir);
    let o = scuttlesim(
        &[
            "trace",
            s(&run),
            "--node",
            "3",
            "--from",
            "2s",
            "--to",
            "4.5s",
            "--kind",
            "version,syn",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    // Independently: the same records from the file.
    let text = std::fs::read_to_string(run.join("trace.jsonl")).unwrap();
    let expected = text
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| {
            let t = r["t"].as_u64().unwrap();
            let about = r["node"] == 3 || r["from"] == 3 || r["to"] == 3;
            let kind = r["type"] == "version" || r["kind"] == "syn";
            (2_000_000_000..=4_500_000_000).contains(&t) && about && kind
        })
        .count();
    assert!(expected > 0);
    assert_eq!(out.lines().count(), expected, "{out}");
    for l in out.lines() {
        let secs: f64 = l
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches('s')
            .parse()
            .unwrap();
        assert!((2.0..=4.5).contains(&secs), "{l}");
        assert!(l.contains("version") || l.contains("syn"), "{l}");
    }
    let o = scuttlesim(&["trace", s(&run), "--from", "soon"], &dir);
    assert_eq!(o.status.code(), Some(2));
    // Several nodes: the records about any of them, counted from the file.
    let o = scuttlesim(&["trace", s(&run), "--node", "3,1", "--to", "3s"], &dir);
    assert_eq!(o.status.code(), Some(0));
    let about = |r: &serde_json::Value, ids: &[u64]| {
        ["node", "from", "to"]
            .iter()
            .any(|f| r[f].as_u64().is_some_and(|n| ids.contains(&n)))
            || r["type"] == "fault"
    };
    let expected = text
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["t"].as_u64().unwrap() <= 3_000_000_000 && about(r, &[1, 3]))
        .count();
    assert!(expected > 0);
    assert_eq!(stdout(&o).lines().count(), expected);
    // A group name needs groups in the run's scenario; an id past the last
    // node is named.
    let o = scuttlesim(&["trace", s(&run), "--node", "eu"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        crate::bin::stderr(&o).contains("--node eu: the run has no node groups"),
        "{}",
        crate::bin::stderr(&o)
    );
    let o = scuttlesim(&["trace", s(&run), "--node", "1,99"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        crate::bin::stderr(&o).contains("--node 99: the run has nodes 0 to"),
        "{}",
        crate::bin::stderr(&o)
    );
    // Another file of the run is not a trace, and says what to give.
    let o = scuttlesim(&["trace", s(&run.join("summary.json"))], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        crate::bin::stderr(&o).contains("not a trace: give a run directory"),
        "{}",
        crate::bin::stderr(&o)
    );
}

/// `trace --node` takes group names, resolved from the run's manifest:
/// `eu` is nodes 0 and 1 (ids in alphabetical order of group name).
#[test]
fn trace_node_takes_group_names() {
    let dir = temp_dir("trace-groups");
    std::fs::write(
        dir.join("g.toml"),
        "duration = \"5s\"\n[nodes]\ncount = 5\ngroups = { us = 3, eu = 2 }\n[workload]\nwrites = { process = \"poisson\", mean_interval = \"1s\" }\n",
    )
    .unwrap();
    let o = scuttlesim(&["run", "g.toml", "--out", "o"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let run = dir.join("o/g/1");
    let by_group = scuttlesim(&["trace", s(&run), "--node", "eu"], &dir);
    let by_ids = scuttlesim(&["trace", s(&run), "--node", "1,0"], &dir);
    assert_eq!(by_group.status.code(), Some(0));
    assert!(!stdout(&by_group).is_empty());
    assert_eq!(stdout(&by_group), stdout(&by_ids));
    let o = scuttlesim(&["trace", s(&run), "--node", "asia"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        crate::bin::stderr(&o).contains("not a group of the run (its groups: eu, us)"),
        "{}",
        crate::bin::stderr(&o)
    );
    // Another run's manifest beside the trace (seed 2: other groups could
    // be there) is not read for groups; node ids still work.
    let o = scuttlesim(&["run", "g.toml", "--out", "o", "--seed", "2"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    std::fs::copy(dir.join("o/g/2/manifest.json"), run.join("manifest.json")).unwrap();
    let o = scuttlesim(&["trace", s(&run), "--node", "eu"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        crate::bin::stderr(&o).contains("is not this trace's run"),
        "{}",
        crate::bin::stderr(&o)
    );
    assert_eq!(
        stdout(&scuttlesim(&["trace", s(&run), "--node", "1,0"], &dir)),
        stdout(&by_ids)
    );
}

/// `--kind` with a message kind: on a `versions` trace (which keeps no
/// messages) no record matches and the note says to rerun at `full`; on a
/// `full` trace a kind the run never sent (another protocol's) is an error
/// naming the kinds it did send. A kind of no protocol and no record type
/// (a typo) is an error on either trace, even next to a kind that matches.
#[test]
fn trace_kind_explains_what_the_level_keeps() {
    let dir = temp_dir("trace-kind-level");
    let q = shipped("quickstart.toml");
    for level in ["versions", "full"] {
        let o = scuttlesim(
            &[
                "run",
                s(&q),
                "--set",
                "nodes.count=8",
                "--trace",
                level,
                "--out",
                level,
                "-q",
            ],
            &dir,
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let versions = dir.join("versions/quickstart/42");
    let full = dir.join("full/quickstart/42");
    for kind in ["syn", "send", "state"] {
        let o = scuttlesim(&["trace", s(&versions), "--kind", kind], &dir);
        assert_eq!(o.status.code(), Some(0), "{kind}: {}", stderr(&o));
        assert_eq!(stdout(&o), "");
        assert!(
            stderr(&o).contains("no messages: rerun with --trace full"),
            "{kind}: {}",
            stderr(&o)
        );
    }
    // A kind of the versions level that matched nothing: no such note.
    let o = scuttlesim(&["trace", s(&versions), "--kind", "fault"], &dir);
    assert_eq!(o.status.code(), Some(0));
    assert!(!stderr(&o).contains("rerun"), "{}", stderr(&o));
    let o = scuttlesim(&["trace", s(&full), "--kind", "syn"], &dir);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).lines().count() > 0 && stdout(&o).lines().all(|l| l.contains("syn")));
    let o = scuttlesim(&["trace", s(&full), "--kind", "state"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("(syn, ack, ack2)"), "{}", stderr(&o));
    for (run, kinds, typo) in [
        (&versions, "sny", "sny"),
        (&full, "sny", "sny"),
        (&versions, "write,versoin", "versoin"),
        (&full, "syn,ack3", "ack3"),
    ] {
        let o = scuttlesim(&["trace", s(run), "--kind", kinds], &dir);
        assert_eq!(o.status.code(), Some(2), "{kinds}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{kinds}");
        let want = format!("--kind {typo}: not a record type (");
        assert!(stderr(&o).contains(&want), "{kinds}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("ack2, state"),
            "every protocol's kinds: {}",
            stderr(&o)
        );
    }
}

/// A manifest whose top-level seed was edited away from its scenario's:
/// replay reruns the scenario's seed, says so, and names that seed (not the
/// edited one) in its heading; the trace still belongs to the run.
#[test]
fn an_edited_manifest_seed_is_named_and_the_scenarios_is_replayed() {
    let dir = temp_dir("replay-seed");
    let run = failing_run(&dir);
    let manifest_path = run.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    m["seed"] = 16.into();
    std::fs::write(&manifest_path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let o = scuttlesim(&["replay", s(&manifest_path)], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("· seed 15 ·"), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "the manifest says seed 16 but its scenario has seed 15: it was edited; replaying seed 15"
        ),
        "{err}"
    );
    assert!(!err.contains("belongs to another run"), "{err}");
}

/// A run of 8 nodes in groups `a` (0-3) and `b` (4-7), partitioned from
/// 4 s to 9 s, with duplicated messages and a full trace, into `dir/o`.
fn grouped_run(dir: &Path) -> PathBuf {
    std::fs::write(
        dir.join("grp.toml"),
        "name = \"grp\"\nduration = \"12s\"\n[nodes]\ncount = 8\ngroups = { a = 4, b = 4 }\n\
         [gossip]\ninterval = \"1s\"\n[workload]\nkeys_per_node = 2\n\
         writes = { process = \"poisson\", mean_interval = \"1s\" }\n\
         [network]\nduplicate = 0.3\n\
         [[faults]]\nat = \"2s\"\ncrash = 6\nrestart_after = \"1s\"\n\
         [[faults]]\nat = \"4s\"\nname = \"split\"\npartition = [[\"a\"], [\"b\"]]\n\
         [[faults]]\nat = \"9s\"\nheal = \"split\"\n[output]\ntrace = \"full\"\ncharts = []\n",
    )
    .unwrap();
    let o = scuttlesim(&["run", "grp.toml", "--out", "o"], dir);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    dir.join("o/grp/1")
}

/// The trace's records, as JSON, without the header.
fn trace_json(run: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(run.join("trace.jsonl"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `trace --origin` keeps the writes of the listed nodes and the version
/// records about them (and faults), by ids or group names; `--key` keeps
/// write records of those keys only.
#[test]
fn trace_origin_and_key_follow_a_nodes_writes() {
    let dir = temp_dir("trace-origin");
    let run = grouped_run(&dir);
    let records = trace_json(&run);
    let o = scuttlesim(&["trace", s(&run), "--origin", "6"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let expected = records
        .iter()
        .filter(|r| match r["type"].as_str().unwrap() {
            "write" | "defer" => r["node"] == 6,
            "version" => r["origin"] == 6,
            "fault" => true,
            _ => false,
        })
        .count();
    assert!(records
        .iter()
        .any(|r| r["type"] == "version" && r["origin"] == 6 && r["node"] != 6));
    assert_eq!(out.lines().count(), expected, "{out}");
    for l in out.lines() {
        let w: Vec<&str> = l.split_whitespace().collect();
        let ok = match w[2] {
            "write" | "defer" => w[1] == "n6",
            "version" => l.contains("origin 6:"),
            "fault" => true,
            _ => false,
        };
        assert!(ok, "{l}");
    }
    // A group is its ids; an id past the last node is named.
    let by_group = stdout(&scuttlesim(&["trace", s(&run), "--origin", "b"], &dir));
    assert_eq!(
        by_group,
        stdout(&scuttlesim(&["trace", s(&run), "--origin", "4-7"], &dir))
    );
    assert!(by_group.contains("origin 5:") && !by_group.contains("origin 1:"));
    let o = scuttlesim(&["trace", s(&run), "--origin", "8"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--origin 8: the run has nodes 0 to 7"),
        "{}",
        stderr(&o)
    );
    // --key: writes of key 1 only; versions pass.
    let o = scuttlesim(&["trace", s(&run), "--key", "1", "--kind", "write,version"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let writes: Vec<&str> = out.lines().filter(|l| l.contains(" write ")).collect();
    let expected = records
        .iter()
        .filter(|r| r["type"] == "write" && r["key"] == 1)
        .count();
    assert!(expected > 0);
    assert_eq!(writes.len(), expected, "{out}");
    assert!(writes.iter().all(|l| l.contains("key 1 =")), "{out}");
    assert!(out.contains(" version "), "versions carry no key: kept");
    let o = scuttlesim(&["trace", s(&run), "--key", "a"], &dir);
    assert_eq!(o.status.code(), Some(2));
}

/// `trace` marks a duplicate's second receive or drop `(copy)`, as the
/// Chrome export does, and names the partition's sides by group as the
/// chart does.
#[test]
fn trace_marks_copies_and_names_groups() {
    let dir = temp_dir("trace-copies");
    let run = grouped_run(&dir);
    let o = scuttlesim(&["trace", s(&run)], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // Independently: a receive or drop of an id already received or dropped.
    let mut fated = std::collections::BTreeSet::new();
    let copies: Vec<u64> = trace_json(&run)
        .iter()
        .filter(|r| r["type"] == "receive" || r["type"] == "drop")
        .filter_map(|r| {
            let id = r["id"].as_u64().unwrap();
            (!fated.insert(id)).then_some(id)
        })
        .collect();
    assert!(!copies.is_empty(), "the run duplicated messages");
    let marked: Vec<&str> = out.lines().filter(|l| l.contains("(copy)")).collect();
    assert_eq!(marked.len(), copies.len(), "{marked:?}");
    for (l, id) in marked.iter().zip(&copies) {
        assert!(l.contains(&format!(" #{id} (copy) ")), "{l}");
    }
    assert!(out.contains("partition (faults[1]) a | b"), "{out}");
    assert!(!out.contains("0-3 | 4-7"));
    assert!(out.contains("crash (faults[0]) node 6"), "crashes keep their ids");
}
