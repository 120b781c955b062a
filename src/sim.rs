//! The run loop: owns the event queue, the network, the clocks, the workload
//! and the protocol, executes the commands the protocol emits, and reports
//! every observable step as a [`Record`].
//!
//! The core does no I/O: records go to a caller-supplied [`TraceSink`], to
//! the [`TraceDigest`] and to the metrics [`Collector`]. Events are processed
//! in `(time, seq)` order while `time < duration`. At equal times events run
//! in the order they were scheduled; initial gossip rounds are scheduled
//! before initial writes.

use crate::clock::LocalClock;
use crate::metrics::Collector;
use crate::net::{Network, SizeModel, Verdict};
use crate::node::{Ctx, NodeId, Outbox, Protocol, Replica};
use crate::protocol::{ping::Ping, scuttlebutt::Scuttlebutt};
use crate::queue::EventQueue;
use crate::rng::{Component, SimRng, Streams};
use crate::scenario::{Phase, ProtocolKind, Scenario, TraceLevel};
use crate::time::SimTime;
use crate::trace::{Cause, LocalCause, Record, TraceDigest, TraceSink};
use crate::vclock::VectorClock;
use crate::workload::Workload;
use rand::Rng;

/// What a finished run reports.
#[derive(Debug)]
pub struct Outcome {
    /// True time at which the run ended.
    pub end: SimTime,
    /// Whether `stop_when_converged` ended it before `duration`.
    pub stopped_early: bool,
    /// Events processed (gossip rounds, deliveries, writes).
    pub events: u64,
    /// Message ids handed out (messages sent).
    pub messages_sent: u64,
    /// Level of the records the digest covers.
    pub digest_level: TraceLevel,
    /// The trace digest (SHA-256, hex).
    pub digest: String,
    /// Records covered by the digest.
    pub records: u64,
    /// Metrics gathered from every record.
    pub metrics: Collector,
}

#[derive(Copy, Clone, Debug)]
enum Event {
    Round(NodeId),
    Deliver(u32),
    Write(NodeId),
    Scheduled(u32),
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
    Ping(Box<Sim<Ping>>),
}

impl Simulation {
    /// Prepares `scenario` (already validated) with records up to `sink_level`
    /// going to the sink given to [`Simulation::run`]; the digest covers
    /// `scenario.output.trace.digest_level()` or `sink_level`, whichever is higher.
    pub fn new(scenario: &Scenario, sink_level: TraceLevel) -> Simulation {
        let sizes = SizeModel::new(scenario.gossip.value_bytes);
        let n = scenario.nodes.count;
        let g = &scenario.gossip;
        let inner = match g.protocol {
            ProtocolKind::Scuttlebutt => Inner::Scuttlebutt(Box::new(Sim::new(
                scenario,
                sink_level,
                Scuttlebutt::new(n, scenario.workload.keys_per_node, g.fanout, sizes),
            ))),
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
        match &mut self.inner {
            Inner::Scuttlebutt(s) => s.run(sink),
            Inner::Ping(s) => s.run(sink),
        }
    }

    /// The replicated state, for protocols that have one.
    pub fn replica(&self) -> Option<&dyn Replica> {
        match &self.inner {
            Inner::Scuttlebutt(s) => s.proto.replica(),
            Inner::Ping(s) => s.proto.replica(),
        }
    }
}

/// Runs `scenario` once: records up to the scenario's trace level go to `sink`.
pub fn run(scenario: &Scenario, sink: &mut dyn TraceSink) -> Outcome {
    Simulation::new(scenario, scenario.output.trace).run(sink)
}

#[derive(Debug)]
struct Sim<P: Protocol> {
    n: u32,
    end: SimTime,
    interval_ns: u64,
    stop_when_converged: bool,
    queue: EventQueue<Event>,
    proto: P,
    net: Network,
    clocks: Vec<LocalClock>,
    next_round_local: Vec<u64>,
    prng: Vec<SimRng>,
    flights: Vec<Option<Flight<P::Msg>>>,
    free: Vec<u32>,
    workload: Workload,
    pending_writes: u64,
    vcs: Option<Vec<VectorClock>>,
    out: Outbox<P::Msg>,
    next_msg_id: u64,
    sink_level: TraceLevel,
    digest_level: TraceLevel,
    digest: TraceDigest,
    metrics: Collector,
    events: u64,
}

impl<P: Protocol> Sim<P> {
    fn new(s: &Scenario, sink_level: TraceLevel, proto: P) -> Sim<P> {
        let n = s.nodes.count;
        let streams = Streams::new(s.seed);
        let end = SimTime(s.duration.0);
        let interval_ns = s.gossip.interval.0;
        let digest_level = s.output.trace.digest_level().max(sink_level);
        let metrics = Collector::new(n, proto.kinds());
        let clocks = vec![LocalClock::PERFECT; n as usize];
        let mut sim = Sim {
            n,
            end,
            interval_ns,
            stop_when_converged: s.stop_when_converged,
            queue: EventQueue::with_capacity(n as usize * 2),
            net: Network::new(&s.network, n, &streams),
            clocks,
            next_round_local: vec![0; n as usize],
            prng: (0..n)
                .map(|i| streams.stream(Component::Protocol, i))
                .collect(),
            flights: Vec::new(),
            free: Vec::new(),
            workload: Workload::new(&s.workload, n, end, &streams),
            pending_writes: 0,
            vcs: (digest_level == TraceLevel::Full)
                .then(|| vec![VectorClock::new(n as usize); n as usize]),
            out: Outbox::default(),
            next_msg_id: 0,
            sink_level,
            digest_level,
            digest: TraceDigest::default(),
            metrics,
            events: 0,
            proto,
        };
        for node in 0..n {
            let first_local = match s.gossip.phase {
                Phase::Random => streams
                    .stream(Component::TimerPhase, node)
                    .random_range(0..interval_ns),
                Phase::Aligned => interval_ns,
            };
            sim.next_round_local[node as usize] = first_local;
            let at = sim.clocks[node as usize].true_time_of(SimTime(first_local));
            sim.queue.push(at, Event::Round(node));
        }
        let writers = sim.workload.writers().to_vec();
        for node in writers {
            if let Some(at) = sim.workload.next_write(node, SimTime::ZERO) {
                sim.queue.push(at, Event::Write(node));
                sim.pending_writes += 1;
            }
        }
        for (i, w) in s.workload.schedule.iter().enumerate() {
            sim.queue.push(SimTime(w.at.0), Event::Scheduled(i as u32));
            sim.pending_writes += 1;
        }
        sim
    }

