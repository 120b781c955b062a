//! Seed exploration: run one scenario under many seeds, in parallel, and
//! find the seeds whose checks fail.
//!
//! Every seed runs without writing anything; a failing seed is then run again
//! into its run directory (`<out>/<name>/<seed>/`, trace at the scenario's
//! level) so it can be replayed, read with `trace` and shrunk. The second run
//! must give the same digest as the first, a free determinism check (madsim
//! style): a mismatch is reported as an error.
//!
//! The result does not depend on the number of threads: results are gathered
//! and sorted by seed, and `stop_on_first` means "the lowest failing seed of
//! the range" (seeds above a failure already found are skipped, seeds below
//! it still run, and results above it are dropped).

use crate::check::{run_checked, CheckResult};
use crate::error::{Error, Result};
use crate::output;
use crate::scenario::{Scenario, TraceLevel};
use crate::trace::NullSink;
use rayon::prelude::*;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Most seeds one exploration may cover.
pub const MAX_SEEDS: u64 = 100_000_000;

/// One seed's run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedRun {
    /// The seed.
    pub seed: u64,
    /// Its check results.
    pub checks: Vec<CheckResult>,
    /// Its trace digest.
    pub digest: String,
    /// Where a failing seed's run was written.
    pub dir: Option<PathBuf>,
}

impl SeedRun {
    /// Whether a check failed.
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|c| !c.passed)
    }
}

/// What an exploration found. Only the failing seeds' runs are kept, so an
/// exploration's memory grows with its failures, not with its seeds.
#[derive(Debug)]
pub struct Exploration {
    /// How many seeds ran (and count: with `stop_on_first`, those up to the
    /// first failing seed).
    pub ran: u64,
    /// The failing seeds' runs, in seed order.
    pub failing: Vec<SeedRun>,
    /// Ctrl-C stopped it: some seeds did not run.
    pub interrupted: bool,
}

impl Exploration {
    /// The failing seeds' runs, in seed order.
    pub fn failing(&self) -> impl Iterator<Item = &SeedRun> {
        self.failing.iter()
    }
}

/// A seed range for people: `seed N` for one seed, else `seeds A..B`.
pub fn seeds_label(seeds: &Range<u64>) -> String {
    if seeds.end - seeds.start == 1 {
        format!("seed {}", seeds.start)
    } else {
        format!("seeds {}..{}", seeds.start, seeds.end)
    }
}

/// How many failing seeds `explore` prints in full (checks, replay and
/// rerun commands); the rest are counted and listed in [`FAILING_FILE`].
pub const SHOWN_FAILING: usize = 10;

/// How many items (seeds or ranges) the `failing seeds:` line holds before
/// it ends in `…` and points to [`FAILING_FILE`].
pub const LISTED_ITEMS: usize = 50;

/// The file, in `<out>/<name>/`, listing every failing seed, one a line.
pub const FAILING_FILE: &str = "failing.txt";

/// Seeds (ascending) as space-separated items, three or more consecutive
/// seeds written as a range `A-B` (both included): `0 3-7 9 10`. With more
/// than `max` items, the first `max` and `…`; the second value says whether
/// items were left out.
pub fn seed_list(seeds: &[u64], max: usize) -> (String, bool) {
    let mut items: Vec<String> = Vec::new();
    let mut i = 0;
    while i < seeds.len() {
        let mut j = i;
        while j + 1 < seeds.len() && seeds[j].checked_add(1) == Some(seeds[j + 1]) {
            j += 1;
        }
        if j - i >= 2 {
            items.push(format!("{}-{}", seeds[i], seeds[j]));
        } else {
            items.extend(seeds[i..=j].iter().map(u64::to_string));
        }
        i = j + 1;
    }
    let cut = items.len() > max;
    items.truncate(max);
    if cut {
        items.push("…".into());
    }
    (items.join(" "), cut)
}

/// Parses `A..B` (B excluded), `A..=B` (B included) or a single seed `N`.
pub fn parse_seeds(text: &str) -> std::result::Result<Range<u64>, String> {
    let help = || format!("invalid seed range {text:?}: expected A..B (B excluded), A..=B, or N");
    let num = |s: &str| {
        let s = s.trim();
        s.parse::<u64>().map_err(|_| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                format!(
                    "seed range {text:?}: {s} is too large; a seed is at most {}",
                    u64::MAX
                )
            } else {
                help()
            }
        })
    };
    // A range ends after its last seed, so the largest seed has none.
    let last = || {
        format!(
            "seed range {text:?} includes seed {}, the one seed a range cannot hold; run it alone with `run --seed {}`",
            u64::MAX,
            u64::MAX
        )
    };
    let range = if let Some((a, b)) = text.split_once("..=") {
        num(a)?..num(b)?.checked_add(1).ok_or_else(last)?
    } else if let Some((a, b)) = text.split_once("..") {
        num(a)?..num(b)?
    } else {
        let n = num(text)?;
        n..n.checked_add(1).ok_or_else(last)?
    };
    if range.start > range.end {
        return Err(format!(
            "seed range {text:?} is reversed: write the smaller seed first ({}..{})",
            range.end, range.start
        ));
    }
    if range.is_empty() {
        return Err(format!(
            "seed range {text:?} is empty (A..B excludes B): write {}..={} for the one seed",
            range.start, range.start
        ));
    }
    if range.end - range.start > MAX_SEEDS {
        return Err(format!(
            "seed range {text:?} has {} seeds; at most {MAX_SEEDS} per exploration",
            range.end - range.start
        ));
    }
    Ok(range)
}

