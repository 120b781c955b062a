//! [`Observer`]: what the checks need to know about writes, gathered from
//! `write` and `version` records as a run emits them.
//!
//! For every write it keeps when it was made, how many nodes hold it, when
//! the last node got it and which node that was, and the spans during which
//! it was held everywhere before a lost-state restart made a node forget it
//! (so a check asks whether it was held everywhere *at* its deadline). While a write is not yet
//! held everywhere it also keeps the set of its holders (one bit per node),
//! so a failure can name a node that still lacks it; those sets are freed as
//! writes converge and their total size is capped ([`HOLDER_BUDGET_BYTES`]),
//! past which failures give counts without naming the node.

use crate::trace::Record;
use std::collections::BTreeMap;

/// Most memory spent on holder sets of unconverged writes.
pub(crate) const HOLDER_BUDGET_BYTES: usize = 64 << 20;

#[derive(Clone, Debug)]
struct WriteInfo {
    version: u64,
    time: u64,
    informed: u32,
    full_at: Option<u64>,
    last_node: u32,
    holders: Option<Box<[u64]>>,
    /// Earlier spans `[from, until)` held everywhere, ended by a node
    /// forgetting the write (empty unless a lost-state restart), with the
    /// node that completed each.
    forgotten: Vec<Span>,
}

/// A span `[from, until)` during which a write was held everywhere, and
/// the node whose receipt began it.
#[derive(Clone, Copy, Debug)]
struct Span {
    from: u64,
    until: u64,
    last_node: u32,
}

impl WriteInfo {
    /// Since when the write was held everywhere, and the node that
    /// completed it, if it was at `t`.
    fn held_at(&self, t: u64) -> Option<(u64, u32)> {
        if let Some(f) = self.full_at.filter(|&f| f <= t) {
            return Some((f, self.last_node));
        }
        self.forgotten
            .iter()
            .find(|s| s.from <= t && t < s.until)
            .map(|s| (s.from, s.last_node))
    }

    /// The first time after `t` the write became held everywhere, and the
    /// node that completed it.
    fn held_after(&self, t: u64) -> Option<(u64, u32)> {
        // A span forgotten at the instant it began was never held
        // everywhere once that instant's events had run.
        self.forgotten
            .iter()
            .filter(|s| s.from < s.until)
            .map(|s| (s.from, s.last_node))
            .chain(self.full_at.map(|f| (f, self.last_node)))
            .find(|&(from, _)| from > t)
    }
}

/// Per-write spreading, from records (see the module docs).
#[derive(Clone, Debug)]
pub struct Observer {
    nodes: u32,
    words: usize,
    origins: BTreeMap<u32, Vec<WriteInfo>>,
    last_write: Option<u64>,
    last_recovery: Option<u64>,
    unconverged: u64,
    budget_words: usize,
}

/// The write that spread last (or not at all), as a check reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spread {
    pub(crate) origin: u32,
    pub(crate) version: u64,
    pub(crate) time: u64,
    /// Nodes holding it at the end of the run.
    pub(crate) informed: u32,
    /// When it became held everywhere: the span holding the deadline asked
    /// about, else the first after it; `None`: not again by the end.
    pub(crate) full_at: Option<u64>,
    /// Whether it was held everywhere at the deadline asked about.
    pub(crate) on_time: bool,
    /// The node that completed `full_at` (the last to get it so far).
    pub(crate) last_node: u32,
    pub(crate) first_missing: Option<u32>,
}

impl Observer {
    /// An observer of a run over `nodes` nodes.
    pub fn new(nodes: u32) -> Observer {
        Observer {
            nodes,
            words: (nodes as usize).div_ceil(64),
            origins: BTreeMap::new(),
            last_write: None,
            last_recovery: None,
            unconverged: 0,
            budget_words: HOLDER_BUDGET_BYTES / 8,
        }
    }

