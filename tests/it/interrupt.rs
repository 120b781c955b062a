//! Robust outputs: Ctrl-C finishes the current event, leaves whole records
//! and a manifest saying "interrupted", and exits 130; a kill leaves no
//! manifest at all (not even a stale one from an earlier run).

use crate::bin::{s, scuttlesim};
use crate::support::{shipped, temp_dir};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Starts a run big enough to take many seconds, into `dir/o`.
fn start_big(dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_scuttlesim"))
        .args([
            "run",
            s(&shipped("quickstart.toml")),
            "--set",
            "nodes.count=20000",
            "--set",
            "stop_when_converged=false",
            "--out",
            "o",
        ])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until the run has written some records.
fn wait_for_records(run: &Path) {
    let tmp = run.join("trace.jsonl.tmp");
    for _ in 0..600 {
        if std::fs::metadata(&tmp).is_ok_and(|m| m.len() > 100_000) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the run wrote nothing in 30 s");
}

#[test]
fn ctrl_c_marks_the_run_interrupted_and_exits_130() {
    let dir = temp_dir("sigint");
    let run = dir.join("o/quickstart/42");
    let mut child = start_big(&dir);
    wait_for_records(&run);
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["status"], "interrupted", "not a complete-looking manifest");
    assert!(m["interrupted_at_ns"].as_u64().unwrap() < 60_000_000_000);
    assert!(!run.join("summary.json").exists());
    // The partial trace is whole lines, as many as the manifest says.
    let text = std::fs::read_to_string(run.join("trace.jsonl")).unwrap();
    assert!(text.ends_with('\n'));
    let n = text
        .lines()
        .skip(1)
        .inspect(|l| {
            serde_json::from_str::<scuttlesim::trace::Record>(l).unwrap();
        })
        .count();
    assert_eq!(n as u64, m["trace_records"].as_u64().unwrap());
    // And it replays: the same records up to the stop.
    let o = scuttlesim(&["replay", "o/quickstart/42/manifest.json"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    // `chart` and `shrink` say it was interrupted (not "writes.csv:
    // missing", not "every check passed").
    for cmd in ["chart", "shrink"] {
        let o = scuttlesim(&[cmd, "o/quickstart/42"], &dir);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("the run was interrupted"), "{cmd}: {err}");
    }
}

/// Two signals at once (as `timeout -s INT` sends, to the process and to
/// its group) are one press: the run still ends as interrupted, with its
/// manifest, rather than quitting at once.
#[test]
fn two_signals_at_once_are_one_press() {
    let dir = temp_dir("sigint-twice");
    let run = dir.join("o/quickstart/42");
    let mut child = start_big(&dir);
    wait_for_records(&run);
    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-INT", &pid, &pid]).status().unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["status"], "interrupted");
}

#[test]
fn a_killed_rerun_leaves_no_manifest() {
    let dir = temp_dir("sigkill");
    let run = dir.join("o/quickstart/42");
    // A complete run first, in the same directory.
    let o = scuttlesim(
        &[
            "run",
            s(&shipped("quickstart.toml")),
            "--set",
            "nodes.count=8",
            "--out",
            "o",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(run.join("manifest.json").exists());
    let mut child = start_big(&dir);
    wait_for_records(&run);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !run.join("manifest.json").exists(),
        "the old manifest must not sit beside a new, half-written run"
    );
}

/// 20 `ping` nodes, one round each every 100 ms, for `duration` at trace
/// level `trace`.
fn ping_run(duration: &str, trace: &str) -> scuttlesim::scenario::Scenario {
    crate::support::scenario(&format!(
        "name = \"stop\"\nseed = 3\nduration = \"{duration}\"\n[nodes]\ncount = 20\n[gossip]\nprotocol = \"ping\"\ninterval = \"100ms\"\n[output]\ntrace = \"{trace}\"\n"
    ))
}

/// A sink that keeps records and asks to stop once it holds `after`.
struct StopAfter {
    after: usize,
    kept: Vec<scuttlesim::trace::Record>,
}

impl scuttlesim::trace::TraceSink for StopAfter {
    fn record(&mut self, r: &scuttlesim::trace::Record) {
        self.kept.push(r.clone());
    }
    fn stop_requested(&self) -> bool {
        self.kept.len() >= self.after
    }
}

/// A sink's own reason to stop (here: a record count, like a replay of an
/// interrupted run) takes effect before the next event, whatever
/// `STOP_POLL` is. In a `ping` run at level `full` every event leaves
/// exactly two records (`clock` + `send`, or `receive` + `clock`), so a
/// stop after `k` records keeps `k` rounded up to even, and the run ends at
/// the time of the next record of the whole run.
#[test]
fn a_sink_stops_the_run_before_the_next_event() {
    let s = ping_run("5s", "full");
    let (_, all) = crate::support::run_records(&s);
    assert!(all.len() > 3000, "{} records", all.len());
    for k in [1, 2, 7, 500, 1001, 2048] {
        let mut sink = StopAfter {
            after: k,
            kept: Vec::new(),
        };
        let outcome = scuttlesim::sim::run(&s, &mut sink);
        let whole = k.next_multiple_of(2);
        assert_eq!(sink.kept.len(), whole, "stop after {k}");
        assert_eq!(sink.kept[..], all[..whole], "stop after {k}");
        assert_eq!(outcome.end.0, all[whole].time(), "stop after {k}");
    }
}

/// A sink given no record (trace `off`) that asks to stop at its third
/// ask: the loop asks before the first event and every `STOP_POLL` events
/// after, so the run stops after exactly `2 × STOP_POLL` events.
#[test]
fn a_sink_given_no_record_is_asked_every_stop_poll_events() {
    struct ThirdAsk(std::cell::Cell<u32>);
    impl scuttlesim::trace::TraceSink for ThirdAsk {
        fn record(&mut self, _: &scuttlesim::trace::Record) {
            panic!("a trace-off run gave the sink a record");
        }
        fn stop_requested(&self) -> bool {
            self.0.set(self.0.get() + 1);
            self.0.get() == 3
        }
    }
    let s = ping_run("60s", "off");
    let mut sink = ThirdAsk(std::cell::Cell::new(0));
    let outcome = scuttlesim::sim::run(&s, &mut sink);
    assert_eq!(outcome.events, 2 * scuttlesim::trace::STOP_POLL);
    assert_eq!(sink.0.get(), 3);
}

/// Ctrl-C in a sweep: the runs in progress end as interrupted (a manifest
/// `--resume` does not keep), no more start, nothing is summarised, and it
/// exits 130.
#[test]
fn ctrl_c_interrupts_a_sweep() {
    let dir = temp_dir("sigint-sweep");
    std::fs::write(
        dir.join("sweep.toml"),
        format!(
            "name = \"big\"\nbase = {:?}\nseeds = 2\n[grid]\n\"nodes.count\" = [20000, 20001]\n\"stop_when_converged\" = [false]\n\"duration\" = [\"20s\"]\n",
            s(&shipped("quickstart.toml"))
        ),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_scuttlesim"))
        .args([
            "sweep",
            "sweep.toml",
            "--out",
            "o",
            "--jobs",
            "1",
            "--trace",
            "versions",
        ])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_records(&dir.join("o/big/duration=20s+nodes.count=20000+stop_when_converged=false/1"));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rerun with --resume"), "{err}");
    assert!(!dir.join("o/big/summary.csv").exists());
    let first = dir.join("o/big/duration=20s+nodes.count=20000+stop_when_converged=false/1/manifest.json");
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(&first).unwrap()).unwrap();
    assert_eq!(m["status"], "interrupted");
    assert!(
        !dir.join("o/big/duration=20s+nodes.count=20001+stop_when_converged=false/2")
            .exists(),
        "no run started after the stop"
    );
}

/// Ctrl-C during `export` ends it between two records: exit 130, a
/// message, and neither the export nor its temporary file left behind.
#[test]
fn ctrl_c_stops_an_export_and_leaves_no_file() {
    let dir = temp_dir("sigint-export");
    let made = scuttlesim(
        &[
            "run",
            s(&shipped("quickstart.toml")),
            "--set",
            "nodes.count=300",
            "--trace",
            "full",
            "--quiet",
            "--out",
            "o",
        ],
        &dir,
    );
    assert!(made.status.success());
    let run = dir.join("o/quickstart/42");
    let child = Command::new(env!("CARGO_BIN_EXE_scuttlesim"))
        .args(["export", "o/quickstart/42", "--format", "shiviz"])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let tmp = run.join("shiviz.log.tmp");
    let mut started = false;
    for _ in 0..600 {
        if std::fs::metadata(&tmp).is_ok_and(|m| m.len() > 2_000_000) {
            started = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(started, "the export wrote nothing in 6 s");
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&out.stderr).contains("export interrupted"));
    assert!(!tmp.exists(), "the temporary file is removed");
    assert!(!run.join("shiviz.log").exists());
}
