//! Statistics computed from trace records.
//!
//! [`Collector`] watches every record of a run (whatever the trace level, so
//! metrics never depend on what is written) and accumulates message and byte
//! counts per kind and, for every write, how many nodes hold it. A node
//! *holds* write `(origin, v)` once its version-vector entry for `origin` is
//! at least `v` (a newer version of the same key supersedes an older one, so
//! this is the Scuttlebutt notion of being up to date). A write's
//! *convergence time* is from the write until the last node holds it (the
//! first time every node held it). A lost-state restart makes a node forget
//! writes, so "every node holds every write" can become false again.

mod learned;
mod series;
mod spread;
mod staleness;

pub use learned::LearnedWrite;
pub use series::{BucketTraffic, NodeBucket, NodeTraffic};
pub use spread::{level_nodes, InformedPoint, WriteRow, MAX_LEVELS, THRESHOLDS_PERCENT};
pub use staleness::StalenessSample;

use crate::net::SizeParts;
use crate::node::{Replica, VersionChange};
use crate::protocol::merge::{self, Entry};
use crate::scenario::MergePolicy;
use crate::trace::Record;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counts for one message kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindStats {
    /// Kind name (`syn`, `ack`, …, or `all`).
    pub kind: String,
    /// Messages sent.
    pub sent: u64,
    /// Messages delivered.
    pub delivered: u64,
    /// Messages dropped.
    pub dropped: u64,
    /// Bytes sent (every sent message, delivered or not).
    pub bytes_sent: u64,
    /// Bytes delivered.
    pub bytes_delivered: u64,
}

/// Distribution of per-write convergence times, in nanoseconds.
/// Percentiles use the nearest-rank method: the `p`-th percentile of `n`
/// sorted values is the one at rank `ceil(p/100 · n)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Convergence {
    /// Writes made.
    pub writes: u64,
    /// Writes held by every node by the end.
    pub converged: u64,
    /// Mean over converged writes (integer division), if any.
    pub mean_ns: Option<u64>,
    /// Median.
    pub p50_ns: Option<u64>,
    /// 99th percentile.
    pub p99_ns: Option<u64>,
    /// Largest.
    pub max_ns: Option<u64>,
}

/// What a write is (read when the run ends).
#[derive(Clone, Debug, Default)]
struct WriteStat {
    version: u64,
    key: u32,
    value: u64,
    time: u64,
    timestamp: u64,
}

/// An origin's bare generation: the version a lost-state restart set its
/// own entry to with no write behind it, and how many nodes hold it.
/// `version` 0: none, or superseded by a later write.
#[derive(Clone, Copy, Debug, Default)]
struct Bare {
    version: u64,
    holders: u32,
}

/// How far a write has spread, what every `version` record about it
/// updates: kept apart from [`WriteStat`] in 8 bytes (an origin's last
/// [`RECENT`] in its [`OriginIndex`]). When every node first held it is
/// the spread's last level. Its peak, which only a fall changes, is kept
/// apart too (see [`Held::fall`]).
#[derive(Clone, Copy, Debug)]
struct Held {
    /// Nodes holding it now.
    informed: u32,
    /// Nodes its next spread level needs (`u32::MAX` after the last; see
    /// `spread`, which keeps the level itself): kept here, a `version`
    /// record compares its count with this, no table.
    need: u32,
}

impl Held {
    /// Counters of no write, in slots no write has used yet.
    const NONE: Held = Held {
        informed: 0,
        need: u32::MAX,
    };

    /// Most nodes that held it at once, given `peak`, the most before its
    /// last fall: that, or the count now if it rose higher since.
    fn reached(&self, peak: u32) -> u32 {
        peak.max(self.informed)
    }

    /// One node fewer holds it; `peak` (as in [`Held::reached`]) is set
    /// only here, so that a rise writes the count alone.
    fn fall(&mut self, peak: &mut u32) {
        *peak = self.reached(*peak);
        self.informed -= 1;
    }
}

/// Origins from which [`Collector::observe_run`] prefetches their
/// indexes (256 KB of them): below, they stay in cache.
const PREFETCH_FROM: usize = 4096;

/// How many of an origin's last writes keep their [`Held`] counters in
/// its [`OriginIndex`].
const RECENT: usize = 4;

/// What the collector keeps per origin to find a write's [`Held`]
/// counters from its version: the first version, how many first writes
/// have consecutive versions (`first + i`, so that a version's write number
/// is arithmetic), and the ids and counters of the last [`RECENT`]
/// writes, the ones still spreading. One cache line: a `version` record
/// about a recent write reads and updates this line alone.
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
struct OriginIndex {
    /// The version of the origin's first write (0 before it).
    first: u64,
    /// Writes made.
    count: u32,
    /// How many of the first writes have consecutive versions.
    consecutive: u32,
    /// `ids[i % RECENT]`: the id (order made) of write number `i`, for the
    /// last [`RECENT`] writes.
    ids: [u32; RECENT],
    /// `recent[i % RECENT]`: the counters of write number `i`, for the
    /// last [`RECENT`] writes (the collector's `held` keeps the others').
    recent: [Held; RECENT],
}

// The layout the doc comment promises: one cache line.
const _: () = assert!(std::mem::size_of::<OriginIndex>() == 64);

/// The id and counters of write number `i` of an origin (its `index` and
/// its writes' `ids`, looked up only for an old write): in the index if
/// recent, else in `held`.
#[inline(always)]
fn counters_mut<'a, 'b>(
    index: &'a mut OriginIndex,
    ids: impl FnOnce() -> &'b [u32],
    held: &'a mut [Held],
    i: usize,
) -> (u32, &'a mut Held) {
    if index.is_recent(i) {
        (index.ids[i % RECENT], &mut index.recent[i % RECENT])
    } else {
        let id = ids()[i];
        (id, &mut held[id as usize])
    }
}

impl Default for OriginIndex {
    fn default() -> Self {
        OriginIndex {
            first: 0,
            count: 0,
            consecutive: 0,
            ids: [0; RECENT],
            recent: [Held::NONE; RECENT],
        }
    }
}

