//! Records as readable lines (`scuttlesim trace`), and the filter the
//! command applies: `  1.020s  n1   version  origin 0: 0 -> 1 (msg 7)`.

use crate::check::secs;
use crate::trace::{Cause, LocalCause, Record};
use std::collections::BTreeSet;
use std::fmt::Write;

/// The record types, as written in the `type` field.
pub const RECORD_TYPES: &[&str] = &[
    "write", "version", "defer", "send", "receive", "drop", "fault", "clock",
];

/// The record types a trace below level `full` keeps (those of level
/// `versions`): it has no messages.
pub const VERSIONS_RECORD_TYPES: &[&str] = &["write", "version", "defer", "fault"];

/// Which records to print. Every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Records about these nodes (sorted ids): their writes, version and
    /// clock changes, and the messages they sent or received (faults, which
    /// concern the whole cluster, always pass).
    pub nodes: Option<Vec<u32>>,
    /// Records at or after this time, ns.
    pub from_ns: Option<u64>,
    /// Records at or before this time, ns.
    pub to_ns: Option<u64>,
    /// Record types (`version`, …) or message kinds (`syn`, …); empty: all.
    pub kinds: Vec<String>,
    /// Records about writes of these nodes (sorted ids): their write and
    /// defer records, and version records whose origin is one of them
    /// (faults always pass; other records do not).
    pub origins: Option<Vec<u32>>,
    /// Write and defer records of these keys (sorted key indices); other
    /// records are not filtered by key (version records carry none).
    pub keys: Option<Vec<u32>>,
}

impl Filter {
    /// Whether `r` passes.
    pub fn matches(&self, r: &Record) -> bool {
        let t = r.time();
        if self.from_ns.is_some_and(|f| t < f) || self.to_ns.is_some_and(|to| t > to) {
            return false;
        }
        let about = |n: u32| {
            self.nodes
                .as_ref()
                .is_none_or(|ids| ids.binary_search(&n).is_ok())
        };
        let (node_ok, kind) = match r {
            Record::Send { from, to, kind, .. }
            | Record::Receive { from, to, kind, .. }
            | Record::Drop { from, to, kind, .. } => (about(*from) || about(*to), Some(kind.as_ref())),
            Record::Fault { .. } => (true, None),
            _ => (about(r.node()), None),
        };
        let listed =
            |list: &Option<Vec<u32>>, n: u32| list.as_ref().is_none_or(|l| l.binary_search(&n).is_ok());
        let write_ok = match r {
            Record::Write { node, key, .. } | Record::Defer { node, key, .. } => {
                listed(&self.origins, *node) && listed(&self.keys, *key)
            }
            Record::Version { origin, .. } => listed(&self.origins, *origin),
            Record::Fault { .. } => true,
            _ => self.origins.is_none(),
        };
        node_ok
            && write_ok
            && (self.kinds.is_empty()
                || self
                    .kinds
                    .iter()
                    .any(|k| k == r.type_name() || Some(k.as_str()) == kind))
    }
}

/// A version `generation << 32 | counter`: the counter alone in generation
/// 0, else `generation:counter`.
pub fn version_text(v: u64) -> String {
    match v >> 32 {
        0 => v.to_string(),
        g => format!("{g}:{}", v & 0xffff_ffff),
    }
}

/// Tells the second fate of a message (a duplicate's copy) from its
/// first, as the Chrome export does: a receive or drop of a message id no
/// longer in flight (already received or dropped) is a copy. Only messages
/// in flight are held. It also tells a drop at send from one on arrival:
/// the run writes a drop at send right after that message's `send` record,
/// so a drop that does not follow its own send happened on arrival.
#[derive(Clone, Debug, Default)]
pub struct Copies {
    in_flight: BTreeSet<u64>,
    /// The id of the record before, if it was a `send`.
    last_send: Option<u64>,
}

/// What [`Copies::fate`] tells about a record.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Fate {
    /// A receive or drop of a duplicate's copy (the message's second fate).
    pub copy: bool,
    /// A drop on arrival at the receiver rather than at send.
    pub on_arrival: bool,
}

