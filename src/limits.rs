//! Limits on resources: an estimate of the memory a run will use, made from
//! the resolved scenario before anything is allocated, and the check that
//! refuses a run (or a sweep, or an exploration) whose estimate exceeds a
//! limit — so a scenario asking for 10^7 nodes with 10^6 keys each is told so
//! at once instead of being killed by the operating system midway.
//!
//! The estimate is an upper bound of the large structures, which grow with
//! the square of the node count (every node keeps an entry for every
//! origin), with the write count, or with the messages in flight:
//!
//! | part | bytes |
//! | --- | --- |
//! | version vectors | `nodes × nodes × w` (not for `ping`; `w` below) |
//! | per-key versions | `nodes × nodes × keys × 8` when `keys > 1` |
//! | digests in flight (Scuttlebutt) | `nodes × fanout × r × nodes × w` |
//! | full states in flight (push, pull, push-pull) | `nodes × fanout × r × nodes × keys × 16` |
//! | deltas in flight (Scuttlebutt) | `min(writes/s × latency × nodes × r, nodes × fanout × r × d) × 32` |
//! | hot updates (rumor) | `nodes × h × 112` (a slot, room for as many emptied ones, and its index entry), `h = min(writes, nodes × keys)` |
//! | rumors in flight (rumor) | `nodes × fanout × r × h × 33` (16 B an update in the rumor, 17 in its feedback) |
//! | messages in flight | `nodes × fanout × r × 2 × 128` |
//! | vector clocks (`full` trace or shared keys) | `nodes × nodes × 8`, the same again for the clocks messages carry |
//! | write clocks (shared keys) | `writes × 8 + min(keys × nodes, writes) × 64` |
//! | staleness sampling | `nodes × nodes × 8` |
//! | writes | `writes × (96 + 8 × min(nodes, 100))` (the write log, metrics and their spread levels, checks) |
//! | time series | `(duration / sample_interval + 1) × 3 kinds × 40` (traffic buckets), `+ × 48` with staleness |
//! | per-node time series (`bandwidth_nodes_time.csv`) | `nodes × (duration / sample_interval + 1) × 3 kinds × 32` |
//! | first-held times (`learned.csv`) | `writes × nodes × 8` |
//! | per node | `nodes × 512` (clocks, random streams, queues, counters) |
//! | cuts and degradations | `faults × nodes` |
//! | fixed | 32 MiB (the program, trace and digest buffers) |
//!
//! `r` is the rounds whose messages are in flight at once: `⌈2 × latency /
//! interval⌉` (a message and its answer each take one latency), at least
//! 1 and at most the rounds in the run (`duration / interval + 1`), where
//! the latency is the largest mean of the network's and the routes'
//! distributions plus the largest extra latency of a degradation. (Time
//! in an uplink's queue is not counted.)
//!
//! Nor are the messages waiting in an uplink's queue: with
//! `network.queue_limit_bytes` each node's are at most about that many bytes, and without one
//! they are few unless the uplink cannot carry a round's own messages, in
//! which case the queue grows for the whole run and the estimate says so
//! ([`Estimate::unbounded`], from [`Scenario::uplink_overload`]; the
//! scenario's warnings too).
//!
//! Deltas in flight: each write is sent to every node, and to each as often
//! as the rounds in flight (`r`: until the first copy lands, a node's
//! peers cannot know it has the write), for one latency each; at most `d`
//! per message, `d` the entries a message can carry (`nodes × keys`, or
//! the MTU's `deltas`). 32 bytes a delta: the delta and the copy the
//! responder keeps for its `ack2`.
//!
//! Version vectors and digests are stored at the smallest width that holds
//! every version, from `u8` up (see [`crate::protocol::store`]), so `w` is
//! the width of the largest version a node can reach: 8 B with a
//! lost-state restart (a new generation's versions start at 2^32);
//! otherwise one writer's random writes bounded by their mean plus ten
//! standard deviations plus 20 (more has a chance below 10^-20 per
//! writer), plus every scheduled write — 1 B up to 255, 2 B up to 65,535,
//! 4 B below 2^32. (A switch of width converts one vector at a time; the
//! old vectors that digests still hold are narrower, and counted with the
//! digests.)
//!
//! `writes` is the expected number of writes: every writer's Poisson process
//! over the writing period (at the rates `rate_changes` set), plus the
//! schedule. The default limit
//! ([`default_limit`]) is 80 % of the machine's memory (`MemTotal` in
//! `/proc/meminfo`), or 16 GiB where that cannot be read.

