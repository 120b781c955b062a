//! How far each write has spread, and when: for every write, the first time
//! the number of nodes holding it reached each of `R = min(N, 100)` levels
//! (level `j` = `ceil(j·N/R)` nodes, so every node count when `N ≤ 100`,
//! every whole percent otherwise). That is O(writes) memory, not
//! O(writes × N), and still gives the exact time to 50 / 90 / 99 / 100 % of
//! the nodes (those counts are levels) and the informed-fraction curve at
//! `1/R` resolution.
//!
//! A write's informed count can fall (a lost-state restart forgets it); the
//! levels record the *first* time each count was reached, so the curve is
//! the fraction of nodes that have held the write, never decreasing.
//!
//! **Stored as gaps.** The levels are reached in order, each at a time no
//! earlier than the one before, so each is kept as 4 bytes: the time since
//! the level before (the write itself for the first), exact in ns up to
//! about 4.3 s, the rare longer gap kept whole apart. That is half the
//! memory of a time per level, which a run must first touch (and the
//! kernel zero): 400 bytes per write at 100 levels.

use std::collections::BTreeMap;

use super::{Held, WriteStat};

/// First-crossing times of every write, in the order the writes were made
/// (indexed like the collector's `held`).
#[derive(Clone, Debug)]
pub(crate) struct Spread {
    nodes: u32,
    levels: u32,
    /// `need[j - 1]`: nodes that make level `j`; `need[levels]` is
    /// `u32::MAX` (no level above the last).
    need: Vec<u32>,
    /// `levels` slots per write: 0 while the level is not reached, else 1 +
    /// the time (ns) from the write's level before (from the write, for
    /// the first level) to it; [`FAR`] where that does not fit, the time
    /// then in `far`.
    gaps: Vec<u32>,
    /// Per write: when it reached its highest level so far (ns; when it was
    /// made, before its first).
    last: Vec<u64>,
    /// Per write: levels reached so far (at most [`MAX_LEVELS`]).
    level: Vec<u8>,
    /// The times (ns) of the slots of `gaps` marked [`FAR`], by slot.
    far: BTreeMap<usize, u64>,
}

/// A slot of [`Spread::gaps`] whose time is kept whole in [`Spread::far`].
const FAR: u32 = u32::MAX;

/// Most levels kept per write.
pub const MAX_LEVELS: u32 = 100;

// A write's level count is kept in a byte.
const _: () = assert!(MAX_LEVELS <= u8::MAX as u32);

impl Spread {
    pub(crate) fn new(nodes: u32) -> Spread {
        let levels = nodes.clamp(1, MAX_LEVELS);
        Spread {
            nodes,
            levels,
            need: (1..=levels)
                .map(|j| level_nodes(j, nodes, levels))
                .chain([u32::MAX])
                .collect(),
            gaps: Vec::new(),
            last: Vec::new(),
            level: Vec::new(),
            far: BTreeMap::new(),
        }
    }

    pub(crate) fn levels(&self) -> u32 {
        self.levels
    }

    /// Makes room for `writes` more writes.
    pub(crate) fn reserve(&mut self, writes: usize) {
        self.gaps.reserve(writes.saturating_mul(self.levels as usize));
        self.last.reserve(writes);
        self.level.reserve(writes);
    }

    /// A new write (after every earlier one), made at `t` (ns): its
    /// counters, held by no node yet.
    pub(crate) fn write(&mut self, t: u64) -> Held {
        self.gaps.resize(self.gaps.len() + self.levels as usize, 0);
        self.last.push(t);
        self.level.push(0);
        Held {
            informed: 0,
            need: self.need[0],
        }
    }

    /// Write `w`, made `id`-th, is now held by `w.need` nodes or more (the
    /// caller checks), at `t`: records the levels that makes and sets
    /// `w.need` to the next one's. Levels are only passed upwards and each
    /// needs more nodes than every count before it, so a count that makes
    /// one is the most nodes that ever held the write.
    #[inline(always)]
    pub(crate) fn raised(&mut self, id: usize, w: &mut Held, t: u64) {
        let r = self.levels as usize;
        let mut level = usize::from(self.level[id]);
        debug_assert!(w.need == self.need[level], "the counters are the write's");
        debug_assert!(w.informed >= w.need, "a level is made");
        let last = self.last[id];
        self.last[id] = t;
        // The first level made is `t` after the one before; any others, all
        // made at `t` too, 0 after theirs.
        let mut code = if t >= last && t - last < u64::from(FAR - 1) {
            (t - last) as u32 + 1
        } else {
            self.far(id * r + level, t)
        };
        while w.informed >= self.need[level] {
            self.gaps[id * r + level] = code;
            code = 1;
            level += 1;
        }
        // At most `levels`, which is at most `MAX_LEVELS`.
        self.level[id] = level as u8;
        w.need = self.need[level];
    }

