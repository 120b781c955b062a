//! Trace records, their canonical bytes and digest, and the JSONL file format.
//!
//! The run loop emits one [`Record`] per observable step, in `(time, seq)`
//! order. Each record has a level ([`Record::level`]): `versions` (writes and
//! version-vector transitions) or `full` (also sends, receipts, drops and
//! vector-clock transitions). The [`TraceDigest`] hashes the canonical binary
//! encoding ([`Encoder::encode`], each record relative to the one before) of
//! every record at the run's digest level, so the digest does not depend on
//! whether, or how, the trace is written.
//!
//! A trace file is JSON Lines: a [`Header`] line, then one record per line,
//! e.g. `{"type":"version","t":1020000000,"lt":1020000000,"node":1,"origin":0,"old":0,"new":1,"cause":7}`.

mod canonical;
mod fast_read;
mod jsonl;
mod line;
mod stream;

pub use canonical::{Encoder, DIGEST_FORMAT};
pub use jsonl::{read_trace, JsonlWriter};
pub(crate) use stream::strip_position;
pub use stream::TraceReader;

use crate::node::VersionChange;
use crate::scenario::TraceLevel;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Format tag of trace files.
pub const TRACE_FORMAT: &str = "scuttlesim-trace/1";

/// The first line of a trace file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Always `"header"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// [`TRACE_FORMAT`].
    pub format: String,
    /// scuttlesim version that wrote it.
    pub version: String,
    /// Scenario name.
    pub scenario: String,
    /// SHA-256 of the resolved scenario's canonical JSON.
    pub scenario_hash: String,
    /// Master seed.
    pub seed: u64,
    /// Trace level of the records that follow.
    pub level: TraceLevel,
    /// Node count.
    pub nodes: u32,
}

/// What caused a version-vector transition.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cause {
    /// The id of the message whose deltas raised the entry.
    Message(u64),
    /// A local write (`"write"`).
    Local(LocalCause),
}

/// The marker of a local cause.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LocalCause {
    /// The node's own write.
    Write,
    /// A restart with lost state (entries drop to 0; the node's own entry
    /// moves to its new generation).
    Restart,
}

/// One trace record. `t` is true time in ns; `lt` the node's local clock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Record {
    /// A node wrote one of its keys.
    Write {
        /// True time.
        t: u64,
        /// Writer's local time (the write's timestamp).
        lt: u64,
        /// The writer (the origin of the write).
        node: u32,
        /// Key index among the writer's keys.
        key: u32,
        /// The version the write got (`generation << 32 | counter`).
        version: u64,
        /// The value written.
        value: u64,
    },
    /// A node's version-vector entry for `origin` rose from `old` to `new`.
    Version {
        /// True time.
        t: u64,
        /// Local time of `node`.
        lt: u64,
        /// The node whose vector changed.
        node: u32,
        /// The entry that changed.
        origin: u32,
        /// Value before (`generation << 32 | counter`).
        old: u64,
        /// Value after.
        new: u64,
        /// A message id, or `"write"`.
        cause: Cause,
    },
    /// A message left its sender.
    Send {
        /// True time.
        t: u64,
        /// Sender's local time.
        lt: u64,
        /// Message id, unique in the run.
        id: u64,
        /// Sender.
        from: u32,
        /// Receiver.
        to: u32,
        /// Message kind (protocol-specific, e.g. `syn`).
        kind: Cow<'static, str>,
        /// Bytes on the wire.
        bytes: u32,
    },
    /// A message reached its receiver.
    Receive {
        /// True time.
        t: u64,
        /// Receiver's local time.
        lt: u64,
        /// Message id.
        id: u64,
        /// Sender.
        from: u32,
        /// Receiver.
        to: u32,
        /// Message kind.
        kind: Cow<'static, str>,
        /// Bytes on the wire.
        bytes: u32,
    },
    /// A message was not delivered.
    Drop {
        /// True time of the decision.
        t: u64,
        /// Message id.
        id: u64,
        /// Sender.
        from: u32,
        /// Intended receiver.
        to: u32,
        /// Message kind.
        kind: Cow<'static, str>,
        /// Bytes on the wire.
        bytes: u32,
        /// Why (`loss`).
        reason: Cow<'static, str>,
    },
    /// Flow control made a local write wait in the node's backlog.
    Defer {
        /// True time.
        t: u64,
        /// The node's local time.
        lt: u64,
        /// The writer.
        node: u32,
        /// The key.
        key: u32,
        /// The value.
        value: u64,
        /// Writes waiting at the node now, this one included.
        backlog: u32,
    },
    /// A scheduled fault took effect.
    Fault {
        /// True time.
        t: u64,
        /// Index of the `[[faults]]` entry.
        fault: u32,
        /// `partition`, `cut`, `heal`, `crash`, `restart`, `degrade`,
        /// `degrade-end` or `clock-step`.
        action: Cow<'static, str>,
        /// Human-readable details (nodes, sides, amounts).
        detail: String,
    },
    /// Entries of a node's causal vector clock changed (only those entries).
    Clock {
        /// True time.
        t: u64,
        /// The node.
        node: u32,
        /// `[index, new value]` pairs, in index order.
        set: Vec<(u32, u64)>,
    },
}

