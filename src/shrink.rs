//! Shrinking: from a failing run, search for a smaller scenario (same seed)
//! that still fails the *same* check, greedily, delta-debugging style.
//!
//! The target is one failed check of the run (the first, unless chosen);
//! the shrunk scenario keeps only that check. A candidate counts as still
//! failing when that check fails conclusively (not merely because the run
//! became too short to reach its deadline) and the same way: a write late
//! stays a write late (removing a heal must not turn it into one never
//! delivered), and `converged_within` keeps counting from the same kind of
//! anchor (a recovery, or the last write). Passes, repeated until none makes progress or the
//! run budget is spent:
//!
//! 0. **faults** — ddmin over `[[faults]]`: remove halves, quarters, …,
//!    single faults (first, since faults name nodes); then `nodes.groups`
//!    once nothing names a group, and the network and clocks made plain one
//!    setting at a time (loss, duplication, bursty loss off; latency its
//!    mean; clock offset, drift, per-node clocks off), each noted as kept
//!    when the failure needs it;
//! 1. **nodes** — the smallest count that still fails: every count from 2
//!    up to 64 nodes, else 2, 3, n/8, n/4, n/2, 3n/4, n−1 (writers,
//!    scheduled writes and fan-out follow the node count);
//! 2. **duration** — just past the check's deadline, or a quarter, a half,
//!    three quarters of it (rounded up to whole seconds from 10 s, tenths
//!    from 1 s, milliseconds below);
//! 3. **random writes → schedule** — the random write process is replaced by
//!    the writes it made, as explicit `[[workload.schedule]]` entries, so
//!    single writes can be removed;
//! 4. **scheduled writes** — ddmin over the schedule: remove halves,
//!    quarters, …, single writes;
//! 5. **writers** and **stop_at** — while a random process remains: ddmin
//!    over the writer list, earlier stop times;
//! 6. **fan-out** and **keys per node** — lower values.
//!
//! Every random stream is keyed by `(component, node)`, so removing a writer
//! or a node leaves the other nodes' draws as they were; that is what makes
//! greedy removal converge rather than scramble the run.

use crate::check::{run_checked, Check, CheckResult};
use crate::error::{Error, Result};
use crate::replay::manifest_scenario;
use crate::scenario::{self, Fault, Format, Heal, Latency, Scenario, ScheduledWrite, TraceLevel};
use crate::summary::Manifest;
use crate::time::{SimDuration, NS_PER_MS, NS_PER_S};
use crate::trace::{Record, TraceSink};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Default budget of simulation runs for one shrink.
pub const DEFAULT_MAX_RUNS: usize = 400;

/// The axes a shrink reports, measured on a scenario and one run of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Size {
    /// `nodes.count`.
    pub nodes: u32,
    /// `duration`.
    pub duration: SimDuration,
    /// Writes the run made (random and scheduled).
    pub writes: u64,
    /// `gossip.fanout`.
    pub fanout: u32,
    /// `workload.keys_per_node`.
    pub keys_per_node: u32,
    /// `[[faults]]` entries.
    pub faults: u64,
    /// While a random write process remains: its writers (`workload.writers`,
    /// or every node) and `workload.stop_at`.
    pub random: Option<(u32, Option<SimDuration>)>,
}

impl Size {
    /// The axes that are smaller in `self` than in `original`:
    /// `(axis, original, shrunk)`.
    pub fn reductions(&self, original: &Size) -> Vec<(&'static str, String, String)> {
        let mut v = Vec::new();
        let mut axis = |name, a: u64, b: u64, show: &dyn Fn(u64) -> String| {
            if b < a {
                v.push((name, show(a), show(b)));
            }
        };
        let plain = |x: u64| x.to_string();
        axis("nodes", original.nodes as u64, self.nodes as u64, &plain);
        axis("duration", original.duration.0, self.duration.0, &|x| {
            SimDuration(x).to_string()
        });
        axis("writes", original.writes, self.writes, &plain);
        axis("fanout", original.fanout as u64, self.fanout as u64, &plain);
        axis(
            "keys_per_node",
            original.keys_per_node as u64,
            self.keys_per_node as u64,
            &plain,
        );
        axis("faults", original.faults, self.faults, &plain);
        if let (Some((w0, s0)), Some((w1, s1))) = (original.random, self.random) {
            axis("writers", w0 as u64, w1 as u64, &plain);
            match (s0, s1) {
                (None, Some(b)) => v.push(("stop_at", "the end".into(), b.to_string())),
                (Some(a), Some(b)) if b < a => v.push(("stop_at", a.to_string(), b.to_string())),
                _ => {}
            }
        }
        v
    }
}

