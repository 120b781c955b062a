//! `--max-memory`: the memory limit of `run`, `check`, `sweep`, `explore`, `soak` and `bench`,
//! checked against the estimate of [`scuttlesim::limits`] before anything
//! runs or is written.

use anyhow::{bail, Result};
use scuttlesim::limits::{self, Limit};
use scuttlesim::scenario::Scenario;
use std::path::Path;

/// The memory-limit option shared by the commands that run scenarios.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct MemoryOpts {
    /// Refuse to start when the estimated memory of the runs at once exceeds
    /// SIZE (e.g. 8GiB, 512MiB, 2G; units are powers of 1024, so 2GB is 2
    /// GiB; `none`: no limit). Default: 80% of this machine's memory.
    #[arg(long = "max-memory", value_name = "SIZE", value_parser = parse_limit)]
    max_memory: Option<Limit>,
}

fn parse_limit(text: &str) -> Result<Limit, String> {
    Ok(Limit {
        bytes: limits::parse_size(text)?,
        source: format!("--max-memory {text}"),
    })
}

impl MemoryOpts {
    /// The limit in force.
    pub(crate) fn limit(&self) -> Limit {
        self.max_memory.clone().unwrap_or_else(limits::default_limit)
    }

    /// Fails (exit 2, nothing written) when `parallel` runs of `s` at once
    /// would exceed the limit; `what` prefixes the message (the file).
    /// The `--set` overrides `set` are named after the file: they made the
    /// scenario refused, or helped to.
    pub(crate) fn check(&self, what: &Path, set: &[String], s: &Scenario, parallel: usize) -> Result<()> {
        let mut named = what.display().to_string();
        if !set.is_empty() {
            let shown: Vec<String> = set
                .iter()
                .map(|o| format!("--set {}", scuttlesim::error::clip(o)))
                .collect();
            named = format!("{named} with {}", shown.join(" "));
        }
        self.check_named(&named, s, parallel)
    }

    /// [`MemoryOpts::check`] with the message's prefix given as text.
    pub(crate) fn check_named(&self, what: &str, s: &Scenario, parallel: usize) -> Result<()> {
        if let Err(message) = limits::check(s, parallel, &self.limit()) {
            bail!("{what}: {message}");
        }
        Ok(())
    }
}