impl OriginIndex {
    /// The origin's next write: `version` (above every earlier one), made
    /// `id`-th, with counters `fresh`. Returns the write that leaves the
    /// recent ones (its id) and its counters, for the collector to keep.
    fn push(&mut self, version: u64, id: u32, fresh: Held) -> Option<(u32, Held)> {
        if self.count == 0 {
            self.first = version;
        }
        let count = self.count as usize;
        if self.consecutive as usize == count && version - self.first == count as u64 {
            self.consecutive += 1;
        }
        let slot = count % RECENT;
        let leaving = (count >= RECENT).then(|| (self.ids[slot], self.recent[slot]));
        (self.ids[slot], self.recent[slot]) = (id, fresh);
        self.count += 1;
        leaving
    }

    /// Whether write number `i` is one of the last [`RECENT`] (its id and
    /// counters are here).
    #[inline(always)]
    fn is_recent(&self, i: usize) -> bool {
        i + RECENT >= self.count as usize
    }

    /// How many of the origin's writes have a version `<= v`: arithmetic
    /// within the consecutive run, a binary search of `list()` (the origin's
    /// writes, read only then) past it (after a generation jump).
    #[inline(always)]
    fn held_count<'a>(&self, list: impl FnOnce() -> &'a [WriteStat], v: u64) -> usize {
        if self.count == 0 || v < self.first {
            0
        } else if v - self.first < u64::from(self.consecutive) {
            (v - self.first) as usize + 1
        } else {
            list().partition_point(|w| w.version <= v)
        }
    }

    /// The origin's writes with `low_exclusive < version <= high_inclusive`,
    /// as a range of write numbers.
    #[inline(always)]
    fn range<'a>(
        &self,
        list: impl Fn() -> &'a [WriteStat],
        low_exclusive: u64,
        high_inclusive: u64,
    ) -> std::ops::Range<usize> {
        // The usual case, both ends within the consecutive run, the low one
        // possibly just below it (a node's first news of the origin): write
        // numbers by arithmetic. Computed wrapping, an end below the run
        // comes out past every write number, so it takes the general path;
        // an end that passes `b <= consecutive` counts the run's versions up
        // to it, and the run holds every write up to its last version.
        let a = low_exclusive.wrapping_add(1).wrapping_sub(self.first);
        let b = high_inclusive.wrapping_add(1).wrapping_sub(self.first);
        if a <= b && b <= u64::from(self.consecutive) {
            return a as usize..b as usize;
        }
        let b = self.held_count(&list, high_inclusive);
        let a = self.held_count(&list, low_exclusive);
        a..b.max(a)
    }
}

/// One write that no node can read at the end although no later write (in
/// true time) went to its key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostWrite {
    /// The writer.
    pub origin: u32,
    /// The key (the writer's own key index, or the shared key).
    pub key: u32,
    /// The write's version.
    pub version: u64,
    /// True time of the write (ns).
    pub t_ns: u64,
    /// The value written.
    pub value: u64,
}

/// Lost writes under one merge policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostWrites {
    /// The merge policy (`lww-version`, …).
    pub policy: String,
    /// How many writes are lost.
    pub count: u64,
    /// The first lost writes (at most 20), in (key, origin) order.
    pub examples: Vec<LostWrite>,
}

/// The most writes [`Collector::reserving_writes`] makes room for ahead
/// (about 110 MB of tables at 100 spread levels).
pub const RESERVED_WRITES: u64 = 1 << 18;

/// Accumulates metrics from records as a run emits them.
#[derive(Clone, Debug)]
pub struct Collector {
    nodes: u32,
    /// The message kinds' names, in the protocol's order, then any other
    /// kind records named. Their counts are the sums of the per-node
    /// traffic totals (see [`Collector::kinds`]).
    kinds: Vec<String>,
    /// Per origin, in version order (read when the run ends). This and
    /// the other per-origin tables (`origins`, `ids`) are empty until the
    /// first write: a run without writes (P0 at 100,000 nodes: 11 MB)
    /// never touches them.
    writes: Vec<Vec<WriteStat>>,
    /// How far each write has spread, by id (the order the writes were
    /// made), for every write but its origin's last [`RECENT`] (whose
    /// counters are in `origins`; their entries here are stale until the
    /// writes leave).
    held: Vec<Held>,
    /// Each write's peak (see [`Held::fall`]), by id.
    peaks: Vec<u32>,
    /// Per origin, what finds a write's counters without reading the
    /// (cold) write list, and the counters of its last writes; one cache
    /// line per origin.
    origins: Vec<OriginIndex>,
    /// Per origin, the id of each write (its index in `held`, `peaks` and
    /// the spread's times), in version order (read for writes older than
    /// the last [`RECENT`]).
    ids: Vec<Vec<u32>>,
    total_writes: u64,
    unconverged: u64,
    /// Per origin, its *bare generation*: the entry a lost-state restart
    /// gave it with no write behind it (see [`Bare`]); empty until the
    /// first one.
    bare: Vec<Bare>,
    /// Bare generations not yet held by every node.
    bare_unconverged: u64,
    /// Whether a node crashed (a `crash` fault record was observed) and
    /// the protocol spreads generations: only then are bare generations
    /// looked for.
    crashed: bool,
    /// Whether the protocol spreads a bare generation (see
    /// [`Collector::writes_only`]).
    generations: bool,
    converged_since: Option<u64>,
    last_write: Option<u64>,
    drops: BTreeMap<String, u64>,
    faults: u64,
    last_recovery: Option<u64>,
    deferred: u64,
    /// `(address, length)` of kind names seen, and their index in `kinds`.
    kind_addrs: Vec<(usize, usize)>,
    kind_addr_index: Vec<usize>,
    staleness: Option<staleness::Staleness>,
    /// `(version, key, time)` of every write, per origin, for staleness.
    log: Vec<Vec<(u64, u32, u64)>>,
    spread: spread::Spread,
    traffic: series::Traffic,
    learned: Option<learned::Learned>,
}

impl Collector {
    /// A collector for `nodes` nodes whose protocol has message `kinds`.
    pub fn new(nodes: u32, kinds: &[&str]) -> Collector {
        Collector {
            nodes,
            kinds: kinds.iter().map(|k| k.to_string()).collect(),
            writes: Vec::new(),
            held: Vec::new(),
            peaks: Vec::new(),
            origins: Vec::new(),
            ids: Vec::new(),
            total_writes: 0,
            unconverged: 0,
            bare: Vec::new(),
            bare_unconverged: 0,
            crashed: false,
            generations: true,
            converged_since: None,
            last_write: None,
            drops: BTreeMap::new(),
            faults: 0,
            last_recovery: None,
            deferred: 0,
            kind_addrs: Vec::new(),
            kind_addr_index: Vec::new(),
            staleness: None,
            log: Vec::new(),
            spread: spread::Spread::new(nodes),
            traffic: series::Traffic::new(nodes),
            learned: None,
        }
    }

