//! Scenario files: the serde schema, defaults, loading and validation.
//!
//! A scenario is TOML (human-written, with comments) or JSON with the same
//! schema; unknown fields are rejected. Loading ([`load`]) parses, applies
//! `--set path=value` overrides, fills defaults and validates, so what comes
//! out is a *resolved* scenario: every field explicit, ready to run, with a
//! canonical JSON form ([`Scenario::canonical_json`]) and hash stored in every
//! manifest. Every error names the file, the field path, the line:column where
//! it can be found, and what would be valid (see [`crate::error::ScenarioError`]).

mod load;
mod locate;
mod validate;

pub use load::{load, parse_override, parse_str, Format};

use crate::time::SimDuration;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A resolved scenario: one simulated experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name used for the output directory; letters, digits, `-`, `_`, `.`.
    /// Defaults to the file's stem.
    #[serde(default)]
    pub name: String,
    /// Master seed of every random stream (`--seed` overrides it).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Simulated time the run lasts.
    pub duration: SimDuration,
    /// End the run early at the first instant, after the last write, when
    /// every node holds every write.
    #[serde(default)]
    pub stop_when_converged: bool,
    /// The cluster.
    pub nodes: Nodes,
    /// The gossip protocol and its settings.
    #[serde(default)]
    pub gossip: Gossip,
    /// Who writes what, when.
    #[serde(default)]
    pub workload: Workload,
    /// Latency and loss.
    #[serde(default)]
    pub network: Network,
    /// What the run writes.
    #[serde(default)]
    pub output: Output,
    /// Properties the run must have (`[[checks]]`); a failed one makes the
    /// run's status `check-failed`.
    #[serde(default)]
    pub checks: Vec<crate::check::Check>,
}

fn default_seed() -> u64 {
    1
}

/// The cluster: `count` nodes with ids `0..count`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nodes {
    /// Number of nodes (at least 2).
    pub count: u32,
}

/// Which protocol runs and how often it gossips.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gossip {
    /// The protocol.
    #[serde(default)]
    pub protocol: ProtocolKind,
    /// Gossip period, in each node's local time.
    #[serde(default = "default_interval")]
    pub interval: SimDuration,
    /// Distinct peers, chosen uniformly at random, contacted per interval.
    #[serde(default = "default_fanout")]
    pub fanout: u32,
    /// When each node's first gossip round fires.
    #[serde(default)]
    pub phase: Phase,
    /// Bytes of one value in the size model.
    #[serde(default = "default_value_bytes")]
    pub value_bytes: u32,
}

fn default_interval() -> SimDuration {
    SimDuration::from_secs(1)
}
fn default_fanout() -> u32 {
    1
}
fn default_value_bytes() -> u32 {
    8
}

impl Default for Gossip {
    fn default() -> Self {
        Gossip {
            protocol: ProtocolKind::default(),
            interval: default_interval(),
            fanout: default_fanout(),
            phase: Phase::default(),
            value_bytes: default_value_bytes(),
        }
    }
}

/// The protocols a scenario can run.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProtocolKind {
    /// Scuttlebutt anti-entropy: digest, then deltas both ways.
    #[default]
    Scuttlebutt,
    /// Engine benchmark P0: each round a node sends one small message to
    /// `fanout` random peers; receivers only count. No replicated state.
    Ping,
}

/// Phase of the periodic gossip timer.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// First round at a uniform random local time in `[0, interval)`.
    #[default]
    Random,
    /// Every node fires at local times `interval, 2·interval, …`.
    Aligned,
}

/// The write workload.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Keys each node owns (it writes only its own keys).
    #[serde(default = "default_keys")]
    pub keys_per_node: u32,
    /// A random write process per writer node; omit for none.
    #[serde(default)]
    pub writes: Option<WriteProcess>,
    /// Node ids that run the write process; omit for every node.
    #[serde(default)]
    pub writers: Option<Vec<u32>>,
    /// No random write at or after this time; omit for the whole run.
    #[serde(default)]
    pub stop_at: Option<SimDuration>,
    /// Explicit writes, e.g. to inject a single write.
    #[serde(default)]
    pub schedule: Vec<ScheduledWrite>,
}

fn default_keys() -> u32 {
    1
}

/// A random write process run independently by each writer node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "process", rename_all = "kebab-case", deny_unknown_fields)]
pub enum WriteProcess {
    /// Exponential gaps with the given mean; key uniform among the node's keys.
    Poisson {
        /// Mean time between two writes of one node.
        mean_interval: SimDuration,
    },
}

/// One explicit write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledWrite {
    /// True time of the write.
    pub at: SimDuration,
    /// The writing node (it writes its own key).
    pub node: u32,
    /// Key index within the node's keys.
    #[serde(default)]
    pub key: u32,
    /// The value written.
    #[serde(default)]
    pub value: u64,
}

/// The network between nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// One-way latency of every message.
    #[serde(default = "default_latency")]
    pub latency: Latency,
    /// Probability that a message is lost, independently, in `[0, 1]`.
    #[serde(default)]
    pub loss: f64,
}

fn default_latency() -> Latency {
    Latency::Constant {
        value: SimDuration::from_millis(10),
    }
}

impl Default for Network {
    fn default() -> Self {
        Network {
            latency: default_latency(),
            loss: 0.0,
        }
    }
}

/// A latency distribution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Latency {
    /// Always `value`.
    Constant {
        /// The latency.
        value: SimDuration,
    },
    /// Uniform over `[low, high]`, in whole nanoseconds.
    Uniform {
        /// Smallest latency.
        low: SimDuration,
        /// Largest latency.
        high: SimDuration,
    },
}

/// What a run writes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// Trace level (`--trace` overrides it).
    #[serde(default)]
    pub trace: TraceLevel,
}

/// How much of the run the trace records, and whether it is written.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TraceLevel {
    /// No trace file; the digest still covers the `versions` records.
    Off,
    /// Writes, version-vector transitions and faults.
    #[default]
    Versions,
    /// Everything: also sends, receipts, drops and vector-clock transitions.
    Full,
}

impl TraceLevel {
    /// The level of records the digest covers (`off` digests like `versions`).
    pub fn digest_level(self) -> TraceLevel {
        match self {
            TraceLevel::Off => TraceLevel::Versions,
            other => other,
        }
    }

    /// The lowercase name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            TraceLevel::Off => "off",
            TraceLevel::Versions => "versions",
            TraceLevel::Full => "full",
        }
    }
}

impl Scenario {
    /// The canonical JSON of the resolved scenario (fixed field order).
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a scenario always serializes")
    }

    /// SHA-256 of [`Scenario::canonical_json`], lowercase hex.
    pub fn hash(&self) -> String {
        hex(&Sha256::digest(self.canonical_json().as_bytes()))
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
