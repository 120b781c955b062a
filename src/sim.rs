//! The run loop: owns the event queue, the network, the clocks, the workload,
//! the fault schedule and the protocol, executes the commands the protocol
//! emits, and reports every observable step as a [`Record`].
//!
//! The core does no I/O: records go to a caller-supplied [`TraceSink`], to
//! the [`TraceDigest`] and to the metrics [`Collector`]. Events are processed
//! in `(time, seq)` order while `time < duration`. At equal times events run
//! in the order they were scheduled; at the start, gossip rounds are
//! scheduled first (node 0 first), then writes, then faults.
//!
//! A crashed node does nothing: its rounds and writes are skipped and
//! messages arriving for it are dropped (`crash`). A crash with lost state
//! wipes the protocol state at the crash (see [`Protocol::on_crash`]).
//! Gossip timers are set in local time; a clock step re-arms the node's timer.

mod event;

use crate::clock::{self, LocalClock};
use crate::faults::{self, Action, Planned};
use crate::metrics::{Collector, LostWrites};
use crate::net::{Network, SizeModel, Verdict};
use crate::node::{AppliedWrite, Ctx, NodeId, Outbox, Protocol, Replica, VersionChange};
use crate::protocol::anti_entropy::{AntiEntropy, Mode};
use crate::protocol::ping::Ping;
use crate::protocol::rumor::RumorMongering;
use crate::protocol::scuttlebutt::{self, Scuttlebutt};
use crate::queue::EventQueue;
use crate::rng::{Component, SimRng, Streams};
use crate::scenario::{MergePolicy, Phase, ProtocolKind, Scenario, TraceLevel};
use crate::time::SimTime;
use crate::trace::{Cause, LocalCause, Record, TraceDigest, TraceSink, PROGRESS_EVERY, STOP_POLL};
use crate::vclock::VectorClock;
use crate::workload::Workload;
use event::{Event, Packed};
use rand::Rng;
use std::collections::BTreeMap;

/// What a finished run reports.
#[derive(Debug)]
pub struct Outcome {
    /// True time at which the run ended.
    pub end: SimTime,
    /// Whether `stop_when_converged` ended it before `duration`.
    pub stopped_early: bool,
    /// Events processed (gossip rounds, deliveries, writes, faults).
    pub events: u64,
    /// Message ids handed out (messages sent).
    pub messages_sent: u64,
    /// Level of the records the digest covers.
    pub digest_level: TraceLevel,
    /// The trace digest (BLAKE3, hex).
    pub digest: String,
    /// Records covered by the digest.
    pub records: u64,
    /// Metrics gathered from every record.
    pub metrics: Collector,
    /// Lost writes under every merge policy (empty without writes).
    pub lost_writes: Vec<LostWrites>,
    /// With shared keys: pairs of writes to the same key whose vector clocks
    /// are concurrent (neither happened before the other).
    pub concurrent_writes: Option<u64>,
    /// Protocol-specific counters (e.g. writes deferred by flow control).
    pub counters: Vec<(String, u64)>,
    /// Nodes crashed and not restarted when the run ended.
    pub down_at_end: Vec<u32>,
    /// Writes not made because their node was down at their time.
    pub writes_skipped_down: u64,
    /// Partitions and cuts still in force when the run ended (never healed).
    pub cuts_at_end: usize,
}

#[derive(Debug)]
struct Flight<M> {
    id: u64,
    from: NodeId,
    to: NodeId,
    kind: u8,
    bytes: u32,
    vc: Option<Box<[u64]>>,
    msg: M,
}

/// A prepared run of one scenario. Build with [`Simulation::new`], then
/// [`Simulation::run`]; afterwards [`Simulation::replica`] exposes the final
/// replicated state.
#[derive(Debug)]
pub struct Simulation {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Scuttlebutt(Box<Sim<Scuttlebutt>>),
    AntiEntropy(Box<Sim<AntiEntropy>>),
    Rumor(Box<Sim<RumorMongering>>),
    Ping(Box<Sim<Ping>>),
}

/// Evaluates `$body` with `$s` bound to the protocol-specific simulation.
macro_rules! each {
    ($inner:expr, $s:ident => $body:expr) => {
        match $inner {
            Inner::Scuttlebutt($s) => $body,
            Inner::AntiEntropy($s) => $body,
            Inner::Rumor($s) => $body,
            Inner::Ping($s) => $body,
        }
    };
}

impl Simulation {
    /// Prepares `scenario` (already validated) with records up to `sink_level`
    /// going to the sink given to [`Simulation::run`]; the digest covers
    /// `scenario.output.trace.digest_level()` or `sink_level`, whichever is higher.
    pub fn new(scenario: &Scenario, sink_level: TraceLevel) -> Simulation {
        let sizes = SizeModel::new(scenario.gossip.value_bytes);
        let n = scenario.nodes.count;
        let g = &scenario.gossip;
        let keys = scenario.workload.key_count();
        let ae = |mode| {
            let proto = AntiEntropy::new(mode, n, keys, g.fanout, sizes);
            Inner::AntiEntropy(Box::new(Sim::new(scenario, sink_level, proto)))
        };
        let inner = match g.protocol {
            ProtocolKind::Scuttlebutt => {
                let cfg = scuttlebutt::Settings {
                    fanout: g.fanout,
                    sizes,
                    mtu: g.mtu,
                    mtu_from_ns: g.mtu_from.map(|d| d.0),
                    order: g.order,
                    flow_control: g.flow_control.clone(),
                    interval_ns: g.interval.0,
                };
                Inner::Scuttlebutt(Box::new(Sim::new(
                    scenario,
                    sink_level,
                    Scuttlebutt::new(n, keys, cfg),
                )))
            }
            ProtocolKind::Push => ae(Mode::Push),
            ProtocolKind::Pull => ae(Mode::Pull),
            ProtocolKind::PushPull => ae(Mode::PushPull),
            ProtocolKind::Rumor => {
                let proto = RumorMongering::new(&g.rumor, n, keys, g.fanout, sizes);
                Inner::Rumor(Box::new(Sim::new(scenario, sink_level, proto)))
            }
            ProtocolKind::Ping => Inner::Ping(Box::new(Sim::new(
                scenario,
                sink_level,
                Ping::new(n, g.fanout, &sizes),
            ))),
        };
        Simulation { inner }
    }

