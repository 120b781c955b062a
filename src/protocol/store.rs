//! The replicated key-value state every replicating protocol shares: each
//! node's version vector and the newest version it holds of every
//! `(origin, key)` entry, plus a log of every write's key and timestamp
//! (an entry carries its timestamp when it travels; the log keeps one copy).
//!
//! Versions are `generation << 32 | counter` (see [`super::scuttlebutt`]).
//! With one key per origin the key store equals the version vector and is
//! not stored twice.
//!
//! **Copy-on-write vectors.** Each node's vector is its own `Arc` slice, so
//! a [`Digest`] of it ([`Store::snapshot`]) is a reference, not a copy. A
//! node changes its vector through `Arc::make_mut`, once per `apply`,
//! `write` or `crash` that may change it (an `apply` with a delta newer
//! than its entry; under rumor mongering a gap can still leave the entry
//! where it was, but rumor mongering takes no digests): in place when no digest of it is
//! alive, otherwise into a fresh copy, leaving the digests as they were.
//! Digests live only while their message is in flight, so few copies are
//! made. Every vector starts as the same shared vector of zeros.
//!
//! **Narrow vectors.** The generation is 0 until some node loses its state,
//! and in most runs each node writes a few dozen times at most, so most
//! versions are small. The vectors (and so the digests) are stored at the
//! smallest width of the ladder `u8` → `u16` → `u32` → `u64` that has held
//! every version the store took: at first `u8`, a quarter of what the
//! digest scan and `apply` would read (and a copy-on-write copy write) at
//! `u32`, which matters once the vectors no longer fit in cache. The first
//! version too big for the width (a write or a delta past 255, 65,535 or
//! 2^32 − 1; a lost-state crash always makes one of 2^32 or more) switches
//! the whole store to the smallest width that holds it, skipping the widths
//! between, once and for good: the width only ever grows. Nothing computed
//! depends on the width: every comparison is of the same values. A digest
//! taken before a switch keeps its width and is compared with the wider
//! vectors entry by entry, without the block skipping (a rare, slower
//! path). Outside the store a vector reads as `u64` entries through
//! [`Versions`]. Per-key versions and the write log are `u64` always.

mod vector;

use std::sync::Arc;

use self::vector::{both_ways_by_blocks, newer, Slice, Version};
pub use self::vector::{Digest, Versions};
use crate::node::{Ctx, NodeId, Replica};

/// One replicated entry in flight: `origin`'s `key` at `version`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Delta {
    /// The writer of the entry.
    pub origin: NodeId,
    /// Key index among the origin's keys (or the shared key).
    pub key: u32,
    /// The origin's version of this write (`generation << 32 | counter`).
    pub version: u64,
}

/// What one write was: its version, key and the writer's local timestamp.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Logged {
    version: u64,
    key: u32,
    timestamp: u64,
}

/// The state of every node, at the width its versions need, and whether
/// every delta's timestamp is known to rise with its version (see
/// [`Store::timestamps_ordered`]).
#[derive(Debug)]
pub struct Store(Width, bool);

/// The store's vector width: the smallest that has held every version.
#[derive(Debug)]
enum Width {
    U8(Inner<u8>),
    U16(Inner<u16>),
    U32(Inner<u32>),
    U64(Inner<u64>),
}

/// Runs `$e` with `$s` bound to the store at its width.
macro_rules! each {
    ($width:expr, $s:ident => $e:expr) => {
        match $width {
            Width::U8($s) => $e,
            Width::U16($s) => $e,
            Width::U32($s) => $e,
            Width::U64($s) => $e,
        }
    };
}

/// The store with vector entries of type `V`.
#[derive(Debug, Default)]
struct Inner<V> {
    n: usize,
    keys: usize,
    /// `vv[node][origin]`; shared with the node's live digests, and at
    /// first among all nodes (zeros).
    vv: Vec<Arc<[V]>>,
    /// `store[(node * n + origin) * keys + key]`; empty when `keys == 1`.
    store: Vec<u64>,
    /// Every origin's writes, in version order.
    log: Vec<Vec<Logged>>,
    /// An all-zero digest at this width ([`Store::state`]).
    zeros: Vec<V>,
}

/// Bits of the narrowest vector entry (8, 16, 32 or 64) that holds
/// `version`: the width a store moves to once a version needs it.
pub fn width_bits(version: u64) -> u32 {
    match version {
        0..=0xff => u8::BITS,
        0x100..=0xffff => u16::BITS,
        0x1_0000..=0xffff_ffff => u32::BITS,
        _ => u64::BITS,
    }
}

