//! Seeded random streams: one master seed, one independent stream per
//! `(component, node)` (determinism rule 3).
//!
//! The algorithms are pinned. Derivation: the 256-bit key is
//! `SHA-256("scuttlesim/rng/v1" || seed as u64 LE)`; ChaCha with 8 rounds
//! ([`rand_chacha::ChaCha8Rng`]) keyed with it, on *stream* number
//! `(component << 32) | node`, yields the 32-byte seed of that stream. The
//! stream itself is xoshiro256++ ([`rand_xoshiro::Xoshiro256PlusPlus`]):
//! 32 bytes of state instead of ChaCha's ~300, which keeps the hot per-node
//! streams of a 100,000-node run in cache (see docs/PERFORMANCE.md); its
//! statistical quality is ample for simulation. So every stream is a fixed
//! function of `(seed, component, node)`: adding a fault, a node or a draw
//! in one component never shifts the numbers another component sees. Never
//! the thread-local OS-seeded generator, never `StdRng` (its algorithm may change between `rand`
//! versions), never OS entropy.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_xoshiro::Xoshiro256PlusPlus;
use sha2::{Digest, Sha256};

/// The pinned random generator of every stream.
pub type SimRng = Xoshiro256PlusPlus;

/// The components that draw random numbers; the discriminant is part of the
/// stream id, so never renumber an existing variant.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Component {
    /// Initial phase of each node's gossip timer.
    TimerPhase = 1,
    /// Peer selection and other protocol choices of a node.
    Protocol = 2,
    /// Latency of messages sent by a node.
    Latency = 3,
    /// Loss of messages sent by a node.
    Loss = 4,
    /// Write times, keys and values of a node's workload.
    Workload = 5,
    /// Clock offset and drift of a node.
    Clock = 6,
    /// Duplication of messages sent by a node.
    Duplication = 7,
    /// Fault schedule choices (e.g. random partitions); node = fault index.
    Faults = 8,
}

/// Derives every stream of one run from its master seed.
#[derive(Clone, Debug)]
pub struct Streams {
    key: [u8; 32],
}

impl Streams {
    /// Streams for master seed `seed`.
    pub fn new(seed: u64) -> Streams {
        let mut h = Sha256::new();
        h.update(b"scuttlesim/rng/v1");
        h.update(seed.to_le_bytes());
        Streams {
            key: h.finalize().into(),
        }
    }

    /// The stream of `component` for `node` (or for an index within the component).
    pub fn stream(&self, component: Component, node: u32) -> SimRng {
        Xoshiro256PlusPlus::from_seed(self.seed(component as u32, node))
    }

    /// The key as ChaCha's eight little-endian words.
    fn key_words(&self) -> [u32; 8] {
        std::array::from_fn(|w| {
            u32::from_le_bytes(self.key[4 * w..4 * w + 4].try_into().expect("four bytes"))
        })
    }

    /// The seed of the stream of `component` for `node`.
    fn seed(&self, component: u32, node: u32) -> [u8; 32] {
        let mut chacha = ChaCha8Rng::from_seed(self.key);
        chacha.set_stream((u64::from(component) << 32) | u64::from(node));
        let mut seed = [0u8; 32];
        chacha.fill(&mut seed[..]);
        seed
    }

    /// The streams of `component` for nodes `0..nodes`, in order (the
    /// same as [`Streams::stream`] for each, derived faster).
    pub fn each_node(&self, component: Component, nodes: u32) -> EachNode {
        EachNode {
            streams: self.clone(),
            component: component as u32,
            next: 0,
            end: nodes,
            seeds: [[0; 32]; LANES],
            left: 0,
        }
    }
}

/// The streams of one component for nodes `0, 1, ..`, in order: each equal
/// to [`Streams::stream`] of that node, derived [`LANES`] at a time.
///
/// [`Streams::stream`] builds a ChaCha8 generator per stream and runs four
/// blocks to take 32 bytes of the first; a 100,000-node run derives
/// 300,000 streams or more at its start. This computes only each stream's
/// first block, for [`LANES`] nodes side by side in one vector register
/// per ChaCha word ([`crate::simd::chacha8_block0_x4`]).
#[derive(Clone, Debug)]
pub struct EachNode {
    streams: Streams,
    component: u32,
    next: u32,
    end: u32,
    seeds: [[u8; 32]; LANES],
    /// Seeds of `seeds` not yet handed out: `seeds[LANES - left..]`.
    left: usize,
}

/// Streams [`EachNode`] derives at once.
pub const LANES: usize = 4;

