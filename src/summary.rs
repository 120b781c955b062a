//! The headline figures of a run (`summary.json`) and the manifest
//! (`manifest.json`) that replays it.

use crate::metrics::{Convergence, KindStats, LostWrites};
use crate::scenario::{Scenario, TraceLevel};
use crate::sim::Outcome;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The crate version written into every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Headline figures of one run. Times are integer nanoseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// scuttlesim version.
    pub scuttlesim_version: String,
    /// Scenario name.
    pub scenario: String,
    /// SHA-256 of the resolved scenario.
    pub scenario_hash: String,
    /// Master seed.
    pub seed: u64,
    /// Node count.
    pub nodes: u32,
    /// True time the run ended at.
    pub end_ns: u64,
    /// Whether `stop_when_converged` ended the run early.
    pub stopped_early: bool,
    /// Events processed.
    pub events: u64,
    /// Messages and bytes per kind, then `all`.
    pub messages: Vec<KindStats>,
    /// Per-write convergence (time until every node holds the write).
    pub convergence: Convergence,
    /// Time of the last write.
    pub last_write_ns: Option<u64>,
    /// When every version vector became equal (every write everywhere,
    /// and every lost-state restart's new generation, except under rumor
    /// mongering, which spreads writes only); `None`: not by the end.
    pub all_converged_at_ns: Option<u64>,
    /// `all_converged_at_ns - last_write_ns`; `None`: not converged by the
    /// end, or no write (nothing to converge after).
    pub converged_after_last_write_ns: Option<u64>,
    /// Level of the records the digest covers.
    pub digest_level: TraceLevel,
    /// Trace digest (BLAKE3, hex).
    pub trace_digest: String,
    /// Records covered by the digest.
    pub trace_records: u64,
    /// Dropped messages by reason.
    pub drops: BTreeMap<String, u64>,
    /// Faults that took effect.
    pub faults: u64,
    /// Time of the last heal, restart or end of a degradation.
    pub last_recovery_ns: Option<u64>,
    /// From `last_recovery_ns` until every write made at or before it was
    /// held by every node (0: nothing to catch up); `None` without a
    /// recovery or when one of those writes never reached every node.
    /// Absent from summaries written before it existed.
    #[serde(default)]
    pub converged_after_recovery_ns: Option<u64>,
    /// The scenario's merge policy.
    pub merge: String,
    /// Lost writes under every merge policy (see README), the scenario's first.
    pub lost_writes: Vec<LostWrites>,
    /// With shared keys: pairs of concurrent writes to the same key.
    pub concurrent_writes: Option<u64>,
    /// The protocol's own counters, when it keeps any: with flow control,
    /// `writes_deferred`, `writes_coalesced`, `max_backlog` and `backlog_at_end`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counters: BTreeMap<String, u64>,
    /// Writes not made because their node was down (crashed) at their
    /// time: random ones and `[[workload.schedule]]` ones.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub writes_skipped_down: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Summary {
    /// The summary of `outcome`, a run of `scenario`.
    pub fn new(scenario: &Scenario, outcome: &Outcome) -> Summary {
        let m = &outcome.metrics;
        let converged_at = m.all_converged_at();
        Summary {
            scuttlesim_version: VERSION.to_string(),
            scenario: scenario.name.clone(),
            scenario_hash: scenario.hash(),
            seed: scenario.seed,
            nodes: scenario.nodes.count,
            end_ns: outcome.end.0,
            stopped_early: outcome.stopped_early,
            events: outcome.events,
            messages: m.kinds(),
            convergence: m.convergence(),
            last_write_ns: m.last_write(),
            all_converged_at_ns: converged_at,
            converged_after_last_write_ns: match (converged_at, m.last_write()) {
                (Some(c), Some(w)) => Some(c.saturating_sub(w)),
                _ => None,
            },
            digest_level: outcome.digest_level,
            trace_digest: outcome.digest.clone(),
            trace_records: outcome.records,
            drops: m.drops().clone(),
            faults: m.faults(),
            last_recovery_ns: m.last_recovery(),
            converged_after_recovery_ns: m.converged_after_recovery(),
            merge: scenario.gossip.merge.name().to_string(),
            lost_writes: {
                let mut v = outcome.lost_writes.clone();
                v.sort_by_key(|l| l.policy != scenario.gossip.merge.name());
                v
            },
            concurrent_writes: outcome.concurrent_writes,
            counters: outcome.counters.iter().cloned().collect(),
            writes_skipped_down: outcome.writes_skipped_down,
        }
    }

    /// A short human-readable report.
    pub fn render_text(&self) -> String {
        use std::fmt::Write;
        let s = |ns: Option<u64>| ns.map_or("-".to_string(), |v| format!("{:.3}s", v as f64 / 1e9));
        // Instants to the millisecond they fall in, as checks and `trace`
        // print them (durations above are rounded).
        let at = |ns: Option<u64>| ns.map_or("-".to_string(), crate::check::secs);
        let mut o = String::new();
        let _ = writeln!(
            o,
            "scenario {} · seed {} · {} nodes · ended at {}{}",
            self.scenario,
            self.seed,
            self.nodes,
            at(Some(self.end_ns)),
            if self.stopped_early {
                " (converged, stopped early)"
            } else {
                ""
            }
        );
        let _ = writeln!(o, "events {}", self.events);
        let _ = writeln!(
            o,
            "{:<8} {:>12} {:>12} {:>10} {:>14}",
            "kind", "sent", "delivered", "dropped", "bytes sent"
        );
        for k in &self.messages {
            let _ = writeln!(
                o,
                "{:<8} {:>12} {:>12} {:>10} {:>14}",
                k.kind, k.sent, k.delivered, k.dropped, k.bytes_sent
            );
        }
        if !self.drops.is_empty() {
            let parts: Vec<String> = self.drops.iter().map(|(k, v)| format!("{k} {v}")).collect();
            let _ = writeln!(o, "dropped: {}", parts.join(", "));
        }
        if self.faults > 0 {
            let caught_up = match (self.last_recovery_ns, self.converged_after_recovery_ns) {
                (None, _) => String::new(),
                // The difference of the printed instants, as checks print spans.
                (Some(r), Some(v)) => format!(
                    " · writes made before it everywhere {} after it",
                    crate::check::span_between(r, r + v)
                ),
                (Some(_), None) => " · writes made before it not all everywhere by the end".to_string(),
            };
            let _ = writeln!(
                o,
                "faults {} · last recovery at {}{caught_up}",
                self.faults,
                at(self.last_recovery_ns)
            );
        }
        if !self.counters.is_empty() {
            let parts: Vec<String> = self.counters.iter().map(|(k, v)| format!("{k} {v}")).collect();
            let _ = writeln!(o, "{}", parts.join(" · "));
        }
        if self.writes_skipped_down > 0 {
            let _ = writeln!(
                o,
                "writes skipped {} (their node was down)",
                self.writes_skipped_down
            );
        }
        let c = &self.convergence;
        let _ = writeln!(
            o,
            "writes {} · converged {} · convergence mean {} p50 {} p99 {} max {}",
            c.writes,
            c.converged,
            s(c.mean_ns),
            s(c.p50_ns),
            s(c.p99_ns),
            s(c.max_ns)
        );
        match self.converged_after_last_write_ns {
            _ if c.writes == 0 => {
                let _ = writeln!(o, "no writes");
            }
            Some(v) => {
                let _ = writeln!(o, "all version vectors equal {} after the last write", s(Some(v)));
            }
            // Every write held everywhere, but a lost-state restart's new
            // generation not.
            None if c.converged == c.writes => {
                let _ = writeln!(o, "version vectors not all equal by the end (after a lost-state crash: a node still down, or its new generation not yet everywhere)");
            }
            None => {
                let _ = writeln!(o, "not converged by the end");
            }
        }
        if !self.lost_writes.is_empty() {
            let parts: Vec<String> = self
                .lost_writes
                .iter()
                .map(|l| {
                    let mark = if l.policy == self.merge {
                        " (this scenario's)"
                    } else {
                        ""
                    };
                    format!("{} {}{mark}", l.policy, l.count)
                })
                .collect();
            let _ = writeln!(o, "lost writes: {}", parts.join(", "));
        }
        if let Some(cw) = self.concurrent_writes {
            let _ = writeln!(o, "concurrent write pairs (vector clocks): {cw}");
        }
        let _ = writeln!(
            o,
            "trace digest ({}, {} records) {}",
            self.digest_level.name(),
            self.trace_records,
            self.trace_digest
        );
        o
    }
}

