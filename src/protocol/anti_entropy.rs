//! Classic full-state anti-entropy (Demers et al. 1987) as baselines: no
//! digests, the whole state goes in the message, so bandwidth shows the cost
//! Scuttlebutt's digests save.
//!
//! - `push`: each round, a node sends its whole state to each of `fanout` peers.
//! - `pull`: a node asks each peer (`request`, a bare header) and the peer
//!   answers with its whole state (`reply`).
//! - `push-pull`: a node sends its whole state; the peer merges it and
//!   answers with its own state as it was before the merge.
//!
//! "The whole state" is every entry the node holds, grouped by origin in
//! version order, so a receiver's version vector stays a correct summary.
//! Size limits (`gossip.mtu`) do not apply to these baselines (a scenario
//! that sets one for them is refused).

use super::store::{Delta, Store};
use crate::net::{SizeModel, SizeParts};
use crate::node::{Ctx, NodeId, Protocol, Replica};

/// Which way state flows.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Send state.
    Push,
    /// Ask for state.
    Pull,
    /// Send state, get state back.
    PushPull,
}

/// Full-state anti-entropy messages.
#[derive(Clone, Debug, PartialEq)]
pub enum AeMsg {
    /// The sender's whole state (push, and the first half of push-pull).
    State {
        /// Every entry the sender holds.
        entries: Vec<Delta>,
    },
    /// A request for the receiver's state (pull).
    Request,
    /// The answer to a request or to a push-pull state.
    Reply {
        /// Every entry the replier held.
        entries: Vec<Delta>,
    },
}

/// Full-state anti-entropy over every node.
#[derive(Debug)]
pub struct AntiEntropy {
    mode: Mode,
    fanout: u32,
    sizes: SizeModel,
    store: Store,
    peers: Vec<NodeId>,
}

impl AntiEntropy {
    /// `nodes` nodes with `keys` keys per origin.
    pub fn new(mode: Mode, nodes: u32, keys: u32, fanout: u32, sizes: SizeModel) -> AntiEntropy {
        AntiEntropy {
            mode,
            fanout,
            sizes,
            store: Store::new(nodes, keys),
            peers: Vec::new(),
        }
    }

    fn state(&self, node: NodeId) -> Vec<Delta> {
        let mut v = Vec::new();
        self.store.state(node, &mut v);
        v
    }
}

impl Protocol for AntiEntropy {
    type Msg = AeMsg;

    fn kinds(&self) -> &'static [&'static str] {
        match self.mode {
            Mode::Push => &["state"],
            Mode::Pull => &["request", "reply"],
            Mode::PushPull => &["state", "reply"],
        }
    }

    fn kind(&self, msg: &AeMsg) -> u8 {
        match (self.mode, msg) {
            (_, AeMsg::State { .. }) | (Mode::Pull, AeMsg::Request) => 0,
            _ => 1,
        }
    }

    fn size(&self, msg: &AeMsg) -> u32 {
        self.size_parts(msg).total()
    }

    /// No digests: a `state` or `reply` is a header and delta entries (every
    /// entry the sender holds); a `request` is a bare header.
    fn size_parts(&self, msg: &AeMsg) -> SizeParts {
        match msg {
            AeMsg::State { entries } | AeMsg::Reply { entries } => self.sizes.parts(0, entries.len(), 0),
            AeMsg::Request => self.sizes.parts(0, 0, 0),
        }
    }

    fn on_round(&mut self, ctx: &mut Ctx<'_, AeMsg>) {
        let mut peers = std::mem::take(&mut self.peers);
        ctx.pick_peers(self.fanout, &mut peers);
        for &p in &peers {
            let msg = match self.mode {
                Mode::Pull => AeMsg::Request,
                _ => AeMsg::State {
                    entries: self.state(ctx.node),
                },
            };
            ctx.send(p, msg);
        }
        self.peers = peers;
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, AeMsg>, from: NodeId, msg: AeMsg) {
        match msg {
            AeMsg::Request => {
                let entries = self.state(ctx.node);
                ctx.send(from, AeMsg::Reply { entries });
            }
            AeMsg::State { entries } => {
                if self.mode == Mode::PushPull {
                    let mine = self.state(ctx.node);
                    ctx.send(from, AeMsg::Reply { entries: mine });
                }
                self.store.apply(ctx, &entries, true, |_| {});
            }
            AeMsg::Reply { entries } => self.store.apply(ctx, &entries, true, |_| {}),
        }
    }

    fn on_write(&mut self, ctx: &mut Ctx<'_, AeMsg>, key: u32, value: u64) {
        let version = self.store.write(ctx, key);
        ctx.write_applied(key, value, version);
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, AeMsg>, lost: bool) {
        self.store.crash(ctx, lost);
    }

    fn replica(&self) -> Option<&dyn Replica> {
        Some(&self.store)
    }

    fn state_bytes(&self) -> usize {
        self.store.bytes()
    }
}
