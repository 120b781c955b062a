//! The network: what happens to a message between send and receipt.
//!
//! [`Network::route`] decides, for one message, whether it is delivered and
//! when, in a fixed order:
//!
//! 1. the link's parameters: a node-to-node route, else a group-to-group
//!    route, else the defaults (`links`);
//! 2. random draws, always in the same order whatever happens next, each
//!    from the sender's own stream: latency (latency stream, which the
//!    caller keeps and passes in); independent
//!    loss, bursty loss, degradation loss (loss stream); duplication and the
//!    copy's latency (duplication stream). So adding a partition or changing
//!    a loss rate never changes which latency another message gets;
//! 3. the sender's uplink (bandwidth): the message waits behind earlier ones
//!    (FIFO) and takes `size / bandwidth` to serialise; a full queue drops it;
//! 4. active cuts (partitions) and the loss draws.
//!
//! A message whose path is cut *while it is in flight* is dropped on arrival
//! ([`Network::blocked`] is checked again at delivery). Reordering needs no
//! model: two messages on one link arrive in the order of their send time
//! plus latency, so latency variance reorders them.

pub mod latency;
mod links;

pub use links::{CutShape, NodeSet, NO_SIDE};

use crate::node::NodeId;
use crate::rng::{chance, Component, SimRng, Streams};
use crate::scenario::{GilbertElliott, Scenario};
use crate::time::SimTime;
use links::{Degradation, Degradations, LinkTable};
use std::collections::BTreeMap;

/// Why a message was not delivered.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DropReason {
    /// Random loss (independent, bursty, or from a degraded link).
    Loss,
    /// A partition or cut between sender and receiver (at send or arrival).
    Partition,
    /// The receiver was down when the message arrived.
    Crash,
    /// The sender's uplink queue was full (tail drop).
    Queue,
}

impl DropReason {
    /// The name used in trace records.
    pub fn name(self) -> &'static str {
        match self {
            DropReason::Loss => "loss",
            DropReason::Partition => "partition",
            DropReason::Crash => "crash",
            DropReason::Queue => "queue",
        }
    }
}

/// The network's decision for one message.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Delivered at `at`, and a duplicate at `copy` if duplicated.
    Deliver {
        /// Arrival time.
        at: SimTime,
        /// Arrival time of a duplicate, if any.
        copy: Option<SimTime>,
    },
    /// Dropped.
    Drop(DropReason),
}

/// A named cut currently in force.
#[derive(Debug)]
struct ActiveCut {
    name: Option<String>,
    shape: CutShape,
}

/// Latency, loss, duplication, bandwidth and cuts between every pair of nodes.
#[derive(Debug)]
pub struct Network {
    links: LinkTable,
    ge_bad: BTreeMap<(NodeId, NodeId), bool>,
    duplicate: f64,
    uplink_bytes_per_s: Option<u64>,
    queue_limit_bytes: Option<u64>,
    busy_until: Vec<u64>,
    cuts: Vec<ActiveCut>,
    degradations: Degradations,
    loss_rng: Vec<NodeStream>,
    dup_rng: Vec<NodeStream>,
}

/// One node's stream for one network choice, aligned so that it never
/// straddles two cache lines: a large run reads these at random, and one
/// line is one miss (and one prefetch covers it).
#[derive(Debug)]
#[repr(align(32))]
struct NodeStream(SimRng);