impl Store {
    /// Empty state for `nodes` nodes with `keys` keys per origin (`u8`
    /// vectors).
    pub fn new(nodes: u32, keys: u32) -> Store {
        Store(Width::U8(Inner::new(nodes, keys)), true)
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        each!(&self.0, s => s.n)
    }

    /// The bytes of every node's vector (once each has its own) and key
    /// store: what the handlers read at random.
    pub fn bytes(&self) -> usize {
        each!(&self.0, s => s.bytes())
    }

    /// Node `node`'s version vector (its digest).
    pub fn version_vector(&self, node: NodeId) -> Versions<'_> {
        each!(&self.0, s => Version::view(&s.vv[node as usize]))
    }

    /// Node `node`'s version vector as it is now, unaffected by the node's
    /// later changes; a reference count, not a copy (see the module docs).
    pub fn snapshot(&self, node: NodeId) -> Digest {
        each!(&self.0, s => Version::digest(Arc::clone(&s.vv[node as usize])))
    }

    /// The writer's local timestamp of write `(origin, version)`.
    pub fn timestamp(&self, origin: NodeId, version: u64) -> u64 {
        let log = each!(&self.0, s => &s.log[origin as usize]);
        log.binary_search_by_key(&version, |l| l.version)
            .map_or(0, |i| log[i].timestamp)
    }

    /// Whether every origin's deltas have timestamps ([`Store::timestamp`])
    /// that never fall as the version rises: true until a node writes at an
    /// earlier local time than its previous write, or loses its state (the
    /// new generation's own versions are not writes and have timestamp 0).
    /// Then every run of [`Store::candidates`] is in timestamp order, which
    /// [`super::reconcile::select`] uses to find the newest deltas without
    /// sorting them all.
    pub fn timestamps_ordered(&self) -> bool {
        self.1
    }

    /// The entries `node` holds that a peer with `digest` lacks: for each
    /// origin in id order, the entries newer than `digest[origin]`, in
    /// version order. With an all-zero digest: the node's whole state.
    pub fn candidates(&self, node: NodeId, digest: Versions<'_>, out: &mut Vec<Delta>) {
        out.clear();
        each!(&self.0, s => s.candidates(node, digest, out))
    }

    /// [`Store::candidates`] of `node` against `digest` (into `out`), and in
    /// the same pass the other way round: the entries `digest` holds newer
    /// than `node` (into `theirs`, as deltas at the digest's versions, in
    /// origin order). `false`, with `theirs` left empty, where the store
    /// cannot compare both ways in one pass (several keys per origin, or a
    /// digest of another width or length).
    ///
    /// A responder answering a `syn` finds here the initiator's answer to
    /// its `ack`: the initiator's candidates against the responder's
    /// digest, as long as the initiator's vector is still the one its `syn`
    /// carried ([`Store::unchanged_since`]) once the `ack`'s deltas are in —
    /// those only raise entries to the responder's, which are then no
    /// longer newer — saving the initiator a second scan of two vectors.
    pub fn candidates_both_ways(
        &self,
        node: NodeId,
        digest: Versions<'_>,
        out: &mut Vec<Delta>,
        theirs: &mut Vec<Delta>,
    ) -> bool {
        out.clear();
        theirs.clear();
        each!(&self.0, s => s.candidates_both_ways(node, digest, out, theirs))
    }

    /// Whether `node`'s vector is `digest` itself: unchanged since the
    /// snapshot `digest` was taken (see [`Digest`]).
    pub fn unchanged_since(&self, node: NodeId, digest: &Digest) -> bool {
        each!(&self.0, s => digest.is(&s.vv[node as usize]))
    }

    /// Node `node`'s whole state: [`Store::candidates`] against an all-zero
    /// digest of the store's own width (so blocks of zeros are skipped).
    pub fn state(&self, node: NodeId, out: &mut Vec<Delta>) {
        out.clear();
        each!(&self.0, s => s.candidates(node, Version::view(&s.zeros), out))
    }

    /// Applies `deltas` at `ctx.node`, reporting version-vector changes
    /// (coalesced per run of one origin) and calling `fresh` for each delta
    /// that was newer than what the node held of its key.
    ///
    /// With `in_order` (Scuttlebutt, full-state anti-entropy: one origin's
    /// deltas arrive in version order with no gap) the vector entry is the
    /// largest version seen. Otherwise (rumors arrive in any order) the entry
    /// advances only over a contiguous run of versions each of which the node
    /// holds or has superseded, so it stays a true summary.
    ///
    /// Not inlined: in its own function the loop keeps the vector and the
    /// outbox in registers (inlined into Scuttlebutt's `on_message` it took
    /// a quarter more instructions at 1,000 nodes).
    #[inline(never)]
    pub fn apply<M>(
        &mut self,
        ctx: &mut Ctx<'_, M>,
        deltas: &[Delta],
        in_order: bool,
        fresh: impl FnMut(&Delta),
    ) {
        // A vector entry only ever takes a delta's version (or a smaller
        // one): if they all fit, so will the entries.
        self.fit(deltas.iter().fold(0, |all, d| all | d.version));
        each!(&mut self.0, s => s.apply(ctx, deltas, in_order, fresh))
    }

    /// `ctx.node` writes `key`: its own entry rises by one.
    pub fn write<M>(&mut self, ctx: &mut Ctx<'_, M>, key: u32) -> u64 {
        let old = self.version(ctx.node, ctx.node);
        assert!(
            old & 0xffff_ffff < 0xffff_ffff,
            "a node wrote 2^32 times in one generation"
        );
        self.fit(old + 1);
        let log = each!(&self.0, s => &s.log[ctx.node as usize]);
        if log.last().is_some_and(|l| l.timestamp > ctx.local_now.0) {
            self.1 = false;
        }
        each!(&mut self.0, s => s.write(ctx, key, old + 1))
    }

    /// `ctx.node` crashes; with `lost` its state is wiped and its generation
    /// bumped (every change reported).
    pub fn crash<M>(&mut self, ctx: &mut Ctx<'_, M>, lost: bool) {
        if !lost {
            return;
        }
        self.1 = false;
        // The new generation's first version is 2^32 or more.
        self.widen(u64::BITS);
        let Width::U64(s) = &mut self.0 else {
            unreachable!("the store was just widened")
        };
        s.crash(ctx);
    }

    /// The width of the vectors in bits.
    fn bits(&self) -> u32 {
        each!(&self.0, s => s.bits())
    }

    /// Makes the vectors wide enough for `version`.
    fn fit(&mut self, version: u64) {
        let bits = width_bits(version);
        if bits > self.bits() {
            self.widen(bits);
        }
    }

    /// Switches the store to vectors of `bits` bits (8, 16, 32 or 64), for
    /// good; nothing if they are that wide already. See [`Inner::convert`].
    #[cold]
    #[inline(never)]
    fn widen(&mut self, bits: u32) {
        if bits <= self.bits() {
            return;
        }
        let old = std::mem::replace(&mut self.0, Width::U8(Inner::default()));
        self.0 = match bits {
            16 => Width::U16(each!(old, s => s.convert())),
            32 => Width::U32(each!(old, s => s.convert())),
            64 => Width::U64(each!(old, s => s.convert())),
            _ => unreachable!("no width of {bits} bits above the store's"),
        };
    }
}