/// Runs `base` under every seed of `seeds` on `jobs` threads (see the module
/// docs); writes failing seeds under `out` if given. `progress` is called
/// once per finished seed.
pub fn explore(
    base: &Scenario,
    seeds: Range<u64>,
    jobs: usize,
    stop_on_first: bool,
    out: Option<&Path>,
    stop: Option<&AtomicBool>,
    progress: &(dyn Fn() + Sync),
) -> Result<Exploration> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.clamp(1, (seeds.end - seeds.start).clamp(1, 1 << 16) as usize))
        .build()
        .map_err(|e| Error::io("thread pool", std::io::Error::other(e)))?;
    let first_failure = AtomicU64::new(u64::MAX);
    let ran = AtomicU64::new(0);
    // With `stop_on_first` the passing seeds are kept (as numbers) until the
    // first failing seed is known, so that only those below it count.
    let passing = std::sync::Mutex::new(Vec::new());
    let stopped = || stop.is_some_and(|s| s.load(Ordering::SeqCst));
    let mut runs: Vec<SeedRun> = pool.install(|| {
        seeds
            .clone()
            .into_par_iter()
            .filter_map(|seed| {
                if stopped() || (stop_on_first && seed > first_failure.load(Ordering::SeqCst)) {
                    return None;
                }
                let mut s = base.clone();
                s.seed = seed;
                let checked = run_checked(&s, &mut NullSink, TraceLevel::Off, stop);
                progress();
                if checked.interrupted {
                    return None;
                }
                let run = SeedRun {
                    seed,
                    checks: checked.checks,
                    digest: checked.outcome.digest,
                    dir: None,
                };
                if !run.failed() {
                    if stop_on_first {
                        passing.lock().expect("no thread panics holding it").push(seed);
                    } else {
                        ran.fetch_add(1, Ordering::Relaxed);
                    }
                    return None;
                }
                first_failure.fetch_min(seed, Ordering::SeqCst);
                Some(run)
            })
            .collect()
    });
    runs.sort_by_key(|r| r.seed);
    let mut ran = ran.into_inner();
    if stop_on_first {
        let first = first_failure.load(Ordering::SeqCst);
        runs.retain(|r| r.seed <= first);
        let passing = passing.into_inner().expect("no thread panicked holding it");
        ran = passing.iter().filter(|&&p| p < first).count() as u64;
    }
    ran += runs.len() as u64;
    let mut interrupted = stopped();
    if let Some(out) = out {
        for run in runs.iter_mut() {
            if stopped() {
                interrupted = true;
                break;
            }
            let mut s = base.clone();
            s.seed = run.seed;
            let report = output::execute_with(&s, out, stop)?;
            if report.interrupted() {
                interrupted = true;
                break;
            }
            assert_eq!(
                report.outcome.digest, run.digest,
                "non-determinism detected: seed {} gave two different trace digests",
                run.seed
            );
            run.dir = Some(report.dir);
        }
    }
    Ok(Exploration {
        ran,
        failing: runs,
        interrupted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_lists_write_runs_of_three_as_ranges() {
        assert_eq!(seed_list(&[], 50), (String::new(), false));
        assert_eq!(seed_list(&[0, 15, 16], 50), ("0 15 16".into(), false));
        assert_eq!(
            seed_list(&[0, 3, 4, 5, 6, 7, 9, 10], 50),
            ("0 3-7 9 10".into(), false)
        );
        assert_eq!(
            seed_list(&[u64::MAX - 2, u64::MAX - 1, u64::MAX], 50).0,
            "18446744073709551613-18446744073709551615"
        );
        let every_other: Vec<u64> = (0..100).map(|n| 2 * n).collect();
        assert_eq!(seed_list(&every_other, 3), ("0 2 4 …".into(), true));
        assert_eq!(seed_list(&[1, 2, 3, 5], 2), ("1-3 5".into(), false));
    }

    #[test]
    fn seed_ranges() {
        assert_eq!(parse_seeds("0..10"), Ok(0..10));
        assert_eq!(parse_seeds("5..=7"), Ok(5..8));
        assert_eq!(parse_seeds("42"), Ok(42..43));
        assert!(parse_seeds("3..3").unwrap_err().contains("3..=3"));
        assert!(parse_seeds("5..3")
            .unwrap_err()
            .contains("reversed: write the smaller seed first (3..5)"));
        assert!(parse_seeds("0..18446744073709551616")
            .unwrap_err()
            .contains("too large"));
        assert!(parse_seeds("a..b").is_err());
        assert!(parse_seeds("0..=18446744073709551615").is_err());
        // The largest seed: refused with a way to run it.
        for text in [
            "18446744073709551615",
            "18446744073709551610..=18446744073709551615",
        ] {
            let e = parse_seeds(text).unwrap_err();
            assert!(e.contains("run --seed 18446744073709551615"), "{e}");
        }
        assert_eq!(parse_seeds("18446744073709551614"), Ok(u64::MAX - 1..u64::MAX));
    }
}
