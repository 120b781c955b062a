//! Scuttlebutt anti-entropy (van Renesse et al., LADIS 2008), DESIGN.md §1.
//!
//! Every node owns `keys_per_node` keys and bumps its own version on each
//! write. Node `p`'s *version vector* maps each origin to the largest version
//! of that origin it has seen; it is exactly the digest. A round is a
//! three-message exchange started by `p` with each of `fanout` random peers:
//!
//! 1. `syn`  p → q: p's digest.
//! 2. `ack`  q → p: the deltas p lacks (q's entries newer than p's digest for
//!    their origin), plus q's digest.
//! 3. `ack2` p → q: the deltas q lacks according to q's digest.
//!
//! A node keeps only the newest version of each key, so a delta is
//! `(origin, key, version)`; the value is the one the origin wrote at that
//! version (the trace's `write` records hold it). Deltas of one origin are
//! sent in version order, so a receiver's vector entry always summarises what
//! it holds. [`Scuttlebutt::collect_deltas`] assembles deltas origin by
//! origin, ready for a size limit to cut the list at an origin boundary or
//! inside one origin's version-ordered run.
//!
//! **Generations.** A node that restarts with its state lost would restart
//! its counter at 0, and peers that already hold version 50 from it would
//! ignore its new writes as old. As in Cassandra's gossip, every version is
//! `generation << 32 | counter`: a lost-state restart bumps the node's
//! generation, so its new writes compare greater than anything from its
//! previous life, and peers replace the old entries as the new ones arrive.
//!
//! With one key per origin the key store equals the version vector, so it is
//! not stored twice.

use crate::net::SizeModel;
use crate::node::{Ctx, NodeId, Protocol, Replica};

/// One replicated entry in flight: `origin`'s `key` at `version`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Delta {
    /// The writer of the entry.
    pub origin: NodeId,
    /// Key index among the origin's keys.
    pub key: u32,
    /// The origin's version of this write (`generation << 32 | counter`).
    pub version: u64,
}

/// Scuttlebutt messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SbMsg {
    /// Step 1: the initiator's digest.
    Syn {
        /// The initiator's version vector.
        digest: Vec<u64>,
    },
    /// Step 2: deltas for the initiator, plus the responder's digest.
    Ack {
        /// Entries the initiator lacks, per origin in version order.
        deltas: Vec<Delta>,
        /// The responder's version vector.
        digest: Vec<u64>,
    },
    /// Step 3: deltas for the responder.
    Ack2 {
        /// Entries the responder lacks, per origin in version order.
        deltas: Vec<Delta>,
    },
}

/// The state of every node.
#[derive(Debug)]
pub struct Scuttlebutt {
    n: usize,
    keys: usize,
    fanout: u32,
    sizes: SizeModel,
    /// `vv[node * n + origin]`.
    vv: Vec<u64>,
    /// `store[(node * n + origin) * keys + key]`: version held, 0 = none.
    /// Empty when `keys == 1` (the store is then the version vector).
    store: Vec<u64>,
    peers: Vec<NodeId>,
}

impl Scuttlebutt {
    /// `nodes` nodes owning `keys_per_node` keys each, gossiping with `fanout` peers.
    pub fn new(nodes: u32, keys_per_node: u32, fanout: u32, sizes: SizeModel) -> Scuttlebutt {
        let n = nodes as usize;
        let keys = keys_per_node.max(1) as usize;
        Scuttlebutt {
            n,
            keys,
            fanout,
            sizes,
            vv: vec![0; n * n],
            store: if keys > 1 {
                vec![0; n * n * keys]
            } else {
                Vec::new()
            },
            peers: Vec::with_capacity(fanout as usize),
        }
    }

    /// Node `node`'s version vector (its digest).
    pub fn version_vector(&self, node: NodeId) -> &[u64] {
        let at = node as usize * self.n;
        &self.vv[at..at + self.n]
    }

