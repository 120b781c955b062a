//! `scuttlesim soak`: the determinism soak — every seed twice, on thread
//! pools of different sizes, fingerprints compared (see [`scuttlesim::soak`]).

use super::limits::MemoryOpts;
use super::signal::{stop_flag, EXIT_INTERRUPTED};
use super::TraceArg;
use anyhow::{Context, Result};
use scuttlesim::explore::parse_seeds;
use scuttlesim::scenario::{self, TraceLevel};
use scuttlesim::soak::{second_jobs, soak as soak_seeds};
use std::path::PathBuf;
use std::process::ExitCode;

/// The options of `soak`.
#[derive(Debug, clap::Args)]
pub(crate) struct SoakArgs {
    /// The scenario file (.toml or .json), e.g. scenarios/everything.toml.
    scenario: PathBuf,
    /// Seeds to run: A..B (B excluded), A..=B, or one seed N.
    #[arg(long, value_name = "A..B", allow_hyphen_values = true)]
    seeds: String,
    /// Threads of the first pass (default: the number of CPUs); the second
    /// pass uses 1 (or 2 when this is 1), in descending seed order. Neither
    /// uses more threads than there are seeds, so one seed runs on one
    /// thread both times.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// Trace level the digests cover (default: full, every record).
    #[arg(long, value_enum, default_value = "full")]
    trace: TraceArg,
    /// Override a field (repeatable), as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    memory: MemoryOpts,
}

/// Runs the soak; exit 1 on any mismatch ("non-determinism detected").
pub(crate) fn soak(a: &SoakArgs) -> Result<ExitCode> {
    let seeds = parse_seeds(&a.seeds).map_err(anyhow::Error::msg)?;
    let s = scenario::load(&a.scenario, &a.set)?;
    let count = seeds.end - seeds.start;
    let first = super::progress::runs_at_once(a.jobs, count);
    // As many threads as the pool starts: no more than the seeds.
    let jobs = [first, second_jobs(first).min(count.max(1) as usize)];
    let level = TraceLevel::from(a.trace);
    let mut checked = s.clone();
    checked.output.trace = level;
    a.memory.check(&a.scenario, &a.set, &checked, first)?;
    let bar = super::progress::count_bar(2 * count, "runs", a.quiet);
    let stop = stop_flag();
    let found = soak_seeds(&s, seeds.clone(), jobs, level, Some(stop), &|| bar.inc(1))
        .with_context(|| format!("soaking {}", a.scenario.display()))?;
    bar.finish_and_clear();
    outln!(
        "soak {} · {} · trace {} · pass 1: {}, ascending · pass 2: {}, descending",
        s.name,
        scuttlesim::explore::seeds_label(&seeds),
        level.name(),
        super::plural(jobs[0] as u64, "job", "jobs"),
        super::plural(jobs[1] as u64, "job", "jobs")
    );
    for m in &found.mismatches {
        outln!(
            "non-determinism detected: seed {}: pass 1 digest {} ({} records, summary {}), pass 2 digest {} ({} records, summary {})",
            m.seed,
            m.first.digest,
            m.first.records,
            &m.first.summary[..16],
            m.second.digest,
            m.second.records,
            &m.second.summary[..16]
        );
        outln!(
            "  rerun: scuttlesim run {} --seed {} --trace {}",
            a.scenario.display(),
            m.seed,
            level.name()
        );
    }
    outln!(
        "{} x 2 runs: {} · {} · {} per pass",
        super::plural(found.seeds, "seed", "seeds"),
        if found.seeds == 0 {
            "nothing compared".to_string()
        } else if found.mismatches.is_empty() {
            "every digest and summary agrees".to_string()
        } else {
            format!(
                "{} {}",
                super::plural(found.mismatches.len() as u64, "seed", "seeds"),
                if found.mismatches.len() == 1 {
                    "differs"
                } else {
                    "differ"
                }
            )
        },
        super::plural(
            found.distinct_digests as u64,
            "distinct digest",
            "distinct digests"
        ),
        super::plural(found.records, "record", "records")
    );
    if found.interrupted {
        outln!("interrupted: not every seed ran twice");
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    Ok(ExitCode::from(if found.mismatches.is_empty() { 0 } else { 1 }))
}