    /// Takes one record into account (`write`, `version` and `fault`).
    pub fn observe(&mut self, r: &Record) {
        match *r {
            Record::Write { t, node, version, .. } => {
                let list = self.origins.entry(node).or_default();
                assert!(
                    list.last().is_none_or(|w| w.version < version),
                    "versions of an origin increase"
                );
                let holders = (self.budget_words >= self.words).then(|| {
                    self.budget_words -= self.words;
                    vec![0u64; self.words].into_boxed_slice()
                });
                list.push(WriteInfo {
                    version,
                    time: t,
                    informed: 0,
                    full_at: None,
                    last_node: node,
                    holders,
                    forgotten: Vec::new(),
                });
                self.unconverged += 1;
                self.last_write = Some(t);
            }
            Record::Version {
                t,
                node,
                origin,
                old,
                new,
                ..
            } => {
                let Some(list) = self.origins.get_mut(&origin) else {
                    return;
                };
                let (bit, word) = (1u64 << (node % 64), node as usize / 64);
                if new > old {
                    let r = range(list, old, new);
                    for w in &mut list[r] {
                        w.informed += 1;
                        if let Some(h) = &mut w.holders {
                            h[word] |= bit;
                        }
                        if w.informed == self.nodes {
                            w.full_at = Some(t);
                            w.last_node = node;
                            if w.holders.take().is_some() {
                                self.budget_words += self.words;
                            }
                            self.unconverged -= 1;
                        }
                    }
                } else {
                    // A lost-state restart: the node forgets these writes.
                    let r = range(list, new, old);
                    for w in &mut list[r] {
                        if w.informed == self.nodes {
                            if let Some(from) = w.full_at.take() {
                                w.forgotten.push(Span {
                                    from,
                                    until: t,
                                    last_node: w.last_node,
                                });
                            }
                            self.unconverged += 1;
                            if self.budget_words >= self.words {
                                self.budget_words -= self.words;
                                w.holders = Some(vec![u64::MAX; self.words].into_boxed_slice());
                            }
                        }
                        w.informed -= 1;
                        if let Some(h) = &mut w.holders {
                            h[word] &= !bit;
                        }
                    }
                }
            }
            Record::Fault { t, ref action, .. } => {
                if matches!(action.as_ref(), "heal" | "restart" | "degrade-end") {
                    self.last_recovery = Some(t);
                }
            }
            _ => {}
        }
    }

    /// Time of the last heal, restart or end of a degradation, if any.
    pub fn last_recovery(&self) -> Option<u64> {
        self.last_recovery
    }

    /// Node count.
    pub fn nodes(&self) -> u32 {
        self.nodes
    }

    /// Time of the last write, if any.
    pub fn last_write(&self) -> Option<u64> {
        self.last_write
    }

    /// Writes not held by every node.
    pub fn unconverged_writes(&self) -> u64 {
        self.unconverged
    }

    fn writes(&self) -> impl Iterator<Item = (u32, u64, &WriteInfo)> {
        self.origins
            .iter()
            .flat_map(|(&o, list)| list.iter().map(move |w| (o, w.version, w)))
    }

    /// Writes made strictly before `t`.
    pub fn writes_before(&self, t: u64) -> u64 {
        self.writes().filter(|(_, _, w)| w.time < t).count() as u64
    }

    /// Writes made before `written_before` not held everywhere at `deadline`.
    pub(crate) fn late_writes(&self, written_before: u64, deadline: u64) -> u64 {
        self.writes()
            .filter(|(_, _, w)| w.time < written_before && w.held_at(deadline).is_none())
            .count() as u64
    }

    /// Among writes made before `written_before`, as judged at `deadline`:
    /// the earliest-made one not held everywhere then nor since, else the
    /// one held everywhere latest after it, else (all on time) the one
    /// whose span holding the deadline began last (ties: lowest origin,
    /// then version).
    pub(crate) fn latest_to_spread(&self, written_before: u64, deadline: u64) -> Option<Spread> {
        let candidates = || {
            self.writes()
                .filter(|(_, _, w)| w.time < written_before)
                .map(|(o, v, w)| (o, v, w, w.held_at(deadline)))
        };
        let never = candidates()
            .filter(|&(_, _, w, on)| on.is_none() && w.held_after(deadline).is_none())
            .min_by_key(|&(o, v, w, _)| (w.time, o, v));
        let late = || {
            candidates()
                .filter(|&(_, _, _, on)| on.is_none())
                .filter_map(|(o, v, w, _)| w.held_after(deadline).map(|f| (o, v, w, f)))
                .max_by_key(|&(o, v, _, (f, _))| (f, std::cmp::Reverse(o), std::cmp::Reverse(v)))
                .map(|(o, v, w, f)| (o, v, w, Some(f), false))
        };
        let on_time = || {
            candidates()
                .filter_map(|(o, v, w, on)| on.map(|f| (o, v, w, f)))
                .max_by_key(|&(o, v, _, (f, _))| (f, std::cmp::Reverse(o), std::cmp::Reverse(v)))
                .map(|(o, v, w, f)| (o, v, w, Some(f), true))
        };
        let pick = never
            .map(|(o, v, w, _)| (o, v, w, None, false))
            .or_else(late)
            .or_else(on_time);
        pick.map(|(origin, version, w, full, on_time)| Spread {
            origin,
            version,
            time: w.time,
            informed: w.informed,
            full_at: full.map(|(f, _)| f),
            on_time,
            last_node: full.map_or(w.last_node, |(_, n)| n),
            first_missing: w
                .holders
                .as_ref()
                .and_then(|h| (0..self.nodes).find(|&n| h[n as usize / 64] & (1 << (n % 64)) == 0)),
        })
    }
}

