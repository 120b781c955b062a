//! Reconciliation orders: which deltas go into a message when they do not
//! all fit (van Renesse et al. 2008, §3).
//!
//! The input is every candidate delta, grouped by origin, each origin's run
//! in version order. Every order obeys the **gap rule**: from each origin it
//! takes a *prefix* of the run (if `(r, n)` is left out, so is every later
//! version of `r`), so the receiver's vector entry stays a correct summary.
//! The output lists the chosen prefixes in origin order.
//!
//! - `precise-oldest`: repeatedly the oldest update (writer's timestamp)
//!   among the runs' next deltas.
//! - `precise-newest`: updates from newest to oldest; taking one takes the
//!   older missing deltas of its origin with it; an update whose prefix no
//!   longer fits is skipped.
//! - `scuttle-breadth`: every origin's 1st missing delta, then every 2nd, …;
//!   origins within a rank in a random order drawn once per message.
//! - `scuttle-depth`: origins with the most missing deltas first (ties in a
//!   random order), all of one origin's deltas before the next; the first
//!   origin that does not fit contributes the prefix that does.

use super::store::Delta;
use crate::rng::SimRng;
use crate::scenario::Order;
use rand::Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Fills `out` with at most `budget` of `candidates` in `order`; returns
/// whether some candidates were left out (the message overflowed).
/// `timestamp(origin, version)` gives a write's timestamp (precise orders);
/// `ordered` promises that it never falls along an origin's run
/// ([`super::store::Store::timestamps_ordered`]), which lets
/// `precise-newest` merge the runs instead of sorting every candidate (the
/// same choice either way).
pub fn select(
    candidates: &[Delta],
    budget: usize,
    order: Order,
    timestamp: impl Fn(u32, u64) -> u64,
    ordered: bool,
    rng: &mut SimRng,
    out: &mut Vec<Delta>,
) -> bool {
    out.clear();
    if candidates.len() <= budget {
        out.extend_from_slice(candidates);
        return false;
    }
    let runs = runs(candidates);
    let mut taken = vec![0usize; runs.len()];
    let len = |r: usize| runs[r].1 - runs[r].0;
    let at = |r: usize, i: usize| candidates[runs[r].0 + i];
    match order {
        Order::PreciseOldest => {
            let mut heap: BinaryHeap<Reverse<(u64, u32, usize)>> = (0..runs.len())
                .map(|r| {
                    let d = at(r, 0);
                    Reverse((timestamp(d.origin, d.version), d.origin, r))
                })
                .collect();
            let mut left = budget;
            while left > 0 {
                let Some(Reverse((_, _, r))) = heap.pop() else {
                    break;
                };
                taken[r] += 1;
                left -= 1;
                if taken[r] < len(r) {
                    let d = at(r, taken[r]);
                    heap.push(Reverse((timestamp(d.origin, d.version), d.origin, r)));
                }
            }
        }
        Order::PreciseNewest if ordered => {
            // Each run's timestamps rise with its index, so the walk below
            // meets a run's deltas from its last down, and merges the runs
            // by their next delta: a heap keyed (newest timestamp, lower
            // origin, higher index, run) in place of the sort. Before a run
            // gives anything, its delta `i` needs `i + 1` places; once that
            // is more than is left it never fits (what is left only
            // shrinks), so the run jumps straight to the last delta that
            // fits now (the walk would skip those in between). Once a run
            // gives, its later deltas (lower indices) are all taken: it is
            // done. Every pop takes a run or lowers its delta to one that
            // fits, so the cost follows the runs and the budget, not the
            // candidates.
            let key = |r: usize, i: usize| {
                let d = at(r, i);
                (timestamp(d.origin, d.version), Reverse(d.origin), i, Reverse(r))
            };
            let mut heap: BinaryHeap<(u64, Reverse<u32>, usize, Reverse<usize>)> =
                (0..runs.len()).map(|r| key(r, len(r) - 1)).collect();
            let mut left = budget;
            while left > 0 {
                let Some((_, _, i, Reverse(r))) = heap.pop() else {
                    break;
                };
                if i < left {
                    taken[r] = i + 1;
                    left -= i + 1;
                } else {
                    heap.push(key(r, left - 1));
                }
            }
        }
        Order::PreciseNewest => {
            let mut all: Vec<(u64, u32, usize, usize)> = Vec::with_capacity(candidates.len());
            for r in 0..runs.len() {
                for i in 0..len(r) {
                    let d = at(r, i);
                    all.push((timestamp(d.origin, d.version), d.origin, r, i));
                }
            }
            all.sort_unstable_by(|a, b| (b.0, a.1, b.3).cmp(&(a.0, b.1, a.3)));
            let mut left = budget;
            for (_, _, r, i) in all {
                if left == 0 {
                    break;
                }
                let need = (i + 1).saturating_sub(taken[r]);
                if need > 0 && need <= left {
                    taken[r] = i + 1;
                    left -= need;
                }
            }
        }
        Order::ScuttleBreadth => {
            let perm = shuffled(runs.len(), rng);
            let mut left = budget;
            let mut rank = 0;
            while left > 0 {
                let mut any = false;
                for &r in &perm {
                    if left > 0 && rank < len(r) {
                        taken[r] = rank + 1;
                        left -= 1;
                        any = true;
                    }
                }
                if !any {
                    break;
                }
                rank += 1;
            }
        }
        Order::ScuttleDepth => {
            let mut perm = shuffled(runs.len(), rng);
            perm.sort_by_key(|&r| Reverse(len(r)));
            let mut left = budget;
            for r in perm {
                let take = len(r).min(left);
                taken[r] = take;
                left -= take;
                if left == 0 {
                    break;
                }
            }
        }
    }
    for (r, &t) in taken.iter().enumerate() {
        out.extend_from_slice(&candidates[runs[r].0..runs[r].0 + t]);
    }
    true
}

