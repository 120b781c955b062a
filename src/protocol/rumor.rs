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
use std::collections::BTreeMap;

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

/// A node's hot updates, in the order they became hot (the order a rumor
/// lists them), found by `(origin, key)` without a scan: a large cluster's
/// lists hold hundreds, and every delta of every rumor and feedback looks
/// one up.
#[derive(Clone, Debug, Default)]
struct HotList {
    /// In order; `None`: no longer hot (dropped when most slots are).
    slots: Vec<Option<Hot>>,
    /// The slot of each hot `(origin, key)`.
    index: BTreeMap<(NodeId, u32), usize>,
}

impl HotList {
    fn len(&self) -> usize {
        self.index.len()
    }

    fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    fn clear(&mut self) {
        self.slots.clear();
        self.index.clear();
    }

    /// The hot updates, in order.
    fn deltas(&self) -> Vec<Delta> {
        self.slots.iter().flatten().map(|h| h.delta).collect()
    }

    /// Makes `d` hot, replacing a hot update of its key (moved to the end).
    fn make_hot(&mut self, d: Delta) {
        if let Some(i) = self.index.remove(&(d.origin, d.key)) {
            self.slots[i] = None;
        }
        self.index.insert((d.origin, d.key), self.slots.len());
        self.slots.push(Some(Hot {
            delta: d,
            unnecessary: 0,
        }));
        self.compact();
    }

    /// The slot of hot update `d` (this very version), if hot.
    fn find(&self, d: &Delta) -> Option<usize> {
        let &i = self.index.get(&(d.origin, d.key))?;
        self.slots[i].as_ref().is_some_and(|h| h.delta == *d).then_some(i)
    }

    fn remove(&mut self, i: usize) {
        if let Some(h) = self.slots[i].take() {
            self.index.remove(&(h.delta.origin, h.delta.key));
        }
        self.compact();
    }

    /// Drops the empty slots once they are most of the list.
    fn compact(&mut self) {
        if self.slots.len() < 2 * self.index.len() + 16 {
            return;
        }
        self.slots.retain(Option::is_some);
        for (i, h) in self.slots.iter().enumerate() {
            let d = h.as_ref().expect("kept").delta;
            self.index.insert((d.origin, d.key), i);
        }
    }
}

/// Rumor mongering over every node.
#[derive(Debug)]
pub struct RumorMongering {
    cfg: RumorCfg,
    fanout: u32,
    sizes: SizeModel,
    store: Store,
    hot: Vec<HotList>,
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
            hot: vec![HotList::default(); nodes as usize],
            peers: Vec::new(),
        }
    }

    /// Updates `node` is still spreading.
    pub fn hot_count(&self, node: NodeId) -> usize {
        self.hot[node as usize].len()
    }

    fn make_hot(&mut self, node: NodeId, d: Delta) {
        self.hot[node as usize].make_hot(d);
    }
}

/// For each of `deltas`, whether it was already known: not among `fresh`,
/// the ones the store took, which come in the rumor's order (a walk; a
/// search should they not).
fn known(deltas: &[Delta], fresh: &[Delta]) -> Vec<bool> {
    let mut j = 0;
    let walked: Vec<bool> = deltas
        .iter()
        .map(|d| {
            let took = fresh.get(j) == Some(d);
            j += usize::from(took);
            !took
        })
        .collect();
    if j == fresh.len() {
        walked
    } else {
        deltas.iter().map(|d| !fresh.contains(d)).collect()
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
            let deltas = self.hot[ctx.node as usize].deltas();
            ctx.send(p, RumorMsg::Rumor { deltas });
        }
        self.peers = peers;
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, RumorMsg>, from: NodeId, msg: RumorMsg) {
        match msg {
            RumorMsg::Rumor { deltas } => {
                let mut fresh = Vec::new();
                self.store.apply(ctx, &deltas, false, |d| fresh.push(*d));
                let known = known(&deltas, &fresh);
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
                    if let Some(i) = hot.find(d) {
                        let lose = match mode {
                            RumorMode::Counter => {
                                let h = hot.slots[i].as_mut().expect("found");
                                h.unnecessary += 1;
                                h.unnecessary >= k
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// The hot list against the plain list it replaces (the one a scan
    /// searched): the same updates in the same order, found and dropped
    /// alike, through replacements, removals and compactions.
    #[test]
    fn hot_list_matches_a_plain_list() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut list = HotList::default();
        let mut plain: Vec<Delta> = Vec::new();
        for step in 0..20_000u64 {
            let d = Delta {
                origin: rng.random_range(0..12),
                key: rng.random_range(0..3),
                version: step,
            };
            if rng.random_bool(0.5) {
                plain.retain(|h| !(h.origin == d.origin && h.key == d.key));
                plain.push(d);
                list.make_hot(d);
            } else if let Some(&victim) = plain.get(rng.random_range(0..plain.len().max(1))) {
                let i = list.find(&victim).expect("hot");
                list.remove(i);
                plain.retain(|h| *h != victim);
            }
            assert!(
                list.find(&Delta {
                    version: u64::MAX,
                    ..d
                })
                .is_none(),
                "another version"
            );
            assert_eq!(list.deltas(), plain, "step {step}");
            assert_eq!(list.len(), plain.len());
        }
    }

    /// Which deltas were known: the walk agrees with a search, in order or
    /// not.
    #[test]
    fn known_is_not_among_the_fresh() {
        let d = |k: u32| Delta {
            origin: 1,
            key: k,
            version: 7,
        };
        let deltas = [d(0), d(1), d(2), d(3)];
        assert_eq!(known(&deltas, &[d(1), d(3)]), [true, false, true, false]);
        assert_eq!(
            known(&deltas, &[d(3), d(1)]),
            [true, false, true, false],
            "out of order"
        );
        assert_eq!(known(&deltas, &[]), [true; 4]);
    }
}
