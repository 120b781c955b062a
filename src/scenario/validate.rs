//! Semantic checks of a parsed scenario: impossible values are rejected with
//! the field path and what would be valid.

use super::{
    ChartKind, ClockSpec, Degrade, Fault, GilbertElliott, Heal, Latency, Member, NumberDist, OffsetDist,
    Partition, ProtocolKind, Route, Scenario, WriteProcess,
};
use crate::time::SimDuration;

/// Longest scenario or sweep name accepted: a directory name, which file
/// systems allow up to 255 bytes.
pub const MAX_NAME_BYTES: usize = 255;
/// Longest run accepted: 100 years of 365.25 days, far below where
/// simulated time (u64 ns, 584 years) could overflow as an event is
/// scheduled past the end.
pub const MAX_DURATION: SimDuration = SimDuration(3_155_760_000_000_000_000);
/// Largest node count accepted (a limit on everything, TigerBeetle-style).
pub const MAX_NODES: u32 = 10_000_000;
/// Largest number of keys per node accepted.
pub const MAX_KEYS_PER_NODE: u32 = 1_000_000;
/// Largest write-rate factor accepted.
pub(crate) const MAX_RATE_FACTOR: f64 = 1_000_000.0;

type Invalid = (String, String);

fn bad(field: &str, message: impl Into<String>) -> Result<(), Invalid> {
    Err((field.to_string(), message.into()))
}