    /// Runs to the end, sending records to `sink`; stops before the next
    /// event when [`TraceSink::stop_requested`] says so (`Outcome::end` is
    /// then the time of the first event not processed).
    pub fn run(&mut self, sink: &mut dyn TraceSink) -> Outcome {
        each!(&mut self.inner, s => s.run(sink))
    }

    /// The names of the message kinds of the run's protocol.
    pub fn kinds(&self) -> &'static [&'static str] {
        each!(&self.inner, s => s.proto.kinds())
    }

    /// The replicated state, for protocols that have one.
    pub fn replica(&self) -> Option<&dyn Replica> {
        each!(&self.inner, s => s.proto.replica())
    }
}

/// Runs `scenario` once: records up to the scenario's trace level go to `sink`.
pub fn run(scenario: &Scenario, sink: &mut dyn TraceSink) -> Outcome {
    Simulation::new(scenario, scenario.output.trace).run(sink)
}

/// How many events ahead the loop prefetches an event's state: far enough
/// for the loads to arrive, near enough that they are still cached (P0 at
/// 100,000 nodes: 1–2 fastest, 4 about 10 % slower).
const LOOKAHEAD: usize = 2;

/// About how many bytes of the run loop's own tables an event's node
/// brings into cache (its streams, traffic totals, timer, flights and
/// queue entries; measured: P0 stops gaining from prefetching between
/// 11,000 and 12,000 nodes, [`crate::prefetch::FROM_BYTES`]).
const LOOP_BYTES_PER_NODE: usize = 180;

/// A queue sized for `n` nodes gossiping every `interval_ns`: buckets as
/// long as about 64 rounds take (P0 at 100,000 nodes ran fastest with
/// 64–1,024; 16 was 10 % slower — measured when rounds went through the
/// buckets too; now they take the queue's lane and the buckets hold the
/// deliveries, about as many), at most half of `latency_floor_ns` (the
/// default latency's floor, when it has one), and a ring reaching past
/// the next round so that a round's bucket is in the ring when it is
/// pushed (which the lane requires) and rounds never wait in the overflow
/// heap.
fn event_queue(n: u32, interval_ns: u64, latency_floor_ns: u64) -> EventQueue<Packed> {
    // At most an eighth of the interval: with few nodes, a bucket as wide
    // as several rounds would send most events through the queue's heap
    // for events in the current bucket. And at most half the network's
    // least latency (when it has one): a delivery then lands in a bucket
    // ahead, never in the one being walked (P1 at 1,000 nodes had 15 % of
    // its events go through that heap with 33 ms buckets and 10 ms
    // latencies).
    let mut width = (interval_ns.saturating_mul(64) / u64::from(n.max(1))).min(interval_ns / 8);
    if latency_floor_ns > 0 {
        width = width.min(latency_floor_ns / 2);
    }
    EventQueue::new(width, interval_ns.saturating_add(interval_ns / 4))
}

/// What a round reads and changes of its node when every clock is
/// perfect: its protocol stream and its latency stream (which
/// [`Network::route`] draws the message's latency from), 64 bytes aligned:
/// one cache line (a large run reads this table at random, and the two
/// streams in tables of their own cost a round two misses; one line made
/// P0 at 100,000 nodes ≈ 9 % faster). The rest of a round's state is in
/// [`Timer`], read only when some clock is not perfect, as is the node's
/// clock ([`Sim::clocks`]).
#[derive(Debug)]
#[repr(C, align(64))]
struct NodeState {
    /// The node's protocol stream (peer selection and other choices).
    rng: SimRng,
    /// The node's latency stream, as a sender.
    latency: SimRng,
}

// The layout the doc comment promises.
const _: () = assert!(std::mem::size_of::<NodeState>() == 64);

/// A node's round timer under a clock that is not perfect. With perfect
/// clocks it is not kept: a round then comes at its local time, the next
/// one an interval later, and no clock step re-arms a timer.
///
/// The timer is set in the node's local time, unclamped
/// ([`LocalClock::raw`]): the first round is its phase after the clock's
/// reading at the start of the run, whatever the offset, and each round
/// sets the next one an interval later. A round that finds the next one
/// already due (the clock stepped forward past it) skips the rounds it
/// missed, keeping the phase: a step fires at most one round at once.
#[derive(Clone, Copy, Debug, Default)]
struct Timer {
    /// The local time (unclamped) of the node's next round.
    next_round_local: i128,
    /// Bumped by a clock step: round events of older timers are stale.
    timer: u32,
}

