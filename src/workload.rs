//! Write generators: a Poisson process per writer node and explicit
//! scheduled writes.
//!
//! Each node draws from its own workload stream, in a fixed order: the gap to
//! its next write when the previous one is scheduled, then the key and value
//! when the write happens. No random write is made at or after `stop_at`.
//!
//! **Rate changes.** With `rate_changes` the process is a Poisson process
//! whose rate is piecewise constant: `factor / mean_interval` from each
//! change on (1 / `mean_interval` before the first). The gap is still one
//! unit-exponential draw `x` per write, mapped through the cumulative rate:
//! the next write is at the first `t` with `∫_now^t rate = x` (the
//! time-change theorem; exact, since the process is memoryless). So a change
//! takes effect at its instant, not at the next write, the draws are the
//! same as without changes, and a run without changes is unchanged.

use crate::node::NodeId;
use crate::rng::{Component, SimRng, Streams};
use crate::scenario::{self, ScheduledWrite, WriteProcess};
use crate::time::SimTime;
use rand::Rng;
use rand_distr::Exp1;

/// The write workload of one run.
#[derive(Debug)]
pub struct Workload {
    mean_ns: Option<f64>,
    /// `(at ns, factor)`, in increasing time order.
    changes: Vec<(u64, f64)>,
    /// The keys a random write draws from: the node's own, or the shared ones.
    keys: u32,
    stop_at: SimTime,
    writers: Vec<NodeId>,
    rngs: Vec<SimRng>,
    schedule: Vec<ScheduledWrite>,
}

impl Workload {
    /// The workload of a scenario over `nodes` nodes ending by `end`.
    pub fn new(w: &scenario::Workload, nodes: u32, end: SimTime, streams: &Streams) -> Workload {
        let writers: Vec<NodeId> = match &w.writers {
            Some(list) => list.clone(),
            None => (0..nodes).collect(),
        };
        let mean_ns = w.writes.as_ref().map(|p| match p {
            WriteProcess::Poisson { mean_interval } => mean_interval.0 as f64,
        });
        let rngs = if mean_ns.is_some() {
            streams.each_node(Component::Workload, nodes).collect()
        } else {
            Vec::new()
        };
        let stop_at = w.stop_at.map_or(end, |s| SimTime(s.0).min(end));
        Workload {
            mean_ns,
            changes: w.rate_changes.iter().map(|c| (c.at.0, c.factor)).collect(),
            keys: w.key_count(),
            stop_at,
            writers,
            rngs,
            schedule: w.schedule.clone(),
        }
    }

    /// Nodes that run the random process.
    pub fn writers(&self) -> &[NodeId] {
        if self.mean_ns.is_some() {
            &self.writers
        } else {
            &[]
        }
    }

    /// The explicit writes, in file order.
    pub fn schedule(&self) -> &[ScheduledWrite] {
        &self.schedule
    }

    /// Time of `node`'s next random write after `now`, or `None` past `stop_at`.
    pub fn next_write(&mut self, node: NodeId, now: SimTime) -> Option<SimTime> {
        let mean = self.mean_ns?;
        let x: f64 = self.rngs[node as usize].sample(Exp1);
        let at = if self.changes.is_empty() {
            now.0.saturating_add((x * mean).round() as u64)
        } else {
            self.after(now.0, x, mean)?
        };
        (at < self.stop_at.0).then_some(SimTime(at))
    }

    /// The first time `t >= now` at which the cumulative rate since `now`
    /// reaches `x` (see the module docs); `None` if the rate stays 0.
    fn after(&self, now: u64, mut x: f64, mean: f64) -> Option<u64> {
        let mut i = self.changes.partition_point(|c| c.0 <= now);
        let mut factor = if i == 0 { 1.0 } else { self.changes[i - 1].1 };
        let mut t = now;
        loop {
            let end = self.changes.get(i).map(|c| c.0);
            if factor > 0.0 {
                let gap = x * mean / factor;
                match end {
                    Some(e) if t as f64 + gap >= e as f64 => {
                        x = (x - (e - t) as f64 * factor / mean).max(0.0);
                    }
                    _ => return Some(t.saturating_add(gap.round() as u64)),
                }
            }
            t = end?;
            factor = self.changes[i].1;
            i += 1;
        }
    }

