//! Write generators: a Poisson process per writer node and explicit
//! scheduled writes.
//!
//! Each node draws from its own workload stream, in a fixed order: the gap to
//! its next write when the previous one is scheduled, then the key and value
//! when the write happens. No random write is made at or after `stop_at`.

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
    keys_per_node: u32,
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
            (0..nodes)
                .map(|n| streams.stream(Component::Workload, n))
                .collect()
        } else {
            Vec::new()
        };
        let stop_at = w.stop_at.map_or(end, |s| SimTime(s.0).min(end));
        Workload {
            mean_ns,
            keys_per_node: w.keys_per_node,
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
        let at = now.0.saturating_add((x * mean).round() as u64);
        (at < self.stop_at.0).then_some(SimTime(at))
    }

    /// Key and value of `node`'s random write happening now.
    pub fn draw_write(&mut self, node: NodeId) -> (u32, u64) {
        let rng = &mut self.rngs[node as usize];
        let key = rng.random_range(0..self.keys_per_node);
        let value = rng.random::<u32>() as u64;
        (key, value)
    }
}
