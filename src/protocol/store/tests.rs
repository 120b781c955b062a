//! Tests of the store: copy-on-write snapshots, the block tests at both
//! widths, the scan against a plain filter, and the switch from narrow to
//! wide vectors (a narrow store against one wide from the start).

use super::*;
use crate::node::{Outbox, VersionChange};
use crate::rng::{Component, Streams};
use crate::time::SimTime;
use rand::{Rng, SeedableRng};

/// Runs `f` on `store` as node `node`.
fn at<R>(store: &mut Store, node: NodeId, f: impl FnOnce(&mut Store, &mut Ctx<'_, ()>) -> R) -> R {
    traced(store, node, f).0
}

/// Runs `f` on `store` as node `node`; also returns the version changes
/// it reported.
fn traced<R>(
    store: &mut Store,
    node: NodeId,
    f: impl FnOnce(&mut Store, &mut Ctx<'_, ()>) -> R,
) -> (R, Vec<VersionChange>) {
    let mut rng = Streams::new(0).stream(Component::Protocol, node);
    let mut out = Outbox::default();
    let mut ctx = Ctx {
        node,
        nodes: store.nodes() as u32,
        local_now: SimTime(u64::from(node) * 1000),
        rng: &mut rng,
        out: &mut out,
    };
    let r = f(store, &mut ctx);
    (r, out.versions)
}

fn delta(origin: NodeId, version: u64) -> Delta {
    Delta {
        origin,
        key: 0,
        version,
    }
}

/// A store of `nodes` nodes with `keys` keys, wide from the start.
fn wide(nodes: u32, keys: u32) -> Store {
    let mut store = Store::new(nodes, keys);
    store.widen();
    store
}

fn is_narrow(store: &Store) -> bool {
    matches!(store.0, Width::Narrow(_))
}

/// Where a vector's entries are (to tell a shared vector from a copy).
fn ptr(v: Versions<'_>) -> *const u8 {
    match v.0 {
        Slice::Narrow(v) => v.as_ptr().cast(),
        Slice::Wide(v) => v.as_ptr().cast(),
    }
}

fn candidates(store: &Store, node: NodeId, digest: Versions<'_>) -> Vec<Delta> {
    let mut out = Vec::new();
    store.candidates(node, digest, &mut out);
    out
}

/// Sets every node's vector to `vv[node]` and the per-key versions to
/// `keyed` (empty with one key per origin).
fn fill(store: &mut Store, vv: &[Vec<u64>], keyed: &[u64]) {
    fn go<V: Version>(s: &mut Inner<V>, vv: &[Vec<u64>], keyed: &[u64]) {
        for (vector, values) in s.vv.iter_mut().zip(vv) {
            *vector = values.iter().map(|&v| entry(v)).collect();
        }
        s.store.copy_from_slice(keyed);
    }
    each!(&mut store.0, s => go(s, vv, keyed))
}

/// Snapshots of node 1 keep the values its vector had when each was
/// taken, through a write, an in-order apply, an out-of-order (rumor)
/// apply and a lost-state crash (which widens the store), while the
/// node sees every change. An apply that changes nothing leaves the
/// vector shared; with no snapshot alive a change is made in place.
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
            ptr(store.version_vector(1)),
            ptr(fourth.versions()),
            "nothing new: still shared"
        );
        assert!(is_narrow(&store));
        at(&mut store, 1, |s, c| s.crash(c, true));
        assert!(!is_narrow(&store), "a lost-state crash widens the store");
        assert_eq!(store.version_vector(1), [0, 1 << 32, 0]);

        assert_eq!(first.versions(), [0, 1, 0]);
        assert_eq!(second.versions(), [0, 2, 0]);
        assert_eq!(third.versions(), [0, 2, 1]);
        assert_eq!(fourth.versions(), [1, 2, 1]);

        drop((first, second, third, fourth));
        let owned = ptr(store.version_vector(1));
        at(&mut store, 1, |s, c| s.write(c, 0));
        at(&mut store, 1, |s, c| s.apply(c, &[delta(2, 1)], true, |_| {}));
        assert_eq!(store.version_vector(1), [0, (1 << 32) + 1, 1]);
        assert_eq!(ptr(store.version_vector(1)), owned, "no snapshot alive: no copy");
    }
}