/// Everything needed to replay a run bit-for-bit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// scuttlesim version that made the run.
    pub scuttlesim_version: String,
    /// Master seed.
    pub seed: u64,
    /// SHA-256 of the resolved scenario's canonical JSON.
    pub scenario_hash: String,
    /// The resolved scenario.
    pub scenario: Scenario,
    /// Trace level written (`off`: no trace file).
    pub trace_level: TraceLevel,
    /// Level of the records the digest covers.
    pub digest_level: TraceLevel,
    /// How the digest encodes records ([`crate::trace::DIGEST_FORMAT`] of the
    /// build that made the run); manifests without it predate the field and
    /// used [`LEGACY_DIGEST_FORMAT`].
    #[serde(default = "legacy_digest_format")]
    pub digest_format: String,
    /// Trace digest (BLAKE3, hex).
    pub trace_digest: String,
    /// Records covered by the digest.
    pub trace_records: u64,
    /// The trace file, relative to the manifest, if written.
    pub trace_file: Option<String>,
    /// `ok`; `check-failed` (a check failed); `interrupted` (stopped early by
    /// Ctrl-C: the digest and the trace cover only the records made until then).
    pub status: String,
    /// The result of every check of the scenario (empty when interrupted).
    #[serde(default)]
    pub checks: Vec<crate::check::CheckResult>,
    /// For an interrupted run: the simulated time of the first event not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted_at_ns: Option<u64>,
}

/// The digest encoding of manifests written before `digest_format` existed
/// (fixed-width fields after the `scuttlesim-trace/1` preamble).
pub const LEGACY_DIGEST_FORMAT: &str = "scuttlesim-trace/1";

fn legacy_digest_format() -> String {
    LEGACY_DIGEST_FORMAT.into()
}

/// `status` of a run whose checks all passed.
pub const STATUS_OK: &str = "ok";
/// `status` of a run with a failed check.
pub const STATUS_CHECK_FAILED: &str = "check-failed";
/// `status` of a run stopped by Ctrl-C.
pub const STATUS_INTERRUPTED: &str = "interrupted";
