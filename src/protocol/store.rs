//! The replicated key-value state every replicating protocol shares: each
//! node's version vector and the newest version it holds of every
//! `(origin, key)` entry, plus a log of every write's key and timestamp
//! (an entry carries its timestamp when it travels; the log keeps one copy).
//!
//! Versions are `generation << 32 | counter` (see [`super::scuttlebutt`]).
//! With one key per origin the key store equals the version vector and is
//! not stored twice.
//!
//! **Copy-on-write vectors.** Each node's vector is its own `Arc<[u64]>`, so
//! a [`Digest`] of it ([`Store::snapshot`]) is a reference, not a copy. A
//! node changes its vector through `Arc::make_mut`, once per `apply`,
//! `write` or `crash` that changes it: in place when no digest of it is
//! alive, otherwise into a fresh copy, leaving the digests as they were.
//! Digests live only while their message is in flight, so few copies are
//! made. Every vector starts as the same shared vector of zeros.

use std::ops::Deref;
use std::sync::Arc;

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

/// A node's version vector as it was when [`Store::snapshot`] took it,
/// shared with the node until the node changes its vector (which then
/// copies it). Reads as a `[u64]` indexed by origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest(Arc<[u64]>);

impl Deref for Digest {
    type Target = [u64];

    fn deref(&self) -> &[u64] {
        &self.0
    }
}

impl From<Vec<u64>> for Digest {
    /// A digest holding `entries` (one per origin), shared with no node.
    fn from(entries: Vec<u64>) -> Digest {
        Digest(entries.into())
    }
}

/// The state of every node.
#[derive(Debug)]
pub struct Store {
    n: usize,
    keys: usize,
    /// `vv[node][origin]`; shared with the node's live digests, and at
    /// first among all nodes (zeros).
    vv: Vec<Arc<[u64]>>,
    /// `store[(node * n + origin) * keys + key]`; empty when `keys == 1`.
    store: Vec<u64>,
    /// Every origin's writes, in version order.
    log: Vec<Vec<Logged>>,
}

impl Store {
    /// Empty state for `nodes` nodes with `keys` keys per origin.
    pub fn new(nodes: u32, keys: u32) -> Store {
        let n = nodes as usize;
        let keys = keys.max(1) as usize;
        let zeros: Arc<[u64]> = vec![0; n].into();
        Store {
            n,
            keys,
            vv: vec![zeros; n],
            store: if keys > 1 {
                vec![0; n * n * keys]
            } else {
                Vec::new()
            },
            log: vec![Vec::new(); n],
        }
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.n
    }

    /// Node `node`'s version vector (its digest).
    pub fn version_vector(&self, node: NodeId) -> &[u64] {
        &self.vv[node as usize]
    }

    /// Node `node`'s version vector as it is now, unaffected by the node's
    /// later changes; a reference count, not a copy (see the module docs).
    pub fn snapshot(&self, node: NodeId) -> Digest {
        Digest(Arc::clone(&self.vv[node as usize]))
    }

    /// The writer's local timestamp of write `(origin, version)`.
    pub fn timestamp(&self, origin: NodeId, version: u64) -> u64 {
        let log = &self.log[origin as usize];
        log.binary_search_by_key(&version, |l| l.version)
            .map_or(0, |i| log[i].timestamp)
    }

    /// The entries `node` holds that a peer with `digest` lacks: for each
    /// origin in id order, the entries newer than `digest[origin]`, in
    /// version order. With an all-zero digest: the node's whole state.
    pub fn candidates(&self, node: NodeId, digest: &[u64], out: &mut Vec<Delta>) {
        out.clear();
        let mine = self.version_vector(node);
        let len = mine.len().min(digest.len());
        let (mine, digest) = (&mine[..len], &digest[..len]);
        if self.keys > 1 {
            self.push_newer(node, mine, digest, 0..len, out);
            return;
        }
        // One key per origin: a candidate is an origin whose entry is newer.
        // Blocks with nothing newer (most, once a cluster has converged) are
        // skipped with a fixed-width comparison the compiler vectorises;
        // the rest are appended branch-free.
        const BLOCK: usize = 16;
        let full = len / BLOCK * BLOCK;
        for start in (0..full).step_by(BLOCK) {
            let a: &[u64; BLOCK] = mine[start..start + BLOCK].try_into().expect("a whole block");
            let b: &[u64; BLOCK] = digest[start..start + BLOCK].try_into().expect("a whole block");
            if Self::maybe_newer(a, b) {
                Self::append_newer(start, a, b, out);
            }
        }
        Self::append_newer(full, &mine[full..], &digest[full..], out);
    }