    /// Keeps the time `t` of `slot` whole (its gap does not fit) and
    /// returns the mark for it. Out of line: the collector's loop over
    /// `version` records, into which [`Spread::raised`] is inlined, stays
    /// small.
    #[cold]
    #[inline(never)]
    fn far(&mut self, slot: usize, t: u64) -> u32 {
        self.far.insert(slot, t);
        FAR
    }

    /// When every node first held the `id`-th write made (the last level),
    /// if one did.
    pub(crate) fn full_at(&self, id: usize) -> Option<u64> {
        let r = self.levels as usize;
        (self.gaps[id * r + r - 1] != 0).then_some(self.last[id])
    }

    /// When the `id`-th write made reached a level at all (its highest so
    /// far), if it did.
    fn last_at(&self, id: usize) -> Option<u64> {
        let r = self.levels as usize;
        (self.gaps[id * r] != 0).then_some(self.last[id])
    }

    /// The first-crossing times (absolute ns) of the `id`-th write made,
    /// made at `written`: one per level reached, lowest first (the levels
    /// after the last one given are not reached).
    pub(crate) fn times(&self, id: usize, written: u64) -> impl Iterator<Item = u64> + '_ {
        let r = self.levels as usize;
        // The levels reached are the first `level[id]` (each slot of them
        // nonzero, the rest zero).
        let from = id * r;
        let mut at = written;
        self.gaps[from..from + usize::from(self.level[id])]
            .iter()
            .enumerate()
            .map(move |(l, &gap)| {
                at = match gap {
                    FAR => self.far[&(from + l)],
                    gap => at + u64::from(gap - 1),
                };
                at
            })
    }
}

/// Nodes needed for level `j` (1-based) of `levels` among `nodes`:
/// `ceil(j·nodes/levels)`.
pub fn level_nodes(j: u32, nodes: u32, levels: u32) -> u32 {
    ((j as u64 * nodes as u64).div_ceil(levels as u64)) as u32
}

/// The percentages of nodes `writes.csv` reports the time to.
pub const THRESHOLDS_PERCENT: [u32; 4] = [50, 90, 99, 100];

/// One write and how far it spread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteRow {
    /// The writer.
    pub origin: u32,
    /// The key written.
    pub key: u32,
    /// The write's version.
    pub version: u64,
    /// True time of the write (ns).
    pub t_ns: u64,
    /// Most nodes that held it at once (the writer included).
    pub reached: u32,
    /// Time from the write until at least `ceil(p/100 · N)` nodes held it,
    /// for each `p` of [`THRESHOLDS_PERCENT`]; `None`: not by the end.
    pub to_percent_ns: [Option<u64>; 4],
}

/// One point of the informed-fraction curve, over the writes observed at
/// that time since their write.
#[derive(Clone, Debug, PartialEq)]
pub struct InformedPoint {
    /// Time since the write (ns).
    pub since_ns: u64,
    /// Writes observed this long after they were made: made at least
    /// `since_ns` before the end of the run, or already held by every node.
    pub writes: u64,
    /// Mean over those writes of the fraction of nodes that had held the write.
    pub mean: f64,
    /// 10th percentile (nearest rank).
    pub p10: f64,
    /// Median (nearest rank).
    pub p50: f64,
    /// 90th percentile (nearest rank).
    pub p90: f64,
}

/// Roughly this many grid steps cover the slowest write's spread.
const GRID_STEPS: u64 = 200;

/// The smallest 1, 2 or 5 × 10^k (ns) that is at least `x`.
fn nice_step(x: u64) -> u64 {
    let mut p = 1u64;
    loop {
        for m in [1, 2, 5] {
            if m * p >= x {
                return m * p;
            }
        }
        p *= 10;
    }
}

