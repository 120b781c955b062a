//! Scenario files: the serde schema, defaults, loading and validation.
//!
//! A scenario is TOML (human-written, with comments) or JSON with the same
//! schema; unknown fields are rejected. Loading ([`load`]) parses, applies
//! `--set path=value` overrides, fills defaults and validates, so what comes
//! out is a *resolved* scenario: every field explicit, ready to run, with a
//! canonical JSON form ([`Scenario::canonical_json`]) and hash stored in every
//! manifest. Every error names the file, the field path, the line:column where
//! it can be found, and what would be valid (see [`crate::error::ScenarioError`]).

mod enclosing;
mod faults;
mod integers;
mod load;
mod locate;
mod tables;
mod validate;

pub use faults::{
    ClockOverride, ClockSpec, ClockStep, CrashState, Cut, Degrade, Fault, GilbertElliott, Heal, Member,
    NumberDist, OffsetDist, Partition, RandomSplit, Route,
};
pub use load::{apply_overrides, load, parse_override, parse_str, read_text, Format, MAX_FILE_BYTES};
pub(crate) use load::{
    deserialize_located, name_from_stem, plain_types, with_integer_rule, with_wrong_kind_hint, FileKind,
    LISTS,
};
pub(crate) use locate::locate;
pub use validate::{MAX_DURATION, MAX_KEYS_PER_NODE, MAX_NAME_BYTES, MAX_NODES};

use crate::time::SimDuration;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// A resolved scenario: one simulated experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name used for the output directory; letters, digits, `-`, `_`, `.`.
    /// Defaults to the file's stem, made valid (`my test.toml`: `my_test`).
    /// Given, it may not be empty.
    #[serde(default, deserialize_with = "non_empty_name")]
    pub name: String,
    /// Master seed of every random stream (`--seed` overrides it).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Simulated time the run lasts.
    pub duration: SimDuration,
    /// End the run early at the first instant, after the last write and
    /// the last fault, when every version vector is equal.
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
    /// Latency, loss, duplication, bandwidth, routes.
    #[serde(default)]
    pub network: Network,
    /// Local clocks (offset and drift per node).
    #[serde(default)]
    pub clock: ClockSpec,
    /// The fault schedule.
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// What the run writes.
    #[serde(default)]
    pub output: Output,
    /// Properties the run must have (`[[checks]]`); a failed one makes the
    /// run's status `check-failed`.
    #[serde(default)]
    pub checks: Vec<crate::check::Check>,
}

/// A `name` given in the file: an empty one is refused where it is written
/// (leaving it out is how to ask for the file's stem).
fn non_empty_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let name = String::deserialize(d)?;
    if name.is_empty() {
        return Err(serde::de::Error::custom(
            "an empty name cannot name an output directory: give one (letters, digits, '-', '_', '.'), or leave `name` out to use the file's stem",
        ));
    }
    Ok(name)
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
    /// Named groups (regions, racks) and their sizes; ids are handed out in
    /// alphabetical order of group name (`{ eu = 2, us = 2 }`: eu = 0..1,
    /// us = 2..3). The sizes must add up to `count`. Omit for no groups.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "non_empty_groups"
    )]
    pub groups: BTreeMap<String, u32>,
}

/// `groups` given in the file: an empty table is refused where it is
/// written (leaving it out is how to have no groups), as it would define
/// none and leave nothing to check the node count against.
fn non_empty_groups<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, u32>, D::Error> {
    let groups = BTreeMap::deserialize(d)?;
    if groups.is_empty() {
        return Err(serde::de::Error::custom(
            "an empty table defines no groups: give at least one, e.g. { eu = 2, us = 2 } (sizes adding up to nodes.count), or leave `groups` out for none",
        ));
    }
    Ok(groups)
}

