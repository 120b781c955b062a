//! `scuttlesim sweep`: every grid point x every seed, in parallel, with a
//! progress bar; prints a table of the points.

use super::limits::MemoryOpts;
use super::TraceArg;
use anyhow::{Context, Result};
use indicatif::ProgressBar;
use scuttlesim::scenario::TraceLevel;
use scuttlesim::sweep::{self, Options, Plan, Progress, RunResult, Shard};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `scuttlesim sweep`.
#[derive(Debug, clap::Args)]
pub(crate) struct SweepArgs {
    /// The sweep file (.toml or .json): base scenario, grid, seeds.
    sweep: PathBuf,
    /// Runs at once (thread pool size); default: one per available core.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// Output root; the sweep goes to DIR/<sweep>/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    out: PathBuf,
    /// Trace file of every run (default: off; the digest is computed anyway).
    #[arg(long, value_enum, default_value = "off")]
    trace: TraceArg,
    /// Keep runs already complete (manifest present with the same scenario
    /// hash) instead of running them again.
    #[arg(long)]
    resume: bool,
    /// Run only slice K of N (runs whose index is K-1 mod N) and write a
    /// shard marker; join the slices with `scuttlesim merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    memory: MemoryOpts,
}

/// An indicatif bar on stderr: runs done / total, ETA.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, runs: usize, done: usize) {
        self.0.set_length(runs as u64);
        self.0.set_position(done as u64);
        self.0.reset_eta();
    }
    fn run_done(&self) {
        self.0.inc(1);
    }
}

/// Runs a sweep and prints its points.
pub(crate) fn sweep(args: &SweepArgs) -> Result<ExitCode> {
    let trace = TraceLevel::from(args.trace);
    let sw = sweep::load(&args.sweep, trace)?;
    super::check_out_dir(&args.out)?;
    let plan = &sw.plan;
    let at_once = super::progress::runs_at_once(args.jobs, plan.runs.len() as u64);
    for (point, s) in plan.points.iter().zip(&sw.scenarios) {
        let what = format!("{}: grid point {}", args.sweep.display(), point.slug);
        args.memory.check_named(&what, s, at_once)?;
    }
    let bar = super::progress::count_bar(plan.runs.len() as u64, "runs", args.quiet);
    let opts = Options {
        jobs: args.jobs.unwrap_or(0) as usize,
        resume: args.resume,
        shard: args.shard,
        stop: Some(super::signal::stop_flag()),
    };
    let progress = Bar(bar);
    let report = sweep::execute(&sw, &args.out, &opts, &progress)
        .with_context(|| format!("sweeping {}", args.sweep.display()))?;
    progress.0.finish_and_clear();
    if report.interrupted {
        eprintln!(
            "interrupted: {} of {} complete ({} ran, {} resumed); nothing summarised: rerun with --resume to finish the sweep",
            report.ran + report.resumed,
            super::plural(report.selected as u64, "run", "runs"),
            report.ran,
            report.resumed
        );
        return Ok(ExitCode::from(super::signal::EXIT_INTERRUPTED));
    }
    outln!(
        "sweep {} · {}{} · {} ran, {} resumed",
        plan.name,
        shape(plan, report.selected),
        args.shard.map(|s| format!(" (shard {s})")).unwrap_or_default(),
        report.ran,
        report.resumed
    );
    let mut code = ExitCode::SUCCESS;
    if let Some(results) = &report.results {
        out!("{}", points_table(plan, results));
        code = checks_line(plan, results);
    } else if report.failed_checks > 0 {
        outln!(
            "checks FAILED in {} of this shard's {}; `merge` names the points",
            report.failed_checks,
            super::plural(report.selected as u64, "run", "runs")
        );
        code = ExitCode::from(1);
    }
    print_files(&report.files);
    Ok(code)
}

/// "2 points x 3 seeds · 6 runs", in the singular where it is one.
pub(crate) fn shape(plan: &Plan, runs: usize) -> String {
    let n = super::plural;
    format!(
        "{} x {} · {}",
        n(plan.points.len() as u64, "point", "points"),
        n(plan.seeds.count(), "seed", "seeds"),
        n(runs as u64, "run", "runs")
    )
}

