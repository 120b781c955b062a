//! Resource limits and bad input at scale: the memory estimate (figures
//! derived by hand from the documented formula), runs refused before they
//! start, unwritable output, a full disk, directories given as files, names
//! that would reach a path.

use crate::bin::{s, scuttlesim, stderr, stdout};
use crate::support::{scenario, shipped, temp_dir};
use scuttlesim::limits::{check, entry_bytes, estimate, expected_writes, Limit};
use std::path::Path;

const MIB: u64 = 1 << 20;

#[test]
fn estimate_by_hand() {
    // Scuttlebutt, 1000 nodes, 1 key, fan-out 2, no writes (versions up to
    // the margin of 20, so 1 B entries), versions trace: version vectors
    // 1000·1000·1 = 1,000,000; digests in flight 1000·2·1000·1 =
    // 2,000,000; messages in flight (10 ms latency, 1 s rounds: r = 1)
    // 1000·2·1·2·128 = 512,000; deltas in flight (no writes: at least one
    // in a latency) 1·1000·1·32 = 32,000; per node 1000·512 = 512,000; time series
    // (10 s / 1 s + 1)·3·40 = 1320; per-node time series (1000 nodes × 11
    // samples ≤ 100,000, so kept by default) 1000·11·3·32 = 1,056,000;
    // fixed 32 MiB.
    let s = scenario("duration = \"10s\"\n[nodes]\ncount = 1000\n[gossip]\nfanout = 2\n");
    assert_eq!(
        estimate(&s).total_bytes(),
        1_000_000 + 2_000_000 + 512_000 + 32_000 + 512_000 + 1320 + 1_056_000 + 32 * MIB
    );
    // Push with 4 keys, 100 nodes, writers 0 and 1 writing every 2 s for
    // 10 s: writes 2·(10/2 + 1) = 12 → 12·(96 + 8·100) = 10,752; vectors
    // at 1 B (versions up to 6 + 10·3 + 20 = 56) 100·100 = 10,000; per-key
    // versions 100·100·4·8 = 320,000; full states in flight
    // 100·1·100·4·16 = 640,000; messages in flight 100·1·2·128 = 25,600;
    // per node 51,200; time series 1320;
    // per-node time series 100·11·3·32 = 105,600; first-held times (12
    // writes × 100 nodes ≤ 250,000, so kept by default) 12·100·8 = 9,600.
    let s = scenario(
        "duration = \"10s\"\n[nodes]\ncount = 100\n[gossip]\nprotocol = \"push\"\n[workload]\nkeys_per_node = 4\nwrites = { process = \"poisson\", mean_interval = \"2s\" }\nwriters = [0, 1]\n",
    );
    assert_eq!(expected_writes(&s), 12);
    assert_eq!(
        estimate(&s).total_bytes(),
        10_752 + 10_000 + 320_000 + 640_000 + 25_600 + 51_200 + 1320 + 105_600 + 9_600 + 32 * MIB
    );
    // The same as rumor mongering: no full states; hot lists of at most
    // min(12 writes, 100 nodes × 4 keys) = 12 updates: 100·12·112 = 134,400,
    // and rumors in flight 100·1·1·12·33 = 39,600.
    let s = scenario(
        "duration = \"10s\"\n[nodes]\ncount = 100\n[gossip]\nprotocol = \"rumor\"\n[workload]\nkeys_per_node = 4\nwrites = { process = \"poisson\", mean_interval = \"2s\" }\nwriters = [0, 1]\n",
    );
    assert_eq!(
        estimate(&s).total_bytes(),
        10_752 + 10_000 + 320_000 + 134_400 + 39_600 + 25_600 + 51_200 + 1320 + 105_600 + 9_600 + 32 * MIB
    );
}