impl Record {
    /// The lowest trace level that includes this record.
    pub fn level(&self) -> TraceLevel {
        match self {
            Record::Write { .. } | Record::Version { .. } | Record::Fault { .. } | Record::Defer { .. } => {
                TraceLevel::Versions
            }
            _ => TraceLevel::Full,
        }
    }

    /// True time of the record.
    pub fn time(&self) -> u64 {
        match *self {
            Record::Write { t, .. }
            | Record::Version { t, .. }
            | Record::Send { t, .. }
            | Record::Receive { t, .. }
            | Record::Drop { t, .. }
            | Record::Fault { t, .. }
            | Record::Defer { t, .. }
            | Record::Clock { t, .. } => t,
        }
    }

    /// The node the record is about (the sender for sends and drops, the
    /// receiver for receipts; `u32::MAX` for faults).
    pub fn node(&self) -> u32 {
        match *self {
            Record::Write { node, .. } | Record::Version { node, .. } | Record::Clock { node, .. } => node,
            Record::Send { from, .. } | Record::Drop { from, .. } => from,
            Record::Receive { to, .. } => to,
            Record::Fault { .. } => u32::MAX,
            Record::Defer { node, .. } => node,
        }
    }

    /// The record's type name as written in the `type` field.
    pub fn type_name(&self) -> &'static str {
        match self {
            Record::Write { .. } => "write",
            Record::Version { .. } => "version",
            Record::Send { .. } => "send",
            Record::Receive { .. } => "receive",
            Record::Drop { .. } => "drop",
            Record::Fault { .. } => "fault",
            Record::Defer { .. } => "defer",
            Record::Clock { .. } => "clock",
        }
    }
}

/// Receives the records of a run at the trace level it asked for.
pub trait TraceSink {
    /// One record, in trace order.
    fn record(&mut self, record: &Record);

    /// A run of `version` records, in trace order: for each change `c`,
    /// `Record::Version { t, lt, node, origin: c.origin, old: c.old, new:
    /// c.new, cause }` (the changes one handler made, the most frequent
    /// records by far). The default hands each to [`TraceSink::record`];
    /// a sink that forwards or batches records takes the run whole.
    fn version_run(&mut self, t: u64, lt: u64, node: u32, cause: Cause, changes: &[VersionChange]) {
        for c in changes {
            let r = version_record(t, lt, node, cause, c);
            self.record(&r);
            forget_version(r);
        }
    }

    /// Whether the run should stop before its next event (e.g. the user
    /// pressed Ctrl-C). The event in progress always finishes and every
    /// record it emitted is whole. The run loop asks before the next event
    /// whenever it handed the sink a record, and otherwise every
    /// [`STOP_POLL`] events (for a flag set from outside): a sink's own
    /// reason to stop must come from a record it was given. The default
    /// never asks to stop.
    fn stop_requested(&self) -> bool {
        false
    }

    /// Called by the run loop about every [`PROGRESS_EVERY`] events, before
    /// an event, with its simulated time and the events processed so far
    /// (for a progress bar; the core itself never looks at the wall clock).
    fn progress(&mut self, _now: crate::time::SimTime, _events: u64) {}
}

