//! Tests of the store: copy-on-write snapshots, the block tests and exact
//! masks at every width, views and digests read the same at every width,
//! the scan against a plain filter for every pair of vector and digest
//! widths, and the switches up the ladder `u8` → `u16` → `u32` → `u64` (a
//! store starting at `u8` against one at `u64` from the start).

use super::vector::{both_ways_by_blocks, maybe_newer, packed_newer, Shared};
use super::*;
use crate::node::{Outbox, VersionChange};
use crate::rng::{Component, Streams};
use crate::time::SimTime;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};

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

/// A store of `nodes` nodes with `keys` keys, at `u64` from the start.
fn wide(nodes: u32, keys: u32) -> Store {
    let mut store = Store::new(nodes, keys);
    store.widen(64);
    store
}

/// The width of the store's vectors in bits, read from the variant.
fn bits(store: &Store) -> u32 {
    match store.0 {
        Width::U8(_) => 8,
        Width::U16(_) => 16,
        Width::U32(_) => 32,
        Width::U64(_) => 64,
    }
}

/// The smallest width of the ladder that holds `version`, worked out by
/// hand (not with the store's own rule).
fn holds(version: u64) -> u32 {
    [8, 16, 32, 64]
        .into_iter()
        .find(|&b| b == 64 || version < 1 << b)
        .unwrap()
}

/// Where a vector's entries are (to tell a shared vector from a copy).
fn ptr(v: Versions<'_>) -> *const u8 {
    match v.0 {
        Slice::U8(v) => v.as_ptr().cast(),
        Slice::U16(v) => v.as_ptr().cast(),
        Slice::U32(v) => v.as_ptr().cast(),
        Slice::U64(v) => v.as_ptr().cast(),
    }
}

/// How many holders the vector behind `digest` has (the digest included).
fn holders(digest: &Digest) -> usize {
    match &digest.0 {
        Shared::U8(v) => Arc::strong_count(v),
        Shared::U16(v) => Arc::strong_count(v),
        Shared::U32(v) => Arc::strong_count(v),
        Shared::U64(v) => Arc::strong_count(v),
    }
}

/// `values` at width `bits`, as owned vectors of each of the four types
/// (only the one of width `bits` is used; the values must fit it).
fn at_width(values: &[u64], bits: u32) -> Entries {
    match bits {
        8 => Entries::U8(values.iter().map(|&v| entry(v)).collect()),
        16 => Entries::U16(values.iter().map(|&v| entry(v)).collect()),
        32 => Entries::U32(values.iter().map(|&v| entry(v)).collect()),
        _ => Entries::U64(values.to_vec()),
    }
}

/// Owned entries at one of the four widths (see [`at_width`]).
enum Entries {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
}