/// Options of [`shrink`].
#[derive(Clone, Debug)]
pub struct ShrinkOptions {
    /// Most simulation runs to spend.
    pub max_runs: usize,
    /// Index (in the scenario's `checks`) of the failed check to keep
    /// failing; default the first failed one.
    pub check: Option<usize>,
}

impl Default for ShrinkOptions {
    fn default() -> Self {
        ShrinkOptions {
            max_runs: DEFAULT_MAX_RUNS,
            check: None,
        }
    }
}

/// What a shrink found.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The smallest failing scenario found (named `<name>-shrunk`, only the
    /// target check).
    pub scenario: Scenario,
    /// The check that keeps failing.
    pub target: Check,
    /// Its failure in the original run.
    pub original_failure: CheckResult,
    /// Its failure in the shrunk scenario.
    pub failure: CheckResult,
    /// The original's axes.
    pub original: Size,
    /// The shrunk scenario's axes.
    pub shrunk: Size,
    /// Transformations applied that are not reductions of an axis (e.g. the
    /// random writes turned into a schedule, other checks dropped).
    pub notes: Vec<String>,
    /// Settings removed or made plain (groups, loss, duplication, latency
    /// spread, clocks), one `axis: was -> now` line each.
    pub simplified: Vec<String>,
    /// Settings tried and kept because without them the check passes (or
    /// fails another way): `(setting, why)`.
    pub kept: Vec<(String, String)>,
    /// Simulation runs spent.
    pub runs: usize,
    /// The budget ran out before no pass made progress.
    pub budget_exhausted: bool,
    /// Ctrl-C stopped the search (the best found so far is reported).
    pub interrupted: bool,
}

struct Search<'a> {
    best: Scenario,
    best_failure: CheckResult,
    best_writes: u64,
    allow_inconclusive: bool,
    /// The kind of the original failure ([`CheckResult::kind`]), once
    /// known: a candidate must fail the same way (still late, not never
    /// delivered because a heal was removed; from the same anchor).
    kind: &'static str,
    runs: usize,
    max_runs: usize,
    stop: Option<&'a AtomicBool>,
    progress: &'a dyn Fn(&str),
    /// Settings removed or simplified (not axes of [`Size`]), in order:
    /// `axis: was -> now`.
    simplified: Vec<String>,
    /// Settings tried and kept, by axis: what they are and why they stay
    /// (the last attempt's outcome).
    kept: Vec<(&'static str, String, String)>,
}

/// What a candidate's run said.
enum Verdict {
    /// The target still fails the same way: its result, the writes made.
    Fails(CheckResult, u64),
    /// It does not: why (the check passes, or fails another way).
    Other(String),
    /// Not run: invalid, out of budget or interrupted.
    NotRun,
}

/// Collects the `write` records of a run.
#[derive(Default)]
struct Writes(Vec<ScheduledWrite>);

impl TraceSink for Writes {
    fn record(&mut self, r: &Record) {
        if let Record::Write {
            t, node, key, value, ..
        } = *r
        {
            self.0.push(ScheduledWrite {
                at: SimDuration(t),
                node,
                key,
                value,
            });
        }
    }
}

