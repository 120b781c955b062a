//! Checks: properties a run must have, written as `[[checks]]` in a
//! scenario, evaluated from the run's records after it ends.
//!
//! Each `[[checks]]` entry names exactly one check:
//!
//! ```toml
//! [[checks]]
//! converged_within = "20s"          # after the last write or recovery
//! [[checks]]
//! all_writes_delivered_by = "50s"   # absolute time
//! [[checks]]
//! max_bytes_per_node_per_s = 5000   # every node's bytes sent / run time
//! [[checks]]
//! no_lost_writes = true             # under the scenario's merge policy
//! [[checks]]
//! max_staleness = "5s"              # needs output.staleness = true
//! ```
//!
//! A check is evaluated from records (writes and version transitions, via
//! [`Observer`]) and from the metrics [`Collector`], never from protocol
//! internals, so a stored trace could re-evaluate it. A failed check says
//! which check, by how much, at which time and, where meaningful, at which
//! node ([`CheckResult`]). A check whose deadline lies beyond the end of the
//! run and that was not yet satisfied there fails as *inconclusive*: the run
//! cannot show it either way, and the detail says how to fix the scenario.
//!
//! [`run_checked`] runs a scenario with an observer and a stop flag in front
//! of any sink; `output`, `replay`, `explore` and `shrink` all go through it.

mod observe;

pub use observe::Observer;

use crate::export::text::version_text;
use crate::metrics::Collector;
use crate::node::VersionChange;
use crate::scenario::{Scenario, TraceLevel};
use crate::sim::{Outcome, Simulation};
use crate::time::{SimDuration, SimTime, NS_PER_S};
use crate::trace::{forget_version, version_record, Cause, Record, TraceSink};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

/// One `[[checks]]` entry: exactly one of the check fields is set (plus the
/// modifiers of that check). Validation rejects entries naming none or two.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Every write is held by every node within this time after the anchor
    /// (`after`, by default the last write).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converged_within: Option<SimDuration>,
    /// The anchor of `converged_within`; filled in (`last-write`) when the
    /// scenario is resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Anchor>,
    /// Every write made before this (absolute) time is held by every node at
    /// this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_writes_delivered_by: Option<SimDuration>,
    /// No node sends more than this many bytes per simulated second, on
    /// average over the run (bytes it sent ÷ the run's end time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes_per_node_per_s: Option<u64>,
    /// `true`: no write is lost at the end under the scenario's merge policy
    /// (`false`, which would check nothing, is refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_lost_writes: Option<bool>,
    /// No staleness sample (needs `output.staleness = true`) shows a mapping
    /// staler than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_staleness: Option<SimDuration>,
}

/// What `converged_within` counts from.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Anchor {
    /// The later of the last write and the last recovery (the default).
    #[default]
    LastWriteOrRecovery,
    /// The time of the last write of the run.
    LastWrite,
    /// The last recovery: a heal, a restart or the end of a degradation
    /// (the start of the run if there is none).
    LastRecovery,
}

impl Anchor {
    fn name(self) -> &'static str {
        match self {
            Anchor::LastWriteOrRecovery => "last-write-or-recovery",
            Anchor::LastWrite => "last-write",
            Anchor::LastRecovery => "last-recovery",
        }
    }
}

/// A check, as one of its kinds (what [`Check`] means once validated).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// `converged_within`.
    ConvergedWithin {
        /// The allowed time.
        within: SimDuration,
        /// Counted from.
        after: Anchor,
    },
    /// `all_writes_delivered_by`.
    AllWritesDeliveredBy(SimDuration),
    /// `max_bytes_per_node_per_s`.
    MaxBytesPerNodePerS(u64),
    /// `no_lost_writes` (`true` or `false`).
    NoLostWrites(bool),
    /// `max_staleness`.
    MaxStaleness(SimDuration),
}

/// The names of the check fields, in documentation order.
pub const CHECK_NAMES: &[&str] = &[
    "converged_within",
    "all_writes_delivered_by",
    "max_bytes_per_node_per_s",
    "no_lost_writes",
    "max_staleness",
];