impl Entries {
    /// A view of the entries at their width.
    fn view(&self) -> Versions<'_> {
        match self {
            Entries::U8(v) => Versions::from(&v[..]),
            Entries::U16(v) => Versions::from(&v[..]),
            Entries::U32(v) => Versions::from(&v[..]),
            Entries::U64(v) => Versions::from(&v[..]),
        }
    }

    /// A digest holding the entries at their width.
    fn digest(&self) -> Digest {
        match self {
            Entries::U8(v) => Version::digest(Arc::from(&v[..])),
            Entries::U16(v) => Version::digest(Arc::from(&v[..])),
            Entries::U32(v) => Version::digest(Arc::from(&v[..])),
            Entries::U64(v) => Version::digest(Arc::from(&v[..])),
        }
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
        assert_eq!(bits(&store), 8);
        at(&mut store, 1, |s, c| s.crash(c, true));
        assert_eq!(bits(&store), 64, "a lost-state crash widens the store to u64");
        // The new generation holds each key empty at a version of its own
        // (key k at 1:k): the entry is at the last, 1:(keys - 1).
        let gen = (1 << 32) + u64::from(keys) - 1;
        assert_eq!(store.version_vector(1), [0, gen, 0]);

        assert_eq!(first.versions(), [0, 1, 0]);
        assert_eq!(second.versions(), [0, 2, 0]);
        assert_eq!(third.versions(), [0, 2, 1]);
        assert_eq!(fourth.versions(), [1, 2, 1]);

        drop((first, second, third, fourth));
        let owned = ptr(store.version_vector(1));
        at(&mut store, 1, |s, c| s.write(c, 0));
        at(&mut store, 1, |s, c| s.apply(c, &[delta(2, 1)], true, |_| {}));
        assert_eq!(store.version_vector(1), [0, gen + 1, 1]);
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

/// The largest value and the top bit of a type of `bits` bits, from the
/// width alone (not from [`Version::TOP`], which the tests check).
fn max_top(bits: u32) -> (u64, u64) {
    let max = u64::MAX >> (64 - bits);
    (max, max / 2 + 1)
}

/// Values around the top bit and the maximum of `V`, and a few small
/// ones: for `u8` 0, 1, 2, 126, 127, 128, 129, 254, 255; for `u16` the
/// same around 32,768 and 65,535.
fn edges<V: Version>() -> Vec<V> {
    let (max, top) = max_top(V::BITS);
    [0, 1, 2, top - 2, top - 1, top, top + 1, max - 1, max]
        .into_iter()
        .map(|v| V::narrow(v).unwrap())
        .collect()
}

/// A random block of `len` entries of `edges`: `mine`, and a digest
/// mostly equal to it.
fn random_pair<V: Version>(rng: &mut rand_chacha::ChaCha8Rng, len: usize, same: f64) -> (Vec<V>, Vec<V>) {
    let values = edges::<V>();
    let mine: Vec<V> = (0..len)
        .map(|_| values[rng.random_range(0..values.len())])
        .collect();
    let digest = mine
        .iter()
        .map(|&v| {
            if rng.random_bool(same) {
                v
            } else {
                values[rng.random_range(0..values.len())]
            }
        })
        .collect();
    (mine, digest)
}

/// The block test at width `V` against a plain `>`: every pair of
/// [`edges`] alone, then random blocks of the width's own block size
/// ([`Version::block_newer`]). Never a miss; exact where both sides are
/// below the top bit.
fn check_block_test<V: Version>(seed: u64) {
    let (_, top) = max_top(V::BITS);
    let check = |a: &[V], b: &[V], maybe: bool| {
        let newer = a.iter().zip(b).any(|(x, y)| x > y);
        let small = a.iter().chain(b).all(|&v| v.into() < top);
        assert!(maybe || !newer, "missed: {a:?} vs {b:?}");
        if small {
            assert_eq!(maybe, newer, "{a:?} vs {b:?}");
        }
    };
    let values = edges::<V>();
    for &a in &values {
        for &b in &values {
            check(&[a], &[b], maybe_newer(&[a], &[b]));
        }
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..20_000 {
        let same = if rng.random_bool(0.5) { 0.99 } else { 0.9 };
        let (a, b) = random_pair::<V>(&mut rng, V::BLOCK, same);
        check(&a, &b, V::block_newer(&a, &b));
    }
}

/// The block test at each of the four widths, at the top-bit boundaries
/// (127/128/255 for `u8`, 32,767/32,768/65,535 for `u16`, …).
#[test]
fn maybe_newer_never_misses_at_every_width() {
    assert_eq!(edges::<u8>(), [0, 1, 2, 126, 127, 128, 129, 254, 255]);
    assert_eq!(edges::<u16>()[3..7], [32_766, 32_767, 32_768, 32_769]);
    assert_eq!(edges::<u16>()[7..], [65_534, 65_535]);
    assert_eq!(
        (u8::TOP, u16::TOP, u32::TOP, u64::TOP),
        (0x80, 0x8000, 1 << 31, 1 << 63)
    );
    check_block_test::<u8>(8);
    check_block_test::<u16>(16);
    check_block_test::<u32>(32);
    check_block_test::<u64>(64);
}

/// The exact masks at width `V` ([`newer`], [`packed_newer`] and the
/// width's own [`Version::newer`]) against a plain `>`, for random blocks
/// of every length up to 64 (partial words included) made of [`edges`].
fn check_masks<V: Version>(seed: u64) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    for len in 0..=64 {
        for _ in 0..300 {
            let same = rng.random_range(0.0..1.0);
            let (a, b) = random_pair::<V>(&mut rng, len, same);
            let want = (0..len).fold(0u64, |m, j| m | u64::from(a[j] > b[j]) << j);
            assert_eq!(newer(&a, &b), want, "{a:?} vs {b:?}");
            assert_eq!(packed_newer(&a, &b), want, "packed: {a:?} vs {b:?}");
            assert_eq!(V::newer(&a, &b), want, "own: {a:?} vs {b:?}");
        }
    }
}

/// The calls a both-ways scan by blocks of `size` entries makes, worked
/// out entry by entry: whole blocks from the start, then the rest, each
/// that differs as `(first, newer, older)`; with `whole_tail` (and at least
/// one block), the rest as the last `size` entries, its bits from the
/// rest's first entry on.
fn both_ways_model<V: Version>(a: &[V], b: &[V], size: usize, whole_tail: bool) -> Vec<(usize, u64, u64)> {
    let whole = a.len() / size * size;
    let blocks = (0..whole).step_by(size).map(|first| first..first + size);
    let mut calls = Vec::new();
    for range in blocks.chain(std::iter::once(whole..a.len())) {
        // A whole tail block starts `size` entries before the end.
        let first = if whole_tail && range.len() < size && a.len() >= size {
            a.len() - size
        } else {
            range.start
        };
        let (mut newer, mut older) = (0u64, 0u64);
        for i in range {
            newer |= u64::from(a[i] > b[i]) << (i - first);
            older |= u64::from(b[i] > a[i]) << (i - first);
        }
        if newer | older != 0 {
            calls.push((first, newer, older));
        }
    }
    calls
}

/// The both-ways scans make the calls worked out entry by entry, for
/// every length up to a few blocks: by blocks of the width's own size at
/// every width, and by the wide SIMD scan (64 entries a block, `u8`)
/// where the processor has one.
fn check_both_ways<V: Version>(seed: u64) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    for len in 0..=200 {
        for _ in 0..40 {
            let same = [0.0, 0.5, 0.97, 1.0][rng.random_range(0..4)];
            let (a, b) = random_pair::<V>(&mut rng, len, same);
            let mut calls = Vec::new();
            both_ways_by_blocks(&a, &b, |first, newer, older| calls.push((first, newer, older)));
            assert_eq!(
                calls,
                both_ways_model(&a, &b, V::BLOCK, false),
                "by blocks: {a:?} vs {b:?}"
            );
            calls.clear();
            if V::both_ways(&a, &b, |first, newer, older| calls.push((first, newer, older))) {
                assert_eq!(calls, both_ways_model(&a, &b, 64, true), "wide: {a:?} vs {b:?}");
            } else {
                assert!(calls.is_empty(), "no call when the wide scan does not run");
            }
        }
    }
}

