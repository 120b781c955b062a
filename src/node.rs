//! Nodes and the sans-IO protocol interface.
//!
//! A [`Protocol`] holds the state of every node and reacts to three stimuli —
//! a gossip round, a message, a local write — by pushing commands into a
//! [`Ctx`]: messages to send and version-vector changes to record. It never
//! sees the queue, the network or the clock; only the run loop in
//! [`crate::sim`] executes commands. So a protocol can be unit-tested by
//! feeding it stimuli and reading the outbox.

use crate::net::SizeParts;
use crate::rng::SimRng;
use crate::time::SimTime;

/// A node id, `0..nodes.count`.
pub type NodeId = u32;

/// A change of one entry of a node's version vector, reported by a protocol.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct VersionChange {
    /// The origin whose entry changed.
    pub origin: NodeId,
    /// The entry before (`generation << 32 | counter`).
    pub old: u64,
    /// The entry after: larger, except after a restart with lost state.
    pub new: u64,
}

/// A local write that took effect: it entered the replicated state.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct AppliedWrite {
    /// The key written.
    pub key: u32,
    /// The value written.
    pub value: u64,
    /// The version it got (`generation << 32 | counter`).
    pub version: u64,
    /// How many version changes the outbox held once this write was
    /// applied (its own included): where its changes end, so that a handler
    /// applying several writes records each write before its own change.
    pub changes_end: u32,
}

/// A local write that has to wait (flow control).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct DeferredWrite {
    /// The key written.
    pub key: u32,
    /// The value written.
    pub value: u64,
    /// Writes now waiting at the node, this one included.
    pub backlog: u32,
}

/// What a protocol handler asks the run loop to do.
#[derive(Debug)]
pub struct Outbox<M> {
    /// Messages to send, in order.
    pub sends: Vec<(NodeId, M)>,
    /// Version-vector entries that changed, in order.
    pub versions: Vec<VersionChange>,
    /// Local writes that took effect, in order.
    pub writes: Vec<AppliedWrite>,
    /// Local writes that were deferred, in order.
    pub deferred: Vec<DeferredWrite>,
}

impl<M> Default for Outbox<M> {
    fn default() -> Self {
        Outbox {
            sends: Vec::new(),
            versions: Vec::new(),
            writes: Vec::new(),
            deferred: Vec::new(),
        }
    }
}

/// The context of one handler call: who and when, the node's random stream,
/// and the outbox.
#[derive(Debug)]
pub struct Ctx<'a, M> {
    /// The node handling the stimulus.
    pub node: NodeId,
    /// Number of nodes in the cluster.
    pub nodes: u32,
    /// The node's local clock reading.
    pub local_now: SimTime,
    /// The node's protocol random stream (peer selection and other choices).
    pub rng: &'a mut SimRng,
    /// Where commands go.
    pub out: &'a mut Outbox<M>,
}

impl<M> Ctx<'_, M> {
    /// Sends `msg` to `to`.
    #[inline(always)]
    pub fn send(&mut self, to: NodeId, msg: M) {
        debug_assert_ne!(to, self.node, "a node never sends to itself");
        self.out.sends.push((to, msg));
    }

    /// Records that this node's version-vector entry for `origin` went from
    /// `old` to `new`.
    pub fn version_changed(&mut self, origin: NodeId, old: u64, new: u64) {
        debug_assert!(new > old, "version vectors never decrease");
        self.out.versions.push(VersionChange { origin, old, new });
    }

    /// Raises the `new` of the change recorded last to `new` (a later
    /// change of the same entry, reported as one).
    pub fn version_raised_further(&mut self, new: u64) {
        let last = self.out.versions.last_mut().expect("a change to raise");
        debug_assert!(new > last.new, "version vectors never decrease");
        last.new = new;
    }

    /// Records that a local write took effect with `version`.
    pub fn write_applied(&mut self, key: u32, value: u64, version: u64) {
        let changes_end = self.out.versions.len() as u32;
        self.out.writes.push(AppliedWrite {
            key,
            value,
            version,
            changes_end,
        });
    }

    /// Records that a local write waits in a backlog of `backlog` writes.
    pub fn write_deferred(&mut self, key: u32, value: u64, backlog: u32) {
        self.out.deferred.push(DeferredWrite { key, value, backlog });
    }

    /// Records that a restart with lost state reset the entry for `origin`
    /// from `old` to `new` (the only way an entry may decrease).
    pub fn version_reset(&mut self, origin: NodeId, old: u64, new: u64) {
        self.out.versions.push(VersionChange { origin, old, new });
    }

    /// Picks `fanout` distinct peers other than this node, uniformly at
    /// random, into `peers` (cleared first). Rejection sampling: each draw is
    /// uniform over the `nodes - 1` others; duplicates are drawn again.
    #[inline(always)]
    pub fn pick_peers(&mut self, fanout: u32, peers: &mut Vec<NodeId>) {
        pick_peers(self.rng, self.nodes, self.node, fanout, peers)
    }

    /// Picks one peer other than this node, uniformly at random: the draw
    /// [`Ctx::pick_peers`] makes first, so a fan-out of 1 may call this
    /// instead and get the same peer.
    #[inline(always)]
    pub fn pick_peer(&mut self) -> NodeId {
        pick_peer(self.rng, self.nodes, self.node)
    }
}

/// See [`Ctx::pick_peers`].
#[inline(always)]
pub fn pick_peers(rng: &mut SimRng, nodes: u32, me: NodeId, fanout: u32, peers: &mut Vec<NodeId>) {
    assert!(fanout < nodes, "fan-out must be below the node count");
    peers.clear();
    while peers.len() < fanout as usize {
        let p = pick_peer(rng, nodes, me);
        if !peers.contains(&p) {
            peers.push(p);
        }
    }
}