impl Spread {
    /// Write rows, given every origin's writes, their ids (the order they
    /// were made) and how far each spread (`reached(o, i)`: the most nodes
    /// that held write number `i` of origin `o` at once).
    pub(crate) fn rows(
        &self,
        writes: &[Vec<WriteStat>],
        ids: &[Vec<u32>],
        reached: impl Fn(usize, usize) -> u32,
    ) -> Vec<WriteRow> {
        let level_of = |p: u32| {
            let need = (p as u64 * self.nodes as u64).div_ceil(100) as u32;
            (1..=self.levels)
                .find(|&j| level_nodes(j, self.nodes, self.levels) >= need)
                .unwrap_or(self.levels)
        };
        let levels = THRESHOLDS_PERCENT.map(level_of);
        let mut rows = Vec::new();
        let mut at = [0; MAX_LEVELS as usize];
        for (o, (list, ids)) in writes.iter().zip(ids).enumerate() {
            for (i, (w, &id)) in list.iter().zip(ids).enumerate() {
                let mut reached_levels = 0;
                for (slot, t) in at.iter_mut().zip(self.times(id as usize, w.time)) {
                    *slot = t;
                    reached_levels += 1;
                }
                rows.push(WriteRow {
                    origin: o as u32,
                    key: w.key,
                    version: w.version,
                    t_ns: w.time,
                    reached: reached(o, i),
                    to_percent_ns: levels
                        .map(|j| (j as usize <= reached_levels).then(|| at[j as usize - 1] - w.time)),
                });
            }
        }
        // Unique keys (an origin's versions differ): any sort gives this order.
        rows.sort_unstable_by_key(|r| (r.t_ns, r.origin, r.version));
        rows
    }

    /// The informed-fraction curve of every write against time since the
    /// write, on a grid of about [`GRID_STEPS`] steps of 1, 2 or 5 × 10^k ns
    /// reaching 5 % past the slowest spread; `end_ns` is when the run ended.
    /// `ids`: every origin's write ids, as in [`Spread::rows`].
    pub(crate) fn curve(
        &self,
        writes: &[Vec<WriteStat>],
        ids: &[Vec<u32>],
        end_ns: u64,
    ) -> Vec<InformedPoint> {
        let r = self.levels as usize;
        let each = || {
            writes
                .iter()
                .zip(ids)
                .flat_map(|(list, ids)| list.iter().zip(ids).map(|(w, &id)| (w.time, id as usize)))
        };
        let mut any = false;
        let mut horizon = 0u64;
        for (t, id) in each() {
            any = true;
            if let Some(a) = self.last_at(id) {
                horizon = horizon.max(a - t);
            }
        }
        if !any {
            return Vec::new();
        }
        let step = nice_step(horizon.max(1).div_ceil(GRID_STEPS));
        let points = (horizon + horizon / 20).div_ceil(step) as usize + 1;
        // A write is counted at grid point `i` (time `i · step` since it was
        // made) while the run saw it that long — made at least that long
        // before the end — or once every node has held it; it is then at
        // the levels it had reached by that time. `delta[i * (r + 1) + l]`
        // gains one at the point from which a write counts at level `l`
        // (exactly) and loses it at the point from which it no longer
        // does: its running sum over `i` is the writes at level `l`.
        let stride = r + 1;
        let mut delta = vec![0i64; (points + 1) * stride];
        // Divided by a multiplication: a division per level per write was
        // most of this function's time.
        let by_step = Divisor::new(step);
        let point_of = |since: u64| by_step.div_ceil(since).min(points as u64) as usize;
        for (t, id) in each() {
            // The first point past the time the run saw the write for ...
            let seen = by_step.div(end_ns.saturating_sub(t)).saturating_add(1);
            let mut cut = seen.min(points as u64) as usize;
            // ... unless every node has held it by then.
            if let Some(full) = self.full_at(id) {
                if point_of(full - t) <= cut {
                    cut = points;
                }
            }
            // The write is at `level` from point `start` on; its times up
            // to `bound` since it was made fall at `start` (a point covers
            // the times after the point before it, up to its own), so only
            // a level reached later moves it to a new point. A level counts
            // only once every level below it does (times fed out of order,
            // which a run never makes, included: they stay at `start`).
            let (mut level, mut start, mut bound) = (0, 0, 0);
            for at in self.times(id, t) {
                let since = at - t;
                if since > bound {
                    let p = point_of(since);
                    if p >= cut {
                        break;
                    }
                    delta[start * stride + level] += 1;
                    delta[p * stride + level] -= 1;
                    (start, bound) = (p, p as u64 * step);
                }
                level += 1;
            }
            delta[start * stride + level] += 1;
            delta[cut * stride + level] -= 1;
        }
        // hist[i * (r + 1) + l]: writes at level l at grid point i.
        let mut hist = vec![0u64; points * stride];
        let mut running = vec![0i64; stride];
        for (row, d) in hist.chunks_exact_mut(stride).zip(delta.chunks_exact(stride)) {
            for ((h, sum), d) in row.iter_mut().zip(&mut running).zip(d) {
                *sum += d;
                *h = *sum as u64;
            }
        }
        self.points(&hist, step)
    }