use crate::scenario::{CrashState, ProtocolKind, Scenario, TraceLevel, WriteProcess};

/// One mebibyte.
const MIB: u64 = 1 << 20;
/// One gibibyte.
const GIB: u64 = 1 << 30;

/// The limit used when the machine's memory cannot be read.
pub const FALLBACK_LIMIT_BYTES: u64 = 16 * GIB;

/// Bytes kept per node besides the replicated state.
const PER_NODE_BYTES: u64 = 512;
/// Bytes kept per write (write log, metrics, check observer), besides
/// the spread levels (8 bytes per level, at most [`SPREAD_LEVELS`]).
const PER_WRITE_BYTES: u64 = 96;

/// A (shared key, writer) list of write clock entries: a B-tree map slot
/// and a vector header, with room to grow.
const WRITER_LIST_BYTES: u64 = 64;

/// Most spread levels the metrics keep per write.
const SPREAD_LEVELS: u64 = 100;
/// Bytes a message in flight takes besides its digest or state: its entry
/// in the queue and its flight record (ids, size, the message's fixed part).
const PER_MESSAGE_BYTES: u64 = 128;
/// Message kinds counted per traffic bucket (at most three per protocol).
const KINDS: u64 = 3;
/// The program, buffers and allocator slack.
const FIXED_BYTES: u64 = 32 * MIB;

/// A memory estimate: named parts, each with its size and how it was
/// computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// `(part, bytes, formula with the numbers filled in)`, largest first.
    pub parts: Vec<(&'static str, u64, String)>,
    /// What the estimate does not bound, when something in the run can
    /// grow past it: an uplink queue with no limit behind an uplink that
    /// cannot carry a round's messages ([`Scenario::uplink_overload`]).
    pub unbounded: Option<String>,
}

impl Estimate {
    /// The sum of the parts (saturating).
    pub fn total_bytes(&self) -> u64 {
        self.parts.iter().fold(0u64, |a, p| a.saturating_add(p.1))
    }

