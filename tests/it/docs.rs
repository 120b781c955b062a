//! The repository's text as a reader meets it: no leftovers of a merge.

use std::path::{Path, PathBuf};

/// Every text file under `dir` (recursively) whose name ends in one of `exts`.
fn files(dir: &Path, exts: &[&str], into: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, exts, into);
        } else if exts.iter().any(|x| p.extension().is_some_and(|e| e == *x)) {
            into.push(p);
        }
    }
}

/// A conflict that was committed unresolved (both sides and the markers)
/// shows in the rendered README as `<<<<<<< HEAD` and two versions of a
/// paragraph. Markers are lines starting with seven `<` or `>` and a space,
/// or exactly seven `=` (Markdown's setext underline of that length would
/// be caught too; none is used).
#[test]
fn no_file_holds_merge_conflict_markers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = vec![root.join("README.md"), root.join("ARCHITECTURE.md")];
    for dir in ["docs", "src", "tests", "scenarios", "examples"] {
        files(&root.join(dir), &["md", "rs", "toml", "json"], &mut all);
    }
    assert!(all.len() > 50, "found only {} files", all.len());
    let mut found = Vec::new();
    for p in &all {
        let text = std::fs::read_to_string(p).unwrap();
        for (i, line) in text.lines().enumerate() {
            if line.starts_with("<<<<<<< ") || line.starts_with(">>>>>>> ") || line == "=======" {
                found.push(format!("{}:{}: {line}", p.display(), i + 1));
            }
        }
    }
    assert!(found.is_empty(), "merge conflict markers:\n{}", found.join("\n"));
}