impl EachNode {
    /// Derives the seeds of nodes `next..next + LANES` (those below `end`
    /// are used), each what [`Streams::seed`] gives.
    fn refill(&mut self) {
        let nodes: [u32; LANES] = std::array::from_fn(|l| self.next.wrapping_add(l as u32));
        self.seeds = match crate::simd::chacha8_block0_x4(&self.streams.key_words(), nodes, self.component) {
            Some(words) => words.map(|words| {
                let mut seed = [0u8; 32];
                for (bytes, w) in seed.chunks_exact_mut(4).zip(words) {
                    bytes.copy_from_slice(&w.to_le_bytes());
                }
                seed
            }),
            None => self.scalar_seeds(nodes),
        };
        self.left = LANES;
    }

    /// The seeds of `nodes` one by one, as [`Streams::stream`] derives
    /// them: [`EachNode::refill`]'s way off x86-64.
    fn scalar_seeds(&self, nodes: [u32; LANES]) -> [[u8; 32]; LANES] {
        nodes.map(|node| self.streams.seed(self.component, node))
    }
}

impl Iterator for EachNode {
    type Item = SimRng;

    #[inline]
    fn next(&mut self) -> Option<SimRng> {
        if self.next >= self.end {
            return None;
        }
        if self.left == 0 {
            self.refill();
        }
        let seed = self.seeds[LANES - self.left];
        self.left -= 1;
        self.next += 1;
        Some(Xoshiro256PlusPlus::from_seed(seed))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.end - self.next) as usize;
        (n, Some(n))
    }
}

impl ExactSizeIterator for EachNode {}

/// A uniform draw from `low..=high`: the number `rng.random_range(low..=high)`
/// gives (rand 0.9's method without its `unbiased` feature, which this
/// crate leaves off: one widening multiply, and a second draw only when
/// the first lands in the biased part), written out so that it inlines
/// into the run loop, where the latency of every message is drawn. The
/// test `uniform_draws_equal_rand_random_range` would catch a change.
///
/// # Panics
/// If `low > high`.
#[inline(always)]
pub fn uniform_u64(rng: &mut SimRng, low: u64, high: u64) -> u64 {
    assert!(low <= high, "cannot sample empty range");
    let range = high.wrapping_sub(low).wrapping_add(1);
    if range == 0 {
        return rng.next_u64();
    }
    let wide = u128::from(rng.next_u64()) * u128::from(range);
    let (mut result, low_order) = ((wide >> 64) as u64, wide as u64);
    if low_order > range.wrapping_neg() {
        let next = ((u128::from(rng.next_u64()) * u128::from(range)) >> 64) as u64;
        result += u64::from(low_order.checked_add(next).is_none());
    }
    low.wrapping_add(result)
}

/// A uniform draw from `0..n`: the number `rng.random_range(0..n)` gives
/// (see [`uniform_u64`]; 32-bit draws).
///
/// # Panics
/// If `n` is 0.
#[inline(always)]
pub fn below_u32(rng: &mut SimRng, n: u32) -> u32 {
    assert!(n > 0, "cannot sample empty range");
    let range = n; // `0..=n - 1` holds `n` values
    let wide = u64::from(rng.next_u32()) * u64::from(range);
    let (mut result, low_order) = ((wide >> 32) as u32, wide as u32);
    if low_order > range.wrapping_neg() {
        let next = ((u64::from(rng.next_u32()) * u64::from(range)) >> 32) as u32;
        result += u32::from(low_order.checked_add(next).is_none());
    }
    result
}

/// A uniform `f64` in `[0, 1)`.
pub fn unit(rng: &mut SimRng) -> f64 {
    rng.random::<f64>()
}