impl Nodes {
    /// The node ids named by `members` (ids and group names), sorted, without
    /// duplicates; an error names the first member that does not exist.
    pub fn resolve(&self, members: &[Member]) -> Result<Vec<u32>, String> {
        let mut ids = Vec::new();
        for m in members {
            match m {
                Member::Node(n) if *n < self.count => ids.push(*n),
                Member::Node(n) => {
                    return Err(format!(
                        "node {n} does not exist: node ids are 0 to {}",
                        self.count - 1
                    ))
                }
                Member::Group(g) => match self.group_range(g) {
                    Some(r) => ids.extend(r),
                    None => {
                        let known: Vec<&str> = self.groups.keys().map(|k| k.as_str()).collect();
                        return Err(if known.is_empty() {
                            format!("group {g:?} does not exist: [nodes] defines no groups")
                        } else {
                            format!("group {g:?} does not exist: groups are {}", known.join(", "))
                        });
                    }
                },
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// What is wrong when `members` (existing ids and groups) names a node
    /// twice: an id or a group listed twice, or an id also in a group
    /// listed; `None` when each node is named once.
    pub fn repeated(&self, members: &[Member]) -> Option<String> {
        // Each member as the range of ids it names, with its place in the list.
        let mut spans: Vec<(u32, u32, usize)> = members
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match m {
                Member::Node(n) => Some((*n, n.saturating_add(1), i)),
                Member::Group(g) => self.group_range(g).map(|r| (r.start, r.end, i)),
            })
            .collect();
        spans.sort_unstable();
        let (a, b) = spans
            .windows(2)
            .find(|w| w[1].0 < w[0].1)
            .map(|w| (w[0].2, w[1].2))?;
        let (first, second) = (&members[a.min(b)], &members[a.max(b)]);
        Some(match (first, second) {
            (Member::Node(n), Member::Node(_)) => format!("node {n} is listed twice: name each node once"),
            (Member::Group(g), Member::Group(_)) => {
                format!("group {g:?} is listed twice: name each node once")
            }
            (Member::Node(n), Member::Group(g)) | (Member::Group(g), Member::Node(n)) => {
                format!("node {n} is listed twice, on its own and in group {g:?}: name each node once")
            }
        })
    }

    /// The group index (alphabetical order) of every node; `None` for nodes
    /// in no group.
    pub fn group_of(&self) -> Vec<Option<u16>> {
        let mut v = vec![None; self.count as usize];
        let mut start = 0usize;
        for (i, &size) in self.groups.values().enumerate() {
            for slot in v.iter_mut().skip(start).take(size as usize) {
                *slot = Some(i as u16);
            }
            start += size as usize;
        }
        v
    }

    /// Node ids of group `name`, as a range, if it exists.
    pub fn group_range(&self, name: &str) -> Option<std::ops::Range<u32>> {
        let mut start = 0;
        for (g, &size) in &self.groups {
            if g == name {
                return Some(start..start + size);
            }
            start += size;
        }
        None
    }
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
    /// How a node reads a shared key written by several origins.
    #[serde(default)]
    pub merge: MergePolicy,
    /// Size limit of a message carrying deltas: bytes (`1400`) or deltas
    /// (`{ deltas = 100 }`); omit (or `"unlimited"`, for a sweep's grid)
    /// for unlimited.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "mtu_or_unlimited"
    )]
    pub mtu: Option<Mtu>,
    /// When `mtu` starts to apply, on each node's local clock (true time
    /// without clock skew); omit for the whole run (`"0s"` is left out at
    /// load: the same scenario). Before it messages are unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu_from: Option<SimDuration>,
    /// Which deltas go first when they do not all fit (Scuttlebutt).
    #[serde(default)]
    pub order: Order,
    /// Adaptive flow control of the local update rate (Scuttlebutt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_control: Option<FlowControl>,
    /// Rumor mongering settings (`protocol = "rumor"`).
    #[serde(default)]
    pub rumor: Rumor,
}

/// A message size limit.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mtu {
    /// At most this many bytes per message (header and digest included).
    Bytes(u32),
    /// At most this many deltas per message.
    Deltas(u32),
}

impl Serialize for Mtu {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Mtu::Bytes(b) => s.serialize_u32(*b),
            Mtu::Deltas(d) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("deltas", d)?;
                m.end()
            }
        }
    }
}

/// What an `mtu` given as a number may be (validation then asks for enough
/// bytes to carry one delta).
const MTU_RANGE: &str = "must be a whole number of bytes from 1 to 4294967295, or { deltas = N }";