impl<V: Version> Inner<V> {
    /// [`Store::bytes`].
    fn bytes(&self) -> usize {
        self.n * self.n * std::mem::size_of::<V>() + self.store.len() * std::mem::size_of::<u64>()
    }

    fn new(nodes: u32, keys: u32) -> Inner<V> {
        let n = nodes as usize;
        let keys = keys.max(1) as usize;
        let zeros: Arc<[V]> = vec![V::ZERO; n].into();
        Inner {
            n,
            keys,
            vv: vec![zeros; n],
            store: if keys > 1 {
                vec![0; n * n * keys]
            } else {
                Vec::new()
            },
            log: vec![Vec::new(); n],
            zeros: vec![V::ZERO; n],
        }
    }

    /// The width of an entry in bits.
    fn bits(&self) -> u32 {
        V::BITS
    }

    /// This store with vector entries of type `W`, which holds every entry
    /// (a wider type). One vector at a time, each dropped once converted
    /// unless a digest still holds it, so the two widths of every vector are
    /// never held at once; nodes next to each other that share a vector (at
    /// first all do: zeros) still share one.
    fn convert<W: Version>(self) -> Inner<W> {
        let Inner {
            n,
            keys,
            vv,
            store,
            log,
            zeros: _,
        } = self;
        let mut last: Option<Arc<[V]>> = None;
        let mut wider: Vec<Arc<[W]>> = Vec::with_capacity(vv.len());
        for vector in vv {
            match (&last, wider.last()) {
                (Some(before), Some(copy)) if Arc::ptr_eq(before, &vector) => {
                    let copy = Arc::clone(copy);
                    wider.push(copy);
                }
                _ => {
                    wider.push(vector.iter().map(|&v| entry(v.into())).collect());
                    last = Some(vector);
                }
            }
        }
        Inner {
            n,
            keys,
            vv: wider,
            store,
            log,
            zeros: vec![W::ZERO; n],
        }
    }