    fn emit(&mut self, r: Record, sink: &mut dyn TraceSink) {
        self.metrics.observe(&r);
        let level = r.level();
        if level <= self.digest_level {
            self.digest.add(&r);
        }
        if level <= self.sink_level {
            sink.record(&r);
        }
    }

    fn run(&mut self, sink: &mut dyn TraceSink) -> Outcome {
        let mut end = self.end;
        let mut stopped_early = false;
        while let Some(t) = self.queue.peek_time() {
            if t >= self.end {
                break;
            }
            if sink.stop_requested() {
                end = t;
                break;
            }
            let (now, event) = self.queue.pop().expect("peeked");
            self.events += 1;
            match event {
                Event::Round(node) => self.round(node, now, sink),
                Event::Deliver(slot) => self.deliver(slot, now, sink),
                Event::Write(node) => {
                    let (key, value) = self.workload.draw_write(node);
                    self.write(node, key, value, now, sink);
                    match self.workload.next_write(node, now) {
                        Some(at) => {
                            self.queue.push(at, Event::Write(node));
                        }
                        None => self.pending_writes -= 1,
                    }
                }
                Event::Scheduled(i) => {
                    let w = &self.workload.schedule()[i as usize];
                    let (node, key, value) = (w.node, w.key, w.value);
                    self.write(node, key, value, now, sink);
                    self.pending_writes -= 1;
                }
            }
            if self.stop_when_converged
                && self.pending_writes == 0
                && self.metrics.unconverged() == 0
            {
                end = now;
                stopped_early = true;
                break;
            }
        }
        let digest = std::mem::take(&mut self.digest);
        Outcome {
            end,
            stopped_early,
            events: self.events,
            messages_sent: self.next_msg_id,
            digest_level: self.digest_level,
            records: digest.records(),
            digest: digest.finish(),
            metrics: self.metrics.clone(),
        }
    }

    fn round(&mut self, node: NodeId, now: SimTime, sink: &mut dyn TraceSink) {
        let clock = self.clocks[node as usize];
        let mut ctx = Ctx {
            node,
            nodes: self.n,
            local_now: clock.local(now),
            rng: &mut self.prng[node as usize],
            out: &mut self.out,
        };
        self.proto.on_round(&mut ctx);
        self.flush(node, now, Cause::Local(LocalCause::Write), sink);
        let next = self.next_round_local[node as usize] + self.interval_ns;
        self.next_round_local[node as usize] = next;
        self.queue.push(
            clock.true_time_of(SimTime(next)).max(now),
            Event::Round(node),
        );
    }