/// See [`Ctx::pick_peer`]: one draw, uniform over the `nodes - 1` nodes
/// other than `me` (`nodes` is at least 2).
#[inline(always)]
pub fn pick_peer(rng: &mut SimRng, nodes: u32, me: NodeId) -> NodeId {
    debug_assert!(nodes >= 2, "a peer needs another node");
    let p = crate::rng::below_u32(rng, nodes - 1);
    if p >= me {
        p + 1
    } else {
        p
    }
}

/// A gossip protocol as a sans-IO state machine over all nodes.
pub trait Protocol {
    /// The messages it exchanges.
    type Msg;

    /// Whether its handlers may leave writes, deferred writes or version
    /// changes in the outbox (not only sends). A protocol without replicated
    /// state says `false`, and the run loop does not look at those lists.
    const CHANGES_STATE: bool = true;

    /// Names of the message kinds, indexed by [`Protocol::kind`].
    fn kinds(&self) -> &'static [&'static str];
    /// The kind of `msg` (an index into [`Protocol::kinds`]).
    fn kind(&self, msg: &Self::Msg) -> u8;
    /// Bytes of `msg` on the wire (see [`crate::net::SizeModel`]).
    fn size(&self, msg: &Self::Msg) -> u32;
    /// A hint that `node` is about to receive a message: a protocol can
    /// prefetch ([`crate::prefetch::prefetch`]) the per-node state
    /// `on_message` will touch first. It must change nothing; the default
    /// does nothing.
    fn prefetch_receiver(&self, _node: NodeId) {}

    /// About how many bytes of state the handlers read at random (every
    /// node's vector, say). With the simulator's own per-node tables it
    /// decides whether the run loop prefetches events' state ahead; it
    /// changes no result. The default is none.
    fn state_bytes(&self) -> usize {
        0
    }

    /// How the bytes of `msg` divide into digest, delta and other (header
    /// and control) bytes, for the bandwidth metrics; the parts must sum to
    /// exactly [`Protocol::size`] (the run loop asserts it). The default
    /// counts every byte as other.
    fn size_parts(&self, msg: &Self::Msg) -> SizeParts {
        SizeParts::other(self.size(msg))
    }

    /// The node's gossip timer fired.
    fn on_round(&mut self, ctx: &mut Ctx<'_, Self::Msg>);
    /// The node received `msg` from `from`.
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self::Msg>, from: NodeId, msg: Self::Msg);
    /// The node's application writes `value` to `key` (an index among its
    /// keys). The protocol applies it ([`Ctx::write_applied`]) or, under flow
    /// control, defers it ([`Ctx::write_deferred`]) and applies it later.
    fn on_write(&mut self, ctx: &mut Ctx<'_, Self::Msg>, key: u32, value: u64);

    /// Protocol-specific counters for the summary (e.g. deferred writes).
    fn counters(&self) -> Vec<(&'static str, u64)> {
        Vec::new()
    }

    /// The node crashes; `lost`: its state is gone (it will restart empty).
    /// Protocols with state then reset it and report every version-vector
    /// entry that changed. Sends are ignored: a crashing node sends nothing.
    fn on_crash(&mut self, ctx: &mut Ctx<'_, Self::Msg>, lost: bool);

    /// Replicated state for inspection, if the protocol has any.
    fn replica(&self) -> Option<&dyn Replica>;
}

/// Read access to the replicated state of every node.
pub trait Replica {
    /// Node `node`'s version-vector entry for `origin`.
    fn version(&self, node: NodeId, origin: NodeId) -> u64;
    /// The version of `origin`'s key `key` that `node` holds (0 = none).
    fn key_version(&self, node: NodeId, origin: NodeId, key: u32) -> u64;
    /// The versions of `origin`'s keys that `node` holds, one per key, if
    /// the state keeps them in one row (else read [`Replica::key_version`]).
    fn key_row(&self, _node: NodeId, _origin: NodeId) -> Option<&[u64]> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Component, Streams};

    #[test]
    fn one_peer_is_the_first_of_the_peers() {
        // Twin streams: `pick_peer` draws what `pick_peers` draws first,
        // so a fan-out of 1 may take either path and send to the same peer.
        for nodes in [2, 3, 10, 1000] {
            let mut a = Streams::new(9).stream(Component::Protocol, 3);
            let mut b = a.clone();
            let mut peers = Vec::new();
            for i in 0..2000 {
                let me = i % nodes;
                pick_peers(&mut a, nodes, me, 1, &mut peers);
                assert_eq!(peers, [pick_peer(&mut b, nodes, me)], "nodes {nodes}, draw {i}");
            }
        }
    }

    #[test]
    fn peers_are_distinct_others_and_uniform() {
        let mut rng = Streams::new(1).stream(Component::Protocol, 0);
        let mut peers = Vec::new();
        let mut hits = [0u32; 5];
        for _ in 0..10_000 {
            pick_peers(&mut rng, 5, 2, 2, &mut peers);
            assert_eq!(peers.len(), 2);
            assert!(!peers.contains(&2) && peers[0] != peers[1]);
            for &p in &peers {
                hits[p as usize] += 1;
            }
        }
        // Each of the 4 others is chosen with probability 1/2: mean 5000,
        // sd = sqrt(10000 * 0.25) = 50; 300 is six sd.
        assert_eq!(hits[2], 0);
        for (i, &h) in hits.iter().enumerate().filter(|&(i, _)| i != 2) {
            assert!((h as i64 - 5000).abs() < 300, "peer {i}: {h}");
        }
    }
}