    /// Node `node`'s entry for `origin`.
    fn version(&self, node: NodeId, origin: NodeId) -> u64 {
        self.vv[node as usize][origin as usize].into()
    }

    /// [`Store::candidates`] (`out` already cleared).
    fn candidates(&self, node: NodeId, digest: Versions<'_>, out: &mut Vec<Delta>) {
        let mine = &*self.vv[node as usize];
        match V::of(digest) {
            Some(digest) => {
                let block = |a: &[V], b: &[V]| {
                    if V::block_newer(a, b) {
                        V::newer(a, b)
                    } else {
                        0
                    }
                };
                self.scan(node, mine, digest, block, out)
            }
            // A digest of another width (taken before the store widened,
            // or made by hand): every entry compared exactly.
            None => match digest.0 {
                Slice::U8(digest) => self.scan(node, mine, digest, newer, out),
                Slice::U16(digest) => self.scan(node, mine, digest, newer, out),
                Slice::U32(digest) => self.scan(node, mine, digest, newer, out),
                Slice::U64(digest) => self.scan(node, mine, digest, newer, out),
            },
        }
    }

    /// [`Store::candidates_both_ways`] (`out` and `theirs` already
    /// cleared). Blocks that are equal (most, once a cluster has converged)
    /// are skipped; the rest give both masks: by [`Version::both_ways`]
    /// where the processor allows, else by [`both_ways_by_blocks`].
    fn candidates_both_ways(
        &self,
        node: NodeId,
        digest: Versions<'_>,
        out: &mut Vec<Delta>,
        theirs: &mut Vec<Delta>,
    ) -> bool {
        let mine = &*self.vv[node as usize];
        let digest = match V::of(digest) {
            Some(d) if self.keys == 1 && d.len() == mine.len() => d,
            _ => {
                self.candidates(node, digest, out);
                return false;
            }
        };
        // Each scan is given its own appender (by value: its references
        // then stay in registers).
        if !V::both_ways(mine, digest, appender(mine, digest, out, theirs)) {
            both_ways_by_blocks(mine, digest, appender(mine, digest, out, theirs));
        }
        true
    }

    /// The scan behind [`Store::candidates`]; with one key per origin,
    /// `block` gives the newer entries of a block of [`Version::BLOCK`]
    /// entries of `V` as a bit mask (see [`newer`]).
    fn scan<D: Version>(
        &self,
        node: NodeId,
        mine: &[V],
        digest: &[D],
        block: impl Fn(&[V], &[D]) -> u64,
        out: &mut Vec<Delta>,
    ) {
        let len = mine.len().min(digest.len());
        let (mine, digest) = (&mine[..len], &digest[..len]);
        if self.keys > 1 {
            self.push_newer(node, mine, digest, 0..len, out);
            return;
        }
        // One key per origin: a candidate is an origin whose entry is newer.
        // Blocks with nothing newer (most, once a cluster has converged) are
        // skipped with a fixed-width comparison the compiler vectorises
        // (`maybe_newer`, when the widths match); the rest are compared
        // branch-free into a bit mask of the newer entries.
        let (a, b) = (mine.chunks_exact(V::BLOCK), digest.chunks_exact(V::BLOCK));
        let (rest_a, rest_b) = (a.remainder(), b.remainder());
        for (i, (a, b)) in a.zip(b).enumerate() {
            append_newer(i * V::BLOCK, block(a, b), a, out);
        }
        append_newer(len - rest_a.len(), newer(rest_a, rest_b), rest_a, out);
    }