/// The block test on `u64` never misses a newer entry, including
/// versions at and above 2^63, and is exact below 2^63.
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
        let maybe = maybe_newer(&a, &b);
        assert!(maybe || !newer, "missed: {a:?} vs {b:?}");
        if small {
            assert_eq!(maybe, newer, "{a:?} vs {b:?}");
        }
    }
}

/// The block test on `u32` against a plain `>`: every pair of values
/// around 2^31 and 2^32 − 1 alone, then random blocks of 4 and 16 of
/// them. Never a miss; exact where both sides are below 2^31.
#[test]
fn narrow_maybe_newer_matches_a_plain_compare() {
    const TOP: u32 = 1 << 31;
    let values = [0, 1, 2, TOP - 2, TOP - 1, TOP, TOP + 1, u32::MAX - 1, u32::MAX];
    fn check<const W: usize>(a: &[u32; W], b: &[u32; W]) {
        let newer = a.iter().zip(b).any(|(x, y)| x > y);
        let small = a.iter().chain(b).all(|&v| v < TOP);
        let maybe = maybe_newer(a, b);
        assert!(maybe || !newer, "missed: {a:?} vs {b:?}");
        if small {
            assert_eq!(maybe, newer, "{a:?} vs {b:?}");
        }
    }
    for &a in &values {
        for &b in &values {
            check(&[a], &[b]);
        }
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31);
    let pick = |rng: &mut rand_chacha::ChaCha8Rng| values[rng.random_range(0..values.len())];
    for _ in 0..20_000 {
        let mut a = [0u32; 16];
        let mut b = [0u32; 16];
        for j in 0..16 {
            a[j] = pick(&mut rng);
            b[j] = if rng.random_bool(0.9) {
                a[j]
            } else {
                pick(&mut rng)
            };
        }
        check(&a, &b);
        check::<4>(a[..4].try_into().unwrap(), b[..4].try_into().unwrap());
    }
}

/// The block-skipping scan returns exactly what a plain per-origin
/// filter returns, for node counts around the block size, digests of
/// every relation to the node's own vector, a narrow and a wide store,
/// and digests of either width.
#[test]
fn candidates_match_a_plain_filter() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    for nodes in [1u32, 2, 15, 16, 17, 33, 100] {
        for keys in [1u32, 3] {
            for widened in [false, true] {
                let mut store = if widened {
                    wide(nodes, keys)
                } else {
                    Store::new(nodes, keys)
                };
                let n = nodes as usize;
                let k = keys as usize;
                for _ in 0..20 {
                    let density = rng.random_range(0.0..1.0);
                    let vv: Vec<Vec<u64>> = (0..n)
                        .map(|_| (0..n).map(|_| rng.random_range(0..6)).collect())
                        .collect();
                    let keyed: Vec<u64> = if k > 1 {
                        (0..n * n * k)
                            .map(|slot| rng.random_range(0..=vv[slot / k / n][slot / k % n]))
                            .collect()
                    } else {
                        Vec::new()
                    };
                    fill(&mut store, &vv, &keyed);
                    let node = rng.random_range(0..nodes);
                    let mine = &vv[node as usize];
                    let digest: Vec<u64> = mine
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
                                    mine[origin]
                                } else {
                                    keyed[(node as usize * n + origin) * k + key]
                                },
                            })
                            .filter(|d| d.version > theirs && mine[origin] > theirs)
                            .collect();
                        run.sort_by_key(|d| d.version);
                        want.extend(run);
                    }
                    want.sort();
                    let narrow: Vec<u32> = digest.iter().map(|&v| v as u32).collect();
                    for versions in [Versions::from(&digest[..]), Versions::from(&narrow[..])] {
                        let mut got = candidates(&store, node, versions);
                        assert!(
                            got.windows(2)
                                .all(|w| (w[0].origin, w[0].version) <= (w[1].origin, w[1].version)),
                            "per origin in id order, then version order: {got:?}"
                        );
                        // Equal versions of two keys may come in either order.
                        got.sort();
                        assert_eq!(got, want, "nodes {nodes} keys {keys} wide {widened}");
                    }
                }
            }
        }
    }
}