impl Network {
    /// The network of a validated `scenario`, with streams from `streams`.
    pub fn new(s: &Scenario, streams: &Streams) -> Network {
        let n = s.nodes.count;
        let net = &s.network;
        let links = LinkTable::new(s);
        let any_loss = links.any_loss()
            || s.faults
                .iter()
                .any(|f| f.degrade.as_ref().is_some_and(|d| d.loss > 0.0));
        Network {
            links,
            ge_bad: BTreeMap::new(),
            duplicate: net.duplicate,
            uplink_bytes_per_s: net.uplink_bytes_per_s,
            queue_limit_bytes: net.queue_limit_bytes,
            busy_until: if net.uplink_bytes_per_s.is_some() {
                vec![0; n as usize]
            } else {
                Vec::new()
            },
            cuts: Vec::new(),
            degradations: Degradations::default(),
            loss_rng: if any_loss {
                streams.each_node(Component::Loss, n).map(NodeStream).collect()
            } else {
                Vec::new()
            },
            dup_rng: if net.duplicate > 0.0 {
                streams
                    .each_node(Component::Duplication, n)
                    .map(NodeStream)
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// Decides the fate of a `bytes`-byte message sent by `from` to `to` at
    /// `now`. `latency_rng` is the sender's latency stream
    /// ([`Component::Latency`]): the run loop keeps it beside the sender's
    /// protocol stream, so that a round reads one cache line for both.
    #[inline(always)]
    pub fn route(
        &mut self,
        from: NodeId,
        to: NodeId,
        now: SimTime,
        bytes: u32,
        latency_rng: &mut SimRng,
    ) -> Verdict {
        let params = self.links.params(from, to);
        let delay = latency::sample(&params.latency, latency_rng).0;
        let mut lost = false;
        if !self.loss_rng.is_empty() {
            let rng = &mut self.loss_rng[from as usize].0;
            lost |= chance(rng, params.loss);
            if let Some(ge) = &params.burst {
                // A link's chain starts in its stationary distribution, so
                // sparse links lose at the stationary rate from the first message.
                let bad = match self.ge_bad.entry((from, to)) {
                    std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::btree_map::Entry::Vacant(e) => {
                        let pi_bad = ge.p_good_to_bad / (ge.p_good_to_bad + ge.p_bad_to_good);
                        e.insert(chance(rng, pi_bad))
                    }
                };
                lost |= step_gilbert_elliott(ge, bad, rng);
            }
        }
        let mut extra = 0u64;
        for d in self.degradations.matching(from, to) {
            extra += d.extra_latency_ns;
            if !self.loss_rng.is_empty() {
                lost |= chance(&mut self.loss_rng[from as usize].0, d.loss);
            }
        }
        let copy_delay =
            if !self.dup_rng.is_empty() && chance(&mut self.dup_rng[from as usize].0, self.duplicate) {
                Some(latency::sample(&params.latency, &mut self.dup_rng[from as usize].0).0)
            } else {
                None
            };
        let departed = match self.uplink_bytes_per_s {
            None => now.0,
            Some(bps) => {
                let busy = &mut self.busy_until[from as usize];
                let start = (*busy).max(now.0);
                if let Some(limit) = self.queue_limit_bytes {
                    let queued = ((start - now.0) as u128 * bps as u128).div_ceil(1_000_000_000) as u64;
                    if queued + bytes as u64 > limit {
                        return Verdict::Drop(DropReason::Queue);
                    }
                }
                let serialise = (bytes as u128 * 1_000_000_000).div_ceil(bps as u128) as u64;
                *busy = start + serialise;
                *busy
            }
        };
        if self.blocked(from, to) {
            return Verdict::Drop(DropReason::Partition);
        }
        if lost {
            return Verdict::Drop(DropReason::Loss);
        }
        let base = departed.saturating_add(extra);
        Verdict::Deliver {
            at: SimTime(base.saturating_add(delay)),
            copy: copy_delay.map(|d| SimTime(base.saturating_add(d))),
        }
    }

    /// Whether an active cut drops messages from `from` to `to`.
    #[inline]
    pub fn blocked(&self, from: NodeId, to: NodeId) -> bool {
        // The emptiness test first (redundant with `any`) keeps the usual
        // answer, no cut, a single inlined comparison.
        !self.cuts.is_empty() && self.cuts.iter().any(|c| c.shape.blocks(from, to))
    }

    /// How many partitions and cuts are in force.
    pub fn cuts_in_force(&self) -> usize {
        self.cuts.len()
    }

    /// Puts a cut in force.
    pub fn add_cut(&mut self, name: Option<String>, shape: CutShape) {
        self.cuts.push(ActiveCut { name, shape });
    }

    /// Heals every cut (`None`) or those named `name`; returns how many.
    pub fn heal(&mut self, name: Option<&str>) -> usize {
        let before = self.cuts.len();
        self.cuts
            .retain(|c| name.is_some_and(|n| c.name.as_deref() != Some(n)));
        before - self.cuts.len()
    }

    /// Starts degradation `id`.
    pub fn degrade(
        &mut self,
        id: u32,
        from: NodeSet,
        to: NodeSet,
        bidirectional: bool,
        extra_ns: u64,
        loss: f64,
    ) {
        self.degradations.push(Degradation {
            id,
            from,
            to,
            bidirectional,
            extra_latency_ns: extra_ns,
            loss,
        });
    }

    /// Ends degradation `id`.
    pub fn end_degradation(&mut self, id: u32) {
        self.degradations.end(id);
    }
}

/// One Gilbert–Elliott step on a link in state `bad`: the message is lost
/// with the current state's loss probability, then the state moves. The
/// long-run loss rate is `π_good·loss_good + π_bad·loss_bad` with
/// `π_bad = p_good_to_bad / (p_good_to_bad + p_bad_to_good)`; mean burst
/// length (in messages) is `1 / p_bad_to_good`.
pub fn step_gilbert_elliott(ge: &GilbertElliott, bad: &mut bool, rng: &mut SimRng) -> bool {
    let lost = chance(rng, if *bad { ge.loss_bad } else { ge.loss_good });
    *bad = if *bad {
        !chance(rng, ge.p_bad_to_good)
    } else {
        chance(rng, ge.p_good_to_bad)
    };
    lost
}

/// Bytes on the wire for each part of a message. The defaults model UDP over
/// IPv4 with a small scuttlesim header; change them in one place.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SizeModel {
    /// Per message: IPv4 (20) + UDP (8) + message kind and length (4).
    pub header: u32,
    /// Per digest entry: origin id (4) + generation (4) + version (4).
    pub digest_entry: u32,
    /// Per delta entry, before the value: origin (4) + key (4) + generation (4) + version (4).
    pub delta_entry: u32,
    /// Per delta entry: the value itself (`gossip.value_bytes`).
    pub value: u32,
    /// Payload of a `ping` message (engine benchmark).
    pub ping: u32,
}

impl SizeModel {
    /// The documented model with `value` bytes per value.
    pub fn new(value_bytes: u32) -> SizeModel {
        SizeModel {
            header: 32,
            digest_entry: 12,
            delta_entry: 16,
            value: value_bytes,
            ping: 8,
        }
    }

    /// Size of a message with `digest` digest entries and `deltas` delta entries.
    pub fn message(&self, digest: usize, deltas: usize) -> u32 {
        self.parts(digest, deltas, 0).total()
    }

    /// The parts of a message with `digest` digest entries, `deltas` delta
    /// entries and `extra` bytes of other fields besides the header (e.g. a
    /// flow-control rate); they sum to [`SizeModel::message`] plus `extra`.
    pub fn parts(&self, digest: usize, deltas: usize, extra: u32) -> SizeParts {
        SizeParts::saturating(
            self.header as u64 + extra as u64,
            self.digest_entry as u64 * digest as u64,
            (self.delta_entry as u64 + self.value as u64) * deltas as u64,
        )
    }
}

/// How the bytes of one message divide by what they carry, for bandwidth
/// accounting ([`crate::node::Protocol::size_parts`]): the parts sum to the
/// message's size on the wire.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct SizeParts {
    /// Digest entries: summaries of what the sender holds (version vectors).
    pub digest: u32,
    /// Delta entries: the replicated state itself (keys, versions, values).
    pub delta: u32,
    /// Everything else: the header and control fields (flow-control rates,
    /// rumor feedback, benchmark payloads).
    pub other: u32,
}

impl SizeParts {
    /// A message of `bytes` bytes that are all `other`.
    pub fn other(bytes: u32) -> SizeParts {
        SizeParts {
            other: bytes,
            ..SizeParts::default()
        }
    }