/// The `version` record of change `c` (see [`TraceSink::version_run`]).
#[inline(always)]
pub fn version_record(t: u64, lt: u64, node: u32, cause: Cause, c: &VersionChange) -> Record {
    Record::Version {
        t,
        lt,
        node,
        origin: c.origin,
        old: c.old,
        new: c.new,
        cause,
    }
}

/// Lets a `version` record go without its drop glue, which the compiler
/// calls out of line for every record otherwise: such a record owns no
/// memory (its fields are integers and a `Cause`, checked here).
#[inline(always)]
pub fn forget_version(r: Record) {
    const _: () = assert!(!std::mem::needs_drop::<Cause>());
    debug_assert!(matches!(r, Record::Version { .. }));
    std::mem::forget(r);
}

/// Most events between two [`TraceSink::stop_requested`] calls when the
/// sink is given no record (a power of two).
pub const STOP_POLL: u64 = 1 << 10;

/// Events between two [`TraceSink::progress`] calls (at least; a multiple
/// of [`STOP_POLL`]).
pub const PROGRESS_EVERY: u64 = 1 << 14;

/// A sink that forwards records to `inner` and progress to a callback.
pub struct WithProgress<'a> {
    /// Where the records go.
    pub inner: &'a mut dyn TraceSink,
    /// Called with `(simulated time, events processed)`.
    pub progress: &'a mut dyn FnMut(crate::time::SimTime, u64),
}

impl std::fmt::Debug for WithProgress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WithProgress")
    }
}

impl TraceSink for WithProgress<'_> {
    fn record(&mut self, record: &Record) {
        self.inner.record(record);
    }
    fn version_run(&mut self, t: u64, lt: u64, node: u32, cause: Cause, changes: &[VersionChange]) {
        self.inner.version_run(t, lt, node, cause, changes);
    }
    fn stop_requested(&self) -> bool {
        self.inner.stop_requested()
    }
    fn progress(&mut self, now: crate::time::SimTime, events: u64) {
        (self.progress)(now, events);
    }
}

/// A sink that keeps nothing.
#[derive(Debug, Default)]
pub struct NullSink;

impl TraceSink for NullSink {
    fn record(&mut self, _: &Record) {}
}

/// A sink that keeps every record in memory (tests, small runs).
#[derive(Debug, Default)]
pub struct VecSink(pub Vec<Record>);

impl TraceSink for VecSink {
    fn record(&mut self, record: &Record) {
        self.0.push(record.clone());
    }
}

/// BLAKE3 over [`DIGEST_FORMAT`] and the canonical bytes of every record
/// ([`Encoder`]), hashed [`HASH_CHUNK`] bytes at a time.
#[derive(Clone, Debug)]
pub struct TraceDigest {
    hasher: blake3::Hasher,
    encoder: Encoder,
    /// Bytes not hashed yet: `chunk[..len]`. Room for one `version` record
    /// past [`HASH_CHUNK`], so that one is written in place.
    chunk: Box<[u8]>,
    len: usize,
    /// The bytes of one record of another type.
    other: Vec<u8>,
    records: u64,
}

/// Bytes hashed at once: 32 BLAKE3 chunks, so that every update starts on
/// a chunk boundary and hashes its chunks side by side (SIMD lanes).
const HASH_CHUNK: usize = 1 << 15;

/// The chunk's size: [`HASH_CHUNK`] and room for one `version` record.
const CHUNK_ROOM: usize = HASH_CHUNK + canonical::VERSION_MAX;

impl Default for TraceDigest {
    fn default() -> Self {
        // The format name is the stream's first bytes, pending with the
        // records' (hashed straight away, it would leave every chunk after
        // it off a BLAKE3 chunk boundary).
        let mut chunk = vec![0; CHUNK_ROOM].into_boxed_slice();
        let format = DIGEST_FORMAT.as_bytes();
        chunk[..format.len()].copy_from_slice(format);
        TraceDigest {
            hasher: blake3::Hasher::new(),
            encoder: Encoder::default(),
            chunk,
            len: format.len(),
            other: Vec::new(),
            records: 0,
        }
    }
}

impl TraceDigest {
    /// Adds one record.
    #[inline(always)]
    pub fn add(&mut self, record: &Record) {
        if !self.in_place(|encoder, room| encoder.version(record, room)) {
            self.records += 1;
            self.add_other(record);
        }
    }

