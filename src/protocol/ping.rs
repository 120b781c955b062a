//! The engine benchmark protocol (P0 of `shared/bench/SCENARIOS.md`): every
//! round a node sends one small message to `fanout` random peers; a receiver
//! only counts it. No replicated state, no replies.

use crate::net::{SizeModel, SizeParts};
use crate::node::{Ctx, NodeId, Protocol, Replica};

/// P0's protocol state: messages received per node.
#[derive(Debug)]
pub struct Ping {
    fanout: u32,
    size: u32,
    received: Vec<u64>,
    peers: Vec<NodeId>,
}

impl Ping {
    /// `nodes` nodes, each pinging `fanout` peers per round.
    pub fn new(nodes: u32, fanout: u32, sizes: &SizeModel) -> Ping {
        Ping {
            fanout,
            size: sizes.header + sizes.ping,
            received: vec![0; nodes as usize],
            peers: Vec::with_capacity(fanout as usize),
        }
    }

    /// Messages node `node` has received.
    pub fn received(&self, node: NodeId) -> u64 {
        self.received[node as usize]
    }
}

impl Protocol for Ping {
    type Msg = ();
    const CHANGES_STATE: bool = false;

    fn kinds(&self) -> &'static [&'static str] {
        &["ping"]
    }
    fn kind(&self, _: &()) -> u8 {
        0
    }
    fn size(&self, _: &()) -> u32 {
        self.size
    }
    /// Header and payload: all other bytes.
    fn size_parts(&self, _: &()) -> SizeParts {
        SizeParts::other(self.size)
    }

    #[inline(always)]
    fn on_round(&mut self, ctx: &mut Ctx<'_, ()>) {
        if self.fanout == 1 {
            // The same peer `pick_peers` would pick, without the list.
            let p = ctx.pick_peer();
            ctx.send(p, ());
            return;
        }
        let mut peers = std::mem::take(&mut self.peers);
        ctx.pick_peers(self.fanout, &mut peers);
        for &p in &peers {
            ctx.send(p, ());
        }
        self.peers = peers;
    }

    /// The receiver's counter.
    fn prefetch_receiver(&self, node: NodeId) {
        if let Some(c) = self.received.get(node as usize) {
            crate::prefetch::prefetch(c);
        }
    }

    #[inline(always)]
    fn on_message(&mut self, ctx: &mut Ctx<'_, ()>, _from: NodeId, _msg: ()) {
        self.received[ctx.node as usize] += 1;
    }

    fn on_write(&mut self, _ctx: &mut Ctx<'_, ()>, _key: u32, _value: u64) {}

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, ()>, _lost: bool) {}

    fn replica(&self) -> Option<&dyn Replica> {
        None
    }

    fn state_bytes(&self) -> usize {
        std::mem::size_of_val(&self.received[..])
    }
}