impl<'de> Deserialize<'de> for Mtu {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Mtu;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number of bytes (1400) or { deltas = 100 }")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Mtu, E> {
                u32::try_from(v)
                    .map(Mtu::Bytes)
                    .map_err(|_| E::custom(format!("{MTU_RANGE}; got {v}")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Mtu, E> {
                u32::try_from(v)
                    .map(Mtu::Bytes)
                    .map_err(|_| E::custom(format!("{MTU_RANGE}; got {v}")))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Mtu, A::Error> {
                let mut out = None;
                while let Some(k) = map.next_key::<String>()? {
                    let value = match k.as_str() {
                        "deltas" => Mtu::Deltas(map.next_value()?),
                        "bytes" => Mtu::Bytes(map.next_value()?),
                        other => {
                            return Err(serde::de::Error::unknown_field(other, &["deltas", "bytes"]));
                        }
                    };
                    if out.is_some() {
                        return Err(serde::de::Error::custom(
                            "give one limit: { deltas = N } or { bytes = N } (or a bare number of bytes), not two",
                        ));
                    }
                    out = Some(value);
                }
                out.ok_or_else(|| serde::de::Error::missing_field("deltas"))
            }
        }
        d.deserialize_any(V)
    }
}

/// An `mtu`, or the string `"unlimited"` for none (the same scenario, and
/// hash, as leaving `mtu` out: a sweep's grid can compare it with limits).
fn mtu_or_unlimited<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Mtu>, D::Error> {
    // A string is read here; anything else goes to `Mtu`, with its messages.
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<Mtu>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a number of bytes (1400), { deltas = 100 } or \"unlimited\"")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Option<Mtu>, E> {
            if v == "unlimited" {
                Ok(None)
            } else {
                Err(E::custom(format!(
                    "expected a number of bytes (1400), {{ deltas = 100 }} or \"unlimited\"; got {v:?}"
                )))
            }
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Option<Mtu>, E> {
            Mtu::deserialize(serde::de::value::U64Deserializer::new(v)).map(Some)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Option<Mtu>, E> {
            Mtu::deserialize(serde::de::value::I64Deserializer::new(v)).map(Some)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Option<Mtu>, A::Error> {
            Mtu::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
        }
    }
    d.deserialize_any(V)
}

/// Reconciliation order under a size limit (van Renesse et al. 2008).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Order {
    /// Oldest updates first across all origins.
    PreciseOldest,
    /// Newest updates first across all origins (each with its origin's older missing deltas).
    PreciseNewest,
    /// Round-robin across origins by rank (1st missing delta of every origin, then 2nd, …).
    ScuttleBreadth,
    /// Origins with the most missing deltas first, each origin's deltas all together.
    #[default]
    ScuttleDepth,
}

impl Order {
    /// Every order, in a fixed sequence.
    pub const ALL: [Order; 4] = [
        Order::PreciseOldest,
        Order::PreciseNewest,
        Order::ScuttleBreadth,
        Order::ScuttleDepth,
    ];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Order::PreciseOldest => "precise-oldest",
            Order::PreciseNewest => "precise-newest",
            Order::ScuttleBreadth => "scuttle-breadth",
            Order::ScuttleDepth => "scuttle-depth",
        }
    }
}

/// Adaptive flow control: each node may apply local writes at `rate`
/// updates per second (a token bucket, in its local time); writes beyond it
/// wait in a backlog that keeps the newest value per key. Additive increase
/// every round without overflow, multiplicative decrease when a message it
/// sent could not carry all deltas (MTU overflow). Rates travel in gossip
/// messages and a node adopts a lower rate it hears.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowControl {
    /// Starting rate (updates per second).
    #[serde(default = "fc_initial")]
    pub initial_rate: f64,
    /// Never below this rate.
    #[serde(default = "fc_min")]
    pub min_rate: f64,
    /// Never above this rate.
    #[serde(default = "fc_max")]
    pub max_rate: f64,
    /// Added each round without overflow.
    #[serde(default = "fc_increase")]
    pub increase: f64,
    /// Multiplied by on overflow.
    #[serde(default = "fc_decrease")]
    pub decrease: f64,
}

fn fc_initial() -> f64 {
    1.0
}
fn fc_min() -> f64 {
    0.01
}
fn fc_max() -> f64 {
    100.0
}
fn fc_increase() -> f64 {
    0.1
}
fn fc_decrease() -> f64 {
    0.5
}

/// Rumor mongering (Demers et al. 1987): a node pushes its hot updates to
/// `fanout` peers per round; after `k` contacts that already knew an update
/// it stops spreading it (`counter`), or stops with probability `1/k` at each
/// such contact (`coin`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rumor {
    /// Unnecessary contacts before losing interest.
    #[serde(default = "rumor_k")]
    pub k: u32,
    /// `counter` or `coin`.
    #[serde(default)]
    pub mode: RumorMode,
}

fn rumor_k() -> u32 {
    2
}

impl Default for Rumor {
    fn default() -> Self {
        Rumor {
            k: rumor_k(),
            mode: RumorMode::default(),
        }
    }
}

/// How a rumor monger loses interest.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RumorMode {
    /// After exactly `k` unnecessary contacts.
    #[default]
    Counter,
    /// With probability `1/k` at each unnecessary contact.
    Coin,
}

/// What a node reads for a shared key that several origins wrote. Scuttlebutt
/// replicates every origin's newest write of each key; the policy picks the
/// value an application sees (and so which writes are lost).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MergePolicy {
    /// The entry with the largest version (the writer's own counter), ties to the larger origin id.
    #[default]
    LwwVersion,
    /// The entry with the largest writer's local timestamp, ties to the larger origin id.
    LwwTimestamp,
    /// The largest value.
    Max,
    /// The set of every origin's value (nothing is lost).
    Union,
}