/// Messages stay in flight for a latency: with a latency longer than the
/// round, the rounds whose messages are in flight at once multiply the
/// digests and messages in flight (by hand from the documented formula).
#[test]
fn long_latencies_count_more_rounds_in_flight() {
    let part = |text: &str, name: &str| {
        let s = scenario(text);
        estimate(&s).parts.into_iter().find(|p| p.0 == name).map(|p| p.1)
    };
    // 100 nodes, 10 ms rounds, 1 s latency: r = ⌈2 s / 10 ms⌉ = 200, within
    // the run's 10 s / 10 ms + 1 = 1001 rounds. Digests 100·1·200·100·1 =
    // 2,000,000; messages 100·1·200·2·128 = 5,120,000.
    let long = "duration = \"10s\"\n[nodes]\ncount = 100\n[gossip]\ninterval = \"10ms\"\n[network]\nlatency = { dist = \"constant\", value = \"1s\" }\n";
    assert_eq!(part(long, "digests in flight"), Some(2_000_000));
    assert_eq!(part(long, "messages in flight"), Some(5_120_000));
    // Deltas: 100 writers every 1 s for 10 s, 100·11 = 1100 expected
    // writes, 110 in a latency: 110·100·200 = 2,200,000 by the rate, above
    // the 100·1·200·100 = 2,000,000 messages can carry; 32 B each. An MTU
    // of 10 deltas: 100·1·200·10 = 200,000.
    let writing = long.replace(
        "[network]",
        "[workload]\nwrites = { process = \"poisson\", mean_interval = \"1s\" }\n[network]",
    );
    assert_eq!(part(&writing, "deltas in flight"), Some(2_000_000 * 32));
    let mtu = writing.replace(
        "interval = \"10ms\"",
        "interval = \"10ms\"\nmtu = { deltas = 10 }",
    );
    assert_eq!(part(&mtu, "deltas in flight"), Some(200_000 * 32));
    // Every 100 s instead: 100·1 = 100 writes (the run is shorter than the
    // mean interval: one each), 10 in a latency: 10·100·200 = 200,000.
    let slow = writing.replace("mean_interval = \"1s\"", "mean_interval = \"100s\"");
    assert_eq!(part(&slow, "deltas in flight"), Some(200_000 * 32));
    // An hour's latency: capped at the run's 1001 rounds.
    let hour = long.replace("\"1s\" }", "\"1h\" }");
    assert_eq!(part(&hour, "digests in flight"), Some(100 * 1001 * 100));
    // A route's mean (uniform 1–3 s: 2 s) and a degradation's extra 1 s:
    // 3 s, r = 600.
    let routed = format!(
        "{long}routes = [{{ from = [0], to = [1], latency = {{ dist = \"uniform\", low = \"1s\", high = \"3s\" }} }}]\n[[faults]]\nat = \"1s\"\ndegrade = {{ from = [0], to = [1], extra_latency = \"1s\", for = \"1s\" }}\n"
    );
    assert_eq!(part(&routed, "digests in flight"), Some(100 * 600 * 100));
}

