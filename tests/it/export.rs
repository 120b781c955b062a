//! `export`: the ShiViz log parses with its own (documented) regex and its
//! vector clocks respect happens-before; the Chrome JSON has a track per
//! node and one flow per delivered message.

use crate::bin::{s, scuttlesim, stdout};
use crate::support::{shipped, temp_dir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn full_run(dir: &Path) -> PathBuf {
    let flaky = shipped("flaky-convergence.toml");
    let o = scuttlesim(
        &[
            "run",
            s(&flaky),
            "--seed",
            "15",
            "--set",
            "nodes.count=8",
            "--out",
            "o",
        ],
        dir,
    );
    assert!(o.status.code() == Some(0) || o.status.code() == Some(1));
    dir.join("o/flaky-convergence/15")
}

fn records(run: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(run.join("trace.jsonl"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

type Clock = BTreeMap<String, u64>;

/// `a` happened before `b`: every entry ≤ and not equal.
fn before(a: &Clock, b: &Clock) -> bool {
    a.iter().all(|(k, v)| b.get(k).copied().unwrap_or(0) >= *v) && a != b
}

#[test]
fn shiviz_log_parses_with_its_regex_and_respects_happens_before() {
    let dir = temp_dir("shiviz");
    let run = full_run(&dir);
    let o = scuttlesim(&["export", s(&run), "--format", "shiviz"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let text = std::fs::read_to_string(run.join("shiviz.log")).unwrap();
    let mut parts = text.splitn(3, '\n');
    let regex_line = parts.next().unwrap();
    assert_eq!(regex_line, scuttlesim::export::shiviz::REGEX);
    // The README documents the same regex.
    let readme = std::fs::read_to_string(shipped("../README.md")).unwrap();
    assert!(readme.contains(regex_line), "README shows the ShiViz regex");
    assert_eq!(parts.next().unwrap(), "", "empty delimiter line");
    let log = parts.next().unwrap();
    let re = regex::Regex::new(regex_line).unwrap();
    let mut events: Vec<(String, Clock, String)> = Vec::new();
    let mut covered = 0;
    for c in re.captures_iter(log) {
        covered += c.get(0).unwrap().as_str().len() + 1;
        let clock: Clock = serde_json::from_str(&c["clock"]).unwrap();
        events.push((c["host"].to_string(), clock, c["event"].to_string()));
    }
    assert_eq!(covered, log.len(), "the regex covers the whole log");
    // One event per clock record of the trace.
    let recs = records(&run);
    let clocks = recs.iter().filter(|r| r["type"] == "clock").count();
    assert_eq!(events.len(), clocks);
    // Each host's own entry starts at 1 and rises by one per event.
    let mut last: BTreeMap<String, Clock> = BTreeMap::new();
    for (host, clock, what) in &events {
        let own = clock[host];
        let prev = last.get(host);
        assert_eq!(own, prev.map_or(1, |p| p[host] + 1), "{host} at {what}");
        if let Some(p) = prev {
            assert!(before(p, clock), "program order at {host}: {what}");
        }
        last.insert(host.clone(), clock.clone());
    }
    // Every receive happens after its send.
    let id_of = |what: &str, word: &str| -> Option<u64> {
        let rest = what.split_once(&format!(" {word} "))?.1;
        rest.split_once('#')?.1.split_whitespace().next()?.parse().ok()
    };
    let mut sends: BTreeMap<u64, &Clock> = BTreeMap::new();
    let mut matched = 0;
    for (_, clock, what) in &events {
        if let Some(id) = id_of(what, "send") {
            sends.insert(id, clock);
        } else if let Some(id) = id_of(what, "receive") {
            let s = sends.get(&id).expect("a receive follows its send");
            assert!(before(s, clock), "message {id}");
            matched += 1;
        }
    }
    let receives = recs.iter().filter(|r| r["type"] == "receive").count();
    assert_eq!(matched, receives);
    assert_eq!(sends.len(), recs.iter().filter(|r| r["type"] == "send").count());
}

#[test]
fn shiviz_needs_a_full_trace() {
    let dir = temp_dir("shiviz-versions");
    let q = shipped("quickstart.toml");
    let o = scuttlesim(&["run", s(&q), "--set", "nodes.count=4", "--out", "o"], &dir);
    assert_eq!(o.status.code(), Some(0));
    let o = scuttlesim(&["export", "o/quickstart/42", "--format", "shiviz"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--trace full"));
    assert!(!dir.join("o/quickstart/42/shiviz.log").exists());
}

#[test]
fn chrome_trace_has_tracks_and_flows() {
    let dir = temp_dir("chrome");
    let run = full_run(&dir);
    let o = scuttlesim(&["export", s(&run), "--format", "chrome"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("chrome-trace.json")).unwrap()).unwrap();
    let ev = v["traceEvents"].as_array().unwrap();
    let count = |f: &dyn Fn(&serde_json::Value) -> bool| ev.iter().filter(|e| f(e)).count();
    assert_eq!(count(&|e| e["name"] == "thread_name"), 8, "one track per node");
    let recs = records(&run);
    let sends = recs.iter().filter(|r| r["type"] == "send").count();
    let drops = recs.iter().filter(|r| r["type"] == "drop").count();
    let receives = recs.iter().filter(|r| r["type"] == "receive").count();
    assert_eq!(count(&|e| e["cat"] == "send" && e["ph"] == "X"), sends);
    assert_eq!(count(&|e| e["ph"] == "s"), sends - drops);
    assert_eq!(count(&|e| e["ph"] == "f"), receives);
    let starts: std::collections::BTreeSet<u64> = ev
        .iter()
        .filter(|e| e["ph"] == "s")
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    for e in ev.iter().filter(|e| e["ph"] == "f") {
        assert!(starts.contains(&e["id"].as_u64().unwrap()));
        assert!(e["tid"].as_u64().unwrap() < 8);
    }
}
