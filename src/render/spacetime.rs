//! A space-time diagram's input from the records of a `full` trace.
//!
//! Every vector-clock transition (`clock` record) is one event: a write, a
//! send or a receipt each tick the node's clock once, so the event is drawn
//! where its `clock` record is and labelled with the node's whole vector
//! clock after it — when the run has at most [`LABEL_NODES`] nodes and
//! [`LABEL_EVENTS`] events (wider vectors and more labels do not fit). A `write` record right before a node's `clock` record makes that
//! event a write. Messages come from `send` records; a `receive` gives the
//! arrow's end (a duplicated delivery adds a second arrow), a `drop` marks it
//! lost; a message still in flight when the run ended is left out.
//!
//! A run with more messages or events than the chart draws is cut at a time:
//! the diagram keeps what happened before the first send (or event) beyond
//! the limit, and [`Built::cut_at_s`] says where.
//!
//! A [`ResolvedView`] chooses the lines (a subset of the nodes, in id order)
//! and a time window `[from, to]`, both ends included (like `trace --from
//! --to`): only records inside the window count, and only messages between
//! two chosen nodes are drawn; the sending or receipt of a message whose
//! other end is not drawn is an event without an arrow, marked
//! ([`SpacetimeEvent::hidden_peer`]). Messages in flight at either edge of
//! the window are left out, like those in flight at the end of the run.
//!
//! Faults come from the trace's `fault` records, with the nodes they concern
//! looked up in the run's fault plan ([`crate::faults::plan`]): partitions,
//! cuts and isolations are in force until a heal that names them (or heals
//! all), degradations until their end, a crashed node is down until it
//! restarts; anything still in force is drawn to the end of the diagram. A
//! fault that began before the window keeps its start, so the chart can say
//! when it began.

use crate::chart::{
    SpacetimeData, SpacetimeEvent, SpacetimeFault, SpacetimeMessage, MAX_EVENTS, MAX_MESSAGES,
};
use crate::faults::{Action, Planned};
use crate::scenario::ResolvedView;
use crate::trace::Record;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Vector clocks are printed on events for at most this many nodes...
pub const LABEL_NODES: u32 = 8;
/// ...and at most this many events.
pub const LABEL_EVENTS: usize = 48;

/// The diagram's input and where it was cut, if it was.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    /// The chart input.
    pub data: SpacetimeData,
    /// Time (s) from which nothing is drawn, when the run had too much.
    pub cut_at_s: Option<f64>,
}

/// A diagram of more messages than this is dense: at the default width its
/// arrows lie a few pixels apart.
pub const DENSE_MESSAGES: usize = 300;

/// About how many messages the window [`dense_hint`] suggests holds.
pub const HINT_MESSAGES: usize = 150;

/// For a dense diagram (more than [`DENSE_MESSAGES`] messages), a note
/// suggesting a window that holds about [`HINT_MESSAGES`] of them: from
/// the first fault (what one usually looks at; earlier when too few
/// messages follow it), or from the first message
/// when no fault is drawn, to where that many have been sent; its ends
/// rounded outward to tenths of a second (hundredths for a window under a
/// second). `None` for a diagram that reads as it is.
pub fn dense_hint(data: &SpacetimeData) -> Option<String> {
    let n = data.messages.len();
    if n <= DENSE_MESSAGES {
        return None;
    }
    let mut sends: Vec<f64> = data.messages.iter().map(|m| m.send_s).collect();
    sends.sort_by(f64::total_cmp);
    let first_fault = data
        .faults
        .iter()
        .map(|f| match *f {
            SpacetimeFault::Network { from_s, .. } | SpacetimeFault::Down { from_s, .. } => from_s,
            SpacetimeFault::ClockStep { time_s, .. } => time_s,
        })
        .filter(|&t| t >= sends[0] && t <= sends[n - 1])
        .min_by(f64::total_cmp);
    // The first send at or after the start; the window ends at the send
    // HINT_MESSAGES later (or the last, starting earlier to hold as many).
    let start = first_fault.unwrap_or(sends[0]);
    let i = sends.partition_point(|&t| t < start).min(n - HINT_MESSAGES);
    let (from, to) = (sends[i].min(start), sends[i + HINT_MESSAGES - 1]);
    let step = if to - from < 1.0 { 0.01 } else { 0.1 };
    let from = (from / step).floor() * step;
    let to = ((to / step).ceil() * step).max(from + step);
    // Never past the run's end, which `--to` refuses: that end, to the
    // nanosecond.
    let to = data.end_s.filter(|&e| e > from && e < to).unwrap_or(to);
    let shown = sends.iter().filter(|&&t| t >= from && t <= to).count();
    let text = |t: f64| {
        let text = if (t / step - (t / step).round()).abs() < 1e-6 {
            format!("{t:.2}")
        } else {
            format!("{t:.9}")
        };
        format!("{}s", text.trim_end_matches('0').trim_end_matches('.'))
    };
    Some(format!(
        "spacetime: {n} messages make a dense diagram; a window such as --from {} --to {} \
         ({shown} messages{}) reads better (output.spacetime.from and .to in a scenario)",
        text(from),
        text(to),
        if first_fault.is_some() {
            ", the first fault's start included"
        } else {
            ""
        },
    ))
}

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// Which records of a `nodes`-node run a view draws.
#[derive(Clone, Debug)]
pub struct Selection {
    /// Line of each node id, `None` for nodes not drawn.
    row: Vec<Option<usize>>,
    /// The node id of each line.
    ids: Vec<u32>,
    from_ns: u64,
    to_ns: u64,
    /// Whether events may be labelled with vector clocks (few nodes).
    labels: bool,
}