/// A store's size is its vectors at their width (one entry per node and
/// origin) and, with several keys, a `u64` per node, origin and key.
#[test]
fn store_bytes_follow_the_width() {
    let mut one = Store::new(30, 1);
    assert_eq!(one.bytes(), 30 * 30);
    one.widen(16);
    assert_eq!(one.bytes(), 30 * 30 * 2);
    one.widen(64);
    assert_eq!(one.bytes(), 30 * 30 * 8);
    let three = Store::new(30, 3);
    assert_eq!(three.bytes(), 30 * 30 + 30 * 30 * 3 * 8);
}

#[test]
fn both_ways_scans_match_a_plain_compare() {
    check_both_ways::<u8>(11);
    check_both_ways::<u16>(12);
    check_both_ways::<u32>(13);
    check_both_ways::<u64>(14);
}

/// The exact masks agree with a plain `>` at every width; for `u8`, every
/// pair of values in the first, last and word-edge lanes, next to lanes
/// that would borrow or carry into them if the packed arithmetic let them.
#[test]
fn newer_masks_match_a_plain_compare() {
    check_masks::<u8>(1);
    check_masks::<u16>(2);
    check_masks::<u32>(3);
    check_masks::<u64>(4);
    for x in 0..=255u8 {
        for y in 0..=255u8 {
            for lane in [0usize, 7, 8, 31, 32, 63] {
                let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
                a[lane] = x;
                b[lane] = y;
                if lane > 0 {
                    (a[lane - 1], b[lane - 1]) = (0, 255);
                }
                if lane < 63 {
                    (a[lane + 1], b[lane + 1]) = (255, 0);
                }
                let want = (0..64).fold(0u64, |m, j| m | u64::from(a[j] > b[j]) << j);
                assert_eq!(u8::newer(&a, &b), want, "{x} vs {y} in lane {lane}");
            }
        }
    }
}

/// Views and digests of the same values at any two widths are equal and
/// read the same (`len`, `get`, `iter`, `to_vec`, `Debug`); a view at
/// another width with one entry changed, or one entry fewer, is not.
#[test]
fn views_read_the_same_at_every_width() {
    let small = [0, 1, 127, 128, 255, 3];
    let big = [0, 256, 65_535, 65_536, (1 << 32) - 1, 7];
    for (values, widths) in [(&small, &[8, 16, 32, 64][..]), (&big, &[32, 64][..])] {
        let mut changed = values.to_vec();
        *changed.last_mut().unwrap() += 1;
        for &a in widths {
            let (x, dx) = (at_width(values, a), at_width(values, a).digest());
            let v = x.view();
            assert_eq!(v.bits(), a);
            assert_eq!((v.len(), v.is_empty()), (values.len(), false));
            assert_eq!(v.to_vec(), values);
            assert_eq!(v.iter().collect::<Vec<_>>(), values);
            assert_eq!(v.iter().len(), values.len());
            let got: Vec<Option<u64>> = (0..=values.len()).map(|i| v.get(i)).collect();
            let want: Vec<Option<u64>> = values.iter().map(|&e| Some(e)).chain([None]).collect();
            assert_eq!(got, want);
            assert_eq!(format!("{v:?}"), format!("{values:?}"));
            assert_eq!(v, values[..]);
            assert_eq!((dx.len(), dx.to_vec()), (values.len(), values.to_vec()));
            for &b in widths {
                let (y, dy) = (at_width(values, b), at_width(values, b).digest());
                assert_eq!(v, y.view(), "{a} vs {b}");
                assert_eq!(dx, dy, "{a} vs {b}");
                let other = at_width(&changed, b);
                assert_ne!(v, other.view(), "{a} vs {b}");
                assert_ne!(dx, other.digest(), "{a} vs {b}");
                assert_ne!(v, Versions::from(&at_width(&values[1..], b).view().to_vec()[..]));
                let shorter = at_width(&values[..values.len() - 1], b);
                assert_ne!(v, shorter.view(), "{a} vs {b}");
            }
        }
    }
}

