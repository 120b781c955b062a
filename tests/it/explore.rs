//! `explore` on the shipped flaky scenario: it lists exactly the seeds that
//! fail when run one by one, whatever the number of threads.

use crate::bin::{s, scuttlesim, stdout};
use crate::support::{shipped, temp_dir};
use std::collections::BTreeSet;

fn listed_seeds(out: &str) -> BTreeSet<u64> {
    out.lines()
        .filter_map(|l| l.strip_prefix("seed "))
        .map(|n| n.trim().parse().unwrap())
        .collect()
}

#[test]
fn explore_lists_exactly_the_failing_seeds() {
    let dir = temp_dir("explore");
    let flaky = shipped("flaky-convergence.toml");
    let one = scuttlesim(
        &[
            "explore",
            s(&flaky),
            "--seeds",
            "0..20",
            "--jobs",
            "1",
            "--out",
            "a",
        ],
        &dir,
    );
    let two = scuttlesim(
        &[
            "explore",
            s(&flaky),
            "--seeds",
            "0..20",
            "-j",
            "2",
            "-q",
            "--out",
            "b",
        ],
        &dir,
    );
    assert_eq!(one.status.code(), Some(1), "{}", stdout(&one));
    assert_eq!(
        stdout(&one)
            .replace("a/flaky", "X/flaky")
            .replace("--out a", "--out X"),
        stdout(&two)
            .replace("b/flaky", "X/flaky")
            .replace("--out b", "--out X"),
        "output independent of --jobs (and -q only hides the bar)"
    );
    let listed = listed_seeds(&stdout(&one));
    assert!(!listed.is_empty() && listed.len() < 20, "{listed:?}");
    // Each seed, run on its own: exit 1 exactly for the listed ones.
    for seed in 0..20u64 {
        let o = scuttlesim(
            &[
                "run",
                s(&flaky),
                "--seed",
                &seed.to_string(),
                "--trace",
                "off",
                "--out",
                "single",
            ],
            &dir,
        );
        let expected = if listed.contains(&seed) { 1 } else { 0 };
        assert_eq!(o.status.code(), Some(expected), "seed {seed}: {}", stdout(&o));
    }
    // Failing seeds were written for replay, and only those.
    let written: BTreeSet<u64> = std::fs::read_dir(dir.join("a/flaky-convergence"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().parse().unwrap())
        .collect();
    assert_eq!(written, listed);
    for seed in &listed {
        assert!(stdout(&one).contains(&format!(
            "replay: scuttlesim replay a/flaky-convergence/{seed}/manifest.json"
        )));
    }
    // --stop-on-first: the lowest failing seed, deterministically.
    let first = scuttlesim(
        &[
            "explore",
            s(&flaky),
            "--seeds",
            "0..20",
            "--jobs",
            "2",
            "--stop-on-first",
            "--out",
            "c",
        ],
        &dir,
    );
    assert_eq!(first.status.code(), Some(1));
    assert_eq!(
        listed_seeds(&stdout(&first)),
        BTreeSet::from([*listed.first().unwrap()])
    );
}

#[test]
fn explore_rejects_bad_ranges_and_scenarios_without_checks() {
    let dir = temp_dir("explore-bad");
    let q = shipped("quickstart.toml");
    let o = scuttlesim(&["explore", s(&q), "--seeds", "0..4"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let flaky = shipped("flaky-convergence.toml");
    let o = scuttlesim(&["explore", s(&flaky), "--seeds", "5..2"], &dir);
    assert_eq!(o.status.code(), Some(2));
}
