//! Scuttlebutt anti-entropy (van Renesse et al., LADIS 2008), DESIGN.md §1.
//!
//! Every node owns keys and bumps its own version on each write. Node `p`'s
//! *version vector* maps each origin to the largest version of that origin
//! it has seen; it is exactly the digest. A round is a three-message
//! exchange started by `p` with each of `fanout` random peers:
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
//! it holds. Under a size limit (`gossip.mtu`, from `gossip.mtu_from` on the
//! node's local clock if set) the [`super::reconcile`] order picks which
//! deltas go first, always a prefix of each origin's run.
//!
//! **Generations.** A node that restarts with its state lost would restart
//! its counter at 0, and peers that already hold version 50 from it would
//! ignore its new writes as old. As in Cassandra's gossip, every version is
//! `generation << 32 | counter`: a lost-state crash bumps the node's
//! generation, so its new writes compare greater than anything from its
//! previous life, and peers replace the old entries as the new ones arrive.
//!
//! **Digests are snapshots.** A `syn` or `ack` carries a [`Digest`]: the
//! sender's vector as it was when sent, shared with the sender rather than
//! copied (copy-on-write, see [`super::store`]).
//!
//! **One scan per exchange.** The responder compares its vector with the
//! `syn`'s digest both ways in one pass and returns what the initiator
//! holds newer in the `ack` ([`Found`], simulation bookkeeping with no
//! bytes). If the initiator's vector is still the one its `syn` carried,
//! those are exactly its `ack2` candidates once the `ack`'s deltas are in
//! (they raise entries only to the responder's), so it skips its own scan;
//! otherwise it scans as before. Either way the `ack2` is the same.

pub use super::store::{Delta, Digest, Versions};

use super::flow::Flow;
use super::reconcile;
use super::store::Store;
use crate::net::{SizeModel, SizeParts};
use crate::node::{Ctx, NodeId, Protocol, Replica};
use crate::scenario::{FlowControl, Mtu, Order};

/// Scuttlebutt messages.
#[derive(Clone, Debug, PartialEq)]
pub enum SbMsg {
    /// Step 1: the initiator's digest.
    Syn {
        /// The initiator's version vector when it sent the `syn`.
        digest: Digest,
        /// The initiator's update rate, under flow control.
        rate: Option<f64>,
    },
    /// Step 2: deltas for the initiator, plus the responder's digest.
    Ack {
        /// Entries the initiator lacks, per origin in version order.
        deltas: Vec<Delta>,
        /// The responder's version vector when it sent the `ack`.
        digest: Digest,
        /// The responder's update rate, under flow control.
        rate: Option<f64>,
        /// The initiator's reply, found while answering its `syn`.
        found: Option<Found>,
    },
    /// Step 3: deltas for the responder.
    Ack2 {
        /// Entries the responder lacks, per origin in version order.
        deltas: Vec<Delta>,
    },
}

/// What a responder found, scanning a `syn`, that the initiator holds newer
/// than the responder ([`Store::candidates_both_ways`]): the initiator's
/// `ack2` candidates, unless its vector changed between its `syn` and the
/// `ack`. Simulation bookkeeping that spares the initiator a second scan,
/// not part of the message: it has no bytes and is not traced.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The `syn`'s digest: the initiator's vector when it sent the `syn`.
    syn: Digest,
    /// The initiator's entries newer than the `ack`'s digest, in origin
    /// order.
    deltas: Vec<Delta>,
}

/// Settings of a Scuttlebutt run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Peers per round.
    pub fanout: u32,
    /// Message size model.
    pub sizes: SizeModel,
    /// Size limit of delta-carrying messages.
    pub mtu: Option<Mtu>,
    /// Local time (ns) from which `mtu` applies; `None`: always.
    pub mtu_from_ns: Option<u64>,
    /// Reconciliation order under the limit.
    pub order: Order,
    /// Flow control, if on.
    pub flow_control: Option<FlowControl>,
    /// The gossip interval (local ns): what flow control's tokens may
    /// build up to between rounds.
    pub interval_ns: u64,
}

/// The state of every node.
#[derive(Debug)]
pub struct Scuttlebutt {
    store: Store,
    cfg: Settings,
    flow: Option<Flow>,
    peers: Vec<NodeId>,
    /// Delta lists of delivered messages, emptied, for the next messages to
    /// fill (a large run's lists are kilobytes each; the allocator was
    /// a few percent of the run).
    spare: Vec<Vec<Delta>>,
}

/// Most emptied delta lists kept for reuse.
const SPARE_LISTS: usize = 64;