    /// Key and value of `node`'s random write happening now.
    pub fn draw_write(&mut self, node: NodeId) -> (u32, u64) {
        let rng = &mut self.rngs[node as usize];
        let key = rng.random_range(0..self.keys);
        let value = rng.random::<u32>() as u64;
        (key, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::RateChange;
    use crate::time::SimDuration;

    fn workload(changes: &[(u64, f64)]) -> Workload {
        let w = scenario::Workload {
            writes: Some(WriteProcess::Poisson {
                mean_interval: SimDuration::from_secs(1),
            }),
            rate_changes: changes
                .iter()
                .map(|&(at, factor)| RateChange {
                    at: SimDuration::from_secs(at),
                    factor,
                })
                .collect(),
            ..Default::default()
        };
        Workload::new(&w, 1, SimTime(u64::MAX), &Streams::new(7))
    }

    /// `x` unit-exponential at rate 1/s is `x` seconds; at twice the rate
    /// half as long; across a change the first part is used at the old
    /// rate: from 9 s with x = 3, one unit by 10 s, the remaining 2 at
    /// rate 2/s take 1 s: 11 s.
    #[test]
    fn cumulative_rate_maps_the_draw() {
        let s = 1_000_000_000u64;
        let w = workload(&[(10, 2.0), (20, 0.0), (30, 1.0)]);
        let mean = 1e9;
        assert_eq!(w.after(0, 3.0, mean), Some(3 * s));
        assert_eq!(w.after(12 * s, 3.0, mean), Some(13 * s + s / 2));
        assert_eq!(w.after(9 * s, 3.0, mean), Some(11 * s));
        // Rate 0 from 20 s to 30 s: the draw waits it out
        // (2 units by 20 s, the other 2 at rate 1/s from 30 s).
        assert_eq!(w.after(19 * s, 4.0, mean), Some(32 * s));
        assert_eq!(workload(&[(5, 0.0)]).after(6 * s, 0.5, mean), None);
    }

    /// Random writes draw their key uniformly from the node's own keys or,
    /// with `shared_keys`, from the shared ones (every key of 4 written
    /// 2000/4 = 500 times expected of 2000, sd ≈ 19: within 100).
    #[test]
    fn random_writes_use_every_key() {
        for (own, shared) in [(4, None), (1, Some(4))] {
            let w = scenario::Workload {
                writes: Some(WriteProcess::Poisson {
                    mean_interval: SimDuration::from_secs(1),
                }),
                keys_per_node: own,
                shared_keys: shared,
                ..Default::default()
            };
            let mut w = Workload::new(&w, 1, SimTime(u64::MAX), &Streams::new(7));
            let mut counts = [0u32; 4];
            for _ in 0..2000 {
                counts[w.draw_write(0).0 as usize] += 1;
            }
            assert!(
                counts.iter().all(|&c| (c as i32 - 500).abs() < 100),
                "{own} {shared:?}: {counts:?}"
            );
        }
    }

    /// A doubled rate doubles the count of writes in a window (Poisson:
    /// 2000 expected in 1000 s, sd 45) and the rate before the change is
    /// the base one.
    #[test]
    fn doubled_rate_doubles_the_writes() {
        let mut w = workload(&[(1000, 2.0)]);
        let (mut before, mut after) = (0u32, 0u32);
        let mut t = SimTime::ZERO;
        while let Some(next) = w.next_write(0, t) {
            if next.0 >= 2000 * 1_000_000_000 {
                break;
            }
            if next.0 < 1000 * 1_000_000_000 {
                before += 1;
            } else {
                after += 1;
            }
            t = next;
        }
        assert!((before as i32 - 1000).abs() < 130, "{before}");
        assert!((after as i32 - 2000).abs() < 180, "{after}");
    }
}