impl Check {
    /// The check fields that are set, by name.
    fn named(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.converged_within.is_some() {
            v.push("converged_within");
        }
        if self.all_writes_delivered_by.is_some() {
            v.push("all_writes_delivered_by");
        }
        if self.max_bytes_per_node_per_s.is_some() {
            v.push("max_bytes_per_node_per_s");
        }
        if self.no_lost_writes.is_some() {
            v.push("no_lost_writes");
        }
        if self.max_staleness.is_some() {
            v.push("max_staleness");
        }
        v
    }

    /// The rule of a validated check.
    ///
    /// # Panics
    /// If the check names no check (validation rejects that).
    pub fn rule(&self) -> Rule {
        if let Some(within) = self.converged_within {
            Rule::ConvergedWithin {
                within,
                after: self.after.unwrap_or_default(),
            }
        } else if let Some(by) = self.all_writes_delivered_by {
            Rule::AllWritesDeliveredBy(by)
        } else if let Some(max) = self.max_bytes_per_node_per_s {
            Rule::MaxBytesPerNodePerS(max)
        } else if let Some(on) = self.no_lost_writes {
            Rule::NoLostWrites(on)
        } else if let Some(max) = self.max_staleness {
            Rule::MaxStaleness(max)
        } else {
            panic!("a validated check names one check")
        }
    }

    /// The check's name, e.g. `converged_within`.
    pub fn name(&self) -> &'static str {
        match self.rule() {
            Rule::ConvergedWithin { .. } => "converged_within",
            Rule::AllWritesDeliveredBy(_) => "all_writes_delivered_by",
            Rule::MaxBytesPerNodePerS(_) => "max_bytes_per_node_per_s",
            Rule::NoLostWrites(_) => "no_lost_writes",
            Rule::MaxStaleness(_) => "max_staleness",
        }
    }
}

impl fmt::Display for Check {
    /// As written in a scenario: `converged_within = "20s"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rule() {
            Rule::ConvergedWithin { within, after } => {
                write!(f, "converged_within = \"{within}\"")?;
                if after != Anchor::default() {
                    write!(f, ", after = \"{}\"", after.name())?;
                }
                Ok(())
            }
            Rule::AllWritesDeliveredBy(by) => write!(f, "all_writes_delivered_by = \"{by}\""),
            Rule::MaxBytesPerNodePerS(max) => write!(f, "max_bytes_per_node_per_s = {max}"),
            Rule::NoLostWrites(on) => write!(f, "no_lost_writes = {on}"),
            Rule::MaxStaleness(max) => write!(f, "max_staleness = \"{max}\""),
        }
    }
}

/// Fills in the defaults of every check (so the resolved scenario is explicit).
pub(crate) fn resolve(checks: &mut [Check]) {
    for c in checks {
        if c.converged_within.is_some() && c.after.is_none() {
            c.after = Some(Anchor::default());
        }
    }
}

/// Validates `checks` of scenario `s`; the error is `(field path, message)`.
pub(crate) fn validate(s: &Scenario) -> Result<(), (String, String)> {
    for (i, c) in s.checks.iter().enumerate() {
        let field = format!("checks[{i}]");
        let named = c.named();
        match named.as_slice() {
            [] => {
                return Err((
                    field,
                    format!("names no check: use one of {}", CHECK_NAMES.join(", ")),
                ))
            }
            [_] => {}
            [a, b, ..] => {
                return Err((
                    format!("{field}.{b}"),
                    format!(
                        "one check per [[checks]] entry: this one already has `{a}`; start another [[checks]]"
                    ),
                ))
            }
        }
        if c.after.is_some() && c.converged_within.is_none() {
            return Err((
                format!("{field}.after"),
                "only `converged_within` takes `after`".into(),
            ));
        }
        if let Some(by) = c.all_writes_delivered_by {
            if by > s.duration {
                return Err((
                    format!("{field}.all_writes_delivered_by"),
                    format!(
                        "{by} is after the end of the run ({}): the run could never show it",
                        s.duration
                    ),
                ));
            }
        }
        if c.max_staleness.is_some() && !s.output.staleness {
            return Err((
                format!("{field}.max_staleness"),
                "needs staleness samples: set `output.staleness = true` (sampled every `output.sample_interval`)"
                    .into(),
            ));
        }
        if c.no_lost_writes == Some(false) {
            // As `heal = false` in a fault: a flag that asks for nothing.
            return Err((
                format!("{field}.no_lost_writes"),
                "`no_lost_writes = false` checks nothing: write `no_lost_writes = true`, or leave this [[checks]] entry out"
                    .into(),
            ));
        }
        if c.max_bytes_per_node_per_s == Some(0) {
            return Err((
                format!("{field}.max_bytes_per_node_per_s"),
                "must be at least 1 (every gossip round sends bytes)".into(),
            ));
        }
    }
    Ok(())
}