    /// The parts, cut so that they sum to at most `u32::MAX` (the largest
    /// size a message may have): delta bytes go first, then digest bytes.
    pub fn saturating(other: u64, digest: u64, delta: u64) -> SizeParts {
        let max = u32::MAX as u64;
        let other = other.min(max);
        let digest = digest.min(max - other);
        let delta = delta.min(max - other - digest);
        SizeParts {
            digest: digest as u32,
            delta: delta as u32,
            other: other as u32,
        }
    }

    /// The message's size: the sum of the parts.
    pub fn total(&self) -> u32 {
        self.digest.saturating_add(self.delta).saturating_add(self.other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{parse_str, Format};

    /// A network with its senders' latency streams, as the run loop keeps
    /// them.
    struct Net {
        net: Network,
        latency: Vec<SimRng>,
    }

    impl Net {
        fn new(s: &Scenario, streams: &Streams) -> Net {
            Net {
                net: Network::new(s, streams),
                latency: streams.each_node(Component::Latency, s.nodes.count).collect(),
            }
        }

        fn route(&mut self, from: NodeId, to: NodeId, now: SimTime, bytes: u32) -> Verdict {
            self.net
                .route(from, to, now, bytes, &mut self.latency[from as usize])
        }
    }

    fn scenario(extra: &str) -> Scenario {
        let text = format!("duration = \"10s\"\n[nodes]\ncount = 4\n[network]\n{extra}\n");
        parse_str(&text, Format::Toml, "t.toml", "t", &[]).unwrap()
    }

    #[test]
    fn loss_does_not_shift_latencies() {
        let s0 = scenario("latency = { dist = \"uniform\", low = \"0ms\", high = \"1ms\" }");
        let s1 = scenario("latency = { dist = \"uniform\", low = \"0ms\", high = \"1ms\" }\nloss = 0.5");
        let streams = Streams::new(5);
        let (mut a, mut b) = (Net::new(&s0, &streams), Net::new(&s1, &streams));
        let mut both = 0;
        for _ in 0..200 {
            let (va, vb) = (a.route(0, 1, SimTime(0), 40), b.route(0, 1, SimTime(0), 40));
            if let Verdict::Deliver { .. } = vb {
                assert_eq!(va, vb);
                both += 1;
            }
        }
        assert!(both > 50);
    }

    /// Stationary loss of the chain: π_bad = p_gb / (p_gb + p_br) = 0.05 /
    /// 0.30 = 1/6; loss = π_good·0.01 + π_bad·0.6 = 5/6·0.01 + 1/6·0.6 =
    /// 0.10833. Bursts make the draws correlated: the chain's mixing time is
    /// about 1/(p_gb + p_bg) ≈ 3.3 messages, so the variance is inflated by
    /// roughly 2·(1/0.3)·0.6 ≈ 4 relative to Bernoulli; over 400,000 messages
    /// the sd is below sqrt(4·0.1·0.9/4e5) = 0.001, and 0.006 is 6 sd.
    #[test]
    fn gilbert_elliott_matches_the_stationary_formula() {
        let ge = GilbertElliott {
            p_good_to_bad: 0.05,
            p_bad_to_good: 0.25,
            loss_good: 0.01,
            loss_bad: 0.6,
        };
        let mut rng = Streams::new(11).stream(Component::Loss, 0);
        let mut bad = false;
        let n = 400_000;
        let lost = (0..n)
            .filter(|_| step_gilbert_elliott(&ge, &mut bad, &mut rng))
            .count();
        let rate = lost as f64 / n as f64;
        assert!((rate - 0.108_33).abs() < 0.006, "loss rate {rate}");
    }

    /// 1,000 bytes/s uplink: a burst of five 100-byte messages at t=0 leaves
    /// at 0.1 s, 0.2 s, … 0.5 s (constant latency 10 ms on top).
    #[test]
    fn bandwidth_spaces_a_burst_by_size_over_rate() {
        let s = scenario("latency = { dist = \"constant\", value = \"10ms\" }\nuplink_bytes_per_s = 1000");
        let mut net = Net::new(&s, &Streams::new(1));
        for k in 1..=5u64 {
            let v = net.route(0, 1, SimTime(0), 100);
            assert_eq!(
                v,
                Verdict::Deliver {
                    at: SimTime(k * 100_000_000 + 10_000_000),
                    copy: None
                }
            );
        }
        // Another sender's uplink is independent.
        assert_eq!(
            net.route(1, 0, SimTime(0), 100),
            Verdict::Deliver {
                at: SimTime(110_000_000),
                copy: None
            }
        );
    }

    /// Queue limit 250 bytes: the first message starts at once (nothing
    /// queued), the next two wait (100 and 200 bytes queued ahead of them,
    /// plus their own 100 → 200, 300: the third exceeds 250 and is dropped).
    #[test]
    fn a_full_queue_drops_the_tail() {
        let s = scenario("uplink_bytes_per_s = 1000\nqueue_limit_bytes = 250");
        let mut net = Net::new(&s, &Streams::new(1));
        assert!(matches!(
            net.route(0, 1, SimTime(0), 100),
            Verdict::Deliver { .. }
        ));
        assert!(matches!(
            net.route(0, 1, SimTime(0), 100),
            Verdict::Deliver { .. }
        ));
        assert_eq!(net.route(0, 1, SimTime(0), 100), Verdict::Drop(DropReason::Queue));
        // Once the queue drains, sending works again.
        assert!(matches!(
            net.route(0, 1, SimTime(1_000_000_000), 100),
            Verdict::Deliver { .. }
        ));
    }

    #[test]
    fn size_model_adds_up() {
        let m = SizeModel::new(8);
        assert_eq!(m.message(0, 0), 32);
        assert_eq!(m.message(3, 2), 32 + 36 + 48);
        let p = m.parts(3, 2, 8);
        assert_eq!((p.other, p.digest, p.delta, p.total()), (40, 36, 48, 124));
        // A message larger than u32::MAX bytes is cut, deltas first.
        let big = m.parts(1, 1 << 30, 0);
        assert_eq!((big.other, big.digest, big.total()), (32, 12, u32::MAX));
        assert_eq!(m.message(1, 1 << 30), u32::MAX);
        assert_eq!(
            SizeParts::other(7),
            SizeParts {
                digest: 0,
                delta: 0,
                other: 7
            }
        );
    }
}