impl MergePolicy {
    /// Every policy, in a fixed order.
    pub const ALL: [MergePolicy; 4] = [
        MergePolicy::LwwVersion,
        MergePolicy::LwwTimestamp,
        MergePolicy::Max,
        MergePolicy::Union,
    ];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            MergePolicy::LwwVersion => "lww-version",
            MergePolicy::LwwTimestamp => "lww-timestamp",
            MergePolicy::Max => "max",
            MergePolicy::Union => "union",
        }
    }
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
            merge: MergePolicy::default(),
            mtu: None,
            mtu_from: None,
            order: Order::default(),
            flow_control: None,
            rumor: Rumor::default(),
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
    /// Full-state anti-entropy, push: the whole state to each peer.
    Push,
    /// Full-state anti-entropy, pull: ask each peer for its whole state.
    Pull,
    /// Full-state anti-entropy, push-pull: send the whole state, get the peer's back.
    PushPull,
    /// Rumor mongering: push hot updates until `k` peers already knew them.
    Rumor,
    /// Engine benchmark P0: each round a node sends one small message to
    /// `fanout` random peers; receivers only count. No replicated state.
    Ping,
}

impl ProtocolKind {
    /// Every protocol.
    pub const ALL: [ProtocolKind; 6] = [
        ProtocolKind::Scuttlebutt,
        ProtocolKind::Push,
        ProtocolKind::Pull,
        ProtocolKind::PushPull,
        ProtocolKind::Rumor,
        ProtocolKind::Ping,
    ];

    /// The name a scenario gives it (`gossip.protocol`).
    pub fn name(self) -> &'static str {
        match self {
            ProtocolKind::Scuttlebutt => "scuttlebutt",
            ProtocolKind::Push => "push",
            ProtocolKind::Pull => "pull",
            ProtocolKind::PushPull => "push-pull",
            ProtocolKind::Rumor => "rumor",
            ProtocolKind::Ping => "ping",
        }
    }
}

/// Phase of the periodic gossip timer.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// First round at a uniform random local time in `[0, interval)`
    /// after the start of the run.
    #[default]
    Random,
    /// Every node fires at local times `interval, 2·interval, …` after the
    /// start of the run.
    Aligned,
    /// Node `i` of `n` fires `i/n` of an interval after the aligned times
    /// (`interval + i·interval/n`, then every interval): exchanges that
    /// take turns, for figures.
    Staggered,
}

/// The write workload.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Keys each node owns (it writes only its own keys).
    #[serde(default = "default_keys")]
    pub keys_per_node: u32,
    /// Instead of owned keys: this many shared keys, any of which any writer
    /// may write (so writes conflict and `gossip.merge` matters). Omit for
    /// owned keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_keys: Option<u32>,
    /// A random write process per writer node; omit for none.
    #[serde(default)]
    pub writes: Option<WriteProcess>,
    /// Node ids that run the write process; omit for every node.
    #[serde(default)]
    pub writers: Option<Vec<u32>>,
    /// No random write at or after this time; omit for the whole run.
    #[serde(default)]
    pub stop_at: Option<SimDuration>,
    /// Changes of the random write rate: from each `at` on, every writer's
    /// mean interval is `mean_interval / factor` (factor 0: no writes). The
    /// rate before the first change is the base rate (factor 1). Omit for a
    /// constant rate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rate_changes: Vec<RateChange>,
    /// Explicit writes, e.g. to inject a single write.
    #[serde(default)]
    pub schedule: Vec<ScheduledWrite>,
}

impl Workload {
    /// Keys a writer chooses among: `shared_keys` if set, else `keys_per_node`.
    pub fn key_count(&self) -> u32 {
        self.shared_keys.unwrap_or(self.keys_per_node)
    }
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

/// A change of the random write rate (see [`Workload::rate_changes`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateChange {
    /// True time from which the factor applies.
    pub at: SimDuration,
    /// Rate relative to the base `mean_interval` (2.0: twice as many writes).
    pub factor: f64,
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
    /// Bursty (Gilbert–Elliott) loss per directed link, on top of `loss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst_loss: Option<GilbertElliott>,
    /// Probability that a delivered message is delivered a second time (with
    /// its own latency).
    #[serde(default)]
    pub duplicate: f64,
    /// Uplink bandwidth of every node in bytes per second (FIFO queue,
    /// serialisation delay = size / bandwidth); omit for unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uplink_bytes_per_s: Option<u64>,
    /// Bytes an uplink queue holds before it drops new messages (tail drop);
    /// omit for unlimited. Needs `uplink_bytes_per_s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_limit_bytes: Option<u64>,
    /// Latency and loss between chosen groups or nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
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
            burst_loss: None,
            duplicate: 0.0,
            uplink_bytes_per_s: None,
            queue_limit_bytes: None,
            routes: Vec::new(),
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
    /// Normal, truncated at zero (negative draws are drawn again).
    Normal {
        /// Mean.
        mean: SimDuration,
        /// Standard deviation.
        std: SimDuration,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean.
        mean: SimDuration,
    },
    /// Log-normal: `median · exp(sigma · Z)`, Z standard normal.
    Lognormal {
        /// Median.
        median: SimDuration,
        /// Shape (standard deviation of the log).
        sigma: f64,
    },
    /// Pareto (type I): `scale / U^(1/shape)`, heavy-tailed, at least `scale`.
    Pareto {
        /// Minimum (scale).
        scale: SimDuration,
        /// Tail index (shape); the mean is finite for shape > 1.
        shape: f64,
    },
    /// An empirical distribution from a table of quantiles
    /// `[[0.0, "5ms"], [0.5, "20ms"], [0.99, "80ms"], [1.0, "200ms"]]`:
    /// probabilities from 0 to 1, latencies non-decreasing; linear between points.
    Empirical {
        /// `(probability, latency)` points.
        quantiles: Vec<(f64, SimDuration)>,
    },
}

