//! `scuttlesim shrink`: a smaller scenario that still fails the same check.

use super::report::shell_quote;
use super::signal::{stop_flag, EXIT_INTERRUPTED};
use anyhow::{Context, Result};
use scuttlesim::output::write_atomic;
use scuttlesim::replay::read_manifest;
use scuttlesim::shrink::{shrink as shrink_run, ShrinkOptions, DEFAULT_MAX_RUNS};
use std::path::PathBuf;
use std::process::ExitCode;

/// The options of `shrink`.
#[derive(Debug, clap::Args)]
pub(crate) struct ShrinkArgs {
    /// The failing run's manifest.json (or its run directory).
    manifest: PathBuf,
    /// Where to write the shrunk scenario: TOML, or JSON for a .json file (default:
    /// shrunk.toml beside the manifest; shrunk.json when the seed is above 2^63 - 1,
    /// which TOML cannot hold; `-`: standard output, with the messages on stderr).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Most simulation runs to spend (at least 1: the first reruns the failing run).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_RUNS as u64, value_parser = clap::value_parser!(u64).range(1..))]
    max_runs: u64,
    /// Which failed check to keep failing (its index in `checks`; default the first failed).
    #[arg(long, value_name = "INDEX")]
    check: Option<usize>,
}

/// Refuses a `--out` file that `run` would not load: `run` knows a
/// scenario by its extension, `.toml` or `.json` (in lower case), so the
/// shrunk scenario's file must have one. A device or FIFO (`-`,
/// `/dev/stdout`) has none and is written as TOML.
fn check_scenario_name(out: &std::path::Path) -> Result<()> {
    if scuttlesim::output::write_target(out) == scuttlesim::output::WriteTarget::InPlace
        || scuttlesim::scenario::Format::from_path(out).is_some()
    {
        return Ok(());
    }
    anyhow::bail!(
        "--out {}: a scenario file must end in .toml or .json (lower case), as `scuttlesim run` reads only those",
        out.display()
    )
}

/// The lines that say where the scenario went and how to run it. `run`
/// reads a scenario from a file ending in `.toml` or `.json` only, so a
/// scenario written to standard output (`to_stdout`) or to another device
/// or FIFO gets a hint to save it to a file instead of a command that
/// cannot work.
fn written_lines(out: &std::path::Path, to_stdout: bool) -> Vec<String> {
    let shown = shell_quote(&out.display().to_string());
    if to_stdout {
        vec![
            "written to standard output".to_string(),
            "run it:  save it to a .toml file (--out shrunk.toml), then scuttlesim run shrunk.toml"
                .to_string(),
        ]
    } else if scuttlesim::scenario::Format::from_path(out).is_none() {
        vec![
            format!("written: {shown}"),
            "run it:  save it to a .toml file (--out shrunk.toml), then scuttlesim run shrunk.toml"
                .to_string(),
        ]
    } else {
        vec![
            format!("written: {shown}"),
            format!("run it:  scuttlesim run {shown}"),
        ]
    }
}

/// Shrinks, writes the scenario, prints what was removed.
pub(crate) fn shrink(a: &ShrinkArgs) -> Result<ExitCode> {
    let given = a.out.as_deref().map(super::out_file);
    if let Some(out) = &given {
        super::check_out_file(out)?;
        check_scenario_name(out)?;
        super::keep_stdout_for(out);
    }
    let manifest_file = super::manifest_path(&a.manifest);
    let manifest = read_manifest(&manifest_file)?;
    if let Some(out) = &given {
        let trace = manifest
            .trace_file
            .as_ref()
            .map(|f| manifest_file.with_file_name(f));
        super::refuse_run_file(out, &manifest_file, trace.as_deref())?;
    }
    let opts = ShrinkOptions {
        max_runs: usize::try_from(a.max_runs).unwrap_or(usize::MAX),
        check: a.check,
    };
    // TOML's integers stop at 2^63 - 1: a larger seed is written as JSON.
    let fits_toml = toml::to_string(&manifest.scenario).is_ok();
    let json = |p: &std::path::Path| p.extension().is_some_and(|e| e == "json");
    if let Some(out) = given.as_deref().filter(|o| !fits_toml && !json(o)) {
        anyhow::bail!(
            "--out {}: seed {} does not fit a TOML file (TOML integers stop at {}); give a .json file",
            out.display(),
            manifest.scenario.seed,
            i64::MAX
        );
    }
    let stop = stop_flag();
    let s = shrink_run(&manifest, &manifest_file, &opts, Some(stop), &|step| {
        eprintln!("  {step}")
    })
    .with_context(|| format!("shrinking {}", manifest_file.display()))?;
    let out = given.unwrap_or_else(|| {
        manifest_file
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join(if fits_toml { "shrunk.toml" } else { "shrunk.json" })
    });
    let source = shell_quote(&manifest_file.display().to_string());
    let text = match s.to_toml(&source) {
        Some(toml) if !json(&out) => toml,
        _ => s.to_json(),
    };
    write_atomic(&out, text.as_bytes())?;
    outln!(
        "shrunk {} · seed {} · {}{}{}",
        s.target,
        s.scenario.seed,
        super::plural(s.runs as u64, "run", "runs"),
        if s.budget_exhausted {
            " (budget exhausted: --max-runs for more)"
        } else {
            ""
        },
        if s.interrupted { " (interrupted)" } else { "" }
    );
    for line in s.note_lines() {
        outln!("  {line}");
    }
    for line in s.kept_lines() {
        outln!("  {line}");
    }
    outln!("still fails: {}", s.failure.detail);
    if let Some(changed) = s.changed_failure() {
        outln!("{changed}");
    }
    for line in written_lines(&out, super::stdout_is_output()) {
        outln!("{line}");
    }
    if s.interrupted {
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// A file gets the command that runs it; standard output and a FIFO
    /// (no `.toml` or `.json` name, which `run` needs) get the hint to
    /// save the scenario to a file.
    #[test]
    fn where_it_went_and_how_to_run_it() {
        let file = super::written_lines(Path::new("out/shrunk.toml"), false);
        assert_eq!(
            file,
            [
                "written: out/shrunk.toml",
                "run it:  scuttlesim run out/shrunk.toml"
            ]
        );
        for (out, to_stdout) in [("/dev/stdout", true), ("/tmp/fifo", false)] {
            let lines = super::written_lines(Path::new(out), to_stdout);
            assert!(lines.iter().all(|l| !l.contains("scuttlesim run /")), "{lines:?}");
            assert!(lines[1].contains("save it to a .toml file"), "{lines:?}");
        }
    }
}