/// Every pair's answer: `candidates(a, digests[b])`.
fn answers(store: &Store, digests: &[Digest]) -> Vec<Vec<Delta>> {
    let n = store.nodes() as NodeId;
    (0..n)
        .flat_map(|a| digests.iter().map(move |d| (a, d)))
        .map(|(a, d)| candidates(store, a, d.versions()))
        .collect()
}

/// The switch to wide vectors, made by a lost-state crash or by a delta
/// of 2^32 or more: every other vector, and every digest taken before
/// it, reads the same values after it (the digests still narrow);
/// `candidates` answers a pre-switch digest as before, as it answers the
/// same digest made wide, and as a store wide from the start answers;
/// applying those answers reports the same changes in both stores.
#[test]
fn the_switch_keeps_values_and_answers() {
    const N: u32 = 40; // two whole blocks and a tail
    for keys in [1, 3] {
        for by_crash in [false, true] {
            let mut narrow = Store::new(N, keys);
            let mut twin = wide(N, keys);
            for store in [&mut narrow, &mut twin] {
                for node in 0..N {
                    for w in 0..node % 4 {
                        at(store, node, |s, c| s.write(c, w % keys));
                    }
                }
                for node in 0..N / 2 {
                    let deltas = candidates(store, (node + 7) % N, store.version_vector(node));
                    at(store, node, |s, c| s.apply(c, &deltas, true, |_| {}));
                }
            }
            assert!(is_narrow(&narrow));
            let vectors: Vec<Vec<u64>> = (0..N).map(|x| narrow.version_vector(x).to_vec()).collect();
            let digests: Vec<Digest> = (0..N).map(|x| narrow.snapshot(x)).collect();
            let twin_digests: Vec<Digest> = (0..N).map(|x| twin.snapshot(x)).collect();
            let before = answers(&narrow, &digests);
            assert_eq!(before, answers(&twin, &twin_digests));

            let switch = |s: &mut Store| {
                if by_crash {
                    traced(s, 3, |s, c| s.crash(c, true)).1
                } else {
                    traced(s, 3, |s, c| s.apply(c, &[delta(5, (1 << 32) + 2)], true, |_| {})).1
                }
            };
            assert_eq!(switch(&mut narrow), switch(&mut twin));
            assert!(!is_narrow(&narrow), "switched");
            for x in 0..N {
                if x != 3 {
                    assert_eq!(narrow.version_vector(x), vectors[x as usize][..], "node {x}");
                }
                assert_eq!(narrow.version_vector(x), twin.version_vector(x), "node {x}");
            }
            for (d, v) in digests.iter().zip(&vectors) {
                assert!(d.versions().is_narrow());
                assert_eq!(d.versions(), v[..]);
            }
            let after = answers(&narrow, &digests);
            for (pair, (a, b)) in after.iter().zip(&before).enumerate() {
                if pair / N as usize != 3 {
                    assert_eq!(a, b, "pair {pair}");
                }
            }
            let made_wide: Vec<Digest> = digests.iter().map(|d| Digest::from(d.to_vec())).collect();
            assert_eq!(after, answers(&narrow, &made_wide));
            assert_eq!(after, answers(&twin, &twin_digests));

            for node in 0..N {
                let from = (node + 3) % N;
                let deltas = candidates(&narrow, from, digests[node as usize].versions());
                assert_eq!(
                    deltas,
                    candidates(&twin, from, twin_digests[node as usize].versions())
                );
                let (mut fresh_a, mut fresh_b) = (Vec::new(), Vec::new());
                let (_, a) = traced(&mut narrow, node, |s, c| {
                    s.apply(c, &deltas, true, |d| fresh_a.push(*d))
                });
                let (_, b) = traced(&mut twin, node, |s, c| {
                    s.apply(c, &deltas, true, |d| fresh_b.push(*d))
                });
                assert_eq!((a, fresh_a), (b, fresh_b), "node {node}");
            }
            for x in 0..N {
                assert_eq!(narrow.version_vector(x), twin.version_vector(x), "node {x}");
            }
        }
    }
}

