//! Statistics computed from trace records.
//!
//! [`Collector`] watches every record of a run (whatever the trace level, so
//! metrics never depend on what is written) and accumulates message and byte
//! counts per kind and, for every write, how many nodes hold it. A node
//! *holds* write `(origin, v)` once its version-vector entry for `origin` is
//! at least `v` (a newer version of the same key supersedes an older one, so
//! this is the Scuttlebutt notion of being up to date). A write's
//! *convergence time* is from the write until the last node holds it.

use crate::trace::Record;
use serde::{Deserialize, Serialize};

/// Counts for one message kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindStats {
    /// Kind name (`syn`, `ack`, …, or `all`).
    pub kind: String,
    /// Messages sent.
    pub sent: u64,
    /// Messages delivered.
    pub delivered: u64,
    /// Messages dropped.
    pub dropped: u64,
    /// Bytes sent (every sent message, delivered or not).
    pub bytes_sent: u64,
    /// Bytes delivered.
    pub bytes_delivered: u64,
}

/// Distribution of per-write convergence times, in nanoseconds.
/// Percentiles use the nearest-rank method: the `p`-th percentile of `n`
/// sorted values is the one at rank `ceil(p/100 · n)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Convergence {
    /// Writes made.
    pub writes: u64,
    /// Writes held by every node by the end.
    pub converged: u64,
    /// Mean over converged writes (integer division), if any.
    pub mean_ns: Option<u64>,
    /// Median.
    pub p50_ns: Option<u64>,
    /// 99th percentile.
    pub p99_ns: Option<u64>,
    /// Largest.
    pub max_ns: Option<u64>,
}

#[derive(Clone, Debug)]
struct WriteStat {
    time: u64,
    informed: u32,
    full_at: Option<u64>,
}

/// Accumulates metrics from records as a run emits them.
#[derive(Clone, Debug)]
pub struct Collector {
    nodes: u32,
    kinds: Vec<KindStats>,
    writes: Vec<Vec<WriteStat>>,
    total_writes: u64,
    unconverged: u64,
    last_write: Option<u64>,
    bytes_sent_by_node: Vec<u64>,
}

impl Collector {
    /// A collector for `nodes` nodes whose protocol has message `kinds`.
    pub fn new(nodes: u32, kinds: &[&str]) -> Collector {
        Collector {
            nodes,
            kinds: kinds
                .iter()
                .map(|k| KindStats {
                    kind: k.to_string(),
                    ..Default::default()
                })
                .collect(),
            writes: vec![Vec::new(); nodes as usize],
            total_writes: 0,
            unconverged: 0,
            last_write: None,
            bytes_sent_by_node: vec![0; nodes as usize],
        }
    }

    fn kind_mut(&mut self, kind: &str) -> &mut KindStats {
        let i = match self.kinds.iter().position(|k| k.kind == kind) {
            Some(i) => i,
            None => {
                self.kinds.push(KindStats {
                    kind: kind.to_string(),
                    ..Default::default()
                });
                self.kinds.len() - 1
            }
        };
        &mut self.kinds[i]
    }

    /// Takes one record into account.
    pub fn observe(&mut self, r: &Record) {
        match r {
            Record::Write {
                t, node, version, ..
            } => {
                let list = &mut self.writes[*node as usize];
                assert_eq!(
                    list.len() as u32 + 1,
                    *version,
                    "versions of an origin are consecutive"
                );
                list.push(WriteStat {
                    time: *t,
                    informed: 0,
                    full_at: None,
                });
                self.total_writes += 1;
                self.unconverged += 1;
                self.last_write = Some(*t);
            }
            Record::Version {
                t,
                origin,
                old,
                new,
                ..
            } => {
                let list = &mut self.writes[*origin as usize];
                for w in &mut list[*old as usize..*new as usize] {
                    w.informed += 1;
                    if w.informed == self.nodes {
                        w.full_at = Some(*t);
                        self.unconverged -= 1;
                    }
                }
            }
            Record::Send {
                kind, bytes, from, ..
            } => {
                self.bytes_sent_by_node[*from as usize] += *bytes as u64;
                let k = self.kind_mut(kind);
                k.sent += 1;
                k.bytes_sent += *bytes as u64;
            }
            Record::Receive { kind, bytes, .. } => {
                let k = self.kind_mut(kind);
                k.delivered += 1;
                k.bytes_delivered += *bytes as u64;
            }
            Record::Drop { kind, .. } => self.kind_mut(kind).dropped += 1,
            Record::Clock { .. } => {}
        }
    }

    /// Writes not yet held by every node.
    pub fn unconverged(&self) -> u64 {
        self.unconverged
    }

    /// Per-kind counts, in the protocol's kind order, then their total as `all`.
    pub fn kinds(&self) -> Vec<KindStats> {
        let mut all = KindStats {
            kind: "all".into(),
            ..Default::default()
        };
        for k in &self.kinds {
            all.sent += k.sent;
            all.delivered += k.delivered;
            all.dropped += k.dropped;
            all.bytes_sent += k.bytes_sent;
            all.bytes_delivered += k.bytes_delivered;
        }
        let mut v = self.kinds.clone();
        v.push(all);
        v
    }

    /// Bytes sent by each node (every message it sent, delivered or not),
    /// indexed by node id.
    pub fn bytes_sent_by_node(&self) -> &[u64] {
        &self.bytes_sent_by_node
    }

    /// Time of the last write, if any.
    pub fn last_write(&self) -> Option<u64> {
        self.last_write
    }

    /// When the last write became held everywhere (so every version vector
    /// is equal), or `None` if some write is still missing somewhere.
    pub fn all_converged_at(&self) -> Option<u64> {
        if self.unconverged > 0 {
            return None;
        }
        Some(
            self.writes
                .iter()
                .flatten()
                .filter_map(|w| w.full_at)
                .max()
                .unwrap_or(0),
        )
    }

    /// Per-write convergence times (ns) of the writes that converged, in
    /// (origin, version) order.
    pub fn convergence_times(&self) -> Vec<u64> {
        self.writes
            .iter()
            .flatten()
            .filter_map(|w| w.full_at.map(|f| f - w.time))
            .collect()
    }

    /// The convergence distribution.
    pub fn convergence(&self) -> Convergence {
        let mut times = self.convergence_times();
        times.sort_unstable();
        Convergence {
            writes: self.total_writes,
            converged: times.len() as u64,
            mean_ns: (!times.is_empty()).then(|| {
                (times.iter().map(|&x| x as u128).sum::<u128>() / times.len() as u128) as u64
            }),
            p50_ns: percentile(&times, 50.0),
            p99_ns: percentile(&times, 99.0),
            max_ns: times.last().copied(),
        }
    }
}

/// Nearest-rank percentile of sorted `values`: the value at rank
/// `ceil(p/100 · n)` (1-based); `None` when empty.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_by_hand() {
        let v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(percentile(&v, 50.0), Some(50)); // rank 5
        assert_eq!(percentile(&v, 99.0), Some(100)); // rank ceil(9.9) = 10
        assert_eq!(percentile(&v, 10.0), Some(10));
        assert_eq!(percentile(&v, 11.0), Some(20));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