impl Latency {
    /// A latency no draw goes below, where the distribution has a floor
    /// above zero (constant, uniform, Pareto, empirical); else 0. Links
    /// and faults may set other latencies: a hint, not a bound.
    pub fn floor_ns(&self) -> u64 {
        match self {
            Latency::Constant { value } => value.0,
            Latency::Uniform { low, .. } => low.0,
            Latency::Pareto { scale, .. } => scale.0,
            Latency::Empirical { quantiles } => quantiles.first().map_or(0, |(_, d)| d.0),
            Latency::Normal { .. } | Latency::Exponential { .. } | Latency::Lognormal { .. } => 0,
        }
    }
}

/// What a run writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// Trace level (`--trace` overrides it).
    #[serde(default)]
    pub trace: TraceLevel,
    /// Sample staleness (per node, origin and key) over time.
    #[serde(default)]
    pub staleness: bool,
    /// Period of time series samples (staleness, bandwidth).
    #[serde(default = "default_sample")]
    pub sample_interval: SimDuration,
    /// Charts `run` renders into `charts/` (SVG and PNG).
    #[serde(default = "default_charts")]
    pub charts: Vec<ChartKind>,
    /// Write `metrics/bandwidth_nodes_time.csv`, every node's traffic per
    /// kind in every `sample_interval` bucket; omitted: when nodes × buckets
    /// is at most [`NODE_SERIES_AUTO_CELLS`] (the file and the memory that
    /// keeps it grow with nodes × buckets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_nodes_time: Option<bool>,
    /// Write `metrics/learned.csv`, when each node first held each write;
    /// omitted: when expected writes × nodes is at most
    /// [`LEARNED_AUTO_CELLS`] (the file and the memory that keeps it grow
    /// with writes × nodes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learned: Option<bool>,
    /// What the space-time diagram draws (`[output.spacetime]`): a node
    /// subset and a time window; omitted: every node, the whole run.
    #[serde(default, skip_serializing_if = "SpacetimeView::is_everything")]
    pub spacetime: SpacetimeView,
}

/// Runs with at most this many (node, bucket) cells write
/// `bandwidth_nodes_time.csv` unless `output.bandwidth_nodes_time = false`:
/// at most 300,000 rows (three kinds), about 12 MB, e.g. 64 nodes for 26
/// minutes or 1,000 nodes for 99 s in 1 s buckets (100 buckets).
pub const NODE_SERIES_AUTO_CELLS: u64 = 100_000;

/// Runs expecting at most this many (write, node) pairs write
/// `learned.csv` unless `output.learned = false`: at most 250,000 rows,
/// about 10 MB, and 2 MB of memory (e.g. 64 nodes with 3,900 writes, 1,000
/// nodes with 250 writes).
pub const LEARNED_AUTO_CELLS: u64 = 250_000;

impl Output {
    /// Why these charts cannot be drawn at this trace level, if they cannot:
    /// a space-time diagram is drawn from the full trace.
    pub fn spacetime_needs_full_trace(&self) -> Option<String> {
        (self.charts.contains(&ChartKind::Spacetime) && self.trace != TraceLevel::Full).then(|| {
            format!(
                "a space-time diagram is drawn from the full trace, but output.trace is {:?}: set output.trace = \"full\" (or run with --trace full)",
                self.trace.name()
            )
        })
    }

    /// Whether a run of `nodes` nodes expecting `writes` writes (see
    /// [`crate::limits::expected_writes`]) writes `learned.csv`: as
    /// `learned` says, else when `writes × nodes` is at most
    /// [`LEARNED_AUTO_CELLS`].
    pub fn learned(&self, nodes: u32, writes: u64) -> bool {
        self.learned
            .unwrap_or_else(|| writes.saturating_mul(nodes as u64) <= LEARNED_AUTO_CELLS)
    }

