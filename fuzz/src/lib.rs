//! The properties every fuzz target checks, shared by the libFuzzer targets
//! (`fuzz_targets/`, nightly) and the stable mutational driver
//! (`src/bin/mutate.rs`). Each function takes arbitrary bytes and panics only
//! when scuttlesim breaks its contract for input files: any input gives a
//! located error or a success — never a panic, an unbounded allocation or a
//! hang (the drivers watch time and memory). Each returns the outcome
//! (`ok` or the error message), which the stable driver uses to judge novelty.

use scuttlesim::scenario::{self, Format};
use scuttlesim::trace::{read_trace, TraceReader};
use std::path::{Path, PathBuf};

/// The scenario loader on TOML text.
pub fn scenario_toml(data: &[u8]) -> String {
    scenario_text(data, Format::Toml)
}

/// The scenario loader on JSON text.
pub fn scenario_json(data: &[u8]) -> String {
    scenario_text(data, Format::Json)
}

fn scenario_text(data: &[u8], format: Format) -> String {
    let Ok(text) = std::str::from_utf8(data) else {
        return "not utf-8".into();
    };
    match scenario::parse_str(text, format, "f", "f", &[]) {
        Ok(s) => {
            // What a manifest stores must load back to the same scenario
            // (replay depends on it).
            let json = s.canonical_json();
            let again = scenario::parse_str(&json, Format::Json, "canonical", "f", &[]).unwrap_or_else(|e| {
                panic!("the canonical JSON of an accepted scenario is rejected: {e}\n{json}")
            });
            assert_eq!(again.canonical_json(), json, "canonical JSON does not round-trip");
            // The memory estimate is total (no overflow, no panic).
            let est = scuttlesim::limits::estimate(&s);
            assert!(est.total_bytes() > 0);
            "ok".into()
        }
        Err(e) => check_error(text, "f", &e),
    }
}

/// A located error: a file name, a non-empty message, and a 1-based
/// line:column — inside `text` when the error is about `file` (a sweep's
/// error may be about its base scenario, another file).
fn check_error(text: &str, file: &str, e: &scuttlesim::error::ScenarioError) -> String {
    assert!(
        !e.file.is_empty() && !e.message.trim().is_empty(),
        "empty error: {e:?}"
    );
    if let Some((line, col)) = e.location {
        assert!(line >= 1 && col >= 1, "location {line}:{col} is not 1-based: {e}");
        if e.file == file {
            let lines = text.split('\n').count();
            assert!(
                line <= lines + 1,
                "line {line} is past the end ({lines} lines): {e}"
            );
        }
    }
    e.to_string()
}

/// Where the sweep target pretends its file is: in `scenarios/`, so a
/// relative `base = "quickstart.toml"` names a shipped scenario.
fn sweep_path(format: Format) -> PathBuf {
    let name = match format {
        Format::Toml => "fuzz-sweep.toml",
        Format::Json => "fuzz-sweep.json",
    };
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(name)
}

/// The sweep loader (TOML, or JSON when the text starts with `{`).
pub fn sweep(data: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(data) else {
        return "not utf-8".into();
    };
    let format = if text.trim_start().starts_with('{') {
        Format::Json
    } else {
        Format::Toml
    };
    let path = sweep_path(format);
    match scuttlesim::sweep::parse_str(text, format, &path, scenario::TraceLevel::Off) {
        Ok(sw) => {
            let plan = &sw.plan;
            assert_eq!(
                plan.runs.len() as u64,
                plan.points.len() as u64 * plan.seeds.count(),
                "every point x every seed"
            );
            assert_eq!(plan.points.len(), sw.scenarios.len());
            // Every name that reaches a path is one plain component.
            for name in std::iter::once(&plan.name).chain(plan.points.iter().map(|p| &p.slug)) {
                plain_component(name);
            }
            for i in 0..plan.runs.len().min(1000) {
                let p = plan.run_path(i);
                assert!(
                    p.components()
                        .all(|c| matches!(c, std::path::Component::Normal(_))),
                    "run path {p:?} escapes the sweep directory"
                );
            }
            for s in &sw.scenarios {
                let _ = scuttlesim::limits::estimate(s);
            }
            "ok".into()
        }
        Err(e) => check_error(text, &path.display().to_string(), &e),
    }
}

fn plain_component(name: &str) {
    let mut c = Path::new(name).components();
    assert!(
        matches!(c.next(), Some(std::path::Component::Normal(_))) && c.next().is_none(),
        "{name:?} is not one plain path component"
    );
    assert!(!name.contains(['/', '\\', '\0']), "{name:?} has a separator");
}

/// The trace readers (whole-file and streaming) and the exporters that
/// stream a trace (text lines, ShiViz, Chrome).
pub fn trace(data: &[u8]) -> String {
    let whole = read_trace(data);
    let stream = TraceReader::new(data).map(|r| {
        let header = r.header().clone();
        let records: Result<Vec<_>, String> = r.map(|x| x.map(|(_, rec)| rec)).collect();
        (header, records)
    });
    if let Ok((header, records)) = &whole {
        let (h2, r2) = stream
            .as_ref()
            .unwrap_or_else(|e| panic!("read_trace accepts a trace the streaming reader rejects: {e}"));
        assert_eq!(header, h2);
        let r2 = r2
            .as_ref()
            .unwrap_or_else(|e| panic!("read_trace accepts a record the streaming reader rejects: {e}"));
        assert_eq!(records, r2, "the two readers disagree");
        for r in records {
            let _ = scuttlesim::export::text::describe(r, 3);
        }
    }
    let path = Path::new("fuzz-trace.jsonl");
    if let Ok(reader) = TraceReader::new(data) {
        let _ = scuttlesim::export::chrome::write(reader, path, &mut std::io::sink());
    }
    if let Ok(reader) = TraceReader::new(data) {
        let _ = scuttlesim::export::shiviz::write(reader, path, &mut std::io::sink());
    }
    match whole {
        Ok(_) => "ok".into(),
        Err(e) => e,
    }
}

/// The targets by name, for the stable driver.
pub const TARGETS: [(&str, fn(&[u8]) -> String); 4] = [
    ("scenario_toml", scenario_toml),
    ("scenario_json", scenario_json),
    ("sweep", sweep),
    ("trace", trace),
];