/// A narrow store and a store wide from the start, given the same
/// random writes, exchanges (in order, and out of order as rumors,
/// against fresh and stale digests), crashes with and without lost
/// state and deltas of 2^32 or more, report the same changes, call
/// `fresh` for the same deltas and hold the same vectors, before and
/// after the narrow one switches (in most seeds; some never do).
#[test]
fn narrow_and_wide_stores_agree() {
    let (mut switched, mut stayed) = (0, 0);
    for seed in 0..40 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let nodes = rng.random_range(2..40u32);
        let keys = rng.random_range(1..4u32);
        let wild_from = if seed % 4 == 0 {
            usize::MAX
        } else {
            rng.random_range(0..300)
        };
        let mut narrow = Store::new(nodes, keys);
        let mut twin = wide(nodes, keys);
        // (node, digest from the narrow store, digest from the twin)
        let mut held: Vec<(NodeId, Digest, Digest)> = Vec::new();
        for step in 0..300 {
            let node = rng.random_range(0..nodes);
            let wild = step >= wild_from;
            let (a, b) = match rng.random_range(0..100) {
                0..35 => {
                    let key = rng.random_range(0..keys);
                    let a = traced(&mut narrow, node, |s, c| s.write(c, key));
                    let b = traced(&mut twin, node, |s, c| s.write(c, key));
                    ((a.1, Vec::new()), (b.1, Vec::new()))
                }
                35..70 => {
                    let from = rng.random_range(0..nodes);
                    let (da, db) = if !held.is_empty() && rng.random_bool(0.5) {
                        let (_, da, db) = &held[rng.random_range(0..held.len())];
                        (da.clone(), db.clone())
                    } else {
                        (narrow.snapshot(node), twin.snapshot(node))
                    };
                    assert_eq!(da, db);
                    let mut deltas = candidates(&narrow, from, da.versions());
                    assert_eq!(
                        deltas,
                        candidates(&twin, from, db.versions()),
                        "seed {seed} step {step}"
                    );
                    let in_order = rng.random_bool(0.5);
                    if !in_order {
                        deltas.retain(|_| rng.random_bool(0.7));
                        for i in (1..deltas.len()).rev() {
                            deltas.swap(i, rng.random_range(0..=i));
                        }
                    }
                    let mut fa = Vec::new();
                    let mut fb = Vec::new();
                    let a = traced(&mut narrow, node, |s, c| {
                        s.apply(c, &deltas, in_order, |d| fa.push(*d))
                    });
                    let b = traced(&mut twin, node, |s, c| {
                        s.apply(c, &deltas, in_order, |d| fb.push(*d))
                    });
                    ((a.1, fa), (b.1, fb))
                }
                70..85 => {
                    held.push((node, narrow.snapshot(node), twin.snapshot(node)));
                    if held.len() > 6 {
                        held.remove(rng.random_range(0..held.len()));
                    }
                    continue;
                }
                85..90 => {
                    let lost = wild && rng.random_bool(0.5);
                    let a = traced(&mut narrow, node, |s, c| s.crash(c, lost));
                    let b = traced(&mut twin, node, |s, c| s.crash(c, lost));
                    ((a.1, Vec::new()), (b.1, Vec::new()))
                }
                90..93 if wild => {
                    let big = Delta {
                        origin: rng.random_range(0..nodes),
                        key: rng.random_range(0..keys),
                        version: (rng.random_range(1..3) << 32) + rng.random_range(0..4),
                    };
                    let in_order = rng.random_bool(0.5);
                    let mut fa = Vec::new();
                    let mut fb = Vec::new();
                    let a = traced(&mut narrow, node, |s, c| {
                        s.apply(c, &[big], in_order, |d| fa.push(*d))
                    });
                    let b = traced(&mut twin, node, |s, c| {
                        s.apply(c, &[big], in_order, |d| fb.push(*d))
                    });
                    ((a.1, fa), (b.1, fb))
                }
                _ => continue,
            };
            assert_eq!(a, b, "seed {seed} step {step}");
            for x in 0..nodes {
                assert_eq!(
                    narrow.version_vector(x),
                    twin.version_vector(x),
                    "seed {seed} step {step}"
                );
                for origin in 0..nodes {
                    for key in 0..keys {
                        assert_eq!(
                            narrow.key_version(x, origin, key),
                            twin.key_version(x, origin, key),
                            "seed {seed} step {step}"
                        );
                    }
                }
            }
        }
        if is_narrow(&narrow) {
            stayed += 1;
        } else {
            switched += 1;
        }
    }
    assert!(switched > 5 && stayed > 5, "switched {switched}, stayed {stayed}");
}