    /// Buckets traffic over time by `width_ns` (default 1 s); see [`Collector::traffic`].
    pub fn with_sample_interval(mut self, width_ns: u64) -> Collector {
        self.traffic.set_width(width_ns);
        self
    }

    /// Also keeps every node's traffic per kind in every bucket (see
    /// [`Collector::node_bucket`]): memory grows with nodes × buckets × kinds.
    pub fn with_node_series(mut self) -> Collector {
        self.traffic.keep_node_series();
        self
    }

    /// For a protocol that spreads writes only (rumor mongering): a
    /// lost-state restart's new generation, which such a protocol never
    /// spreads, is not waited for, so convergence is every write held
    /// everywhere.
    pub fn writes_only(mut self) -> Collector {
        self.generations = false;
        self
    }

    /// Also keeps when each node first held each write (see
    /// [`Collector::learned`]): memory grows with writes × nodes.
    pub fn with_learned(mut self) -> Collector {
        self.learned = Some(learned::Learned::new(self.nodes));
        self
    }

    /// Makes room for about `writes` writes in the per-write tables (at
    /// most [`RESERVED_WRITES`]), so that they do not grow by copying
    /// (each copy into fresh memory the kernel must zero first). More
    /// writes than reserved still fit: the tables grow as before.
    pub fn reserving_writes(mut self, writes: u64) -> Collector {
        let writes = writes.min(RESERVED_WRITES) as usize;
        self.held.reserve(writes);
        self.peaks.reserve(writes);
        self.spread.reserve(writes);
        self
    }

    /// Also samples staleness over `keys` keys per origin (see [`StalenessSample`]).
    pub fn with_staleness(mut self, keys: u32) -> Collector {
        self.staleness = Some(staleness::Staleness::new(self.nodes, keys));
        self.log = vec![Vec::new(); self.nodes as usize];
        self
    }

    /// Takes a staleness sample at `now` (no-op without staleness): from
    /// what each node's store holds per key when `replica` is given (needed
    /// when a size limit may cut a message short and leave a key behind its
    /// vector entry; slower), else from the vector entries mirrored from
    /// records (exact without a size limit).
    pub fn sample(&mut self, now: u64, replica: Option<&dyn crate::node::Replica>) {
        if let Some(s) = &mut self.staleness {
            let log = &self.log;
            match replica {
                Some(r) => s.sample_held(
                    now,
                    |o| &log[o],
                    |n, o| r.key_row(n, o),
                    |n, o, k| r.key_version(n, o, k),
                ),
                None => s.sample(now, |o| &log[o]),
            }
        }
    }

    /// The staleness samples taken so far.
    pub fn staleness(&self) -> &[StalenessSample] {
        self.staleness.as_ref().map_or(&[], |s| &s.samples)
    }

    /// Writes deferred by flow control.
    pub fn deferred(&self) -> u64 {
        self.deferred
    }

    fn kind_index(&mut self, kind: &str) -> usize {
        // Fast path: records of one run share the protocol's `&'static str`
        // kind names, so the address identifies the kind without comparing text.
        let addr = (kind.as_ptr() as usize, kind.len());
        if let Some(j) = self.kind_addrs.iter().position(|&a| a == addr) {
            return self.kind_addr_index[j];
        }
        let i = match self.kinds.iter().position(|k| k == kind) {
            Some(i) => i,
            None => {
                self.kinds.push(kind.to_string());
                self.kinds.len() - 1
            }
        };
        if self.kind_addrs.len() < 16 && !self.kind_addrs.contains(&addr) {
            self.kind_addrs.push(addr);
            self.kind_addr_index.push(i);
        }
        i
    }

    /// Hints that `node` is about to send or receive a message: starts
    /// loading its traffic totals.
    #[inline]
    pub fn prefetch_node(&self, node: u32) {
        self.traffic.prefetch_node(node);
    }

    /// Takes one record into account.
    pub fn observe(&mut self, r: &Record) {
        match r {
            Record::Write {
                t,
                lt,
                node,
                key,
                version,
                value,
            } => {
                let o = *node as usize;
                if self.writes.is_empty() {
                    self.make_origin_tables();
                }
                let list = &mut self.writes[o];
                assert!(
                    list.last().is_none_or(|w| w.version < *version),
                    "versions of an origin increase"
                );
                let id = u32::try_from(self.held.len()).expect("fewer than 2^32 writes");
                let fresh = self.spread.write(*t);
                if let Some((old, counters)) = self.origins[o].push(*version, id, fresh) {
                    self.held[old as usize] = counters;
                }
                self.ids[o].push(id);
                self.held.push(fresh);
                self.peaks.push(0);
                list.push(WriteStat {
                    version: *version,
                    key: *key,
                    value: *value,
                    time: *t,
                    timestamp: *lt,
                });
                self.total_writes += 1;
                self.unconverged += 1;
                self.converged_since = None;
                self.last_write = Some(*t);
                if let Some(l) = &mut self.learned {
                    l.write(*node);
                }
                if self.staleness.is_some() {
                    self.log[*node as usize].push((*version, *key, *t));
                }
            }
            Record::Version {
                t,
                node,
                origin,
                old,
                new,
                ..
            } => self.observe_version(*t, *node, *origin, *old, *new),
            Record::Fault { t, action, .. } => {
                self.faults += 1;
                self.crashed |= self.generations && action == "crash";
                if matches!(action.as_ref(), "heal" | "restart" | "degrade-end") {
                    self.last_recovery = Some(*t);
                }
            }
            Record::Send {
                t, from, kind, bytes, ..
            } => {
                // The record carries no split of its bytes.
                let i = self.kind_index(kind);
                self.message_sent(i, *from, *t, *bytes, SizeParts::default());
            }
            Record::Receive {
                t, to, kind, bytes, ..
            } => {
                let i = self.kind_index(kind);
                self.message_received(i, *to, *t, *bytes);
            }
            Record::Drop {
                from, kind, reason, ..
            } => {
                let i = self.kind_index(kind);
                self.traffic.dropped(i, *from);
                *self.drops.entry(reason.to_string()).or_default() += 1;
            }
            Record::Defer { .. } => self.deferred += 1,
            Record::Clock { .. } => {}
        }
    }