/// Largest capacity (deltas) of a list kept for reuse.
const SPARE_CAPACITY: usize = 4096;

impl Scuttlebutt {
    /// `nodes` nodes with `keys` keys per origin.
    pub fn new(nodes: u32, keys: u32, cfg: Settings) -> Scuttlebutt {
        Scuttlebutt {
            store: Store::new(nodes, keys),
            flow: cfg
                .flow_control
                .as_ref()
                .map(|f| Flow::new(f, nodes, cfg.interval_ns)),
            cfg,
            peers: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// Node `node`'s version vector (its digest).
    pub fn version_vector(&self, node: NodeId) -> Versions<'_> {
        self.store.version_vector(node)
    }

    /// Every delta `node` holds that a peer with `digest` lacks, per origin
    /// in version order (before any size limit).
    pub fn collect_deltas(&self, node: NodeId, digest: Versions<'_>, out: &mut Vec<Delta>) {
        self.store.candidates(node, digest, out)
    }

    /// How many deltas fit in a message that also carries `digest_entries`.
    fn budget(&self, digest_entries: usize) -> usize {
        match self.cfg.mtu {
            None => usize::MAX,
            Some(Mtu::Deltas(d)) => d as usize,
            Some(Mtu::Bytes(b)) => {
                let fixed = self.cfg.sizes.message(digest_entries, 0) as usize + self.rate_bytes();
                let per = (self.cfg.sizes.delta_entry + self.cfg.sizes.value) as usize;
                (b as usize).saturating_sub(fixed) / per
            }
        }
    }

    fn rate_bytes(&self) -> usize {
        if self.flow.is_some() {
            8
        } else {
            0
        }
    }

    /// The deltas to send from `ctx.node` to a peer with `digest`, cut to the
    /// size limit in the configured order.
    fn deltas_for(
        &mut self,
        ctx: &mut Ctx<'_, SbMsg>,
        digest: Versions<'_>,
        digest_entries: usize,
    ) -> Vec<Delta> {
        let mut cands = self.spare.pop().unwrap_or_default();
        self.store.candidates(ctx.node, digest, &mut cands);
        self.select(ctx, cands, digest_entries)
    }

    /// The candidates `cands` cut to the size limit of a message that also
    /// carries `digest_entries`, in the configured order: `cands` itself
    /// when they all fit.
    fn select(&mut self, ctx: &mut Ctx<'_, SbMsg>, cands: Vec<Delta>, digest_entries: usize) -> Vec<Delta> {
        let limited = self.cfg.mtu_from_ns.is_none_or(|from| ctx.local_now.0 >= from);
        let budget = if limited {
            self.budget(digest_entries)
        } else {
            usize::MAX
        };
        if cands.len() <= budget {
            return cands;
        }
        let mut out = self.spare.pop().unwrap_or_default();
        let store = &self.store;
        let overflow = reconcile::select(
            &cands,
            budget,
            self.cfg.order,
            |o, v| store.timestamp(o, v),
            store.timestamps_ordered(),
            ctx.rng,
            &mut out,
        );
        if overflow {
            if let Some(f) = &mut self.flow {
                f.overflow(ctx.node as usize);
            }
        }
        self.recycle(cands);
        out
    }

    /// Keeps a delivered message's delta list for reuse (up to
    /// [`SPARE_LISTS`] lists of at most [`SPARE_CAPACITY`] deltas, so the
    /// pool stays under 4 MiB whatever the messages were).
    fn recycle(&mut self, mut deltas: Vec<Delta>) {
        if self.spare.len() < SPARE_LISTS && deltas.capacity() <= SPARE_CAPACITY {
            deltas.clear();
            self.spare.push(deltas);
        }
    }

    fn rate(&self, node: NodeId) -> Option<f64> {
        self.flow.as_ref().map(|f| f.rate(node as usize))
    }

    fn heard(&mut self, node: NodeId, rate: Option<f64>) {
        if let (Some(f), Some(r)) = (&mut self.flow, rate) {
            f.heard(node as usize, r);
        }
    }

    fn apply_write(&mut self, ctx: &mut Ctx<'_, SbMsg>, key: u32, value: u64) {
        let version = self.store.write(ctx, key);
        ctx.write_applied(key, value, version);
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
        self.size_parts(msg).total()
    }

    /// The header and the flow-control rate are other bytes; a `syn`'s and an
    /// `ack`'s digest (one entry per node) digest bytes; the deltas of an
    /// `ack` or `ack2` delta bytes.
    fn size_parts(&self, msg: &SbMsg) -> SizeParts {
        let rate = self.rate_bytes() as u32;
        let s = &self.cfg.sizes;
        match msg {
            SbMsg::Syn { digest, .. } => s.parts(digest.len(), 0, rate),
            SbMsg::Ack { deltas, digest, .. } => s.parts(digest.len(), deltas.len(), rate),
            SbMsg::Ack2 { deltas } => s.parts(0, deltas.len(), 0),
        }
    }

    fn on_round(&mut self, ctx: &mut Ctx<'_, SbMsg>) {
        if let Some(f) = &mut self.flow {
            for (key, value) in f.round(ctx.node as usize, ctx.local_now.0) {
                self.apply_write(ctx, key, value);
            }
        }
        let mut peers = std::mem::take(&mut self.peers);
        ctx.pick_peers(self.cfg.fanout, &mut peers);
        for &p in &peers {
            let digest = self.store.snapshot(ctx.node);
            ctx.send(
                p,
                SbMsg::Syn {
                    digest,
                    rate: self.rate(ctx.node),
                },
            );
        }
        self.peers = peers;
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, SbMsg>, from: NodeId, msg: SbMsg) {
        match msg {
            SbMsg::Syn { digest, rate } => {
                self.heard(ctx.node, rate);
                let n = digest.len();
                let mut cands = self.spare.pop().unwrap_or_default();
                let mut theirs = self.spare.pop().unwrap_or_default();
                let versions = digest.versions();
                let both = self
                    .store
                    .candidates_both_ways(ctx.node, versions, &mut cands, &mut theirs);
                let deltas = self.select(ctx, cands, n);
                let found = if both {
                    Some(Found {
                        syn: digest,
                        deltas: theirs,
                    })
                } else {
                    self.recycle(theirs);
                    None
                };
                let mine = self.store.snapshot(ctx.node);
                ctx.send(
                    from,
                    SbMsg::Ack {
                        deltas,
                        digest: mine,
                        rate: self.rate(ctx.node),
                        found,
                    },
                );
            }
            SbMsg::Ack {
                deltas,
                digest,
                rate,
                found,
            } => {
                self.heard(ctx.node, rate);
                // What the responder found is this node's reply if its vector
                // is still the one the `syn` carried: the `ack`'s deltas then
                // only raise entries to the responder's. Checked (and the
                // `syn`'s digest let go, so the vector is changed in place)
                // before they are applied.
                let found = found.and_then(|f| {
                    if self.store.unchanged_since(ctx.node, &f.syn) {
                        Some(f.deltas)
                    } else {
                        self.recycle(f.deltas);
                        None
                    }
                });
                self.store.apply(ctx, &deltas, true, |_| {});
                self.recycle(deltas);
                let back = match found {
                    Some(cands) => self.select(ctx, cands, 0),
                    None => self.deltas_for(ctx, digest.versions(), 0),
                };
                ctx.send(from, SbMsg::Ack2 { deltas: back });
            }
            SbMsg::Ack2 { deltas } => {
                self.store.apply(ctx, &deltas, true, |_| {});
                self.recycle(deltas);
            }
        }
    }

    fn on_write(&mut self, ctx: &mut Ctx<'_, SbMsg>, key: u32, value: u64) {
        let node = ctx.node as usize;
        if let Some(f) = &mut self.flow {
            if !f.admit(node, ctx.local_now.0, key, value) {
                let backlog = f.backlog(node) as u32;
                ctx.write_deferred(key, value, backlog);
                return;
            }
        }
        self.apply_write(ctx, key, value);
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, SbMsg>, lost: bool) {
        self.store.crash(ctx, lost);
    }

    fn replica(&self) -> Option<&dyn Replica> {
        Some(&self.store)
    }

    fn state_bytes(&self) -> usize {
        self.store.bytes()
    }

    fn counters(&self) -> Vec<(&'static str, u64)> {
        match &self.flow {
            Some(f) => vec![
                ("writes_deferred", f.deferred),
                ("writes_coalesced", f.coalesced),
                ("max_backlog", f.max_backlog as u64),
                ("backlog_at_end", f.backlogged()),
            ],
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Outbox;
    use crate::rng::{Component, Streams};
    use crate::time::SimTime;

    fn settings() -> Settings {
        Settings {
            fanout: 1,
            sizes: SizeModel::new(8),
            mtu: None,
            mtu_from_ns: None,
            order: Order::ScuttleDepth,
            flow_control: None,
            interval_ns: 1_000_000_000,
        }
    }

    fn call<R>(
        sb: &mut Scuttlebutt,
        node: NodeId,
        f: impl FnOnce(&mut Scuttlebutt, &mut Ctx<'_, SbMsg>) -> R,
    ) -> (R, Outbox<SbMsg>) {
        call_at(sb, node, 0, f)
    }

    fn call_at<R>(
        sb: &mut Scuttlebutt,
        node: NodeId,
        local_ns: u64,
        f: impl FnOnce(&mut Scuttlebutt, &mut Ctx<'_, SbMsg>) -> R,
    ) -> (R, Outbox<SbMsg>) {
        let mut rng = Streams::new(0).stream(Component::Protocol, node);
        let mut out = Outbox::default();
        let mut ctx = Ctx {
            node,
            nodes: sb.store.nodes() as u32,
            local_now: SimTime(local_ns),
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
        let mut sb = Scuttlebutt::new(3, 2, settings());
        for key in [0, 0, 1, 0] {
            call(&mut sb, 1, |s, c| s.on_write(c, key, 7));
        }
        let mut out = Vec::new();
        sb.collect_deltas(1, (&[0, 0, 0]).into(), &mut out);
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
        sb.collect_deltas(1, (&[0, 3, 0]).into(), &mut out);
        assert_eq!(
            out,
            vec![Delta {
                origin: 1,
                key: 0,
                version: 4
            }]
        );
        sb.collect_deltas(1, (&[0, 4, 0]).into(), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn three_way_exchange_reconciles_both_sides() {
        let mut sb = Scuttlebutt::new(2, 1, settings());
        call(&mut sb, 0, |s, c| s.on_write(c, 0, 1));
        call(&mut sb, 1, |s, c| s.on_write(c, 0, 2));
        call(&mut sb, 1, |s, c| s.on_write(c, 0, 3));
        let ((), syn) = call(&mut sb, 0, |s, c| s.on_round(c));
        let (to, msg) = syn.sends.into_iter().next().unwrap();
        assert_eq!(
            (to, &msg),
            (
                1,
                &SbMsg::Syn {
                    digest: vec![1, 0].into(),
                    rate: None
                }
            )
        );
        let ((), ack) = call(&mut sb, 1, |s, c| s.on_message(c, 0, msg));
        let (_, ack) = ack.sends.into_iter().next().unwrap();
        let ((), ack2) = call(&mut sb, 0, |s, c| s.on_message(c, 1, ack));
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
        call(&mut sb, 1, |s, c| s.on_message(c, 0, ack2));
        assert_eq!(sb.version_vector(0), sb.version_vector(1));
        assert_eq!(sb.version_vector(0), &[1, 2]);
    }

    /// A `syn` in flight keeps the digest its sender had when it sent it
    /// while the sender writes twice more; an `ack` likewise while its
    /// sender takes in the `ack2` and writes. The senders see their changes.
    #[test]
    fn digests_in_flight_keep_their_values() {
        let mut sb = Scuttlebutt::new(2, 1, settings());
        call(&mut sb, 0, |s, c| s.on_write(c, 0, 1));
        call(&mut sb, 1, |s, c| s.on_write(c, 0, 1));
        let ((), mut syn) = call(&mut sb, 0, |s, c| s.on_round(c));
        let (_, syn) = syn.sends.pop().unwrap();
        call(&mut sb, 0, |s, c| s.on_write(c, 0, 2));
        call(&mut sb, 0, |s, c| s.on_write(c, 0, 3));
        assert_eq!(sb.version_vector(0), &[3, 0]);
        let digest = |m: &SbMsg| match m {
            SbMsg::Syn { digest, .. } | SbMsg::Ack { digest, .. } => digest.to_vec(),
            SbMsg::Ack2 { .. } => panic!("{m:?}"),
        };
        assert_eq!(digest(&syn), [1, 0]);
        let ((), mut ack) = call(&mut sb, 1, |s, c| s.on_message(c, 0, syn.clone()));
        let (_, ack) = ack.sends.pop().unwrap();
        assert_eq!(digest(&ack), [0, 1]);
        let ((), mut ack2) = call(&mut sb, 0, |s, c| s.on_message(c, 1, ack.clone()));
        assert_eq!(sb.version_vector(0), &[3, 1]);
        let (_, ack2) = ack2.sends.pop().unwrap();
        call(&mut sb, 1, |s, c| s.on_message(c, 0, ack2));
        assert_eq!(sb.version_vector(1), &[3, 1]);
        call(&mut sb, 1, |s, c| s.on_write(c, 0, 2));
        assert_eq!(sb.version_vector(1), &[3, 2]);
        assert_eq!(digest(&syn), [1, 0]);
        assert_eq!(digest(&ack), [0, 1]);
    }

    /// An initiator's `ack2` carries exactly its entries newer than the
    /// `ack`'s digest (a plain filter of its vector once the `ack`'s deltas
    /// are in), whether the responder's scan found them (the initiator
    /// unchanged since its `syn`) or the initiator scans again because it
    /// wrote or took another node's `ack2` in between. Both ways are taken,
    /// with entries to send.
    #[test]
    fn ack2_holds_every_newer_entry_whether_found_or_scanned() {
        use rand::{Rng, SeedableRng};
        let n = 40;
        let mut sb = Scuttlebutt::new(n, 1, settings());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let (mut found, mut scanned) = (0, 0);
        for _ in 0..400 {
            for _ in 0..rng.random_range(0..4) {
                call(&mut sb, rng.random_range(0..n), |s, c| s.on_write(c, 0, 1));
            }
            let initiator = rng.random_range(0..n);
            let ((), mut out) = call(&mut sb, initiator, |s, c| s.on_round(c));
            let (responder, syn) = out.sends.pop().unwrap();
            let ((), mut out) = call(&mut sb, responder, |s, c| s.on_message(c, initiator, syn));
            let (_, ack) = out.sends.pop().unwrap();
            match rng.random_range(0..3) {
                0 => call(&mut sb, initiator, |s, c| s.on_write(c, 0, 2)).0,
                1 => {
                    let other = (initiator + rng.random_range(1..n)) % n;
                    let mut deltas = Vec::new();
                    sb.collect_deltas(other, sb.version_vector(initiator), &mut deltas);
                    call(&mut sb, initiator, |s, c| {
                        s.on_message(c, other, SbMsg::Ack2 { deltas })
                    })
                    .0
                }
                _ => {}
            }
            let SbMsg::Ack {
                digest, found: hint, ..
            } = &ack
            else {
                panic!("{ack:?}")
            };
            let digest = digest.to_vec();
            let from_hint = hint
                .as_ref()
                .is_some_and(|f| sb.store.unchanged_since(initiator, &f.syn));
            let ((), mut out) = call(&mut sb, initiator, |s, c| s.on_message(c, responder, ack));
            let (_, ack2) = out.sends.pop().unwrap();
            let SbMsg::Ack2 { deltas } = &ack2 else {
                panic!("{ack2:?}")
            };
            let mine = sb.version_vector(initiator).to_vec();
            let want: Vec<Delta> = (mine.iter().zip(&digest).enumerate())
                .filter(|&(_, (m, d))| m > d)
                .map(|(origin, (&version, _))| Delta {
                    origin: origin as NodeId,
                    key: 0,
                    version,
                })
                .collect();
            assert_eq!(deltas, &want, "found by the responder: {from_hint}");
            if !want.is_empty() {
                *(if from_hint { &mut found } else { &mut scanned }) += 1;
            }
            call(&mut sb, responder, |s, c| s.on_message(c, initiator, ack2));
        }
        assert!(found > 50 && scanned > 50, "found {found}, scanned {scanned}");
    }

    /// `mtu_from`: until the node's clock reads 5 s a syn is answered with
    /// every missing delta (3), from then on with at most the limit (1).
    #[test]
    fn mtu_applies_from_its_start_time() {
        let mut cfg = settings();
        cfg.mtu = Some(Mtu::Deltas(1));
        cfg.mtu_from_ns = Some(5_000_000_000);
        let mut sb = Scuttlebutt::new(2, 3, cfg);
        for key in 0..3 {
            call(&mut sb, 1, |s, c| s.on_write(c, key, 7));
        }
        for (now, expect) in [(4_999_999_999, 3), (5_000_000_000, 1)] {
            let syn = SbMsg::Syn {
                digest: vec![0, 0].into(),
                rate: None,
            };
            let ((), out) = call_at(&mut sb, 1, now, |s, c| s.on_message(c, 0, syn));
            match &out.sends[0].1 {
                SbMsg::Ack { deltas, .. } => assert_eq!(deltas.len(), expect, "at {now} ns"),
                other => panic!("{other:?}"),
            }
        }
    }

    /// MTU in bytes: 32 header + 2·12 digest = 56; 100 − 56 = 44 bytes
    /// leave room for 44 / 24 = 1 delta in an ack.
    #[test]
    fn byte_mtu_leaves_room_for_the_digest() {
        let mut cfg = settings();
        cfg.mtu = Some(Mtu::Bytes(100));
        let sb = Scuttlebutt::new(2, 1, cfg);
        assert_eq!(sb.budget(2), 1);
        assert_eq!(sb.budget(0), 2); // an ack2: (100 - 32) / 24
    }
}
