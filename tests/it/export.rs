//! `export`: the ShiViz log parses with its own (documented) regex and its
//! vector clocks respect happens-before; the Chrome JSON has a track per
//! node and one flow per delivered message.

use crate::bin::{s, scuttlesim, stderr, stdout};
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
    run_small_quickstart(&dir);
    let o = scuttlesim(&["export", "o/quickstart/42", "--format", "shiviz"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--trace full"));
    assert!(!dir.join("o/quickstart/42/shiviz.log").exists());
}

/// Every message's fate from the records, in trace order: `(delivered,
/// lost, copies)`: messages whose first receipt or drop is a receipt, or a
/// drop, and the receipts after a message's first fate (duplicates).
fn fates(recs: &[serde_json::Value]) -> (usize, usize, usize) {
    let mut fated = std::collections::BTreeSet::new();
    let (mut delivered, mut lost, mut copies) = (0, 0, 0);
    for r in recs {
        let first = || r["id"].as_u64().unwrap();
        match r["type"].as_str() {
            Some("receive") if fated.insert(first()) => delivered += 1,
            Some("receive") => copies += 1,
            Some("drop") if fated.insert(first()) => lost += 1,
            _ => {}
        }
    }
    (delivered, lost, copies)
}

/// The Chrome JSON of `run` (exported here) and its events.
fn chrome(dir: &Path, run: &Path) -> Vec<serde_json::Value> {
    let o = scuttlesim(&["export", s(run), "--format", "chrome"], dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("chrome-trace.json")).unwrap()).unwrap();
    v["traceEvents"].as_array().unwrap().clone()
}