/// Version-vector entries are counted at the width the run's versions can
/// reach (worked out by hand from the documented bound: per writer the
/// mean, plus 10·⌈√mean⌉, plus 20, and the whole schedule), and rate
/// changes weigh the write count.
#[test]
fn vector_entries_are_counted_at_the_width_the_run_reaches() {
    let p1 = |extra: &str| {
        scenario(&format!(
            "duration = \"60s\"\n[nodes]\ncount = 10000\n[workload]\nwrites = {{ process = \"poisson\", mean_interval = \"{extra}\" }}\n"
        ))
    };
    // 60 s / 10 s + 1 = 7 writes each: up to 7 + 30 + 20 = 57, one byte.
    let s = p1("10s");
    assert_eq!(entry_bytes(&s).0, 1);
    let part = |s: &scuttlesim::scenario::Scenario, name: &str| {
        estimate(s).parts.into_iter().find(|p| p.0 == name).map(|p| p.1)
    };
    assert_eq!(part(&s, "version vectors"), Some(100_000_000));
    assert_eq!(part(&s, "digests in flight"), Some(100_000_000));
    // 60,001 writes each: + 10·245 + 20 = 62,471 < 65,536, two bytes;
    // 120,001: + 10·347 + 20 = 123,491, four bytes.
    assert_eq!(entry_bytes(&p1("1ms")).0, 2);
    assert_eq!(entry_bytes(&p1("500us")).0, 4);
    // 211 expected (210 s / 1 s + 1) + 10·15 + 20 = 381 needs two bytes;
    // 60 s: 61 + 10·8 + 20 = 161, one.
    let secs = |d: u32| {
        scenario(&format!(
            "duration = \"{d}s\"\n[nodes]\ncount = 10\n[workload]\nwrites = {{ process = \"poisson\", mean_interval = \"1s\" }}\n"
        ))
    };
    assert_eq!(entry_bytes(&secs(210)).0, 2);
    assert_eq!(entry_bytes(&secs(60)).0, 1);
    // A lost-state restart starts a generation at 2^32: eight bytes.
    let lost = scenario(
        "duration = \"60s\"\n[nodes]\ncount = 10\n[[faults]]\nat = \"1s\"\ncrash = 3\nstate = \"lost\"\n",
    );
    assert_eq!(entry_bytes(&lost).0, 8);
    let kept = scenario("duration = \"60s\"\n[nodes]\ncount = 10\n[[faults]]\nat = \"1s\"\ncrash = 3\n");
    assert_eq!(entry_bytes(&kept).0, 1);
    // Scheduled writes all count against one writer: 20 + 240 = 260.
    let schedule: String = (0..240)
        .map(|i| format!("[[workload.schedule]]\nat = \"{i}ms\"\nnode = 0\n"))
        .collect();
    let s = scenario(&format!("duration = \"10s\"\n[nodes]\ncount = 4\n{schedule}"));
    assert_eq!(entry_bytes(&s).0, 2);
    // Rate changes: twice the base rate from 30 s on, back to 1 at 50 s,
    // over 60 s at 1 s: 30 + 2·20 + 10 = 80 writes, + 1 → 81 each.
    let s = scenario(
        "duration = \"60s\"\n[nodes]\ncount = 10\n[workload]\nwrites = { process = \"poisson\", mean_interval = \"1s\" }\nrate_changes = [{ at = \"30s\", factor = 2.0 }, { at = \"50s\", factor = 1.0 }]\n",
    );
    assert_eq!(expected_writes(&s), 10 * 81);
    // A change after the writing period ends changes nothing; factor 0 stops writes.
    let s = scenario(
        "duration = \"60s\"\n[nodes]\ncount = 10\n[workload]\nwrites = { process = \"poisson\", mean_interval = \"1s\" }\nstop_at = \"20s\"\nrate_changes = [{ at = \"10s\", factor = 0.0 }, { at = \"40s\", factor = 5.0 }]\n",
    );
    assert_eq!(expected_writes(&s), 10 * 11);
    // The same count decides whether `learned.csv` is kept by default
    // (expected writes × nodes ≤ 250,000): 100 writers at 1 s for 20 s
    // make 100 × 21 = 2,100 writes (210,000 cells, kept); twice the rate
    // from 1 s on make 100 × (1 + 2·19 + 1) = 4,000 (400,000 cells, not).
    let learned = |changes: &str| {
        let s = scenario(&format!(
            "duration = \"20s\"\n[nodes]\ncount = 100\n[workload]\nwrites = {{ process = \"poisson\", mean_interval = \"1s\" }}\n{changes}"
        ));
        (expected_writes(&s), s.output.learned(100, expected_writes(&s)))
    };
    assert_eq!(learned(""), (2_100, true));
    assert_eq!(
        learned("rate_changes = [{ at = \"1s\", factor = 2.0 }]\n"),
        (4_000, false)
    );
}