    /// The curve's points from `hist` (`hist[i * (levels + 1) + l]`: writes
    /// at level `l` at grid point `i`, `i · step` after their write), up to
    /// the first point with no write.
    fn points(&self, hist: &[u64], step: u64) -> Vec<InformedPoint> {
        let r = self.levels as usize;
        let frac = |l: usize| {
            if l == 0 {
                0.0
            } else {
                level_nodes(l as u32, self.nodes, self.levels) as f64 / self.nodes as f64
            }
        };
        let mut out = Vec::new();
        for (i, h) in hist.chunks_exact(r + 1).enumerate() {
            let n: u64 = h.iter().sum();
            if n == 0 {
                break;
            }
            let mean = h
                .iter()
                .enumerate()
                .map(|(l, &c)| c as f64 * frac(l))
                .sum::<f64>()
                / n as f64;
            let pct = |p: u64| {
                let rank = (p * n).div_ceil(100).max(1);
                let mut seen = 0;
                for (l, &c) in h.iter().enumerate() {
                    seen += c;
                    if seen >= rank {
                        return frac(l);
                    }
                }
                frac(r)
            };
            out.push(InformedPoint {
                since_ns: i as u64 * step,
                writes: n,
                mean,
                p10: pct(10),
                p50: pct(50),
                p90: pct(90),
            });
        }
        out
    }
}

/// Division of any `u64` by a fixed divisor `d`, exact, by a multiplication
/// and a correction. With `m = ⌊(2^64 − 1) / d⌋`, `2^64 − d·m ≤ d`, so
/// `x·m / 2^64` falls short of `x / d` by less than `x / 2^64 < 1`: its
/// floor is the quotient or one less, which the remainder tells.
#[derive(Clone, Copy, Debug)]
struct Divisor {
    d: u64,
    m: u64,
}

impl Divisor {
    fn new(d: u64) -> Divisor {
        assert!(d > 0, "a divisor is positive");
        Divisor { d, m: u64::MAX / d }
    }

    /// `⌊x / d⌋`.
    #[inline]
    fn div(self, x: u64) -> u64 {
        let q = ((u128::from(x) * u128::from(self.m)) >> 64) as u64;
        if x - q * self.d >= self.d {
            q + 1
        } else {
            q
        }
    }

