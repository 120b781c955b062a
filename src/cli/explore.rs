//! `scuttlesim explore`: many seeds in parallel; list the failing ones.

use super::limits::MemoryOpts;
use super::report::{replay_command, run_command, shell_quote};
use super::signal::{stop_flag, EXIT_INTERRUPTED};
use super::TraceArg;
use anyhow::{bail, Context, Result};
use scuttlesim::explore::{
    explore as explore_seeds, parse_seeds, seed_list, FAILING_FILE, LISTED_ITEMS, SHOWN_FAILING,
};
use scuttlesim::output::write_atomic;
use scuttlesim::scenario;
use std::path::Path;
use std::process::ExitCode;

/// The options of `explore`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExploreArgs {
    /// The scenario file (.toml or .json); it needs at least one [[checks]].
    scenario: std::path::PathBuf,
    /// Seeds to run: A..B (B excluded), A..=B, or one seed N.
    #[arg(long, value_name = "A..B", allow_hyphen_values = true)]
    seeds: String,
    /// Parallel runs (default: the number of CPUs).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// Stop at the lowest failing seed of the range.
    #[arg(long)]
    stop_on_first: bool,
    /// Override a field (repeatable), as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Output root for the failing seeds' runs (DIR/<name>/<seed>/).
    #[arg(long, value_name = "DIR", default_value = "output")]
    out: std::path::PathBuf,
    /// Trace level of the failing seeds' runs (overrides [output] trace).
    #[arg(long, value_enum)]
    trace: Option<TraceArg>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    memory: MemoryOpts,
}

/// Runs the seeds, then prints the failing ones in seed order.
pub(crate) fn explore(a: &ExploreArgs) -> Result<ExitCode> {
    let seeds = parse_seeds(&a.seeds).map_err(anyhow::Error::msg)?;
    let s = scenario::load(&a.scenario, &super::with_trace(&a.set, a.trace))?;
    if s.checks.is_empty() {
        bail!(
            "{}: has no [[checks]]: explore looks for seeds where a check fails (e.g. [[checks]] converged_within = \"20s\")",
            a.scenario.display()
        );
    }
    super::check_out_dir(&a.out)?;
    let at_once = super::progress::runs_at_once(a.jobs, seeds.end - seeds.start);
    a.memory.check(&a.scenario, &a.set, &s, at_once)?;
    let bar = super::progress::count_bar(seeds.end - seeds.start, "seeds", a.quiet);
    let stop = stop_flag();
    let found = explore_seeds(
        &s,
        seeds.clone(),
        at_once,
        a.stop_on_first,
        Some(&a.out),
        Some(stop),
        &|| bar.inc(1),
    )
    .with_context(|| format!("exploring {}", a.scenario.display()))?;
    bar.finish_and_clear();
    let failing: Vec<_> = found.failing().collect();
    outln!(
        "explore {} · {} · {} · {} failing{}",
        s.name,
        scuttlesim::explore::seeds_label(&seeds),
        super::plural(found.ran, "run", "runs"),
        failing.len(),
        if found.interrupted {
            " · interrupted"
        } else if a.stop_on_first && !failing.is_empty() {
            " · stopped at the first"
        } else {
            ""
        }
    );
    let default_out = a.out == Path::new("output");
    let trace_name = a.trace.map(|_| s.output.trace.name());
    for run in failing.iter().take(SHOWN_FAILING) {
        outln!("seed {}", run.seed);
        for c in run.checks.iter().filter(|c| !c.passed) {
            outln!("  FAILED {}: {}", c.check, c.detail);
        }
        if let Some(dir) = &run.dir {
            outln!("  replay: {}", replay_command(dir));
        }
        outln!(
            "  rerun:  {}",
            run_command(
                &a.scenario,
                run.seed,
                &a.set,
                trace_name,
                (!default_out).then_some(&a.out)
            )
        );
    }
    // Every failing seed, one a line, beside their run directories; a
    // list left by an earlier explore of the same scenario is removed.
    let list_dir = a.out.join(&s.name);
    let list = list_dir.join(FAILING_FILE);
    if failing.is_empty() {
        if list.is_file() {
            std::fs::remove_file(&list).with_context(|| format!("removing {}", list.display()))?;
        }
    } else {
        let text: String = failing.iter().map(|r| format!("{}\n", r.seed)).collect();
        std::fs::create_dir_all(&list_dir).with_context(|| format!("creating {}", list_dir.display()))?;
        write_atomic(&list, text.as_bytes())?;
    }
    let list_shown = shell_quote(&list.display().to_string());
    if failing.len() > SHOWN_FAILING {
        outln!(
            "… and {} more failing seeds (all listed in {list_shown})",
            failing.len() - SHOWN_FAILING
        );
    }
    if !failing.is_empty() {
        let seeds: Vec<u64> = failing.iter().map(|r| r.seed).collect();
        let (line, cut) = seed_list(&seeds, LISTED_ITEMS);
        if cut {
            outln!("failing seeds: {line} ({} in all: {list_shown})", seeds.len());
        } else {
            outln!("failing seeds: {line}");
        }
        if let Some(dir) = &failing[0].dir {
            outln!(
                "shrink the first: scuttlesim shrink {}",
                shell_quote(&dir.join("manifest.json").display().to_string())
            );
        }
    }
    if found.interrupted {
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    Ok(ExitCode::from(if failing.is_empty() { 0 } else { 1 }))
}
