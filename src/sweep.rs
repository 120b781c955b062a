//! Sweeps: one base scenario, a grid of settings, many seeds.
//!
//! A **sweep file** ([`load`]) names a base scenario (a path relative to the
//! sweep file, or an inline `[base]` table), a grid of dotted field paths to
//! lists of values and a range of seeds. Every combination of grid values is
//! a **point**; every `(point, seed)` pair is a **run**. Runs are numbered in
//! a canonical order: grid keys sorted, the first key varying slowest, values
//! in file order, then seeds ascending. Everything that depends on the runs
//! (directories, CSV rows, shards) follows that order, so the output does not
//! depend on the number of threads or on how the sweep was split.
//!
//! Loading resolves and validates every point before anything runs: a bad
//! grid value fails the whole sweep, naming the point.
//!
//! [`execute`] runs the selected runs in parallel (rayon; parallelism only
//! across independent runs), gathers the results and writes, in canonical
//! order, `summary.csv` (one row per run) and `points.csv` (mean, standard
//! deviation and 95 % confidence interval over seeds per point; see
//! [`stats`]) and the comparison charts. With a [`Shard`] it runs a deterministic slice and leaves a
//! marker instead; [`merge`] joins the slices into the same files, byte for
//! byte.
//!
//! Layout under the output root `DIR`:
//!
//! ```text
//! DIR/<sweep>/sweep.json                the resolved plan (every run and its scenario hash)
//! DIR/<sweep>/summary.csv, points.csv   unsharded sweep, or `merge`
//! DIR/<sweep>/charts/                   tradeoff, convergence, <metric>_vs_<field> (.svg, .png)
//! DIR/<sweep>/shard-K-of-N.json         with --shard K/N: the runs that shard completed
//! DIR/<sweep>/<point>/<seed>/           manifest.json, summary.json, convergence_ns.csv
//! DIR/<sweep>/staleness.csv             with output.staleness: the series per point (see series.rs)
//! ```

mod charts;
mod exec;
mod file;
mod grid;
mod merge;
mod series;
mod shard;
pub mod stats;
mod table;

pub use exec::{execute, Options, Progress, Report, RunResult, SilentProgress, CONVERGENCE_FILE};
pub use file::{load, parse_str};
pub use merge::merge;
pub use series::STALENESS_FILE;
pub use shard::{Shard, ShardMarker, MARKER_FORMAT, MAX_SHARDS};
pub use table::{point_stats, points_csv, summary_csv, Metric, METRICS};

use crate::scenario::{hex, Scenario, TraceLevel};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Format tag of `sweep.json`.
pub const PLAN_FORMAT: &str = "scuttlesim-sweep/1";

/// Most runs one sweep may have (a limit on everything).
pub const MAX_RUNS: u64 = 1_000_000;

/// A loaded sweep: the plan (what `sweep.json` stores) and the resolved
/// scenario of every point, ready to run once given a seed.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The plan.
    pub plan: Plan,
    /// The resolved scenario of each point, in point order; its `seed` is
    /// replaced by each run's seed.
    pub scenarios: Vec<Scenario>,
}

impl Sweep {
    /// The scenario of run `index`: its point's scenario with its seed.
    pub fn run_scenario(&self, index: usize) -> Scenario {
        let run = &self.plan.runs[index];
        let mut s = self.scenarios[run.point].clone();
        s.seed = run.seed;
        s
    }
}

/// The resolved sweep, written as `sweep.json`: enough to check and merge
/// the outputs of every shard without the sweep file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// [`PLAN_FORMAT`].
    pub format: String,
    /// scuttlesim version that resolved (and runs) the sweep.
    pub scuttlesim_version: String,
    /// Sweep name: the output directory `DIR/<name>/`.
    pub name: String,
    /// SHA-256 (hex) of this plan's compact JSON with `sweep_hash` empty: it
    /// covers the version, every point and every run's scenario hash, so two
    /// outputs with the same hash come from the same runs.
    pub sweep_hash: String,
    /// Trace level of every run.
    pub trace_level: TraceLevel,
    /// The swept fields (dotted paths), sorted.
    pub fields: Vec<String>,
    /// The seeds of every point, inclusive.
    pub seeds: SeedRange,
    /// The points, in canonical order.
    pub points: Vec<Point>,
    /// The runs, in canonical order.
    pub runs: Vec<RunInfo>,
}

impl Plan {
    /// The hash stored in `sweep_hash`.
    pub fn compute_hash(&self) -> String {
        let mut unhashed = self.clone();
        unhashed.sweep_hash = String::new();
        let json = serde_json::to_string(&unhashed).expect("a plan always serializes");
        hex(&Sha256::digest(json.as_bytes()))
    }

    /// The directory of run `index`, relative to the sweep directory.
    pub fn run_path(&self, index: usize) -> std::path::PathBuf {
        let run = &self.runs[index];
        std::path::Path::new(&self.points[run.point].slug).join(run.seed.to_string())
    }
}

/// Seeds `from..=to`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRange {
    /// First seed.
    pub from: u64,
    /// Last seed (inclusive).
    pub to: u64,
}

impl SeedRange {
    /// Number of seeds; `u64::MAX` for every seed there is (2^64 seeds do
    /// not fit, and a count that wrapped to 0 passed every limit), and 0 for
    /// a reversed range.
    pub fn count(&self) -> u64 {
        match self.to.checked_sub(self.from) {
            Some(gap) => gap.saturating_add(1),
            None => 0,
        }
    }
}

/// One grid point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    /// Directory name: `field=value` pairs joined by `+`
    /// (`gossip.fanout=3+network.loss=0.05`), or `base` for an empty grid.
    pub slug: String,
    /// The value of each swept field, in [`Plan::fields`] order.
    pub values: Vec<serde_json::Value>,
}

/// One run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunInfo {
    /// Index of its point.
    pub point: usize,
    /// Its seed.
    pub seed: u64,
    /// SHA-256 of its resolved scenario (as in its manifest).
    pub scenario_hash: String,
}