/// Checks every field of `s`; the error is `(field path, message)`.
pub(crate) fn validate(s: &Scenario) -> Result<(), Invalid> {
    if s.name.is_empty()
        || s.name.len() > MAX_NAME_BYTES
        || s.name.starts_with('.')
        || !s
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return bad(
            "name",
            format!(
                "{:?} cannot name an output directory: use letters, digits, '-', '_' and '.', not starting with '.', at most {MAX_NAME_BYTES} bytes",
                s.name
            ),
        );
    }
    if s.duration == SimDuration::ZERO {
        return bad("duration", "must be longer than zero, e.g. \"60s\"");
    }
    if s.duration > MAX_DURATION {
        return bad(
            "duration",
            format!(
                "must be at most {MAX_DURATION} (about 100 years of simulated time); got {}",
                s.duration
            ),
        );
    }
    let n = s.nodes.count;
    if n < 2 {
        return bad(
            "nodes.count",
            format!("must be at least 2 (gossip needs a peer); got {n}"),
        );
    }
    if n > MAX_NODES {
        return bad("nodes.count", format!("must be at most {MAX_NODES}; got {n}"));
    }
    if !s.nodes.groups.is_empty() {
        let mut total = 0u64;
        for (name, &size) in &s.nodes.groups {
            let field = format!("nodes.groups.{name}");
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            {
                return bad(&field, "group names use letters, digits, '-' and '_'");
            }
            if name.bytes().all(|b| b.is_ascii_digit()) {
                return bad(
                    &field,
                    format!(
                        "a group name cannot be only digits: on the command line (`trace --node {n}`, `chart --nodes {n}`) it would read as node id {n}; add a letter, e.g. \"g{n}\"",
                        n = crate::error::clip(name)
                    ),
                );
            }
            if crate::scenario::SpacetimeView::node_range(name).is_some() {
                return bad(
                    &field,
                    format!(
                        "a group name cannot be two numbers joined by '-': on the command line (`trace --node {n}`) it would read as a range of node ids; add a letter, e.g. \"g{n}\"",
                        n = crate::error::clip(name)
                    ),
                );
            }
            if size == 0 {
                return bad(&field, "a group needs at least one node");
            }
            total += size as u64;
        }
        if total != n as u64 {
            return bad(
                "nodes.groups",
                format!("group sizes add up to {total}, but nodes.count is {n}: they must be equal"),
            );
        }
    }
    let g = &s.gossip;
    if g.protocol != ProtocolKind::Scuttlebutt {
        // Settings of Scuttlebutt's deltas: another protocol would ignore
        // them, and a comparison would silently not be like for like.
        let set = [
            ("gossip.mtu", g.mtu.is_some()),
            ("gossip.mtu_from", g.mtu_from.is_some()),
            ("gossip.order", g.order != super::Order::default()),
            ("gossip.flow_control", g.flow_control.is_some()),
        ];
        if let Some((field, _)) = set.iter().find(|(_, given)| *given) {
            return bad(
                field,
                format!(
                    "applies to the scuttlebutt protocol only (its deltas); gossip.protocol is {:?}: remove it, or use \"scuttlebutt\"",
                    g.protocol.name()
                ),
            );
        }
    }
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
    if matches!(g.mtu, Some(super::Mtu::Bytes(0)) | Some(super::Mtu::Deltas(0))) {
        return bad(
            "gossip.mtu",
            "must allow at least one byte or delta; omit it for unlimited",
        );
    }
    if let Some(super::Mtu::Bytes(b)) = g.mtu {
        // The largest message that must carry a delta: an `ack`, whose
        // digest has one entry per node (and a rate under flow control).
        // Below it acks would carry none and only `ack2`s would replicate.
        let (one, sum) = ack_with_one_delta(s);
        if (b as u64) < one as u64 {
            return bad(
                "gossip.mtu",
                format!(
                    "{b} {} cannot carry a single delta in an ack ({sum} = {one} bytes), \
                     so acks would replicate nothing; use at least {one}, or {{ deltas = N }}",
                    if b == 1 { "byte" } else { "bytes" },
                ),
            );
        }
    }
    if let Some(from) = g.mtu_from {
        if g.mtu.is_none() {
            return bad(
                "gossip.mtu_from",
                "needs gossip.mtu: it says when the size limit starts to apply",
            );
        }
        // `mtu_from` is on each node's local clock: a clock ahead reaches
        // it earlier, so only a time no clock can reach by the end is
        // refused.
        let fast = 1.0 + max_drift_ppm(&s.clock) / 1e6;
        let mut ahead = std::collections::BTreeMap::new();
        for f in &s.faults {
            if let Some(c) = f.clock_step.as_ref().filter(|c| c.by.0 > 0) {
                *ahead.entry(c.node).or_insert(0u128) += c.by.0 as u128;
            }
        }
        let stepped = ahead.values().copied().max().unwrap_or(0);
        let latest = (s.duration.0 as f64 * fast) as u128 + max_offset_ns(&s.clock) + stepped;
        if from.0 as u128 >= latest {
            return bad(
                "gossip.mtu_from",
                format!(
                    "{from} is not before the end of the run ({}) on any node's local clock",
                    s.duration
                ),
            );
        }
    }
    if let Some(fc) = &g.flow_control {
        for (name, v) in [
            ("initial_rate", fc.initial_rate),
            ("min_rate", fc.min_rate),
            ("max_rate", fc.max_rate),
        ] {
            if !v.is_finite() || v <= 0.0 {
                return bad(
                    &format!("gossip.flow_control.{name}"),
                    format!("must be a positive rate (updates/s); got {v}"),
                );
            }
        }
        if fc.min_rate > fc.max_rate {
            return bad(
                "gossip.flow_control.min_rate",
                format!(
                    "must be at most max_rate; got min_rate {} > max_rate {}",
                    fc.min_rate, fc.max_rate
                ),
            );
        }
        if !(fc.min_rate..=fc.max_rate).contains(&fc.initial_rate) {
            return bad(
                "gossip.flow_control.initial_rate",
                format!(
                    "need min_rate <= initial_rate <= max_rate; got {} <= {} <= {}",
                    fc.min_rate, fc.initial_rate, fc.max_rate
                ),
            );
        }
        if !fc.increase.is_finite() || fc.increase < 0.0 {
            return bad(
                "gossip.flow_control.increase",
                format!("must be >= 0; got {}", fc.increase),
            );
        }
        if !(fc.decrease > 0.0 && fc.decrease < 1.0) {
            return bad(
                "gossip.flow_control.decrease",
                format!("must be in (0, 1); got {}", fc.decrease),
            );
        }
        if g.mtu.is_none() {
            return bad(
                "gossip.flow_control",
                "needs gossip.mtu: flow control reacts to messages overflowing the MTU",
            );
        }
    }
    if g.rumor.k == 0 {
        return bad("gossip.rumor.k", "must be at least 1");
    }
    if s.output.sample_interval == SimDuration::ZERO {
        return bad("output.sample_interval", "must be longer than zero, e.g. \"1s\"");
    }
    validate_latency(&s.network.latency, "network.latency")?;
    probability("network.loss", s.network.loss)?;
    probability("network.duplicate", s.network.duplicate)?;
    if let Some(ge) = &s.network.burst_loss {
        validate_ge(ge, "network.burst_loss")?;
    }
    if s.network.uplink_bytes_per_s == Some(0) {
        return bad(
            "network.uplink_bytes_per_s",
            "must be at least 1; omit it for unlimited bandwidth",
        );
    }
    if s.network.queue_limit_bytes.is_some() && s.network.uplink_bytes_per_s.is_none() {
        return bad(
            "network.queue_limit_bytes",
            "needs network.uplink_bytes_per_s (a queue only forms behind a finite uplink)",
        );
    }
    if let Some(limit) = s.network.queue_limit_bytes {
        // A message larger than the queue is dropped even from an empty
        // one: below the smallest message that carries an update, every
        // such message would be.
        let (smallest, what) = smallest_update(s);
        if limit < smallest as u64 {
            return bad(
                "network.queue_limit_bytes",
                format!(
                    "must be at least {smallest} bytes (or omit it for an unlimited queue): a smaller queue drops every {what} = {smallest} bytes; got {limit}"
                ),
            );
        }
    }
    for (i, r) in s.network.routes.iter().enumerate() {
        validate_route(s, r, &format!("network.routes[{i}]"))?;
    }
    validate_clock(s, &s.clock)?;
    validate_clock_steps(s)?;
    let w = &s.workload;
    if let Some(k) = w.shared_keys {
        if k == 0 {
            return bad(
                "workload.shared_keys",
                "must be at least 1; omit it for owned keys",
            );
        }
        if k > MAX_KEYS_PER_NODE {
            return bad(
                "workload.shared_keys",
                format!("must be at most {MAX_KEYS_PER_NODE}; got {k}"),
            );
        }
        if w.keys_per_node != 1 {
            return bad(
                "workload.keys_per_node",
                "cannot be combined with workload.shared_keys: keys are either owned or shared; leave keys_per_node out (with shared_keys it stays at its default, 1, which then means nothing)",
            );
        }
    }
    let has_writes = w.writes.is_some() || !w.schedule.is_empty();
    if has_writes && g.protocol == ProtocolKind::Ping {
        return bad(
            "gossip.protocol",
            "the ping protocol (engine benchmark) has no replicated state: remove the workload's writes or use \"scuttlebutt\"",
        );
    }
    if w.key_count() == 0 && has_writes {
        return bad(
            "workload.keys_per_node",
            "must be at least 1 when the workload writes",
        );
    }
    if w.keys_per_node > MAX_KEYS_PER_NODE {
        return bad(
            "workload.keys_per_node",
            format!("must be at most {MAX_KEYS_PER_NODE}; got {}", w.keys_per_node),
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
    if !w.rate_changes.is_empty() && w.writes.is_none() {
        return bad(
            "workload.rate_changes",
            "needs workload.writes: it changes the rate of the random write process",
        );
    }
    for (i, c) in w.rate_changes.iter().enumerate() {
        let field = format!("workload.rate_changes[{i}]");
        if !c.factor.is_finite() || !(0.0..=MAX_RATE_FACTOR).contains(&c.factor) {
            return bad(
                &format!("{field}.factor"),
                format!(
                    "must be a rate factor between 0 and {MAX_RATE_FACTOR}; got {}",
                    c.factor
                ),
            );
        }
        if c.at >= s.duration {
            return bad(
                &format!("{field}.at"),
                format!("{} is not before the end of the run ({})", c.at, s.duration),
            );
        }
        if i > 0 && c.at <= w.rate_changes[i - 1].at {
            return bad(
                &format!("{field}.at"),
                format!(
                    "changes must be in increasing time order; {} is not after {}",
                    c.at,
                    w.rate_changes[i - 1].at
                ),
            );
        }
    }
    if let Some(writers) = &w.writers {
        let mut seen = std::collections::BTreeSet::new();
        for (i, &id) in writers.iter().enumerate() {
            if id >= n {
                return bad(
                    &format!("workload.writers[{i}]"),
                    format!("node {id} does not exist: node ids are 0 to {}", n - 1),
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
                format!("node {} does not exist: node ids are 0 to {}", sw.node, n - 1),
            );
        }
        if sw.key >= w.key_count() {
            return bad(
                &format!("{field}.key"),
                format!(
                    "key {} does not exist: keys are 0 to {}",
                    sw.key,
                    w.key_count().saturating_sub(1)
                ),
            );
        }
        if sw.at >= s.duration {
            return bad(
                &format!("{field}.at"),
                format!("{} is not before the end of the run ({})", sw.at, s.duration),
            );
        }
    }
    validate_output(s)?;
    // In the order the faults take effect (time, then place in the list),
    // each sees the names and crashes before it.
    let mut seen = Seen::default();
    let mut order: Vec<(SimDuration, usize)> = s.faults.iter().enumerate().map(|(i, f)| (f.at, i)).collect();
    order.sort();
    for (_, i) in order {
        validate_fault(s, &s.faults[i], &format!("faults[{i}]"), &mut seen)?;
    }
    validate_up_and_down(s)?;
    crate::check::validate(s)
}

/// The size of a Scuttlebutt `ack` carrying one delta (its digest has an
/// entry per node, and a rate under flow control), and the sum that makes
/// it, for messages.
fn ack_with_one_delta(s: &Scenario) -> (u32, String) {
    let (g, n) = (&s.gossip, s.nodes.count);
    let rate = if g.flow_control.is_some() { 8 } else { 0 };
    let bytes = crate::net::SizeModel::new(g.value_bytes)
        .parts(n as usize, 1, rate)
        .total();
    let flow = if rate > 0 {
        " + a flow-control rate of 8"
    } else {
        ""
    };
    let sum = format!(
        "header 32{flow} + a digest of {n} nodes × 12 + one delta of 16 + {} value bytes",
        g.value_bytes
    );
    (bytes, sum)
}

/// The smallest message of the scenario's protocol that carries an update
/// (a ping for `ping`, which carries none), and what it is, for messages.
fn smallest_update(s: &Scenario) -> (u32, String) {
    let sizes = crate::net::SizeModel::new(s.gossip.value_bytes);
    match s.gossip.protocol {
        ProtocolKind::Scuttlebutt => {
            let (bytes, sum) = ack_with_one_delta(s);
            (bytes, format!("ack that carries a delta, at least {sum}"))
        }
        ProtocolKind::Ping => (sizes.header + sizes.ping, "ping, header 32 + 8".into()),
        ProtocolKind::Push | ProtocolKind::Pull | ProtocolKind::PushPull | ProtocolKind::Rumor => (
            sizes.parts(0, 1, 0).total(),
            format!(
                "message that carries an update, at least header 32 + one delta of 16 + {} value bytes",
                s.gossip.value_bytes
            ),
        ),
    }
}

/// Most time-series samples (or traffic buckets) a run may take.
pub(crate) const MAX_SAMPLES: u64 = 1_000_000;

fn validate_output(s: &Scenario) -> Result<(), Invalid> {
    let o = &s.output;
    if o.sample_interval == SimDuration::ZERO {
        return bad("output.sample_interval", "must be longer than zero, e.g. \"1s\"");
    }
    if s.duration.0 / o.sample_interval.0 > MAX_SAMPLES {
        // The default interval was not written: the duration is what was.
        if o.sample_interval == super::default_sample() {
            let limit = SimDuration(o.sample_interval.0.saturating_mul(MAX_SAMPLES + 1));
            return bad(
                "duration",
                format!(
                    "{} is more than {MAX_SAMPLES} samples of output.sample_interval ({}, the default): use a duration under {limit}, or a longer output.sample_interval (e.g. \"{}s\")",
                    s.duration,
                    o.sample_interval,
                    s.duration.0.div_ceil(MAX_SAMPLES * 1_000_000_000),
                ),
            );
        }
        return bad(
            "output.sample_interval",
            format!(
                "{} gives more than {MAX_SAMPLES} samples over duration ({}): use a longer interval or a shorter duration",
                o.sample_interval, s.duration
            ),
        );
    }
    for (i, c) in o.charts.iter().enumerate() {
        let field = format!("output.charts[{i}]");
        if o.charts[..i].contains(c) {
            return bad(&field, format!("{:?} is listed twice", c.name()));
        }
        if *c == ChartKind::Staleness && !o.staleness {
            return bad(
                &field,
                "the staleness chart needs staleness samples: set output.staleness = true",
            );
        }
        if let Some(why) = o
            .spacetime_needs_full_trace()
            .filter(|_| *c == ChartKind::Spacetime)
        {
            return bad(&field, why);
        }
        if *c == ChartKind::Spacetime
            && o.spacetime.nodes.is_none()
            && s.nodes.count > crate::chart::MAX_NODES as u32
        {
            return bad(
                &field,
                format!(
                    "a space-time diagram draws at most {} nodes; this scenario has {}: choose some with output.spacetime.nodes",
                    crate::chart::MAX_NODES,
                    s.nodes.count
                ),
            );
        }
    }
    if !o.spacetime.is_everything() {
        o.spacetime
            .resolve(&s.nodes, s.duration, super::ViewFields::SCENARIO)
            .map(|_| ())?;
    }
    Ok(())
}

fn probability(field: &str, p: f64) -> Result<(), Invalid> {
    if !(0.0..=1.0).contains(&p) || p.is_nan() {
        return bad(field, format!("must be a probability in [0, 1]; got {p}"));
    }
    Ok(())
}

fn validate_ge(ge: &GilbertElliott, field: &str) -> Result<(), Invalid> {
    probability(&format!("{field}.p_good_to_bad"), ge.p_good_to_bad)?;
    probability(&format!("{field}.p_bad_to_good"), ge.p_bad_to_good)?;
    probability(&format!("{field}.loss_good"), ge.loss_good)?;
    probability(&format!("{field}.loss_bad"), ge.loss_bad)?;
    if ge.p_good_to_bad + ge.p_bad_to_good == 0.0 {
        return bad(
            &format!("{field}.p_bad_to_good"),
            "p_good_to_bad and p_bad_to_good cannot both be 0 (the chain would never move)",
        );
    }
    Ok(())
}

/// The nodes of a non-empty node set that names each node once.
fn members(s: &Scenario, list: &[Member], field: &str) -> Result<Vec<u32>, Invalid> {
    if list.is_empty() {
        return Err((
            field.to_string(),
            "needs at least one node id or group name".into(),
        ));
    }
    let ids = s.nodes.resolve(list).map_err(|e| (field.to_string(), e))?;
    if let Some(message) = s.nodes.repeated(list) {
        return Err((field.to_string(), message));
    }
    Ok(ids)
}

fn validate_route(s: &Scenario, r: &Route, field: &str) -> Result<(), Invalid> {
    members(s, &r.from, &format!("{field}.from"))?;
    members(s, &r.to, &format!("{field}.to"))?;
    if let Some(l) = &r.latency {
        validate_latency(l, &format!("{field}.latency"))?;
    }
    if let Some(p) = r.loss {
        probability(&format!("{field}.loss"), p)?;
    }
    if let Some(ge) = &r.burst_loss {
        validate_ge(ge, &format!("{field}.burst_loss"))?;
    }
    if r.latency.is_none() && r.loss.is_none() && r.burst_loss.is_none() {
        return bad(field, "a route must set latency, loss or burst_loss");
    }
    Ok(())
}

fn finite(field: &str, v: f64) -> Result<(), Invalid> {
    if !v.is_finite() {
        return bad(field, format!("must be a finite number; got {v}"));
    }
    Ok(())
}

fn validate_clock(s: &Scenario, c: &ClockSpec) -> Result<(), Invalid> {
    if let Some(OffsetDist::Uniform { low, high }) = &c.offset {
        if low > high {
            return bad(
                "clock.offset.low",
                format!("low ({low}) must not exceed high ({high})"),
            );
        }
    }
    // Offsets alone within the bound the steps are held to (with them).
    let offset_ok = |field: &str, ns: u128, what: &dyn std::fmt::Display| -> Result<(), Invalid> {
        if ns > MAX_CLOCK_SHIFT_NS {
            return bad(
                field,
                format!("{what} would put a clock {}", beyond_clock_shift()),
            );
        }
        Ok(())
    };
    match &c.offset {
        Some(OffsetDist::Constant { value }) => offset_ok(
            "clock.offset.value",
            value.0.unsigned_abs() as u128,
            &format_args!("an offset of {value}"),
        )?,
        Some(OffsetDist::Uniform { low, high }) => {
            offset_ok(
                "clock.offset.low",
                low.0.unsigned_abs() as u128,
                &format_args!("an offset of {low}"),
            )?;
            offset_ok(
                "clock.offset.high",
                high.0.unsigned_abs() as u128,
                &format_args!("an offset of {high}"),
            )?;
        }
        Some(OffsetDist::Normal { mean, std }) => {
            offset_ok(
                "clock.offset.mean",
                mean.0.unsigned_abs() as u128,
                &format_args!("a mean offset of {mean}"),
            )?;
            let reach = mean.0.unsigned_abs() as u128 + 40 * std.0 as u128;
            offset_ok(
                "clock.offset.std",
                reach,
                &format_args!("a mean of {mean} with std {std} (draws reach 40 standard deviations)"),
            )?;
        }
        None => {}
    }
    for (i, o) in c.nodes.iter().enumerate() {
        offset_ok(
            &format!("clock.nodes[{i}].offset"),
            o.offset.0.unsigned_abs() as u128,
            &format_args!("an offset of {} for node {}", o.offset, o.node),
        )?;
    }
    let ppm_ok = |field: &str, v: f64| -> Result<(), Invalid> {
        finite(field, v)?;
        if v.abs() > 100_000.0 {
            return bad(
                field,
                format!("drift must be within ±100000 ppm, ends included; got {v}"),
            );
        }
        Ok(())
    };
    match &c.drift_ppm {
        Some(NumberDist::Constant { value }) => ppm_ok("clock.drift_ppm.value", *value)?,
        Some(NumberDist::Uniform { low, high }) => {
            ppm_ok("clock.drift_ppm.low", *low)?;
            ppm_ok("clock.drift_ppm.high", *high)?;
            if low > high {
                return bad(
                    "clock.drift_ppm.low",
                    format!("low ({low}) must not exceed high ({high})"),
                );
            }
        }
        Some(NumberDist::Normal { mean, std }) => {
            ppm_ok("clock.drift_ppm.mean", *mean)?;
            finite("clock.drift_ppm.std", *std)?;
            if *std < 0.0 || std.abs() >= 10_000.0 {
                return bad(
                    "clock.drift_ppm.std",
                    format!("must be in [0, 10000) ppm; got {std}"),
                );
            }
        }
        None => {}
    }
    for (i, o) in c.nodes.iter().enumerate() {
        if o.node >= s.nodes.count {
            return bad(
                &format!("clock.nodes[{i}].node"),
                format!(
                    "node {} does not exist: node ids are 0 to {}",
                    o.node,
                    s.nodes.count - 1
                ),
            );
        }
        ppm_ok(&format!("clock.nodes[{i}].drift_ppm"), o.drift_ppm)?;
        if let Some(j) = c.nodes[..i].iter().position(|e| e.node == o.node) {
            return bad(
                &format!("clock.nodes[{i}].node"),
                format!(
                    "node {} already has a clock (clock.nodes[{j}]): give each node one entry",
                    o.node
                ),
            );
        }
    }
    Ok(())
}

/// Most a clock's reading may move away from true time through its offset
/// and steps together (≈ 146 years, half the range of a reading), so that
/// readings never saturate.
const MAX_CLOCK_SHIFT_NS: u128 = i64::MAX as u128 / 2;

/// How far a clock may be moved, for errors: "more than about 146 years … from true time …".
fn beyond_clock_shift() -> String {
    format!(
        "more than about 146 years ({}s) from true time: readings would saturate; an offset, \
         and an offset and the steps of one node together, may be at most ±{}",
        MAX_CLOCK_SHIFT_NS / 1_000_000_000,
        crate::time::SignedDuration(MAX_CLOCK_SHIFT_NS as i64)
    )
}

/// The largest offset magnitude any node's clock may start with.
fn max_offset_ns(c: &ClockSpec) -> u128 {
    let cluster = match &c.offset {
        Some(OffsetDist::Constant { value }) => value.0.unsigned_abs() as u128,
        Some(OffsetDist::Uniform { low, high }) => low.0.unsigned_abs().max(high.0.unsigned_abs()) as u128,
        // Beyond 40 standard deviations nothing is ever drawn.
        Some(OffsetDist::Normal { mean, std }) => mean.0.unsigned_abs() as u128 + 40 * std.0 as u128,
        None => 0,
    };
    c.nodes
        .iter()
        .map(|o| o.offset.0.unsigned_abs() as u128)
        .fold(cluster, u128::max)
}

/// The largest drift (ppm) any node's clock may run fast by.
fn max_drift_ppm(c: &ClockSpec) -> f64 {
    let cluster = match &c.drift_ppm {
        Some(NumberDist::Constant { value }) => *value,
        Some(NumberDist::Uniform { high, .. }) => *high,
        Some(NumberDist::Normal { mean, std }) => (mean + 40.0 * std).min(100_000.0),
        None => 0.0,
    };
    c.nodes
        .iter()
        .map(|o| o.drift_ppm)
        .fold(cluster.max(0.0), f64::max)
}

/// Refuses clock steps that, with the largest offset, would move a node's
/// reading more than [`MAX_CLOCK_SHIFT_NS`] from true time.
fn validate_clock_steps(s: &Scenario) -> Result<(), Invalid> {
    let offset = max_offset_ns(&s.clock);
    let mut shift = std::collections::BTreeMap::new();
    for (i, f) in s.faults.iter().enumerate() {
        if let Some(c) = &f.clock_step {
            let total = shift.entry(c.node).or_insert(offset);
            *total += c.by.0.unsigned_abs() as u128;
            if *total > MAX_CLOCK_SHIFT_NS {
                return bad(
                    &format!("faults[{i}].clock_step.by"),
                    format!(
                        "node {}'s clock would move more than about 146 years ({}s) from true time, its offset and steps together: readings would saturate",
                        c.node,
                        MAX_CLOCK_SHIFT_NS / 1_000_000_000
                    ),
                );
            }
        }
    }
    Ok(())
}

fn node_exists(s: &Scenario, node: u32, field: &str) -> Result<(), Invalid> {
    if node >= s.nodes.count {
        return bad(
            field,
            format!(
                "node {node} does not exist: node ids are 0 to {}",
                s.nodes.count - 1
            ),
        );
    }
    Ok(())
}

/// What the faults taking effect so far have named and started.
#[derive(Default)]
struct Seen<'a> {
    /// Names of partitions and cuts (a `heal` may name them).
    names: Vec<&'a str>,
    /// The partitions, cuts and isolates: when each starts, its field
    /// (`faults[i]`) and its name (a `heal` at the same instant would end
    /// one before it does anything).
    started: Vec<(SimDuration, String, Option<&'a str>)>,
}

fn validate_fault<'a>(
    s: &'a Scenario,
    f: &'a Fault,
    field: &str,
    seen: &mut Seen<'a>,
) -> Result<(), Invalid> {
    let actions = f.actions();
    if actions.len() != 1 {
        return bad(
            field,
            format!(
                "a fault needs exactly one action (partition, cut, isolate, heal, crash, restart, degrade, clock_step); got {}",
                if actions.is_empty() { "none".to_string() } else { actions.join(" and ") }
            ),
        );
    }
    if f.at >= s.duration {
        return bad(
            &format!("{field}.at"),
            format!("{} is not before the end of the run ({})", f.at, s.duration),
        );
    }
    if f.crash.is_none() && (f.state.is_some() || f.restart_after.is_some()) {
        return bad(field, "`state` and `restart_after` only go with `crash`");
    }
    if f.name.is_some() && f.partition.is_none() && f.cut.is_none() && f.isolate.is_none() {
        return bad(
            &format!("{field}.name"),
            "only a partition, cut or isolate can be named",
        );
    }
    if let Some(name) = &f.name {
        if name.is_empty() {
            return bad(
                &format!("{field}.name"),
                "an empty name is no name a heal can give: name it, or leave `name` out",
            );
        }
        seen.names.push(name);
    }
    if f.partition.is_some() || f.cut.is_some() || f.isolate.is_some() {
        seen.started.push((f.at, field.to_string(), f.name.as_deref()));
    }
    if let Some(Partition::Sides(sides)) = &f.partition {
        if sides.len() < 2 {
            return bad(
                &format!("{field}.partition"),
                "a partition needs at least two sides",
            );
        }
        let mut seen = std::collections::BTreeMap::new();
        for (i, side) in sides.iter().enumerate() {
            for id in members(s, side, &format!("{field}.partition[{i}]"))? {
                if let Some(j) = seen.insert(id, i) {
                    return bad(
                        &format!("{field}.partition[{i}]"),
                        format!("node {id} is in two sides ({j} and {i})"),
                    );
                }
            }
        }
    }
    if let Some(c) = &f.cut {
        let from = members(s, &c.from, &format!("{field}.cut.from"))?;
        let to = members(s, &c.to, &format!("{field}.cut.to"))?;
        if let Some(id) = from.iter().find(|id| to.contains(id)) {
            return bad(
                &format!("{field}.cut.to"),
                format!(
                    "node {id} is in both `from` and `to`: a cut drops `from` → `to` and lets `to` → `from` pass, and a node sends nothing to itself; give sets with no node in common (a `partition` cuts both ways)"
                ),
            );
        }
    }
    if let Some(node) = f.isolate {
        node_exists(s, node, &format!("{field}.isolate"))?;
    }
    if let Some(Heal::Named(name)) = &f.heal {
        if name.is_empty() {
            return bad(
                &format!("{field}.heal"),
                "an empty name heals nothing: give the `name` of a partition, cut or isolate, or `heal = true` to heal them all",
            );
        }
        if !seen.names.iter().any(|n| n == name) {
            return bad(
                &format!("{field}.heal"),
                format!("no partition, cut or isolate named {name:?} comes before this heal"),
            );
        }
    }
    if let Some(Heal::All(false)) = &f.heal {
        return bad(
            &format!("{field}.heal"),
            "`heal = false` heals nothing: use `heal = true` (every partition, cut and isolate) or the `name` of one",
        );
    }
    if let Some(heal) = &f.heal {
        // A partition, cut or isolate healed at the instant it starts
        // would last no time, like a `degrade` for "0s".
        let same_instant = seen.started.iter().find(|(at, _, name)| {
            *at == f.at
                && match heal {
                    Heal::All(_) => true,
                    Heal::Named(n) => *name == Some(n.as_str()),
                }
        });
        if let Some((at, started, _)) = same_instant {
            return bad(
                &format!("{field}.heal"),
                format!(
                    "heals {started} at the instant it starts ({at}), so it would do nothing: heal it later{}",
                    match heal {
                        Heal::All(_) => ", or list this heal before it to heal only the earlier ones",
                        Heal::Named(_) => "",
                    }
                ),
            );
        }
    }
    if let Some(node) = f.crash {
        node_exists(s, node, &format!("{field}.crash"))?;
        if f.restart_after == Some(SimDuration::ZERO) {
            return bad(&format!("{field}.restart_after"), "must be longer than zero");
        }
    }
    if let Some(node) = f.restart {
        node_exists(s, node, &format!("{field}.restart"))?;
    }
    if let Some(d) = &f.degrade {
        validate_degrade(s, d, &format!("{field}.degrade"))?;
    }
    if let Some(c) = &f.clock_step {
        node_exists(s, c.node, &format!("{field}.clock_step.node"))?;
    }
    Ok(())
}

/// One crash or restart of the fault schedule, for [`validate_up_and_down`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum UpDown {
    /// `faults[i].crash`.
    Crash,
    /// `faults[i].restart_after`: the restart a crash schedules.
    RestartAfter,
    /// `faults[i].restart`.
    Restart,
}