/// Prints which points had runs that failed a `[[checks]]` entry; exit
/// code 1 if any did (as `run`), else 0.
pub(crate) fn checks_line(plan: &Plan, results: &[RunResult]) -> ExitCode {
    let mut per_point = vec![0u32; plan.points.len()];
    for (run, r) in plan.runs.iter().zip(results) {
        per_point[run.point] += u32::from(r.checks_failed > 0);
    }
    let failing: Vec<String> = plan
        .points
        .iter()
        .zip(&per_point)
        .filter(|(_, &n)| n > 0)
        .map(|(p, n)| format!("{} ({n} of {})", p.slug, plan.seeds.count()))
        .collect();
    if failing.is_empty() {
        return ExitCode::SUCCESS;
    }
    let runs: u32 = per_point.iter().sum();
    outln!(
        "checks FAILED in {runs} of {}: {}; see summary.csv's checks_failed and each run's manifest.json",
        super::plural(results.len() as u64, "run", "runs"),
        failing.join(", ")
    );
    ExitCode::from(1)
}

/// A short table: per point, p99 and mean convergence (of the writes that
/// converged) and bandwidth, mean ± 95 % CI half-width over seeds, and the
/// mean fraction of writes that converged.
pub(crate) fn points_table(plan: &Plan, results: &[RunResult]) -> String {
    use std::fmt::Write;
    let stats = sweep::point_stats(plan, results);
    let col = |name: &str| {
        sweep::METRICS
            .iter()
            .position(|m| m.name == name)
            .expect("a known metric")
    };
    let (p99, mean, bw) = (col("conv_p99_s"), col("conv_mean_s"), col("bytes_per_node_per_s"));
    let frac = col("converged_frac");
    let cell = |st: &Option<sweep::stats::Stats>, digits: usize| match st {
        None => "-".to_string(),
        Some(s) => match s.ci95 {
            Some((lo, hi)) => format!("{:.digits$} ± {:.digits$}", s.mean, (hi - lo) / 2.0),
            None => format!("{:.digits$}", s.mean),
        },
    };
    let rows: Vec<[String; 5]> = plan
        .points
        .iter()
        .zip(&stats)
        .map(|(p, st)| {
            [
                p.slug.clone(),
                cell(&st[p99], 3),
                cell(&st[mean], 3),
                cell(&st[bw], 0),
                converged_cell(&st[frac]),
            ]
        })
        .collect();
    let head = [
        "point",
        "p99 convergence (s)",
        "mean convergence (s)",
        "bytes/node/s",
        "converged",
    ];
    let w: Vec<usize> = (0..5)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([head[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {:>w4$}",
        head[0],
        head[1],
        head[2],
        head[3],
        head[4],
        w0 = w[0],
        w1 = w[1],
        w2 = w[2],
        w3 = w[3],
        w4 = w[4]
    );
    for r in &rows {
        let _ = writeln!(
            o,
            "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {:>w4$}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3],
            w4 = w[4]
        );
    }
    let seeds = plan.seeds.count();
    let _ = writeln!(
        o,
        "({} over {seeds} seed{}; the times are of the writes that converged)",
        if seeds > 1 {
            "mean ± 95% CI half-width"
        } else {
            "one run per point, no interval"
        },
        if seeds == 1 { "" } else { "s" }
    );
    o
}

/// The mean share of writes that converged, rounded down as the charts
/// have it: `100.0%` only when every write converged.
fn converged_cell(st: &Option<sweep::stats::Stats>) -> String {
    st.as_ref()
        .map_or("-".to_string(), |s| scuttlesim::chart::floor_percent(s.mean))
}

/// Prints the files a sweep or merge wrote; charts as one line.
pub(crate) fn print_files(files: &[PathBuf]) {
    let (charts, others): (Vec<&PathBuf>, Vec<&PathBuf>) = files
        .iter()
        .partition(|f| f.parent().is_some_and(|d| d.ends_with("charts")));
    for f in others {
        outln!("wrote {}", f.display());
    }
    if let Some(first) = charts.first() {
        let dir = first.parent().expect("a charts directory");
        outln!(
            "wrote {} in {}",
            super::plural(charts.len() as u64, "chart", "charts"),
            dir.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scuttlesim::sweep::stats::Stats;

    /// 99.96 % of writes converged is not "100.0%" (it was, rounded to
    /// nearest): the table rounds down, as the trade-off chart does.
    #[test]
    fn converged_share_is_rounded_down() {
        let share = |mean| {
            converged_cell(&Some(Stats {
                n: 5,
                mean,
                sd: None,
                ci95: None,
            }))
        };
        assert_eq!(share(0.9996), "99.9%");
        assert_eq!(share(1.0), "100.0%");
        assert_eq!(share(0.945), "94.5%");
        assert_eq!(converged_cell(&None), "-");
    }
}
