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

use crate::chart::{SpacetimeData, SpacetimeEvent, SpacetimeMessage, MAX_EVENTS, MAX_MESSAGES};
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

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// Builds the diagram of a `nodes`-node run from its records.
pub fn build(nodes: u32, records: &[Record]) -> Built {
    let n = nodes as usize;
    let mut clocks = vec![vec![0u64; n]; n];
    let mut events = Vec::new();
    let mut messages: Vec<(SpacetimeMessage, bool)> = Vec::new();
    let mut by_id: BTreeMap<u64, usize> = BTreeMap::new();
    let mut prev: Option<&Record> = None;
    for r in records {
        match r {
            Record::Clock { t, node, set } => {
                let vc = &mut clocks[*node as usize];
                for &(i, v) in set {
                    vc[i as usize] = v;
                }
                let write =
                    matches!(prev, Some(Record::Write { t: wt, node: wn, .. }) if wt == t && wn == node);
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
                    node: *node as usize,
                    time_s: secs(*t),
                    label,
                    write,
                });
            }
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
                    from: *from as usize,
                    to: *to as usize,
                    send_s: secs(*t),
                    recv_s: None,
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
            Record::Drop { id, .. } => {
                if let Some(&i) = by_id.get(id) {
                    if messages[i].0.recv_s.is_none() {
                        messages[i].1 = true;
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
    Built {
        data: SpacetimeData {
            nodes: n,
            events,
            messages,
        },
        cut_at_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

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
        let b = build(2, &records);
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
        let b = build(2, &records);
        assert_eq!(b.data.messages.len(), 1);
        assert_eq!(b.data.messages[0].recv_s, None);
        assert_eq!(b.data.messages[0].send_s, 2e-9);
    }
}