#[test]
fn huge_scenarios_are_refused_before_they_allocate() {
    // 10^7 nodes × 10^6 keys: 8·10^20 bytes of state; the estimate
    // saturates instead of overflowing, and the check names it.
    let s = scenario("duration = \"10s\"\n[nodes]\ncount = 10000000\n[workload]\nkeys_per_node = 1000000\n");
    let limit = Limit {
        bytes: Some(16 << 30),
        source: "test".into(),
    };
    let e = check(&s, 1, &limit).unwrap_err();
    assert!(e.contains("more than the limit of 16.0 GiB (test)"), "{e}");
    assert!(e.contains("per-key versions"), "{e}");
    // A limit a byte below the estimate: both would read the same rounded,
    // so they are given in bytes.
    let q = scenario("duration = \"10s\"\n[nodes]\ncount = 1000\n");
    let need = estimate(&q).total_bytes();
    let below = Limit {
        bytes: Some(need - 1),
        source: "test".into(),
    };
    let e = check(&q, 1, &below).unwrap_err();
    assert!(
        e.contains(&format!(
            "about {need} B of memory, more than the limit of {} B",
            need - 1
        )),
        "{e}"
    );
    // The time series: 1000 s sampled every 1 ms, 1,000,001 samples of
    // 3 kinds × 40 B (validation caps samples at 10^6). 2 nodes ×
    // 1,000,001 samples is more than the 100,000 cells of a default per-node
    // series; asked for, it costs 2 × 1,000,001 × 3 kinds × 32 B.
    let s = scenario("duration = \"1000s\"\n[nodes]\ncount = 2\n[output]\nsample_interval = \"1ms\"\n");
    let series = estimate(&s)
        .parts
        .into_iter()
        .find(|p| p.0 == "time series")
        .unwrap();
    assert_eq!(series.1, 1_000_001 * 120);
    let per_node = |s: &scuttlesim::scenario::Scenario| {
        estimate(s)
            .parts
            .into_iter()
            .find(|p| p.0 == "per-node time series")
            .map(|p| p.1)
    };
    assert_eq!(per_node(&s), None);
    let mut on = s.clone();
    on.output.bandwidth_nodes_time = Some(true);
    assert_eq!(per_node(&on), Some(2 * 1_000_001 * 3 * 32));
    // 100,000 cells exactly is kept by default, one more bucket is not.
    let edge =
        |nodes: u32, secs: u32| scenario(&format!("duration = \"{secs}s\"\n[nodes]\ncount = {nodes}\n"));
    assert_eq!(per_node(&edge(1000, 99)), Some(1000 * 100 * 3 * 32));
    assert_eq!(per_node(&edge(1000, 100)), None);
    let mut off = edge(2, 10);
    assert!(per_node(&off).is_some());
    off.output.bandwidth_nodes_time = Some(false);
    assert_eq!(per_node(&off), None);
    // Parallel runs multiply.
    let small = scenario("duration = \"10s\"\n[nodes]\ncount = 2\n");
    let one = estimate(&small).total_bytes();
    let tight = Limit {
        bytes: Some(one * 3),
        source: "t".into(),
    };
    assert!(check(&small, 3, &tight).is_ok());
    let e = check(&small, 4, &tight).unwrap_err();
    assert!(e.contains("× 4 runs at once"), "{e}");
}

