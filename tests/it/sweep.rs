//! Sweeps: canonical order, determinism across thread counts, shards and
//! merge, confidence intervals checked by hand, validation before any run,
//! resume.

use crate::support::temp_dir;
use scuttlesim::scenario::TraceLevel;
use scuttlesim::sweep::{self, stats};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A small lossy cluster: 24 nodes, writes for 4 s, stops once converged.
const BASE: &str = r#"
name = "small"
duration = "30s"
stop_when_converged = true
[nodes]
count = 24
[gossip]
interval = "1s"
[workload]
writes = { process = "poisson", mean_interval = "2s" }
stop_at = "4s"
[network]
latency = { dist = "uniform", low = "5ms", high = "20ms" }
loss = 0.05
"#;

/// 3 fan-outs x 2 latencies... kept small: 3 points x 4 seeds = 12 runs.
const SWEEP: &str = r#"
name = "tiny"
base = "base.toml"
seeds = 4
[grid]
"gossip.fanout" = [1, 2, 3]
"#;

fn scuttlesim(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scuttlesim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("binary runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A temp dir with `base.toml` and `sweep.toml`.
fn setup(tag: &str, sweep: &str) -> PathBuf {
    let dir = temp_dir(tag);
    std::fs::write(dir.join("base.toml"), BASE).unwrap();
    std::fs::write(dir.join("sweep.toml"), sweep).unwrap();
    dir
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// Data rows of a CSV (provenance `#` lines and the header dropped), split on commas.
fn rows(csv: &[u8]) -> Vec<Vec<String>> {
    String::from_utf8(csv.to_vec())
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn header(csv: &[u8]) -> Vec<String> {
    String::from_utf8(csv.to_vec())
        .unwrap()
        .lines()
        .find(|l| !l.starts_with('#'))
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect()
}

#[test]
fn runs_are_in_canonical_order() {
    // Keys sorted (gossip.fanout before network.loss), the first key varying
    // slowest, values in file order (not sorted), then seeds ascending.
    let dir = setup(
        "order",
        r#"
base = "base.toml"
seeds = { from = 7, to = 8 }
[grid]
"network.loss" = [0.05, 0.0]
"gossip.fanout" = [2, 1]
"#,
    );
    let sw = sweep::load(&dir.join("sweep.toml"), TraceLevel::Off).unwrap();
    let plan = &sw.plan;
    assert_eq!(plan.name, "sweep", "default name: the file stem");
    assert_eq!(plan.fields, ["gossip.fanout", "network.loss"]);
    let slugs: Vec<&str> = plan.points.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "gossip.fanout=2+network.loss=0.05",
            "gossip.fanout=2+network.loss=0.0",
            "gossip.fanout=1+network.loss=0.05",
            "gossip.fanout=1+network.loss=0.0",
        ]
    );
    let runs: Vec<(usize, u64)> = plan.runs.iter().map(|r| (r.point, r.seed)).collect();
    assert_eq!(
        runs,
        [(0, 7), (0, 8), (1, 7), (1, 8), (2, 7), (2, 8), (3, 7), (3, 8)]
    );
    let s = sw.run_scenario(5);
    assert_eq!((s.gossip.fanout, s.network.loss, s.seed), (1, 0.05, 8));
    assert_eq!(s.name, "sweep");
    assert_eq!(s.output.trace, TraceLevel::Off);
    assert_eq!(plan.runs[5].scenario_hash, s.hash());
}

#[test]
fn a_default_name_from_the_file_name_is_sanitised() {
    let dir = setup("stem-name", SWEEP.replace("name = \"tiny\"", "").as_str());
    std::fs::rename(dir.join("sweep.toml"), dir.join("my sweep.toml")).unwrap();
    let sw = sweep::load(&dir.join("my sweep.toml"), TraceLevel::Off).unwrap();
    assert_eq!(sw.plan.name, "my_sweep");
}

#[test]
fn inline_base_equals_base_file() {
    let dir = setup("inline", SWEEP);
    let inline = format!(
        "name = \"tiny\"\nseeds = 4\n[grid]\n\"gossip.fanout\" = [1, 2, 3]\n[base]\n{}",
        BASE.replace("\n[", "\n[base.").replace("name = \"small\"", "")
    );
    std::fs::write(dir.join("inline.toml"), inline).unwrap();
    let a = sweep::load(&dir.join("sweep.toml"), TraceLevel::Off).unwrap();
    let b = sweep::load(&dir.join("inline.toml"), TraceLevel::Off).unwrap();
    assert_eq!(a.plan, b.plan);
}

#[test]
fn jobs_1_and_jobs_2_write_identical_files() {
    let dir = setup("jobs", SWEEP);
    ok(&scuttlesim(
        &["sweep", "sweep.toml", "--jobs", "1", "--out", "j1"],
        &dir,
    ));
    ok(&scuttlesim(
        &["sweep", "sweep.toml", "--jobs", "2", "--out", "j2"],
        &dir,
    ));
    // More jobs than runs: no more threads than runs are started (100,000
    // threads would take minutes to start, or fail), and the files match.
    ok(&scuttlesim(
        &["sweep", "sweep.toml", "--jobs", "100000", "--out", "jmany"],
        &dir,
    ));
    let (a, b) = (dir.join("j1/tiny"), dir.join("j2/tiny"));
    let list = files(&a);
    assert_eq!(list, files(&b));
    assert_eq!(list, files(&dir.join("jmany/tiny")));
    // sweep.json, summary.csv, points.csv, 5 charts x 2 formats, and 12 runs
    // x 3 files + 7 metrics files (writes, learned, informed, bandwidth,
    // bandwidth_nodes, bandwidth_nodes_time — small runs —, lost_writes;
    // no per-run charts in a sweep).
    assert_eq!(list.len(), 3 + 10 + 12 * (3 + 7), "{list:?}");
    for f in &list {
        assert_eq!(read(&a.join(f)), read(&b.join(f)), "{} differs", f.display());
        assert_eq!(
            read(&a.join(f)),
            read(&dir.join("jmany/tiny").join(f)),
            "{} differs",
            f.display()
        );
    }
    let summary = read(&a.join("summary.csv"));
    let text = String::from_utf8_lossy(&summary);
    assert!(text.starts_with("# scuttlesim_version: "), "{text}");
    assert!(text.contains("\n# sweep: tiny\n# sweep_hash: "), "{text}");
    let rows = rows(&summary);
    assert_eq!(rows.len(), 12);
    // Row order: point (fanout 1, 2, 3), then seed 1..=4.
    let order: Vec<(&str, &str)> = rows.iter().map(|r| (r[1].as_str(), r[2].as_str())).collect();
    let want: Vec<(String, String)> = (1..=3)
        .flat_map(|f| (1..=4).map(move |s| (f.to_string(), s.to_string())))
        .collect();
    let want: Vec<(&str, &str)> = want.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(order, want);
    // Each row's figures are the run's own summary.json.
    let h = header(&summary);
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let run: serde_json::Value =
        serde_json::from_slice(&read(&a.join("gossip.fanout=2/3/summary.json"))).unwrap();
    let row = &rows[4 + 2];
    assert_eq!(row[col("trace_digest")], run["trace_digest"].as_str().unwrap());
    let p99 = run["convergence"]["p99_ns"].as_u64().unwrap();
    assert_eq!(
        row[col("conv_p99_s")],
        format!("{}.{:09}", p99 / 1_000_000_000, p99 % 1_000_000_000)
    );
    let all = run["messages"].as_array().unwrap().last().unwrap();
    assert_eq!(all["kind"], "all");
    assert_eq!(row[col("bytes_sent")], all["bytes_sent"].to_string());
    // No trace by default.
    assert!(!a.join("gossip.fanout=2/3/trace.jsonl").exists());
}

#[test]
fn confidence_interval_by_hand() {
    // Values 1, 2, 3, 4, 5: mean 3; squared deviations 4+1+0+1+4 = 10,
    // sd = sqrt(10/4) = 1.5811; t(0.975, 4) = 2.776 (printed table);
    // half-width 2.776 * 1.5811 / sqrt(5) = 1.963.
    let s = stats::describe(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    assert_eq!(s.mean, 3.0);
    assert!((s.sd.unwrap() - 1.5811).abs() < 1e-4);
    let (lo, hi) = s.ci95.unwrap();
    assert!((lo - (3.0 - 1.963)).abs() < 1e-3, "{lo}");
    assert!((hi - (3.0 + 1.963)).abs() < 1e-3, "{hi}");
    // Values 2, 4, 9 (df 2, t = 4.303): mean 5, deviations -3, -1, 4,
    // squares 9+1+16 = 26, sd = sqrt(13) = 3.6056, half-width
    // 4.303 * 3.6056 / sqrt(3) = 8.957.
    let s = stats::describe(&[2.0, 4.0, 9.0]).unwrap();
    assert!((s.sd.unwrap() - 3.6056).abs() < 1e-4);
    assert!((s.ci95.unwrap().1 - 5.0 - 8.957).abs() < 1e-3);

    // End to end: points.csv agrees with the same computation done here
    // from summary.csv's per-run cells, with t(0.975, 3) = 3.182 from a table.
    let dir = setup("ci", SWEEP);
    ok(&scuttlesim(&["sweep", "sweep.toml", "--out", "o"], &dir));
    let summary = read(&dir.join("o/tiny/summary.csv"));
    let points = read(&dir.join("o/tiny/points.csv"));
    let (sh, ph) = (header(&summary), header(&points));
    let (srows, prows) = (rows(&summary), rows(&points));
    assert_eq!(prows.len(), 3);
    for metric in [
        "conv_p99_s",
        "conv_mean_s",
        "bytes_per_node_per_s",
        "messages_sent",
    ] {
        let sc = sh.iter().position(|c| c == metric).unwrap();
        let pc = |suffix: &str| {
            ph.iter()
                .position(|c| *c == format!("{metric}_{suffix}"))
                .unwrap()
        };
        for (p, prow) in prows.iter().enumerate() {
            let x: Vec<f64> = srows[p * 4..p * 4 + 4]
                .iter()
                .map(|r| r[sc].parse().unwrap())
                .collect();
            let mean = x.iter().sum::<f64>() / 4.0;
            let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
            let half = 3.182 * sd / 2.0;
            let got = |s: &str| prow[pc(s)].parse::<f64>().unwrap();
            assert_eq!(prow[pc("n")], "4");
            // bytes_per_node_per_s cells are rounded to 0.001.
            let tol = if metric == "bytes_per_node_per_s" {
                1e-3
            } else {
                1e-6
            };
            assert!((got("mean") - mean).abs() <= tol, "{metric} mean");
            assert!((got("sd") - sd).abs() <= tol, "{metric} sd");
            // The table's t has three decimals: allow 0.0005 * sd / 2.
            let t_tol = tol + 0.0005 * sd / 2.0 + 1e-6;
            assert!((got("ci95_lo") - (mean - half)).abs() <= t_tol, "{metric} lo");
            assert!((got("ci95_hi") - (mean + half)).abs() <= t_tol, "{metric} hi");
        }
    }
    // `converged_frac` is `converged / writes` of each run, and its mean
    // over the point's seeds.
    let col = |h: &[String], name: &str| h.iter().position(|c| c == name).unwrap();
    let (w, c, f) = (
        col(&sh, "writes"),
        col(&sh, "converged"),
        col(&sh, "converged_frac"),
    );
    for r in &srows {
        let want = r[c].parse::<f64>().unwrap() / r[w].parse::<f64>().unwrap();
        assert!((r[f].parse::<f64>().unwrap() - want).abs() <= 1e-6, "{r:?}");
    }
    for (p, prow) in prows.iter().enumerate() {
        let mean = srows[p * 4..p * 4 + 4]
            .iter()
            .map(|r| r[c].parse::<f64>().unwrap() / r[w].parse::<f64>().unwrap())
            .sum::<f64>()
            / 4.0;
        let got: f64 = prow[col(&ph, "converged_frac_mean")].parse().unwrap();
        assert!((got - mean).abs() <= 1e-6, "point {p}");
    }
}

#[test]
fn shards_merge_into_the_unsharded_output() {
    let dir = setup("shards", SWEEP);
    ok(&scuttlesim(&["sweep", "sweep.toml", "--out", "all"], &dir));
    // Shards into one shared directory (a cluster file system) ...
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let out = ok(&scuttlesim(
            &["sweep", "sweep.toml", "--out", "shared", "--shard", &shard],
            &dir,
        ));
        assert!(out.contains("4 runs (shard"), "{out}");
    }
    assert!(
        !dir.join("shared/tiny/summary.csv").exists(),
        "a shard writes no summary"
    );
    ok(&scuttlesim(&["merge", "shared/tiny"], &dir));
    // ... and into separate directories (separate machines).
    for k in 1..=3 {
        let (shard, out) = (format!("{k}/3"), format!("m{k}"));
        ok(&scuttlesim(
            &["sweep", "sweep.toml", "--out", &out, "--shard", &shard, "-j", "1"],
            &dir,
        ));
    }
    ok(&scuttlesim(
        &["merge", "m3/tiny", "m1/tiny", "m2/tiny", "--out", "merged"],
        &dir,
    ));
    let charts = [
        "charts/tradeoff.svg",
        "charts/tradeoff.png",
        "charts/convergence.svg",
        "charts/conv_p99_s_vs_gossip.fanout.png",
    ];
    for f in ["summary.csv", "points.csv", "sweep.json"].iter().chain(&charts) {
        let want = read(&dir.join("all/tiny").join(f));
        assert_eq!(read(&dir.join("shared/tiny").join(f)), want, "{f}");
        assert_eq!(read(&dir.join("merged").join(f)), want, "{f}");
    }
    // `merge --out DIR` writes into DIR itself, not DIR/<sweep>/ as `sweep
    // --out` does: said in --help, and noted when DIR/<sweep>/ holds a sweep
    // (an output root given as if to `sweep`).
    let help = ok(&scuttlesim(&["merge", "--help"], &dir));
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("DIR itself, not DIR/<sweep>/ as `sweep --out` does")
            && help.contains("--out merged` writes merged/summary.csv"),
        "{help}"
    );
    let o = scuttlesim(&["merge", "m1/tiny", "m2/tiny", "m3/tiny", "--out", "m1"], &dir);
    ok(&o);
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim(),
        "note: merge --out writes into m1 itself, not into m1/tiny as sweep --out would"
    );
    assert_eq!(
        read(&dir.join("m1/summary.csv")),
        read(&dir.join("all/tiny/summary.csv"))
    );
    assert!(!dir.join("m1/tiny/summary.csv").exists());
    let o = scuttlesim(
        &["merge", "m1/tiny", "m2/tiny", "m3/tiny", "--out", "merged"],
        &dir,
    );
    assert!(
        ok(&o).contains("merged") && o.stderr.is_empty(),
        "no note without merged/tiny"
    );

    // A missing shard is an error, naming it.
    let out = scuttlesim(&["merge", "m1/tiny", "m3/tiny", "--out", "x"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("shard 2/3 missing"), "{err}");
    assert!(!dir.join("x/summary.csv").exists());
    // So is a duplicated one.
    let out = scuttlesim(&["merge", "m1/tiny", "m2/tiny", "m3/tiny", "shared/tiny"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("appears twice"), "{err}");
    // And a shard of another sweep (here: more seeds, and more loss).
    std::fs::write(dir.join("base2.toml"), BASE.replace("loss = 0.05", "loss = 0.1")).unwrap();
    let other = SWEEP
        .replace("seeds = 4", "seeds = 5")
        .replace("base.toml", "base2.toml");
    std::fs::write(dir.join("other.toml"), other).unwrap();
    ok(&scuttlesim(
        &["sweep", "other.toml", "--out", "o2", "--shard", "2/3"],
        &dir,
    ));
    let out = scuttlesim(&["merge", "m1/tiny", "o2/tiny", "m3/tiny"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("a different sweep"), "{err}");
    // A run directory replaced by another sweep's run is caught too.
    let run = "gossip.fanout=1/2";
    std::fs::remove_dir_all(dir.join("m2/tiny").join(run)).unwrap();
    copy_dir(&dir.join("o2/tiny").join(run), &dir.join("m2/tiny").join(run));
    let out = scuttlesim(&["merge", "m1/tiny", "m2/tiny", "m3/tiny", "--out", "y"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("a run of a different sweep"), "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            copy_dir(&p, &to.join(p.file_name().unwrap()));
        } else {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn a_bad_grid_value_is_rejected_before_any_run() {
    let dir = setup("bad-grid", &SWEEP.replace("[1, 2, 3]", "[1, 2, 300]"));
    let out = scuttlesim(&["sweep", "sweep.toml", "--out", "o"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    // The grid key is on line 6 of the sweep file.
    assert!(
        err.contains("sweep.toml:6:1: grid point gossip.fanout=300: field `gossip.fanout`: must be between 1 and nodes.count - 1 = 23; got 300"),
        "{err}"
    );
    assert!(!dir.join("o").exists(), "nothing may be written");

    // Other bad sweep files, each named with its line.
    for (text, want) in [
        (
            "base = \"base.toml\"\nseeds = 0\n",
            "sweep.toml:2:9: field `seeds`: must be at least 1 seed",
        ),
        (
            "base = \"base.toml\"\nseeds = 2\nfanout = 3\n",
            "sweep.toml:3:1: field `fanout`: unknown field",
        ),
        (
            "base = \"base.toml\"\nseeds = 2\n[grid]\n\"gossip.fanout\" = []\n",
            "sweep.toml:4:1: field `grid.gossip.fanout`: needs at least one value",
        ),
        (
            "base = \"base.toml\"\nseeds = 2\n[grid]\n\"seed\" = [1, 2]\n",
            "sweep.toml:4:1: field `grid.seed`: cannot be swept",
        ),
        (
            "base = \"base.toml\"\nseeds = 2\n[grid]\n\"output.staleness\" = [true, false]\n",
            "sweep.toml:4:1: field `grid.output.staleness`: cannot be swept: every run of a sweep writes the same \
             outputs: set `[output]` in the base scenario",
        ),
        (
            "base = \"missing.toml\"\nseeds = 2\n",
            "sweep.toml:1:1: field `base`: missing.toml does not exist",
        ),
        (
            "seeds = 2\n[base]\nduration = \"5s\"\n[base.nodes]\ncount = 1\n",
            "sweep.toml:5:1: field `base.nodes.count`: must be at least 2",
        ),
        // serde's names for types do not leak (`expected struct Gossip`, `expected u32`).
        (
            "base = \"base.toml\"\nseeds = 2\n[grid]\n\"gossip\" = [3]\n",
            "field `gossip`: invalid type: integer `3`, expected a table ([gossip]); \
             sweep one of its fields instead, grid key \"gossip.FIELD\", with FIELD one of `protocol`,",
        ),
        (
            "base = \"base.toml\"\nseeds = 2\n[grid]\n\"gossip.fanout\" = [\"x\"]\n",
            "field `gossip.fanout`: invalid type: string \"x\", expected a whole number\n",
        ),
        // Two literals beyond TOML's integers: the first is named.
        (
            "base = \"base.toml\"\nseeds = { from = 18446744073709551610, to = 18446744073709551615 }\n",
            "sweep.toml:2:18: field `seeds.from`: 18446744073709551610 is too large: a TOML integer is at most 9223372036854775807",
        ),
        // One field swept twice would run one value under the other's label.
        (
            "base = \"base.toml\"\nseeds = 2\n[grid]\n\"gossip.fanout\" = [1, 2]\n[grid.gossip]\nfanout = [3]\n",
            "sweep.toml:4:1: field `grid.gossip.fanout`: `gossip.fanout` is swept twice",
        ),
        (
            "base = \"base.toml\"\nseeds = 2\n[grid]\n\"gossip\" = [{ fanout = 2 }]\n\"gossip.fanout\" = [3, 4]\n",
            "sweep.toml:5:1: field `grid.gossip.fanout`: `gossip.fanout` is inside `gossip`, which is swept as a whole",
        ),
        (
            "base = \"base.toml\"\nseeds = 2\n[grid]\n\"gossip.fanout\" = [1]\n[grid.network]\n",
            "field `grid.network`: is an empty table, which sweeps nothing",
        ),
        (
            "base = \"base.toml\"\nseeds = 2\n[grid]\n\"gossip.interval\" = [\"1s\", \"1000ms\"]\n",
            "grid points gossip.interval=1s and gossip.interval=1000ms are the same scenario",
        ),
    ] {
        std::fs::write(dir.join("sweep.toml"), text).unwrap();
        let out = scuttlesim(&["sweep", "sweep.toml", "--out", "o"], &dir);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "expected {want:?} in: {err}");
        assert!(!dir.join("o").exists());
    }
}

/// Runs that fail a check: the sweep writes everything, counts the failed
/// checks per run in `summary.csv` (as each run's manifest has them), says
/// which points failed and exits 1, as `run` does; `--resume` keeps those
/// runs (they are complete), and a passing check is counted 0.
#[test]
fn failed_checks_are_reported_and_resumed() {
    let dir = setup("checks", &SWEEP.replace("seeds = 4", "seeds = 2"));
    let base = format!(
        "{BASE}[[checks]]\nmax_bytes_per_node_per_s = 1\n[[checks]]\nmax_bytes_per_node_per_s = 1000000000\n"
    );
    std::fs::write(dir.join("base.toml"), base).unwrap();
    let out = scuttlesim(&["sweep", "sweep.toml", "--out", "o"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("checks FAILED in 6 of 6 runs: gossip.fanout=1 (2 of 2), gossip.fanout=2 (2 of 2), gossip.fanout=3 (2 of 2)"),
        "{text}"
    );
    let sweep_dir = dir.join("o/tiny");
    let summary = read(&sweep_dir.join("summary.csv"));
    let h = header(&summary);
    let col = h.iter().position(|c| c == "checks_failed").unwrap();
    for row in rows(&summary) {
        let m: serde_json::Value = serde_json::from_slice(&read(
            &sweep_dir.join(format!("gossip.fanout={}/{}/manifest.json", row[1], row[2])),
        ))
        .unwrap();
        let failed = m["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["passed"] == false)
            .count();
        assert_eq!((m["status"].as_str(), failed), (Some("check-failed"), 1));
        assert_eq!(row[col], failed.to_string());
    }
    let out = scuttlesim(&["sweep", "sweep.toml", "--out", "o", "--resume"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 ran, 6 resumed"));
    assert_eq!(read(&sweep_dir.join("summary.csv")), summary);
    // A shard says so too (its 3 runs), and exits 1.
    let out = scuttlesim(&["sweep", "sweep.toml", "--out", "s", "--shard", "1/2"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("checks FAILED in 3 of this shard's 3 runs"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn resume_reruns_only_missing_runs() {
    let dir = setup("resume", SWEEP);
    ok(&scuttlesim(&["sweep", "sweep.toml", "--out", "o"], &dir));
    let sweep_dir = dir.join("o/tiny");
    let before: Vec<(PathBuf, Vec<u8>)> = files(&sweep_dir)
        .into_iter()
        .map(|f| (f.clone(), read(&sweep_dir.join(&f))))
        .collect();
    let kept = sweep_dir.join("gossip.fanout=1/1/manifest.json");
    let kept_time = std::fs::metadata(&kept).unwrap().modified().unwrap();
    std::fs::remove_dir_all(sweep_dir.join("gossip.fanout=3/2")).unwrap();
    // An interrupted run: no manifest yet.
    std::fs::remove_file(sweep_dir.join("gossip.fanout=2/4/manifest.json")).unwrap();
    let out = ok(&scuttlesim(
        &["sweep", "sweep.toml", "--out", "o", "--resume"],
        &dir,
    ));
    assert!(out.contains("2 ran, 10 resumed"), "{out}");
    for (f, bytes) in &before {
        assert_eq!(&read(&sweep_dir.join(f)), bytes, "{} differs", f.display());
    }
    assert_eq!(std::fs::metadata(&kept).unwrap().modified().unwrap(), kept_time);
    // A run whose manifest predates the digest encoding (no digest_format)
    // is run again, not mixed into the summaries with an old digest.
    let old = sweep_dir.join("gossip.fanout=2/3/manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&read(&old)).unwrap();
    m.as_object_mut().unwrap().remove("digest_format");
    m["trace_digest"] = serde_json::json!("0".repeat(64));
    std::fs::write(&old, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let out = ok(&scuttlesim(
        &["sweep", "sweep.toml", "--out", "o", "--resume"],
        &dir,
    ));
    assert!(out.contains("1 ran, 11 resumed"), "{out}");
    assert!(!String::from_utf8(read(&sweep_dir.join("summary.csv")))
        .unwrap()
        .contains(&"0".repeat(64)));
    for (f, bytes) in &before {
        assert_eq!(&read(&sweep_dir.join(f)), bytes, "{} differs", f.display());
    }
    // A different --trace is a different scenario: nothing is resumed.
    let out = ok(&scuttlesim(
        &[
            "sweep",
            "sweep.toml",
            "--out",
            "o",
            "--resume",
            "--trace",
            "versions",
        ],
        &dir,
    ));
    assert!(out.contains("12 ran, 0 resumed"), "{out}");
    assert!(sweep_dir.join("gossip.fanout=3/2/trace.jsonl").exists());
}

#[test]
fn charts_show_every_point() {
    let dir = setup(
        "charts",
        &SWEEP.replace("seeds = 4", "seeds = 2").replace(
            "\"gossip.fanout\" = [1, 2, 3]",
            "\"gossip.fanout\" = [1, 3]\n\"gossip.interval\" = [\"500ms\", \"1s\", \"2s\"]",
        ),
    );
    ok(&scuttlesim(&["sweep", "sweep.toml", "--out", "o", "-q"], &dir));
    // `chart` takes a run, not a sweep: it says where to look instead.
    let out = scuttlesim(&["chart", "o/tiny"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("this is a sweep directory") && err.contains("<point>/<seed>"),
        "{err}"
    );
    // A run of the sweep has no full trace (the sweep's default level is
    // off): the space-time error says to rerun the sweep with one, not
    // `run --trace full` as for a run of its own.
    let out = scuttlesim(
        &[
            "chart",
            "o/tiny/gossip.fanout=1+gossip.interval=1s/1",
            "--only",
            "spacetime",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`sweep --trace full`"), "{err}");
    let charts = dir.join("o/tiny/charts");
    let svg = |name: &str| String::from_utf8(read(&charts.join(name))).unwrap();
    // Trade-off: one labelled point per setting.
    let t = svg("tradeoff.svg");
    assert!(t.starts_with("<svg") || t.starts_with("<?xml"), "{}", &t[..50]);
    assert!(t.contains("tiny: convergence vs bandwidth"));
    for label in ["fanout=1, interval=500ms", "fanout=3, interval=1s"] {
        assert!(t.contains(label), "{label} missing from the trade-off chart");
    }
    assert!(t.contains("95% CI over 2 seeds"));
    // CDFs: one legend entry per point.
    let c = svg("convergence.svg");
    assert!(c.contains("fanout=3, interval=500ms"));
    // Metric vs the numeric field with the most values (interval: 3, in
    // seconds), one line per fan-out.
    assert!(!charts.join("conv_p99_s_vs_gossip.fanout.svg").exists());
    let m = svg("conv_p99_s_vs_gossip.interval.svg");
    assert!(m.contains("fanout=1") && m.contains("fanout=3"));
    assert!(m.contains("gossip.interval (s)"));
    // PNGs are PNGs.
    assert_eq!(&read(&charts.join("tradeoff.png"))[..8], b"\x89PNG\r\n\x1a\n");
}

/// With `output.staleness`, every run writes its samples
/// (`metrics/staleness.csv`, exact integers) and the sweep, per point and
/// sample time, the mean and
/// sd over seeds (`staleness.csv`) and a chart with one line per point; a
/// sharded sweep merges into the same bytes. Runs stop when converged, at
/// different times; a stopped run counts as nothing stale at the later
/// sample times of the others (`stopped` says how many did).
#[test]
fn staleness_series_per_point() {
    let dir = setup(
        "staleness",
        &SWEEP
            .replace("seeds = 4", "seeds = 2")
            .replace("[1, 2, 3]", "[1, 3]"),
    );
    let base = format!("{BASE}[output]\nstaleness = true\nsample_interval = \"1s\"\n");
    std::fs::write(dir.join("base.toml"), base).unwrap();
    ok(&scuttlesim(&["sweep", "sweep.toml", "--out", "all", "-q"], &dir));
    let sweep_dir = dir.join("all/tiny");
    // Per run: provenance, a header, then t_ns,stale,max_ns,mean_ns every
    // second, the mean empty (undefined) exactly when nothing is stale.
    let run = |point: &str, seed: u32| -> Vec<([u64; 3], Option<u64>)> {
        let path = sweep_dir
            .join(point)
            .join(seed.to_string())
            .join("metrics/staleness.csv");
        let text = String::from_utf8(read(&path)).unwrap();
        let mut lines = text.lines().filter(|l| !l.starts_with('#'));
        assert_eq!(lines.next(), Some("t_ns,stale,max_ns,mean_ns"));
        lines
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                let [t, stale, max, mean] = f[..] else {
                    panic!("{l}")
                };
                assert_eq!(mean.is_empty(), stale == "0", "{l}");
                ([t, stale, max].map(|c| c.parse().unwrap()), mean.parse().ok())
            })
            .collect()
    };
    let (a, b) = (run("gossip.fanout=1", 1), run("gossip.fanout=1", 2));
    assert_eq!(a[0].0[0], 1_000_000_000);
    // Per point: the mean of the two seeds' samples at 1 s, by hand.
    let csv = read(&sweep_dir.join("staleness.csv"));
    assert_eq!(
        header(&csv),
        [
            "point",
            "gossip.fanout",
            "t_s",
            "runs",
            "stopped",
            "max_s_mean",
            "max_s_sd",
            "stale_mean",
            "stale_sd",
            "mean_s_mean"
        ]
    );
    let rows = rows(&csv);
    let first = &rows[0];
    assert_eq!(&first[..5], ["gossip.fanout=1", "1", "1.000000000", "2", "0"]);
    let stale_mean: f64 = first[7].parse().unwrap();
    assert!(
        (stale_mean - (a[0].0[1] + b[0].0[1]) as f64 / 2.0).abs() < 1e-6,
        "{first:?}"
    );
    let max_mean: f64 = first[5].parse().unwrap();
    assert!(
        (max_mean - (a[0].0[2] + b[0].0[2]) as f64 / 2e9).abs() < 1e-6,
        "{first:?}"
    );
    // Rows per point: one per sample time any seed took, then (both seeds
    // stopped converged) one when the last of them stopped.
    let longest = a.len().max(b.len());
    let point: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "gossip.fanout=1").collect();
    assert_eq!(point.len(), longest + 1);
    assert_eq!(&point[longest][3..5], ["2", "2"]);
    let point = &point[..longest];
    // The mean staleness: the mean over the seeds where it is defined,
    // empty where it is in none.
    for (i, row) in point.iter().enumerate() {
        let means: Vec<u64> = [a.get(i), b.get(i)]
            .into_iter()
            .flatten()
            .filter_map(|s| s.1)
            .collect();
        let expect = match means.len() {
            0 => String::new(),
            n => format!("{:.6}", means.iter().sum::<u64>() as f64 / n as f64 / 1e9),
        };
        assert_eq!(row[9], expect, "{row:?}");
    }
    // Every row stands for both seeds; at the last sample, those that had
    // stopped by then are counted as nothing stale.
    let last = point[longest - 1];
    let stopped = [&a, &b].iter().filter(|r| r.len() < longest).count();
    assert_eq!(&last[3..5], ["2".to_string(), stopped.to_string()]);
    // The chart: both points, both panels.
    let svg = String::from_utf8(read(&sweep_dir.join("charts/staleness.svg"))).unwrap();
    for text in ["fanout=1", "fanout=3", "max staleness (s)", "stale mappings"] {
        assert!(svg.contains(text), "{text}");
    }
    // Shards merge into the same files.
    for k in 1..=2 {
        let shard = format!("{k}/2");
        ok(&scuttlesim(
            &["sweep", "sweep.toml", "--out", "shared", "--shard", &shard, "-q"],
            &dir,
        ));
    }
    ok(&scuttlesim(&["merge", "shared/tiny"], &dir));
    for f in ["staleness.csv", "charts/staleness.svg", "charts/staleness.png"] {
        assert_eq!(
            read(&dir.join("shared/tiny").join(f)),
            read(&sweep_dir.join(f)),
            "{f}"
        );
    }
}

/// A whole number too large for TOML in a sweep file names its field and
/// the limit (it used to say only "number too large to fit in target type",
/// at a line and column).
#[test]
fn a_too_large_number_in_a_sweep_names_its_field() {
    let text = SWEEP.replace("seeds = 4", "seeds = 99999999999999999999");
    let dir = setup("sweep-too-large", &text);
    let e = sweep::parse_str(
        &text,
        scuttlesim::scenario::Format::Toml,
        &dir.join("sweep.toml"),
        TraceLevel::Off,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("field `seeds`"), "{e}");
    assert!(e.contains("at most 9223372036854775807"), "{e}");
}

/// A run without a write has no time "after the last write": its
/// `conv_after_last_write_s` is empty in `summary.csv` (as other undefined
/// values are) and `null` in `summary.json`, where it used to be 0.
#[test]
fn no_write_leaves_time_after_last_write_empty() {
    let dir = setup(
        "sweep-no-writes",
        &SWEEP
            .replace("seeds = 4", "seeds = 2")
            .replace("[1, 2, 3]", "[1, 2]"),
    );
    let base = BASE.replace(
        "writes = { process = \"poisson\", mean_interval = \"2s\" }\nstop_at = \"4s\"\n",
        "",
    );
    assert!(!base.contains("poisson"));
    std::fs::write(dir.join("base.toml"), base).unwrap();
    ok(&scuttlesim(&["sweep", "sweep.toml", "--out", "o", "-q"], &dir));
    let csv = read(&dir.join("o/tiny/summary.csv"));
    let col = |name: &str| header(&csv).iter().position(|h| h == name).unwrap();
    let runs = rows(&csv);
    assert_eq!(runs.len(), 4);
    for r in &runs {
        assert_eq!(r[col("writes")], "0", "{r:?}");
        assert_eq!(r[col("conv_after_last_write_s")], "", "{r:?}");
    }
    let points = read(&dir.join("o/tiny/points.csv"));
    let n = header(&points)
        .iter()
        .position(|h| h == "conv_after_last_write_s_n")
        .unwrap();
    assert!(rows(&points).iter().all(|r| r[n] == "0"));
    let summary = String::from_utf8(read(&dir.join("o/tiny/gossip.fanout=1/1/summary.json"))).unwrap();
    assert!(
        summary.contains("\"converged_after_last_write_ns\": null"),
        "{summary}"
    );
}

/// A partition from 1 s healed at 3 s while the nodes write: each run's
/// `conv_after_recovery_s` is, from its `writes.csv`, the latest time a
/// write made before the heal reached every node, less 3 s; a sweep with
/// faults also draws it against the swept field (one without does not).
#[test]
fn recovery_after_the_heal_per_run_and_charted() {
    let dir = setup("sweep-recovery", &SWEEP.replace("seeds = 4", "seeds = 2"));
    let side = |r: std::ops::Range<u32>| r.map(|n| n.to_string()).collect::<Vec<_>>().join(", ");
    let base = format!(
        "{BASE}[[faults]]\nat = \"1s\"\npartition = [[{}], [{}]]\n[[faults]]\nat = \"3s\"\nheal = true\n",
        side(0..12),
        side(12..24)
    );
    std::fs::write(dir.join("base.toml"), base).unwrap();
    ok(&scuttlesim(&["sweep", "sweep.toml", "--out", "o", "-q"], &dir));
    let csv = read(&dir.join("o/tiny/summary.csv"));
    let col = |name: &str| header(&csv).iter().position(|h| h == name).unwrap();
    let runs = rows(&csv);
    assert_eq!(runs.len(), 6);
    const HEAL: u64 = 3_000_000_000;
    for r in &runs {
        let run = dir.join(format!("o/tiny/{}/{}", r[col("point")], r[col("seed")]));
        let writes = read(&run.join("metrics/writes.csv"));
        let w = header(&writes);
        let (at, full) = (
            w.iter().position(|h| h == "write_ns").unwrap(),
            w.iter().position(|h| h == "t100_ns").unwrap(),
        );
        let last = rows(&writes)
            .iter()
            .map(|row| (row[at].parse::<u64>().unwrap(), row[full].parse::<u64>().unwrap()))
            .filter(|&(t, _)| t <= HEAL)
            .map(|(t, d)| t + d)
            .max()
            .unwrap();
        let expected = last.saturating_sub(HEAL);
        let cell = &r[col("conv_after_recovery_s")];
        assert_eq!(
            cell,
            &format!("{}.{:09}", expected / 1_000_000_000, expected % 1_000_000_000),
            "{run:?}"
        );
    }
    assert!(dir
        .join("o/tiny/charts/conv_after_recovery_s_vs_gossip.fanout.svg")
        .exists());
    // Without faults: no recovery, an empty column, no such chart.
    let dir = setup("sweep-no-recovery", &SWEEP.replace("seeds = 4", "seeds = 1"));
    ok(&scuttlesim(&["sweep", "sweep.toml", "--out", "o", "-q"], &dir));
    let csv = read(&dir.join("o/tiny/summary.csv"));
    let c = header(&csv)
        .iter()
        .position(|h| h == "conv_after_recovery_s")
        .unwrap();
    assert!(rows(&csv).iter().all(|r| r[c].is_empty()));
    assert!(!dir
        .join("o/tiny/charts/conv_after_recovery_s_vs_gossip.fanout.svg")
        .exists());
    assert!(dir.join("o/tiny/charts/conv_p99_s_vs_gossip.fanout.svg").exists());
}

/// A run that `stop_when_converged` ended had nothing stale from then on:
/// the sweep's staleness means count it so at the later sample times of
/// the other seeds, and equal those of the same sweep run to the end
/// without stopping (they used to average only the seeds still running, so
/// the lines did not return to 0).
#[test]
fn stopped_runs_count_as_nothing_stale() {
    let sweep = SWEEP
        .replace("seeds = 4", "seeds = 3")
        .replace("[1, 2, 3]", "[1, 2]");
    let dir = setup("staleness-stopped", &sweep);
    let base = format!("{BASE}[output]\nstaleness = true\nsample_interval = \"1s\"\n");
    std::fs::write(dir.join("base.toml"), &base).unwrap();
    std::fs::write(
        dir.join("on.toml"),
        base.replace("stop_when_converged = true", "stop_when_converged = false"),
    )
    .unwrap();
    std::fs::write(dir.join("on-sweep.toml"), sweep.replace("base.toml", "on.toml")).unwrap();
    ok(&scuttlesim(&["sweep", "sweep.toml", "--out", "stop", "-q"], &dir));
    ok(&scuttlesim(
        &["sweep", "on-sweep.toml", "--out", "on", "-q"],
        &dir,
    ));
    let csv = read(&dir.join("stop/tiny/staleness.csv"));
    let col = |name: &str| header(&csv).iter().position(|h| h == name).unwrap();
    let stopped_rows = rows(&csv);
    let on_rows = rows(&read(&dir.join("on/tiny/staleness.csv")));
    let mut counted = 0;
    for r in &stopped_rows {
        assert_eq!(r[col("runs")], "3", "{r:?}");
        let stopped: usize = r[col("stopped")].parse().unwrap();
        counted += stopped;
        if stopped == 3 {
            // The closing row, when the last seed stopped: nothing stale.
            for c in ["max_s_mean", "max_s_sd", "stale_mean", "stale_sd"] {
                assert_eq!(r[col(c)], "0.000000", "{c} at {r:?}");
            }
            assert_eq!(r[col("mean_s_mean")], "", "{r:?}");
            continue;
        }
        let on = on_rows
            .iter()
            .find(|o| o[0] == r[0] && o[col("t_s")] == r[col("t_s")])
            .unwrap_or_else(|| panic!("{r:?} not in the sweep run to the end"));
        assert_eq!(on[col("stopped")], "0");
        for c in ["max_s_mean", "max_s_sd", "stale_mean", "stale_sd", "mean_s_mean"] {
            assert_eq!(r[col(c)], on[col(c)], "{c} at {r:?}");
        }
    }
    assert!(
        counted > 3 * 2,
        "no seed stopped before another: the test shows nothing"
    );
    // Each point ends when its last seed stopped, with all three counted
    // as stopped.
    let summary = read(&dir.join("stop/tiny/summary.csv"));
    let end = header(&summary).iter().position(|h| h == "end_s").unwrap();
    for point in ["gossip.fanout=1", "gossip.fanout=2"] {
        let last = stopped_rows.iter().rfind(|r| r[0] == point).unwrap();
        let slowest = rows(&summary)
            .iter()
            .filter(|r| r[0] == point)
            .map(|r| r[end].clone())
            .max_by_key(|t| (t.len(), t.clone()))
            .unwrap();
        assert_eq!(last[col("t_s")], slowest, "{last:?}");
        assert_eq!(last[col("stopped")], "3", "{last:?}");
    }
}

/// The `_vs_` charts keep every grid point on the x axis: a point where no
/// write converged has no time to draw and is named in a note (it used to
/// be left out, the axis ending before it, with no word), and one where
/// only some did is named with the share. The bandwidth, defined either
/// way, is drawn at every point without a note.
#[test]
fn vs_charts_name_points_without_converged_writes() {
    let dir = setup(
        "sweep-vs-notes",
        &SWEEP.replace("seeds = 4", "seeds = 2").replace(
            "\"gossip.fanout\" = [1, 2, 3]",
            "\"network.loss\" = [0.0, 0.6, 0.9]",
        ),
    );
    ok(&scuttlesim(&["sweep", "sweep.toml", "--out", "o", "-q"], &dir));
    let points = read(&dir.join("o/tiny/points.csv"));
    let frac = header(&points)
        .iter()
        .position(|h| h == "converged_frac_mean")
        .unwrap();
    let fracs: Vec<f64> = rows(&points).iter().map(|r| r[frac].parse().unwrap()).collect();
    assert!(
        fracs[0] == 1.0 && fracs[1] > 0.0 && fracs[1] < 1.0 && fracs[2] == 0.0,
        "{fracs:?}"
    );
    let svg = |name: &str| String::from_utf8(read(&dir.join("o/tiny/charts").join(name))).unwrap();
    for metric in ["conv_p99_s", "conv_mean_s"] {
        let m = svg(&format!("{metric}_vs_network.loss.svg"));
        assert!(
            m.contains(">\nnot drawn, no write converged: loss=0.9\n<"),
            "{metric}"
        );
        assert!(
            m.contains("not all writes converged (times are of those that did): loss=0.6 ("),
            "{metric}"
        );
        // The axis reaches 0.9: it has a tick past 0.6.
        assert!(m.contains(">\n0.8\n<"), "{metric}");
    }
    let b = svg("bytes_per_node_per_s_vs_network.loss.svg");
    assert!(!b.contains("not drawn") && !b.contains("not all writes"));
    let t = svg("tradeoff.svg");
    assert!(t.contains(">\nnot drawn, no write converged: loss=0.9\n<"));
}

/// Chart labels read as settings: a table value as `mtu=5 deltas` or
/// `mtu=1400 B` (it was raw JSON, `mtu={"deltas":5}`), a grid field with
/// one value once in the footer (`all points: nodes.count=24`) instead of
/// in every label, and `nodes.count` not shortened to a bare `count`.
#[test]
fn chart_labels_are_readable_and_say_single_values_once() {
    let dir = setup(
        "sweep-labels",
        &SWEEP.replace("seeds = 4", "seeds = 1").replace(
            "\"gossip.fanout\" = [1, 2, 3]",
            "\"gossip.fanout\" = [1, 2]\n\"gossip.mtu\" = [{ deltas = 5 }, { bytes = 1400 }]\n\"nodes.count\" = [24]",
        ),
    );
    let base = format!("{BASE}[output]\nstaleness = true\nsample_interval = \"1s\"\n");
    std::fs::write(dir.join("base.toml"), base).unwrap();
    ok(&scuttlesim(&["sweep", "sweep.toml", "--out", "o", "-q"], &dir));
    let charts = dir.join("o/tiny/charts");
    let svg = |name: &str| String::from_utf8(read(&charts.join(name))).unwrap();
    let footer = "all points: nodes.count=24";
    for name in ["tradeoff.svg", "convergence.svg", "staleness.svg"] {
        let text = svg(name);
        for label in ["fanout=1, mtu=5 deltas", "fanout=2, mtu=1400 B"] {
            assert!(text.contains(&format!(">\n{label}")), "{name}: {label}");
        }
        assert!(text.contains(footer), "{name}");
        assert!(
            !text.contains("count=24,") && !text.contains("deltas&quot;"),
            "{name}"
        );
        assert!(
            !text.contains("{&quot;") && !text.contains("{\""),
            "{name}: raw JSON"
        );
    }
    // Against the fan-out, one line per MTU.
    let m = svg("conv_p99_s_vs_gossip.fanout.svg");
    assert!(m.contains(">\nmtu=5 deltas\n<") && m.contains(">\nmtu=1400 B\n<"));
    assert!(m.contains(footer));
}

/// `seeds = { from = 0, to = 2^64 - 1 }` in a JSON sweep: the seed count
/// (2^64) wrapped to 0, passed the per-point limit, and the sweep then
/// enumerated seeds forever, its memory growing. It is refused like any
/// other count over the limit. (The count is checked first: on the old code
/// it fails there rather than never returning.)
#[test]
fn every_seed_there_is_is_too_many_seeds() {
    let range = sweep::SeedRange {
        from: 0,
        to: u64::MAX,
    };
    assert_eq!(range.count(), u64::MAX);
    let dir = setup("sweep-all-seeds", SWEEP);
    let text = "{\"base\":\"base.toml\",\"seeds\":{\"from\":0,\"to\":18446744073709551615}}";
    let e = sweep::parse_str(
        text,
        scuttlesim::scenario::Format::Json,
        &dir.join("sweep.json"),
        TraceLevel::Off,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("field `seeds`: at most 1000000 seeds per point; got 18446744073709551616"),
        "{e}"
    );
}

/// Table values name their points readably: `gossip.mtu=deltas-50`,
/// `gossip.rumor=k-1,mode-coin` (they were `gossip.mtu=__deltas__50_`,
/// `gossip.rumor=__k__1__mode___coin__`), in the directories and in the
/// `point` column (quoted: it holds commas). A sweep directory holding the
/// old names is refused, not resumed beside them.
#[test]
fn table_values_name_points_readably() {
    let dir = setup(
        "sweep-table-names",
        &SWEEP.replace("seeds = 4", "seeds = 1").replace(
            "\"gossip.fanout\" = [1, 2, 3]",
            "\"gossip.mtu\" = [{ deltas = 50 }, { bytes = 1400 }]\n\"gossip.rumor\" = [{ k = 1, mode = \"coin\" }, { k = 2, mode = \"counter\" }]",
        ),
    );
    ok(&scuttlesim(&["sweep", "sweep.toml", "--out", "o", "-q"], &dir));
    let sweep_dir = dir.join("o/tiny");
    let expected = [
        "gossip.mtu=deltas-50+gossip.rumor=k-1,mode-coin",
        "gossip.mtu=deltas-50+gossip.rumor=k-2,mode-counter",
        "gossip.mtu=bytes-1400+gossip.rumor=k-1,mode-coin",
        "gossip.mtu=bytes-1400+gossip.rumor=k-2,mode-counter",
    ];
    let mut points: Vec<String> = std::fs::read_dir(&sweep_dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir() && e.file_name() != "charts")
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    points.sort();
    let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(points, want);
    for p in expected {
        assert!(sweep_dir.join(p).join("1/manifest.json").is_file(), "{p}");
    }
    let points_csv = String::from_utf8(read(&sweep_dir.join("points.csv"))).unwrap();
    let summary_csv = String::from_utf8(read(&sweep_dir.join("summary.csv"))).unwrap();
    for p in expected {
        assert!(points_csv.contains(&format!("\n\"{p}\",")), "{p}\n{points_csv}");
        assert!(summary_csv.contains(&format!("\n\"{p}\",")), "{p}\n{summary_csv}");
    }

    // The same sweep as an older scuttlesim wrote it: one point's directory
    // under its old name. Resuming would leave it beside the new one.
    let old = "gossip.mtu=__deltas__50_+gossip.rumor=__k__1__mode___coin__";
    std::fs::rename(sweep_dir.join(expected[0]), sweep_dir.join(old)).unwrap();
    let plan_path = sweep_dir.join("sweep.json");
    let plan = String::from_utf8(read(&plan_path)).unwrap();
    let slug = format!("\"slug\": \"{}\"", expected[0]);
    assert!(plan.contains(&slug), "{plan}");
    std::fs::write(&plan_path, plan.replace(&slug, &format!("\"slug\": \"{old}\""))).unwrap();
    let o = scuttlesim(&["sweep", "sweep.toml", "--out", "o", "-q", "--resume"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(old) && err.contains(expected[0]) && err.contains("older scuttlesim"),
        "{err}"
    );
    assert!(!sweep_dir.join(expected[0]).exists(), "nothing ran");
}