    /// `⌈x / d⌉`.
    #[inline]
    fn div_ceil(self, x: u64) -> u64 {
        let q = self.div(x);
        q + u64::from(q * self.d != x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The divisor's quotients are the processor's, for divisors and
    /// dividends at the edges (1, powers of two and their neighbours, the
    /// grid's steps, `u64::MAX`) and at random.
    #[test]
    fn divisor_divides_exactly() {
        use rand::{Rng, SeedableRng};
        let mut edges: Vec<u64> = vec![1, 2, 3, 5, 7, 10, 1_000, 2_000_000, 5_000_000_000, u64::MAX];
        for k in [1u32, 31, 32, 33, 62, 63] {
            edges.extend([(1u64 << k) - 1, 1 << k, (1 << k) + 1]);
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let randoms: Vec<u64> = (0..300)
            .map(|_| (rng.random::<u64>() >> rng.random_range(0..64)).max(1))
            .collect();
        for &d in edges.iter().chain(&randoms) {
            let by = Divisor::new(d);
            for &x in edges
                .iter()
                .chain(&randoms)
                .chain(&[0, d - 1, d, d.wrapping_mul(3)])
            {
                assert_eq!(by.div(x), x / d, "{x} / {d}");
                assert_eq!(by.div_ceil(x), x.div_ceil(d), "{x} / {d} rounded up");
            }
            for x in [d.saturating_mul(12_345), u64::MAX - 1, u64::MAX / d * d] {
                assert_eq!(by.div(x), x / d, "{x} / {d}");
                assert_eq!(by.div_ceil(x), x.div_ceil(d), "{x} / {d} rounded up");
            }
        }
    }

    /// Raises one write's count like the collector does, `(count, t)` at a time.
    fn run(nodes: u32, counts: &[(u32, u64)]) -> (Vec<u64>, u32) {
        let mut s = Spread::new(nodes);
        let (mut w, mut peak) = (s.write(0), 0);
        for &(k, t) in counts {
            while w.informed > k {
                w.fall(&mut peak);
            }
            w.informed = k;
            if w.informed >= w.need {
                s.raised(0, &mut w, t);
            }
        }
        (all_times(&s, 0, 0), w.reached(peak))
    }

    /// The `id`-th write's time at every level, `u64::MAX` where not reached.
    fn all_times(s: &Spread, id: usize, written: u64) -> Vec<u64> {
        let mut at = vec![u64::MAX; s.levels() as usize];
        for (slot, t) in at.iter_mut().zip(s.times(id, written)) {
            *slot = t;
        }
        at
    }

    fn crossings(nodes: u32) -> Vec<u64> {
        let counts: Vec<(u32, u64)> = (1..=nodes).map(|k| (k, k as u64)).collect();
        run(nodes, &counts).0
    }

    #[test]
    fn small_clusters_keep_every_count() {
        // N = 3: levels 1, 2, 3 nodes, reached at "times" 1, 2, 3.
        assert_eq!(crossings(3), vec![1, 2, 3]);
    }

    #[test]
    fn large_clusters_keep_whole_percents() {
        // N = 250: level j needs ceil(2.5 j) nodes: j=1 -> 3, j=2 -> 5,
        // j=50 -> 125, j=99 -> 248 (247.5 rounded up), j=100 -> 250.
        let c = crossings(250);
        assert_eq!(c.len(), 100);
        assert_eq!((c[0], c[1], c[49], c[98], c[99]), (3, 5, 125, 248, 250));
        for j in 1..=100 {
            assert_eq!(c[j - 1], level_nodes(j as u32, 250, 100) as u64);
        }
    }

    #[test]
    fn first_crossing_survives_a_restart() {
        // Held by 1, then 2 nodes; a lost-state restart drops it to 1 and it
        // rises to 2 again later: the first crossings stay.
        let (at, reached) = run(2, &[(1, 10), (2, 20), (1, 50), (2, 90)]);
        assert_eq!((at, reached), (vec![10, 20], 2));
    }

    /// Random walks of one write's count, one node up or down at a time
    /// (restarts make it fall, gossip makes it rise past its old peak):
    /// the levels' times and the most holders match a plain reference that
    /// keeps the maximum and scans every level at every step.
    #[test]
    fn random_walks_match_a_plain_maximum() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
        for nodes in [1, 2, 3, 7, 99, 100, 101, 150, 250, 1000] {
            for _ in 0..100 {
                let mut s = Spread::new(nodes);
                let (mut w, mut peak) = (s.write(0), 0);
                let (mut max, mut times) = (0u32, vec![u64::MAX; s.levels() as usize]);
                for t in 0..3 * nodes as u64 {
                    let up = w.informed == 0 || (w.informed < nodes && rng.random_bool(0.6));
                    if up {
                        w.informed += 1;
                        if w.informed >= w.need {
                            s.raised(0, &mut w, t);
                        }
                    } else {
                        w.fall(&mut peak);
                    }
                    max = max.max(w.informed);
                    for (j, at) in times.iter_mut().enumerate() {
                        if *at == u64::MAX && max >= level_nodes(j as u32 + 1, nodes, s.levels()) {
                            *at = t;
                        }
                    }
                    assert_eq!(w.reached(peak), max, "N = {nodes} at {t}");
                }
                assert_eq!(all_times(&s, 0, 0), times, "N = {nodes}");
            }
        }
    }

    /// Gaps too long for 4 bytes (and gaps of 0) keep their exact times.
    #[test]
    fn long_gaps_keep_exact_times() {
        let mut s = Spread::new(3);
        let long = 1u64 << 40;
        let (mut a, mut b) = (s.write(5), s.write(7));
        for (k, t) in [(1, 5), (2, 5 + long), (3, 5 + long + u64::from(u32::MAX) - 1)] {
            a.informed = k;
            s.raised(0, &mut a, t);
        }
        b.informed = 2;
        s.raised(1, &mut b, 7 + u64::from(u32::MAX) - 2);
        assert_eq!(
            all_times(&s, 0, 5),
            vec![5, 5 + long, 5 + long + u64::from(u32::MAX) - 1]
        );
        assert_eq!(s.full_at(0), Some(5 + long + u64::from(u32::MAX) - 1));
        assert_eq!(
            all_times(&s, 1, 7),
            vec![7 + u64::from(u32::MAX) - 2; 2]
                .into_iter()
                .chain([u64::MAX])
                .collect::<Vec<_>>()
        );
        assert_eq!(s.full_at(1), None);
    }

    /// The informed-fraction curve's counts as first written: every write
    /// walked over every grid point, its times kept whole (`u64::MAX`: not
    /// reached), then made into points as [`Spread::curve`] makes them. The
    /// reference for the counts of [`Spread::curve`].
    fn plain_curve(s: &Spread, each: &[(u64, Vec<u64>)], end_ns: u64) -> Vec<InformedPoint> {
        let r = s.levels() as usize;
        if each.is_empty() {
            return Vec::new();
        }
        let mut horizon = 0u64;
        for (t, at) in each {
            if let Some(a) = at.iter().rev().find(|&&a| a != u64::MAX) {
                horizon = horizon.max(a - t);
            }
        }
        let step = nice_step(horizon.max(1).div_ceil(GRID_STEPS));
        let points = (horizon + horizon / 20).div_ceil(step) as usize + 1;
        let mut hist = vec![0u64; points * (r + 1)];
        for (t, at) in each {
            let window = end_ns.saturating_sub(*t);
            let full = at[r - 1];
            let mut level = 0;
            for i in 0..points {
                let since = i as u64 * step;
                while level < r && at[level] != u64::MAX && at[level] - t <= since {
                    level += 1;
                }
                if since > window && !(full != u64::MAX && full - t <= since) {
                    break;
                }
                hist[i * (r + 1) + level] += 1;
            }
        }
        s.points(&hist, step)
    }

    /// Random writes (some never spreading, some stopping short, some with
    /// gaps too long for 4 bytes, some with a level reached before the one
    /// below it, runs ending before or after them): the
    /// curve equals the plain walk's, point for point.
    #[test]
    fn curve_matches_the_plain_walk() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(29);
        for nodes in [1, 2, 5, 40, 100, 250, 1000] {
            for _ in 0..40 {
                let mut s = Spread::new(nodes);
                let r = s.levels() as usize;
                let (mut writes, mut ids, mut plain) = (
                    vec![Vec::new(), Vec::new()],
                    vec![Vec::new(), Vec::new()],
                    Vec::new(),
                );
                let mut t = 0u64;
                let mut latest = 0u64;
                for id in 0..rng.random_range(0..30usize) {
                    t += rng.random_range(0..3_000_000_000u64);
                    let mut w = s.write(t);
                    let mut at = vec![u64::MAX; r];
                    let reach = if rng.random_bool(0.3) {
                        rng.random_range(0..=r)
                    } else {
                        r
                    };
                    let mut now = t;
                    for (l, slot) in at.iter_mut().enumerate().take(reach) {
                        now = match rng.random_range(0..20) {
                            0 | 1 => now,
                            2 | 3 => now + rng.random_range(4_000_000_000..20_000_000_000u64),
                            // Back in time (after the write): a collector fed
                            // records out of order.
                            4 => rng.random_range(t..=now),
                            _ => now + rng.random_range(0..200_000_000u64),
                        };
                        assert_eq!(w.need, s.need[l], "the counters follow the levels");
                        w.informed = w.need;
                        s.raised(id, &mut w, now);
                        *slot = now;
                    }
                    latest = latest.max(now);
                    let o = rng.random_range(0..2usize);
                    writes[o].push(WriteStat {
                        version: id as u64 + 1,
                        key: 0,
                        value: 0,
                        time: t,
                        timestamp: t,
                    });
                    ids[o].push(id as u32);
                    plain.push((t, at));
                }
                // The plain walk goes origin by origin, like the curve.
                let order: Vec<(u64, Vec<u64>)> = ids
                    .iter()
                    .flatten()
                    .map(|&id| plain[id as usize].clone())
                    .collect();
                for end in [latest, latest + 1_000_000_000, t / 2, 0] {
                    assert_eq!(
                        s.curve(&writes, &ids, end),
                        plain_curve(&s, &order, end),
                        "N = {nodes}, end {end}"
                    );
                }
            }
        }
    }
}