    /// The deltas `node` holds that a peer with `digest` lacks: for each origin
    /// in id order, the entries newer than `digest[origin]`, in version order.
    pub fn collect_deltas(&self, node: NodeId, digest: &[u64], out: &mut Vec<Delta>) {
        out.clear();
        let mine = self.version_vector(node);
        for (origin, (&have, &theirs)) in mine.iter().zip(digest).enumerate() {
            if have <= theirs {
                continue;
            }
            if self.keys == 1 {
                out.push(Delta {
                    origin: origin as NodeId,
                    key: 0,
                    version: have,
                });
                continue;
            }
            let start = out.len();
            let row = (node as usize * self.n + origin) * self.keys;
            for (key, &version) in self.store[row..row + self.keys].iter().enumerate() {
                if version > theirs {
                    out.push(Delta {
                        origin: origin as NodeId,
                        key: key as u32,
                        version,
                    });
                }
            }
            out[start..].sort_unstable_by_key(|d| d.version);
        }
    }

    /// Applies deltas at `ctx.node`, reporting version-vector changes
    /// (coalesced per run of one origin).
    fn apply(&mut self, ctx: &mut Ctx<'_, SbMsg>, deltas: &[Delta]) {
        let node = ctx.node as usize;
        let mut pending: Option<(NodeId, u64, u64)> = None;
        for d in deltas {
            if self.keys > 1 {
                let slot = (node * self.n + d.origin as usize) * self.keys + d.key as usize;
                if d.version > self.store[slot] {
                    self.store[slot] = d.version;
                }
            }
            let entry = &mut self.vv[node * self.n + d.origin as usize];
            if d.version > *entry {
                match &mut pending {
                    Some((o, _, new)) if *o == d.origin => *new = d.version,
                    _ => {
                        if let Some((o, old, new)) = pending.take() {
                            ctx.version_changed(o, old, new);
                        }
                        pending = Some((d.origin, *entry, d.version));
                    }
                }
                *entry = d.version;
            }
        }
        if let Some((o, old, new)) = pending {
            ctx.version_changed(o, old, new);
        }
    }
}

impl Protocol for Scuttlebutt {
    type Msg = SbMsg;

    fn kinds(&self) -> &'static [&'static str] {
        &["syn", "ack", "ack2"]
    }

    fn kind(&self, msg: &SbMsg) -> u8 {
        match msg {
            SbMsg::Syn { .. } => 0,
            SbMsg::Ack { .. } => 1,
            SbMsg::Ack2 { .. } => 2,
        }
    }

    fn size(&self, msg: &SbMsg) -> u32 {
        match msg {
            SbMsg::Syn { digest } => self.sizes.message(digest.len(), 0),
            SbMsg::Ack { deltas, digest } => self.sizes.message(digest.len(), deltas.len()),
            SbMsg::Ack2 { deltas } => self.sizes.message(0, deltas.len()),
        }
    }

    fn on_round(&mut self, ctx: &mut Ctx<'_, SbMsg>) {
        let mut peers = std::mem::take(&mut self.peers);
        ctx.pick_peers(self.fanout, &mut peers);
        for &p in &peers {
            let digest = self.version_vector(ctx.node).to_vec();
            ctx.send(p, SbMsg::Syn { digest });
        }
        self.peers = peers;
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, SbMsg>, from: NodeId, msg: SbMsg) {
        match msg {
            SbMsg::Syn { digest } => {
                let mut deltas = Vec::new();
                self.collect_deltas(ctx.node, &digest, &mut deltas);
                let mine = self.version_vector(ctx.node).to_vec();
                ctx.send(from, SbMsg::Ack { deltas, digest: mine });
            }
            SbMsg::Ack { deltas, digest } => {
                self.apply(ctx, &deltas);
                let mut back = deltas;
                self.collect_deltas(ctx.node, &digest, &mut back);
                ctx.send(from, SbMsg::Ack2 { deltas: back });
            }
            SbMsg::Ack2 { deltas } => self.apply(ctx, &deltas),
        }
    }

    fn on_write(&mut self, ctx: &mut Ctx<'_, SbMsg>, key: u32) -> u64 {
        let node = ctx.node as usize;
        let entry = &mut self.vv[node * self.n + node];
        let old = *entry;
        assert!(
            old & 0xffff_ffff < 0xffff_ffff,
            "a node wrote 2^32 times in one generation"
        );
        *entry += 1;
        let version = *entry;
        if self.keys > 1 {
            self.store[(node * self.n + node) * self.keys + key as usize] = version;
        }
        ctx.version_changed(ctx.node, old, version);
        version
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, SbMsg>, lost: bool) {
        if !lost {
            return;
        }
        let node = ctx.node as usize;
        let row = node * self.n;
        for origin in 0..self.n {
            let old = self.vv[row + origin];
            if origin == node {
                let new = ((old >> 32) + 1) << 32;
                self.vv[row + origin] = new;
                ctx.version_changed(origin as NodeId, old, new);
            } else if old > 0 {
                self.vv[row + origin] = 0;
                ctx.version_reset(origin as NodeId, old, 0);
            }
        }
        if self.keys > 1 {
            self.store[row * self.keys..(row + self.n) * self.keys].fill(0);
        }
    }

    fn replica(&self) -> Option<&dyn Replica> {
        Some(self)
    }
}