impl Selection {
    /// The selection of `view` in a run of `nodes` nodes.
    pub fn new(nodes: u32, view: &ResolvedView) -> Selection {
        let ids: Vec<u32> = match &view.nodes {
            Some(ids) => ids.iter().copied().filter(|&i| i < nodes).collect(),
            None => (0..nodes).collect(),
        };
        let mut row = vec![None; nodes as usize];
        for (r, &id) in ids.iter().enumerate() {
            row[id as usize] = Some(r);
        }
        Selection {
            row,
            ids,
            from_ns: view.from_ns,
            to_ns: view.to_ns.unwrap_or(u64::MAX),
            labels: nodes <= LABEL_NODES,
        }
    }

    fn row(&self, node: u32) -> Option<usize> {
        self.row.get(node as usize).copied().flatten()
    }

    /// Whether `t` lies in the window `[from, to]`, both ends included.
    fn in_window(&self, t: u64) -> bool {
        (self.from_ns..=self.to_ns).contains(&t)
    }

    /// Whether the diagram needs `r`: every fault (one that began before
    /// the window may be in force in it), and inside the window the events
    /// of the chosen nodes, the messages they send and receive (one whose
    /// other end is not chosen marks its event), and the drops of messages
    /// between two of them. When events are labelled with vector clocks,
    /// the chosen nodes' clock records before the window too: a record
    /// lists only the entries that changed, so a clock in the window is
    /// the sum of every record before it.
    pub fn keeps(&self, r: &Record) -> bool {
        match r {
            Record::Fault { .. } => true,
            Record::Clock { t, node, .. } if *t < self.from_ns => self.labels && self.row(*node).is_some(),
            Record::Clock { t, node, .. } | Record::Write { t, node, .. } => {
                self.in_window(*t) && self.row(*node).is_some()
            }
            Record::Send { t, from, .. } => self.in_window(*t) && self.row(*from).is_some(),
            Record::Receive { t, to, .. } => self.in_window(*t) && self.row(*to).is_some(),
            Record::Drop { t, from, to, .. } => {
                self.in_window(*t) && self.row(*from).is_some() && self.row(*to).is_some()
            }
            _ => false,
        }
    }
}

