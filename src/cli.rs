//! Command-line interface (clap derive): one function per command. Exit
//! codes: 0 ok, 1 a check failed (or a replay differs), 2 bad input or an
//! error, 130 interrupted (Ctrl-C).

/// `println!` for command output: a closed stdout (`scuttlesim … | head`)
/// drops the rest of the output instead of panicking, and the command still
/// ends with its own exit code.
macro_rules! outln {
    () => {
        $crate::cli::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for command output; see `outln!`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!($($arg)*))
    };
}

mod bench;
mod chart;
mod check;
mod explore;
mod export;
mod limits;
mod merge;
mod progress;
mod replay;
mod report;
mod run;
mod shrink;
mod signal;
mod soak;
mod sweep;
mod trace;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};
use scuttlesim::scenario::{self, Scenario, TraceLevel};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A deterministic discrete-event simulator for Scuttlebutt gossip.
///
/// Scenario files (TOML or JSON) describe the cluster, the protocol, the
/// workload and the network; see README.md for every field. The same
/// binary, scenario and seed always give the same trace digest.
#[derive(Debug, Parser)]
#[command(name = "scuttlesim", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run one scenario; writes output/<name>/<seed>/{manifest,summary}.json,
    /// trace.jsonl, metrics/*.csv and charts/*.{svg,png}.
    ///
    /// Exit codes: 0 ok, 1 a check failed, 2 bad input or I/O error, 130 interrupted.
    Run {
        /// The scenario file (.toml or .json).
        scenario: PathBuf,
        #[command(flatten)]
        opts: ScenarioOpts,
        /// Output root; the run goes to DIR/<name>/<seed>/.
        #[arg(long, value_name = "DIR", default_value = "output")]
        out: PathBuf,
        /// Trace level to write (overrides [output] trace): off writes no trace
        /// file but still computes the digest of the `versions` records.
        #[arg(long, value_enum)]
        trace: Option<TraceArg>,
        /// No progress bar (it only shows on a terminal, for runs over a second).
        #[arg(long, short = 'q')]
        quiet: bool,
        #[command(flatten)]
        memory: limits::MemoryOpts,
    },
    /// Validate a scenario without running it; prints the resolved scenario as JSON.
    ///
    /// Refuses (exit 2) what `run` would refuse, the memory limit included.
    ///
    /// Exit codes: 0 valid, 2 bad input (or over the memory limit).
    Check {
        /// The scenario file (.toml or .json).
        scenario: PathBuf,
        #[command(flatten)]
        opts: ScenarioOpts,
        #[command(flatten)]
        memory: limits::MemoryOpts,
    },
    /// Rerun a run's manifest and verify it bit for bit; prints "identical"
    /// (exit 0) or the first divergent record (exit 1). A trace the
    /// manifest names that is missing, unreadable or has another run's
    /// header is a difference (exit 1). Writes nothing.
    ///
    /// Exit codes: 0 identical, 1 different (or the stored trace missing or
    /// damaged), 2 bad input or I/O error, 130 interrupted.
    Replay {
        /// The run's manifest.json (or its run directory).
        manifest: PathBuf,
    },
    /// Print a stored trace readably, filtered by node, origin, key, time and kind.
    ///
    /// A duplicated message's second receive or drop is marked `(copy)`, as
    /// in the Chrome export; fault sides that are a scenario group are named
    /// by it (`partition a | b`), as in the chart, when the run's
    /// manifest.json is beside the trace.
    ///
    /// Exit codes: 0 ok, 2 bad input or I/O error.
    Trace(trace::TraceArgs),
    /// Run a scenario under many seeds in parallel; list the seeds whose
    /// checks fail, with their replay commands (exit 1 if any).
    ///
    /// Exit codes: 0 no seed fails, 1 some seed fails, 2 bad input or I/O error, 130 interrupted.
    Explore(explore::ExploreArgs),
    /// Find a smaller scenario (same seed) that still fails the same check;
    /// writes it as TOML with a note of what was removed.
    ///
    /// Exit codes: 0 shrunk, 2 bad input (e.g. no failed check) or I/O error, 130 interrupted
    /// (the smallest failing scenario found so far is written).
    Shrink(shrink::ShrinkArgs),
    /// Export a stored trace for ShiViz or Chrome/Perfetto.
    ///
    /// Exit codes: 0 ok, 2 bad input or I/O error.
    Export(export::ExportArgs),
    /// Run a sweep: every grid point x every seed, in parallel; writes
    /// DIR/<sweep>/{summary.csv, points.csv, <point>/<seed>/}.
    ///
    /// Exit codes: 0 ok, 1 a run failed a check (everything is written),
    /// 2 bad input (nothing runs) or an I/O error, 130 interrupted (Ctrl-C:
    /// nothing summarised; --resume finishes it).
    Sweep(sweep::SweepArgs),
    /// Join the outputs of `sweep --shard K/N` (every K once) into summary
    /// files byte-identical to an unsharded sweep.
    ///
    /// Exit codes: 0 ok, 2 bad input (a missing or repeated shard, another sweep) or I/O error.
    Merge(merge::MergeArgs),
    /// Determinism soak: run a scenario under many seeds twice (on thread
    /// pools of different sizes, one thread each for a single seed, in
    /// opposite orders) and compare every trace digest and summary; exit 1
    /// on any difference.
    ///
    /// Exit codes: 0 identical, 1 a difference, 2 bad input or I/O error, 130 interrupted.
    Soak(soak::SoakArgs),
    /// Benchmark: run the shared scenarios P0 (engine throughput) and P1
    /// (Scuttlebutt push-pull) and print events/s, wall time and peak memory.
    ///
    /// Exit codes: 0 ok, 2 bad input (or over the memory limit) or I/O error.
    Bench(bench::BenchArgs),
    /// Draw a run's charts again from its stored metrics (and trace), without
    /// simulating; writes RUN_DIR/charts/NAME.{svg,png}.
    ///
    /// Exit codes: 0 ok, 2 bad input or I/O error.
    Chart(chart::ChartArgs),
}