/// The result of one check in one run (an entry of the manifest's `checks`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckResult {
    /// The check as written, e.g. `converged_within = "20s"`.
    pub check: String,
    /// Whether the run satisfied it.
    pub passed: bool,
    /// What was measured and, on failure, by how much it missed, when and
    /// where.
    pub detail: String,
    /// Position of the check in the scenario's `checks`.
    pub index: usize,
    /// The time the failure is about (a deadline or the end of the run), ns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ns: Option<u64>,
    /// The node the failure is about, where one can be named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<u32>,
    /// The run ended before the check's deadline, unsatisfied: it failed
    /// because the scenario is too short to tell.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inconclusive: bool,
    /// What kind of failure (empty when passed; not stored in manifests):
    /// for deadline checks whether the worst write was late or still
    /// missing at the end, and for `converged_within` whether its anchor
    /// was a write or a recovery. `shrink` keeps a failure of one kind.
    #[serde(skip)]
    pub kind: &'static str,
}

/// Seconds with millisecond precision, e.g. `1.020s`, from integer ns.
pub fn secs(ns: u64) -> String {
    format!("{}.{:03}s", ns / NS_PER_S, (ns / 1_000_000) % 1000)
}

/// A time span as [`secs`] does, but below a millisecond exactly (`470us`,
/// `1ns`), so a failure by less than a millisecond does not read "0.000s
/// late".
fn span(ns: u64) -> String {
    if ns == 0 || ns >= 1_000_000 {
        secs(ns)
    } else {
        SimDuration(ns).to_string()
    }
}

/// The span from `a` to `b` (`a <= b`) as the difference of the two times
/// as [`secs`] prints them, so that the three printed numbers agree
/// (`0.423s` between `21.949s` and `22.372s`, though the exact 0.42292 s
/// truncates to 0.422); below a millisecond exactly, as [`span`].
pub(crate) fn span_between(a: u64, b: u64) -> String {
    let ms = |ns: u64| ns / 1_000_000 * 1_000_000;
    if b - a < 1_000_000 {
        span(b - a)
    } else {
        secs(ms(b) - ms(a))
    }
}

/// Evaluates every check of a finished run of a scenario whose merge
/// policy is named `merge`.
pub fn evaluate(checks: &[Check], obs: &Observer, outcome: &Outcome, merge: &str) -> Vec<CheckResult> {
    let end = outcome.end;
    checks
        .iter()
        .enumerate()
        .map(|(index, c)| {
            let mut r = match c.rule() {
                Rule::ConvergedWithin { within, after } => {
                    converged_within(obs, &AtEnd::of(outcome), end, within, after)
                }
                Rule::AllWritesDeliveredBy(by) => delivered_by(obs, &AtEnd::of(outcome), end, by),
                Rule::MaxBytesPerNodePerS(max) => max_bytes(&outcome.metrics, end, max),
                Rule::NoLostWrites(on) => no_lost_writes(outcome, merge, on),
                Rule::MaxStaleness(max) => max_staleness(&outcome.metrics, max),
            };
            r.check = c.to_string();
            r.index = index;
            r
        })
        .collect()
}