    /// Takes into account a `version` record: `node`'s entry for `origin`
    /// went from `old` to `new` at `t` (what [`Collector::observe`] does
    /// with one).
    #[inline(always)]
    pub fn observe_version(&mut self, t: u64, node: u32, origin: u32, old: u64, new: u64) {
        self.observe_run(t, node, &[VersionChange { origin, old, new }]);
    }

    /// Takes into account the `version` records of one handler, in order:
    /// `node`'s entry for each `origin` went from `old` to `new` at `t`
    /// (the run loop calls it directly: what is the same for every record
    /// is looked at once).
    ///
    /// Each change reads and updates its origin's `OriginIndex`, a cache
    /// miss each in a large run: there (from `PREFETCH_FROM` origins) a
    /// run's are all started first, so that the misses overlap.
    ///
    /// Not inlined: in a function of its own the loop keeps its state in
    /// registers, and so does the digest's loop that follows it in the run
    /// loop's `record_versions` (P1 at 1,000 nodes: 0.8 % fewer
    /// instructions in all than inlined).
    #[inline(never)]
    pub fn observe_run(&mut self, t: u64, node: u32, changes: &[VersionChange]) {
        let extras = self.staleness.is_some() || self.learned.is_some();
        // A small cluster's indexes stay in cache: prefetching them would
        // only cost instructions.
        if changes.len() > 1 && self.origins.len() >= PREFETCH_FROM {
            for c in changes {
                self.prefetch_index(c.origin);
            }
        }
        // Before the first write there is nothing to count (a lost-state
        // restart can change entries then: the new generation's version).
        let tables = !self.origins.is_empty();
        for &VersionChange { origin, old, new } in changes {
            if extras {
                self.observe_extras(t, node, origin, old, new);
            }
            if tables {
                self.count_holders(t, origin, old, new);
            }
        }
        // Only a crash can give a node a bare generation: runs without one
        // (P1) pay one test per handler, not per change.
        if self.crashed {
            self.count_generations(t, node, changes);
        }
        // `converged_since` is `None` whenever a write or bare generation
        // is unconverged (set so in `count_holders`, `own_rise` and at each
        // write); only before the first write can it be missing with none
        // unconverged.
        if self.converged_since.is_none() && self.converged() {
            self.converged_since = Some(t);
        }
    }

    /// The bare generations' holders after `node`'s `changes`, and a new
    /// bare generation where a node's own entry rose without a write.
    #[inline(never)]
    fn count_generations(&mut self, t: u64, node: u32, changes: &[VersionChange]) {
        for &VersionChange { origin, old, new } in changes {
            if !self.bare.is_empty() {
                self.count_bare(t, origin, old, new);
            }
            if node == origin && new > old {
                self.own_rise(origin, new);
            }
        }
    }

    /// An origin's own entry rose to `new`: by its write of `new`, which
    /// supersedes the origin's bare generation, or, above every version it
    /// wrote or was given, to a new bare generation (a lost-state restart),
    /// which only the origin holds yet.
    #[inline(never)]
    fn own_rise(&mut self, origin: u32, new: u64) {
        let o = origin as usize;
        let n = self.nodes;
        let written = self.writes.get(o).and_then(|l| l.last()).map_or(0, |w| w.version);
        let current = self.bare.get(o).map_or(0, |b| b.version);
        if new <= current || (new <= written && current == 0) {
            return; // back to a version it had: counted by `count_bare`
        }
        if self.bare.is_empty() {
            self.bare = vec![Bare::default(); n as usize];
        }
        let b = &mut self.bare[o];
        if b.version != 0 && b.holders < n {
            self.bare_unconverged -= 1;
        }
        *b = if new == written {
            Bare::default()
        } else {
            self.bare_unconverged += 1;
            self.converged_since = None;
            Bare {
                version: new,
                holders: 1,
            }
        };
    }

    /// The holders of `origin`'s bare generation, when an entry went from
    /// `old` to `new` (the origin's own rise to it is counted by
    /// [`Collector::own_rise`]).
    #[inline(always)]
    fn count_bare(&mut self, t: u64, origin: u32, old: u64, new: u64) {
        let n = self.nodes;
        let b = &mut self.bare[origin as usize];
        if b.version == 0 {
            return;
        }
        if old < b.version && b.version <= new {
            b.holders += 1;
            if b.holders == n {
                self.bare_unconverged -= 1;
                if self.converged() {
                    self.converged_since = Some(t);
                }
            }
        } else if new < b.version && b.version <= old {
            if b.holders == n {
                self.bare_unconverged += 1;
                self.converged_since = None;
            }
            b.holders -= 1;
        }
    }

    /// Whether every node holds every write and every bare generation (so
    /// every version vector is equal).
    pub fn converged(&self) -> bool {
        self.unconverged == 0 && self.bare_unconverged == 0
    }

    /// Makes the per-origin tables, at the first write.
    #[cold]
    fn make_origin_tables(&mut self) {
        let n = self.nodes as usize;
        self.writes = vec![Vec::new(); n];
        self.origins = vec![OriginIndex::default(); n];
        self.ids = vec![Vec::new(); n];
    }

    /// Starts loading `origin`'s [`OriginIndex`]. Changes nothing.
    #[inline(always)]
    fn prefetch_index(&self, origin: u32) {
        if let Some(o) = self.origins.get(origin as usize) {
            crate::prefetch::prefetch(o);
        }
    }

    /// The staleness and first-held times of a `version` record, when kept.
    fn observe_extras(&mut self, t: u64, node: u32, origin: u32, old: u64, new: u64) {
        if let Some(s) = &mut self.staleness {
            s.set(node, origin, new);
        }
        if let Some(l) = &mut self.learned {
            let o = origin as usize;
            if new > old && !self.origins.is_empty() {
                for i in self.origins[o].range(|| &self.writes[o][..], old, new) {
                    l.held(origin, i, node, t);
                }
            }
        }
    }