#[derive(Debug, clap::Args)]
struct ScenarioOpts {
    /// Master seed (overrides the scenario's `seed`): a whole number, 0 or more.
    #[arg(long, allow_negative_numbers = true, value_parser = seed_arg)]
    seed: Option<u64>,
    /// Override a field: --set nodes.count=1000 --set gossip.interval=500ms
    /// (repeatable; the value is read as TOML, or as a string).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum TraceArg {
    Off,
    Versions,
    Full,
}

impl From<TraceArg> for TraceLevel {
    fn from(t: TraceArg) -> TraceLevel {
        match t {
            TraceArg::Off => TraceLevel::Off,
            TraceArg::Versions => TraceLevel::Versions,
            TraceArg::Full => TraceLevel::Full,
        }
    }
}

/// A manifest argument: the file itself, or a run directory holding
/// `manifest.json`.
pub(crate) fn manifest_path(arg: &Path) -> PathBuf {
    if arg.is_dir() {
        arg.join("manifest.json")
    } else {
        arg.to_path_buf()
    }
}

/// Refuses an output root (`--out DIR`) that cannot be a directory: it, or
/// the nearest part of it that exists, is a file. Checked before anything
/// runs (an exploration would otherwise run every seed first), and said in
/// the option's words rather than as "Not a directory (os error 20)" on a
/// path inside it.
pub(crate) fn check_out_dir(out: &Path) -> Result<()> {
    let existing = out.ancestors().find(|a| !a.as_os_str().is_empty() && a.exists());
    if let Some(a) = existing.filter(|a| !a.is_dir()) {
        if a == out {
            anyhow::bail!("--out {}: is a file, not a directory", out.display());
        }
        anyhow::bail!(
            "--out {}: cannot be a directory: {} is a file",
            out.display(),
            a.display()
        );
    }
    Ok(())
}