/// `true` with probability `p` (`p <= 0` never draws and is always false, so a
/// zero probability consumes nothing from the stream).
pub fn chance(rng: &mut SimRng, p: f64) -> bool {
    if p <= 0.0 {
        return false;
    }
    if p >= 1.0 {
        return true;
    }
    unit(rng) < p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_inputs_same_stream() {
        let s = Streams::new(42);
        let a: Vec<u64> = (0..8)
            .map({
                let mut r = s.stream(Component::Latency, 7);
                move |_| r.random()
            })
            .collect();
        let b: Vec<u64> = (0..8)
            .map({
                let mut r = Streams::new(42).stream(Component::Latency, 7);
                move |_| r.random()
            })
            .collect();
        assert_eq!(a, b);
    }

    #[test]
    fn streams_differ_by_seed_component_and_node() {
        let first = |seed, c, n| -> u64 { Streams::new(seed).stream(c, n).random() };
        let base = first(1, Component::Latency, 0);
        assert_ne!(base, first(2, Component::Latency, 0));
        assert_ne!(base, first(1, Component::Loss, 0));
        assert_ne!(base, first(1, Component::Latency, 1));
    }

    #[test]
    fn each_node_equals_stream_by_stream() {
        // The batched derivation against `rand_chacha` itself (through
        // `stream`), for counts around the lane width and three components.
        for seed in [0, 1, u64::MAX] {
            let s = Streams::new(seed);
            for c in [Component::TimerPhase, Component::Latency, Component::Faults] {
                for n in [0, 1, LANES as u32 - 1, LANES as u32, 3 * LANES as u32 + 5, 100] {
                    let batched: Vec<SimRng> = s.each_node(c, n).collect();
                    let single: Vec<SimRng> = (0..n).map(|i| s.stream(c, i)).collect();
                    assert_eq!(batched, single, "seed {seed}, {c:?}, {n} nodes");
                    assert_eq!(s.each_node(c, n).len(), n as usize);
                }
            }
        }
    }

    #[test]
    fn each_node_reaches_the_last_node_id() {
        // Nodes near `u32::MAX` (a node count validation never allows, but
        // the lanes past the end wrap there): started before any seed is
        // derived (`left` is 0), so the first refill begins at `next`.
        let s = Streams::new(5);
        let mut it = s.each_node(Component::Protocol, u32::MAX);
        assert_eq!(it.left, 0);
        it.next = u32::MAX - 11;
        let batched: Vec<SimRng> = it.collect();
        let single: Vec<SimRng> = (u32::MAX - 11..u32::MAX)
            .map(|i| s.stream(Component::Protocol, i))
            .collect();
        assert_eq!(batched, single);
    }

    #[test]
    fn scalar_seeds_equal_the_vector_ones() {
        // The fallback off x86-64 (there the vector path is missing, and
        // `each_node_equals_stream_by_stream` checks the fallback itself).
        let s = Streams::new(21);
        for c in [Component::Protocol, Component::Clock] {
            let mut it = s.each_node(c, 64);
            for first in (0..64).step_by(LANES) {
                let nodes: [u32; LANES] = std::array::from_fn(|l| first + l as u32);
                if let Some(words) = crate::simd::chacha8_block0_x4(&s.key_words(), nodes, c as u32) {
                    let vector: Vec<u8> = words.iter().flatten().flat_map(|w| w.to_le_bytes()).collect();
                    assert_eq!(it.scalar_seeds(nodes).concat(), vector, "{c:?} from node {first}");
                }
                it.next += LANES as u32;
            }
        }
    }

    #[test]
    fn uniform_draws_equal_rand_random_range() {
        // Against `rand` itself, over ranges of every size: tiny, around
        // powers of two, and wide ones where the second draw is frequent.
        let s = Streams::new(13);
        let wide = [
            (0, 0),
            (7, 7),
            (0, 1),
            (10_000_000, 50_000_000),
            (0, u64::MAX),
            (1, u64::MAX),
        ];
        let mut ranges: Vec<(u64, u64)> = wide.to_vec();
        for bits in [1, 2, 31, 32, 33, 62, 63] {
            let top = 1u64 << bits;
            ranges.extend([(0, top - 1), (0, top), (5, top + 5), (u64::MAX - top, u64::MAX)]);
        }
        ranges.push((0, (1 << 63) + (1 << 62)));
        for (i, &(low, high)) in ranges.iter().enumerate() {
            let (mut a, mut b) = (
                s.stream(Component::Latency, i as u32),
                s.stream(Component::Latency, i as u32),
            );
            for _ in 0..2_000 {
                assert_eq!(
                    uniform_u64(&mut a, low, high),
                    b.random_range(low..=high),
                    "{low}..={high}"
                );
            }
            assert_eq!(a, b, "{low}..={high}: the same draws taken");
        }
        for (i, n) in [1u32, 2, 3, 999, 1 << 31, (1 << 31) + 1, 3 << 30, u32::MAX]
            .into_iter()
            .enumerate()
        {
            let (mut a, mut b) = (
                s.stream(Component::Protocol, i as u32),
                s.stream(Component::Protocol, i as u32),
            );
            for _ in 0..2_000 {
                assert_eq!(below_u32(&mut a, n), b.random_range(0..n), "0..{n}");
            }
            assert_eq!(a, b, "0..{n}: the same draws taken");
        }
    }

    #[test]
    fn zero_chance_draws_nothing() {
        let s = Streams::new(3);
        let mut a = s.stream(Component::Loss, 0);
        let mut b = s.stream(Component::Loss, 0);
        assert!(!chance(&mut a, 0.0));
        assert_eq!(a.random::<u64>(), b.random::<u64>());
    }

    #[test]
    fn chance_frequency_is_close_to_p() {
        // 100k Bernoulli(0.3) draws: sd = sqrt(0.21/1e5) = 0.00145; 0.01 is ~7 sd.
        let mut r = Streams::new(9).stream(Component::Loss, 0);
        let hits = (0..100_000).filter(|_| chance(&mut r, 0.3)).count();
        let f = hits as f64 / 100_000.0;
        assert!((f - 0.3).abs() < 0.01, "{f}");
    }
}