#[test]
fn chrome_trace_has_tracks_and_flows() {
    let dir = temp_dir("chrome");
    let run = full_run(&dir);
    let ev = chrome(&dir, &run);
    let count = |f: &dyn Fn(&serde_json::Value) -> bool| ev.iter().filter(|e| f(e)).count();
    assert_eq!(count(&|e| e["name"] == "thread_name"), 8, "one track per node");
    let recs = records(&run);
    let sends = recs.iter().filter(|r| r["type"] == "send").count();
    let (delivered, _, _) = fates(&recs);
    assert_eq!(count(&|e| e["cat"] == "send" && e["ph"] == "X"), sends);
    assert_eq!(count(&|e| e["ph"] == "s"), delivered);
    assert_eq!(count(&|e| e["ph"] == "f"), delivered);
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

/// A run that duplicates messages and drops some on arrival (crashes,
/// partitions): one arrow per delivered message, ending on its receiver;
/// every message dropped, on the way or on arrival, is a `(lost)` slice;
/// every second receipt a `(copy)` slice; no flow id ends twice.
#[test]
fn chrome_marks_lost_messages_and_copies() {
    let dir = temp_dir("chrome-dup");
    let everything = shipped("everything.toml");
    let o = scuttlesim(&["run", s(&everything), "--trace", "full", "--out", "o"], &dir);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stdout(&o));
    let run = std::fs::read_dir(dir.join("o/everything"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let recs = records(&run);
    let (delivered, lost, copies) = fates(&recs);
    assert!(
        lost > 0 && copies > 0,
        "the scenario loses and duplicates messages"
    );
    let ev = chrome(&dir, &run);
    let count = |f: &dyn Fn(&serde_json::Value) -> bool| ev.iter().filter(|e| f(e)).count();
    let name_ends = |e: &serde_json::Value, cat: &str, end: &str| {
        e["cat"] == cat && e["name"].as_str().is_some_and(|n| n.ends_with(end))
    };
    assert_eq!(count(&|e| name_ends(e, "send", " (lost)")), lost);
    assert_eq!(count(&|e| name_ends(e, "receive", " (copy)")), copies);
    assert_eq!(count(&|e| e["ph"] == "f"), delivered);
    let mut ends = std::collections::BTreeSet::new();
    for e in ev.iter().filter(|e| e["ph"] == "f") {
        assert!(
            ends.insert(e["id"].as_u64().unwrap()),
            "flow {} ends twice",
            e["id"]
        );
    }
    let sends = recs.iter().filter(|r| r["type"] == "send").count();
    assert_eq!(count(&|e| e["cat"] == "send" && e["ph"] == "X"), sends);
}

/// `--out` that cannot be written is refused before anything is read or
/// written, in the option's words and with the user's path (not the
/// temporary `x.json.tmp` written first); the file in the way is kept.
#[test]
fn an_unwritable_out_file_names_the_users_path() {
    let dir = temp_dir("export-out");
    run_small_quickstart(&dir);
    std::fs::write(dir.join("afile"), "keep me").unwrap();
    for (out, want) in [
        (
            "afile/x.json",
            "--out afile/x.json: cannot be created: afile is a file, not a directory",
        ),
        (
            "afile/sub/x.json",
            "--out afile/sub/x.json: cannot be created: afile is a file, not a directory",
        ),
        (
            "nodir/x.json",
            "--out nodir/x.json: cannot be created: directory nodir does not exist",
        ),
        ("o", "--out o: is a directory, expected a file path"),
    ] {
        let o = scuttlesim(
            &["export", "o/quickstart/42", "--format", "chrome", "--out", out],
            &dir,
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{out}: {err}");
        assert_eq!(err.trim(), format!("error: {want}"), "{out}");
        assert!(o.stdout.is_empty(), "{out}");
    }
    assert_eq!(std::fs::read_to_string(dir.join("afile")).unwrap(), "keep me");
    assert!(!dir.join("nodir").exists() && !dir.join("o.tmp").exists());
    // A manifest's shrink: the same check, before any run.
    let o = scuttlesim(&["shrink", "o/quickstart/42", "--out", "afile/s.toml"], &dir);
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim(),
        "error: --out afile/s.toml: cannot be created: afile is a file, not a directory"
    );
    // And one that can be written is.
    let o = scuttlesim(
        &[
            "export",
            "o/quickstart/42",
            "--format",
            "chrome",
            "--out",
            "x.json",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(dir.join("x.json").is_file() && !dir.join("x.json.tmp").exists());
}

/// Runs the shipped quickstart with 4 nodes into `dir/o` (its run is
/// `o/quickstart/42`).
fn run_small_quickstart(dir: &std::path::Path) {
    let q = shipped("quickstart.toml");
    let o = scuttlesim(&["run", s(&q), "--set", "nodes.count=4", "--out", "o"], dir);
    assert_eq!(o.status.code(), Some(0));
}

/// A write that fails (a full disk) is reported against the file being
/// written, not the trace being read.
#[test]
fn a_failed_write_names_the_output_not_the_trace() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("No space left on device"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let dir = temp_dir("export-full");
    let run = full_run(&dir);
    let trace = run.join("trace.jsonl");
    let out = dir.join("elsewhere.json");
    for shiviz in [false, true] {
        let file = std::io::BufReader::new(std::fs::File::open(&trace).unwrap());
        let reader = scuttlesim::trace::TraceReader::new(file).unwrap();
        let e = if shiviz {
            scuttlesim::export::shiviz::write(reader, &trace, &out, &mut Full)
        } else {
            scuttlesim::export::chrome::write(reader, &trace, &out, &mut Full)
        }
        .unwrap_err()
        .to_string();
        assert!(e.contains("elsewhere.json") && !e.contains("trace.jsonl"), "{e}");
    }
}

/// Makes a FIFO with the system's `mkfifo` (no libc binding needed).
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).unwrap().file_type().is_fifo()
}

/// A rename over a device or FIFO (`--out /dev/null`) would replace it with
/// a regular file; such a target is written in place and stays what it was.
/// A symbolic link stays a link and the file it names gets the bytes.
#[test]
fn writes_into_a_fifo_in_place_and_through_a_symlink() {
    let dir = temp_dir("write-target");
    let fifo = dir.join("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    scuttlesim::output::write_atomic(&fifo, b"through the pipe\n").unwrap();
    // Checked first: had the FIFO been replaced, its reader would wait forever.
    assert!(is_fifo(&fifo), "the FIFO is still a FIFO");
    assert_eq!(reader.join().unwrap(), b"through the pipe\n");

    let file = dir.join("real.txt");
    std::fs::write(&file, "old").unwrap();
    let link = dir.join("link.txt");
    std::os::unix::fs::symlink("real.txt", &link).unwrap();
    scuttlesim::output::write_atomic(&link, b"new").unwrap();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read(&file).unwrap(), b"new");

    let dangling = dir.join("dangling.txt");
    std::os::unix::fs::symlink("made.txt", &dangling).unwrap();
    scuttlesim::output::write_atomic(&dangling, b"made").unwrap();
    assert!(std::fs::symlink_metadata(&dangling)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read(dir.join("made.txt")).unwrap(), b"made");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "no temporary files left: {left:?}");
}

/// `export --out` into a FIFO streams the whole export to its reader (the
/// same bytes as a file export) and leaves the FIFO in place.
#[test]
fn export_into_a_fifo_streams_and_keeps_it() {
    let dir = temp_dir("export-fifo");
    let run = full_run(&dir);
    let o = scuttlesim(
        &["export", s(&run), "--format", "chrome", "--out", "file.json"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let fifo = dir.join("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let o = scuttlesim(&["export", s(&run), "--format", "chrome", "--out", "pipe"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(is_fifo(&fifo), "the FIFO is still a FIFO");
    assert_eq!(
        reader.join().unwrap(),
        std::fs::read(dir.join("file.json")).unwrap()
    );
}

/// `--out -` writes the export to stdout and nothing else: the command's
/// own lines go to stderr, so the output is the same bytes as a file export.
#[test]
fn export_to_stdout_keeps_messages_out_of_the_output() {
    let dir = temp_dir("export-stdout");
    let run = full_run(&dir);
    let o = scuttlesim(
        &["export", s(&run), "--format", "chrome", "--out", "file.json"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("events"),
        "to a file, the lines stay on stdout"
    );
    let o = scuttlesim(&["export", s(&run), "--format", "chrome", "--out", "-"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, std::fs::read(dir.join("file.json")).unwrap());
    assert!(
        stderr(&o).contains("/dev/stdout: ") && stderr(&o).contains(" events"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("-").exists(), "no file named -");
}

/// `trace` says a partition drop happened on arrival exactly when the
/// message was in flight as the partition began: sent (its `send` record)
/// before the drop. Two nodes, aligned rounds each second, constant 100 ms
/// latency, a partition from 1.05 s to 2.5 s: the syns sent at 1 s arrive
/// at 1.1 s, after it began (on arrival); those of 2 s meet it at send.
#[test]
fn trace_says_which_partition_drops_were_on_arrival() {
    let dir = temp_dir("trace-partition-arrival");
    let scenario = dir.join("split.toml");
    std::fs::write(
        &scenario,
        r#"name = "split"
seed = 1
duration = "3s"
[nodes]
count = 2
[gossip]
interval = "1s"
phase = "aligned"
[network]
latency = { dist = "constant", value = "100ms" }
[output]
trace = "full"
[[faults]]
at = "1.05s"
partition = [[0], [1]]
[[faults]]
at = "2.5s"
heal = true
[[faults]]
at = "0.2s"
degrade = { from = [0], to = [1], extra_latency = "1ms", for = "0.5s" }
"#,
    )
    .unwrap();
    let o = scuttlesim(&["run", s(&scenario), "--out", "out", "--quiet"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run = dir.join("out/split/1");
    // The expectation, from the stored records: a drop's send time.
    let recs = records(&run);
    let mut sent_at = std::collections::BTreeMap::new();
    let mut expected = Vec::new();
    for r in &recs {
        let id = r["id"].as_u64();
        match r["type"].as_str() {
            Some("send") => {
                sent_at.insert(id.unwrap(), r["t"].as_u64().unwrap());
            }
            Some("drop") if r["reason"] == "partition" => {
                let id = id.unwrap();
                let t = r["t"].as_u64().unwrap();
                expected.push((id, sent_at[&id] < t));
            }
            _ => {}
        }
    }
    // By hand: two syns in flight at 1.05 s (dropped at 1.1 s), two syns
    // sent into the partition at 2 s.
    assert_eq!(expected.iter().filter(|e| e.1).count(), 2, "{expected:?}");
    assert_eq!(expected.iter().filter(|e| !e.1).count(), 2, "{expected:?}");
    let o = scuttlesim(&["trace", s(&run), "--kind", "drop"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for (id, on_arrival) in expected {
        let line = text
            .lines()
            .find(|l| l.contains(&format!(" #{id} ")))
            .unwrap_or_else(|| panic!("no line for #{id} in {text}"));
        let said = if on_arrival {
            "lost on arrival (partition)"
        } else {
            "lost (partition)"
        };
        assert!(line.ends_with(said), "#{id}: {line}");
    }
    // A degradation's end names its links (from its start), with no
    // trailing space; the degradation (no message sent in it) drops nothing.
    let o = scuttlesim(&["trace", s(&run), "--kind", "fault"], &dir);
    let text = stdout(&o);
    let end = text.lines().find(|l| l.contains("degrade-end")).expect(&text);
    assert!(
        end.ends_with("degrade-end (faults[2]) 0 <-> 1: back to normal"),
        "{end}"
    );
}

/// `export … --out - | head`: a reader that goes away after the first
/// bytes ends the export quietly with 0 (it said `Broken pipe (os error
/// 32)` and exited 2), as `trace | head` does. The export is larger than a
/// pipe's buffer, so the reader leaves while the export still writes.
#[test]
fn a_reader_that_leaves_ends_an_export_to_stdout_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let dir = temp_dir("export-broken-pipe");
    let run = full_run(&dir);
    let o = scuttlesim(
        &["export", s(&run), "--format", "chrome", "--out", "all.json"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let size = std::fs::metadata(dir.join("all.json")).unwrap().len();
    assert!(
        size > (1 << 16) + 4096,
        "larger than a pipe's buffer (64 KiB): {size} B"
    );
    for args in [
        vec!["export", s(&run), "--format", "chrome", "--out", "-"],
        vec!["trace", s(&run)],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scuttlesim"))
            .args(&args)
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("binary runs");
        let mut head = [0u8; 100];
        child.stdout.take().unwrap().read_exact(&mut head).unwrap();
        // The reader is dropped here: the next write meets a closed pipe.
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("Broken pipe") && !err.contains("error"),
            "{args:?}: {err}"
        );
    }
}