#[test]
fn run_sweep_and_explore_refuse_over_the_limit_and_write_nothing() {
    let dir = temp_dir("limits-cli");
    let q = shipped("quickstart.toml");
    let o = scuttlesim(
        &["run", s(&q), "--set", "nodes.count=10000000", "--out", "out"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("quickstart.toml with --set nodes.count=10000000: the run would need about"),
        "{e}"
    );
    assert!(
        e.contains("80% of this machine's") || e.contains("the default"),
        "{e}"
    );
    assert!(!dir.join("out").exists(), "nothing is written");

    let o = scuttlesim(&["run", s(&q), "--max-memory", "1MiB", "--out", "out"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("more than the limit of 1.0 MiB (--max-memory 1MiB)"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("out").exists());
    let o = scuttlesim(&["run", s(&q), "--max-memory", "lots"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid size"), "{}", stderr(&o));
    let o = scuttlesim(
        &[
            "run",
            s(&q),
            "--max-memory",
            "none",
            "--trace",
            "off",
            "--out",
            "out",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let f = shipped("flaky-convergence.toml");
    let o = scuttlesim(
        &[
            "explore",
            s(&f),
            "--seeds",
            "0..4",
            "--max-memory",
            "40MiB",
            "--jobs",
            "2",
            "--out",
            "ex",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("× 2 runs at once"), "{}", stderr(&o));
    assert!(!dir.join("ex").exists());
    // More jobs than seeds: no more runs at once than seeds (once refused
    // as 10,000 runs at once).
    for cmd in ["explore", "soak"] {
        let o = scuttlesim(
            &[cmd, s(&f), "--seeds", "0..2", "--jobs", "10000", "--quiet"],
            &dir,
        );
        assert!(!stderr(&o).contains("runs at once"), "{cmd}: {}", stderr(&o));
        assert!(matches!(o.status.code(), Some(0 | 1)), "{cmd}: {}", stderr(&o));
    }

    std::fs::write(
        dir.join("big-sweep.toml"),
        format!(
            "base = {:?}\nseeds = 2\n[grid]\n\"nodes.count\" = [64, 3000000]\n",
            s(&q)
        ),
    )
    .unwrap();
    let o = scuttlesim(
        &["sweep", "big-sweep.toml", "--out", "sw", "--max-memory", "8GiB"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("grid point nodes.count=3000000: the run would need about"),
        "{e}"
    );
    assert!(!dir.join("sw").exists());
}

/// `check` refuses what `run` refuses for its memory, with the same
/// message and the same `--max-memory` option.
#[test]
fn check_refuses_over_the_limit_as_run_does() {
    let dir = temp_dir("limits-check");
    let q = shipped("quickstart.toml");
    let set = ["--set", "nodes.count=1000000"];
    let run = scuttlesim(&[&["run", s(&q), "--out", "out"][..], &set].concat(), &dir);
    let check = scuttlesim(&[&["check", s(&q)][..], &set].concat(), &dir);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert_eq!(check.status.code(), Some(2), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("the run would need about"),
        "{}",
        stderr(&check)
    );
    assert_eq!(stderr(&check), stderr(&run));
    assert!(
        stdout(&check).is_empty(),
        "nothing printed as resolved: {}",
        stdout(&check)
    );
    let o = scuttlesim(&["check", s(&q), "--max-memory", "1MiB"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("more than the limit of 1.0 MiB (--max-memory 1MiB)"),
        "{}",
        stderr(&o)
    );
    let o = scuttlesim(
        &[
            "check",
            s(&q),
            "--max-memory",
            "none",
            "--set",
            "nodes.count=1000000",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!dir.join("out").exists());
}

#[test]
fn an_output_directory_that_cannot_be_made_is_a_clear_error() {
    let dir = temp_dir("limits-out");
    std::fs::write(dir.join("a-file"), "x").unwrap();
    let q = shipped("quickstart.toml");
    let o = scuttlesim(&["run", s(&q), "--out", "a-file/out"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert_eq!(
        e.trim(),
        "error: --out a-file/out: cannot be a directory: a-file is a file"
    );
    assert!(!e.contains("panicked"), "{e}");
    // The run's own directory already there as a file is named as such.
    std::fs::create_dir_all(dir.join("o/quickstart")).unwrap();
    std::fs::write(dir.join("o/quickstart/42"), "x").unwrap();
    let o = scuttlesim(&["run", s(&q), "--out", "o"], &dir);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("quickstart/42: cannot create this directory")
            && stderr(&o).contains("; it is a file"),
        "{}",
        stderr(&o)
    );
    // A directory where no directory can be made says where the path stops.
    if Path::new("/proc/self").is_dir() {
        let o = scuttlesim(&["run", s(&q), "--out", "/proc/no-such-dir"], &dir);
        assert_ne!(o.status.code(), Some(0));
        let e = stderr(&o);
        assert!(
            e.contains("cannot create this directory")
                && e.contains("/proc exists, but \"no-such-dir\" cannot be made in it"),
            "{e}"
        );
    }
}

/// A full disk, simulated without privileges: the temporary file a run
/// writes through is a link to `/dev/full`, whose writes fail with ENOSPC.
#[test]
fn a_full_disk_leaves_no_manifest_and_no_partial_files() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full");
        return;
    }
    let q = shipped("quickstart.toml");
    for (trace, victim) in [("versions", "trace.jsonl.tmp"), ("off", "summary.json.tmp")] {
        let dir = temp_dir(&format!("limits-full-{trace}"));
        let run = dir.join("out/quickstart/42");
        std::fs::create_dir_all(&run).unwrap();
        std::os::unix::fs::symlink("/dev/full", run.join(victim)).unwrap();
        let o = scuttlesim(&["run", s(&q), "--out", "out", "--trace", trace], &dir);
        assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
        let e = stderr(&o);
        assert!(e.contains("No space left on device"), "{e}");
        assert_eq!(e.matches("os error").count(), 1, "the OS error once: {e}");
        let mut left: Vec<String> = std::fs::read_dir(&run)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert!(
            !left.iter().any(|f| f == "manifest.json" || f.ends_with(".tmp")),
            "{trace}: left {left:?}"
        );
    }
}

#[test]
fn directories_and_huge_files_are_not_scenarios() {
    let dir = temp_dir("limits-dirs");
    std::fs::create_dir_all(dir.join("looks-like.toml")).unwrap();
    for cmd in ["run", "check", "sweep"] {
        let o = scuttlesim(&[cmd, "looks-like.toml"], &dir);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(
            stderr(&o).contains("looks-like.toml: is a directory"),
            "{cmd}: {}",
            stderr(&o)
        );
    }
    let o = scuttlesim(&["run", "."], &dir);
    assert_eq!(o.status.code(), Some(2));
    // A file past the size limit is refused without reading it whole.
    let big = std::fs::File::create(dir.join("big.toml")).unwrap();
    big.set_len(scuttlesim::scenario::MAX_FILE_BYTES + 1).unwrap();
    let o = scuttlesim(&["check", "big.toml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("big.toml: larger than 64 MiB"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2, "nothing written");
}

#[test]
fn sweep_names_and_grid_keys_cannot_reach_outside_the_output_directory() {
    let dir = temp_dir("limits-sweep-names");
    let q = shipped("quickstart.toml");
    for (name_line, grid, wants) in [
        (
            "name = \"../evil\"\n",
            "\"gossip.fanout\" = [1]",
            "cannot name an output directory",
        ),
        (
            "name = \"/abs\"\n",
            "\"gossip.fanout\" = [1]",
            "cannot name an output directory",
        ),
        ("", "\"../../x\" = [1]", "empty field path segment"),
        ("", "\"gossip.fan/out\" = [1]", "grid keys are field paths"),
        ("", "\"nodes.groups.a/b\" = [64]", "grid keys are field paths"),
        ("", "\"faults[0].at\" = [\"2s\"]", "a grid key cannot name one"),
        (
            &format!("name = \"{}\"\n", "n".repeat(256)),
            "\"gossip.fanout\" = [1]",
            "at most 255 bytes",
        ),
    ] {
        let text = format!("{name_line}base = {:?}\nseeds = 1\n[grid]\n{grid}\n", s(&q));
        std::fs::write(dir.join("s.toml"), &text).unwrap();
        let o = scuttlesim(&["sweep", "s.toml", "--out", "out"], &dir);
        assert_eq!(o.status.code(), Some(2), "{text}");
        assert!(stderr(&o).contains(wants), "{text}: {}", stderr(&o));
        assert!(!dir.join("out").exists());
    }
    // Values are sanitised into directory names: `/` and `..` cannot escape.
    let text = format!(
        "base = {:?}\nseeds = 1\n[grid]\n\"gossip.interval\" = [\"1s\", \"../1s\"]\n",
        s(&q)
    );
    std::fs::write(dir.join("s.toml"), &text).unwrap();
    let o = scuttlesim(&["sweep", "s.toml", "--out", "out"], &dir);
    assert_eq!(o.status.code(), Some(2), "a bad duration is still rejected");
}

/// A manifest names its trace file; it is read from beside the manifest
/// only, so an edited manifest cannot point `replay` or `trace` elsewhere.
#[test]
fn a_manifest_cannot_point_outside_its_run_directory() {
    let dir = temp_dir("limits-manifest");
    let q = shipped("quickstart.toml");
    let o = scuttlesim(&["run", s(&q), "--out", "out", "--set", "duration=5s"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let m = dir.join("out/quickstart/42/manifest.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&m).unwrap()).unwrap();
    v["trace_file"] = serde_json::json!("../../../a-secret.jsonl");
    std::fs::write(&m, serde_json::to_vec(&v).unwrap()).unwrap();
    for args in [vec!["replay", s(&m)], vec!["trace", s(&m)]] {
        let o = scuttlesim(&args, &dir);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o)
                .contains("trace_file \"../../../a-secret.jsonl\" must be a file name in the run directory"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}
