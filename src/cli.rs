//! Command-line interface (clap derive): one function per command. Exit
//! codes: 0 ok, 1 a check failed, 2 bad input or an error.

mod chart;
mod check;
mod progress;
mod run;

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
    /// Exit codes: 0 ok, 1 a check failed, 2 bad input or I/O error.
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
    },
    /// Validate a scenario without running it; prints the resolved scenario as JSON.
    Check {
        /// The scenario file (.toml or .json).
        scenario: PathBuf,
        #[command(flatten)]
        opts: ScenarioOpts,
    },
    /// Draw a run's charts again from its stored metrics (and trace), without
    /// simulating; writes RUN_DIR/charts/NAME.{svg,png}.
    Chart(chart::ChartArgs),
}

#[derive(Debug, clap::Args)]
struct ScenarioOpts {
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long)]
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

/// Parses arguments, runs the command, prints errors; returns the exit code.
pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
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
        } => run::run(&scenario, &opts, &out, trace, quiet),
        Command::Check { scenario, opts } => check::check(&scenario, &opts),
        Command::Chart(args) => chart::chart(&args),
    }
}

/// Loads a scenario with the shared `--seed`/`--set` options applied.
fn load(path: &Path, opts: &ScenarioOpts) -> Result<Scenario> {
    let mut s = scenario::load(path, &opts.set)?;
    if let Some(seed) = opts.seed {
        s.seed = seed;
    }
    Ok(s)
}