    /// The writes of `origin` a node gained (`old < new`) or lost with its
    /// entry going from `old` to `new`: their holder counts, spread levels
    /// and the unconverged count.
    #[inline(always)]
    fn count_holders(&mut self, t: u64, origin: u32, old: u64, new: u64) {
        let n = self.nodes;
        let o = origin as usize;
        let index = &mut self.origins[o];
        let list = || &self.writes[o][..];
        let ids = || &self.ids[o][..];
        if new > old {
            for i in index.range(list, old, new) {
                let (id, w) = counters_mut(index, ids, &mut self.held, i);
                w.informed += 1;
                if w.informed >= w.need {
                    self.spread.raised(id as usize, w, t);
                }
                if w.informed == n {
                    self.unconverged -= 1;
                    if self.unconverged == 0 && self.bare_unconverged == 0 {
                        self.converged_since = Some(t);
                    }
                }
            }
        } else {
            for i in index.range(list, new, old) {
                let (id, w) = counters_mut(index, ids, &mut self.held, i);
                if w.informed == n {
                    self.unconverged += 1;
                    self.converged_since = None;
                }
                w.fall(&mut self.peaks[id as usize]);
            }
        }
    }

    /// Counts a message the run loop sent: what its `send` record counts,
    /// and how its bytes divide (`parts`; the record carries only the
    /// total, so a collector fed records alone counts no part). `kind` is
    /// the index of the kind in the protocol's order (as given to
    /// [`Collector::new`]). The run loop counts its messages here instead of
    /// through [`Collector::observe`], building no record unless the trace
    /// or its digest takes one.
    #[inline(always)]
    pub fn message_sent(&mut self, kind: usize, from: u32, t: u64, bytes: u32, parts: SizeParts) {
        self.traffic.sent_with_parts(kind, from, t, bytes, parts);
    }

    /// Counts a message the run loop delivered (what its `receive` record
    /// counts); `kind` as in [`Collector::message_sent`].
    #[inline(always)]
    pub fn message_received(&mut self, kind: usize, to: u32, t: u64, bytes: u32) {
        self.traffic.received(kind, to, t, bytes);
    }

    /// Writes not yet held by every node.
    pub fn unconverged(&self) -> u64 {
        self.unconverged
    }

    /// Per-kind counts, in the protocol's kind order, then their total as
    /// `all`: the sums of every node's traffic totals (a message's sender
    /// counts it sent and dropped, its receiver delivered).
    pub fn kinds(&self) -> Vec<KindStats> {
        let mut all = KindStats {
            kind: "all".into(),
            ..Default::default()
        };
        let mut v = Vec::with_capacity(self.kinds.len() + 1);
        for (i, name) in self.kinds.iter().enumerate() {
            let mut k = KindStats {
                kind: name.clone(),
                ..Default::default()
            };
            for n in self.traffic.per_node(i) {
                k.sent += n.sent;
                k.delivered += n.received;
                k.dropped += n.dropped;
                k.bytes_sent += n.bytes_sent;
                k.bytes_delivered += n.bytes_received;
            }
            all.sent += k.sent;
            all.delivered += k.delivered;
            all.dropped += k.dropped;
            all.bytes_sent += k.bytes_sent;
            all.bytes_delivered += k.bytes_delivered;
            v.push(k);
        }
        v.push(all);
        v
    }

    /// Bytes sent by each node (every message it sent, delivered or not),
    /// indexed by node id.
    pub fn bytes_sent_by_node(&self) -> Vec<u64> {
        let mut total = vec![0; self.nodes as usize];
        for i in 0..self.kinds.len() {
            for (t, n) in total.iter_mut().zip(self.traffic.per_node(i)) {
                *t += n.bytes_sent;
            }
        }
        total
    }

    /// Time of the last write, if any.
    pub fn last_write(&self) -> Option<u64> {
        self.last_write
    }

    /// Since when every version vector is equal: every node holds every
    /// write and every bare generation (the entry a lost-state restart
    /// gives its node, which anti-entropy spreads as a write; not with
    /// [`Collector::writes_only`]); `None` if some node lacks one now.
    pub fn all_converged_at(&self) -> Option<u64> {
        if !self.converged() {
            return None;
        }
        Some(self.converged_since.unwrap_or(0))
    }

    /// Dropped messages by reason (`loss`, `partition`, `crash`, `queue`).
    pub fn drops(&self) -> &BTreeMap<String, u64> {
        &self.drops
    }

    /// Faults that took effect.
    pub fn faults(&self) -> u64 {
        self.faults
    }

    /// Time of the last heal, restart or end of a degradation, if any.
    pub fn last_recovery(&self) -> Option<u64> {
        self.last_recovery
    }

    /// From the last recovery ([`Collector::last_recovery`]) until every
    /// write made at or before it was held by every node: how long the
    /// cluster took to catch up after its last heal, restart or end of a
    /// degradation (0 when it had nothing to catch up). `None` without a
    /// recovery, or when some such write never reached every node (a
    /// write lost with its node's state never does).
    pub fn converged_after_recovery(&self) -> Option<u64> {
        let r = self.last_recovery?;
        let mut last = r;
        for (w, &id) in self.writes.iter().flatten().zip(self.ids.iter().flatten()) {
            if w.time <= r {
                last = last.max(self.spread.full_at(id as usize)?);
            }
        }
        Some(last - r)
    }

    fn write_at(&self, origin: u32, version: u64) -> Option<&WriteStat> {
        let list = &self.writes[origin as usize];
        list.binary_search_by_key(&version, |w| w.version)
            .ok()
            .map(|i| &list[i])
    }