impl Copies {
    /// Notes `r` (records in trace order); whether it is a copy's receive
    /// or drop.
    pub fn is_copy(&mut self, r: &Record) -> bool {
        self.fate(r).copy
    }

    /// Notes `r` (records in trace order); whether it is a copy's receive
    /// or drop, and whether a drop happened on arrival.
    pub fn fate(&mut self, r: &Record) -> Fate {
        let last_send = self.last_send.take();
        match r {
            Record::Send { id, .. } => {
                self.in_flight.insert(*id);
                self.last_send = Some(*id);
                Fate::default()
            }
            Record::Receive { id, .. } => Fate {
                copy: !self.in_flight.remove(id),
                on_arrival: false,
            },
            Record::Drop { id, .. } => Fate {
                copy: !self.in_flight.remove(id),
                on_arrival: last_send != Some(*id),
            },
            _ => Fate::default(),
        }
    }
}

/// One readable line for `r`; node names padded to `node_width` characters.
pub fn describe(r: &Record, node_width: usize) -> String {
    describe_as(r, node_width, false)
}

/// As [`describe`], a receive or drop marked `(copy)` after the message id
/// where `copy` (see [`Copies`]).
pub fn describe_as(r: &Record, node_width: usize, copy: bool) -> String {
    describe_fate(
        r,
        node_width,
        Fate {
            copy,
            on_arrival: false,
        },
    )
}

/// As [`describe`], with what [`Copies::fate`] tells: a receive or drop
/// marked `(copy)` after the message id, and a `partition` drop (a
/// partition, cut or isolation) that happened on arrival said to be lost
/// on arrival. A `crash` drop is always on arrival; `loss` and `queue`
/// drops always at send.
pub fn describe_fate(r: &Record, node_width: usize, fate: Fate) -> String {
    let copy = if fate.copy { " (copy)" } else { "" };
    let mut o = String::new();
    let node = match r {
        Record::Fault { .. } => "-".to_string(),
        _ => format!("n{}", r.node()),
    };
    let _ = write!(
        o,
        "{:>8}  {node:<node_width$}  {:<7}  ",
        secs(r.time()),
        r.type_name()
    );
    let lt = match r {
        Record::Write {
            lt,
            key,
            version,
            value,
            ..
        } => {
            let _ = write!(o, "key {key} = {value} (version {})", version_text(*version));
            Some(*lt)
        }
        Record::Version {
            lt,
            origin,
            old,
            new,
            cause,
            ..
        } => {
            let _ = write!(
                o,
                "origin {origin}: {} -> {} ",
                version_text(*old),
                version_text(*new)
            );
            let _ = match cause {
                Cause::Message(id) => write!(o, "(msg {id})"),
                Cause::Local(LocalCause::Write) => write!(o, "(write)"),
                Cause::Local(LocalCause::Restart) => write!(o, "(restart, state lost)"),
            };
            Some(*lt)
        }
        Record::Send {
            lt,
            id,
            to,
            kind,
            bytes,
            ..
        } => {
            let _ = write!(o, "{kind} #{id} -> n{to}, {bytes} B");
            Some(*lt)
        }
        Record::Receive {
            lt,
            id,
            from,
            kind,
            bytes,
            ..
        } => {
            let _ = write!(o, "{kind} #{id}{copy} <- n{from}, {bytes} B");
            Some(*lt)
        }
        Record::Drop {
            id,
            to,
            kind,
            bytes,
            reason,
            ..
        } => {
            // A `crash` drop happens at the receiver, on arrival: say whose.
            // A `partition` drop happens at send or, for a message in
            // flight when the cut came, on arrival: say which.
            if reason == "crash" {
                let _ = write!(
                    o,
                    "{kind} #{id}{copy} -> n{to}, {bytes} B lost on arrival (crash: n{to} down)"
                );
            } else if reason == "partition" && fate.on_arrival {
                let _ = write!(
                    o,
                    "{kind} #{id}{copy} -> n{to}, {bytes} B lost on arrival (partition)"
                );
            } else {
                let _ = write!(o, "{kind} #{id}{copy} -> n{to}, {bytes} B lost ({reason})");
            }
            None
        }
        Record::Clock { set, .. } => {
            let parts: Vec<String> = set.iter().map(|(i, v)| format!("n{i}={v}")).collect();
            o.push_str(&parts.join(" "));
            None
        }
        Record::Defer {
            lt,
            key,
            value,
            backlog,
            ..
        } => {
            let _ = write!(o, "key {key} = {value} waits (backlog {backlog})");
            Some(*lt)
        }
        Record::Fault {
            fault,
            action,
            detail,
            ..
        } => {
            let _ = write!(o, "{action} (faults[{fault}])");
            if !detail.is_empty() {
                let _ = write!(o, " {detail}");
            }
            None
        }
    };
    if let Some(lt) = lt.filter(|&lt| lt != r.time()) {
        let _ = write!(o, "  (local {})", secs(lt));
    }
    o
}