    fn push_newer<D: Version>(
        &self,
        node: NodeId,
        mine: &[V],
        digest: &[D],
        origins: std::ops::Range<usize>,
        out: &mut Vec<Delta>,
    ) {
        for origin in origins {
            let (have, theirs): (u64, u64) = (mine[origin].into(), digest[origin].into());
            if have <= theirs {
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

    /// [`Store::apply`], once every delta's version fits in a `V`.
    fn apply<M>(
        &mut self,
        ctx: &mut Ctx<'_, M>,
        deltas: &[Delta],
        in_order: bool,
        mut fresh: impl FnMut(&Delta),
    ) {
        let node = ctx.node as usize;
        let (n, keys) = (self.n, self.keys);
        // The entries are scattered over the node's vector (10 KB at 10,000
        // nodes at `u8`, up to 80 KB at `u64`): in a large cluster, start
        // loading them all before the first is needed. In a small one the
        // vectors stay in cache, and the loop would only cost instructions.
        let current = &*self.vv[node];
        if self.bytes() >= crate::prefetch::FROM_BYTES {
            for d in deltas {
                if let Some(v) = current.get(d.origin as usize) {
                    crate::prefetch::prefetch(v);
                }
            }
        }
        // An entry rises only for a delta newer than it. With none, the
        // vector is left alone (not copied, if a digest shares it) and only
        // the key store can take a delta.
        if !deltas
            .iter()
            .any(|d| d.version > current[d.origin as usize].into())
        {
            if keys > 1 {
                for d in deltas {
                    let slot = (node * n + d.origin as usize) * keys + d.key as usize;
                    if d.version > self.store[slot] {
                        self.store[slot] = d.version;
                        fresh(d);
                    }
                }
            }
            return;
        }
        let vector = Arc::make_mut(&mut self.vv[node]);
        if keys == 1 && in_order {
            // The usual case (Scuttlebutt, one key per origin): the entry is
            // what the node holds of the key, and a newer delta raises it to
            // the delta's version — the loop below, with its other cases
            // taken out. A change is reported at once; the next change of
            // the same origin (none with one key per origin, but `deltas`
            // is anyone's) raises it further.
            let mut last = None;
            for d in deltas {
                let old: u64 = vector[d.origin as usize].into();
                if d.version > old {
                    fresh(d);
                    vector[d.origin as usize] = entry(d.version);
                    if last == Some(d.origin) {
                        ctx.version_raised_further(d.version);
                    } else {
                        ctx.version_changed(d.origin, old, d.version);
                        last = Some(d.origin);
                    }
                }
            }
            return;
        }
        let mut pending: Option<(NodeId, u64, u64)> = None;
        for d in deltas {
            let origin = d.origin as usize;
            let row = (node * n + origin) * keys;
            let held = if keys > 1 {
                self.store[row + d.key as usize]
            } else {
                vector[origin].into()
            };
            if d.version > held {
                if keys > 1 {
                    self.store[row + d.key as usize] = d.version;
                }
                fresh(d);
            }
            let old: u64 = vector[origin].into();
            let new = if in_order {
                old.max(d.version)
            } else {
                let held_keys = if keys > 1 {
                    &self.store[row..row + keys]
                } else {
                    &[]
                };
                covered(&self.log[origin], held_keys, old, d.version)
            };
            if new > old {
                vector[origin] = entry(new);
                match &mut pending {
                    Some((o, _, n)) if *o == d.origin => *n = new,
                    _ => {
                        if let Some((o, a, b)) = pending.take() {
                            ctx.version_changed(o, a, b);
                        }
                        pending = Some((d.origin, old, new));
                    }
                }
            }
        }
        if let Some((o, a, b)) = pending {
            ctx.version_changed(o, a, b);
        }
    }

    /// [`Store::write`] of `version`, which fits in a `V`.
    fn write<M>(&mut self, ctx: &mut Ctx<'_, M>, key: u32, version: u64) -> u64 {
        let node = ctx.node as usize;
        let slot = &mut Arc::make_mut(&mut self.vv[node])[node];
        let old: u64 = (*slot).into();
        *slot = entry(version);
        if self.keys > 1 {
            self.store[(node * self.n + node) * self.keys + key as usize] = version;
        }
        self.log[node].push(Logged {
            version,
            key,
            timestamp: ctx.local_now.0,
        });
        ctx.version_changed(ctx.node, old, version);
        version
    }
}

impl Inner<u64> {
    /// [`Store::crash`] with its state lost.
    fn crash<M>(&mut self, ctx: &mut Ctx<'_, M>) {
        let node = ctx.node as usize;
        let vector = Arc::make_mut(&mut self.vv[node]);
        let keys = self.keys as u64;
        for (origin, entry) in vector.iter_mut().enumerate() {
            let old = *entry;
            if origin == node {
                // One version per key (see below): the entry is the last.
                let new = (((old >> 32) + 1) << 32) + keys.saturating_sub(1);
                *entry = new;
                ctx.version_changed(origin as NodeId, old, new);
            } else if old > 0 {
                *entry = 0;
                ctx.version_reset(origin as NodeId, old, 0);
            }
        }
        if self.keys > 1 {
            let row = node * self.n;
            self.store[row * self.keys..(row + self.n) * self.keys].fill(0);
            // Its own keys are known empty as of the new generation, each at
            // a version of its own (key k at `generation:k`, as if the node
            // wrote "nothing" to each in turn), so that they are what a peer
            // behind gets as deltas (one key per origin: the entry itself is
            // that delta) and the new generation reaches every node. Distinct
            // versions keep the entry a summary under a size limit: a prefix
            // of the run raises a peer's entry only as far as it carried, and
            // the rest follows in later exchanges. They are not in the write
            // log: no write made them.
            let own = (row + node) * self.keys;
            let first = vector[node] + 1 - keys;
            for (k, slot) in self.store[own..own + self.keys].iter_mut().enumerate() {
                *slot = first + k as u64;
            }
        }
    }
}

/// `version` as a vector entry of the store's width, which the store made
/// wide enough before taking it ([`Store::fit`]).
fn entry<V: Version>(version: u64) -> V {
    V::narrow(version).expect("the store is wide enough for every version it takes")
}

/// What the both-ways scan does with a block that differs: appends the
/// entries of `mine` newer than `digest` to `out` and the reverse to
/// `theirs`. Where 64 entries follow the block's first (every block of the
/// AVX2 scan), by [`crate::simd::compress_into`], with no loop exit to
/// mispredict; a shorter tail by [`append_newer`].
fn appender<'a, V: Version>(
    mine: &'a [V],
    digest: &'a [V],
    out: &'a mut Vec<Delta>,
    theirs: &'a mut Vec<Delta>,
) -> impl FnMut(usize, u64, u64) + 'a {
    #[inline(always)]
    move |first, newer, older| {
        let whole = |v: &'a [V]| {
            v.get(first..first + 64)
                .and_then(|b| <&[V; 64]>::try_from(b).ok())
        };
        if let (Some(m), Some(d)) = (whole(mine), whole(digest)) {
            let delta = |block: &[V; 64], j: usize| Delta {
                origin: (first + j) as NodeId,
                key: 0,
                version: block[j].into(),
            };
            crate::simd::compress_into(out, newer, |j| delta(m, j));
            crate::simd::compress_into(theirs, older, |j| delta(d, j));
        } else {
            append_newer(first, newer, &mine[first..], out);
            append_newer(first, older, &digest[first..], theirs);
        }
    }
}