/// What still stands when a run ends and keeps a write from spreading.
struct AtEnd<'a> {
    /// Nodes crashed and not restarted.
    down: &'a [u32],
    /// Partitions and cuts never healed.
    cuts: usize,
}

impl<'a> AtEnd<'a> {
    fn of(outcome: &'a Outcome) -> AtEnd<'a> {
        AtEnd {
            down: &outcome.down_at_end,
            cuts: outcome.cuts_at_end,
        }
    }
}

/// `n` and the noun, in the singular where `n` is 1: `1 run`, `2 runs`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn result(passed: bool, detail: String) -> CheckResult {
    CheckResult {
        check: String::new(),
        passed,
        detail,
        index: 0,
        at_ns: None,
        node: None,
        inconclusive: false,
        kind: if passed { "" } else { "failed" },
    }
}

fn converged_within(
    obs: &Observer,
    at_end: &AtEnd<'_>,
    end: SimTime,
    within: SimDuration,
    after: Anchor,
) -> CheckResult {
    if obs.last_write().is_none() {
        return result(true, "no writes".into());
    }
    let recovery = obs.last_recovery();
    let last_write = obs.last_write().unwrap_or(0);
    // The anchor, and whether it is a recovery (else the last write).
    let (anchor, from_recovery) = match (after, recovery) {
        (Anchor::LastWrite, _) => (last_write, false),
        // Without a recovery there is nothing to count from but the
        // writes: the last one, as `last-write`.
        (Anchor::LastRecovery, Some(r)) => (r, true),
        (Anchor::LastWriteOrRecovery, Some(r)) if r > last_write => (r, true),
        _ => (last_write, false),
    };
    let what = match (from_recovery, after, recovery) {
        (true, ..) => "the last recovery",
        (false, Anchor::LastRecovery, None) => "the last write (no recovery)",
        _ => "the last write",
    };
    // Writes made after the anchor (after the last recovery) are not
    // subject to it: no deadline before their time could be met.
    let written_before = anchor.saturating_add(1);
    if obs.writes_before(written_before) == 0 {
        return result(true, format!("no writes by {what} at {}", secs(anchor)));
    }
    let deadline = anchor.saturating_add(within.0);
    let context = format!(
        "the deadline {} ({what} at {} + {within})",
        secs(deadline),
        secs(anchor)
    );
    let mut r = deadline_result(obs, at_end, end, deadline, written_before, &context);
    r.kind = match (r.kind, from_recovery) {
        ("late", true) => "late after the last recovery",
        ("late", false) => "late after the last write",
        ("missing", true) => "missing after the last recovery",
        ("missing", false) => "missing after the last write",
        (k, _) => k,
    };
    r
}

fn delivered_by(obs: &Observer, at_end: &AtEnd<'_>, end: SimTime, by: SimDuration) -> CheckResult {
    if obs.writes_before(by.0) == 0 {
        return result(true, format!("no writes before {}", secs(by.0)));
    }
    let context = format!("the deadline {}", secs(by.0));
    deadline_result(obs, at_end, end, by.0, by.0, &context)
}