/// Refuses an output file (`--out FILE`) that cannot be written: it is a
/// directory, the nearest part of its path that exists is a file, or its
/// directory does not exist. Checked before anything is read or written,
/// and said in the option's words rather than as "Not a directory (os
/// error 20)" on the temporary file written first.
pub(crate) fn check_out_file(out: &Path) -> Result<()> {
    let shown = out.display();
    if out.is_dir() {
        anyhow::bail!("--out {shown}: is a directory, expected a file path");
    }
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    let existing = parent.and_then(|p| p.ancestors().find(|a| !a.as_os_str().is_empty() && a.exists()));
    if let Some(a) = existing.filter(|a| !a.is_dir()) {
        anyhow::bail!(
            "--out {shown}: cannot be created: {} is a file, not a directory",
            a.display()
        );
    }
    if let Some(p) = parent.filter(|p| !p.is_dir()) {
        anyhow::bail!(
            "--out {shown}: cannot be created: directory {} does not exist",
            p.display()
        );
    }
    Ok(())
}

/// Refuses an output file (`--out FILE`) that is one of a run's own files:
/// `input` (the trace or manifest the command reads) and, in the run
/// directory beside it, `manifest.json`, `summary.json`, the trace and the
/// files under `metrics/` and `charts/`. Writing there would leave a
/// broken run behind. The same file is found by device and inode, so a
/// symbolic link, `..` or another spelling of the path is caught too; a
/// name that does not exist yet is none of them.
pub(crate) fn refuse_run_file(out: &Path, input: &Path, trace: Option<&Path>) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let target = match scuttlesim::output::write_target(out) {
        scuttlesim::output::WriteTarget::InPlace => return Ok(()),
        scuttlesim::output::WriteTarget::Replace(target) => target,
    };
    let Ok(meta) = std::fs::metadata(&target) else {
        return Ok(());
    };
    let dir = input
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut own: Vec<PathBuf> = vec![input.to_path_buf()];
    own.extend(trace.map(Path::to_path_buf));
    if dir.join("manifest.json").is_file() {
        own.extend(["manifest.json", "summary.json", "trace.jsonl"].map(|f| dir.join(f)));
        for sub in [scuttlesim::report::METRICS_DIR, scuttlesim::render::CHARTS_DIR] {
            if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
                own.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
            }
        }
    }
    let same =
        |p: &PathBuf| std::fs::metadata(p).is_ok_and(|m| m.dev() == meta.dev() && m.ino() == meta.ino());
    if let Some(p) = own.iter().find(|&p| same(p)) {
        anyhow::bail!(
            "--out {}: is {}, one of the run's own files; writing it would break the run: choose another file",
            out.display(),
            p.display()
        );
    }
    Ok(())
}

/// A `--seed` value: a whole number from 0 to 2^64 − 1. (clap's own
/// message for `--seed -1` suggested `-- -1`, which passes `-1` as the
/// scenario instead; for `1.5` it said "invalid digit found in string".)
pub(crate) fn seed_arg(text: &str) -> std::result::Result<u64, String> {
    text.parse::<u64>()
        .map_err(|_| format!("expected a whole number from 0 to {}, e.g. --seed 42", u64::MAX))
}

/// A time given on the command line: a duration (`1.5s`, `250ms`), or a
/// bare number of seconds (`1.5`).
pub(crate) fn time_arg(flag: &str, text: &str) -> Result<scuttlesim::time::SimDuration> {
    let t = text.trim();
    if t.starts_with('-') {
        anyhow::bail!("{flag}: a time in the run cannot be negative; got {t:?} (e.g. 0, 1.5 or 250ms)");
    }
    let parsed = if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.') {
        scuttlesim::time::parse_duration(&format!("{t}s"))
    } else {
        scuttlesim::time::parse_duration(t)
    };
    parsed.map_err(|e| anyhow::anyhow!("{flag}: {e}"))
}

/// Set when a command's `--out` is standard output itself: its messages
/// then go to stderr, not into the file it writes.
static STDOUT_IS_OUTPUT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// An `--out FILE` as given, with `-` meaning standard output (`/dev/stdout`).
pub(crate) fn out_file(out: &Path) -> PathBuf {
    if out == Path::new("-") {
        PathBuf::from("/dev/stdout")
    } else {
        out.to_path_buf()
    }
}