#[derive(Debug)]
struct Sim<P: Protocol> {
    n: u32,
    end: SimTime,
    interval_ns: u64,
    sample_ns: u64,
    stop_when_converged: bool,
    shared_keys: Option<u32>,
    queue: EventQueue<Packed>,
    proto: P,
    net: Network,
    nodes: Vec<NodeState>,
    /// Every node's clock; read only when [`Sim::skewed_clocks`] (local
    /// times are true times otherwise).
    clocks: Vec<LocalClock>,
    /// Every node's round timer when [`Sim::skewed_clocks`]; empty otherwise.
    timers: Vec<Timer>,
    /// Whether each node is up (not crashed): apart from [`NodeState`] so
    /// that a delivery, which needs only this and the local time, touches
    /// one byte of a small table rather than the receiver's line.
    up: Vec<bool>,
    /// Writes not made because their node was down.
    writes_skipped_down: u64,
    /// Whether a size limit may leave a key behind its node's vector entry,
    /// so staleness must read the stores (see `metrics::staleness`).
    size_limited: bool,
    /// Whether some node's clock is not perfect (or may be stepped): local
    /// times must then be read from the clocks; otherwise they are true times.
    skewed_clocks: bool,
    plan: Vec<Planned>,
    flights: Vec<Option<Flight<P::Msg>>>,
    free: Vec<u32>,
    workload: Workload,
    pending_writes: u64,
    /// Faults still to take effect before the end.
    pending_faults: u64,
    vcs: Option<Vec<VectorClock>>,
    record_clocks: bool,
    key_clocks: Vec<BTreeMap<NodeId, Vec<u64>>>,
    concurrent_writes: u64,
    out: Outbox<P::Msg>,
    next_msg_id: u64,
    sink_level: TraceLevel,
    digest_level: TraceLevel,
    digest: TraceDigest,
    metrics: Collector,
    events: u64,
    /// Events before the loop next asks the sink whether to stop (and
    /// reports progress): 0 once the sink was given a record, so that it is
    /// asked before the next event.
    until_check: u64,
    /// The event count at which progress is next reported.
    next_progress: u64,
    /// Whether the loop prefetches the state of events ahead: when its
    /// tables and the protocol's state outgrow a core's cache (see
    /// [`LOOP_BYTES_PER_NODE`]).
    prefetch_events: bool,
}

