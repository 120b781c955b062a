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
    /// `levels` slots per write (ns; `u64::MAX`: not reached).
    at: Vec<u64>,
}

/// Most levels kept per write.
pub const MAX_LEVELS: u32 = 100;

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
            at: Vec::new(),
        }
    }

    pub(crate) fn levels(&self) -> u32 {
        self.levels
    }

    /// Makes room for `writes` more writes.
    pub(crate) fn reserve(&mut self, writes: usize) {
        self.at.reserve(writes.saturating_mul(self.levels as usize));
    }

    /// A new write (after every earlier one).
    pub(crate) fn write(&mut self) {
        self.at
            .extend(std::iter::repeat_n(u64::MAX, self.levels as usize));
    }

    /// Nodes a write at `level` levels needs for its next one
    /// (`u32::MAX` after the last).
    #[inline]
    pub(crate) fn next_need(&self, level: u16) -> u32 {
        self.need[level as usize]
    }

    /// Write `w`, made `id`-th, is now held by [`Spread::next_need`] nodes
    /// or more, at `t`: records the levels that makes. Levels are only
    /// passed upwards and each needs more nodes than every count before it,
    /// so a count that makes one is the most nodes that ever held the write.
    pub(crate) fn raised(&mut self, id: usize, w: &mut Held, t: u64) {
        let r = self.levels as usize;
        while w.informed >= self.need[w.level as usize] {
            self.at[id * r + w.level as usize] = t;
            w.level += 1;
        }
    }

    /// When every node first held the `id`-th write made (the last level),
    /// if one did.
    pub(crate) fn full_at(&self, id: usize) -> Option<u64> {
        let t = self.times(id)[self.levels as usize - 1];
        (t != u64::MAX).then_some(t)
    }

    /// The first-crossing times of the `id`-th write made (absolute ns).
    pub(crate) fn times(&self, id: usize) -> &[u64] {
        let r = self.levels as usize;
        &self.at[id * r..(id + 1) * r]
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
        for (o, (list, ids)) in writes.iter().zip(ids).enumerate() {
            for (i, (w, &id)) in list.iter().zip(ids).enumerate() {
                let at = self.times(id as usize);
                rows.push(WriteRow {
                    origin: o as u32,
                    key: w.key,
                    version: w.version,
                    t_ns: w.time,
                    reached: reached(o, i),
                    to_percent_ns: levels.map(|j| {
                        let a = at[j as usize - 1];
                        (a != u64::MAX).then(|| a - w.time)
                    }),
                });
            }
        }
        rows.sort_by_key(|r| (r.t_ns, r.origin, r.version));
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
            writes.iter().zip(ids).flat_map(move |(list, ids)| {
                list.iter()
                    .zip(ids)
                    .map(move |(w, &id)| (w.time, self.times(id as usize)))
            })
        };
        let mut any = false;
        let mut horizon = 0u64;
        for (t, at) in each() {
            any = true;
            if let Some(a) = at.iter().rev().find(|&&a| a != u64::MAX) {
                horizon = horizon.max(a - t);
            }
        }
        if !any {
            return Vec::new();
        }
        let step = nice_step(horizon.max(1).div_ceil(GRID_STEPS));
        let points = (horizon + horizon / 20).div_ceil(step) as usize + 1;
        // hist[i * (r + 1) + l]: writes at level l at grid point i.
        let mut hist = vec![0u64; points * (r + 1)];
        for (t, at) in each() {
            let window = end_ns.saturating_sub(t);
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
        let frac = |l: usize| {
            if l == 0 {
                0.0
            } else {
                level_nodes(l as u32, self.nodes, self.levels) as f64 / self.nodes as f64
            }
        };
        let mut out = Vec::with_capacity(points);
        for i in 0..points {
            let h = &hist[i * (r + 1)..(i + 1) * (r + 1)];
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Raises one write's count like the collector does, `(count, t)` at a time.
    fn run(nodes: u32, counts: &[(u32, u64)]) -> (Vec<u64>, u32) {
        let mut s = Spread::new(nodes);
        s.write();
        let (mut w, mut peak) = (Held::NEW, 0);
        for &(k, t) in counts {
            while w.informed > k {
                w.fall(&mut peak);
            }
            w.informed = k;
            if w.informed >= s.next_need(w.level) {
                s.raised(0, &mut w, t);
            }
        }
        (s.times(0).to_vec(), w.reached(peak))
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
                s.write();
                let (mut w, mut peak) = (Held::NEW, 0);
                let (mut max, mut times) = (0u32, vec![u64::MAX; s.levels() as usize]);
                for t in 0..3 * nodes as u64 {
                    let up = w.informed == 0 || (w.informed < nodes && rng.random_bool(0.6));
                    if up {
                        w.informed += 1;
                        if w.informed >= s.next_need(w.level) {
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
                assert_eq!(s.times(0), &times[..], "N = {nodes}");
            }
        }
    }
}
