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
    /// Directory to write summary.csv, points.csv, sweep.json and the
    /// charts into: DIR itself, not DIR/<sweep>/ as `sweep --out` does
    /// (`merge a/fanout-sweep b/fanout-sweep --out merged` writes
    /// merged/summary.csv). Default: the first sweep directory given.
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
        "sweep {} · {} merged",
        plan.name,
        super::sweep::shape(&plan, results.len())
    );
    out!("{}", points_table(&plan, &results));
    let code = super::sweep::checks_line(&plan, &results);
    super::sweep::print_files(&files);
    // `--out results` written as for `sweep` (an output root) put the files
    // beside results/<sweep>/ rather than in it: say so.
    if let Some(out) = &args.out {
        let inside = out.join(&plan.name);
        if inside.join("sweep.json").is_file() && !args.dirs.iter().any(|d| d == out) {
            eprintln!(
                "note: merge --out writes into {} itself, not into {} as sweep --out would",
                out.display(),
                inside.display()
            );
        }
    }
    Ok(code)
}