/// Whether every write made before `written_before` is held everywhere at
/// `deadline` (a write held everywhere by then that a lost-state restart
/// made a node forget afterwards was on time); on failure names the worst
/// write, its lateness and a node (what still stands at the end, `at_end`,
/// explains a write still missing).
fn deadline_result(
    obs: &Observer,
    at_end: &AtEnd<'_>,
    end: SimTime,
    deadline: u64,
    written_before: u64,
    context: &str,
) -> CheckResult {
    let worst = obs.latest_to_spread(written_before, deadline);
    let Some(w) = worst else {
        return result(true, "no writes".into());
    };
    match w.full_at {
        Some(full) if w.on_time => {
            let mut r = result(
                true,
                format!(
                    "every write held everywhere by {}, {} before {context}",
                    secs(full),
                    span_between(full, deadline)
                ),
            );
            r.at_ns = Some(full);
            r
        }
        Some(full) => {
            let mut r = result(
                false,
                format!(
                    "{} late: node {}'s write v{} (made at {}) reached its last node, node {}, at {}, after {context}; {}",
                    span_between(deadline, full),
                    w.origin,
                    version_text(w.version),
                    secs(w.time),
                    w.last_node,
                    secs(full),
                    plural(obs.late_writes(written_before, deadline), "write late", "writes late"),
                ),
            );
            r.at_ns = Some(deadline);
            r.node = Some(w.last_node);
            r.kind = "late";
            r
        }
        None => {
            let missing = obs.unconverged_writes();
            // The node named as lacking the write, when it is down for good.
            let down = at_end.down;
            let down_node = w.first_missing.filter(|n| down.binary_search(n).is_ok());
            let down_text = if down_node.is_some() {
                " (down at the end)"
            } else {
                ""
            };
            let where_ = match w.first_missing {
                Some(n) if w.informed + 1 == obs.nodes() => format!(", missing at node {n}{down_text}"),
                Some(n) => format!(", missing at node {n}{down_text} among others"),
                None => String::new(),
            };
            // Down nodes and unhealed cuts other than the named node's.
            let mut standing = Vec::new();
            if down_node.is_none() && !down.is_empty() {
                standing.push(format!(
                    "{} {} down",
                    if down.len() == 1 { "node" } else { "nodes" },
                    crate::faults::ids_text(down)
                ));
            }
            if at_end.cuts > 0 {
                standing.push(format!(
                    "{} never healed",
                    plural(at_end.cuts as u64, "partition or cut", "partitions or cuts")
                ));
            }
            let mut r = if end.0 > deadline {
                let standing = if standing.is_empty() {
                    String::new()
                } else {
                    format!(" (at the end: {})", standing.join(", "))
                };
                result(
                    false,
                    format!(
                        "not held everywhere by the deadline: at the end of the run ({}, {} after {context}) {} still missing somewhere; node {}'s write v{} (made at {}) was held by {} of {} nodes{where_}{standing}",
                        secs(end.0),
                        secs(end.0 - deadline),
                        plural(missing, "write", "writes"),
                        w.origin,
                        version_text(w.version),
                        secs(w.time),
                        w.informed,
                        obs.nodes(),
                    ),
                )
            } else {
                // A run covers [0, duration): events at the deadline
                // itself did not run when it ends there.
                let when = if end.0 == deadline {
                    format!(
                        "at {}, the instant of {context}, which it does not run (a run covers [0, duration))",
                        secs(end.0)
                    )
                } else {
                    format!("at {}, before {context}", secs(end.0))
                };
                // What a longer run cannot fix comes first: nodes down for
                // good and partitions never healed.
                let mut hints = Vec::new();
                match down_node {
                    Some(n) => hints.push(format!(
                        "node {n} is down at the end (crashed, not restarted) and gets nothing until it restarts: restart it (`restart_after`) or lengthen `duration` past its restart"
                    )),
                    None if !down.is_empty() => hints.push(format!(
                        "{} {} down at the end (crashed, not restarted): restart {} (`restart_after`)",
                        if down.len() == 1 { "node" } else { "nodes" },
                        crate::faults::ids_text(down),
                        if down.len() == 1 { "it" } else { "them" },
                    )),
                    None => {}
                }
                if at_end.cuts > 0 {
                    hints.push(format!(
                        "{} still in force at the end (never healed): heal {} (a `heal` fault) before the deadline",
                        plural(at_end.cuts as u64, "partition or cut", "partitions or cuts"),
                        if at_end.cuts == 1 { "it" } else { "them" },
                    ));
                }
                if hints.is_empty() {
                    hints
                        .push("lengthen `duration` or stop writing earlier (`workload.stop_at`)".to_string());
                }
                let hint = hints.join("; ");
                let mut r = result(
                    false,
                    format!(
                        "inconclusive: the run ended {when}, with {} still missing somewhere (node {}'s write v{} held by {} of {} nodes{where_}); {hint}",
                        plural(missing, "write", "writes"),
                        w.origin,
                        version_text(w.version),
                        w.informed,
                        obs.nodes(),
                    ),
                );
                r.inconclusive = true;
                r
            };
            r.at_ns = Some(deadline.min(end.0));
            r.node = w.first_missing;
            r.kind = "missing";
            r
        }
    }
}