    /// Whether some entry of `mine` may be newer than the same entry of
    /// `digest`: never false when one is (so a `false` block can be
    /// skipped), rarely true when none is (the caller then compares exactly).
    /// Where `mine < 2^63`, `digest - mine` wraps to a number with the top
    /// bit set exactly when `mine` is newer; an entry of `mine` at 2^63 or
    /// more sets the bit itself. One accumulator of subtractions and ORs,
    /// which the compiler vectorises even for baseline x86-64 (which has no
    /// 64-bit compare) — as long as it is not inlined into the scan, which
    /// keeps the loaded entries for the exact pass instead.
    #[inline(never)]
    fn maybe_newer<const W: usize>(mine: &[u64; W], digest: &[u64; W]) -> bool {
        let mut acc = 0u64;
        for j in 0..W {
            acc |= digest[j].wrapping_sub(mine[j]) | (mine[j] & 1 << 63);
        }
        acc >> 63 != 0
    }

    /// Appends `(origin, 0, have)` for each origin from `first` on whose
    /// entry in `mine` (at most 64 entries) is newer than in `digest`: a bit
    /// mask of the newer entries first, then one append per set bit (a block
    /// that has newer entries usually has one or two).
    fn append_newer(first: usize, mine: &[u64], digest: &[u64], out: &mut Vec<Delta>) {
        debug_assert!(mine.len() <= 64 && mine.len() == digest.len());
        let mut newer = 0u64;
        for (j, (&have, &theirs)) in mine.iter().zip(digest).enumerate() {
            newer |= u64::from(have > theirs) << j;
        }
        while newer != 0 {
            let j = newer.trailing_zeros() as usize;
            out.push(Delta {
                origin: (first + j) as NodeId,
                key: 0,
                version: mine[j],
            });
            newer &= newer - 1;
        }
    }