impl<P: Protocol> Sim<P>
where
    P::Msg: Clone,
{
    fn new(s: &Scenario, sink_level: TraceLevel, proto: P) -> Sim<P> {
        let n = s.nodes.count;
        let streams = Streams::new(s.seed);
        let end = SimTime(s.duration.0);
        let interval_ns = s.gossip.interval.0;
        let digest_level = s.output.trace.digest_level().max(sink_level);
        let record_clocks = digest_level == TraceLevel::Full;
        let shared_keys = s.workload.shared_keys;
        let track_clocks = record_clocks || shared_keys.is_some();
        let mut metrics = Collector::new(n, proto.kinds())
            .with_sample_interval(s.output.sample_interval.0)
            .reserving_writes(crate::limits::expected_writes(s));
        if s.output.staleness {
            metrics = metrics.with_staleness(s.workload.key_count());
        }
        if s.gossip.protocol == ProtocolKind::Rumor {
            metrics = metrics.writes_only();
        }
        if s.output.node_series(n, s.duration) {
            metrics = metrics.with_node_series();
        }
        if s.output.learned(n, crate::limits::expected_writes(s)) {
            metrics = metrics.with_learned();
        }
        let mut sim = Sim {
            n,
            end,
            interval_ns,
            sample_ns: s.output.sample_interval.0.max(1),
            stop_when_converged: s.stop_when_converged,
            shared_keys,
            queue: event_queue(n, interval_ns, s.network.latency.floor_ns()),
            net: Network::new(s, &streams),
            nodes: streams
                .each_node(Component::Protocol, n)
                .zip(streams.each_node(Component::Latency, n))
                .map(|(rng, latency)| NodeState { rng, latency })
                .collect(),
            clocks: clock::clocks(s, &streams),
            timers: Vec::new(),
            up: vec![true; n as usize],
            writes_skipped_down: 0,
            size_limited: s.gossip.mtu.is_some(),
            skewed_clocks: false,
            plan: faults::plan(s, &streams),
            flights: Vec::new(),
            free: Vec::new(),
            workload: Workload::new(&s.workload, n, end, &streams),
            pending_writes: 0,
            pending_faults: 0,
            vcs: track_clocks.then(|| vec![VectorClock::new(n as usize); n as usize]),
            record_clocks,
            key_clocks: vec![BTreeMap::new(); shared_keys.unwrap_or(0) as usize],
            concurrent_writes: 0,
            out: Outbox::default(),
            next_msg_id: 0,
            sink_level,
            digest_level,
            digest: TraceDigest::default(),
            metrics,
            events: 0,
            until_check: 0,
            next_progress: PROGRESS_EVERY,
            prefetch_events: n as usize * LOOP_BYTES_PER_NODE + proto.state_bytes()
                >= crate::prefetch::FROM_BYTES,
            proto,
        };
        sim.skewed_clocks = sim.clocks.iter().any(|c| *c != LocalClock::PERFECT)
            || sim
                .plan
                .iter()
                .any(|p| matches!(p.action, Action::ClockStep { .. }));
        if sim.skewed_clocks {
            sim.timers = vec![Timer::default(); n as usize];
        }
        let mut phases = streams.each_node(Component::TimerPhase, n);
        for node in 0..n {
            let first_local = match s.gossip.phase {
                Phase::Random => phases
                    .next()
                    .expect("a phase stream per node")
                    .random_range(0..interval_ns),
                Phase::Aligned => interval_ns,
                Phase::Staggered => interval_ns
                    .saturating_add((u128::from(interval_ns) * u128::from(node) / u128::from(n)) as u64),
            };
            // With perfect clocks `first_local` is the round's true time.
            let at = match sim.timers.get_mut(node as usize) {
                Some(t) => {
                    let clock = sim.clocks[node as usize];
                    t.next_round_local = clock.raw(SimTime::ZERO) + i128::from(first_local);
                    clock.true_time_of_raw(t.next_round_local)
                }
                None => SimTime(first_local),
            };
            sim.schedule(at, Event::Round { node, timer: 0 });
        }
        let writers = sim.workload.writers().to_vec();
        for node in writers {
            if let Some(at) = sim.workload.next_write(node, SimTime::ZERO) {
                sim.schedule(at, Event::Write(node));
                sim.pending_writes += 1;
            }
        }
        for (i, w) in s.workload.schedule.iter().enumerate() {
            sim.schedule(SimTime(w.at.0), Event::Scheduled(i as u32));
            sim.pending_writes += 1;
        }
        for i in 0..sim.plan.len() {
            let at = sim.plan[i].at;
            sim.schedule(at, Event::Fault(i as u32));
            // A fault after the end never comes: `stop_when_converged`
            // waits for the others.
            sim.pending_faults += u64::from(at < sim.end);
        }
        if s.output.staleness {
            sim.schedule(SimTime(s.output.sample_interval.0), Event::Sample);
        }
        sim
    }

    /// Puts `event` in the queue at `at` (packed: see [`Packed`]).
    #[inline(always)]
    fn schedule(&mut self, at: SimTime, event: Event) {
        self.queue.push(at, event.into());
    }

    fn emit(&mut self, r: Record, sink: &mut dyn TraceSink) {
        self.metrics.observe(&r);
        self.record(&r, sink);
    }

    /// Whether the digest or the sink takes records of `level`.
    #[inline]
    fn keeps(&self, level: TraceLevel) -> bool {
        level <= self.digest_level || level <= self.sink_level
    }

    /// Hands `r` to the digest and the sink, as far as they take its level
    /// (the metrics counted it already).
    #[inline(always)]
    fn record(&mut self, r: &Record, sink: &mut dyn TraceSink) {
        let level = r.level();
        if level <= self.digest_level {
            self.digest.add(r);
        }
        if level <= self.sink_level {
            sink.record(r);
            self.until_check = 0;
        }
    }

    /// Runs the events, with the loop built for the run's features (see
    /// [`Sim::plain`]).
    fn run(&mut self, sink: &mut dyn TraceSink) -> Outcome {
        if self.plain() {
            self.run_events::<true>(sink)
        } else {
            self.run_events::<false>(sink)
        }
    }

    /// Whether the run is *plain*: every clock perfect, no vector clocks and
    /// no `full`-level records. The loop's methods take this as the const
    /// parameter `PLAIN`, so that in the common case their checks of these
    /// features compile away; `PLAIN = false` is correct for any run.
    fn plain(&self) -> bool {
        !self.skewed_clocks && self.vcs.is_none() && !self.keeps(TraceLevel::Full)
    }

    /// Whether local times differ from true times ([`Sim::skewed_clocks`]).
    #[inline(always)]
    fn skewed<const PLAIN: bool>(&self) -> bool {
        !PLAIN && self.skewed_clocks
    }

    /// Whether `send`, `receive` and `clock` records are kept.
    #[inline(always)]
    fn keeps_full<const PLAIN: bool>(&self) -> bool {
        !PLAIN && self.keeps(TraceLevel::Full)
    }

    fn run_events<const PLAIN: bool>(&mut self, sink: &mut dyn TraceSink) -> Outcome {
        let mut end = self.end;
        let mut stopped_early = false;
        while let Some((now, event)) = self.queue.pop_before(self.end) {
            // One countdown for both the sink's questions: most events ask
            // nothing.
            if self.until_check == 0 {
                self.until_check = STOP_POLL;
                if self.events >= self.next_progress {
                    self.next_progress = self.events + PROGRESS_EVERY;
                    sink.progress(now, self.events);
                }
                if sink.stop_requested() {
                    // The run ends before this event (the queue is not
                    // used again).
                    end = now;
                    break;
                }
            }
            self.until_check -= 1;
            self.events += 1;
            // A large run's time goes to cache misses on the state of the
            // node an event is for: start loading it a few events ahead.
            if self.prefetch_events {
                if let Some(ahead) = self.queue.upcoming(LOOKAHEAD).and_then(|p| p.hint()) {
                    self.prefetch::<PLAIN>(ahead);
                }
            }
            // Unpacked where it is matched, so that the two dispatches on
            // its kind become one.
            match event.unpack() {
                Event::Round { node, timer } => self.round::<PLAIN>(node, timer, now, sink),
                Event::Deliver { slot, .. } => self.deliver::<PLAIN>(slot, now, sink),
                Event::Write(node) => {
                    if self.up[node as usize] {
                        let (key, value) = self.workload.draw_write(node);
                        self.write(node, key, value, now, sink);
                    } else {
                        self.writes_skipped_down += 1;
                    }
                    match self.workload.next_write(node, now) {
                        Some(at) => {
                            self.schedule(at, Event::Write(node));
                        }
                        None => self.pending_writes -= 1,
                    }
                }
                Event::Scheduled(i) => {
                    let w = &self.workload.schedule()[i as usize];
                    let (node, key, value) = (w.node, w.key, w.value);
                    if self.up[node as usize] {
                        self.write(node, key, value, now, sink);
                    } else {
                        self.writes_skipped_down += 1;
                    }
                    self.pending_writes -= 1;
                }
                Event::Fault(i) => {
                    self.pending_faults -= 1;
                    self.fault(i as usize, now, sink);
                }
                Event::Sample => {
                    let stores = if self.size_limited {
                        self.proto.replica()
                    } else {
                        None
                    };
                    self.metrics.sample(now.0, stores);
                    self.schedule(SimTime(now.0 + self.sample_ns), Event::Sample);
                }
            }
            if self.stop_when_converged
                && self.pending_writes == 0
                && self.pending_faults == 0
                && self.metrics.converged()
            {
                end = now;
                stopped_early = true;
                break;
            }
        }
        let digest = std::mem::take(&mut self.digest);
        let mut lost_writes = Vec::new();
        if let Some(replica) = self.proto.replica() {
            if self.metrics.last_write().is_some() {
                for p in MergePolicy::ALL {
                    lost_writes.push(self.metrics.lost_writes(replica, p, self.shared_keys));
                }
            }
        }
        Outcome {
            end,
            stopped_early,
            events: self.events,
            messages_sent: self.next_msg_id,
            digest_level: self.digest_level,
            records: digest.records(),
            digest: digest.finish(),
            metrics: std::mem::replace(&mut self.metrics, Collector::new(0, &[])),
            lost_writes,
            concurrent_writes: self.shared_keys.map(|_| self.concurrent_writes),
            down_at_end: (0..self.up.len() as u32)
                .filter(|&n| !self.up[n as usize])
                .collect(),
            cuts_at_end: self.net.cuts_in_force(),
            counters: self
                .proto
                .counters()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            writes_skipped_down: self.writes_skipped_down,
        }
    }

    /// Starts loading what `event` will read: its node's loop state,
    /// latency stream and traffic totals (a round), or its flight, the
    /// protocol's state of the receiver, its traffic totals and, with
    /// skewed clocks, its clock (a delivery, whose receiver sends any reply).
    #[inline]
    fn prefetch<const PLAIN: bool>(&self, event: Event) {
        match event {
            Event::Round { node, .. } => {
                crate::prefetch::prefetch(&self.nodes[node as usize]);
                if self.skewed::<PLAIN>() {
                    crate::prefetch::prefetch(&self.timers[node as usize]);
                }
                self.metrics.prefetch_node(node);
            }
            Event::Deliver { slot, to } => {
                if let Some(f) = self.flights.get(slot as usize) {
                    crate::prefetch::prefetch(f);
                }
                if self.skewed::<PLAIN>() {
                    crate::prefetch::prefetch(&self.clocks[to as usize]);
                }
                self.proto.prefetch_receiver(to);
                self.metrics.prefetch_node(to);
            }
            _ => {}
        }
    }

    #[inline(always)]
    fn round<const PLAIN: bool>(&mut self, node: NodeId, timer: u32, now: SimTime, sink: &mut dyn TraceSink) {
        let clock = self.clock::<PLAIN>(node);
        let at = if self.skewed::<PLAIN>() {
            let t = &mut self.timers[node as usize];
            if timer != t.timer {
                return; // a clock step re-armed this node's timer
            }
            let interval = i128::from(self.interval_ns);
            let mut next = t.next_round_local + interval;
            let reading = clock.raw(now);
            if next <= reading {
                // Rounds missed (a step forward): the next one due after now.
                next += ((reading - next) / interval + 1) * interval;
            }
            t.next_round_local = next;
            clock.true_time_of_raw(next).max(now)
        } else {
            // Every clock perfect: this round came at its local time.
            SimTime(now.0.saturating_add(self.interval_ns))
        };
        let ns = &mut self.nodes[node as usize];
        if self.up[node as usize] {
            let lt = clock.local(now);
            let mut ctx = Ctx {
                node,
                nodes: self.n,
                local_now: lt,
                rng: &mut ns.rng,
                out: &mut self.out,
            };
            self.proto.on_round(&mut ctx);
            self.flush::<PLAIN>(node, now, lt, Cause::Local(LocalCause::Write), sink);
        }
        if self.skewed::<PLAIN>() {
            self.schedule(at, Event::Round { node, timer });
        } else {
            // Every round one interval after the last: the rounds are
            // pushed in time order, which the queue's lane keeps unsorted.
            self.queue.push_periodic(at, Event::Round { node, timer }.into());
        }
    }

    /// `node`'s clock (the perfect clock unless some clock is not).
    #[inline(always)]
    fn clock<const PLAIN: bool>(&self, node: NodeId) -> LocalClock {
        if self.skewed::<PLAIN>() {
            self.clocks[node as usize]
        } else {
            LocalClock::PERFECT
        }
    }

    fn write(&mut self, node: NodeId, key: u32, value: u64, now: SimTime, sink: &mut dyn TraceSink) {
        let lt = self.clock::<false>(node).local(now);
        let ns = &mut self.nodes[node as usize];
        let mut ctx = Ctx {
            node,
            nodes: self.n,
            local_now: lt,
            rng: &mut ns.rng,
            out: &mut self.out,
        };
        self.proto.on_write(&mut ctx, key, value);
        self.flush::<false>(node, now, lt, Cause::Local(LocalCause::Write), sink);
    }

    /// A local write took effect: its record, and the writer's clock tick.
    fn applied(
        &mut self,
        node: NodeId,
        w: AppliedWrite,
        now: SimTime,
        lt: SimTime,
        sink: &mut dyn TraceSink,
    ) {
        let AppliedWrite {
            key, value, version, ..
        } = w;
        self.emit(
            Record::Write {
                t: now.0,
                lt: lt.0,
                node,
                key,
                version,
                value,
            },
            sink,
        );
        if let Some(vcs) = &mut self.vcs {
            let vc = &mut vcs[node as usize];
            vc.tick(node as usize);
            let v = vc.0[node as usize];
            if self.shared_keys.is_some() {
                // An earlier write e by node q happened before this one iff
                // this clock's entry q has reached e's own entry (each
                // write ticks its node's entry, and no clock is reset): so
                // per writer of the key its writes' own entries, in order,
                // and a binary search each, not a whole clock per write.
                let writers = &mut self.key_clocks[key as usize];
                self.concurrent_writes += writers
                    .iter()
                    .map(|(&q, own)| (own.len() - own.partition_point(|&e| e <= vc.0[q as usize])) as u64)
                    .sum::<u64>();
                writers.entry(node).or_default().push(v);
            }
            if self.record_clocks {
                self.emit(
                    Record::Clock {
                        t: now.0,
                        node,
                        set: vec![(node, v)],
                    },
                    sink,
                );
            }
        }
    }

    #[inline(always)]
    fn deliver<const PLAIN: bool>(&mut self, slot: u32, now: SimTime, sink: &mut dyn TraceSink) {
        let f = self.flights[slot as usize]
            .take()
            .expect("a scheduled delivery has a flight");
        self.free.push(slot);
        let to = f.to;
        let kinds = self.proto.kinds();
        let reason = if !self.up[to as usize] {
            Some(crate::net::DropReason::Crash)
        } else if self.net.blocked(f.from, to) {
            Some(crate::net::DropReason::Partition)
        } else {
            None
        };
        if let Some(reason) = reason {
            let r = Record::Drop {
                t: now.0,
                id: f.id,
                from: f.from,
                to,
                kind: kinds[f.kind as usize].into(),
                bytes: f.bytes,
                reason: reason.name().into(),
            };
            self.emit(r, sink);
            return;
        }
        let lt = if self.skewed::<PLAIN>() {
            self.clocks[to as usize].local(now)
        } else {
            now
        };
        self.metrics.message_received(f.kind as usize, to, now.0, f.bytes);
        if self.keeps_full::<PLAIN>() {
            let r = Record::Receive {
                t: now.0,
                lt: lt.0,
                id: f.id,
                from: f.from,
                to,
                kind: kinds[f.kind as usize].into(),
                bytes: f.bytes,
            };
            self.record(&r, sink);
        }
        if let (false, Some(vcs), Some(attached)) = (PLAIN, &mut self.vcs, &f.vc) {
            let mut set = Vec::new();
            vcs[to as usize].receive(to as usize, attached, |i, v| set.push((i as u32, v)));
            if self.record_clocks {
                self.emit(
                    Record::Clock {
                        t: now.0,
                        node: to,
                        set,
                    },
                    sink,
                );
            }
        }
        let mut ctx = Ctx {
            node: to,
            nodes: self.n,
            local_now: lt,
            rng: &mut self.nodes[to as usize].rng,
            out: &mut self.out,
        };
        self.proto.on_message(&mut ctx, f.from, f.msg);
        self.flush::<PLAIN>(to, now, lt, Cause::Message(f.id), sink);
    }

    fn fault(&mut self, i: usize, now: SimTime, sink: &mut dyn TraceSink) {
        let p = &self.plan[i];
        let r = Record::Fault {
            t: now.0,
            fault: p.fault,
            action: p.action.name().into(),
            detail: p.detail.clone(),
        };
        let action = p.action.clone();
        self.emit(r, sink);
        match action {
            Action::Cut { name, shape } => self.net.add_cut(name, shape),
            Action::Heal { name } => {
                self.net.heal(name.as_deref());
            }
            Action::Crash { node, lost } => {
                if self.up[node as usize] {
                    self.up[node as usize] = false;
                    let lt = self.clock::<false>(node).local(now);
                    let ns = &mut self.nodes[node as usize];
                    let mut ctx = Ctx {
                        node,
                        nodes: self.n,
                        local_now: lt,
                        rng: &mut ns.rng,
                        out: &mut self.out,
                    };
                    self.proto.on_crash(&mut ctx, lost);
                    self.out.sends.clear();
                    self.flush::<false>(node, now, lt, Cause::Local(LocalCause::Restart), sink);
                }
            }
            Action::Restart { node } => self.up[node as usize] = true,
            Action::DegradeStart {
                id,
                from,
                to,
                bidirectional,
                extra_latency_ns,
                loss,
            } => self
                .net
                .degrade(id, from, to, bidirectional, extra_latency_ns, loss),
            Action::DegradeEnd { id } => self.net.end_degradation(id),
            Action::ClockStep { node, by_ns } => {
                let clock = &mut self.clocks[node as usize];
                clock.offset_ns = clock.offset_ns.saturating_add(by_ns);
                let clock = *clock;
                // A planned step makes the clocks count as skewed, so the
                // timers are kept.
                let t = &mut self.timers[node as usize];
                t.timer += 1;
                let timer = t.timer;
                let at = clock.true_time_of_raw(t.next_round_local).max(now);
                self.schedule(at, Event::Round { node, timer });
            }
        }
    }

    /// Records the version changes and executes the sends a handler of
    /// `node` left in the outbox (`lt`: the node's local time `now`).
    #[inline(always)]
    fn flush<const PLAIN: bool>(
        &mut self,
        node: NodeId,
        now: SimTime,
        lt: SimTime,
        cause: Cause,
        sink: &mut dyn TraceSink,
    ) {
        if P::CHANGES_STATE {
            self.flush_changes(node, now, lt, cause, sink);
        } else {
            debug_assert!(self.out.writes.is_empty() && self.out.deferred.is_empty());
            debug_assert!(self.out.versions.is_empty());
        }
        // Most handlers send at most one message: no vector taken then.
        match self.out.sends.len() {
            0 => {}
            1 => {
                let (to, msg) = self.out.sends.pop().expect("one send");
                self.send::<PLAIN>(node, to, msg, now, lt, sink);
            }
            _ => {
                let mut sends = std::mem::take(&mut self.out.sends);
                for (to, msg) in sends.drain(..) {
                    self.send::<PLAIN>(node, to, msg, now, lt, sink);
                }
                self.out.sends = sends;
            }
        }
    }

    /// Records the writes, deferred writes and version changes a handler of
    /// `node` left in the outbox.
    #[inline(always)]
    fn flush_changes(
        &mut self,
        node: NodeId,
        now: SimTime,
        lt: SimTime,
        cause: Cause,
        sink: &mut dyn TraceSink,
    ) {
        if self.out.writes.len() > 1 {
            // Several writes in one handler (a flow-control backlog applied
            // in a round): each write's record comes before its own version
            // change, as a lone write's does.
            self.flush_writes_in_turn(node, now, lt, cause, sink);
        } else if let Some(w) = self.out.writes.pop() {
            self.applied(node, w, now, lt, sink);
        }
        if !self.out.deferred.is_empty() {
            let mut deferred = std::mem::take(&mut self.out.deferred);
            for d in deferred.drain(..) {
                let r = Record::Defer {
                    t: now.0,
                    lt: lt.0,
                    node,
                    key: d.key,
                    value: d.value,
                    backlog: d.backlog,
                };
                self.emit(r, sink);
            }
            self.out.deferred = deferred;
        }
        if !self.out.versions.is_empty() {
            self.record_versions(node, now, lt, cause, sink);
        }
    }

    /// Records several writes a handler applied, each followed by the
    /// version changes made up to it (its own); the changes after the last
    /// write stay in the outbox.
    #[cold]
    fn flush_writes_in_turn(
        &mut self,
        node: NodeId,
        now: SimTime,
        lt: SimTime,
        cause: Cause,
        sink: &mut dyn TraceSink,
    ) {
        let mut writes = std::mem::take(&mut self.out.writes);
        let mut versions = std::mem::take(&mut self.out.versions);
        let mut done = 0;
        for w in writes.drain(..) {
            let end = w.changes_end as usize;
            self.applied(node, w, now, lt, sink);
            if end > done {
                self.record_version_run(node, now, lt, cause, &versions[done..end], sink);
                done = end;
            }
        }
        versions.drain(..done);
        self.out.writes = writes;
        self.out.versions = versions;
    }

    /// Counts and records the version changes a handler left in the outbox.
    fn record_versions(
        &mut self,
        node: NodeId,
        now: SimTime,
        lt: SimTime,
        cause: Cause,
        sink: &mut dyn TraceSink,
    ) {
        let mut versions = std::mem::take(&mut self.out.versions);
        self.record_version_run(node, now, lt, cause, &versions, sink);
        versions.clear();
        self.out.versions = versions;
    }

    /// Counts, digests and records `versions`, changes of one handler.
    #[inline(always)]
    fn record_version_run(
        &mut self,
        node: NodeId,
        now: SimTime,
        lt: SimTime,
        cause: Cause,
        versions: &[VersionChange],
        sink: &mut dyn TraceSink,
    ) {
        let sink_takes = TraceLevel::Versions <= self.sink_level;
        let digest_takes = TraceLevel::Versions <= self.digest_level;
        // The most frequent records: counted, hashed and handed on as a run.
        self.metrics.observe_run(now.0, node, versions);
        if digest_takes {
            self.digest.add_run(now.0, lt.0, node, cause, versions);
        }
        if sink_takes && !versions.is_empty() {
            sink.version_run(now.0, lt.0, node, cause, versions);
            self.until_check = 0;
        }
    }

    #[inline(always)]
    fn park(&mut self, flight: Flight<P::Msg>, at: SimTime) {
        let to = flight.to;
        let slot = match self.free.pop() {
            Some(s) => {
                // A free slot is empty (its flight was taken): matching it
                // as such spares the drop of an old flight, whose call would
                // make the new one go through the stack (a store-forwarding
                // stall on every send).
                match &mut self.flights[s as usize] {
                    empty @ None => *empty = Some(flight),
                    Some(_) => unreachable!("a free flight slot holds no flight"),
                }
                s
            }
            None => {
                self.flights.push(Some(flight));
                (self.flights.len() - 1) as u32
            }
        };
        self.schedule(at, Event::Deliver { slot, to });
    }

    #[inline(always)]
    fn send<const PLAIN: bool>(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
        now: SimTime,
        lt: SimTime,
        sink: &mut dyn TraceSink,
    ) {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        let kind = self.proto.kind(&msg);
        let bytes = self.proto.size(&msg);
        let parts = self.proto.size_parts(&msg);
        assert_eq!(parts.total(), bytes, "a message's size parts add up to its size");
        let vc = if let (false, Some(vcs)) = (PLAIN, &mut self.vcs) {
            let vc = &mut vcs[from as usize];
            vc.tick(from as usize);
            let v = vc.0[from as usize];
            let attached = vc.0.clone().into_boxed_slice();
            if self.record_clocks {
                self.emit(
                    Record::Clock {
                        t: now.0,
                        node: from,
                        set: vec![(from, v)],
                    },
                    sink,
                );
            }
            Some(attached)
        } else {
            None
        };
        // Counted directly; the record is built only if it is kept
        // (`send` and `receive` records are at level `full`).
        self.metrics
            .message_sent(kind as usize, from, now.0, bytes, parts);
        if self.keeps_full::<PLAIN>() {
            let r = Record::Send {
                t: now.0,
                lt: lt.0,
                id,
                from,
                to,
                kind: self.proto.kinds()[kind as usize].into(),
                bytes,
            };
            self.record(&r, sink);
        }
        match self
            .net
            .route(from, to, now, bytes, &mut self.nodes[from as usize].latency)
        {
            Verdict::Deliver { at, copy } => {
                let dup = copy.map(|c| {
                    (
                        c,
                        Flight {
                            id,
                            from,
                            to,
                            kind,
                            bytes,
                            vc: vc.clone(),
                            msg: msg.clone(),
                        },
                    )
                });
                self.park(
                    Flight {
                        id,
                        from,
                        to,
                        kind,
                        bytes,
                        vc,
                        msg,
                    },
                    at,
                );
                if let Some((copy_at, flight)) = dup {
                    self.park(flight, copy_at);
                }
            }
            Verdict::Drop(reason) => {
                let r = Record::Drop {
                    t: now.0,
                    id,
                    from,
                    to,
                    kind: self.proto.kinds()[kind as usize].into(),
                    bytes,
                    reason: reason.name().into(),
                };
                self.emit(r, sink)
            }
        }
    }
}