fn max_bytes(metrics: &Collector, end: SimTime, max: u64) -> CheckResult {
    let bytes = metrics.bytes_sent_by_node();
    if end.0 == 0 || bytes.is_empty() {
        return result(true, "the run lasted no time".into());
    }
    // rate_i = bytes_i / (end / 1e9) > max  <=>  bytes_i * 1e9 > max * end
    let limit = max as u128 * end.0 as u128;
    let over = bytes
        .iter()
        .filter(|&&b| b as u128 * NS_PER_S as u128 > limit)
        .count();
    let (node, &top) = bytes
        .iter()
        .enumerate()
        .max_by_key(|&(i, b)| (*b, std::cmp::Reverse(i)))
        .expect("at least one node");
    let rate = |b: u64| b as f64 * NS_PER_S as f64 / end.0 as f64;
    let mean = bytes.iter().map(|&b| b as u128).sum::<u128>() as f64 / bytes.len() as f64;
    let mut r = if over == 0 {
        result(
            true,
            format!(
                "busiest node {node}: {:.1} B/s (mean {:.1} B/s) over {}",
                rate(top),
                rate(mean as u64),
                secs(end.0)
            ),
        )
    } else {
        result(
            false,
            format!(
                "node {node} sent {top} B in {} = {:.1} B/s, {:.1} B/s ({:.1}%) over the limit {max} B/s; {over} of {} nodes over; mean {:.1} B/s",
                secs(end.0),
                rate(top),
                rate(top) - max as f64,
                (rate(top) / max as f64 - 1.0) * 100.0,
                bytes.len(),
                rate(mean as u64),
            ),
        )
    };
    r.at_ns = Some(end.0);
    r.node = Some(node as u32);
    r
}

fn max_staleness(metrics: &Collector, max: SimDuration) -> CheckResult {
    let samples = metrics.staleness();
    let Some(worst) = samples
        .iter()
        .max_by_key(|s| (s.max_ns, std::cmp::Reverse(s.t_ns)))
    else {
        return result(true, "no staleness samples".into());
    };
    let mut r = if worst.max_ns <= max.0 {
        result(
            true,
            format!(
                "largest staleness {} (at {}) over {} samples",
                secs(worst.max_ns),
                secs(worst.t_ns),
                samples.len()
            ),
        )
    } else {
        let first = samples
            .iter()
            .find(|s| s.max_ns > max.0)
            .expect("the worst sample exceeds the limit");
        let over = samples.iter().filter(|s| s.max_ns > max.0).count();
        result(
            false,
            format!(
                "staleness reached {} at {}, {} over the limit {max} ({} stale mappings then); first over at {} ({}); {over} of {} samples over",
                secs(worst.max_ns),
                secs(worst.t_ns),
                secs(worst.max_ns - max.0),
                worst.stale,
                secs(first.t_ns),
                secs(first.max_ns),
                samples.len()
            ),
        )
    };
    r.at_ns = Some(worst.t_ns);
    r
}

fn no_lost_writes(outcome: &Outcome, merge: &str, on: bool) -> CheckResult {
    if !on {
        return result(true, "not checked (no_lost_writes = false)".into());
    }
    let Some(lost) = outcome.lost_writes.iter().find(|l| l.policy == merge) else {
        return result(true, "no writes".into());
    };
    if lost.count == 0 {
        return result(true, format!("no write lost under {merge}"));
    }
    let first = &lost.examples[0];
    let mut r = result(
        false,
        format!(
            "{} lost under {merge}: no node reads node {}'s write v{} to key {} (value {}, made at {}) at the end{}",
            plural(lost.count, "write", "writes"),
            first.origin,
            version_text(first.version),
            first.key,
            first.value,
            secs(first.t_ns),
            if lost.count > 1 { ", among others" } else { "" }
        ),
    );
    r.at_ns = Some(first.t_ns);
    r.node = Some(first.origin);
    r
}

