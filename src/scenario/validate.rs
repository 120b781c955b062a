//! Semantic checks of a parsed scenario: impossible values are rejected with
//! the field path and what would be valid.

use super::{Latency, ProtocolKind, Scenario, WriteProcess};
use crate::time::SimDuration;

/// Largest node count accepted (a limit on everything, TigerBeetle-style).
pub(crate) const MAX_NODES: u32 = 10_000_000;
/// Largest number of keys per node accepted.
pub(crate) const MAX_KEYS_PER_NODE: u32 = 1_000_000;

type Invalid = (String, String);

fn bad(field: &str, message: impl Into<String>) -> Result<(), Invalid> {
    Err((field.to_string(), message.into()))
}

/// Checks every field of `s`; the error is `(field path, message)`.
pub(crate) fn validate(s: &Scenario) -> Result<(), Invalid> {
    if s.name.is_empty()
        || s.name.starts_with('.')
        || !s
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return bad(
            "name",
            format!(
                "{:?} cannot name an output directory: use letters, digits, '-', '_' and '.', not starting with '.'",
                s.name
            ),
        );
    }
    if s.duration == SimDuration::ZERO {
        return bad("duration", "must be longer than zero, e.g. \"60s\"");
    }
    let n = s.nodes.count;
    if n < 2 {
        return bad(
            "nodes.count",
            format!("must be at least 2 (gossip needs a peer); got {n}"),
        );
    }
    if n > MAX_NODES {
        return bad(
            "nodes.count",
            format!("must be at most {MAX_NODES}; got {n}"),
        );
    }
    let g = &s.gossip;
    if g.interval == SimDuration::ZERO {
        return bad("gossip.interval", "must be longer than zero, e.g. \"1s\"");
    }
    if g.fanout == 0 || g.fanout >= n {
        return bad(
            "gossip.fanout",
            format!(
                "must be between 1 and nodes.count - 1 = {}; got {}",
                n - 1,
                g.fanout
            ),
        );
    }
    if g.value_bytes > 1 << 20 {
        return bad(
            "gossip.value_bytes",
            format!("must be at most 1048576; got {}", g.value_bytes),
        );
    }
    validate_latency(&s.network.latency, "network.latency")?;
    let loss = s.network.loss;
    if !(0.0..=1.0).contains(&loss) || loss.is_nan() {
        return bad(
            "network.loss",
            format!("must be a probability in [0, 1]; got {loss}"),
        );
    }
    let w = &s.workload;
    let has_writes = w.writes.is_some() || !w.schedule.is_empty();
    if has_writes && g.protocol == ProtocolKind::Ping {
        return bad(
            "gossip.protocol",
            "the ping protocol (engine benchmark) has no replicated state: remove the workload's writes or use \"scuttlebutt\"",
        );
    }
    if w.keys_per_node == 0 && has_writes {
        return bad(
            "workload.keys_per_node",
            "must be at least 1 when the workload writes",
        );
    }
    if w.keys_per_node > MAX_KEYS_PER_NODE {
        return bad(
            "workload.keys_per_node",
            format!(
                "must be at most {MAX_KEYS_PER_NODE}; got {}",
                w.keys_per_node
            ),
        );
    }
    if let Some(WriteProcess::Poisson { mean_interval }) = &w.writes {
        if *mean_interval == SimDuration::ZERO {
            return bad(
                "workload.writes.mean_interval",
                "must be longer than zero, e.g. \"5s\"",
            );
        }
    }
    if let Some(writers) = &w.writers {
        let mut seen = std::collections::BTreeSet::new();
        for (i, &id) in writers.iter().enumerate() {
            if id >= n {
                return bad(
                    &format!("workload.writers[{i}]"),
                    format!("node {id} does not exist: node ids are 0..{}", n - 1),
                );
            }
            if !seen.insert(id) {
                return bad(
                    &format!("workload.writers[{i}]"),
                    format!("node {id} is listed twice"),
                );
            }
        }
    }
    if let Some(stop) = w.stop_at {
        if stop == SimDuration::ZERO {
            return bad(
                "workload.stop_at",
                "must be after the start; omit it to write for the whole run",
            );
        }
    }
    for (i, sw) in w.schedule.iter().enumerate() {
        let field = format!("workload.schedule[{i}]");
        if sw.node >= n {
            return bad(
                &format!("{field}.node"),
                format!("node {} does not exist: node ids are 0..{}", sw.node, n - 1),
            );
        }
        if sw.key >= w.keys_per_node {
            return bad(
                &format!("{field}.key"),
                format!(
                    "key {} does not exist: keys are 0..{}",
                    sw.key,
                    w.keys_per_node.saturating_sub(1)
                ),
            );
        }
        if sw.at >= s.duration {
            return bad(
                &format!("{field}.at"),
                format!(
                    "{} is not before the end of the run ({})",
                    sw.at, s.duration
                ),
            );
        }
    }
    crate::check::validate(s)
}

fn validate_latency(l: &Latency, field: &str) -> Result<(), Invalid> {
    match l {
        Latency::Constant { .. } => Ok(()),
        Latency::Uniform { low, high } => {
            if low > high {
                bad(
                    &format!("{field}.low"),
                    format!("low ({low}) must not exceed high ({high})"),
                )
            } else {
                Ok(())
            }
        }
    }
}
