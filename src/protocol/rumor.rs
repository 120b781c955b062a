//! Rumor mongering (Demers et al. 1987, "complex epidemics"), push with
//! feedback: a node that learns an update finds it *hot* and, every round,
//! pushes all its hot updates to `fanout` random peers (`rumor`). The peer
//! merges them and answers (`feedback`) which ones it already knew. Each
//! such unnecessary contact costs the sender's rumor interest:
//!
//! - `counter`: the sender stops spreading an update after `k` contacts
//!   that already knew it;
//! - `coin`: it stops with probability `1/k` at each such contact.
//!
//! A newer version of a key replaces an older hot one. Updates stop
//! spreading on their own, so some nodes may never hear of one: the
//! *residue*. Demers et al. give `s = e^{-(k+1)(1-s)}` for the coin variant.
//! `feedback` names rumors by their position in the `rumor` message, so it
//! costs one byte per rumor on top of the header.

use super::store::{Delta, Store};
use crate::net::{SizeModel, SizeParts};
use crate::node::{Ctx, NodeId, Protocol, Replica};
use crate::scenario::{Rumor as RumorCfg, RumorMode};
use rand::Rng;

/// Rumor mongering messages.
#[derive(Clone, Debug, PartialEq)]
pub enum RumorMsg {
    /// The sender's hot updates.
    Rumor {
        /// The hot updates.
        deltas: Vec<Delta>,
    },
    /// Which of the rumor's updates the receiver already knew.
    Feedback {
        /// The updates, as in the rumor (not counted in the size).
        deltas: Vec<Delta>,
        /// `true`: already known.
        known: Vec<bool>,
    },
}

#[derive(Clone, Debug)]
struct Hot {
    delta: Delta,
    unnecessary: u32,
}

/// Rumor mongering over every node.
#[derive(Debug)]
pub struct RumorMongering {
    cfg: RumorCfg,
    fanout: u32,
    sizes: SizeModel,
    store: Store,
    hot: Vec<Vec<Hot>>,
    peers: Vec<NodeId>,
}

impl RumorMongering {
    /// `nodes` nodes with `keys` keys per origin.
    pub fn new(cfg: &RumorCfg, nodes: u32, keys: u32, fanout: u32, sizes: SizeModel) -> RumorMongering {
        RumorMongering {
            cfg: cfg.clone(),
            fanout,
            sizes,
            store: Store::new(nodes, keys),
            hot: vec![Vec::new(); nodes as usize],
            peers: Vec::new(),
        }
    }

    /// Updates `node` is still spreading.
    pub fn hot_count(&self, node: NodeId) -> usize {
        self.hot[node as usize].len()
    }

    fn make_hot(&mut self, node: NodeId, d: Delta) {
        let hot = &mut self.hot[node as usize];
        hot.retain(|h| !(h.delta.origin == d.origin && h.delta.key == d.key));
        hot.push(Hot {
            delta: d,
            unnecessary: 0,
        });
    }
}

impl Protocol for RumorMongering {
    type Msg = RumorMsg;

    fn kinds(&self) -> &'static [&'static str] {
        &["rumor", "feedback"]
    }

    fn kind(&self, msg: &RumorMsg) -> u8 {
        match msg {
            RumorMsg::Rumor { .. } => 0,
            RumorMsg::Feedback { .. } => 1,
        }
    }

    fn size(&self, msg: &RumorMsg) -> u32 {
        self.size_parts(msg).total()
    }

    /// A `rumor` is a header and delta entries; a `feedback` (a header and
    /// one byte per update) is control traffic, all other bytes.
    fn size_parts(&self, msg: &RumorMsg) -> SizeParts {
        match msg {
            RumorMsg::Rumor { deltas } => self.sizes.parts(0, deltas.len(), 0),
            RumorMsg::Feedback { known, .. } => {
                SizeParts::saturating(self.sizes.header as u64 + known.len() as u64, 0, 0)
            }
        }
    }

    fn on_round(&mut self, ctx: &mut Ctx<'_, RumorMsg>) {
        if self.hot[ctx.node as usize].is_empty() {
            return;
        }
        let mut peers = std::mem::take(&mut self.peers);
        ctx.pick_peers(self.fanout, &mut peers);
        for &p in &peers {
            let deltas = self.hot[ctx.node as usize].iter().map(|h| h.delta).collect();
            ctx.send(p, RumorMsg::Rumor { deltas });
        }
        self.peers = peers;
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, RumorMsg>, from: NodeId, msg: RumorMsg) {
        match msg {
            RumorMsg::Rumor { deltas } => {
                let mut fresh = Vec::new();
                self.store.apply(ctx, &deltas, false, |d| fresh.push(*d));
                let known = deltas.iter().map(|d| !fresh.contains(d)).collect();
                for d in fresh {
                    self.make_hot(ctx.node, d);
                }
                ctx.send(from, RumorMsg::Feedback { deltas, known });
            }
            RumorMsg::Feedback { deltas, known } => {
                let (k, mode) = (self.cfg.k.max(1), self.cfg.mode);
                let hot = &mut self.hot[ctx.node as usize];
                for (d, knew) in deltas.iter().zip(known) {
                    if !knew {
                        continue;
                    }
                    if let Some(i) = hot.iter().position(|h| h.delta == *d) {
                        let lose = match mode {
                            RumorMode::Counter => {
                                hot[i].unnecessary += 1;
                                hot[i].unnecessary >= k
                            }
                            RumorMode::Coin => ctx.rng.random_range(0..k) == 0,
                        };
                        if lose {
                            hot.remove(i);
                        }
                    }
                }
            }
        }
    }

    fn on_write(&mut self, ctx: &mut Ctx<'_, RumorMsg>, key: u32, value: u64) {
        let version = self.store.write(ctx, key);
        ctx.write_applied(key, value, version);
        self.make_hot(
            ctx.node,
            Delta {
                origin: ctx.node,
                key,
                version,
            },
        );
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, RumorMsg>, lost: bool) {
        self.store.crash(ctx, lost);
        if lost {
            self.hot[ctx.node as usize].clear();
        }
    }

    fn replica(&self) -> Option<&dyn Replica> {
        Some(&self.store)
    }

    fn state_bytes(&self) -> usize {
        self.store.bytes()
    }
}