/// `[start, end)` of each origin's run.
fn runs(c: &[Delta]) -> Vec<(usize, usize)> {
    let mut v: Vec<(usize, usize)> = Vec::new();
    for (i, d) in c.iter().enumerate() {
        match v.last_mut() {
            Some(last) if c[last.0].origin == d.origin => last.1 = i + 1,
            _ => v.push((i, i + 1)),
        }
    }
    v
}

/// A uniformly random permutation of `0..n` (Fisher–Yates).
fn shuffled(n: usize, rng: &mut SimRng) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for k in (1..n).rev() {
        p.swap(k, rng.random_range(0..=k));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Component, Streams};

    fn d(origin: u32, version: u64) -> Delta {
        Delta {
            origin,
            key: version as u32,
            version,
        }
    }

    /// The hand-built state of the tests: origin 0 is missing versions 1–4,
    /// origin 1 versions 1–2, origin 2 version 1. Timestamps (ms): origin 0
    /// wrote at 10, 40, 70, 100; origin 1 at 20, 90; origin 2 at 50.
    fn state() -> (Vec<Delta>, impl Fn(u32, u64) -> u64) {
        let c = vec![d(0, 1), d(0, 2), d(0, 3), d(0, 4), d(1, 1), d(1, 2), d(2, 1)];
        let ts = |o: u32, v: u64| match (o, v) {
            (0, v) => [10, 40, 70, 100][v as usize - 1],
            (1, v) => [20, 90][v as usize - 1],
            _ => 50,
        };
        (c, ts)
    }

    fn pick(order: Order) -> Vec<(u32, u64)> {
        let (c, ts) = state();
        let mut rng = Streams::new(1).stream(Component::Protocol, 0);
        let mut out = Vec::new();
        assert!(select(&c, 3, order, ts, true, &mut rng, &mut out));
        out.iter().map(|d| (d.origin, d.version)).collect()
    }

    /// Oldest first: (0,1)@10, (1,1)@20, (0,2)@40.
    #[test]
    fn precise_oldest_by_hand() {
        assert_eq!(pick(Order::PreciseOldest), vec![(0, 1), (0, 2), (1, 1)]);
    }

    /// Newest first: (0,4)@100 needs 4 deltas — does not fit in 3, skipped;
    /// (1,2)@90 needs (1,1),(1,2): taken, 1 left; (0,3)@70 needs 3: skipped;
    /// (2,1)@50 needs 1: taken. Budget used up.
    #[test]
    fn precise_newest_by_hand() {
        assert_eq!(pick(Order::PreciseNewest), vec![(1, 1), (1, 2), (2, 1)]);
    }

    /// Breadth: rank 1 of every origin (three deltas) fills the budget,
    /// whatever the random origin order.
    #[test]
    fn scuttle_breadth_by_hand() {
        assert_eq!(pick(Order::ScuttleBreadth), vec![(0, 1), (1, 1), (2, 1)]);
    }

    /// Depth: origin 0 has the most (4) missing: its first three fill the message.
    #[test]
    fn scuttle_depth_by_hand() {
        assert_eq!(pick(Order::ScuttleDepth), vec![(0, 1), (0, 2), (0, 3)]);
    }

    /// Property: for random candidate sets, budgets and every order, the
    /// selection takes a prefix of each origin's run, never exceeds the
    /// budget, and fills it when there are enough candidates.
    #[test]
    fn every_order_keeps_the_gap_rule() {
        let mut rng = Streams::new(99).stream(Component::Protocol, 1);
        for _ in 0..2000 {
            let origins = rng.random_range(1..6u32);
            let mut c = Vec::new();
            for o in 0..origins {
                let first = rng.random_range(1..5u64);
                for v in first..first + rng.random_range(0..6u64) {
                    c.push(Delta {
                        origin: o,
                        key: rng.random_range(0..3),
                        version: v,
                    });
                }
            }
            let budget = rng.random_range(0..8usize);
            let ts = |o: u32, v: u64| (v * 7 + o as u64 * 13) % 50;
            for order in Order::ALL {
                let mut out = Vec::new();
                let overflow = select(&c, budget, order, ts, false, &mut rng, &mut out);
                assert_eq!(overflow, c.len() > budget);
                assert_eq!(out.len(), c.len().min(budget), "{order:?} fills the budget");
                for o in 0..origins {
                    let run: Vec<&Delta> = c.iter().filter(|d| d.origin == o).collect();
                    let got: Vec<&Delta> = out.iter().filter(|d| d.origin == o).collect();
                    assert_eq!(
                        got,
                        run[..got.len()].to_vec(),
                        "{order:?}: a prefix of origin {o}"
                    );
                }
            }
        }
    }

    /// The selection as it was before `precise-newest` merged the runs
    /// (every candidate sorted): the path `select` still takes when the
    /// timestamps may fall along a run, the reference the merge must match.
    fn select_plain(
        candidates: &[Delta],
        budget: usize,
        order: Order,
        timestamp: impl Fn(u32, u64) -> u64,
        rng: &mut SimRng,
        out: &mut Vec<Delta>,
    ) -> bool {
        select(candidates, budget, order, timestamp, false, rng, out)
    }

    /// Property: with timestamps that never fall along a run (many ties,
    /// within and across origins), every order chooses exactly what the
    /// plain sort of every candidate chose, in the same order, and leaves
    /// the random stream where it left it; with `ordered` false, too, for
    /// any timestamps.
    #[test]
    fn merged_runs_choose_what_the_full_sort_chose() {
        let mut gen = Streams::new(7).stream(Component::Protocol, 2);
        for case in 0..20_000 {
            let origins = gen.random_range(1..12u32);
            let spread = gen.random_range(1..40u64);
            let mut c = Vec::new();
            let mut stamps = std::collections::BTreeMap::new();
            for o in 0..origins {
                if gen.random_bool(0.2) {
                    continue;
                }
                let mut v = gen.random_range(1..5u64);
                let mut t = gen.random_range(0..spread);
                for _ in 0..gen.random_range(1..10u64) {
                    c.push(Delta {
                        origin: o,
                        key: gen.random_range(0..4),
                        version: v,
                    });
                    stamps.insert((o, v), t);
                    v += gen.random_range(1..3u64);
                    t += gen.random_range(0..3u64);
                }
            }
            let ordered = case % 4 != 0;
            if !ordered {
                for t in stamps.values_mut() {
                    *t = gen.random_range(0..spread);
                }
            }
            let ts = |o: u32, v: u64| stamps[&(o, v)];
            let budget = gen.random_range(0..c.len() + 3);
            for order in Order::ALL {
                let seed = gen.random_range(0..u64::MAX);
                let mut fast_rng = Streams::new(seed).stream(Component::Protocol, 3);
                let mut plain_rng = fast_rng.clone();
                let (mut fast, mut plain) = (Vec::new(), Vec::new());
                let a = select(&c, budget, order, ts, ordered, &mut fast_rng, &mut fast);
                let b = select_plain(&c, budget, order, ts, &mut plain_rng, &mut plain);
                assert_eq!((a, &fast), (b, &plain), "case {case}, {order:?}, budget {budget}");
                assert_eq!(fast_rng, plain_rng, "case {case}, {order:?}: the same draws");
            }
        }
    }
}