    /// Whether a run of `nodes` nodes lasting `duration` writes
    /// `bandwidth_nodes_time.csv`: as `bandwidth_nodes_time` says, else when
    /// `nodes × (duration / sample_interval + 1)` is at most
    /// [`NODE_SERIES_AUTO_CELLS`].
    pub fn node_series(&self, nodes: u32, duration: SimDuration) -> bool {
        self.bandwidth_nodes_time.unwrap_or_else(|| {
            let buckets = (duration.0 / self.sample_interval.0.max(1)).saturating_add(1);
            (nodes as u64).saturating_mul(buckets) <= NODE_SERIES_AUTO_CELLS
        })
    }
}

/// The part of a run a space-time diagram draws: the nodes (top to bottom in
/// id order) and the time window `[from, to]` in true time, both ends
/// included (like `trace --from --to`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpacetimeView {
    /// Node ids and group names to draw; omitted: every node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<Vec<Member>>,
    /// Start of the window; omitted: the start of the run (`"0s"` is left
    /// out at load: the same scenario).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<SimDuration>,
    /// End of the window; omitted: the end of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<SimDuration>,
}

/// A [`SpacetimeView`] checked against a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedView {
    /// The nodes drawn, ascending; `None`: every node.
    pub nodes: Option<Vec<u32>>,
    /// Start of the window (ns).
    pub from_ns: u64,
    /// End of the window (ns), included; `None`: the end of the run.
    pub to_ns: Option<u64>,
}

/// How the fields of a [`SpacetimeView`] are named in error messages:
/// `output.spacetime.nodes` in a scenario, `--nodes` on the command line.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ViewFields<'a> {
    /// The name of `nodes`.
    pub nodes: &'a str,
    /// The name of `from`.
    pub from: &'a str,
    /// The name of `to`.
    pub to: &'a str,
}

impl ViewFields<'static> {
    /// The names in a scenario file.
    pub const SCENARIO: ViewFields<'static> = ViewFields {
        nodes: "output.spacetime.nodes",
        from: "output.spacetime.from",
        to: "output.spacetime.to",
    };
}

impl SpacetimeView {
    /// Whether the view draws every node over the whole run.
    pub fn is_everything(&self) -> bool {
        *self == SpacetimeView::default()
    }

    /// `a-b` (two node ids joined by '-') as the range `a..=b`, as the
    /// charts and error messages write node sets (`0-2,5`).
    pub fn node_range(text: &str) -> Option<(u32, u32)> {
        let (a, b) = text.split_once('-')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        if !digits(a) || !digits(b) {
            return None;
        }
        Some((a.parse().ok()?, b.parse().ok()?))
    }

    /// Parses a command-line node list, `0,3,5`, `0-2,5` or `left,7`: node
    /// ids, ranges of ids and group names separated by commas.
    pub fn parse_nodes(text: &str) -> Result<Vec<Member>, String> {
        let mut members = Vec::new();
        for part in text.split(',') {
            let p = part.trim();
            if let Some((a, b)) = Self::node_range(p) {
                if a > b {
                    return Err(format!(
                        "{p:?} is a reversed range: write the smaller id first ({b}-{a})"
                    ));
                }
                if b - a >= crate::scenario::MAX_NODES {
                    return Err(format!(
                        "{p:?} has more than {} nodes",
                        crate::scenario::MAX_NODES
                    ));
                }
                members.extend((a..=b).map(Member::Node));
                continue;
            }
            members.push(Self::parse_node(text, p)?);
        }
        Ok(members)
    }

    /// One entry of [`SpacetimeView::parse_nodes`]'s list `text`.
    fn parse_node(text: &str, p: &str) -> Result<Member, String> {
        if p.is_empty() {
            Err(format!(
                "{text:?} has an empty entry: expected node ids and group names separated by commas, e.g. 0,3,5"
            ))
        } else if let Ok(n) = p.parse::<u32>() {
            Ok(Member::Node(n))
        } else if p
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        {
            Ok(Member::Group(p.to_string()))
        } else {
            Err(format!(
                "{p:?} is neither a node id nor a group name: expected e.g. 0,3,5, 0-2 or left,7"
            ))
        }
    }

