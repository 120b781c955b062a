//! `scuttlesim bench`: the shared benchmark scenarios P0 and P1
//! (`shared/bench/SCENARIOS.md`, shipped as `scenarios/bench/*.toml` and
//! compiled into the binary), each run in a fresh child process so its peak
//! memory is its own; prints events/s, wall time and peak RSS.

use super::limits::MemoryOpts;
use anyhow::{bail, Context, Result};
use scuttlesim::scenario::{self, Format, TraceLevel};
use scuttlesim::sim::Simulation;
use scuttlesim::trace::NullSink;
use std::process::{Command, ExitCode};

const P0: &str = include_str!("../../scenarios/bench/p0.toml");
const P1: &str = include_str!("../../scenarios/bench/p1.toml");

/// Arguments of `bench`.
#[derive(Debug, clap::Args)]
pub(crate) struct BenchArgs {
    /// Node counts for P0 (engine throughput); `none` skips P0.
    #[arg(long, value_delimiter = ',', default_value = "1000,100000", value_parser = node_counts)]
    p0: Vec<Cases>,
    /// Node counts for P1 (Scuttlebutt push-pull); `none` skips P1.
    #[arg(long, value_delimiter = ',', default_value = "200,1000", value_parser = node_counts)]
    p1: Vec<Cases>,
    /// Runs per case (the median is reported).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Seed of every run.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = super::seed_arg)]
    seed: u64,
    /// Internal: run one case in this process and print one JSON line.
    #[arg(long, hide = true, num_args = 2, value_names = ["CASE", "NODES"])]
    one: Option<Vec<String>>,
    #[command(flatten)]
    memory: MemoryOpts,
}

/// One value of `--p0`/`--p1`: a node count, or `none` (no case).
#[derive(Clone, Copy, Debug)]
struct Cases(Option<u32>);

fn node_counts(text: &str) -> Result<Cases, String> {
    if text.trim() == "none" {
        return Ok(Cases(None));
    }
    text.trim()
        .parse()
        .map(|n| Cases(Some(n)))
        .map_err(|_| format!("expected a node count or `none`; got {text:?}"))
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Measured {
    events: u64,
    messages: u64,
    wall_s: f64,
    peak_rss_kib: Option<u64>,
    converged_after_last_write_s: Option<f64>,
}

/// Runs the benchmark table (or one case, for the child process).
pub(crate) fn bench(a: &BenchArgs) -> Result<ExitCode> {
    if let Some(one) = &a.one {
        let nodes: u32 = one[1].parse().context("node count")?;
        let m = run_one(&one[0], nodes, a.seed)?;
        outln!("{}", serde_json::to_string(&m)?);
        return Ok(ExitCode::SUCCESS);
    }
    let cases: Vec<(&str, u32)> =
        a.p0.iter()
            .filter_map(|n| n.0.map(|n| ("p0", n)))
            .chain(a.p1.iter().filter_map(|n| n.0.map(|n| ("p1", n))))
            .collect();
    if cases.is_empty() {
        anyhow::bail!("no cases: --p0 and --p1 are both `none`");
    }
    // Every case is valid and fits in memory before any runs.
    for &(case, nodes) in &cases {
        let s = case_scenario(case, nodes, a.seed).with_context(|| format!("--{case} {nodes}"))?;
        a.memory.check_named(&format!("--{case} {nodes}"), &s, 1)?;
    }
    let exe = std::env::current_exe().context("locating the scuttlesim binary")?;
    outln!(
        "{:<4} {:>8} {:>12} {:>22} {:>12} {:>10} {:>9}",
        "case",
        "nodes",
        "events",
        "wall s median (min-max)",
        "events/s",
        "peak MiB",
        "conv s"
    );
    for (case, nodes) in cases {
        let mut runs = Vec::new();
        for _ in 0..a.repeat {
            let out = Command::new(&exe)
                .args([
                    "bench",
                    "--seed",
                    &a.seed.to_string(),
                    "--one",
                    case,
                    &nodes.to_string(),
                ])
                .output()
                .context("running a benchmark child process")?;
            if !out.status.success() {
                bail!(
                    "{case} with {nodes} nodes failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            let m: Measured = serde_json::from_slice(&out.stdout).context("reading a child's result")?;
            runs.push(m);
        }
        runs.sort_by(|x, y| x.wall_s.total_cmp(&y.wall_s));
        let med = &runs[runs.len() / 2];
        // Of an even count, the mean of the two middle times.
        let wall = if runs.len() % 2 == 0 {
            (runs[runs.len() / 2 - 1].wall_s + med.wall_s) / 2.0
        } else {
            med.wall_s
        };
        let peak = med
            .peak_rss_kib
            .map_or("n/a".to_string(), |k| format!("{:.1}", k as f64 / 1024.0));
        let conv = med
            .converged_after_last_write_s
            .map_or("-".to_string(), |c| format!("{c:.2}"));
        outln!(
            "{:<4} {:>8} {:>12} {:>8.3} ({:.3}-{:.3}) {:>12.0} {:>10} {:>9}",
            case,
            nodes,
            med.events,
            wall,
            runs[0].wall_s,
            runs[runs.len() - 1].wall_s,
            med.events as f64 / wall,
            peak,
            conv
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The scenario of benchmark `case` at `nodes` nodes.
fn case_scenario(case: &str, nodes: u32, seed: u64) -> Result<scenario::Scenario> {
    let text = match case {
        "p0" => P0,
        "p1" => P1,
        other => bail!("unknown benchmark case {other:?}: expected p0 or p1"),
    };
    let overrides = [format!("nodes.count={nodes}"), format!("seed={seed}")];
    Ok(scenario::parse_str(text, Format::Toml, case, case, &overrides)?)
}

#[allow(clippy::disallowed_methods)] // the benchmark times itself: the wall clock is its job
fn run_one(case: &str, nodes: u32, seed: u64) -> Result<Measured> {
    let start = std::time::Instant::now();
    let s = case_scenario(case, nodes, seed)?;
    let out = Simulation::new(&s, TraceLevel::Off).run(&mut NullSink);
    let wall_s = start.elapsed().as_secs_f64();
    let m = &out.metrics;
    let converged = match (m.all_converged_at(), m.last_write()) {
        (Some(c), Some(w)) => Some(c.saturating_sub(w) as f64 / 1e9),
        _ => None,
    };
    Ok(Measured {
        events: out.events,
        messages: m.kinds().last().map_or(0, |k| k.delivered),
        wall_s,
        peak_rss_kib: peak_rss_kib(),
        converged_after_last_write_s: converged,
    })
}

/// This process's peak resident set size (Linux `VmHWM`), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
