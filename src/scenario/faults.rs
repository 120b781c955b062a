//! Schema of the fault menu: network routes, bursty loss, clocks and the
//! `[[faults]]` schedule.

use crate::time::{SignedDuration, SimDuration};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A node id or a group name, as written in node sets (`[0, 3, "eu"]`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Member {
    /// One node.
    Node(u32),
    /// Every node of a named group.
    Group(String),
}

impl Serialize for Member {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Member::Node(n) => s.serialize_u32(*n),
            Member::Group(g) => s.serialize_str(g),
        }
    }
}

impl<'de> Deserialize<'de> for Member {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Member;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a node id (integer) or a group name (string)")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Member, E> {
                u32::try_from(v)
                    .map(Member::Node)
                    .map_err(|_| E::custom(format!("node ids are 0 to nodes.count - 1; got {v}")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Member, E> {
                u32::try_from(v)
                    .map(Member::Node)
                    .map_err(|_| E::custom(format!("node ids are 0 to nodes.count - 1; got {v}")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Member, E> {
                Ok(Member::Group(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Bursty loss: a two-state (good/bad) Markov chain per directed link,
/// stepped once per message on that link (Gilbert–Elliott).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GilbertElliott {
    /// Probability of moving good → bad at each message.
    pub p_good_to_bad: f64,
    /// Probability of moving bad → good at each message.
    pub p_bad_to_good: f64,
    /// Loss probability in the good state.
    #[serde(default)]
    pub loss_good: f64,
    /// Loss probability in the bad state.
    #[serde(default = "one")]
    pub loss_bad: f64,
}

fn one() -> f64 {
    1.0
}

fn yes() -> bool {
    true
}

/// Link properties between two node sets, overriding the defaults.
/// Node-to-node routes (every member a node id) take precedence over routes
/// naming a group; among routes of the same kind the last one listed wins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Senders.
    pub from: Vec<Member>,
    /// Receivers.
    pub to: Vec<Member>,
    /// Latency on these links; omit to keep the default.
    #[serde(default)]
    pub latency: Option<super::Latency>,
    /// Independent loss on these links; omit to keep the default.
    #[serde(default)]
    pub loss: Option<f64>,
    /// Bursty loss on these links; omit to keep the default.
    #[serde(default)]
    pub burst_loss: Option<GilbertElliott>,
    /// Also apply from `to` to `from`.
    #[serde(default = "yes")]
    pub bidirectional: bool,
}

/// A distribution of signed durations (clock offsets).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "kebab-case", deny_unknown_fields)]
pub enum OffsetDist {
    /// Always `value`.
    Constant {
        /// The offset.
        value: SignedDuration,
    },
    /// Uniform over `[low, high]`.
    Uniform {
        /// Smallest.
        low: SignedDuration,
        /// Largest.
        high: SignedDuration,
    },
    /// Normal with `mean` and standard deviation `std`.
    Normal {
        /// Mean.
        mean: SignedDuration,
        /// Standard deviation.
        std: SimDuration,
    },
}

/// A distribution of plain numbers (drift in ppm).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "kebab-case", deny_unknown_fields)]
pub enum NumberDist {
    /// Always `value`.
    Constant {
        /// The value.
        value: f64,
    },
    /// Uniform over `[low, high]`.
    Uniform {
        /// Smallest.
        low: f64,
        /// Largest.
        high: f64,
    },
    /// Normal with `mean` and standard deviation `std`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
}

/// Per-node local clocks: `local = offset + (1 + drift) · true_time`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSpec {
    /// Offset of each node's clock at true time 0; omit for none.
    #[serde(default)]
    pub offset: Option<OffsetDist>,
    /// Rate error of each node's clock in parts per million; omit for none.
    #[serde(default)]
    pub drift_ppm: Option<NumberDist>,
    /// Exact clocks for chosen nodes (override the distributions).
    #[serde(default)]
    pub nodes: Vec<ClockOverride>,
}

/// An exact clock for one node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockOverride {
    /// The node.
    pub node: u32,
    /// Its offset.
    #[serde(default)]
    pub offset: SignedDuration,
    /// Its drift in ppm.
    #[serde(default)]
    pub drift_ppm: f64,
}

/// The sides of a partition: explicit node sets, or a seeded random split.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Partition {
    /// Sides, each a list of node ids and group names; nodes in no side stay
    /// connected to everyone.
    Sides(Vec<Vec<Member>>),
    /// `"random-halves"`: a seeded random split of all nodes into two halves.
    Random(RandomSplit),
}

/// What a partition may be, for errors.
const PARTITION_FORMS: &str =
    "a list of sides, each a list of node ids and group names (e.g. [[0, 1], [2, \"eu\"]]), or \"random-halves\"";

impl<'de> Deserialize<'de> for Partition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Partition;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(PARTITION_FORMS)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Partition, E> {
                match v {
                    "random-halves" => Ok(Partition::Random(RandomSplit::RandomHalves)),
                    _ => Err(E::custom(format!("expected {PARTITION_FORMS}; got {v:?}"))),
                }
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Partition, A::Error> {
                let mut sides = Vec::new();
                while let Some(side) = seq.next_element::<Vec<Member>>()? {
                    sides.push(side);
                }
                Ok(Partition::Sides(sides))
            }
        }
        d.deserialize_any(V)
    }
}

/// The named random partition modes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RandomSplit {
    /// Two halves (sizes ⌊N/2⌋ and ⌈N/2⌉), chosen by the fault's random stream.
    RandomHalves,
}

/// A one-way cut: messages from `from` to `to` are dropped; the other way passes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cut {
    /// Senders whose messages are cut.
    pub from: Vec<Member>,
    /// Receivers that no longer hear them.
    pub to: Vec<Member>,
}