    /// Checks the view against the run's `nodes` and `duration`; an error is
    /// `(field, message)`, the field named as in `fields`. Every node must
    /// exist, at most [`crate::chart::MAX_NODES`] may be drawn (so a run with
    /// more nodes needs a subset), `from` must lie before the end of the
    /// run and `to` after `from`, at most at the end.
    pub fn resolve(
        &self,
        nodes: &Nodes,
        duration: SimDuration,
        fields: ViewFields<'_>,
    ) -> Result<ResolvedView, (String, String)> {
        let max = crate::chart::MAX_NODES;
        let chosen = match &self.nodes {
            None if nodes.count as usize > max => {
                return Err((
                    fields.nodes.to_string(),
                    format!(
                        "a space-time diagram draws at most {max} nodes; this run has {}: choose at most {max} with {}{}",
                        nodes.count,
                        fields.nodes,
                        if fields.nodes == ViewFields::SCENARIO.nodes {
                            " (or the chart command's --nodes)"
                        } else {
                            ""
                        }
                    ),
                ))
            }
            None => None,
            Some(list) if list.is_empty() => {
                return Err((
                    fields.nodes.to_string(),
                    "needs at least one node id or group name (omit it to draw every node)".into(),
                ))
            }
            Some(list) => {
                let ids = nodes.resolve(list).map_err(|e| (fields.nodes.to_string(), e))?;
                if let Some(message) = nodes.repeated(list) {
                    return Err((fields.nodes.to_string(), message));
                }
                if ids.len() > max {
                    return Err((
                        fields.nodes.to_string(),
                        format!(
                            "names {} nodes; a space-time diagram draws at most {max}",
                            ids.len()
                        ),
                    ));
                }
                Some(ids)
            }
        };
        let from = self.from.unwrap_or(SimDuration::ZERO);
        if from >= duration {
            return Err((
                fields.from.to_string(),
                format!("{from} is not before the end of the run ({duration})"),
            ));
        }
        if let Some(to) = self.to {
            if to <= from {
                return Err((
                    fields.to.to_string(),
                    format!("{to} is not after the start of the window ({from})"),
                ));
            }
            if to > duration {
                return Err((
                    fields.to.to_string(),
                    format!("{to} is after the end of the run ({duration}); omit it to draw until the end"),
                ));
            }
        }
        Ok(ResolvedView {
            nodes: chosen,
            from_ns: from.0,
            to_ns: self.to.map(|t| t.0),
        })
    }
}

fn default_sample() -> SimDuration {
    SimDuration::from_secs(1)
}

fn default_charts() -> Vec<ChartKind> {
    vec![ChartKind::Convergence, ChartKind::Bandwidth]
}

impl Default for Output {
    fn default() -> Self {
        Output {
            trace: TraceLevel::default(),
            staleness: false,
            sample_interval: default_sample(),
            charts: default_charts(),
            bandwidth_nodes_time: None,
            learned: None,
            spacetime: SpacetimeView::default(),
        }
    }
}

/// A chart of one run (see README, *Charts*).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChartKind {
    /// CDF of per-write convergence time.
    Convergence,
    /// Informed fraction vs time since write, with the mean-field curve.
    Informed,
    /// Bytes per second over time by kind, and per node.
    Bandwidth,
    /// Staleness over time (needs `output.staleness = true`).
    Staleness,
    /// Space-time diagram (needs a `full` trace; at most 32 nodes, chosen
    /// with `output.spacetime.nodes` in a larger run).
    Spacetime,
}

impl ChartKind {
    /// Every chart, in the order `run` renders them.
    pub const ALL: [ChartKind; 5] = [
        ChartKind::Convergence,
        ChartKind::Informed,
        ChartKind::Bandwidth,
        ChartKind::Staleness,
        ChartKind::Spacetime,
    ];