/// Sends later command messages to stderr if `out` is the file, pipe or
/// terminal standard output writes to (`--out /dev/stdout`, `--out -`), so
/// they do not land in (or overwrite the start of) the output.
pub(crate) fn keep_stdout_for(out: &Path) {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let Ok(target) = std::fs::metadata(out) else {
        return;
    };
    let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() else {
        return;
    };
    let same = std::fs::File::from(fd)
        .metadata()
        .is_ok_and(|m| m.dev() == target.dev() && m.ino() == target.ino());
    if same {
        STDOUT_IS_OUTPUT.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// `k` and the noun, in the singular where `k` is 1 (shared with `check`).
pub(crate) use scuttlesim::check::plural;

/// Whether [`keep_stdout_for`] found `--out` to be standard output.
pub(crate) fn stdout_is_output() -> bool {
    STDOUT_IS_OUTPUT.load(std::sync::atomic::Ordering::Relaxed)
}

/// Writes command output to stdout (to stderr after [`keep_stdout_for`]
/// found `--out` to be stdout). Once a write fails (the reader went away,
/// e.g. `| head`), later output is dropped silently.
pub(crate) fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    static CLOSED: AtomicBool = AtomicBool::new(false);
    if STDOUT_IS_OUTPUT.load(Ordering::Relaxed) {
        let _ = std::io::stderr().lock().write_fmt(args);
        return;
    }
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if stdout.write_fmt(args).and_then(|()| stdout.flush()).is_err() {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Whether `e` comes from writing into a pipe whose reader went away.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        let io = match cause.downcast_ref::<scuttlesim::error::Error>() {
            Some(scuttlesim::error::Error::Io { error, .. }) => Some(error),
            _ => cause.downcast_ref::<std::io::Error>(),
        };
        io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Parses arguments, runs the command, prints errors; returns the exit
/// code. An output written to standard output (`--out -`) whose reader
/// went away (`| head`) ends the command quietly with 0.
pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        // `export … --out - | head`: the reader took what it wanted. End
        // quietly with 0, as `trace | head` and `check | head` do.
        Err(e) if stdout_is_output() && broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run {
            scenario,
            opts,
            out,
            trace,
            quiet,
            memory,
        } => run::run(&scenario, &opts, &out, trace, quiet, &memory),
        Command::Check {
            scenario,
            opts,
            memory,
        } => check::check(&scenario, &opts, &memory),
        Command::Replay { manifest } => replay::replay(&manifest),
        Command::Trace(a) => trace::trace(&a),
        Command::Explore(a) => explore::explore(&a),
        Command::Shrink(a) => shrink::shrink(&a),
        Command::Export(a) => export::export(&a),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Soak(a) => soak::soak(&a),
        Command::Bench(args) => bench::bench(&args),
        Command::Chart(args) => chart::chart(&args),
    }
}

/// Loads a scenario with the shared `--seed`/`--set` options applied.
fn load(path: &Path, opts: &ScenarioOpts, trace: Option<TraceArg>) -> Result<Scenario> {
    let mut s = scenario::load(path, &with_trace(&opts.set, trace))?;
    if let Some(seed) = opts.seed {
        s.seed = seed;
    }
    Ok(s)
}

/// Prints on stderr the scenario's [`Scenario::warnings`], each as
/// `warning: FILE: field `F`: …` (a valid setting that is likely a mistake).
fn print_warnings(path: &Path, s: &Scenario) {
    for (field, message) in s.warnings() {
        eprintln!("warning: {}: field `{field}`: {message}", path.display());
    }
}

/// The `--set` overrides with `--trace` as one more (`output.trace`), so
/// that validation sees the level the run will use (a space-time chart
/// needs `full`).
fn with_trace(set: &[String], trace: Option<TraceArg>) -> Vec<String> {
    let mut all = set.to_vec();
    if let Some(t) = trace {
        all.push(format!("output.trace=\"{}\"", TraceLevel::from(t).name()));
    }
    all
}