/// Appends `(first + j, 0, mine[j])` for each bit `j` set in `newer`, a
/// mask of the newer entries of `mine` (a block that has newer entries
/// usually has one or two).
fn append_newer<V: Version>(first: usize, mut newer: u64, mine: &[V], out: &mut Vec<Delta>) {
    while newer != 0 {
        let j = newer.trailing_zeros() as usize;
        out.push(Delta {
            origin: (first + j) as NodeId,
            key: 0,
            version: mine[j].into(),
        });
        newer &= newer - 1;
    }
}

/// How far a node's entry for an origin can advance from `from` after a
/// delta at `arrived`: over every later write in the origin's `log` whose key
/// the node now holds at that version or newer. `held_keys` is the node's
/// row of the origin's keys, empty with one key per origin (where the entry
/// itself is what the node holds).
fn covered(log: &[Logged], held_keys: &[u64], from: u64, arrived: u64) -> u64 {
    if arrived <= from {
        return from;
    }
    let start = log.partition_point(|l| l.version <= from);
    let mut at = from;
    for l in &log[start..] {
        let held = if held_keys.is_empty() {
            arrived.max(at)
        } else {
            held_keys[l.key as usize]
        };
        if held >= l.version {
            at = l.version;
        } else {
            break;
        }
    }
    at
}

impl Replica for Store {
    fn version(&self, node: NodeId, origin: NodeId) -> u64 {
        each!(&self.0, s => s.version(node, origin))
    }

    fn key_version(&self, node: NodeId, origin: NodeId, key: u32) -> u64 {
        each!(&self.0, s => {
            if s.keys == 1 {
                return s.version(node, origin);
            }
            s.store[(node as usize * s.n + origin as usize) * s.keys + key as usize]
        })
    }

    fn key_row(&self, node: NodeId, origin: NodeId) -> Option<&[u64]> {
        each!(&self.0, s => {
            let start = (node as usize * s.n + origin as usize) * s.keys;
            s.store.get(start..start + s.keys).filter(|_| s.keys > 1)
        })
    }
}

#[cfg(test)]
mod tests;