impl Search<'_> {
    fn out_of_budget(&self) -> bool {
        self.runs >= self.max_runs || self.stop.is_some_and(|s| s.load(Ordering::SeqCst))
    }

    /// Runs `candidate`; `Some((failure, writes))` if the target still fails.
    fn fails(&mut self, candidate: &Scenario) -> Option<(CheckResult, u64)> {
        match self.verdict(candidate) {
            Verdict::Fails(r, writes) => Some((r, writes)),
            Verdict::Other(_) | Verdict::NotRun => None,
        }
    }

    /// Runs `candidate` and says whether the target still fails the same
    /// way, or else why not.
    fn verdict(&mut self, candidate: &Scenario) -> Verdict {
        match self.run(candidate) {
            None => Verdict::NotRun,
            Some((r, writes)) => {
                if r.passed {
                    Verdict::Other("without it the check passes".into())
                } else if r.inconclusive && !self.allow_inconclusive {
                    Verdict::Other("without it the check fails only inconclusively".into())
                } else if !self.kind.is_empty() && r.kind != self.kind {
                    Verdict::Other(format!("without it the check fails another way: {}", r.kind))
                } else {
                    Verdict::Fails(r, writes)
                }
            }
        }
    }

    /// Runs `candidate` (if valid, within budget, not interrupted): the
    /// target's result and the writes made.
    fn run(&mut self, candidate: &Scenario) -> Option<(CheckResult, u64)> {
        if self.out_of_budget() {
            return None;
        }
        // Candidates must be valid scenarios, as if written to a file.
        let valid = scenario::parse_str(
            &candidate.canonical_json(),
            Format::Json,
            "candidate",
            &candidate.name,
            &[],
        )
        .ok()?;
        self.runs += 1;
        let checked = run_checked(&valid, &mut crate::trace::NullSink, TraceLevel::Off, self.stop);
        if checked.interrupted {
            return None;
        }
        let r = checked.checks.into_iter().next()?;
        Some((r, checked.outcome.metrics.convergence().writes))
    }

    /// Keeps `candidate` if it still fails; says so.
    fn try_accept(&mut self, candidate: Scenario, what: &str) -> bool {
        match self.fails(&candidate) {
            Some((failure, writes)) => {
                (self.progress)(&format!("{what}: still fails"));
                self.best = candidate;
                self.best_failure = failure;
                self.best_writes = writes;
                true
            }
            None => false,
        }
    }

    /// The first candidate, in order, that still fails.
    fn first_failing(&mut self, candidates: Vec<(Scenario, String)>) -> bool {
        for (c, what) in candidates {
            if self.try_accept(c, &what) {
                return true;
            }
        }
        false
    }

    /// Tries `c`, which turns `label` into `now` on `axis`; kept if the
    /// target still fails the same way, else `label` is noted as needed,
    /// with why.
    fn simplify(&mut self, axis: &'static str, label: String, now: &str, c: Scenario) -> bool {
        match self.verdict(&c) {
            Verdict::Fails(failure, writes) => {
                (self.progress)(&format!("{axis} {label} -> {now}: still fails"));
                self.best = c;
                self.best_failure = failure;
                self.best_writes = writes;
                self.kept.retain(|k| k.0 != axis);
                self.simplified.push(format!("{axis}: {label} -> {now}"));
                true
            }
            Verdict::Other(why) => {
                self.kept.retain(|k| k.0 != axis);
                self.kept.push((axis, label, why));
                false
            }
            Verdict::NotRun => false,
        }
    }

    /// `nodes.groups` dropped, when nothing names a group any more (a
    /// fault, route or view naming one makes the candidate invalid, and
    /// it is not run). Without groups the node count can shrink.
    fn pass_groups(&mut self) -> bool {
        let groups = &self.best.nodes.groups;
        if groups.is_empty() {
            return false;
        }
        let label = groups
            .iter()
            .map(|(g, n)| format!("{g} = {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut c = self.best.clone();
        c.nodes.groups.clear();
        self.simplify("groups", label, "none", c)
    }

    /// The network and clocks made plain, one setting at a time
    /// ([`PLAIN`], in its order).
    fn pass_network(&mut self) -> bool {
        let mut changed = false;
        for (axis, plain) in PLAIN {
            if let Some((label, now, c)) = plain(&self.best) {
                changed |= self.simplify(axis, label, &now, c);
            }
        }
        changed
    }

    fn pass_nodes(&mut self) -> bool {
        let n = self.best.nodes.count;
        let mut ks = if n <= 64 {
            (2..n).collect()
        } else {
            vec![2, 3, n / 8, n / 4, n / 2, n - n / 4, n - 1]
        };
        ks.retain(|&k| k >= 2 && k < n);
        ks.sort_unstable();
        ks.dedup();
        let cands = ks
            .into_iter()
            .map(|k| (with_nodes(&self.best, k), format!("nodes {n} -> {k}")))
            .collect();
        self.first_failing(cands)
    }

    fn pass_duration(&mut self) -> bool {
        // A rate over a shorter run is the start-up's (every node's first
        // rounds over a few ms), not the failure's: keep the duration.
        if self
            .best
            .checks
            .iter()
            .any(|c| c.max_bytes_per_node_per_s.is_some())
        {
            return false;
        }
        let d = self.best.duration.0;
        let mut ds = vec![d / 4, d / 2, d - d / 4];
        if let Some(at) = self.best_failure.at_ns {
            ds.push(at.saturating_add(NS_PER_MS));
        }
        let mut ds: Vec<u64> = ds.into_iter().map(round_up).collect();
        ds.retain(|&x| x > 0 && x < d);
        ds.sort_unstable();
        ds.dedup();
        let cands = ds
            .into_iter()
            .map(|x| {
                (
                    with_duration(&self.best, SimDuration(x)),
                    format!("duration {} -> {}", SimDuration(d), SimDuration(x)),
                )
            })
            .collect();
        self.first_failing(cands)
    }

    fn pass_schedule_random_writes(&mut self) -> bool {
        if self.best.workload.writes.is_none() || self.out_of_budget() {
            return false;
        }
        let mut writes = Writes::default();
        self.runs += 1;
        run_checked(&self.best, &mut writes, TraceLevel::Versions, self.stop);
        let mut c = self.best.clone();
        c.workload.writes = None;
        c.workload.writers = None;
        c.workload.stop_at = None;
        let count = writes.0.len();
        c.workload.schedule = writes.0;
        self.try_accept(
            c,
            &format!(
                "random writes -> a schedule of the {count} write{} they made",
                if count == 1 { "" } else { "s" }
            ),
        )
    }

    /// ddmin over a list of the scenario, read and written by `get`/`set`.
    fn ddmin<T: Clone>(
        &mut self,
        what: &str,
        get: impl Fn(&Scenario) -> Vec<T>,
        set: impl Fn(&mut Scenario, Vec<T>),
    ) -> bool {
        let mut changed = false;
        let mut chunks = 2usize;
        loop {
            let list = get(&self.best);
            let len = list.len();
            if len <= 1 {
                if len == 1 {
                    let mut c = self.best.clone();
                    set(&mut c, Vec::new());
                    changed |= self.try_accept(c, &format!("{what} 1 -> 0"));
                }
                return changed;
            }
            let n = chunks.min(len);
            let size = len.div_ceil(n);
            let mut removed = false;
            for start in (0..len).step_by(size) {
                if self.out_of_budget() {
                    return changed;
                }
                let end = (start + size).min(len);
                let mut rest = list[..start].to_vec();
                rest.extend_from_slice(&list[end..]);
                let mut c = self.best.clone();
                set(&mut c, rest);
                let left = get(&c).len();
                if self.try_accept(c, &format!("{what} {len} -> {left}")) {
                    removed = true;
                    changed = true;
                    break;
                }
            }
            if removed {
                chunks = (n - 1).max(2);
            } else if size == 1 {
                return changed;
            } else {
                chunks = (n * 2).min(len);
            }
        }
    }

    fn pass_stop_at(&mut self) -> bool {
        if self.best.workload.writes.is_none() {
            return false;
        }
        let s = self
            .best
            .workload
            .stop_at
            .map_or(self.best.duration.0, |s| s.0.min(self.best.duration.0));
        let mut xs: Vec<u64> = [s / 4, s / 2, s - s / 4]
            .into_iter()
            .map(round_up)
            .filter(|&x| x > 0 && x < s)
            .collect();
        xs.sort_unstable();
        xs.dedup();
        let cands = xs
            .into_iter()
            .map(|x| {
                let mut c = self.best.clone();
                c.workload.stop_at = Some(SimDuration(x));
                (c, format!("stop_at {} -> {}", SimDuration(s), SimDuration(x)))
            })
            .collect();
        self.first_failing(cands)
    }

    fn pass_fanout(&mut self) -> bool {
        let f = self.best.gossip.fanout;
        let cands = (1..f)
            .map(|x| {
                let mut c = self.best.clone();
                c.gossip.fanout = x;
                (c, format!("fanout {f} -> {x}"))
            })
            .collect();
        self.first_failing(cands)
    }

    fn pass_keys(&mut self) -> bool {
        let w = &self.best.workload;
        if w.writes.is_some() {
            return false;
        }
        let used = w.schedule.iter().map(|s| s.key + 1).max().unwrap_or(1);
        if used >= w.keys_per_node {
            return false;
        }
        let mut c = self.best.clone();
        c.workload.keys_per_node = used;
        let what = format!("keys_per_node {} -> {used}", w.keys_per_node);
        self.try_accept(c, &what)
    }
}

/// The mean of a latency distribution other than a constant, as a constant
/// (to the microsecond where it is computed), where it is finite.
/// A setting made plain: `(what it was, what it becomes, the scenario
/// with it so)`, or `None` when it is plain already.
type Plain = fn(&Scenario) -> Option<(String, String, Scenario)>;

/// The settings [`Search::pass_network`] tries making plain, in order:
/// loss, duplication and bursty loss off, latency a constant (its mean),
/// clock offsets, drift and per-node clocks off.
const PLAIN: [(&str, Plain); 7] = [
    ("loss", |b| {
        (b.network.loss > 0.0).then(|| {
            (
                b.network.loss.to_string(),
                "0".into(),
                with(b, |c| c.network.loss = 0.0),
            )
        })
    }),
    ("duplicate", |b| {
        (b.network.duplicate > 0.0).then(|| {
            (
                b.network.duplicate.to_string(),
                "0".into(),
                with(b, |c| c.network.duplicate = 0.0),
            )
        })
    }),
    ("burst_loss", |b| {
        let burst = b.network.burst_loss.as_ref()?;
        Some((
            inline(burst),
            "none".into(),
            with(b, |c| c.network.burst_loss = None),
        ))
    }),
    ("latency", |b| {
        let value = latency_mean(&b.network.latency)?;
        let c = with(b, |c| c.network.latency = Latency::Constant { value });
        Some((inline(&b.network.latency), inline(&c.network.latency), c))
    }),
    ("clock offset", |b| {
        let offset = b.clock.offset.as_ref()?;
        Some((inline(offset), "none".into(), with(b, |c| c.clock.offset = None)))
    }),
    ("clock drift_ppm", |b| {
        let drift = b.clock.drift_ppm.as_ref()?;
        Some((
            inline(drift),
            "none".into(),
            with(b, |c| c.clock.drift_ppm = None),
        ))
    }),
    ("clock nodes", |b| {
        (!b.clock.nodes.is_empty()).then(|| {
            let label = format!("{} per-node clock(s)", b.clock.nodes.len());
            (label, "none".into(), with(b, |c| c.clock.nodes.clear()))
        })
    }),
];

/// A copy of `b` changed by `change`.
fn with(b: &Scenario, change: impl FnOnce(&mut Scenario)) -> Scenario {
    let mut c = b.clone();
    change(&mut c);
    c
}

fn latency_mean(l: &Latency) -> Option<SimDuration> {
    let us = |x: f64| (x.is_finite() && x >= 0.0).then(|| SimDuration(((x / 1e3).round() * 1e3) as u64));
    match l {
        Latency::Constant { .. } => None,
        Latency::Uniform { low, high } => {
            Some(SimDuration(low.0 / 2 + high.0 / 2 + (low.0 % 2 + high.0 % 2) / 2))
        }
        Latency::Normal { mean, .. } | Latency::Exponential { mean } => Some(*mean),
        Latency::Lognormal { median, sigma } => us(median.0 as f64 * (sigma * sigma / 2.0).exp()),
        Latency::Pareto { scale, shape } if *shape > 1.0 => us(scale.0 as f64 * shape / (shape - 1.0)),
        Latency::Pareto { .. } => None,
        Latency::Empirical { quantiles } => us(quantiles
            .windows(2)
            .map(|w| (w[1].0 - w[0].0) * (w[0].1 .0 as f64 + w[1].1 .0 as f64) / 2.0)
            .sum()),
    }
}

/// A setting on one line, as a TOML inline table in the scenario's field
/// order (`{ dist = "uniform", low = "5ms", high = "60ms" }`).
fn inline<T: serde::Serialize>(v: &T) -> String {
    let text = toml::to_string(v).unwrap_or_default();
    let fields: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    format!("{{ {} }}", fields.join(", "))
}

/// Sets the faults to `faults`, dropping each `heal` of a named partition
/// or cut that is no longer among them: removing a partition removes its
/// heal too (the heal alone would name nothing and be refused).
fn set_faults(s: &mut Scenario, faults: Vec<Fault>) {
    s.faults = faults;
    let names: Vec<String> = s.faults.iter().filter_map(|f| f.name.clone()).collect();
    s.faults
        .retain(|f| !matches!(&f.heal, Some(Heal::Named(n)) if !names.contains(n)));
}

/// Rounded up to a readable value: whole seconds from 10 s, tenths of a
/// second from 1 s, whole milliseconds below.
fn round_up(ns: u64) -> u64 {
    let unit = if ns >= 10 * NS_PER_S {
        NS_PER_S
    } else if ns >= NS_PER_S {
        NS_PER_S / 10
    } else {
        NS_PER_MS
    };
    ns.div_ceil(unit).saturating_mul(unit)
}

/// `s` with `k` nodes: writers, scheduled writes and fan-out follow.
fn with_nodes(s: &Scenario, k: u32) -> Scenario {
    let mut c = s.clone();
    c.nodes.count = k;
    c.gossip.fanout = c.gossip.fanout.min(k - 1);
    if let Some(w) = &mut c.workload.writers {
        w.retain(|&id| id < k);
    }
    c.workload.schedule.retain(|w| w.node < k);
    c
}

/// `s` lasting `d`: scheduled writes past the end are dropped.
fn with_duration(s: &Scenario, d: SimDuration) -> Scenario {
    let mut c = s.clone();
    c.duration = d;
    c.workload.schedule.retain(|w| w.at < d);
    c
}

/// The axes of `s` with `writes` writes made.
fn size(s: &Scenario, writes: u64) -> Size {
    Size {
        nodes: s.nodes.count,
        duration: s.duration,
        writes,
        fanout: s.gossip.fanout,
        keys_per_node: s.workload.keys_per_node,
        faults: s.faults.len() as u64,
        random: s.workload.writes.as_ref().map(|_| {
            let writers = s
                .workload
                .writers
                .as_ref()
                .map_or(s.nodes.count, |w| w.len() as u32);
            (writers, s.workload.stop_at)
        }),
    }
}

/// Shrinks the failing run of `manifest` (read from `path`). `progress` is
/// told each accepted step.
pub fn shrink(
    manifest: &Manifest,
    path: &Path,
    opts: &ShrinkOptions,
    stop: Option<&AtomicBool>,
    progress: &dyn Fn(&str),
) -> Result<Shrunk> {
    let bad = |message: String| Error::Format {
        path: path.to_path_buf(),
        message,
    };
    let original = manifest_scenario(manifest, path)?;
    if manifest.status == crate::summary::STATUS_INTERRUPTED {
        return Err(bad(
            "the run was interrupted: its checks were not evaluated; run it to the end, then shrink".into(),
        ));
    }
    if manifest.checks.is_empty() {
        return Err(bad(
            "the run has no checks ([[checks]]): shrink keeps a failing check failing; add one and run again"
                .into(),
        ));
    }
    let index = match opts.check {
        Some(i) => {
            let r = manifest.checks.get(i).ok_or_else(|| {
                bad(format!(
                    "--check {i}: the run has {} checks (0..{})",
                    manifest.checks.len(),
                    manifest.checks.len().saturating_sub(1)
                ))
            })?;
            if r.passed {
                return Err(bad(format!("check {i} ({}) passed in this run", r.check)));
            }
            i
        }
        None => manifest
            .checks
            .iter()
            .position(|r| !r.passed)
            .ok_or_else(|| bad("every check passed in this run: nothing to shrink".into()))?,
    };
    let target = original
        .checks
        .get(index)
        .cloned()
        .ok_or_else(|| bad(format!("the scenario has no check {index}")))?;
    let inconclusive = || {
        bad(format!(
            "check {index} ({target}) failed only inconclusively ({}): shrinking would only shorten the run; make it fail conclusively (as that says), run again, and shrink that",
            manifest.checks[index].detail
        ))
    };
    if manifest.checks[index].inconclusive {
        return Err(inconclusive());
    }
    let mut start = original.clone();
    start.name = format!("{}-shrunk", original.name);
    start.checks = vec![target.clone()];
    let mut search = Search {
        best: start.clone(),
        best_failure: manifest.checks[index].clone(),
        best_writes: 0,
        allow_inconclusive: true,
        kind: "",
        runs: 0,
        max_runs: opts.max_runs.max(1),
        stop,
        progress,
        simplified: Vec::new(),
        kept: Vec::new(),
    };
    let stopped = || stop.is_some_and(|s| s.load(Ordering::SeqCst));
    let (first, writes) = match search.fails(&start) {
        Some(found) => found,
        // Stopped during the first rerun: nothing smaller was found, and
        // the run's own result stands for the failure.
        None if stopped() => (manifest.checks[index].clone(), 0),
        None => {
            return Err(bad(format!(
                "rerunning the scenario did not fail {target} again: replay the manifest to check that the run reproduces"
            )))
        }
    };
    if first.inconclusive {
        return Err(inconclusive());
    }
    search.allow_inconclusive = false;
    search.kind = first.kind;
    search.best_failure = first.clone();
    search.best_writes = writes;
    let original_size = size(&original, writes);
    let mut notes = Vec::new();
    if original.checks.len() > 1 {
        notes.push(format!(
            "kept only the check {target}; dropped {} other check(s)",
            original.checks.len() - 1
        ));
    }
    while !stopped() {
        let mut changed = false;
        changed |= search.ddmin("faults", |s| s.faults.clone(), set_faults);
        changed |= search.pass_groups();
        changed |= search.pass_network();
        changed |= search.pass_nodes();
        changed |= search.pass_duration();
        if search.pass_schedule_random_writes() {
            notes.push(
                "the random write process was replaced by an explicit [[workload.schedule]] of the writes it made"
                    .into(),
            );
            changed = true;
        }
        changed |= search.ddmin(
            "scheduled writes",
            |s| s.workload.schedule.clone(),
            |s, v| s.workload.schedule = v,
        );
        if search.best.workload.writes.is_some() {
            changed |= search.ddmin(
                "writers",
                |s| {
                    s.workload
                        .writers
                        .clone()
                        .unwrap_or_else(|| (0..s.nodes.count).collect())
                },
                |s, v| s.workload.writers = Some(v),
            );
            changed |= search.pass_stop_at();
        }
        changed |= search.pass_fanout();
        changed |= search.pass_keys();
        if !changed || search.out_of_budget() {
            break;
        }
    }
    let interrupted = stopped();
    let budget_exhausted = search.runs >= search.max_runs;
    Ok(Shrunk {
        shrunk: size(&search.best, search.best_writes),
        scenario: search.best,
        target,
        original_failure: manifest.checks[index].clone(),
        failure: search.best_failure,
        original: original_size,
        notes,
        simplified: search.simplified,
        kept: search
            .kept
            .into_iter()
            .map(|(axis, label, why)| (format!("{axis} {label}"), why))
            .collect(),
        runs: search.runs,
        budget_exhausted,
        interrupted,
    })
}

impl Shrunk {
    /// The note of what was removed, one line per axis or transformation.
    pub fn note_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .shrunk
            .reductions(&self.original)
            .into_iter()
            .map(|(axis, a, b)| format!("{axis}: {a} -> {b}"))
            .collect();
        lines.extend(self.simplified.iter().cloned());
        if lines.is_empty() {
            lines.push(if self.interrupted {
                "nothing removed before the interruption".into()
            } else {
                "nothing could be removed".into()
            });
        }
        lines.extend(self.notes.iter().cloned());
        lines
    }

    /// What was tried and kept, one line each: `kept: loss 0.15 (without
    /// it the check passes)`.
    pub fn kept_lines(&self) -> Vec<String> {
        self.kept
            .iter()
            .map(|(what, why)| format!("kept: {what} ({why})"))
            .collect()
    }

    /// When the shrunk run fails the check differently from the original
    /// (another node, write or lateness): `fails the same check: …, now
    /// node 4 0.217s late (was node 0 2.245s late)`.
    pub fn changed_failure(&self) -> Option<String> {
        let (was, now) = (&self.original_failure, &self.failure);
        if was.detail == now.detail {
            return None;
        }
        let short = |r: &CheckResult| {
            let head = r.detail.split_once(": ").map_or(r.detail.as_str(), |(h, _)| h);
            match r.node {
                Some(n) => format!("node {n} {head}"),
                None => head.to_string(),
            }
        };
        let (mut a, mut b) = (short(was), short(now));
        if a == b {
            (a, b) = (was.detail.clone(), now.detail.clone());
        }
        Some(format!(
            "fails the same check: {}, now {b} (was {a})",
            self.target
        ))
    }

    /// The shrunk scenario as a TOML file: a comment header (what it
    /// reproduces, what was removed), then the scenario with its seed.
    /// `None` when it does not fit TOML, whose integers stop at 2^63 − 1
    /// (a larger seed): write [`Shrunk::to_json`] instead.
    pub fn to_toml(&self, source: &str) -> Option<String> {
        let body = toml::to_string_pretty(&self.scenario).ok()?;
        let mut o = String::new();
        o.push_str(&format!(
            "# Shrunk by `scuttlesim shrink {source}` ({} run{}{}{}).\n",
            self.runs,
            if self.runs == 1 { "" } else { "s" },
            if self.budget_exhausted {
                ", budget exhausted"
            } else {
                ""
            },
            if self.interrupted {
                ", interrupted: smaller may exist"
            } else {
                ""
            }
        ));
        o.push_str(&format!(
            "# Still fails {} with seed {}:\n#   {}\n# Originally:\n#   {}\n",
            self.target, self.scenario.seed, self.failure.detail, self.original_failure.detail
        ));
        if let Some(changed) = self.changed_failure() {
            o.push_str(&format!("# {changed}\n"));
        }
        o.push_str("# Removed:\n");
        for l in self.note_lines() {
            o.push_str(&format!("#   {l}\n"));
        }
        let kept = self.kept_lines();
        if !kept.is_empty() {
            o.push_str("# Tried and kept:\n");
            for l in kept {
                o.push_str(&format!("#   {l}\n"));
            }
        }
        o.push('\n');
        o.push_str(&body);
        Some(o)
    }

    /// The shrunk scenario as a JSON file (JSON has no comments: the notes
    /// are only printed).
    pub fn to_json(&self) -> String {
        let mut o =
            serde_json::to_string_pretty(&self.scenario).expect("a scenario always serializes to JSON");
        o.push('\n');
        o
    }
}