/// Indices of the writes of `list` (sorted by version) with versions in
/// `(low_exclusive, high_inclusive]`.
fn range(list: &[WriteInfo], low_exclusive: u64, high_inclusive: u64) -> std::ops::Range<usize> {
    let a = list.partition_point(|w| w.version <= low_exclusive);
    let b = list.partition_point(|w| w.version <= high_inclusive);
    a..b.max(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Cause, LocalCause};

    fn write(t: u64, node: u32, version: u64) -> Record {
        Record::Write {
            t,
            lt: t,
            node,
            key: 0,
            version,
            value: 0,
        }
    }

    fn version(t: u64, node: u32, origin: u32, old: u64, new: u64) -> Record {
        Record::Version {
            t,
            lt: t,
            node,
            origin,
            old,
            new,
            cause: Cause::Local(LocalCause::Write),
        }
    }

    #[test]
    fn tracks_holders_until_converged() {
        let mut o = Observer::new(3);
        o.observe(&write(10, 1, 1));
        o.observe(&version(10, 1, 1, 0, 1));
        o.observe(&write(20, 1, 2));
        o.observe(&version(20, 1, 1, 1, 2));
        // Node 0 gets both writes at once at t=30; node 2 only the first.
        o.observe(&version(30, 0, 1, 0, 2));
        o.observe(&version(40, 2, 1, 0, 1));
        assert_eq!(o.unconverged_writes(), 1);
        let s = o.latest_to_spread(u64::MAX, u64::MAX).unwrap();
        assert_eq!((s.origin, s.version, s.informed), (1, 2, 2));
        assert_eq!(s.full_at, None);
        assert_eq!(s.first_missing, Some(2));
        // Before t=15 only the first write counts; it converged at 40 via node 2.
        let s = o.latest_to_spread(15, 35).unwrap();
        assert_eq!(
            (s.version, s.full_at, s.last_node, s.on_time),
            (1, Some(40), 2, false)
        );
        let s = o.latest_to_spread(15, 40).unwrap();
        assert_eq!(
            (s.version, s.full_at, s.last_node, s.on_time),
            (1, Some(40), 2, true)
        );
        assert_eq!(o.late_writes(u64::MAX, 35), 2);
        assert_eq!(o.late_writes(u64::MAX, 40), 1);
        assert_eq!(o.writes_before(20), 1);
    }

    #[test]
    fn a_lost_state_restart_unconverges() {
        let mut o = Observer::new(2);
        o.observe(&write(10, 0, 1));
        o.observe(&version(10, 0, 0, 0, 1));
        o.observe(&version(20, 1, 0, 0, 1));
        assert_eq!(o.unconverged_writes(), 0);
        // Node 1 restarts with lost state at 30, learns again at 50.
        o.observe(&version(30, 1, 0, 1, 0));
        assert_eq!(o.unconverged_writes(), 1);
        let s = o.latest_to_spread(u64::MAX, u64::MAX).unwrap();
        assert_eq!((s.full_at, s.first_missing), (None, Some(1)));
        o.observe(&version(50, 1, 0, 0, 1));
        let s = o.latest_to_spread(u64::MAX, u64::MAX).unwrap();
        assert_eq!(s.full_at, Some(50), "held everywhere again at 50");
        // Judged at a deadline: held everywhere in [20, 30) and from 50.
        for (deadline, full, on_time) in [
            (19, 20, false),
            (20, 20, true),
            (29, 20, true),
            (30, 50, false),
            (50, 50, true),
        ] {
            let s = o.latest_to_spread(u64::MAX, deadline).unwrap();
            assert_eq!(
                (s.full_at, s.on_time),
                (Some(full), on_time),
                "deadline {deadline}"
            );
            assert_eq!(
                o.late_writes(u64::MAX, deadline),
                u64::from(!on_time),
                "deadline {deadline}"
            );
        }
        // Held everywhere and forgotten at one instant (60): never held
        // once that instant's events ran, so a deadline before it is late
        // until 70, not until 60.
        let mut o = Observer::new(2);
        o.observe(&write(10, 0, 1));
        o.observe(&version(10, 0, 0, 0, 1));
        o.observe(&version(20, 1, 0, 0, 1));
        o.observe(&version(30, 1, 0, 1, 0));
        o.observe(&version(60, 1, 0, 0, 1));
        o.observe(&version(60, 1, 0, 1, 0));
        o.observe(&version(70, 1, 0, 0, 1));
        let s = o.latest_to_spread(u64::MAX, 40).unwrap();
        assert_eq!((s.full_at, s.on_time), (Some(70), false));
    }
}