    fn write(
        &mut self,
        node: NodeId,
        key: u32,
        value: u64,
        now: SimTime,
        sink: &mut dyn TraceSink,
    ) {
        let lt = self.clocks[node as usize].local(now);
        let mut ctx = Ctx {
            node,
            nodes: self.n,
            local_now: lt,
            rng: &mut self.prng[node as usize],
            out: &mut self.out,
        };
        let version = self.proto.on_write(&mut ctx, key);
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
            vcs[node as usize].tick(node as usize);
            let v = vcs[node as usize].0[node as usize];
            self.emit(
                Record::Clock {
                    t: now.0,
                    node,
                    set: vec![(node, v)],
                },
                sink,
            );
        }
        self.flush(node, now, Cause::Local(LocalCause::Write), sink);
    }

    fn deliver(&mut self, slot: u32, now: SimTime, sink: &mut dyn TraceSink) {
        let f = self.flights[slot as usize]
            .take()
            .expect("a scheduled delivery has a flight");
        self.free.push(slot);
        let to = f.to;
        let lt = self.clocks[to as usize].local(now);
        let kinds = self.proto.kinds();
        self.emit(
            Record::Receive {
                t: now.0,
                lt: lt.0,
                id: f.id,
                from: f.from,
                to,
                kind: kinds[f.kind as usize].into(),
                bytes: f.bytes,
            },
            sink,
        );
        if let (Some(vcs), Some(attached)) = (&mut self.vcs, &f.vc) {
            let mut set = Vec::new();
            vcs[to as usize].receive(to as usize, attached, |i, v| set.push((i as u32, v)));
            self.emit(
                Record::Clock {
                    t: now.0,
                    node: to,
                    set,
                },
                sink,
            );
        }
        let mut ctx = Ctx {
            node: to,
            nodes: self.n,
            local_now: lt,
            rng: &mut self.prng[to as usize],
            out: &mut self.out,
        };
        self.proto.on_message(&mut ctx, f.from, f.msg);
        self.flush(to, now, Cause::Message(f.id), sink);
    }

    /// Records the version changes and executes the sends a handler left in
    /// the outbox.
    fn flush(&mut self, node: NodeId, now: SimTime, cause: Cause, sink: &mut dyn TraceSink) {
        let lt = self.clocks[node as usize].local(now);
        let mut versions = std::mem::take(&mut self.out.versions);
        for c in versions.drain(..) {
            self.emit(
                Record::Version {
                    t: now.0,
                    lt: lt.0,
                    node,
                    origin: c.origin,
                    old: c.old,
                    new: c.new,
                    cause,
                },
                sink,
            );
        }
        self.out.versions = versions;
        let mut sends = std::mem::take(&mut self.out.sends);
        for (to, msg) in sends.drain(..) {
            self.send(node, to, msg, now, lt, sink);
        }
        self.out.sends = sends;
    }

    fn send(
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
        let kind_name = self.proto.kinds()[kind as usize];
        let vc = if let Some(vcs) = &mut self.vcs {
            vcs[from as usize].tick(from as usize);
            let v = vcs[from as usize].0[from as usize];
            let attached = vcs[from as usize].0.clone().into_boxed_slice();
            self.emit(
                Record::Clock {
                    t: now.0,
                    node: from,
                    set: vec![(from, v)],
                },
                sink,
            );
            Some(attached)
        } else {
            None
        };
        self.emit(
            Record::Send {
                t: now.0,
                lt: lt.0,
                id,
                from,
                to,
                kind: kind_name.into(),
                bytes,
            },
            sink,
        );
        match self.net.route(from, to, now) {
            Verdict::Deliver(at) => {
                let flight = Flight {
                    id,
                    from,
                    to,
                    kind,
                    bytes,
                    vc,
                    msg,
                };
                let slot = match self.free.pop() {
                    Some(s) => {
                        self.flights[s as usize] = Some(flight);
                        s
                    }
                    None => {
                        self.flights.push(Some(flight));
                        (self.flights.len() - 1) as u32
                    }
                };
                self.queue.push(at, Event::Deliver(slot));
            }
            Verdict::Drop(reason) => self.emit(
                Record::Drop {
                    t: now.0,
                    id,
                    from,
                    to,
                    kind: kind_name.into(),
                    bytes,
                    reason: reason.name().into(),
                },
                sink,
            ),
        }
    }
}