    /// Lost writes under `policy`, given the final replicated state. A write
    /// is *lost* when no write to its key happened after it in true time (it
    /// is among the key's last writes), yet no node reads its value at the
    /// end. With owned keys a key has one writer, so every policy reads the
    /// node's single entry; with `shared` keys every origin may hold an entry
    /// for key `k` and the policy merges them ([`merge::read`]).
    pub fn lost_writes(&self, replica: &dyn Replica, policy: MergePolicy, shared: Option<u32>) -> LostWrites {
        let mut lost = Vec::new();
        match shared {
            None => {
                // The last write of each (origin, key): held iff some node's
                // entry for it has exactly that version. The writer is asked
                // first: it holds its own last write unless a lost-state
                // restart wiped it, so the other nodes are rarely read.
                for (origin, list) in self.writes.iter().enumerate() {
                    let mut last: BTreeMap<u32, &WriteStat> = BTreeMap::new();
                    for w in list {
                        last.insert(w.key, w);
                    }
                    for (key, w) in last {
                        let holds = |n| replica.key_version(n, origin as u32, key) == w.version;
                        let held = holds(origin as u32) || (0..self.nodes).any(holds);
                        if !held {
                            lost.push(LostWrite {
                                origin: origin as u32,
                                key,
                                version: w.version,
                                t_ns: w.time,
                                value: w.value,
                            });
                        }
                    }
                }
            }
            Some(keys) => {
                for key in 0..keys {
                    let mut last_t = None;
                    let mut candidates: Vec<(u32, &WriteStat)> = Vec::new();
                    // Only an origin that wrote the key can hold an entry
                    // for it that is a write (a lost-state restart's own
                    // versions are not): the others are never read below.
                    let mut writers: Vec<u32> = Vec::new();
                    for (origin, list) in self.writes.iter().enumerate() {
                        if list.iter().any(|w| w.key == key) {
                            writers.push(origin as u32);
                        }
                        for w in list.iter().filter(|w| w.key == key) {
                            match last_t {
                                Some(t) if w.time < t => {}
                                // One writer's writes at one instant are
                                // ordered: its later one replaced the other.
                                Some(t) if w.time == t => {
                                    match candidates.iter_mut().find(|c| c.0 == origin as u32) {
                                        Some(c) => c.1 = w,
                                        None => candidates.push((origin as u32, w)),
                                    }
                                }
                                _ => {
                                    last_t = Some(w.time);
                                    candidates.clear();
                                    candidates.push((origin as u32, w));
                                }
                            }
                        }
                    }
                    if candidates.is_empty() {
                        continue;
                    }
                    let mut held = vec![false; candidates.len()];
                    let mut entries = Vec::with_capacity(self.nodes as usize);
                    for n in 0..self.nodes {
                        entries.clear();
                        for &o in &writers {
                            let v = replica.key_version(n, o, key);
                            if let Some(w) = (v > 0).then(|| self.write_at(o, v)).flatten() {
                                entries.push(Entry {
                                    origin: o,
                                    version: v,
                                    timestamp: w.timestamp,
                                    value: w.value,
                                });
                            }
                        }
                        let read = merge::read(policy, &entries);
                        for (h, (_, w)) in held.iter_mut().zip(&candidates) {
                            *h |= read.contains(&w.value);
                        }
                        if held.iter().all(|&h| h) {
                            break;
                        }
                    }
                    for ((origin, w), h) in candidates.iter().zip(held) {
                        if !h {
                            lost.push(LostWrite {
                                origin: *origin,
                                key,
                                version: w.version,
                                t_ns: w.time,
                                value: w.value,
                            });
                        }
                    }
                }
            }
        }
        LostWrites {
            policy: policy.name().to_string(),
            count: lost.len() as u64,
            examples: lost.into_iter().take(20).collect(),
        }
    }

    /// Per-write convergence times (ns) of the writes that converged, in
    /// (origin, version) order.
    pub fn convergence_times(&self) -> Vec<u64> {
        self.writes
            .iter()
            .flatten()
            .zip(self.ids.iter().flatten())
            .filter_map(|(w, &id)| self.spread.full_at(id as usize).map(|t| t - w.time))
            .collect()
    }

    /// The most nodes that held write number `i` of origin `o` at once.
    fn reached(&self, o: usize, i: usize) -> u32 {
        let index = &self.origins[o];
        let id = self.ids[o][i] as usize;
        let w = if index.is_recent(i) {
            &index.recent[i % RECENT]
        } else {
            &self.held[id]
        };
        w.reached(self.peaks[id])
    }

    /// Every write and how far it spread, in order of true time (then
    /// origin, version); see [`WriteRow`].
    pub fn write_rows(&self) -> Vec<WriteRow> {
        self.spread
            .rows(&self.writes, &self.ids, |o, i| self.reached(o, i))
    }

    /// When each node first held each write, in order of true time (then
    /// origin, version), like [`Collector::write_rows`];
    /// `None` unless kept ([`Collector::with_learned`]).
    pub fn learned(&self) -> Option<Vec<LearnedWrite<'_>>> {
        let l = self.learned.as_ref()?;
        let mut out = Vec::with_capacity(self.total_writes as usize);
        for (o, list) in self.writes.iter().enumerate() {
            for (i, w) in list.iter().enumerate() {
                out.push(LearnedWrite {
                    origin: o as u32,
                    key: w.key,
                    version: w.version,
                    t_ns: w.time,
                    learned_ns: l.times(o as u32, i),
                });
            }
        }
        out.sort_by_key(|w| (w.t_ns, w.origin, w.version));
        Some(out)
    }

    /// Levels per write the spread is tracked at: `min(N, 100)`; the
    /// informed fraction is exact to `1/levels`.
    pub fn spread_levels(&self) -> u32 {
        self.spread.levels()
    }

    /// The informed-fraction curve over all writes against time since the
    /// write, for a run that ended at `end_ns`; see [`InformedPoint`].
    pub fn informed_curve(&self, end_ns: u64) -> Vec<InformedPoint> {
        self.spread.curve(&self.writes, &self.ids, end_ns)
    }

    /// Width of the traffic buckets (ns): `output.sample_interval`.
    pub fn bucket_ns(&self) -> u64 {
        self.traffic.width_ns()
    }

    /// Traffic buckets of a run that ended at `end_ns`: from time 0 until
    /// the end (through the bucket starting at `end_ns` only if a message
    /// was sent or received at that instant); at least one.
    pub fn bucket_count(&self, end_ns: u64) -> usize {
        (end_ns.div_ceil(self.traffic.width_ns()) as usize)
            .max(self.traffic.recorded())
            .max(1)
    }

    /// Traffic sent per kind (protocol order) in each of the
    /// [`Collector::bucket_count`] buckets of a run that ended at `end_ns`.
    pub fn traffic(&self, end_ns: u64) -> Vec<(String, Vec<BucketTraffic>)> {
        let count = self.bucket_count(end_ns);
        self.kinds
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), self.traffic.buckets(i, count)))
            .collect()
    }

    /// Per kind (protocol order), every node's totals, indexed by node id.
    pub fn node_traffic(&self) -> Vec<(String, Vec<NodeTraffic>)> {
        self.kinds
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), self.traffic.per_node(i)))
            .collect()
    }

    /// Whether every node's traffic per bucket is kept ([`Collector::with_node_series`]).
    pub fn keeps_node_series(&self) -> bool {
        self.traffic.keeps_node_series()
    }

    /// Node `node`'s traffic of kind `kind` (an index into
    /// [`Collector::kinds`]) in bucket `bucket`; zero when nothing happened
    /// or the series is not kept.
    pub fn node_bucket(&self, kind: usize, node: u32, bucket: usize) -> NodeBucket {
        self.traffic.node_bucket(kind, node, bucket)
    }

    /// The convergence distribution.
    pub fn convergence(&self) -> Convergence {
        let mut times = self.convergence_times();
        times.sort_unstable();
        Convergence {
            writes: self.total_writes,
            converged: times.len() as u64,
            mean_ns: (!times.is_empty())
                .then(|| (times.iter().map(|&x| x as u128).sum::<u128>() / times.len() as u128) as u64),
            p50_ns: percentile(&times, 50.0),
            p99_ns: percentile(&times, 99.0),
            max_ns: times.last().copied(),
        }
    }
}

