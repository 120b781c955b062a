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
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "failing.txt")
        .map(|name| name.parse().unwrap())
        .collect();
    assert_eq!(written, listed);
    let file = std::fs::read_to_string(dir.join("a/flaky-convergence/failing.txt")).unwrap();
    let in_file: BTreeSet<u64> = file.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(in_file, listed);
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
    // The counts: every seed ran; with --stop-on-first, the seeds up to the
    // lowest failing one (all of them run, whatever the thread count).
    let header = |o: &std::process::Output| stdout(o).lines().next().unwrap_or_default().to_string();
    assert!(
        header(&one).contains(&format!(" · 20 runs · {} failing", listed.len())),
        "{}",
        header(&one)
    );
    let upto = listed.first().unwrap() + 1;
    let runs = if upto == 1 { "run" } else { "runs" };
    assert!(
        header(&first).contains(&format!(" · {upto} {runs} · 1 failing")),
        "{}",
        header(&first)
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

/// Every seed fails (no gossip fits in 1 byte/s): the first ten are shown
/// in full, the rest counted, the seeds line written as a range, and every
/// failing seed listed in `failing.txt`, whatever the number of threads.
#[test]
fn many_failing_seeds_are_summarised_and_listed_in_a_file() {
    let dir = temp_dir("explore-many");
    std::fs::write(
        dir.join("always.toml"),
        r#"
name = "always"
duration = "3s"
[nodes]
count = 4
[gossip]
interval = "1s"
[output]
trace = "off"
[[checks]]
max_bytes_per_node_per_s = 1
"#,
    )
    .unwrap();
    let run = |jobs: &str, out: &str| {
        scuttlesim(
            &[
                "explore",
                "always.toml",
                "--seeds",
                "3..28",
                "-j",
                jobs,
                "-q",
                "--out",
                out,
            ],
            &dir,
        )
    };
    let one = run("1", "a");
    let two = run("2", "b");
    assert_eq!(one.status.code(), Some(1), "{}", stdout(&one));
    let text = stdout(&one);
    let same = |t: String, o: &str| {
        t.replace(&format!("{o}/always"), "X/always")
            .replace(&format!("--out {o}"), "--out X")
    };
    assert_eq!(same(text.clone(), "a"), same(stdout(&two), "b"));
    assert_eq!(listed_seeds(&text), (3..13).collect::<BTreeSet<u64>>());
    assert_eq!(text.matches("  rerun:  ").count(), 10);
    assert!(
        text.contains("… and 15 more failing seeds (all listed in a/always/failing.txt)\n"),
        "{text}"
    );
    assert!(text.contains("\nfailing seeds: 3-27\n"), "{text}");
    let listed = std::fs::read_to_string(dir.join("a/always/failing.txt")).unwrap();
    let want: String = (3..28).map(|n| format!("{n}\n")).collect();
    assert_eq!(listed, want);
    // Every failing seed's run was still written.
    for seed in 3..28 {
        assert!(dir.join(format!("a/always/{seed}/manifest.json")).is_file());
    }
}