/// Whether every check passed.
pub fn all_passed(results: &[CheckResult]) -> bool {
    results.iter().all(|r| r.passed)
}

/// A run with its checks evaluated.
#[derive(Debug)]
pub struct Checked {
    /// What the simulation reported.
    pub outcome: Outcome,
    /// One result per check of the scenario (empty when interrupted).
    pub checks: Vec<CheckResult>,
    /// The stop flag ended the run before its end.
    pub interrupted: bool,
}

/// Runs `scenario` with records up to `sink_level` going to `sink`, watches
/// the records the checks need, stops before the next event once `stop` is
/// set, and evaluates the checks (unless interrupted).
pub fn run_checked(
    scenario: &Scenario,
    sink: &mut dyn TraceSink,
    sink_level: TraceLevel,
    stop: Option<&AtomicBool>,
) -> Checked {
    let mut observer = (!scenario.checks.is_empty()).then(|| Observer::new(scenario.nodes.count));
    let watch_level = if observer.is_some() {
        sink_level.max(TraceLevel::Versions)
    } else {
        sink_level
    };
    let mut tee = Tee {
        sink,
        sink_level,
        observer: observer.as_mut(),
        stop,
        stopped: Cell::new(false),
    };
    let outcome = Simulation::new(scenario, watch_level).run(&mut tee);
    let interrupted = tee.stopped.get();
    let checks = match (&observer, interrupted) {
        (Some(obs), false) => evaluate(&scenario.checks, obs, &outcome, scenario.gossip.merge.name()),
        _ => Vec::new(),
    };
    Checked {
        outcome,
        checks,
        interrupted,
    }
}

/// Feeds the observer, forwards records up to `sink_level`, relays the stop flag.
struct Tee<'a> {
    sink: &'a mut dyn TraceSink,
    sink_level: TraceLevel,
    observer: Option<&'a mut Observer>,
    stop: Option<&'a AtomicBool>,
    stopped: Cell<bool>,
}

impl TraceSink for Tee<'_> {
    fn record(&mut self, r: &Record) {
        if let Some(o) = &mut self.observer {
            o.observe(r);
        }
        if r.level() <= self.sink_level {
            self.sink.record(r);
        }
    }

    fn version_run(&mut self, t: u64, lt: u64, node: u32, cause: Cause, changes: &[VersionChange]) {
        if let Some(o) = &mut self.observer {
            for c in changes {
                let r = version_record(t, lt, node, cause, c);
                o.observe(&r);
                forget_version(r);
            }
        }
        if TraceLevel::Versions <= self.sink_level {
            self.sink.version_run(t, lt, node, cause, changes);
        }
    }

    fn stop_requested(&self) -> bool {
        let stop = self.stop.is_some_and(|s| s.load(Ordering::Relaxed)) || self.sink.stop_requested();
        if stop {
            self.stopped.set(true);
        }
        stop
    }

    fn progress(&mut self, now: crate::time::SimTime, events: u64) {
        self.sink.progress(now, events);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lateness printed between two printed times is their difference
    /// (22.372 − 21.949 = 0.423, though the exact 0.42292 s truncates to
    /// 0.422); below a millisecond it is exact.
    #[test]
    fn a_printed_span_is_the_difference_of_the_printed_times() {
        let (deadline, full) = (21_949_282_724, 22_372_207_714);
        assert_eq!((secs(deadline), secs(full)), ("21.949s".into(), "22.372s".into()));
        assert_eq!(span_between(deadline, full), "0.423s");
        assert_eq!(span_between(1_000_000_000, 1_000_470_000), "470us");
        assert_eq!(span_between(999_999, 1_999_999), "0.001s");
        assert_eq!(span_between(5, 5), "0.000s");
    }
}
