//! The determinism soak, CI-sized: `scenarios/everything.toml` (every
//! network feature and every fault) at trace level `full`, every seed twice
//! on thread pools of different sizes; plus the `soak` command. The full
//! soak (≥ 1,000 seeds) is in docs/SOAK.md; `SCUTTLESIM_SOAK_SEEDS=N` runs
//! N seeds here.

use crate::bin::{s, scuttlesim, stdout};
use crate::support::shipped;
use scuttlesim::scenario::{self, TraceLevel};
use scuttlesim::soak::{fingerprint, soak};

#[test]
fn everything_is_deterministic_across_seeds_and_thread_counts() {
    let seeds: u64 = std::env::var("SCUTTLESIM_SOAK_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let base = scenario::load(&shipped("everything.toml"), &[]).unwrap();
    let found = soak(&base, 0..seeds, [2, 1], TraceLevel::Full, None, &|| {}).unwrap();
    assert!(
        found.mismatches.is_empty(),
        "non-determinism detected: {:?}",
        found.mismatches
    );
    assert_eq!(found.seeds, seeds);
    assert!(!found.interrupted);
    // Seeds matter: every seed gives its own trace.
    assert_eq!(found.distinct_digests as u64, seeds);
    assert!(found.records > seeds * 10_000, "{} records", found.records);
}

#[test]
fn a_fingerprint_covers_the_digest_and_the_summary() {
    let base = scenario::load(&shipped("everything.toml"), &[]).unwrap();
    let a = fingerprint(&base, 3, None).unwrap();
    assert_eq!(a, fingerprint(&base, 3, None).unwrap());
    let b = fingerprint(&base, 4, None).unwrap();
    assert_ne!(a.digest, b.digest);
    assert_ne!(a.summary, b.summary);
}

#[test]
fn the_soak_command_reports_agreement() {
    let dir = crate::support::temp_dir("soak-cli");
    let everything = shipped("everything.toml");
    let o = scuttlesim(
        &[
            "soak",
            s(&everything),
            "--seeds",
            "0..6",
            "-j",
            "2",
            "--trace",
            "versions",
            "-q",
        ],
        &dir,
    );
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(
        text.contains("pass 1: 2 jobs, ascending · pass 2: 1 job, descending"),
        "{text}"
    );
    assert!(
        text.contains("6 seeds x 2 runs: every digest and summary agrees · 6 distinct digests"),
        "{text}"
    );
    // A soak writes nothing.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

/// One seed reads in the singular: `1 seed x 2 runs`, `1 distinct
/// digest`, and `explore` of one seed `1 run` (they said `1 seeds`, `1
/// distinct digests`, `1 runs`).
#[test]
fn one_seed_reads_in_the_singular() {
    let dir = crate::support::temp_dir("soak-one");
    let q = shipped("quickstart.toml");
    let o = scuttlesim(&["soak", s(&q), "--seeds", "3..4", "--trace", "off", "-q"], &dir);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(
        text.contains("1 seed x 2 runs: every digest and summary agrees · 1 distinct digest · "),
        "{text}"
    );
    let flaky = shipped("flaky-convergence.toml");
    let o = scuttlesim(
        &["explore", s(&flaky), "--seeds", "0..1", "-q", "--out", "e"],
        &dir,
    );
    let text = stdout(&o);
    assert!(text.contains(" · 1 run · "), "{text}");
}