/// What `heal` heals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Heal {
    /// `true`: every active partition and cut.
    All(bool),
    /// The partition or cut with this `name`.
    Named(String),
}

/// What survives a crash.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrashState {
    /// The node comes back with its state (a pause).
    #[default]
    Kept,
    /// The node comes back empty, with a new generation number.
    Lost,
}

/// Worse links for a while.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Degrade {
    /// Senders.
    pub from: Vec<Member>,
    /// Receivers.
    pub to: Vec<Member>,
    /// Added to every message's latency.
    #[serde(default)]
    pub extra_latency: SimDuration,
    /// Extra independent loss probability.
    #[serde(default)]
    pub loss: f64,
    /// How long the degradation lasts.
    #[serde(rename = "for")]
    pub duration: SimDuration,
    /// Also degrade `to` → `from`.
    #[serde(default = "yes")]
    pub bidirectional: bool,
}

/// A step of one node's clock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockStep {
    /// The node.
    pub node: u32,
    /// How far the clock jumps (negative: backwards).
    pub by: SignedDuration,
}

/// One scheduled fault: exactly one action at time `at`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// True time of the fault.
    pub at: SimDuration,
    /// A name for a partition or cut, so `heal` can name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Split nodes into sides that cannot talk to each other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<Partition>,
    /// Cut one direction only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<Cut>,
    /// Cut one node off from every other, both ways.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolate: Option<u32>,
    /// Heal every cut (`true`) or the named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heal: Option<Heal>,
    /// Crash a node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash: Option<u32>,
    /// With `crash`: whether state survives (default `kept`, filled in at
    /// load, so that writing it out resolves to the same scenario).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<CrashState>,
    /// With `crash`: restart this long after the crash; omit to stay down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_after: Option<SimDuration>,
    /// Restart a crashed node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<u32>,
    /// Degrade links for a while.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degrade: Option<Degrade>,
    /// Step a node's clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_step: Option<ClockStep>,
}

impl Fault {
    /// Names of the actions set on this fault (valid faults have exactly one).
    pub fn actions(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.partition.is_some() {
            v.push("partition");
        }
        if self.cut.is_some() {
            v.push("cut");
        }
        if self.isolate.is_some() {
            v.push("isolate");
        }
        if self.heal.is_some() {
            v.push("heal");
        }
        if self.crash.is_some() {
            v.push("crash");
        }
        if self.restart.is_some() {
            v.push("restart");
        }
        if self.degrade.is_some() {
            v.push("degrade");
        }
        if self.clock_step.is_some() {
            v.push("clock_step");
        }
        v
    }
}