#[cfg(test)]
mod tests {
    /// The type lists agree with the records: every type once, and the
    /// `versions` ones exactly those of that level.
    #[test]
    fn record_type_lists_match_the_records() {
        let records = crate::trace::tests::every_record_type();
        let mut names: Vec<&str> = records.iter().map(|r| r.type_name()).collect();
        names.sort();
        names.dedup();
        let mut all = super::RECORD_TYPES.to_vec();
        all.sort();
        assert_eq!(names, all);
        for r in &records {
            assert_eq!(
                super::VERSIONS_RECORD_TYPES.contains(&r.type_name()),
                r.level() == crate::scenario::TraceLevel::Versions,
                "{}",
                r.type_name()
            );
        }
    }

    use super::*;

    #[test]
    fn lines_by_hand() {
        let v = Record::Version {
            t: 1_020_000_000,
            lt: 1_020_000_000,
            node: 1,
            origin: 0,
            old: 0,
            new: 1,
            cause: Cause::Message(7),
        };
        assert_eq!(describe(&v, 2), "  1.020s  n1  version  origin 0: 0 -> 1 (msg 7)");
        let s = Record::Send {
            t: 12_345_678_901,
            lt: 12_346_000_000,
            id: 9,
            from: 3,
            to: 12,
            kind: "syn".into(),
            bytes: 48,
        };
        assert_eq!(
            describe(&s, 3),
            " 12.345s  n3   send     syn #9 -> n12, 48 B  (local 12.346s)"
        );
        let drop = |reason: &'static str| Record::Drop {
            t: 16_000_000_000,
            id: 9,
            from: 6,
            to: 3,
            kind: "syn".into(),
            bytes: 48,
            reason: reason.into(),
        };
        assert!(describe(&drop("loss"), 1).ends_with("syn #9 -> n3, 48 B lost (loss)"));
        assert!(
            describe(&drop("crash"), 1).ends_with("syn #9 -> n3, 48 B lost on arrival (crash: n3 down)"),
            "the receiver was down, not the sender"
        );
        let f = Filter {
            nodes: Some(vec![12]),
            kinds: vec!["syn".into()],
            ..Filter::default()
        };
        assert!(f.matches(&s));
        assert!(!f.matches(&v));
        // Several nodes: a record about any of them passes.
        let f = |ids: &[u32]| Filter {
            nodes: Some(ids.to_vec()),
            ..Filter::default()
        };
        assert!(f(&[1, 3]).matches(&s) && f(&[1, 5]).matches(&v) && f(&[0, 12]).matches(&s));
        assert!(!f(&[0, 2, 4]).matches(&s) && !f(&[0, 12]).matches(&v));
        let f = Filter {
            from_ns: Some(1_020_000_001),
            ..Filter::default()
        };
        assert!(!f.matches(&v) && f.matches(&s));
    }

    /// `origins` keeps the writes of those nodes and the version records
    /// about them (and faults); `keys` filters writes only.
    #[test]
    fn origins_and_keys() {
        let write = |node, key| Record::Write {
            t: 1,
            lt: 1,
            node,
            key,
            version: 1,
            value: 5,
        };
        let version = |node, origin| Record::Version {
            t: 1,
            lt: 1,
            node,
            origin,
            old: 0,
            new: 1,
            cause: Cause::Message(7),
        };
        let send = Record::Send {
            t: 1,
            lt: 1,
            id: 7,
            from: 6,
            to: 2,
            kind: "syn".into(),
            bytes: 48,
        };
        let fault = Record::Fault {
            t: 1,
            fault: 0,
            action: "crash".into(),
            detail: "node 6, state kept".into(),
        };
        let f = Filter {
            origins: Some(vec![0, 6]),
            ..Filter::default()
        };
        assert!(f.matches(&write(6, 0)) && f.matches(&version(2, 6)) && f.matches(&fault));
        assert!(!f.matches(&write(2, 0)) && !f.matches(&version(6, 2)) && !f.matches(&send));
        let f = Filter {
            keys: Some(vec![1]),
            ..Filter::default()
        };
        assert!(f.matches(&write(2, 1)) && !f.matches(&write(2, 0)));
        assert!(
            f.matches(&version(2, 6)) && f.matches(&send),
            "only writes have keys"
        );
    }

    /// A message's second receive or drop is a copy, and says so after its
    /// id; its first is not.
    #[test]
    fn a_duplicates_second_fate_is_a_copy() {
        let send = Record::Send {
            t: 1,
            lt: 1,
            id: 7,
            from: 0,
            to: 2,
            kind: "syn".into(),
            bytes: 48,
        };
        let receive = Record::Receive {
            t: 2,
            lt: 2,
            id: 7,
            from: 0,
            to: 2,
            kind: "syn".into(),
            bytes: 48,
        };
        let drop = Record::Drop {
            t: 3,
            id: 7,
            from: 0,
            to: 2,
            kind: "syn".into(),
            bytes: 48,
            reason: "crash".into(),
        };
        let mut c = Copies::default();
        assert!(!c.is_copy(&send) && !c.is_copy(&receive));
        assert!(c.is_copy(&receive) && c.is_copy(&drop));
        assert!(describe_as(&receive, 2, true).ends_with("syn #7 (copy) <- n0, 48 B"));
        assert!(describe_as(&drop, 2, true).contains("syn #7 (copy) -> n2, 48 B lost on arrival"));
        assert_eq!(describe_as(&receive, 2, false), describe(&receive, 2));
    }

    /// A `partition` drop right after its message's `send` record was at
    /// send; one later (another record between) was on arrival, and says
    /// so. Other reasons keep their words.
    #[test]
    fn a_partition_drop_on_arrival_says_so() {
        let send = |id, t| Record::Send {
            t,
            lt: t,
            id,
            from: 0,
            to: 1,
            kind: "syn".into(),
            bytes: 48,
        };
        let drop = |id, t, reason: &'static str| Record::Drop {
            t,
            id,
            from: 0,
            to: 1,
            kind: "syn".into(),
            bytes: 48,
            reason: reason.into(),
        };
        let mut c = Copies::default();
        let line = |c: &mut Copies, r: &Record| describe_fate(r, 2, c.fate(r));
        line(&mut c, &send(1, 10));
        assert!(line(&mut c, &drop(1, 10, "partition")).ends_with("#1 -> n1, 48 B lost (partition)"));
        line(&mut c, &send(2, 20));
        line(&mut c, &send(3, 30));
        assert!(
            line(&mut c, &drop(2, 40, "partition")).ends_with("#2 -> n1, 48 B lost on arrival (partition)")
        );
        // At the same instant as its send (no latency) but not right after it.
        assert!(line(&mut c, &drop(3, 30, "partition")).ends_with("lost on arrival (partition)"));
        line(&mut c, &send(4, 50));
        assert!(line(&mut c, &drop(4, 50, "loss")).ends_with("lost (loss)"));
    }

    /// A fault without a detail (a degradation's end, as recorded) ends
    /// with its index, no trailing space.
    #[test]
    fn a_fault_without_detail_has_no_trailing_space() {
        let f = Record::Fault {
            t: 7_000_000_000,
            fault: 6,
            action: "degrade-end".into(),
            detail: "".into(),
        };
        assert_eq!(describe(&f, 2), "  7.000s  -   fault    degrade-end (faults[6])");
    }
}
