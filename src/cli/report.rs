//! Printing shared by the commands: check results and the exact commands
//! that reproduce a run (every failure prints its seed and how to replay it).

use scuttlesim::check::CheckResult;
use std::path::Path;

/// `s` quoted for a POSIX shell when it needs to be.
pub(crate) fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./=:,+@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `scuttlesim run PATH --seed N [--set …] [--trace …] [--out …]`.
pub(crate) fn run_command(
    path: &Path,
    seed: u64,
    sets: &[String],
    trace: Option<&str>,
    out: Option<&Path>,
) -> String {
    let mut cmd = format!(
        "scuttlesim run {} --seed {seed}",
        shell_quote(&path.display().to_string())
    );
    for s in sets {
        cmd.push_str(" --set ");
        cmd.push_str(&shell_quote(s));
    }
    if let Some(t) = trace {
        cmd.push_str(" --trace ");
        cmd.push_str(t);
    }
    if let Some(o) = out {
        cmd.push_str(" --out ");
        cmd.push_str(&shell_quote(&o.display().to_string()));
    }
    cmd
}

/// `scuttlesim replay DIR/manifest.json`.
pub(crate) fn replay_command(run_dir: &Path) -> String {
    format!(
        "scuttlesim replay {}",
        shell_quote(&run_dir.join("manifest.json").display().to_string())
    )
}

/// One line per check: `ok` or `FAILED`, the check, the detail.
pub(crate) fn render_checks(results: &[CheckResult]) -> String {
    let mut o = String::new();
    if results.is_empty() {
        return o;
    }
    let failed = results.iter().filter(|r| !r.passed).count();
    o.push_str(&format!(
        "checks: {} passed, {failed} failed\n",
        results.len() - failed
    ));
    for r in results {
        o.push_str(&format!(
            "  {:<6} {}: {}\n",
            if r.passed { "ok" } else { "FAILED" },
            r.check,
            r.detail
        ));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("nodes.count=16"), "nodes.count=16");
        assert_eq!(
            shell_quote("network.latency={ dist = \"constant\" }"),
            "'network.latency={ dist = \"constant\" }'"
        );
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
