//! The network: what happens to a message between send and receipt.
//!
//! [`Network::route`] decides, for one message, whether it is delivered and
//! when. Each sender has its own latency stream and its own loss stream, and
//! the latency is drawn for every message *before* the loss decision, so
//! changing the loss rate never changes which latency another message gets.
//! The byte size of every message comes from [`SizeModel`].

use crate::node::NodeId;
use crate::rng::{chance, Component, SimRng, Streams};
use crate::scenario::{self, Latency};
use crate::time::{SimDuration, SimTime};
use rand::Rng;

/// Why a message was not delivered.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// Random loss.
    Loss,
}

impl DropReason {
    /// The name used in trace records.
    pub fn name(self) -> &'static str {
        match self {
            DropReason::Loss => "loss",
        }
    }
}

/// The network's decision for one message.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Delivered at this time.
    Deliver(SimTime),
    /// Dropped.
    Drop(DropReason),
}

/// Latency and loss between every pair of nodes.
#[derive(Debug)]
pub struct Network {
    latency: Latency,
    loss: f64,
    latency_rng: Vec<SimRng>,
    loss_rng: Vec<SimRng>,
}

impl Network {
    /// The network of `scenario`, with streams from `streams`.
    pub fn new(net: &scenario::Network, nodes: u32, streams: &Streams) -> Network {
        Network {
            latency: net.latency.clone(),
            loss: net.loss,
            latency_rng: (0..nodes)
                .map(|n| streams.stream(Component::Latency, n))
                .collect(),
            loss_rng: (0..nodes)
                .map(|n| streams.stream(Component::Loss, n))
                .collect(),
        }
    }

    /// Decides the fate of a message sent by `from` to `to` at `now`.
    pub fn route(&mut self, from: NodeId, _to: NodeId, now: SimTime) -> Verdict {
        let delay = sample_latency(&self.latency, &mut self.latency_rng[from as usize]);
        if chance(&mut self.loss_rng[from as usize], self.loss) {
            return Verdict::Drop(DropReason::Loss);
        }
        Verdict::Deliver(now.saturating_add(delay))
    }
}

/// One draw from a latency distribution.
pub fn sample_latency(l: &Latency, rng: &mut SimRng) -> SimDuration {
    match *l {
        Latency::Constant { value } => value,
        Latency::Uniform { low, high } => SimDuration(rng.random_range(low.0..=high.0)),
    }
}

/// Bytes on the wire for each part of a message. The defaults model UDP over
/// IPv4 with a small scuttlesim header; change them in one place.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SizeModel {
    /// Per message: IPv4 (20) + UDP (8) + message kind and length (4).
    pub header: u32,
    /// Per digest entry: origin id (4) + version (4).
    pub digest_entry: u32,
    /// Per delta entry, before the value: origin (4) + key (4) + version (4).
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
            digest_entry: 8,
            delta_entry: 12,
            value: value_bytes,
            ping: 8,
        }
    }

    /// Size of a message with `digest` digest entries and `deltas` delta entries.
    pub fn message(&self, digest: usize, deltas: usize) -> u32 {
        self.header
            + self.digest_entry * digest as u32
            + (self.delta_entry + self.value) * deltas as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_latency_stays_in_range_and_covers_it() {
        let mut rng = Streams::new(1).stream(Component::Latency, 0);
        let l = Latency::Uniform {
            low: SimDuration(10),
            high: SimDuration(20),
        };
        let draws: Vec<u64> = (0..2000).map(|_| sample_latency(&l, &mut rng).0).collect();
        assert!(draws.iter().all(|d| (10..=20).contains(d)));
        for v in 10..=20 {
            assert!(draws.contains(&v), "value {v} never drawn in 2000 draws");
        }
    }

    #[test]
    fn loss_does_not_shift_latencies() {
        let s = Streams::new(5);
        let net_cfg = |loss| scenario::Network {
            latency: Latency::Uniform {
                low: SimDuration(0),
                high: SimDuration(1_000_000),
            },
            loss,
        };
        let mut a = Network::new(&net_cfg(0.0), 2, &s);
        let mut b = Network::new(&net_cfg(0.5), 2, &s);
        let mut delivered_both = 0;
        for _ in 0..100 {
            let (va, vb) = (a.route(0, 1, SimTime(0)), b.route(0, 1, SimTime(0)));
            if let Verdict::Deliver(tb) = vb {
                assert_eq!(va, Verdict::Deliver(tb));
                delivered_both += 1;
            }
        }
        assert!(delivered_both > 20);
    }

    #[test]
    fn size_model_adds_up() {
        let m = SizeModel::new(8);
        assert_eq!(m.message(0, 0), 32);
        assert_eq!(m.message(3, 2), 32 + 24 + 40);
    }
}