    /// Counts a `version` record and writes its bytes in place after the
    /// pending ones, as `encode` writes them into the room it is given
    /// (hashing the chunk once full); `false`, with nothing written or
    /// counted, when `encode` returns `None` (not a `version` record).
    #[inline(always)]
    fn in_place(
        &mut self,
        encode: impl FnOnce(&mut Encoder, &mut [u8; canonical::VERSION_MAX]) -> Option<usize>,
    ) -> bool {
        let room = (&mut self.chunk[self.len..self.len + canonical::VERSION_MAX]).try_into();
        let Some(n) = encode(&mut self.encoder, room.expect("room for a version record")) else {
            return false;
        };
        self.records += 1;
        self.len += n;
        if self.len >= HASH_CHUNK {
            self.len = hash_chunk(&mut self.hasher, &mut self.chunk, self.len);
        }
        true
    }

    /// Adds the `version` records of one handler, in order: every one at
    /// true time `t`, local time `lt`, on `node`, for `cause`, one per
    /// change. The same digest as [`TraceDigest::add`] of each record; after
    /// the first, none is compared with the one before.
    #[inline(always)]
    pub fn add_run(&mut self, t: u64, lt: u64, node: u32, cause: Cause, changes: &[VersionChange]) {
        let Some((first, rest)) = changes.split_first() else {
            return;
        };
        let first = version_record(t, lt, node, cause, first);
        self.add(&first);
        forget_version(first);
        debug_assert!(
            self.len < HASH_CHUNK,
            "a record just added leaves the chunk unfull"
        );
        // The rest are continuations, encoded with the encoder and the
        // chunk's length in locals (else the compiler, for which a byte
        // written into the chunk may be a field of `self`, stores and
        // reloads them around every record).
        let mut encoder = self.encoder.clone();
        let mut len = self.len;
        let chunk = &mut self.chunk[..];
        let mut changes = rest;
        loop {
            // Up to a full chunk, with the hash call outside the loop (so
            // that the loop's state stays in registers).
            let (full, wrote) = encoder.continuations::<HASH_CHUNK>(changes, chunk, len);
            len = full;
            changes = &changes[wrote..];
            if len < HASH_CHUNK {
                break;
            }
            len = hash_chunk(&mut self.hasher, chunk, len);
        }
        self.records += rest.len() as u64;
        self.len = len;
        self.encoder = encoder;
    }

    /// Adds a record that is not a `version` record: encoded into `other`,
    /// then copied after the pending bytes, a full chunk hashed at a time.
    #[cold]
    fn add_other(&mut self, record: &Record) {
        self.other.clear();
        self.encoder.encode(record, &mut self.other);
        let mut rest = &self.other[..];
        while !rest.is_empty() {
            let take = rest.len().min(HASH_CHUNK - self.len);
            self.chunk[self.len..self.len + take].copy_from_slice(&rest[..take]);
            self.len += take;
            rest = &rest[take..];
            if self.len == HASH_CHUNK {
                self.len = hash_chunk(&mut self.hasher, &mut self.chunk, self.len);
            }
        }
    }

    /// Records added so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// The digest, lowercase hex.
    pub fn finish(mut self) -> String {
        self.hasher.update(&self.chunk[..self.len]);
        crate::scenario::hex(self.hasher.finalize().as_bytes())
    }
}

/// Hashes the first [`HASH_CHUNK`] of the `len` pending bytes of `chunk`
/// (`len` is at least that) and moves the rest, less than one `version`
/// record, to its start; returns how many are left. The same digest as
/// hashing all `len`: the hash is of the byte stream, however it is cut.
#[inline(never)]
fn hash_chunk(hasher: &mut blake3::Hasher, chunk: &mut [u8], len: usize) -> usize {
    hasher.update(&chunk[..HASH_CHUNK]);
    chunk.copy_within(HASH_CHUNK..len, 0);
    len - HASH_CHUNK
}