    fn push_newer(
        &self,
        node: NodeId,
        mine: &[u64],
        digest: &[u64],
        origins: std::ops::Range<usize>,
        out: &mut Vec<Delta>,
    ) {
        for origin in origins {
            let (have, theirs) = (mine[origin], digest[origin]);
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

    /// Applies `deltas` at `ctx.node`, reporting version-vector changes
    /// (coalesced per run of one origin) and calling `fresh` for each delta
    /// that was newer than what the node held of its key.
    ///
    /// With `in_order` (Scuttlebutt, full-state anti-entropy: one origin's
    /// deltas arrive in version order with no gap) the vector entry is the
    /// largest version seen. Otherwise (rumors arrive in any order) the entry
    /// advances only over a contiguous run of versions each of which the node
    /// holds or has superseded, so it stays a true summary.
    pub fn apply<M>(
        &mut self,
        ctx: &mut Ctx<'_, M>,
        deltas: &[Delta],
        in_order: bool,
        mut fresh: impl FnMut(&Delta),
    ) {
        let node = ctx.node as usize;
        let (n, keys) = (self.n, self.keys);
        // The entries are scattered over the node's vector (80 KB at 10,000
        // nodes): start loading them all before the first is needed.
        let current = &*self.vv[node];
        for d in deltas {
            if let Some(v) = current.get(d.origin as usize) {
                crate::prefetch::prefetch(v);
            }
        }
        // An entry rises only for a delta newer than it. With none, the
        // vector is left alone (not copied, if a digest shares it) and only
        // the key store can take a delta.
        if !deltas.iter().any(|d| d.version > current[d.origin as usize]) {
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
        let mut pending: Option<(NodeId, u64, u64)> = None;
        for d in deltas {
            let origin = d.origin as usize;
            let row = (node * n + origin) * keys;
            let held = if keys > 1 {
                self.store[row + d.key as usize]
            } else {
                vector[origin]
            };
            if d.version > held {
                if keys > 1 {
                    self.store[row + d.key as usize] = d.version;
                }
                fresh(d);
            }
            let old = vector[origin];
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
                vector[origin] = new;
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

    /// `ctx.node` writes `key`: its own entry rises by one.
    pub fn write<M>(&mut self, ctx: &mut Ctx<'_, M>, key: u32) -> u64 {
        let node = ctx.node as usize;
        let entry = &mut Arc::make_mut(&mut self.vv[node])[node];
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
        self.log[node].push(Logged {
            version,
            key,
            timestamp: ctx.local_now.0,
        });
        ctx.version_changed(ctx.node, old, version);
        version
    }

    /// `ctx.node` crashes; with `lost` its state is wiped and its generation
    /// bumped (every change reported).
    pub fn crash<M>(&mut self, ctx: &mut Ctx<'_, M>, lost: bool) {
        if !lost {
            return;
        }
        let node = ctx.node as usize;
        let vector = Arc::make_mut(&mut self.vv[node]);
        for (origin, entry) in vector.iter_mut().enumerate() {
            let old = *entry;
            if origin == node {
                let new = ((old >> 32) + 1) << 32;
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
        }
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
        self.vv[node as usize][origin as usize]
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
    use rand::{Rng, SeedableRng};

    /// Runs `f` on `store` as node `node`.
    fn at<R>(store: &mut Store, node: NodeId, f: impl FnOnce(&mut Store, &mut Ctx<'_, ()>) -> R) -> R {
        let mut rng = Streams::new(0).stream(Component::Protocol, node);
        let mut out = Outbox::default();
        let mut ctx = Ctx {
            node,
            nodes: store.nodes() as u32,
            local_now: SimTime(0),
            rng: &mut rng,
            out: &mut out,
        };
        f(store, &mut ctx)
    }

    fn delta(origin: NodeId, version: u64) -> Delta {
        Delta {
            origin,
            key: 0,
            version,
        }
    }

    /// Snapshots of node 1 keep the values its vector had when each was
    /// taken, through a write, an in-order apply, an out-of-order (rumor)
    /// apply and a lost-state crash, while the node sees every change. An
    /// apply that changes nothing leaves the vector shared; with no
    /// snapshot alive a change is made in place.
    #[test]
    fn snapshots_keep_their_values_while_the_node_changes() {
        for keys in [1, 2] {
            let mut store = Store::new(3, keys);
            at(&mut store, 1, |s, c| s.write(c, 0));
            let first = store.snapshot(1);
            at(&mut store, 1, |s, c| s.write(c, 1 % keys));
            assert_eq!(store.version_vector(1), [0, 2, 0]);

            at(&mut store, 2, |s, c| s.write(c, 0));
            let second = store.snapshot(1);
            at(&mut store, 1, |s, c| s.apply(c, &[delta(2, 1)], true, |_| {}));
            assert_eq!(store.version_vector(1), [0, 2, 1]);

            at(&mut store, 0, |s, c| s.write(c, 0));
            let third = store.snapshot(1);
            at(&mut store, 1, |s, c| s.apply(c, &[delta(0, 1)], false, |_| {}));
            assert_eq!(store.version_vector(1), [1, 2, 1]);

            let fourth = store.snapshot(1);
            at(&mut store, 1, |s, c| {
                s.apply(c, &[delta(0, 1), delta(2, 1)], true, |_| {})
            });
            assert_eq!(
                store.version_vector(1).as_ptr(),
                fourth.as_ptr(),
                "nothing new: still shared"
            );
            at(&mut store, 1, |s, c| s.crash(c, true));
            assert_eq!(store.version_vector(1), [0, 1 << 32, 0]);

            assert_eq!(&first[..], [0, 1, 0]);
            assert_eq!(&second[..], [0, 2, 0]);
            assert_eq!(&third[..], [0, 2, 1]);
            assert_eq!(&fourth[..], [1, 2, 1]);

            drop((first, second, third, fourth));
            let owned = store.version_vector(1).as_ptr();
            at(&mut store, 1, |s, c| s.write(c, 0));
            at(&mut store, 1, |s, c| s.apply(c, &[delta(2, 1)], true, |_| {}));
            assert_eq!(store.version_vector(1), [0, (1 << 32) + 1, 1]);
            assert_eq!(
                store.version_vector(1).as_ptr(),
                owned,
                "no snapshot alive: no copy"
            );
        }
    }

    /// The block test never misses a newer entry, including versions at
    /// and above 2^63, and is exact below 2^63.
    #[test]
    fn maybe_newer_never_misses() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let values = [0, 1, 2, 1 << 32, (1 << 32) + 1, (1 << 63) - 1, 1 << 63, u64::MAX];
        for _ in 0..20_000 {
            let mut a = [0u64; 4];
            let mut b = [0u64; 4];
            for j in 0..4 {
                a[j] = values[rng.random_range(0..values.len())];
                b[j] = if rng.random_bool(0.7) {
                    a[j]
                } else {
                    values[rng.random_range(0..values.len())]
                };
            }
            let newer = a.iter().zip(&b).any(|(x, y)| x > y);
            let small = a.iter().chain(&b).all(|&v| v < 1 << 63);
            let maybe = Store::maybe_newer(&a, &b);
            assert!(maybe || !newer, "missed: {a:?} vs {b:?}");
            if small {
                assert_eq!(maybe, newer, "{a:?} vs {b:?}");
            }
        }
    }

    /// The block-skipping scan returns exactly what a plain per-origin
    /// filter returns, for node counts around the block size and digests
    /// of every relation to the node's own vector.
    #[test]
    fn candidates_match_a_plain_filter() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for nodes in [1u32, 2, 15, 16, 17, 33, 100] {
            for keys in [1u32, 3] {
                let mut store = Store::new(nodes, keys);
                let n = nodes as usize;
                let k = keys as usize;
                for _ in 0..20 {
                    let density = rng.random_range(0.0..1.0);
                    for vector in &mut store.vv {
                        for v in Arc::make_mut(vector).iter_mut() {
                            *v = rng.random_range(0..6);
                        }
                    }
                    if k > 1 {
                        for (slot, v) in store.store.iter_mut().enumerate() {
                            *v = rng.random_range(0..=store.vv[slot / k / n][slot / k % n]);
                        }
                    }
                    let node = rng.random_range(0..nodes);
                    let digest: Vec<u64> = store
                        .version_vector(node)
                        .iter()
                        .map(|&v| {
                            if rng.random_bool(density) {
                                rng.random_range(0..6)
                            } else {
                                v
                            }
                        })
                        .collect();
                    let mut want = Vec::new();
                    for (origin, &theirs) in digest.iter().enumerate() {
                        let mut run: Vec<Delta> = (0..k)
                            .map(|key| Delta {
                                origin: origin as NodeId,
                                key: key as u32,
                                version: if k == 1 {
                                    store.vv[node as usize][origin]
                                } else {
                                    store.store[(node as usize * n + origin) * k + key]
                                },
                            })
                            .filter(|d| d.version > theirs && store.vv[node as usize][origin] > theirs)
                            .collect();
                        run.sort_by_key(|d| d.version);
                        want.extend(run);
                    }
                    let mut got = Vec::new();
                    store.candidates(node, &digest, &mut got);
                    assert!(
                        got.windows(2)
                            .all(|w| (w[0].origin, w[0].version) <= (w[1].origin, w[1].version)),
                        "per origin in id order, then version order: {got:?}"
                    );
                    // Equal versions of two keys may come in either order.
                    got.sort();
                    want.sort();
                    assert_eq!(got, want, "nodes {nodes} keys {keys}");
                }
            }
        }
    }
}
