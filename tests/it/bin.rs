//! Running the binary from tests (shared by the checks, replay, explore,
//! shrink, export and interrupt modules).

use std::path::Path;
use std::process::{Command, Output};

/// Runs `scuttlesim ARGS` in `cwd` and waits.
pub fn scuttlesim(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scuttlesim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("binary runs")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The path as a &str.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}