    /// The largest parts, e.g. `version vectors 74.5 GiB (100000 × 100000 × 8 B)`.
    pub fn describe(&self, parts: usize) -> String {
        self.parts
            .iter()
            .take(parts)
            .map(|(name, bytes, how)| format!("{name} {} ({how})", bytes_text(*bytes)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Saturating product of factors, in u64.
fn mul(factors: &[u64]) -> u64 {
    factors.iter().fold(1u64, |a, &f| a.saturating_mul(f))
}

/// The expected number of writes of `s`: each writer's Poisson process over
/// `[0, min(stop_at, duration))` at the rates `rate_changes` set, plus the
/// scheduled writes (saturating).
pub fn expected_writes(s: &Scenario) -> u64 {
    let w = &s.workload;
    let writers = w
        .writers
        .as_ref()
        .map_or(s.nodes.count as u64, |v| v.len() as u64);
    writers
        .saturating_mul(writes_per_writer(s))
        .saturating_add(w.schedule.len() as u64)
}

/// One writer's expected random writes, rounded up by one: the base rate
/// times the length of the writing period, each stretch weighted by the
/// rate factor in force (`rate_changes`); 0 without a write process.
fn writes_per_writer(s: &Scenario) -> u64 {
    let w = &s.workload;
    let Some(WriteProcess::Poisson { mean_interval }) = &w.writes else {
        return 0;
    };
    if mean_interval.0 == 0 {
        return 0;
    }
    let period = w.stop_at.map_or(s.duration.0, |t| t.0.min(s.duration.0));
    if w.rate_changes.is_empty() {
        return period / mean_interval.0 + 1;
    }
    // ∫ factor dt over the period, in nanoseconds (factor 1 before the first change).
    let mut weighted = 0f64;
    let (mut from, mut factor) = (0u64, 1f64);
    for c in &w.rate_changes {
        let to = c.at.0.min(period);
        weighted += to.saturating_sub(from) as f64 * factor;
        (from, factor) = (to.max(from), c.factor);
    }
    weighted += period.saturating_sub(from) as f64 * factor;
    // `as` saturates a float too large for u64.
    (weighted / mean_interval.0 as f64).floor() as u64 + 1
}

/// Bytes one version-vector entry takes at the end of `s`: the width of
/// the largest version a node can reach (see the module docs), with the
/// reason, for the estimate's text.
pub fn entry_bytes(s: &Scenario) -> (u64, String) {
    let lost = s
        .faults
        .iter()
        .any(|f| f.crash.is_some() && f.state == Some(CrashState::Lost));
    if lost {
        return (8, "8 B (a lost-state restart)".into());
    }
    let bound = version_bound(writes_per_writer(s)).saturating_add(s.workload.schedule.len() as u64);
    let bytes = u64::from(crate::protocol::store::width_bits(bound) / 8);
    (bytes, format!("{bytes} B (versions up to {bound})"))
}

/// A bound on one writer's random writes when `mean` are expected: the
/// mean plus ten standard deviations of a Poisson count, plus 20. A
/// Chernoff bound puts the chance of more below 10^-20 per writer
/// whatever the mean.
fn version_bound(mean: u64) -> u64 {
    let sd = (mean as f64).sqrt().ceil() as u64;
    mean.saturating_add(sd.saturating_mul(10)).saturating_add(20)
}

/// The rounds whose messages are in flight at once, `r` in the module
/// docs, with the latency it was computed from (ns).
pub fn rounds_in_flight(s: &Scenario) -> (u64, u64) {
    let mean = crate::net::latency::mean_ns;
    let routes = s
        .network
        .routes
        .iter()
        .filter_map(|r| r.latency.as_ref())
        .map(mean);
    let extra = s
        .faults
        .iter()
        .filter_map(|f| f.degrade.as_ref())
        .map(|d| d.extra_latency.0);
    let latency = routes
        .fold(mean(&s.network.latency), u64::max)
        .saturating_add(extra.max().unwrap_or(0));
    let interval = s.gossip.interval.0.max(1);
    let rounds = (s.duration.0 / interval).saturating_add(1);
    (
        latency.saturating_mul(2).div_ceil(interval).clamp(1, rounds),
        latency,
    )
}

/// Estimates the memory `s` will use at its trace level (see the module docs).
pub fn estimate(s: &Scenario) -> Estimate {
    let n = s.nodes.count as u64;
    let keys = s.workload.key_count().max(1) as u64;
    let fanout = s.gossip.fanout as u64;
    let (r, latency) = rounds_in_flight(s);
    let r_text = if r == 1 {
        String::new()
    } else {
        format!(" × {r} rounds ({} latency)", crate::time::SimDuration(latency))
    };
    let writes = expected_writes(s);
    let replicated = s.gossip.protocol != ProtocolKind::Ping;
    let clocks = s.output.trace.digest_level() == TraceLevel::Full || s.workload.shared_keys.is_some();
    let (entry, entry_text) = entry_bytes(s);
    let mut parts: Vec<(&'static str, u64, String)> = Vec::new();
    if replicated {
        parts.push((
            "version vectors",
            mul(&[n, n, entry]),
            format!("{n} nodes × {n} origins × {entry_text}"),
        ));
        if keys > 1 {
            parts.push((
                "per-key versions",
                mul(&[n, n, keys, 8]),
                format!("{n} nodes × {n} origins × {keys} keys × 8 B"),
            ));
        }
    }
    match s.gossip.protocol {
        ProtocolKind::Scuttlebutt => parts.push((
            "digests in flight",
            mul(&[n, fanout, r, n, entry]),
            format!("{n} nodes × fan-out {fanout}{r_text} × {n} entries × {entry_text}"),
        )),
        ProtocolKind::Push | ProtocolKind::Pull | ProtocolKind::PushPull => parts.push((
            "full states in flight",
            mul(&[n, fanout, r, n, keys, 16]),
            format!("{n} nodes × fan-out {fanout}{r_text} × {n} origins × {keys} keys × 16 B"),
        )),
        ProtocolKind::Rumor => {
            // A node's hot list holds at most one update per key, and
            // every rumor (and its feedback) a copy of it.
            let hot = writes.min(n.saturating_mul(keys)).max(1);
            parts.push((
                "hot updates",
                mul(&[n, hot, 112]),
                format!("{n} nodes × {hot} updates × 112 B"),
            ));
            parts.push((
                "rumors in flight",
                mul(&[n, fanout, r, hot, 33]),
                format!("{n} nodes × fan-out {fanout}{r_text} × {hot} updates × 33 B (rumor and feedback)"),
            ));
        }
        ProtocolKind::Ping => {}
    }
    if s.gossip.protocol == ProtocolKind::Scuttlebutt {
        let per_message = match s.gossip.mtu {
            Some(crate::scenario::Mtu::Deltas(d)) => u64::from(d).min(n.saturating_mul(keys)),
            _ => n.saturating_mul(keys),
        };
        let cap = mul(&[n, fanout, r, per_message]);
        // Expected writes × latency / duration: the writes made in one
        // latency, at the run's mean rate (saturating in u128).
        let in_latency = (u128::from(writes) * u128::from(latency) / u128::from(s.duration.0.max(1)))
            .min(u128::from(u64::MAX)) as u64;
        let by_rate = mul(&[in_latency.max(1), n, r]);
        let deltas = by_rate.min(cap);
        parts.push((
            "deltas in flight",
            mul(&[deltas, 32]),
            if by_rate <= cap {
                // Fewer than one write in a latency counts as one: the text
                // shows the factor the product uses.
                match in_latency {
                    0 => format!(
                        "1 write in a latency (fewer expected, counted as 1) × {n} nodes{r_text} × 32 B"
                    ),
                    1 => format!("1 write in a latency × {n} nodes{r_text} × 32 B"),
                    _ => format!("{in_latency} writes in a latency × {n} nodes{r_text} × 32 B"),
                }
            } else {
                format!("{n} nodes × fan-out {fanout}{r_text} × {per_message} deltas × 32 B")
            },
        ));
    }
    parts.push((
        "messages in flight",
        mul(&[n, fanout, r, 2, PER_MESSAGE_BYTES]),
        format!("{n} nodes × fan-out {fanout}{r_text} × 2 × {PER_MESSAGE_BYTES} B"),
    ));
    if clocks {
        parts.push((
            "vector clocks",
            mul(&[n, n, 8, 2]),
            format!("{n} nodes × {n} entries × 8 B, twice (nodes and messages)"),
        ));
    }
    if let Some(keys) = s.workload.shared_keys {
        // Each write's own clock entry, and a list per (key, writer).
        let lists = (u64::from(keys)).saturating_mul(n).min(writes);
        parts.push((
            "write clocks",
            mul(&[writes, 8]).saturating_add(mul(&[lists, WRITER_LIST_BYTES])),
            format!("{writes} writes × 8 B + {lists} (key, writer) lists × {WRITER_LIST_BYTES} B"),
        ));
    }
    if s.output.staleness {
        parts.push(("staleness sampling", mul(&[n, n, 8]), format!("{n} × {n} × 8 B")));
    }
    let per_write = PER_WRITE_BYTES + 8 * n.min(SPREAD_LEVELS);
    parts.push((
        "writes",
        mul(&[writes, per_write]),
        format!("{writes} expected writes × {per_write} B"),
    ));
    let buckets = (s.duration.0 / s.output.sample_interval.0.max(1)).saturating_add(1);
    let per_bucket = KINDS * 40 + if s.output.staleness { 48 } else { 0 };
    parts.push((
        "time series",
        mul(&[buckets, per_bucket]),
        format!("{buckets} samples × {per_bucket} B"),
    ));
    if s.output.node_series(s.nodes.count, s.duration) {
        parts.push((
            "per-node time series",
            mul(&[n, buckets, KINDS, 32]),
            format!("{n} nodes × {buckets} samples × {KINDS} kinds × 32 B"),
        ));
    }
    if s.output.learned(s.nodes.count, writes) {
        parts.push((
            "first-held times",
            mul(&[writes, n, 8]),
            format!("{writes} expected writes × {n} nodes × 8 B"),
        ));
    }
    parts.push((
        "per node",
        mul(&[n, PER_NODE_BYTES]),
        format!("{n} nodes × {PER_NODE_BYTES} B"),
    ));
    if !s.faults.is_empty() {
        let f = s.faults.len() as u64;
        parts.push((
            "cuts and degradations",
            mul(&[f, n]),
            format!("{f} faults × {n} B"),
        ));
    }
    parts.push(("fixed", FIXED_BYTES, "program and buffers".into()));
    parts.sort_by_key(|p| std::cmp::Reverse(p.1));
    let unbounded = s.uplink_overload().map(|o| {
        format!(
            "not bounded by this estimate: each node's uplink queue, which grows by at least {} B a round \
             ({} B sent, {} B carried) with no network.queue_limit_bytes",
            o.round_bytes - o.uplink_bytes,
            o.round_bytes,
            o.uplink_bytes
        )
    });
    Estimate { parts, unbounded }
}

/// Where the default limit came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The limit in bytes; `None`: no limit.
    pub bytes: Option<u64>,
    /// How it was chosen, for messages (`--max-memory`, `80% of 23.4 GiB`).
    pub source: String,
}

/// 80 % of `MemTotal` from `/proc/meminfo`, else [`FALLBACK_LIMIT_BYTES`].
pub fn default_limit() -> Limit {
    match std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| mem_total(&t))
    {
        Some(total) => Limit {
            bytes: Some(total / 5 * 4),
            source: format!(
                "the default: 80% of this machine's {}; --max-memory changes it",
                bytes_text(total)
            ),
        },
        None => Limit {
            bytes: Some(FALLBACK_LIMIT_BYTES),
            source: "the default; --max-memory changes it".into(),
        },
    }
}

/// `MemTotal` in bytes from the text of `/proc/meminfo`.
fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Parses a size: bytes (`1000000`), or a number with a unit `K`, `M`, `G`,
/// `T` (powers of 1024, optionally written `KiB`, `MiB`…, `KB`…), e.g.
/// `8GiB`, `512M`, `1.5G`; `none` or `unlimited` for no limit.
pub fn parse_size(text: &str) -> Result<Option<u64>, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("none") || t.eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    let help = || format!("invalid size {text:?}: expected e.g. 8GiB, 512MiB, 2G, 1000000 (bytes) or none");
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit
        .strip_suffix("ib")
        .or_else(|| unit.strip_suffix('b'))
        .unwrap_or(&unit);
    let scale: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(help()),
    };
    // Whole bytes are read exactly (a float would round 2^64 - 1 up).
    if unit.is_empty() {
        if let Ok(bytes) = num.parse::<u64>() {
            return if bytes >= 1 { Ok(Some(bytes)) } else { Err(help()) };
        }
    }
    let value: f64 = num.parse().map_err(|_| help())?;
    let bytes = value * scale as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes >= u64::MAX as f64 {
        return Err(help());
    }
    Ok(Some(bytes as u64))
}

/// A size for people: `74.5 GiB`, `512.0 MiB`, `900 B`.
pub fn bytes_text(bytes: u64) -> String {
    const UNITS: [(&str, u64); 5] = [
        ("PiB", 1 << 50),
        ("TiB", 1 << 40),
        ("GiB", GIB),
        ("MiB", MIB),
        ("KiB", 1 << 10),
    ];
    if bytes == u64::MAX {
        return "more than 16 EiB".into();
    }
    for (name, size) in UNITS {
        if bytes >= size {
            return format!("{:.1} {name}", bytes as f64 / size as f64);
        }
    }
    format!("{bytes} B")
}

/// Refuses `s` when `parallel` copies of it (runs at once) would need more
/// than `limit`; the message names the estimate, its largest parts, the
/// limit and what to change. Returns the estimate otherwise.
pub fn check(s: &Scenario, parallel: usize, limit: &Limit) -> Result<Estimate, String> {
    let est = estimate(s);
    let Some(max) = limit.bytes else {
        return Ok(est);
    };
    let one = est.total_bytes();
    let parallel = parallel.max(1) as u64;
    let all = one.saturating_mul(parallel);
    if all > max {
        let at_once = if parallel > 1 {
            format!(" × {parallel} runs at once (--jobs) = {}", bytes_text(all))
        } else {
            String::new()
        };
        // Sizes that read the same rounded are given in bytes.
        let (need, have) = if bytes_text(all) == bytes_text(max) {
            (format!("{one} B"), format!("{max} B"))
        } else {
            (bytes_text(one), bytes_text(max))
        };
        let at_once = if parallel > 1 && bytes_text(all) == bytes_text(max) {
            format!(" × {parallel} runs at once (--jobs) = {all} B")
        } else {
            at_once
        };
        let unbounded = est.unbounded.as_ref().map_or(String::new(), |u| format!("; {u}"));
        return Err(format!(
            "the run would need about {need}{at_once} of memory, more than the limit of {have} ({}); largest parts: {}{unbounded}; {}, or raise --max-memory",
            limit.source,
            est.describe(3),
            advice(s, &est)
        ));
    }
    Ok(est)
}

/// What to change in `s` to shrink the largest part of its estimate `est`:
/// the fields that part grows with, the cause first.
fn advice(s: &Scenario, est: &Estimate) -> String {
    let largest = est.parts.first().map_or("", |p| p.0);
    let (r, latency) = rounds_in_flight(s);
    let in_flight = largest.ends_with("in flight");
    if in_flight && r > 1 {
        return format!(
            "the cause is gossip.interval ({}): with {} latency, messages of {r} rounds are in flight at once; \
             make the interval longer (at least twice the latency keeps one round in flight), or make \
             nodes.count or gossip.fanout smaller",
            s.gossip.interval,
            crate::time::SimDuration(latency)
        );
    }
    let fields = match largest {
        "version vectors" | "per-key versions" | "staleness sampling" | "vector clocks" => {
            "nodes.count (this part grows with its square), workload.keys_per_node"
        }
        _ if in_flight => "nodes.count, gossip.fanout, workload.keys_per_node",
        "hot updates" | "writes" | "write clocks" | "first-held times" => {
            "the write rate (workload.writes.mean_interval), duration, nodes.count"
        }
        "time series" | "per-node time series" => "output.sample_interval (longer), duration, nodes.count",
        _ => "nodes.count, workload.keys_per_node, the write rate",
    };
    format!("make the scenario smaller ({fields})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("8GiB"), Ok(Some(8 << 30)));
        assert_eq!(parse_size("512M"), Ok(Some(512 << 20)));
        assert_eq!(parse_size("1.5g"), Ok(Some(3 << 29)));
        assert_eq!(parse_size("1000"), Ok(Some(1000)));
        assert_eq!(parse_size("2 KB"), Ok(Some(2048)));
        assert_eq!(parse_size("none"), Ok(None));
        assert_eq!(parse_size("18446744073709551615"), Ok(Some(u64::MAX)), "exact");
        for bad in ["", "0", "-1G", "8X", "G", "1e400", "99999999999T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn meminfo_and_text() {
        assert_eq!(
            mem_total("MemTotal:       24576000 kB\nMemFree: 1 kB\n"),
            Some(24_576_000 * 1024)
        );
        assert_eq!(mem_total("nothing"), None);
        assert_eq!(bytes_text(900), "900 B");
        assert_eq!(bytes_text(3 << 29), "1.5 GiB");
        assert_eq!(bytes_text(u64::MAX), "more than 16 EiB");
    }
}