/// The block-skipping scan returns exactly what a plain per-origin
/// filter returns, for node counts around every block size, digests of
/// every relation to the node's own vector (and `state`, against an
/// all-zero digest), and every pair of vector width and digest width (values picked around each width's top bit
/// and maximum, so that blocks take the exact pass too).
#[test]
fn candidates_match_a_plain_filter() {
    const VALUES: [u64; 19] = [
        0,
        1,
        2,
        5,
        127,
        128,
        200,
        255,
        256,
        32_767,
        32_768,
        65_535,
        65_536,
        1 << 31,
        (1 << 32) - 1,
        1 << 32,
        (1 << 32) + 1,
        1 << 63,
        u64::MAX,
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    // A value that fits `bits`: small (the usual case) or an edge.
    let pick = |rng: &mut rand_chacha::ChaCha8Rng, bits: u32| {
        if rng.random_bool(0.5) {
            rng.random_range(0..6)
        } else {
            let fits: Vec<u64> = VALUES.into_iter().filter(|&v| holds(v) <= bits).collect();
            fits[rng.random_range(0..fits.len())]
        }
    };
    let mut pairs = BTreeSet::new();
    let mut reversed = 0;
    for nodes in [1u32, 2, 15, 16, 17, 33, 63, 64, 65, 100, 129] {
        for keys in [1u32, 3] {
            for store_bits in [8, 16, 32, 64] {
                let mut store = Store::new(nodes, keys);
                store.widen(store_bits);
                assert_eq!(bits(&store), store_bits);
                let n = nodes as usize;
                let k = keys as usize;
                for _ in 0..8 {
                    let density = rng.random_range(0.0..1.0);
                    let vv: Vec<Vec<u64>> = (0..n)
                        .map(|_| (0..n).map(|_| pick(&mut rng, store_bits)).collect())
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
                    // What a plain per-origin filter returns for `digest`.
                    let plain = |digest: &[u64]| {
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
                        want
                    };
                    let mut state = vec![delta(0, 1)];
                    store.state(node, &mut state);
                    state.sort();
                    assert_eq!(state, plain(&vec![0; n]), "state: nodes {nodes} keys {keys}");
                    for digest_bits in [8, 16, 32, 64] {
                        let digest: Vec<u64> = mine
                            .iter()
                            .map(|&v| {
                                if holds(v) <= digest_bits && !rng.random_bool(density) {
                                    v
                                } else {
                                    pick(&mut rng, digest_bits)
                                }
                            })
                            .collect();
                        let want = plain(&digest);
                        let entries = at_width(&digest, digest_bits);
                        assert_eq!(entries.view().bits(), digest_bits);
                        let mut got = candidates(&store, node, entries.view());
                        assert!(
                            got.windows(2)
                                .all(|w| (w[0].origin, w[0].version) <= (w[1].origin, w[1].version)),
                            "per origin in id order, then version order: {got:?}"
                        );
                        // Equal versions of two keys may come in either order.
                        got.sort();
                        let at = format!("nodes {nodes} keys {keys} store {store_bits} digest {digest_bits}");
                        assert_eq!(got, want, "{at}");
                        pairs.insert((store_bits, digest_bits, !want.is_empty()));
                        // Both ways in one pass: the same candidates, and the
                        // digest's newer entries at the digest's versions
                        // wherever the pass can run.
                        let (mut out, mut theirs) = (vec![delta(0, 1)], vec![delta(0, 1)]);
                        let both = store.candidates_both_ways(node, entries.view(), &mut out, &mut theirs);
                        out.sort();
                        assert_eq!(out, want, "both ways, {at}");
                        assert_eq!(both, k == 1 && digest_bits == store_bits, "{at}");
                        let reverse: Vec<Delta> = (digest.iter().zip(mine).enumerate())
                            .filter(|&(_, (theirs, mine))| both && theirs > mine)
                            .map(|(origin, (&theirs, _))| delta(origin as NodeId, theirs))
                            .collect();
                        assert_eq!(theirs, reverse, "the digest's newer entries, {at}");
                        reversed += usize::from(!reverse.is_empty());
                    }
                }
            }
        }
    }
    assert_eq!(
        pairs.len(),
        32,
        "every pair of widths, with and without candidates"
    );
    assert!(
        reversed > 50,
        "the digest was newer somewhere in {reversed} cases"
    );
}

/// A snapshot is its node's vector until the node changes it: through
/// another node's write and an apply that raises nothing, not after an
/// apply that raises an entry, nor once the store has switched width (the
/// same values, another vector). A digest of equal values made elsewhere
/// is not the vector.
#[test]
fn unchanged_since_tells_the_vector_from_a_changed_one() {
    let mut store = Store::new(3, 1);
    let first = store.snapshot(1);
    at(&mut store, 0, |s, c| s.write(c, 0));
    assert!(store.unchanged_since(1, &first));
    assert!(!store.unchanged_since(0, &first), "node 0 wrote");
    at(&mut store, 1, |s, c| s.apply(c, &[delta(2, 0)], true, |_| {}));
    assert!(store.unchanged_since(1, &first), "nothing was raised");
    at(&mut store, 1, |s, c| s.apply(c, &[delta(0, 1)], true, |_| {}));
    assert!(!store.unchanged_since(1, &first));
    assert_eq!(first.to_vec(), [0, 0, 0], "the snapshot kept its values");
    let second = store.snapshot(1);
    assert!(store.unchanged_since(1, &second));
    assert!(
        !store.unchanged_since(1, &Digest::from(vec![1, 0, 0])),
        "equal, not the same"
    );
    store.widen(16);
    assert_eq!(store.version_vector(1), &[1, 0, 0]);
    assert!(
        !store.unchanged_since(1, &second),
        "a switch of width makes new vectors"
    );
}

/// Every pair's answer: `candidates(a, digests[b])`.
fn answers(store: &Store, digests: &[Digest]) -> Vec<Vec<Delta>> {
    let n = store.nodes() as NodeId;
    (0..n)
        .flat_map(|a| digests.iter().map(move |d| (a, d)))
        .map(|(a, d)| candidates(store, a, d.versions()))
        .collect()
}

/// What makes a switch in [`the_switches_keep_values_and_answers`], at
/// node 3.
#[derive(Copy, Clone, Debug)]
enum Switch {
    /// An in-order delta from origin 5 at this version.
    Delta(u64),
    /// Node 3 writes until its own version is this.
    WritesTo(u64),
    /// Node 3 crashes with its state lost.
    Crash,
}

/// Paths up the ladder: each step, and the width after it (worked out by
/// hand: the smallest of 8, 16, 32, 64 bits holding every version so far;
/// 64 after a lost-state crash).
const PATHS: [&[(Switch, u32)]; 7] = [
    &[
        (Switch::Delta(300), 16),
        (Switch::Delta(70_000), 32),
        (Switch::Delta((1 << 32) + 2), 64),
    ],
    &[
        (Switch::WritesTo(255), 8),
        (Switch::WritesTo(256), 16),
        (Switch::Crash, 64),
    ],
    &[
        (Switch::Delta(70_000), 32),
        (Switch::Delta(300), 32),
        (Switch::Crash, 64),
    ],
    &[(Switch::Delta((1 << 32) + 2), 64)],
    &[(Switch::Crash, 64)],
    &[
        (Switch::Delta(255), 8),
        (Switch::Delta(65_535), 16),
        (Switch::Delta(65_536), 32),
    ],
    &[(Switch::Delta((1 << 32) - 1), 32), (Switch::Delta(1 << 32), 64)],
];

/// The switches up the ladder, made by deltas, writes or a lost-state
/// crash, one step or several at a time: at every step every other
/// vector, and every digest taken before it (at any earlier width), reads
/// the same values after it and keeps its width; `candidates` answers
/// each such digest as before, as it answers the same digest made `u64`,
/// and as a store at `u64` from the start answers; applying those answers
/// reports the same changes in both stores.
#[test]
fn the_switches_keep_values_and_answers() {
    const N: u32 = 131; // two whole blocks at `u8` and a tail
    for path in PATHS {
        for keys in [1, 3] {
            let mut ladder = Store::new(N, keys);
            let mut twin = wide(N, keys);
            for store in [&mut ladder, &mut twin] {
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
            // Digests of every step so far (from both stores), with the
            // width each was taken at.
            let mut held: Vec<(Digest, Digest, u32)> = Vec::new();
            let mut width = 8;
            for &(switch, after) in path {
                assert_eq!(bits(&ladder), width);
                held.extend((0..N).map(|x| (ladder.snapshot(x), twin.snapshot(x), width)));
                let vectors: Vec<Vec<u64>> = (0..N).map(|x| ladder.version_vector(x).to_vec()).collect();
                let (digests, twin_digests): (Vec<Digest>, Vec<Digest>) =
                    held.iter().map(|(d, t, _)| (d.clone(), t.clone())).unzip();
                let before = answers(&ladder, &digests);
                assert_eq!(before, answers(&twin, &twin_digests));

                let make = |s: &mut Store| match switch {
                    Switch::Crash => traced(s, 3, |s, c| s.crash(c, true)).1,
                    Switch::Delta(v) => traced(s, 3, |s, c| s.apply(c, &[delta(5, v)], true, |_| {})).1,
                    Switch::WritesTo(v) => {
                        let mut changes = Vec::new();
                        while s.version_vector(3).get(3).unwrap() < v {
                            changes.extend(traced(s, 3, |s, c| s.write(c, 0)).1);
                        }
                        changes
                    }
                };
                let at = format!("{switch:?} keys {keys}");
                assert_eq!(make(&mut ladder), make(&mut twin), "{at}");
                assert_eq!(bits(&ladder), after, "{at}");
                width = after;
                for x in 0..N {
                    if x != 3 {
                        assert_eq!(ladder.version_vector(x), vectors[x as usize][..], "{at} node {x}");
                    }
                    assert_eq!(ladder.version_vector(x), twin.version_vector(x), "{at} node {x}");
                }
                for (d, t, taken) in &held {
                    assert_eq!(d.versions().bits(), *taken, "{at}: a digest keeps its width");
                    assert_eq!(d, t, "{at}");
                }
                let after = answers(&ladder, &digests);
                for (pair, (a, b)) in after.iter().zip(&before).enumerate() {
                    if pair / digests.len() != 3 {
                        assert_eq!(a, b, "{at} pair {pair}");
                    }
                }
                let made_wide: Vec<Digest> = digests.iter().map(|d| Digest::from(d.to_vec())).collect();
                assert_eq!(after, answers(&ladder, &made_wide), "{at}");
                assert_eq!(after, answers(&twin, &twin_digests), "{at}");

                let last = &held[held.len() - N as usize..];
                for node in 0..N {
                    let from = (node + 3) % N;
                    let (d, t, _) = &last[node as usize];
                    let deltas = candidates(&ladder, from, d.versions());
                    assert_eq!(deltas, candidates(&twin, from, t.versions()), "{at}");
                    let (mut fresh_a, mut fresh_b) = (Vec::new(), Vec::new());
                    let (_, a) = traced(&mut ladder, node, |s, c| {
                        s.apply(c, &deltas, true, |d| fresh_a.push(*d))
                    });
                    let (_, b) = traced(&mut twin, node, |s, c| {
                        s.apply(c, &deltas, true, |d| fresh_b.push(*d))
                    });
                    assert_eq!((a, fresh_a), (b, fresh_b), "{at} node {node}");
                }
                for x in 0..N {
                    assert_eq!(ladder.version_vector(x), twin.version_vector(x), "{at} node {x}");
                }
            }
        }
    }
}

/// A switch converts each vector once: nodes next to each other that
/// share a vector still share one after every step (0–3 and 5–9 here, on
/// either side of node 4, which has its own), and a vector is dropped
/// once converted unless a digest holds it (then the digest is its only
/// holder).
#[test]
fn switches_keep_shared_vectors_shared_and_drop_the_rest() {
    let mut store = Store::new(10, 1);
    at(&mut store, 4, |s, c| s.write(c, 0));
    let mut kept = Vec::new();
    for (switch, width) in [(Some(300), 16), (Some(70_000), 32), (None, 64)] {
        let (zeros, fourth) = (store.snapshot(6), store.snapshot(4));
        // Nodes 0-9 but 4 share the zeros at first; once converted, 0-3
        // share one copy and 5-9 another.
        let sharing = if width == 16 { 9 } else { 5 };
        assert_eq!((holders(&zeros), holders(&fourth)), (sharing + 1, 2));
        match switch {
            Some(version) => at(&mut store, 4, |s, c| {
                s.apply(c, &[delta(2, version)], true, |_| {})
            }),
            None => at(&mut store, 4, |s, c| s.crash(c, true)),
        }
        assert_eq!(bits(&store), width);
        assert_eq!(
            (holders(&zeros), holders(&fourth)),
            (1, 1),
            "{width}: the digests alone hold the old vectors"
        );
        let ptrs: Vec<*const u8> = (0..10).map(|x| ptr(store.version_vector(x))).collect();
        assert!(ptrs[..4].iter().all(|&p| p == ptrs[0]), "{width}: 0-3 share");
        assert!(ptrs[5..].iter().all(|&p| p == ptrs[5]), "{width}: 5-9 share");
        assert!(ptrs[4] != ptrs[0] && ptrs[4] != ptrs[5], "{width}: 4 has its own");
        assert_eq!(store.version_vector(0), [0u64; 10]);
        assert_eq!(store.version_vector(9), [0u64; 10]);
        kept.push((zeros, fourth, store.version_vector(4).to_vec()));
    }
    let widths: Vec<(u32, u32)> = kept
        .iter()
        .map(|(z, f, _)| (z.versions().bits(), f.versions().bits()))
        .collect();
    assert_eq!(widths, [(8, 8), (16, 16), (32, 32)]);
    let fourths: Vec<Vec<u64>> = kept.iter().map(|(_, f, _)| f.to_vec()).collect();
    let mut want = vec![0; 10];
    want[4] = 1;
    assert_eq!(fourths[0], want);
    assert_eq!(fourths[1], kept[0].2);
    assert_eq!(fourths[2], kept[1].2);
    assert!(kept.iter().all(|(z, _, _)| z.versions() == [0u64; 10]));
}

/// A store starting at `u8` and a store at `u64` from the start, given the
/// same random writes (single, and bursts past 255), exchanges (in order,
/// and out of order as rumors, against fresh digests and digests held
/// across switches), crashes with and without lost state and deltas
/// carrying versions past 255, 65,535 and 2^32, report the same changes,
/// call `fresh` for the same deltas and hold the same vectors, at every
/// step of the ladder. After every step the width is the smallest holding
/// every version the store was given (64 bits after a lost-state crash),
/// tracked here by hand.
#[test]
fn ladder_and_wide_stores_agree() {
    let mut ends = BTreeMap::<u32, u32>::new();
    let mut mixed = 0;
    for seed in 0..60 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let nodes = rng.random_range(2..40u32);
        let keys = rng.random_range(1..4u32);
        let wild_from = if seed % 4 == 0 {
            usize::MAX
        } else {
            rng.random_range(0..300)
        };
        // Bursts only in some seeds, so that others stay at `u8`; no
        // version of 2^32 or more in some, so that they stop at `u32`.
        let bursts = seed % 3 == 1;
        let below_u64 = seed % 5 == 2;
        let mut ladder = Store::new(nodes, keys);
        let mut twin = wide(nodes, keys);
        let mut need = 8;
        // (node, digest from the ladder store, digest from the twin)
        let mut held: Vec<(NodeId, Digest, Digest)> = Vec::new();
        for step in 0..300 {
            let node = rng.random_range(0..nodes);
            let wild = step >= wild_from;
            let at = format!("seed {seed} step {step}");
            let (a, b) = match rng.random_range(0..100) {
                0..35 => {
                    let key = rng.random_range(0..keys);
                    let a = traced(&mut ladder, node, |s, c| s.write(c, key));
                    let b = traced(&mut twin, node, |s, c| s.write(c, key));
                    need = need.max(holds(b.0));
                    ((a.1, Vec::new()), (b.1, Vec::new()))
                }
                35..70 => {
                    let from = rng.random_range(0..nodes);
                    let (da, db) = if !held.is_empty() && rng.random_bool(0.5) {
                        let (_, da, db) = &held[rng.random_range(0..held.len())];
                        (da.clone(), db.clone())
                    } else {
                        (ladder.snapshot(node), twin.snapshot(node))
                    };
                    assert_eq!(da, db);
                    mixed += usize::from(da.versions().bits() != bits(&ladder));
                    let mut deltas = candidates(&ladder, from, da.versions());
                    assert_eq!(deltas, candidates(&twin, from, db.versions()), "{at}");
                    let in_order = rng.random_bool(0.5);
                    if !in_order {
                        deltas.retain(|_| rng.random_bool(0.7));
                        for i in (1..deltas.len()).rev() {
                            deltas.swap(i, rng.random_range(0..=i));
                        }
                    }
                    need = deltas.iter().fold(need, |need, d| need.max(holds(d.version)));
                    let mut fa = Vec::new();
                    let mut fb = Vec::new();
                    let a = traced(&mut ladder, node, |s, c| {
                        s.apply(c, &deltas, in_order, |d| fa.push(*d))
                    });
                    let b = traced(&mut twin, node, |s, c| {
                        s.apply(c, &deltas, in_order, |d| fb.push(*d))
                    });
                    ((a.1, fa), (b.1, fb))
                }
                70..85 => {
                    held.push((node, ladder.snapshot(node), twin.snapshot(node)));
                    if held.len() > 6 {
                        held.remove(rng.random_range(0..held.len()));
                    }
                    continue;
                }
                85..90 => {
                    let lost = wild && !below_u64 && rng.random_bool(0.5);
                    let a = traced(&mut ladder, node, |s, c| s.crash(c, lost));
                    let b = traced(&mut twin, node, |s, c| s.crash(c, lost));
                    if lost {
                        need = 64;
                    }
                    ((a.1, Vec::new()), (b.1, Vec::new()))
                }
                90..93 if wild => {
                    let version = match rng.random_range(0..4) {
                        0 => rng.random_range(200..300),
                        1 => rng.random_range(65_000..66_000),
                        // Room left below 2^32 for the origin's own writes.
                        2 => [255, 256, 65_535, 65_536, (1 << 32) - 1000][rng.random_range(0..5)],
                        _ if below_u64 => rng.random_range(1 << 16..1 << 24),
                        _ => (rng.random_range(1..3) << 32) + rng.random_range(0..4),
                    };
                    let big = Delta {
                        origin: rng.random_range(0..nodes),
                        key: rng.random_range(0..keys),
                        version,
                    };
                    need = need.max(holds(version));
                    let in_order = rng.random_bool(0.5);
                    let mut fa = Vec::new();
                    let mut fb = Vec::new();
                    let a = traced(&mut ladder, node, |s, c| {
                        s.apply(c, &[big], in_order, |d| fa.push(*d))
                    });
                    let b = traced(&mut twin, node, |s, c| {
                        s.apply(c, &[big], in_order, |d| fb.push(*d))
                    });
                    ((a.1, fa), (b.1, fb))
                }
                93..95 if bursts => {
                    let (mut a, mut b) = (Vec::new(), Vec::new());
                    for _ in 0..rng.random_range(100..300) {
                        let key = rng.random_range(0..keys);
                        a.extend(traced(&mut ladder, node, |s, c| s.write(c, key)).1);
                        let (version, changes) = traced(&mut twin, node, |s, c| s.write(c, key));
                        b.extend(changes);
                        need = need.max(holds(version));
                    }
                    ((a, Vec::new()), (b, Vec::new()))
                }
                _ => continue,
            };
            assert_eq!(a, b, "{at}");
            assert_eq!(bits(&ladder), need, "{at}");
            for x in 0..nodes {
                assert_eq!(ladder.version_vector(x), twin.version_vector(x), "{at}");
                for origin in 0..nodes {
                    for key in 0..keys {
                        assert_eq!(
                            ladder.key_version(x, origin, key),
                            twin.key_version(x, origin, key),
                            "{at}"
                        );
                    }
                }
            }
        }
        *ends.entry(bits(&ladder)).or_default() += 1;
    }
    assert!(
        ends.len() == 4 && ends.values().all(|&seeds| seeds >= 5),
        "seeds ending at each width: {ends:?}"
    );
    assert!(mixed > 100, "scans with a digest of another width: {mixed}");
}

/// An in-order apply with one key per origin, against a plain model: each
/// delta newer than the entry is fresh and raises the entry to its
/// version; the changes are reported in order, one per run of changes of
/// the same origin. Lists repeat origins, hold stale and equal versions and
/// versions past a byte (so the store switches width mid-way).
#[test]
fn in_order_apply_matches_a_plain_model() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let n = 70u32;
    let mut store = Store::new(n, 1);
    let mut model: Vec<Vec<u64>> = vec![vec![0; n as usize]; n as usize];
    let mut raised = 0;
    for step in 0..3000 {
        let node = rng.random_range(0..n);
        let top = if step < 2000 { 40 } else { 400 };
        let deltas: Vec<Delta> = (0..rng.random_range(0..12))
            .map(|_| delta(rng.random_range(0..n.min(6 + step)), rng.random_range(0..top)))
            .collect();
        let mine = &mut model[node as usize];
        let (mut want_fresh, mut want_changes) = (Vec::new(), Vec::<VersionChange>::new());
        let mut last: Option<NodeId> = None;
        for d in &deltas {
            let entry = &mut mine[d.origin as usize];
            if d.version > *entry {
                want_fresh.push(*d);
                match want_changes.last_mut() {
                    Some(c) if last == Some(d.origin) => c.new = d.version,
                    _ => want_changes.push(VersionChange {
                        origin: d.origin,
                        old: *entry,
                        new: d.version,
                    }),
                }
                last = Some(d.origin);
                *entry = d.version;
            }
        }
        raised += want_changes.len();
        let mut fresh = Vec::new();
        let ((), changes) = traced(&mut store, node, |s, c| {
            s.apply(c, &deltas, true, |d| fresh.push(*d))
        });
        assert_eq!(
            (&fresh, &changes),
            (&want_fresh, &want_changes),
            "step {step}: {deltas:?}"
        );
        assert_eq!(
            store.version_vector(node).to_vec(),
            model[node as usize],
            "step {step}"
        );
    }
    assert_eq!(bits(&store), 16, "the versions passed a byte");
    assert!(raised > 3000, "{raised} changes");
}