impl Replica for Scuttlebutt {
    fn version(&self, node: NodeId, origin: NodeId) -> u64 {
        self.vv[node as usize * self.n + origin as usize]
    }

    fn key_version(&self, node: NodeId, origin: NodeId, key: u32) -> u64 {
        if self.keys == 1 {
            return self.version(node, origin);
        }
        self.store[(node as usize * self.n + origin as usize) * self.keys + key as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Outbox;
    use crate::rng::{Component, Streams};
    use crate::time::SimTime;

    fn ctx_call<R>(
        sb: &mut Scuttlebutt,
        node: NodeId,
        f: impl FnOnce(&mut Scuttlebutt, &mut Ctx<'_, SbMsg>) -> R,
    ) -> (R, Outbox<SbMsg>) {
        let mut rng = Streams::new(0).stream(Component::Protocol, node);
        let mut out = Outbox::default();
        let mut ctx = Ctx {
            node,
            nodes: sb.n as u32,
            local_now: SimTime(0),
            rng: &mut rng,
            out: &mut out,
        };
        let r = f(sb, &mut ctx);
        (r, out)
    }

    /// Node 1 wrote key 0 twice and key 1 once (versions 1,2: key 0; 3: key 1;
    /// then key 0 again at 4). It holds key0@4 and key1@3 only.
    #[test]
    fn deltas_are_newest_per_key_in_version_order() {
        let mut sb = Scuttlebutt::new(3, 2, 1, SizeModel::new(8));
        for key in [0, 0, 1, 0] {
            ctx_call(&mut sb, 1, |s, c| s.on_write(c, key));
        }
        let mut out = Vec::new();
        sb.collect_deltas(1, &[0, 0, 0], &mut out);
        let expect = vec![
            Delta {
                origin: 1,
                key: 1,
                version: 3,
            },
            Delta {
                origin: 1,
                key: 0,
                version: 4,
            },
        ];
        assert_eq!(out, expect);
        sb.collect_deltas(1, &[0, 3, 0], &mut out);
        assert_eq!(
            out,
            vec![Delta {
                origin: 1,
                key: 0,
                version: 4
            }]
        );
        sb.collect_deltas(1, &[0, 4, 0], &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn three_way_exchange_reconciles_both_sides() {
        let mut sb = Scuttlebutt::new(2, 1, 1, SizeModel::new(8));
        ctx_call(&mut sb, 0, |s, c| s.on_write(c, 0));
        ctx_call(&mut sb, 1, |s, c| s.on_write(c, 0));
        ctx_call(&mut sb, 1, |s, c| s.on_write(c, 0));
        let ((), syn) = ctx_call(&mut sb, 0, |s, c| s.on_round(c));
        let (to, msg) = syn.sends.into_iter().next().unwrap();
        assert_eq!((to, &msg), (1, &SbMsg::Syn { digest: vec![1, 0] }));
        let ((), ack) = ctx_call(&mut sb, 1, |s, c| s.on_message(c, 0, msg));
        let (_, ack) = ack.sends.into_iter().next().unwrap();
        let ((), ack2) = ctx_call(&mut sb, 0, |s, c| s.on_message(c, 1, ack));
        assert_eq!(
            ack2.versions,
            vec![crate::node::VersionChange {
                origin: 1,
                old: 0,
                new: 2
            }]
        );
        let (_, ack2) = ack2.sends.into_iter().next().unwrap();
        assert_eq!(
            ack2,
            SbMsg::Ack2 {
                deltas: vec![Delta {
                    origin: 0,
                    key: 0,
                    version: 1
                }]
            }
        );
        ctx_call(&mut sb, 1, |s, c| s.on_message(c, 0, ack2));
        assert_eq!(sb.version_vector(0), sb.version_vector(1));
        assert_eq!(sb.version_vector(0), &[1, 2]);
    }
}