/// Builds the diagram of a `nodes`-node run from its records, drawing what
/// `view` chooses; `plan` is the run's fault plan (to find the nodes a
/// `fault` record concerns) and `end_ns` the end of the run.
pub fn build(nodes: u32, records: &[Record], view: &ResolvedView, plan: &[Planned], end_ns: u64) -> Built {
    let sel = Selection::new(nodes, view);
    let n = nodes as usize;
    let rows = sel.ids.len();
    let mut clocks = vec![vec![0u64; n]; n];
    let mut events = Vec::new();
    let mut messages: Vec<(SpacetimeMessage, bool)> = Vec::new();
    let mut by_id: BTreeMap<u64, usize> = BTreeMap::new();
    let mut prev: Option<&Record> = None;
    let mut faults = Faults::default();
    for r in records.iter() {
        if let Record::Fault {
            t,
            fault,
            action,
            detail,
        } = r
        {
            faults.record(*t, *fault, action, detail, plan, &sel);
            continue;
        }
        if !sel.keeps(r) {
            continue;
        }
        match r {
            Record::Clock { t, node, set } if *t < sel.from_ns => {
                // Before the window: only the clock's value counts.
                for &(i, v) in set {
                    clocks[*node as usize][i as usize] = v;
                }
                continue;
            }
            Record::Clock { t, node, set } => {
                let vc = &mut clocks[*node as usize];
                for &(i, v) in set {
                    vc[i as usize] = v;
                }
                let write =
                    matches!(prev, Some(Record::Write { t: wt, node: wn, .. }) if wt == t && wn == node);
                // A receipt's clock record follows its `receive` record.
                let hidden_peer = matches!(prev, Some(Record::Receive { t: rt, from, to, .. })
                    if rt == t && to == node && sel.row(*from).is_none());
                let mut label = String::new();
                if nodes <= LABEL_NODES {
                    label.push('[');
                    for (i, v) in vc.iter().enumerate() {
                        if i > 0 {
                            label.push(',');
                        }
                        let _ = write!(label, "{v}");
                    }
                    label.push(']');
                }
                events.push(SpacetimeEvent {
                    node: sel.row(*node).expect("kept"),
                    time_s: secs(*t),
                    label,
                    write,
                    hidden_peer,
                });
            }
            Record::Send { t, from, to, .. } if sel.row(*to).is_none() => {
                // A send's clock record comes right before its `send` record.
                if matches!(prev, Some(Record::Clock { t: ct, node, .. }) if ct == t && node == from) {
                    if let Some(e) = events.last_mut() {
                        e.hidden_peer = true;
                    }
                }
            }
            Record::Receive { from, .. } if sel.row(*from).is_none() => {}
            Record::Send {
                t,
                id,
                from,
                to,
                kind,
                ..
            } => {
                by_id.insert(*id, messages.len());
                let m = SpacetimeMessage {
                    from: sel.row(*from).expect("kept"),
                    to: sel.row(*to).expect("kept"),
                    send_s: secs(*t),
                    recv_s: None,
                    drop_s: None,
                    kind: kind.to_string(),
                };
                messages.push((m, false));
            }
            Record::Receive { t, id, .. } => {
                if let Some(&i) = by_id.get(id) {
                    if messages[i].0.recv_s.is_none() {
                        messages[i].0.recv_s = Some(secs(*t));
                    } else {
                        let mut copy = messages[i].0.clone();
                        copy.recv_s = Some(secs(*t));
                        messages.push((copy, false));
                    }
                }
            }
            Record::Drop { t, id, .. } => {
                if let Some(&i) = by_id.get(id) {
                    if messages[i].0.recv_s.is_none() {
                        messages[i].1 = true;
                        // Dropped on arrival (later than its send), not lost.
                        let at = secs(*t);
                        if at > messages[i].0.send_s {
                            messages[i].0.drop_s = Some(at);
                        }
                    }
                }
            }
            _ => {}
        }
        prev = Some(r);
    }
    let mut messages: Vec<SpacetimeMessage> = messages
        .into_iter()
        .filter(|(m, dropped)| m.recv_s.is_some() || *dropped)
        .map(|(m, _)| m)
        .collect();

    let cut = |times: &mut Vec<f64>, max: usize| {
        times.sort_by(f64::total_cmp);
        times.get(max).copied()
    };
    let mut send_times: Vec<f64> = messages.iter().map(|m| m.send_s).collect();
    let mut event_times: Vec<f64> = events.iter().map(|e| e.time_s).collect();
    let cut_at_s = match (
        cut(&mut send_times, MAX_MESSAGES),
        cut(&mut event_times, MAX_EVENTS),
    ) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let Some(c) = cut_at_s {
        messages.retain(|m| m.send_s < c);
        events.retain(|e| e.time_s < c);
    }
    if events.len() > LABEL_EVENTS {
        for e in &mut events {
            e.label.clear();
        }
    }
    let end = sel.to_ns.min(end_ns).max(sel.from_ns);
    let window_s = (view.from_ns > 0 || view.to_ns.is_some()).then(|| (secs(sel.from_ns), secs(end)));
    Built {
        data: SpacetimeData {
            note: None,
            nodes: rows,
            names: sel.ids.iter().map(|i| format!("n{i}")).collect(),
            events,
            messages,
            faults: faults.finish(secs(sel.from_ns), secs(end)),
            window_s,
            cut_s: cut_at_s,
            end_s: Some(secs(end_ns)),
        },
        cut_at_s,
    }
}