/// The crashes and restarts make sense in the order the run takes them
/// (time, then the order of the list, a crash before the restart it
/// schedules, as `faults::plan` orders its actions):
/// - a crash takes down a node that is up (a crash of a node already down
///   would do nothing, its `state` and `restart_after` silently ignored);
/// - a `restart` names a node that an earlier fault crashed (if it is up
///   again by then, the restart does nothing: "make sure it is up");
/// - a crash's `restart_after` does not bring back a node that is down
///   because of another crash (it would end that crash early).
fn validate_up_and_down(s: &Scenario) -> Result<(), Invalid> {
    use std::collections::BTreeMap;
    let mut steps: Vec<(u64, usize, UpDown, u32)> = Vec::new();
    for (i, f) in s.faults.iter().enumerate() {
        if let Some(node) = f.crash {
            steps.push((f.at.0, i, UpDown::Crash, node));
            if let Some(after) = f.restart_after {
                steps.push((f.at.0.saturating_add(after.0), i, UpDown::RestartAfter, node));
            }
        }
        if let Some(node) = f.restart {
            steps.push((f.at.0, i, UpDown::Restart, node));
        }
    }
    // Stable: at one time, in the order pushed (the plan's order).
    steps.sort_by_key(|step| step.0);
    // The nodes down, each with the fault that crashed it; the nodes ever
    // crashed.
    let mut down: BTreeMap<u32, usize> = BTreeMap::new();
    let mut ever: std::collections::BTreeSet<u32> = std::collections::BTreeSet::new();
    let back_at = |c: usize| {
        let f = &s.faults[c];
        match f.restart_after {
            Some(a) => format!(
                " (its restart_after brings it back at {})",
                SimDuration(f.at.0.saturating_add(a.0))
            ),
            None => String::new(),
        }
    };
    for (t, i, how, node) in steps {
        if t >= s.duration.0 {
            // Past the end of the run: never taken.
            break;
        }
        let t = SimDuration(t);
        match how {
            UpDown::Crash => {
                if let Some(&c) = down.get(&node) {
                    let f = &s.faults[c];
                    let same_time = f.restart_after.map(|a| f.at.0.saturating_add(a.0)) == Some(t.0);
                    let advice = if same_time {
                        // Actions at one time run in list order, a
                        // restart_after at its crash's place.
                        format!("at the same time, faults[{c}]'s restart comes after this crash, which is listed first: list this crash after faults[{c}]")
                    } else {
                        "crash it again only once it is back up".to_string()
                    };
                    return bad(
                        &format!("faults[{i}].crash"),
                        format!(
                            "node {node} is already down at {t}: faults[{c}] crashed it at {}{}; {advice}",
                            f.at,
                            back_at(c)
                        ),
                    );
                }
                down.insert(node, i);
                ever.insert(node);
            }
            UpDown::Restart => {
                if let Some(&c) = down.get(&node).filter(|&&c| s.faults[c].at == t) {
                    return bad(
                        &format!("faults[{i}].restart"),
                        format!(
                            "brings node {node} back at the instant faults[{c}] crashes it ({t}), so the crash would do nothing (as `restart_after = \"0s\"`, refused): restart it later"
                        ),
                    );
                }
                if !ever.contains(&node) {
                    return bad(
                        &format!("faults[{i}].restart"),
                        format!(
                            "node {node} has not crashed by {t}: a restart brings back a node that an earlier fault crashed (crash = {node})"
                        ),
                    );
                }
                down.remove(&node);
            }
            UpDown::RestartAfter => match down.get(&node) {
                Some(&c) if c != i => {
                    return bad(
                        &format!("faults[{i}].restart_after"),
                        format!(
                            "brings node {node} back at {t}, but by then faults[{c}] has crashed it again (at {}){}: end this crash earlier, or the other one with its own restart",
                            s.faults[c].at,
                            back_at(c)
                        ),
                    );
                }
                _ => {
                    down.remove(&node);
                }
            },
        }
    }
    Ok(())
}

