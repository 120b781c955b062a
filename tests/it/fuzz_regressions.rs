//! Inputs the fuzzers (fuzz/, see README "Fuzzing") found, or that review
//! found while writing them, kept in `fuzz/regressions/<target>/`: each
//! must give a located error or a success, never a panic, a hang or an
//! unbounded allocation. The same contract as the fuzz targets, on the
//! normal build.

use scuttlesim::error::ScenarioError;
use scuttlesim::scenario::{self, Format, TraceLevel};
use scuttlesim::trace::{read_trace, TraceReader};
use std::path::{Path, PathBuf};

fn regressions(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}", dir.display());
    files
}

/// A located error: a message, and a 1-based line:column, inside the text
/// when the error is about `file` (a sweep's may be about its base).
fn located(text: &str, file: &str, e: &ScenarioError, what: &Path) {
    assert!(
        !e.message.trim().is_empty(),
        "{}: empty message: {e:?}",
        what.display()
    );
    if let Some((line, col)) = e.location {
        assert!(line >= 1 && col >= 1, "{}: {e}", what.display());
        if e.file == file {
            assert!(line <= text.split('\n').count() + 1, "{}: {e}", what.display());
        }
    }
}

#[test]
fn scenario_inputs_give_located_errors_or_success() {
    for (target, format) in [("scenario_toml", Format::Toml), ("scenario_json", Format::Json)] {
        for path in regressions(target) {
            let bytes = std::fs::read(&path).unwrap();
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            match scenario::parse_str(text, format, "f", "f", &[]) {
                Err(e) => located(text, "f", &e, &path),
                // What a manifest stores loads back to the same scenario.
                Ok(s) => {
                    let json = s.canonical_json();
                    let again = scenario::parse_str(&json, Format::Json, "c", "f", &[]).unwrap();
                    assert_eq!(again.canonical_json(), json, "{}", path.display());
                }
            }
        }
    }
}

#[test]
fn sweep_inputs_give_located_errors_or_success() {
    let at = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fuzz-sweep.toml");
    for path in regressions("sweep") {
        let text = std::fs::read_to_string(&path).unwrap();
        if let Err(e) = scuttlesim::sweep::parse_str(&text, Format::Toml, &at, TraceLevel::Off) {
            located(&text, &at.display().to_string(), &e, &path);
        }
    }
}

#[test]
fn trace_inputs_give_errors_or_records() {
    for path in regressions("trace") {
        let bytes = std::fs::read(&path).unwrap();
        let _ = read_trace(&bytes[..]);
        if let Ok(r) = TraceReader::new(&bytes[..]) {
            let out = std::io::sink();
            let mut out = std::io::BufWriter::new(out);
            let _ = scuttlesim::export::chrome::write(r, &path, Path::new("out.json"), &mut out);
        }
    }
}

/// TOML reports some syntax errors (a NUL in a comment) without a message;
/// the error was `f:2:4: ` and said nothing.
#[test]
fn toml_syntax_errors_always_say_something() {
    let e = scenario::parse_str("duration = \"1s\"\n# a\0b\n", Format::Toml, "f.toml", "f", &[]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "f.toml:2:4: invalid TOML: unexpected character '\\0'"
    );
}

/// An empty JSON file was reported at column 0.
#[test]
fn json_errors_at_the_start_are_at_column_one() {
    let e = scenario::parse_str("", Format::Json, "f.json", "f", &[]).unwrap_err();
    assert_eq!(e.to_string(), "f.json:1:1: EOF while parsing a value");
}

/// 64 grid keys of 2 values each: the point count (2^64) wrapped to 0 in a
/// release build, passed the run limit and then built the grid.
#[test]
fn a_grid_too_large_to_count_is_refused() {
    let keys: Vec<String> = (0..64).map(|i| format!("k{i}.fanout = [1, 2]")).collect();
    let text = format!(
        "base = \"quickstart.toml\"\nseeds = 1\n[grid]\n{}\n",
        keys.join("\n")
    );
    let at = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/s.toml");
    let e = scuttlesim::sweep::parse_str(&text, Format::Toml, &at, TraceLevel::Off).unwrap_err();
    assert!(e.message.contains("a sweep may have at most 1000000"), "{e}");
    // It points at the grid table (line 3), not at nothing.
    assert_eq!(e.location.map(|(line, _)| line), Some(3), "{e}");
    assert_eq!(e.field.as_deref(), Some("grid"), "{e}");
}

/// A damaged header claiming 2^32 - 1 nodes made `export --format chrome`
/// write two lines per node: hundreds of gigabytes.
#[test]
fn a_trace_header_with_impossible_nodes_is_refused() {
    let text = "{\"type\":\"header\",\"format\":\"scuttlesim-trace/1\",\"version\":\"0.1.0\",\"scenario\":\"x\",\"scenario_hash\":\"0\",\"seed\":1,\"level\":\"full\",\"nodes\":4294967295}\n";
    let e = TraceReader::new(text.as_bytes()).unwrap_err();
    assert_eq!(
        e,
        "line 1: a trace of 4294967295 nodes; a scenario has at most 10000000"
    );
    assert_eq!(read_trace(text.as_bytes()).unwrap_err(), e);
}

/// serde_json's default float parser may be one ULP off: the canonical
/// JSON of `p_good_to_bad = 0.0218446744073709551616` loaded back as
/// another float, so a manifest's scenario differed from the run's.
#[test]
fn floats_round_trip_through_the_canonical_json() {
    let text = "duration = \"10s\"\n[nodes]\ncount = 2\n[network]\nburst_loss = { p_good_to_bad = 0.0218446744073709551616, p_bad_to_good = 0.2 }\n";
    let s = scenario::parse_str(text, Format::Toml, "f.toml", "f", &[]).unwrap();
    let again = scenario::parse_str(&s.canonical_json(), Format::Json, "c", "f", &[]).unwrap();
    assert_eq!(again, s);
    assert_eq!(again.hash(), s.hash());
}