/// The partitions, cuts, isolations and degradations of a `nodes`-node run
/// of `plan` (as [`build`] draws them, from the plan rather than the
/// trace, which a chart over time may not have), each from its start to
/// its heal or end, or to `end_ns` when still in force then.
pub fn planned_network_faults(nodes: u32, plan: &[Planned], end_ns: u64) -> Vec<SpacetimeFault> {
    let sel = Selection::new(
        nodes,
        &ResolvedView {
            nodes: None,
            from_ns: 0,
            to_ns: None,
        },
    );
    let mut faults = Faults::default();
    for p in plan.iter().filter(|p| p.at.0 <= end_ns) {
        faults.record(p.at.0, p.fault, p.action.name(), &p.detail, plan, &sel);
    }
    faults
        .finish(0.0, secs(end_ns))
        .into_iter()
        .filter(|f| matches!(f, SpacetimeFault::Network { .. }))
        .collect()
}

/// Faults in force, and those that ended, as the records go by.
#[derive(Debug, Default)]
struct Faults {
    /// Cuts in force: name, start (ns), label.
    cuts: Vec<(Option<String>, u64, String)>,
    /// Degradations in force: id, start, label.
    degraded: Vec<(u32, u64, String)>,
    /// Lines down since.
    down: BTreeMap<usize, u64>,
    done: Vec<SpacetimeFault>,
}

impl Faults {
    fn record(&mut self, t: u64, fault: u32, action: &str, detail: &str, plan: &[Planned], sel: &Selection) {
        let planned = plan
            .iter()
            .find(|p| p.fault == fault && p.action.name() == action)
            .map(|p| &p.action);
        match planned {
            Some(Action::Cut { name, .. }) => {
                let label = if detail.starts_with("isolate") {
                    detail.to_string()
                } else {
                    format!("{action} {detail}")
                };
                self.cuts.push((name.clone(), t, label));
            }
            Some(Action::Heal { name }) => {
                let (healed, kept) = std::mem::take(&mut self.cuts)
                    .into_iter()
                    .partition(|(n, _, _)| name.is_none() || n == name);
                self.cuts = kept;
                for (_, from, label) in healed {
                    self.network(from, t, label, false);
                }
            }
            Some(Action::DegradeStart { id, .. }) => {
                let what = detail.split(':').next().unwrap_or_default();
                self.degraded.push((*id, t, format!("degraded {what}")));
            }
            Some(Action::DegradeEnd { id }) => {
                if let Some(i) = self.degraded.iter().position(|d| d.0 == *id) {
                    let (_, from, label) = self.degraded.remove(i);
                    self.network(from, t, label, true);
                }
            }
            Some(Action::Crash { node, .. }) => {
                if let Some(row) = sel.row(*node) {
                    self.down.entry(row).or_insert(t);
                }
            }
            Some(Action::Restart { node }) => {
                if let Some((row, from)) = sel.row(*node).and_then(|r| self.down.remove(&r).map(|f| (r, f))) {
                    self.done.push(SpacetimeFault::Down {
                        node: row,
                        from_s: secs(from),
                        to_s: secs(t),
                    });
                }
            }
            Some(Action::ClockStep { node, .. }) => {
                if let Some(row) = sel.row(*node) {
                    self.done.push(SpacetimeFault::ClockStep {
                        node: row,
                        time_s: secs(t),
                    });
                }
            }
            None => {}
        }
    }

    fn network(&mut self, from: u64, to: u64, label: String, degraded: bool) {
        self.done.push(SpacetimeFault::Network {
            from_s: secs(from),
            to_s: secs(to),
            label,
            degraded,
        });
    }