fn validate_degrade(s: &Scenario, d: &Degrade, field: &str) -> Result<(), Invalid> {
    members(s, &d.from, &format!("{field}.from"))?;
    members(s, &d.to, &format!("{field}.to"))?;
    probability(&format!("{field}.loss"), d.loss)?;
    if d.duration == SimDuration::ZERO {
        return bad(&format!("{field}.for"), "must be longer than zero, e.g. \"10s\"");
    }
    crate::check::validate(s)
}

fn validate_latency(l: &Latency, field: &str) -> Result<(), Invalid> {
    match l {
        Latency::Constant { .. } | Latency::Exponential { .. } | Latency::Normal { .. } => Ok(()),
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
        Latency::Lognormal { sigma, .. } => {
            if !sigma.is_finite() || *sigma < 0.0 || *sigma > 10.0 {
                bad(
                    &format!("{field}.sigma"),
                    format!("must be in [0, 10]; got {sigma}"),
                )
            } else {
                Ok(())
            }
        }
        Latency::Pareto { scale, shape } => {
            if *scale == SimDuration::ZERO {
                return bad(&format!("{field}.scale"), "must be longer than zero");
            }
            if !shape.is_finite() || *shape <= 0.0 {
                return bad(
                    &format!("{field}.shape"),
                    format!("must be a positive number; got {shape}"),
                );
            }
            Ok(())
        }
        Latency::Empirical { quantiles } => {
            let f = format!("{field}.quantiles");
            if quantiles.len() < 2 {
                return bad(
                    &f,
                    "needs at least two [probability, latency] points, from 0.0 to 1.0",
                );
            }
            if quantiles[0].0 != 0.0 || quantiles[quantiles.len() - 1].0 != 1.0 {
                return bad(&f, "probabilities must start at 0.0 and end at 1.0");
            }
            for w in quantiles.windows(2) {
                if w[1].0 <= w[0].0 || w[1].0.is_nan() {
                    return bad(
                        &f,
                        format!("probabilities must increase; {} then {}", w[0].0, w[1].0),
                    );
                }
                if w[1].1 < w[0].1 {
                    return bad(
                        &f,
                        format!("latencies must not decrease; {} then {}", w[0].1, w[1].1),
                    );
                }
            }
            Ok(())
        }
    }
}
