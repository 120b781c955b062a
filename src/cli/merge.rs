//! `scuttlesim merge`: join shard outputs into the sweep's summary files.

use super::sweep::points_table;
use anyhow::{Context, Result};
use scuttlesim::sweep;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `scuttlesim merge`.
#[derive(Debug, clap::Args)]
pub(crate) struct MergeArgs {
    /// Sweep directories (DIR/<sweep>) holding shard-K-of-N.json markers;
    /// together they must hold every shard exactly once.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Where to write summary.csv and points.csv (default: the first DIR).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Merges shards and prints the points.
pub(crate) fn merge(args: &MergeArgs) -> Result<ExitCode> {
    if let Some(out) = &args.out {
        super::check_out_dir(out)?;
    }
    let (plan, results, files) = sweep::merge(&args.dirs, args.out.as_deref()).context("merging shards")?;
    outln!(
        "sweep {} · {} points x {} seeds · {} runs merged",
        plan.name,
        plan.points.len(),
        plan.seeds.count(),
        results.len()
    );
    out!("{}", points_table(&plan, &results));
    super::sweep::print_files(&files);
    Ok(ExitCode::SUCCESS)
}
