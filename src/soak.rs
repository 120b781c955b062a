//! Determinism soak: run one scenario under many seeds, twice each — on
//! thread pools of different sizes, the second pass in the opposite seed
//! order — and compare what each run produced (madsim's "non-determinism
//! detected", FoundationDB's and TigerBeetle's seed farms).
//!
//! A run is fingerprinted by its trace digest (every record at the soak's
//! trace level) and by the SHA-256 of its summary and check results as
//! JSON, so a difference in the metrics (say, an iteration order leaking
//! into a statistic) is caught even where the trace agrees. Any difference
//! between the two passes of one seed is a [`Mismatch`].
//!
//! The runs write nothing. Results are sorted by seed, so the report does
//! not depend on the thread counts.

use crate::check::run_checked;
use crate::error::{Error, Result};
use crate::scenario::{hex, Scenario, TraceLevel};
use crate::summary::Summary;
use crate::trace::NullSink;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// What one run of one seed produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// The trace digest.
    pub digest: String,
    /// Records the digest covers.
    pub records: u64,
    /// SHA-256 of the summary and check results as JSON.
    pub summary: String,
}

/// A seed whose two passes differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The seed.
    pub seed: u64,
    /// The first pass's run.
    pub first: Fingerprint,
    /// The second pass's run.
    pub second: Fingerprint,
}

/// What a soak found.
#[derive(Debug)]
pub struct Soak {
    /// Seeds run in both passes.
    pub seeds: u64,
    /// Threads of each pass.
    pub jobs: [usize; 2],
    /// Distinct trace digests among the seeds (seeds should matter: a
    /// count far below `seeds` means the seed barely reaches the run).
    pub distinct_digests: usize,
    /// Records over all runs of the first pass.
    pub records: u64,
    /// Seeds whose passes differ, in seed order.
    pub mismatches: Vec<Mismatch>,
    /// Ctrl-C stopped it before every seed ran twice.
    pub interrupted: bool,
}

/// The thread count of the second pass: 1 when the first used several,
/// else 2.
pub fn second_jobs(first: usize) -> usize {
    if first > 1 {
        1
    } else {
        2
    }
}

/// Runs `base` at trace level `level` under every seed of `seeds`, first on
/// `jobs[0]` threads in ascending seed order, then on `jobs[1]` threads in
/// descending order, and compares the two runs of every seed. `progress` is
/// called once per finished run (twice per seed).
pub fn soak(
    base: &Scenario,
    seeds: Range<u64>,
    jobs: [usize; 2],
    level: TraceLevel,
    stop: Option<&AtomicBool>,
    progress: &(dyn Fn() + Sync),
) -> Result<Soak> {
    let mut base = base.clone();
    base.output.trace = level;
    let stopped = || stop.is_some_and(|s| s.load(Ordering::SeqCst));
    let pass = |threads: usize, order: Vec<u64>| -> Result<Vec<(u64, Fingerprint)>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.clamp(1, order.len().max(1)))
            .build()
            .map_err(|e| Error::io("thread pool", std::io::Error::other(e)))?;
        let mut out: Vec<(u64, Fingerprint)> = pool.install(|| {
            order
                .into_par_iter()
                .filter_map(|seed| {
                    if stopped() {
                        return None;
                    }
                    let f = fingerprint(&base, seed, stop)?;
                    progress();
                    Some((seed, f))
                })
                .collect()
        });
        out.sort_by_key(|r| r.0);
        Ok(out)
    };
    let ascending: Vec<u64> = seeds.clone().collect();
    let first = pass(jobs[0], ascending.clone())?;
    let second = if stopped() {
        Vec::new()
    } else {
        pass(jobs[1], ascending.into_iter().rev().collect())?
    };
    let interrupted = stopped() || second.len() as u64 != seeds.end - seeds.start;
    let mut mismatches = Vec::new();
    let mut j = 0;
    for (seed, a) in &first {
        while j < second.len() && second[j].0 < *seed {
            j += 1;
        }
        if let Some((s2, b)) = second.get(j) {
            if s2 == seed && a != b {
                mismatches.push(Mismatch {
                    seed: *seed,
                    first: a.clone(),
                    second: b.clone(),
                });
            }
        }
    }
    let mut digests: Vec<&str> = first.iter().map(|(_, f)| f.digest.as_str()).collect();
    digests.sort_unstable();
    digests.dedup();
    Ok(Soak {
        seeds: second.len().min(first.len()) as u64,
        jobs,
        distinct_digests: digests.len(),
        records: first.iter().map(|(_, f)| f.records).sum(),
        mismatches,
        interrupted,
    })
}

/// Runs `base` under `seed` and fingerprints it; `None` if interrupted.
pub fn fingerprint(base: &Scenario, seed: u64, stop: Option<&AtomicBool>) -> Option<Fingerprint> {
    let mut s = base.clone();
    s.seed = seed;
    let checked = run_checked(&s, &mut NullSink, s.output.trace, stop);
    if checked.interrupted {
        return None;
    }
    let summary = Summary::new(&s, &checked.outcome);
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(&summary).expect("a summary serializes"));
    h.update(serde_json::to_vec(&checked.checks).expect("check results serialize"));
    Some(Fingerprint {
        digest: checked.outcome.digest,
        records: checked.outcome.records,
        summary: hex(&h.finalize()),
    })
}