/// The digest of `records` (those at or below `level`), as a run computes it.
pub fn digest_of<'a>(records: impl IntoIterator<Item = &'a Record>, level: TraceLevel) -> String {
    let mut d = TraceDigest::default();
    for r in records {
        if r.level() <= level {
            d.add(r);
        }
    }
    d.finish()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A header for test traces.
    pub(crate) fn header() -> Header {
        Header {
            kind: "header".into(),
            format: TRACE_FORMAT.into(),
            version: "test".into(),
            scenario: "s".into(),
            scenario_hash: "h".into(),
            seed: 1,
            level: TraceLevel::Full,
            nodes: 3,
        }
    }

    /// One record of every type, with awkward strings and extreme numbers
    /// (the second is a `version` caused by a local write).
    pub(crate) fn every_record_type() -> Vec<Record> {
        vec![
            Record::Write {
                t: 0,
                lt: u64::MAX,
                node: 3,
                key: 0,
                version: 1 << 32 | 7,
                value: 99,
            },
            Record::Version {
                t: 1,
                lt: 2,
                node: 3,
                origin: 3,
                old: 0,
                new: 1,
                cause: Cause::Local(LocalCause::Write),
            },
            Record::Version {
                t: 5,
                lt: 5,
                node: 2,
                origin: 3,
                old: 9,
                new: 0,
                cause: Cause::Local(LocalCause::Restart),
            },
            Record::Version {
                t: 5,
                lt: 5,
                node: 2,
                origin: 3,
                old: 0,
                new: 1,
                cause: Cause::Message(17),
            },
            Record::Send {
                t: 1,
                lt: 1,
                id: 17,
                from: 3,
                to: 2,
                kind: "syn".into(),
                bytes: 48,
            },
            Record::Receive {
                t: 4,
                lt: 4,
                id: 17,
                from: 3,
                to: 2,
                kind: "ack2".into(),
                bytes: 48,
            },
            Record::Drop {
                t: 4,
                id: 18,
                from: 3,
                to: 2,
                kind: "ack".into(),
                bytes: 48,
                reason: "loss".into(),
            },
            Record::Defer {
                t: 4,
                lt: 3,
                node: 1,
                key: 2,
                value: 10,
                backlog: 3,
            },
            Record::Fault {
                t: 9,
                fault: 0,
                action: "heal".into(),
                detail: "\"split\" \\ \n\t\u{1}\u{1f} é ✓".into(),
            },
            Record::Clock {
                t: 4,
                node: 2,
                set: vec![(2, 5), (3, 1)],
            },
            Record::Clock {
                t: 4,
                node: 2,
                set: vec![],
            },
        ]
    }

    #[test]
    fn json_round_trip_of_every_type() {
        let recs = every_record_type();
        for r in &recs {
            let line = serde_json::to_string(r).unwrap();
            let back: Record = serde_json::from_str(&line).unwrap();
            assert_eq!(&back, r, "{line}");
        }
        let line = serde_json::to_string(&recs[1]).unwrap();
        assert!(line.contains("\"cause\":\"write\""), "{line}");
    }

    #[test]
    fn digest_changes_with_any_field() {
        let a = Record::Write {
            t: 1,
            lt: 2,
            node: 3,
            key: 0,
            version: 1,
            value: 99,
        };
        let b = Record::Write {
            t: 1,
            lt: 2,
            node: 3,
            key: 0,
            version: 1,
            value: 98,
        };
        assert_ne!(
            digest_of([&a], TraceLevel::Full),
            digest_of([&b], TraceLevel::Full)
        );
        assert_eq!(
            digest_of([&a], TraceLevel::Full),
            digest_of([&a], TraceLevel::Full)
        );
    }

    /// The digest hashed a chunk at a time equals BLAKE3 over the format
    /// name and every record's bytes in one piece, with `version` records
    /// across many chunks and other records of every size between them:
    /// small, straddling a chunk's end, and larger than a chunk.
    #[test]
    fn the_chunked_digest_hashes_every_byte_once_in_order() {
        let mut records = Vec::new();
        for i in 0..60_000u64 {
            records.push(Record::Version {
                t: i / 7,
                lt: i / 7,
                node: (i / 7) as u32,
                origin: (i % 1000) as u32,
                old: i,
                new: i + 1,
                cause: Cause::Message(i / 7),
            });
            if i % 9_000 == 4_500 {
                let len = [10, HASH_CHUNK - 3, HASH_CHUNK + 5, 3 * HASH_CHUNK][(i / 9_000) as usize % 4];
                records.push(Record::Fault {
                    t: i,
                    fault: 1,
                    action: Cow::Borrowed("crash"),
                    detail: "x".repeat(len),
                });
            }
        }
        let mut bytes = DIGEST_FORMAT.as_bytes().to_vec();
        let mut encoder = Encoder::default();
        for r in &records {
            encoder.encode(r, &mut bytes);
        }
        assert!(bytes.len() > 10 * HASH_CHUNK, "{} bytes", bytes.len());
        let whole = crate::scenario::hex(blake3::hash(&bytes).as_bytes());
        assert_eq!(digest_of(&records, TraceLevel::Full), whole);
    }

    /// A handler's `version` records added as a run digest exactly as when
    /// added one by one: runs of every length (a record alone too), some
    /// continuing the run before (same time, node and cause), some after
    /// another type of record, with versions and origins both small and
    /// beyond a byte, across many chunks.
    #[test]
    fn a_run_of_version_records_digests_as_its_records() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let (mut one_by_one, mut as_runs) = (TraceDigest::default(), TraceDigest::default());
        let (mut t, mut node, mut cause) = (0u64, 0u32, Cause::Message(0));
        for _ in 0..20_000 {
            match rng.random_range(0..4) {
                0 => {
                    let r = every_record_type()[0].clone();
                    one_by_one.add(&r);
                    as_runs.add(&r);
                }
                1 => {} // the same context as the run before
                _ => {
                    t += rng.random_range(0..3);
                    node = rng.random_range(0..3);
                    cause = [Cause::Message(t), Cause::Local(LocalCause::Write)][rng.random_range(0..2)];
                }
            }
            let big = |rng: &mut rand_chacha::ChaCha8Rng, small: u64| {
                if rng.random_bool(0.2) {
                    rng.random_range(0..1 << 40)
                } else {
                    small
                }
            };
            let changes: Vec<VersionChange> = (0..rng.random_range(0..6))
                .map(|_| {
                    let small_origin = rng.random_range(0..100);
                    let origin = big(&mut rng, small_origin) as u32;
                    let small_old = rng.random_range(0..5);
                    let old = big(&mut rng, small_old);
                    VersionChange {
                        origin,
                        old,
                        new: old + big(&mut rng, 1),
                    }
                })
                .collect();
            for &VersionChange { origin, old, new } in &changes {
                one_by_one.add(&Record::Version {
                    t,
                    lt: t + 5,
                    node,
                    origin,
                    old,
                    new,
                    cause,
                });
            }
            as_runs.add_run(t, t + 5, node, cause, &changes);
        }
        assert_eq!(as_runs.records(), one_by_one.records());
        assert!(as_runs.records() > 40_000, "{} records", as_runs.records());
        assert_eq!(as_runs.finish(), one_by_one.finish());
    }

    /// Runs long enough that chunks fill in their middle, some more than
    /// once, digest as their records one by one.
    #[test]
    fn runs_that_fill_chunks_digest_as_their_records() {
        let (mut one_by_one, mut as_runs) = (TraceDigest::default(), TraceDigest::default());
        let cause = Cause::Message(7);
        for (run, len) in [1usize, 9_000, 20_000, 3, 50_000].into_iter().enumerate() {
            let t = run as u64 * 10;
            // Mostly one-byte fields, every 97th origin far from the one before.
            let changes: Vec<VersionChange> = (0..len)
                .map(|i| VersionChange {
                    origin: (i % 50 + if i % 97 == 0 { 1_000 } else { 0 }) as u32,
                    old: (i % 7) as u64,
                    new: (i % 7 + 1 + i % 3) as u64,
                })
                .collect();
            for &VersionChange { origin, old, new } in &changes {
                one_by_one.add(&Record::Version {
                    t,
                    lt: t,
                    node: 2,
                    origin,
                    old,
                    new,
                    cause,
                });
            }
            as_runs.add_run(t, t, 2, cause, &changes);
        }
        assert_eq!(as_runs.records(), one_by_one.records());
        assert!(one_by_one.records() * 4 > 8 * HASH_CHUNK as u64, "several chunks");
        assert_eq!(as_runs.finish(), one_by_one.finish());
    }
}