    /// Every fault, those still in force ending at `end_s`, in the order
    /// they began: those that begin in `[from_s, end_s]` or began before
    /// and end after `from_s`, ending at `end_s` at the latest; one that
    /// began before `from_s` keeps its start.
    fn finish(mut self, from_s: f64, end_s: f64) -> Vec<SpacetimeFault> {
        let end = (end_s * 1e9).round() as u64;
        for (_, from, label) in std::mem::take(&mut self.cuts) {
            self.network(from, end, label, false);
        }
        for (_, from, label) in std::mem::take(&mut self.degraded) {
            self.network(from, end, label, true);
        }
        // A node never restarted is down for good: the chart draws its
        // bar to the diagram's end, without a restart tick.
        for (node, from) in std::mem::take(&mut self.down) {
            self.done.push(SpacetimeFault::Down {
                node,
                from_s: secs(from),
                to_s: f64::INFINITY,
            });
        }
        let clip = |a: f64, b: f64| ((a >= from_s || b > from_s) && a <= end_s).then(|| (a, b.min(end_s)));
        let mut out: Vec<SpacetimeFault> = self
            .done
            .into_iter()
            .filter_map(|f| match f {
                SpacetimeFault::Network {
                    from_s: a,
                    to_s: b,
                    label,
                    degraded,
                } => clip(a, b).map(|(a, b)| SpacetimeFault::Network {
                    from_s: a,
                    to_s: b,
                    label,
                    degraded,
                }),
                SpacetimeFault::Down {
                    node,
                    from_s: a,
                    to_s: b,
                } => clip(a, b).map(|(a, _)| SpacetimeFault::Down {
                    // The restart keeps its time even past the end, so
                    // the chart can say the node stays down.
                    node,
                    from_s: a,
                    to_s: b,
                }),
                SpacetimeFault::ClockStep { node, time_s } => (from_s..=end_s)
                    .contains(&time_s)
                    .then_some(SpacetimeFault::ClockStep { node, time_s }),
            })
            .collect();
        let start = |f: &SpacetimeFault| match *f {
            SpacetimeFault::Network { from_s, .. } | SpacetimeFault::Down { from_s, .. } => from_s,
            SpacetimeFault::ClockStep { time_s, .. } => time_s,
        };
        out.sort_by(|a, b| start(a).total_cmp(&start(b)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{CutShape, NodeSet};
    use crate::time::SimTime;
    use std::borrow::Cow;

    fn everything() -> ResolvedView {
        ResolvedView {
            nodes: None,
            from_ns: 0,
            to_ns: None,
        }
    }

    fn message(kind: &str, t: u64, id: u64, from: u32, to: u32) -> Record {
        let k = Cow::Owned(kind.to_string());
        match kind {
            "send" => Record::Send {
                t,
                lt: t,
                id,
                from,
                to,
                kind: Cow::Borrowed("syn"),
                bytes: 1,
            },
            "receive" => Record::Receive {
                t,
                lt: t,
                id,
                from,
                to,
                kind: Cow::Borrowed("syn"),
                bytes: 1,
            },
            _ => Record::Drop {
                t,
                id,
                from,
                to,
                kind: Cow::Borrowed("syn"),
                bytes: 1,
                reason: k,
            },
        }
    }

    fn fault(t: u64, fault: u32, action: &'static str, detail: &str) -> Record {
        Record::Fault {
            t,
            fault,
            action: Cow::Borrowed(action),
            detail: detail.into(),
        }
    }

    /// Four nodes: messages 0→1 at 10 (arrives 20), 1→3 at 30 (arrives 40),
    /// 3→2 at 50 (arrives 60), 1→3 at 70 (arrives 80); a partition at 25
    /// healed at 65, node 3 down from 45 to 75, a clock step of node 0 at 5.
    /// Drawing nodes 1 and 3 in [25, 75): only the 1→3 message sent at 30
    /// (the one at 70 arrives after the window), on two lines named n1, n3;
    /// the partition from 25 to 65, node 3 (line 1) down from 45 to 75, the
    /// clock step of node 0 not at all.
    #[test]
    fn a_subset_and_a_window() {
        let records = vec![
            fault(5, 0, "clock-step", "node 0 by 1ms"),
            message("send", 10, 0, 0, 1),
            message("receive", 20, 0, 0, 1),
            fault(25, 1, "partition", "0-1 | 2-3"),
            message("send", 30, 1, 1, 3),
            message("receive", 40, 1, 1, 3),
            fault(45, 2, "crash", "node 3, state kept"),
            message("send", 50, 2, 3, 2),
            message("receive", 60, 2, 3, 2),
            fault(65, 3, "heal", "all"),
            message("send", 70, 3, 1, 3),
            fault(75, 4, "restart", "node 3"),
            message("receive", 80, 3, 1, 3),
        ];
        let plan = vec![
            Planned {
                at: SimTime(5),
                fault: 0,
                action: Action::ClockStep { node: 0, by_ns: 1 },
                detail: String::new(),
            },
            Planned {
                at: SimTime(25),
                fault: 1,
                action: Action::Cut {
                    name: None,
                    shape: CutShape::Sides(vec![0, 0, 1, 1]),
                },
                detail: String::new(),
            },
            Planned {
                at: SimTime(45),
                fault: 2,
                action: Action::Crash { node: 3, lost: false },
                detail: String::new(),
            },
            Planned {
                at: SimTime(65),
                fault: 3,
                action: Action::Heal { name: None },
                detail: String::new(),
            },
            Planned {
                at: SimTime(75),
                fault: 4,
                action: Action::Restart { node: 3 },
                detail: String::new(),
            },
        ];
        let view = ResolvedView {
            nodes: Some(vec![1, 3]),
            from_ns: 25,
            to_ns: Some(75),
        };
        let d = build(4, &records, &view, &plan, 80).data;
        assert_eq!(
            (d.nodes, d.names.clone()),
            (2, vec!["n1".to_string(), "n3".to_string()])
        );
        assert_eq!(d.messages.len(), 1);
        let m = &d.messages[0];
        assert_eq!((m.from, m.to, m.send_s, m.recv_s), (0, 1, 30e-9, Some(40e-9)));
        assert_eq!(d.window_s, Some((25e-9, 75e-9)));
        assert_eq!(
            d.faults,
            vec![
                SpacetimeFault::Network {
                    from_s: 25e-9,
                    to_s: 65e-9,
                    label: "partition 0-1 | 2-3".into(),
                    degraded: false,
                },
                SpacetimeFault::Down {
                    node: 1,
                    from_s: 45e-9,
                    to_s: 75e-9,
                },
            ]
        );

        // The whole run: every line, all four messages, the clock step, and
        // the partition and the crash as they were.
        let d = build(4, &records, &everything(), &plan, 80).data;
        assert_eq!((d.nodes, d.messages.len(), d.window_s), (4, 4, None));
        assert_eq!(d.faults.len(), 3);
        assert_eq!(
            d.faults[0],
            SpacetimeFault::ClockStep {
                node: 0,
                time_s: 5e-9
            }
        );
        assert!(matches!(d.faults[2], SpacetimeFault::Down { node: 3, to_s, .. } if to_s == 75e-9));
    }

    /// Drawing nodes 0 and 1 of three in [20, 40]: node 0's send to node 2
    /// at 20 and node 1's receipt from node 2 at 40 (the window's ends, both
    /// included) are events marked `hidden_peer`, without messages; node
    /// 0's send to node 1 at 30 is an ordinary event and a message (received
    /// at 40); the partition from 10 to 35 keeps its start.
    #[test]
    fn messages_to_nodes_not_drawn_and_the_window_s_ends() {
        let clock = |t, node| Record::Clock {
            t,
            node,
            set: vec![(node, t)],
        };
        let records = vec![
            fault(10, 0, "partition", "0 | 1"),
            clock(20, 0),
            message("send", 20, 0, 0, 2),
            clock(30, 0),
            message("send", 30, 1, 0, 1),
            fault(35, 1, "heal", "all"),
            message("receive", 40, 1, 0, 1),
            clock(40, 1),
            message("receive", 40, 2, 2, 1),
            clock(40, 1),
            clock(41, 1),
        ];
        let plan = vec![
            Planned {
                at: SimTime(10),
                fault: 0,
                action: Action::Cut {
                    name: None,
                    shape: CutShape::Sides(vec![0, 1, 0]),
                },
                detail: String::new(),
            },
            Planned {
                at: SimTime(35),
                fault: 1,
                action: Action::Heal { name: None },
                detail: String::new(),
            },
        ];
        let view = ResolvedView {
            nodes: Some(vec![0, 1]),
            from_ns: 20,
            to_ns: Some(40),
        };
        let d = build(3, &records, &view, &plan, 50).data;
        let events: Vec<(usize, f64, bool)> = d
            .events
            .iter()
            .map(|e| (e.node, e.time_s, e.hidden_peer))
            .collect();
        assert_eq!(
            events,
            vec![
                (0, 20e-9, true),
                (0, 30e-9, false),
                (1, 40e-9, false),
                (1, 40e-9, true)
            ]
        );
        assert_eq!(d.messages.len(), 1);
        assert_eq!((d.messages[0].send_s, d.messages[0].recv_s), (30e-9, Some(40e-9)));
        assert_eq!(d.window_s, Some((20e-9, 40e-9)));
        assert_eq!(
            d.faults,
            vec![SpacetimeFault::Network {
                from_s: 10e-9,
                to_s: 35e-9,
                label: "partition 0 | 1".into(),
                degraded: false,
            }]
        );
        // A window from the heal on: the partition is over.
        let view = ResolvedView {
            nodes: None,
            from_ns: 35,
            to_ns: None,
        };
        assert_eq!(build(3, &records, &view, &plan, 50).data.faults, vec![]);
    }

    /// A named cut stays when another name heals; what is still in force at
    /// the end is drawn to the end.
    #[test]
    fn heals_by_name_and_faults_in_force_at_the_end() {
        let records = vec![
            fault(10, 0, "cut", "0 -> 1"),
            fault(20, 1, "partition", "0 | 1"),
            fault(30, 2, "heal", "\"b\""),
            fault(40, 3, "crash", "node 1, state lost"),
        ];
        let plan: Vec<Planned> = [
            Action::Cut {
                name: Some("a".into()),
                shape: CutShape::OneWay {
                    from: NodeSet::new(2, &[0]),
                    to: NodeSet::new(2, &[1]),
                },
            },
            Action::Cut {
                name: Some("b".into()),
                shape: CutShape::Sides(vec![0, 1]),
            },
            Action::Heal {
                name: Some("b".into()),
            },
            Action::Crash { node: 1, lost: true },
        ]
        .into_iter()
        .enumerate()
        .map(|(i, action)| Planned {
            at: SimTime(records[i].time()),
            fault: i as u32,
            action,
            detail: String::new(),
        })
        .collect();
        let d = build(2, &records, &everything(), &plan, 50).data;
        let spans: Vec<(f64, f64, &str)> = d
            .faults
            .iter()
            .filter_map(|f| match f {
                SpacetimeFault::Network {
                    from_s, to_s, label, ..
                } => Some((*from_s, *to_s, label.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            spans,
            vec![(10e-9, 50e-9, "cut 0 -> 1"), (20e-9, 30e-9, "partition 0 | 1")]
        );
        // A node never restarted is down for good (no restart to draw).
        assert!(d.faults.contains(&SpacetimeFault::Down {
            node: 1,
            from_s: 40e-9,
            to_s: f64::INFINITY
        }));
    }

    /// DESIGN.md §1: P = n0 writes ([1,0]), sends to Q = n1 ([2,0]); Q
    /// receives: max([0,0], [2,0]) then tick: [2,1].
    #[test]
    fn the_two_node_example() {
        let records = vec![
            Record::Write {
                t: 0,
                lt: 0,
                node: 0,
                key: 0,
                version: 1,
                value: 7,
            },
            Record::Clock {
                t: 0,
                node: 0,
                set: vec![(0, 1)],
            },
            Record::Clock {
                t: 5,
                node: 0,
                set: vec![(0, 2)],
            },
            Record::Send {
                t: 5,
                lt: 5,
                id: 0,
                from: 0,
                to: 1,
                kind: Cow::Borrowed("syn"),
                bytes: 56,
            },
            Record::Receive {
                t: 15,
                lt: 15,
                id: 0,
                from: 0,
                to: 1,
                kind: Cow::Borrowed("syn"),
                bytes: 56,
            },
            Record::Clock {
                t: 15,
                node: 1,
                set: vec![(0, 2), (1, 1)],
            },
        ];
        let b = build(2, &records, &everything(), &[], 15);
        let labels: Vec<(usize, &str, bool)> = b
            .data
            .events
            .iter()
            .map(|e| (e.node, e.label.as_str(), e.write))
            .collect();
        assert_eq!(
            labels,
            vec![(0, "[1,0]", true), (0, "[2,0]", false), (1, "[2,1]", false)]
        );
        assert_eq!(b.data.messages.len(), 1);
        assert_eq!(b.data.messages[0].recv_s, Some(15e-9));
        assert_eq!(b.cut_at_s, None);

        // A window from 5 on node 0, and from 10 on node 1: a clock record
        // lists only what changed ([1,0] at 0 set only entry 0, and the
        // receipt at 15 only entries 0 and 1), so the labels are the
        // clocks with everything before the window counted, as above.
        let window = |from_ns, nodes| ResolvedView {
            nodes: Some(nodes),
            from_ns,
            to_ns: None,
        };
        let mut records = records;
        records.push(Record::Clock {
            t: 20,
            node: 0,
            set: vec![(0, 3)],
        });
        let labels = |from_ns, nodes| -> Vec<String> {
            build(2, &records, &window(from_ns, nodes), &[], 20)
                .data
                .events
                .iter()
                .map(|e| e.label.clone())
                .collect()
        };
        assert_eq!(labels(5, vec![0]), ["[2,0]", "[3,0]"]);
        assert_eq!(labels(16, vec![0, 1]), ["[3,0]"]);
        assert_eq!(labels(10, vec![1]), ["[2,1]"]);
    }

    #[test]
    fn in_flight_messages_are_left_out_and_drops_kept() {
        let send = |id, t| Record::Send {
            t,
            lt: t,
            id,
            from: 0,
            to: 1,
            kind: Cow::Borrowed("syn"),
            bytes: 1,
        };
        let records = vec![
            send(0, 1),
            send(1, 2),
            Record::Drop {
                t: 2,
                id: 1,
                from: 0,
                to: 1,
                kind: Cow::Borrowed("syn"),
                bytes: 1,
                reason: Cow::Borrowed("loss"),
            },
        ];
        let b = build(2, &records, &everything(), &[], 15);
        assert_eq!(b.data.messages.len(), 1);
        assert_eq!(b.data.messages[0].recv_s, None);
        assert_eq!(b.data.messages[0].send_s, 2e-9);
        assert_eq!(b.data.messages[0].drop_s, None, "lost at the send");
        // Dropped on arrival (a partition at 9 ns): the drop time is kept.
        let records = vec![
            send(0, 1),
            Record::Drop {
                t: 9,
                id: 0,
                from: 0,
                to: 1,
                kind: Cow::Borrowed("syn"),
                bytes: 1,
                reason: Cow::Borrowed("partition"),
            },
        ];
        let b = build(2, &records, &everything(), &[], 15);
        assert_eq!(b.data.messages[0].drop_s, Some(9e-9));
    }

    /// A hint for a run shorter than its rounded window ends at the run's end.
    #[test]
    fn dense_hints_stay_inside_the_run() {
        let data = SpacetimeData {
            nodes: 2,
            messages: (0..400)
                .map(|i| SpacetimeMessage {
                    from: 0,
                    to: 1,
                    send_s: i as f64 * 7e-6,
                    recv_s: Some(i as f64 * 7e-6 + 1e-6),
                    ..Default::default()
                })
                .collect(),
            end_s: Some(0.002999999),
            ..Default::default()
        };
        let hint = dense_hint(&data).unwrap();
        assert!(hint.contains("--from 0s --to 0.002999999s"), "{hint}");
    }

    /// A dense diagram gets a window holding about [`HINT_MESSAGES`]
    /// messages, worked out by hand: from the first fault, from the first
    /// message without one, and ending at the last message when few follow
    /// the fault; a diagram of [`DENSE_MESSAGES`] messages gets none.
    #[test]
    fn dense_diagrams_get_a_window_hint() {
        let data = |count: usize, fault_s: Option<f64>| SpacetimeData {
            nodes: 2,
            // One message every 10 ms from 0 s.
            messages: (0..count)
                .map(|i| SpacetimeMessage {
                    from: 0,
                    to: 1,
                    send_s: i as f64 / 100.0,
                    recv_s: Some(i as f64 / 100.0 + 0.005),
                    ..SpacetimeMessage::default()
                })
                .collect(),
            faults: fault_s
                .map(|t| SpacetimeFault::Down {
                    node: 1,
                    from_s: t,
                    to_s: t + 0.5,
                })
                .into_iter()
                .collect(),
            ..SpacetimeData::default()
        };
        assert_eq!(dense_hint(&data(DENSE_MESSAGES, Some(1.0))), None);
        // Messages 200..=349 from the fault at 2 s: 2 s to 3.49 s, rounded
        // out to tenths; the window then holds messages 200..=350.
        let hint = dense_hint(&data(400, Some(2.0))).expect("dense");
        assert!(
            hint.contains("400 messages")
                && hint.contains("--from 2s --to 3.5s (151 messages, the first fault"),
            "{hint}"
        );
        // No fault: from the first message, 0 s to 1.49 s, so 1.5 s.
        let hint = dense_hint(&data(400, None)).expect("dense");
        assert!(hint.contains("--from 0s --to 1.5s (151 messages)"), "{hint}");
        // A fault at 3.9 s has 10 messages after it: the last 150 (2.5 s
        // to 3.99 s, so 4 s), which include it.
        let hint = dense_hint(&data(400, Some(3.9))).expect("dense");
        assert!(
            hint.contains("--from 2.5s --to 4s (150 messages, the first fault"),
            "{hint}"
        );
    }
}