    /// The chart's name, as in scenario files and file names.
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Convergence => "convergence",
            ChartKind::Informed => "informed",
            ChartKind::Bandwidth => "bandwidth",
            ChartKind::Staleness => "staleness",
            ChartKind::Spacetime => "spacetime",
        }
    }

    /// The chart called `name`, if any.
    pub fn from_name(name: &str) -> Option<ChartKind> {
        ChartKind::ALL.into_iter().find(|c| c.name() == name)
    }
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

    /// A lower bound of the bytes each node sends in one gossip round by
    /// the protocol's own traffic, when the run has an uplink limit, no
    /// queue limit and more than one round, and that bound exceeds what the
    /// uplink carries in one `gossip.interval`: each node's uplink queue
    /// then grows every round for the whole run, with no bound but the
    /// run's length. `None` otherwise (or when the bound is not known to
    /// exceed it: only the round's own messages are counted, not the
    /// answers to other nodes' rounds).
    pub fn uplink_overload(&self) -> Option<UplinkOverload> {
        let uplink = self.network.uplink_bytes_per_s?;
        if self.network.queue_limit_bytes.is_some() || self.gossip.interval >= self.duration {
            return None;
        }
        let sizes = crate::net::SizeModel::new(self.gossip.value_bytes);
        let n = self.nodes.count as usize;
        // The messages a round sends, one per peer, at their smallest.
        let (kind, message_bytes, how) = match self.gossip.protocol {
            ProtocolKind::Scuttlebutt => {
                let rate = if self.gossip.flow_control.is_some() { 8 } else { 0 };
                let bytes = u64::from(sizes.message(n, 0)) + rate;
                let flow = if rate > 0 { " + 8 (flow control)" } else { "" };
                (
                    "syn",
                    bytes,
                    format!("{} + {} × {n} nodes{flow}", sizes.header, sizes.digest_entry),
                )
            }
            ProtocolKind::Push | ProtocolKind::PushPull => (
                "state",
                u64::from(sizes.header),
                "its header at least".to_string(),
            ),
            ProtocolKind::Pull => ("request", u64::from(sizes.header), "a header".to_string()),
            ProtocolKind::Ping => (
                "ping",
                u64::from(sizes.header + sizes.ping),
                format!("{} + {}", sizes.header, sizes.ping),
            ),
            // Rumors are sent only while an update is hot.
            ProtocolKind::Rumor => return None,
        };
        let fanout = u64::from(self.gossip.fanout);
        let round_bytes = fanout.saturating_mul(message_bytes);
        const NS: u128 = 1_000_000_000;
        let interval_ns = u128::from(self.gossip.interval.0);
        if u128::from(round_bytes) * NS <= u128::from(uplink) * interval_ns {
            return None;
        }
        let uplink_bytes = (u128::from(uplink) * interval_ns / NS) as u64;
        Some(UplinkOverload {
            kind,
            message_bytes,
            how,
            round_bytes,
            uplink_bytes,
            uplink_at_least: (u128::from(round_bytes) * NS).div_ceil(interval_ns.max(1)) as u64,
            interval_at_least: SimDuration(
                (u128::from(round_bytes) * NS)
                    .div_ceil(u128::from(uplink))
                    .min(u128::from(u64::MAX)) as u64,
            ),
        })
    }

    /// Settings that are valid but likely not what was meant, as
    /// `(field, message)` (`check` and `run` print them on stderr): a
    /// `gossip.interval` so long that no node, or few, gossip before the
    /// end of the run (on a perfect clock); an uplink that cannot carry a
    /// round's own messages, with no queue limit
    /// ([`Scenario::uplink_overload`]).
    pub fn warnings(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(o) = self.uplink_overload() {
            let uplink = self.network.uplink_bytes_per_s.unwrap_or(0);
            out.push((
                "network.uplink_bytes_per_s".to_string(),
                format!(
                    "{uplink} B/s carries {} B in a gossip.interval ({}), but each node sends at least {} B a round \
                     (gossip.fanout {} × a {}-byte `{}`: {}) and network.queue_limit_bytes is not set: every node's \
                     uplink queue grows each round for the whole run, and its memory with it (the memory estimate \
                     does not bound it); set network.queue_limit_bytes (a full queue drops what does not fit), or make \
                     network.uplink_bytes_per_s at least {} or gossip.interval at least {}",
                    o.uplink_bytes,
                    self.gossip.interval,
                    o.round_bytes,
                    self.gossip.fanout,
                    o.message_bytes,
                    o.kind,
                    o.how,
                    o.uplink_at_least,
                    o.interval_at_least,
                ),
            ));
        }
        let (interval, duration) = (self.gossip.interval, self.duration);
        match self.gossip.phase {
            // The first round at `interval` (or later): at or after the end.
            Phase::Aligned | Phase::Staggered if interval >= duration => out.push((
                "gossip.interval".to_string(),
                format!(
                    "{interval} is not shorter than duration ({duration}): with phase {:?} a node's first round comes at {interval} or later, so no node gossips before the end of the run (on a perfect clock)",
                    if self.gossip.phase == Phase::Aligned { "aligned" } else { "staggered" }
                ),
            )),
            // The first round uniform in [0, interval): the only one.
            Phase::Random if interval > duration => out.push((
                "gossip.interval".to_string(),
                format!(
                    "{interval} is longer than duration ({duration}): each node gossips at most once, and only if its random first round comes before the end (on a perfect clock)"
                ),
            )),
            _ => {}
        }
        // Harmless (no write is made after the end anyway), but likely a
        // typo, or a `duration` shortened with --set: said, not refused,
        // so that shortening a run needs no second override.
        if let Some(stop) = self.workload.stop_at.filter(|&stop| stop > duration) {
            out.push((
                "workload.stop_at".to_string(),
                format!("{stop} is after the end of the run ({duration}): it changes nothing (random writes stop at the end)"),
            ));
        }
        out
    }
}

/// An uplink that cannot carry a round's own messages (see
/// [`Scenario::uplink_overload`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UplinkOverload {
    /// The kind of the message a round sends to each peer (`syn`, `ping`, …).
    pub kind: &'static str,
    /// That message's size at its smallest, by the size model.
    pub message_bytes: u64,
    /// How `message_bytes` is made up, e.g. `32 + 12 × 1000 nodes`.
    pub how: String,
    /// `gossip.fanout × message_bytes`: the least a node sends a round.
    pub round_bytes: u64,
    /// What the uplink carries in one `gossip.interval` (rounded down).
    pub uplink_bytes: u64,
    /// The smallest `network.uplink_bytes_per_s` that carries `round_bytes` a round.
    pub uplink_at_least: u64,
    /// The shortest `gossip.interval` in which the uplink carries `round_bytes`.
    pub interval_at_least: SimDuration,
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