/// The names of `protocol`'s message kinds (those of a small run of it).
pub fn protocol_kinds(protocol: ProtocolKind) -> &'static [&'static str] {
    let text = format!(
        "duration = \"1s\"\n[nodes]\ncount = 2\n[gossip]\nprotocol = \"{}\"\n",
        protocol.name()
    );
    let s = crate::scenario::parse_str(&text, crate::scenario::Format::Toml, "t.toml", "t", &[])
        .expect("a two-node scenario of any protocol is valid");
    Simulation::new(&s, TraceLevel::Off).kinds()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{self, Format};
    use crate::trace::VecSink;

    /// The queue's buckets: as wide as 64 rounds of the cluster, at most
    /// an eighth of the interval, and at most half the latency's floor
    /// (worked out by hand: 1 s × 64 / 1,000 = 64 ms → 2^25 ns ≈ 33.6 ms;
    /// half of 10 ms → 2^22 ns ≈ 4.2 ms). The floors are the
    /// distributions' own lower bounds, 0 where there is none.
    #[test]
    fn buckets_are_narrower_than_half_the_least_latency() {
        use crate::scenario::Latency;
        use crate::time::SimDuration;
        let ms = |v: u64| SimDuration(v * 1_000_000);
        assert_eq!(event_queue(1000, 1_000_000_000, 0).bucket_ns(), 1 << 25);
        assert_eq!(event_queue(1000, 1_000_000_000, 10_000_000).bucket_ns(), 1 << 22);
        assert_eq!(
            event_queue(100_000, 1_000_000_000, 10_000_000).bucket_ns(),
            1 << 19
        );
        assert_eq!(event_queue(4, 1_000_000_000, 0).bucket_ns(), 1 << 26);
        let floors = [
            (Latency::Constant { value: ms(7) }, 7_000_000),
            (
                Latency::Uniform {
                    low: ms(10),
                    high: ms(50),
                },
                10_000_000,
            ),
            (
                Latency::Pareto {
                    scale: ms(3),
                    shape: 1.5,
                },
                3_000_000,
            ),
            (
                Latency::Empirical {
                    quantiles: vec![(0.0, ms(5)), (1.0, ms(200))],
                },
                5_000_000,
            ),
            (
                Latency::Normal {
                    mean: ms(20),
                    std: ms(5),
                },
                0,
            ),
            (Latency::Exponential { mean: ms(20) }, 0),
            (
                Latency::Lognormal {
                    median: ms(20),
                    sigma: 0.5,
                },
                0,
            ),
        ];
        for (latency, floor) in floors {
            assert_eq!(latency.floor_ns(), floor, "{latency:?}");
        }
    }

    /// The loop built for plain runs ([`Sim::plain`]) gives the records,
    /// digest and counts the general loop gives, for every protocol and
    /// with the faults, writes and samples plain runs may have.
    #[test]
    fn plain_loop_matches_the_general_one() {
        let faults = r#"
[[faults]]
at = "2s"
partition = "random-halves"
[[faults]]
at = "1s"
crash = 4
state = "lost"
restart_after = "2s"
[[faults]]
at = "1500ms"
degrade = { from = [1], to = [2], extra_latency = "20ms", loss = 0.3, for = "2s" }
[[faults]]
at = "5s"
heal = true
"#;
        for protocol in ["scuttlebutt", "push-pull", "rumor", "ping"] {
            let workload = match protocol {
                "ping" => "",
                _ => "[workload]\nkeys_per_node = 2\nwrites = { process = \"poisson\", mean_interval = \"700ms\" }",
            };
            let text = format!(
                r#"
seed = 7
duration = "12s"
[nodes]
count = 8
[gossip]
protocol = "{protocol}"
fanout = 2
{workload}
[network]
latency = {{ dist = "uniform", low = "5ms", high = "80ms" }}
loss = 0.05
duplicate = 0.05
[output]
trace = "versions"
staleness = true
{faults}"#
            );
            let s = scenario::parse_str(&text, Format::Toml, "t.toml", "t", &[])
                .unwrap_or_else(|e| panic!("{e}"));
            let mut runs = Vec::new();
            for plain in [true, false] {
                let mut sink = VecSink::default();
                let out = each!(&mut Simulation::new(&s, TraceLevel::Versions).inner, sim => {
                    assert!(sim.plain(), "{protocol}: a run without skew, vector clocks or full records is plain");
                    if plain { sim.run_events::<true>(&mut sink) } else { sim.run_events::<false>(&mut sink) }
                });
                assert!(
                    out.events > 100 && out.messages_sent > 50,
                    "{protocol}: the run does something"
                );
                runs.push((
                    sink.0,
                    out.digest,
                    out.events,
                    out.messages_sent,
                    out.metrics.kinds(),
                ));
            }
            assert!(
                runs[0] == runs[1],
                "{protocol}: the plain loop differs from the general one"
            );
        }
    }
}