/// Nearest-rank percentile of sorted `values`: the value at rank
/// `ceil(p/100 · n)` (1-based); `None` when empty.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn stat(version: u64) -> WriteStat {
        WriteStat {
            version,
            ..WriteStat::default()
        }
    }

    /// The direct-index range equals a plain filter on version lists with
    /// generation jumps (`gen << 32 | counter`) and gaps, and each write's
    /// counters leave the index exactly when [`RECENT`] later writes came.
    #[test]
    fn write_ranges_match_a_filter() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..500 {
            let mut versions = Vec::new();
            let mut v = rng.random_range(1..4u64);
            for _ in 0..rng.random_range(0..30) {
                versions.push(v);
                v += match rng.random_range(0..10) {
                    0 => 1 << 32,
                    1 => rng.random_range(2..5),
                    _ => 1,
                };
            }
            let list: Vec<WriteStat> = versions.iter().map(|&v| stat(v)).collect();
            let mut index = OriginIndex::default();
            for (n, &v) in versions.iter().enumerate() {
                // Mark the counters of write `n` by its number, to see that
                // the one handed back is the one leaving.
                let fresh = Held {
                    informed: 0,
                    need: 7 * n as u32,
                };
                let leaving = index.push(v, 10 * n as u32, fresh);
                assert_eq!(
                    index.recent[n % RECENT].need,
                    7 * n as u32,
                    "write {n}'s counters"
                );
                index.recent[n % RECENT].informed = n as u32;
                let want = n.checked_sub(RECENT);
                assert_eq!(
                    leaving.map(|(id, _)| id),
                    want.map(|i| 10 * i as u32),
                    "write {n}"
                );
                if let Some((_, h)) = leaving {
                    assert_eq!(Some(h.informed as usize), want, "write {n}");
                }
                for i in 0..=n {
                    assert_eq!(index.is_recent(i), i + RECENT > n, "write {i} after {n}");
                }
            }
            let mut probes: Vec<u64> = versions.clone();
            probes.extend([0, 1, 2, v, v + 1, (1 << 32) + 1]);
            for &lo in &probes {
                for &hi in &probes {
                    let want: Vec<usize> = (0..list.len())
                        .filter(|&i| versions[i] > lo && versions[i] <= hi)
                        .collect();
                    let got: Vec<usize> = index.range(|| &list[..], lo, hi).collect();
                    assert_eq!(got, want, "versions {versions:?} range ({lo}, {hi}]");
                }
            }
        }
    }

    /// Random writes (more per origin than an index keeps, some after a
    /// generation jump) and entry changes (runs of rises, and falls as after
    /// a lost-state restart) against a plain model that counts, after every
    /// change, the nodes whose entry is at least each write's version: the
    /// writes not yet held by every node (after every change), the most
    /// holders and the times to 50/90/99/100 % of the nodes agree. Some
    /// origins take a *bare generation* (a lost-state restart: their own
    /// entry rises to a new generation with no write): whether every
    /// version vector is equal, and since when, agrees too.
    #[test]
    fn spread_matches_a_model_of_the_entries() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for nodes in [2u32, 5, 7] {
            let n = nodes as usize;
            let mut c = Collector::new(nodes, &[]);
            let mut entry = vec![vec![0u64; n]; n]; // [node][origin]
            let mut versions: Vec<Vec<u64>> = vec![Vec::new(); n];
            // Per origin, every version its entries can take: its writes
            // and bare generations.
            let mut pool: Vec<Vec<u64>> = vec![Vec::new(); n];
            let mut equal_since: Option<u64> = Some(0);
            let mut bare_generations = 0;
            // Bare generations are looked for once a node crashed.
            c.observe(&Record::Fault {
                t: 0,
                fault: 0,
                action: "crash".into(),
                detail: String::new(),
            });
            // Per write (origin, version): time made, most holders, first
            // time each holder count was reached.
            let mut model: Vec<(u32, u64, u64, u32, Vec<u64>)> = Vec::new();
            // Recounts every write's holders at `t`; returns how many
            // writes some node does not hold.
            let recount = |model: &mut Vec<(u32, u64, u64, u32, Vec<u64>)>, entry: &[Vec<u64>], t: u64| {
                let mut unconverged = 0;
                for (o, v, _, reached, first) in model.iter_mut() {
                    let k = entry.iter().filter(|e| e[*o as usize] >= *v).count();
                    *reached = (*reached).max(k as u32);
                    for f in &mut first[..=k] {
                        *f = (*f).min(t);
                    }
                    unconverged += u64::from(k < n);
                }
                unconverged
            };
            for t in 1..2_000u64 {
                let o = rng.random_range(0..n);
                if rng.random_bool(0.02) {
                    // A bare generation: above every version of `o`.
                    let last = pool[o].last().copied().unwrap_or(0);
                    let version = ((last >> 32) + 1) << 32;
                    pool[o].push(version);
                    bare_generations += 1;
                    let old = std::mem::replace(&mut entry[o][o], version);
                    c.observe_version(t, o as u32, o as u32, old, version);
                } else if rng.random_bool(0.15) {
                    let last = pool[o].last().copied().unwrap_or(0);
                    let version = if rng.random_bool(0.1) {
                        ((last >> 32) + 1) << 32 | 1
                    } else {
                        last + 1
                    };
                    versions[o].push(version);
                    pool[o].push(version);
                    model.push((o as u32, version, t, 0, vec![u64::MAX; n + 1]));
                    c.observe(&Record::Write {
                        t,
                        lt: t,
                        node: o as u32,
                        key: 0,
                        version,
                        value: 0,
                    });
                    let old = std::mem::replace(&mut entry[o][o], version);
                    c.observe_version(t, o as u32, o as u32, old, version);
                } else {
                    // One node changes its entries of some origins at once.
                    let node = rng.random_range(0..n);
                    let mut changes = Vec::new();
                    for origin in 0..n {
                        if pool[origin].is_empty() || !rng.random_bool(0.5) {
                            continue;
                        }
                        let old = entry[node][origin];
                        let new = if rng.random_bool(0.1) {
                            0 // forgotten
                        } else {
                            pool[origin][rng.random_range(0..pool[origin].len())]
                        };
                        if new != old && (new > old || rng.random_bool(0.3)) {
                            entry[node][origin] = new;
                            changes.push(VersionChange {
                                origin: origin as u32,
                                old,
                                new,
                            });
                        }
                    }
                    c.observe_run(t, node as u32, &changes);
                }
                let unconverged = recount(&mut model, &entry, t);
                assert_eq!(c.unconverged(), unconverged, "N = {nodes} at {t}");
                let equal = entry.iter().all(|e| e == &entry[0]);
                equal_since = match (equal, equal_since) {
                    (true, None) => Some(t),
                    (true, since) => since,
                    (false, _) => None,
                };
                if pool.iter().any(|p| !p.is_empty()) {
                    assert_eq!(c.all_converged_at(), equal_since, "N = {nodes} at {t}");
                }
            }
            assert!(bare_generations > 5, "{bare_generations}");
            let mut want: Vec<(u32, u64, u32, [Option<u64>; 4])> = model
                .iter()
                .map(|(o, v, made, reached, first)| {
                    let to = THRESHOLDS_PERCENT.map(|p| {
                        let need = (p as usize * n).div_ceil(100);
                        (first[need] != u64::MAX).then(|| first[need] - made)
                    });
                    (*o, *v, *reached, to)
                })
                .collect();
            let mut got: Vec<(u32, u64, u32, [Option<u64>; 4])> = c
                .write_rows()
                .iter()
                .map(|r| (r.origin, r.version, r.reached, r.to_percent_ns))
                .collect();
            want.sort();
            got.sort();
            assert!(
                versions.iter().any(|v| v.len() > 2 * RECENT),
                "some writes leave the index"
            );
            assert_eq!(got, want, "N = {nodes}");
        }
    }

    #[test]
    fn nearest_rank_by_hand() {
        let v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(percentile(&v, 50.0), Some(50)); // rank 5
        assert_eq!(percentile(&v, 99.0), Some(100)); // rank ceil(9.9) = 10
        assert_eq!(percentile(&v, 10.0), Some(10));
        assert_eq!(percentile(&v, 11.0), Some(20));
        assert_eq!(percentile(&[], 50.0), None);
    }

    /// The traffic buckets reach the run's end, and one further only for a
    /// message sent or received at the end's instant (a bucket boundary),
    /// whichever of the two it was and whatever came between.
    #[test]
    fn bucket_count_covers_the_last_message() {
        const W: u64 = 1_000;
        let fresh = || Collector::new(4, &["a", "b"]).with_sample_interval(W);
        // By hand: an end at 10 buckets' width has 10 buckets, 11 with a
        // message at that instant; a mid-bucket end rounds up.
        let mut c = fresh();
        c.message_sent(0, 1, 3 * W + 5, 10, SizeParts::other(10));
        assert_eq!(c.bucket_count(10 * W), 10);
        assert_eq!(c.bucket_count(10 * W - 1), 10);
        assert_eq!(c.bucket_count(9 * W + 1), 10);
        assert_eq!(c.bucket_count(0), 4, "no fewer than the messages took");
        // Sent, then received in the same bucket, then in a later one, with
        // earlier times looked up between (another bucket each time).
        let mut c = fresh();
        c.message_sent(0, 1, 2 * W, 10, SizeParts::other(10));
        c.message_received(0, 2, 2 * W + 7, 10);
        c.message_sent(1, 2, 5 * W, 10, SizeParts::other(10));
        c.message_received(1, 3, 10 * W, 10);
        c.message_sent(0, 3, 7 * W, 10, SizeParts::other(10));
        c.message_received(0, 1, 7 * W + 1, 10);
        assert_eq!(c.bucket_count(10 * W), 11, "the receipt at the end");
        let mut c = fresh();
        c.message_sent(1, 0, 10 * W, 10, SizeParts::other(10));
        c.message_sent(1, 0, 10 * W, 10, SizeParts::other(10));
        assert_eq!(c.bucket_count(10 * W), 11, "the sends at the end");
        assert_eq!(c.traffic(10 * W)[1].1[10].messages, 2);
        assert_eq!(c.traffic(10 * W)[0].1.len(), 11, "every kind as long");
    }

    /// The per-kind counts, summed from the per-node totals, equal counts
    /// kept by hand: sends of several senders, receipts, drops (counted
    /// for the sender), a kind only a record names, and byte totals large
    /// enough to pass `u32::MAX` (so the 32-bit totals are flushed).
    #[test]
    fn kind_counts_by_hand() {
        let mut c = Collector::new(3, &["a", "b"]);
        let big = 3_000_000_000u32;
        c.message_sent(0, 0, 10, 100, SizeParts::other(100));
        c.message_sent(0, 1, 11, big, SizeParts::other(big));
        c.message_sent(0, 2, 12, big, SizeParts::other(big));
        c.message_received(0, 1, 20, 100);
        c.message_received(0, 0, 21, big);
        c.message_sent(1, 2, 30, 7, SizeParts::other(7));
        let send = |id, kind: &'static str| Record::Send {
            t: 40,
            lt: 40,
            id,
            from: 1,
            to: 2,
            kind: kind.into(),
            bytes: 9,
        };
        c.observe(&send(9, "other"));
        c.observe(&Record::Drop {
            t: 41,
            id: 9,
            from: 1,
            to: 2,
            kind: "other".into(),
            bytes: 9,
            reason: "loss".into(),
        });
        c.observe(&Record::Drop {
            t: 42,
            id: 5,
            from: 2,
            to: 0,
            kind: "a".into(),
            bytes: big,
            reason: "partition".into(),
        });
        let k = |kind: &str, sent, delivered, dropped, bytes_sent, bytes_delivered| KindStats {
            kind: kind.into(),
            sent,
            delivered,
            dropped,
            bytes_sent,
            bytes_delivered,
        };
        let big = u64::from(big);
        assert_eq!(
            c.kinds(),
            vec![
                k("a", 3, 2, 1, 100 + 2 * big, 100 + big),
                k("b", 1, 0, 0, 7, 0),
                k("other", 1, 0, 1, 9, 0),
                k("all", 5, 2, 2, 116 + 2 * big, 100 + big),
            ]
        );
    }
}
