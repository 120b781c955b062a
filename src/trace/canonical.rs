//! The canonical bytes of trace records, which the trace digest hashes.
//!
//! Each record is a type tag followed by its fields in declaration order:
//! integers as unsigned LEB128 varints; the true time `t` as the zigzag
//! varint of its difference from the previous record's `t` (0 before the
//! first record), a local time `lt` as the zigzag varint of `lt − t`;
//! strings as a varint byte length and the UTF-8 bytes; a `version`
//! record's cause as 0 (write), 1 (restart) or the message id + 2 (a
//! 65-bit varint for the two largest ids); a
//! `clock` record's entries as a varint count, then index and value pairs.
//!
//! One exception: a `version` record right after another `version` record
//! with the same `t`, `lt`, `node` and cause (the next delta of the same
//! message, say) is a *continuation*: the tag [`SAME`], then the zigzag
//! difference of its origin from the previous record's origin, its `old`
//! version, and the zigzag difference `new − old` — about 4 bytes.
//!
//! Every field is self-delimiting and the tag fixes the fields, so the
//! bytes of a record sequence decode to exactly one sequence (the unit
//! tests decode them back). Times usually take 1–4 bytes and small
//! integers one, so a whole `version` record is about 13 bytes instead of
//! 49 at fixed width, and a continuation 4: hashing is a large share of a
//! big run's time.

use super::{Cause, LocalCause, Record};
use crate::node::VersionChange;

/// Names the encoding and the hash (BLAKE3 since `/4`, SHA-256 before);
/// the digest hashes it first. Bump it whenever either changes (every
/// digest changes with it).
pub const DIGEST_FORMAT: &str = "scuttlesim-digest/4";

/// Record type tags.
const WRITE: u8 = 1;
const VERSION: u8 = 2;
const SEND: u8 = 3;
const RECEIVE: u8 = 4;
const DROP: u8 = 5;
const CLOCK: u8 = 6;
const FAULT: u8 = 7;
const DEFER: u8 = 8;
/// A continuation `version` record (see the module docs).
const SAME: u8 = 9;

/// Encodes records one after another (each time is relative to the
/// previous record's).
#[derive(Clone, Debug)]
pub struct Encoder {
    prev_t: u64,
    /// The previous record's cause code ([`cause_code`]) if it was a
    /// `version` record, [`NO_VERSION`] otherwise; then its `lt`, `node`
    /// and `origin` (its `t` is `prev_t`).
    prev_cause: u128,
    prev_lt: u64,
    prev_node: u32,
    prev_origin: u32,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder {
            prev_t: 0,
            prev_cause: NO_VERSION,
            prev_lt: 0,
            prev_node: 0,
            prev_origin: 0,
        }
    }
}

/// [`Encoder::prev_cause`] after a record that is not a `version` record
/// (above every cause code).
const NO_VERSION: u128 = u128::MAX;

/// A `version` record's cause as a number: 0 (write), 1 (restart) or the
/// message id + 2, computed in 65 bits so that every id has its own code.
#[inline]
fn cause_code(cause: Cause) -> u128 {
    match cause {
        Cause::Local(LocalCause::Write) => 0,
        Cause::Local(LocalCause::Restart) => 1,
        Cause::Message(id) => id as u128 + 2,
    }
}

/// Where encoded bytes go: the growing buffer, or [`Small`].
trait Bytes {
    /// Appends one byte.
    fn push(&mut self, b: u8);
}

impl Bytes for Vec<u8> {
    #[inline]
    fn push(&mut self, b: u8) {
        Vec::push(self, b)
    }
}

/// The most bytes one `version` record takes (61 in full, 26 as a
/// continuation).
pub(crate) const VERSION_MAX: usize = 64;

/// One `version` record's bytes, written into a fixed array with a cursor:
/// no capacity check per byte.
struct Small<'a> {
    buf: &'a mut [u8; VERSION_MAX],
    len: usize,
}

impl Bytes for Small<'_> {
    #[inline]
    fn push(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }
}

/// Writes the canonical bytes of a continuation of `origin` from `old` to
/// `new`, after a record of `prev_origin`, into `room`; returns their
/// length.
#[inline(always)]
fn continuation_after(
    prev_origin: u32,
    origin: u32,
    old: u64,
    new: u64,
    room: &mut [u8; VERSION_MAX],
) -> usize {
    let zo = zigzag(origin as u64, prev_origin as u64);
    let zd = zigzag(new, old);
    if (zo | old | zd) < 0x80 {
        // The usual continuation: every field one byte, written in one
        // store (the bytes of the general path below).
        let word = u32::from(SAME) | (zo as u32) << 8 | (old as u32) << 16 | (zd as u32) << 24;
        room[..4].copy_from_slice(&word.to_le_bytes());
        return 4;
    }
    let mut s = Small { buf: room, len: 0 };
    s.push(SAME);
    uv(&mut s, zo);
    uv(&mut s, old);
    uv(&mut s, zd);
    s.len
}

/// Appends `v` as an unsigned LEB128 varint.
#[inline]
fn uv(out: &mut impl Bytes, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends `v` as an unsigned LEB128 varint (up to 10 bytes for 65 bits).
#[inline]
fn uv128(out: &mut impl Bytes, mut v: u128) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The zigzag code of the two's-complement difference `a − b` (small
/// differences of either sign give small codes).
#[inline(always)]
fn zigzag(a: u64, b: u64) -> u64 {
    let d = a.wrapping_sub(b) as i64;
    ((d << 1) ^ (d >> 63)) as u64
}

/// Appends the zigzag varint of the two's-complement difference `a − b`.
#[inline]
fn diff(out: &mut impl Bytes, a: u64, b: u64) {
    uv(out, zigzag(a, b));
}

fn text(out: &mut Vec<u8>, s: &str) {
    uv(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

impl Encoder {
    /// Writes the canonical bytes of `r` into `room` and returns their
    /// length, if `r` is a `version` record (the most frequent by far);
    /// `None`, writing nothing and leaving the encoder as it was, for any
    /// other record.
    #[inline(always)]
    pub fn version(&mut self, r: &Record, room: &mut [u8; VERSION_MAX]) -> Option<usize> {
        let Record::Version {
            t,
            lt,
            node,
            origin,
            old,
            new,
            cause,
        } = *r
        else {
            return None;
        };
        let code = cause_code(cause);
        if code == self.prev_cause && t == self.prev_t && lt == self.prev_lt && node == self.prev_node {
            return Some(self.continuation(origin, old, new, room));
        }
        let mut s = Small { buf: room, len: 0 };
        s.push(VERSION);
        diff(&mut s, t, self.prev_t);
        diff(&mut s, lt, t);
        uv(&mut s, node as u64);
        uv(&mut s, origin as u64);
        uv(&mut s, old);
        uv(&mut s, new);
        uv128(&mut s, code);
        (self.prev_t, self.prev_cause, self.prev_lt, self.prev_node) = (t, code, lt, node);
        self.prev_origin = origin;
        Some(s.len)
    }

    /// Writes the canonical bytes of a `version` record of `origin` from
    /// `old` to `new` into `room` and returns their length, for a record
    /// that has the `t`, `lt`, node and cause of the record encoded just
    /// before, itself a `version` record (the caller knows: the next
    /// change of the same handler, say). Writes a continuation.
    #[inline(always)]
    pub fn continuation(&mut self, origin: u32, old: u64, new: u64, room: &mut [u8; VERSION_MAX]) -> usize {
        debug_assert_ne!(
            self.prev_cause, NO_VERSION,
            "a continuation follows a version record"
        );
        let len = continuation_after(self.prev_origin, origin, old, new, room);
        self.prev_origin = origin;
        len
    }

    /// Writes the continuations of `changes` (see
    /// [`Encoder::continuation`]) into `chunk` after its first `len` bytes
    /// (`len < FULL`), up to the one that takes the bytes to `FULL` or
    /// more, or to the last. Returns the new length and how many were
    /// written. `chunk` has room for a record past `FULL`; `FULL` a power
    /// of two makes the bounds check a mask.
    #[inline(always)]
    pub fn continuations<const FULL: usize>(
        &mut self,
        changes: &[VersionChange],
        chunk: &mut [u8],
        mut len: usize,
    ) -> (usize, usize) {
        assert!(
            chunk.len() >= FULL + VERSION_MAX && len < FULL,
            "room for a record"
        );
        debug_assert!(
            changes.is_empty() || self.prev_cause != NO_VERSION,
            "continuations follow a version record"
        );
        let mut prev = self.prev_origin;
        let mut wrote = 0;
        for c in changes {
            // `len` is below `FULL` here, so `at` is `len`: taken modulo, it
            // is seen to leave room for a record.
            let at = len % FULL;
            let room = (&mut chunk[at..at + VERSION_MAX])
                .try_into()
                .expect("room for a record");
            len = at + continuation_after(prev, c.origin, c.old, c.new, room);
            prev = c.origin;
            wrote += 1;
            if len >= FULL {
                break;
            }
        }
        self.prev_origin = prev;
        (len, wrote)
    }

    /// Appends the canonical bytes of `r`, the record after the ones
    /// encoded so far.
    pub fn encode(&mut self, r: &Record, out: &mut Vec<u8>) {
        let mut room = [0; VERSION_MAX];
        if let Some(n) = self.version(r, &mut room) {
            out.extend_from_slice(&room[..n]);
            return;
        }
        self.prev_cause = NO_VERSION;
        let t = r.time();
        let tag = match r {
            Record::Write { .. } => WRITE,
            Record::Version { .. } => VERSION,
            Record::Send { .. } => SEND,
            Record::Receive { .. } => RECEIVE,
            Record::Drop { .. } => DROP,
            Record::Clock { .. } => CLOCK,
            Record::Fault { .. } => FAULT,
            Record::Defer { .. } => DEFER,
        };
        out.push(tag);
        diff(out, t, self.prev_t);
        self.prev_t = t;
        match r {
            Record::Write {
                lt,
                node,
                key,
                version,
                value,
                ..
            } => {
                diff(out, *lt, t);
                uv(out, *node as u64);
                uv(out, *key as u64);
                uv(out, *version);
                uv(out, *value);
            }
            Record::Version { .. } => unreachable!("encoded above"),
            Record::Send {
                lt,
                id,
                from,
                to,
                kind,
                bytes,
                ..
            }
            | Record::Receive {
                lt,
                id,
                from,
                to,
                kind,
                bytes,
                ..
            } => {
                diff(out, *lt, t);
                uv(out, *id);
                uv(out, *from as u64);
                uv(out, *to as u64);
                text(out, kind);
                uv(out, *bytes as u64);
            }
            Record::Drop {
                id,
                from,
                to,
                kind,
                bytes,
                reason,
                ..
            } => {
                uv(out, *id);
                uv(out, *from as u64);
                uv(out, *to as u64);
                text(out, kind);
                uv(out, *bytes as u64);
                text(out, reason);
            }
            Record::Fault {
                fault,
                action,
                detail,
                ..
            } => {
                uv(out, *fault as u64);
                text(out, action);
                text(out, detail);
            }
            Record::Defer {
                lt,
                node,
                key,
                value,
                backlog,
                ..
            } => {
                diff(out, *lt, t);
                uv(out, *node as u64);
                uv(out, *key as u64);
                uv(out, *value);
                uv(out, *backlog as u64);
            }
            Record::Clock { node, set, .. } => {
                uv(out, *node as u64);
                uv(out, set.len() as u64);
                for (i, v) in set {
                    uv(out, *i as u64);
                    uv(out, *v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::tests::every_record_type;
    use rand::{Rng, SeedableRng};
    use std::borrow::Cow;

    /// Reads the bytes back: a decoder written from the module docs, so
    /// that a round trip shows the bytes determine the records.
    struct Decoder<'a> {
        bytes: &'a [u8],
        at: usize,
        prev_t: u64,
        /// The record read last.
        last: Option<Record>,
    }

    impl Decoder<'_> {
        fn byte(&mut self) -> u8 {
            let b = self.bytes[self.at];
            self.at += 1;
            b
        }
        fn uv(&mut self) -> u64 {
            u64::try_from(self.uv128()).expect("a 64-bit field")
        }
        fn uv128(&mut self) -> u128 {
            let (mut v, mut shift) = (0u128, 0);
            loop {
                let b = self.byte();
                v |= ((b & 0x7f) as u128) << shift;
                if b < 0x80 {
                    return v;
                }
                shift += 7;
            }
        }
        fn signed(&mut self) -> u64 {
            let z = self.uv();
            ((z >> 1) as i64 ^ -((z & 1) as i64)) as u64
        }
        fn u32(&mut self) -> u32 {
            u32::try_from(self.uv()).expect("a 32-bit field")
        }
        fn text(&mut self) -> String {
            let n = self.uv() as usize;
            let s = std::str::from_utf8(&self.bytes[self.at..self.at + n])
                .unwrap()
                .to_string();
            self.at += n;
            s
        }
        fn record(&mut self) -> Record {
            let r = self.read();
            self.last = Some(r.clone());
            r
        }
        fn read(&mut self) -> Record {
            let tag = self.byte();
            if tag == SAME {
                let Some(Record::Version {
                    t,
                    lt,
                    node,
                    origin,
                    cause,
                    ..
                }) = self.last
                else {
                    panic!("a continuation after {:?}", self.last)
                };
                let origin = u32::try_from((origin as u64).wrapping_add(self.signed())).expect("an origin");
                let old = self.uv();
                let new = old.wrapping_add(self.signed());
                return Record::Version {
                    t,
                    lt,
                    node,
                    origin,
                    old,
                    new,
                    cause,
                };
            }
            let t = self.prev_t.wrapping_add(self.signed());
            self.prev_t = t;
            let lt = |d: &mut Self| t.wrapping_add(d.signed());
            match tag {
                WRITE => Record::Write {
                    lt: lt(self),
                    node: self.u32(),
                    key: self.u32(),
                    version: self.uv(),
                    value: self.uv(),
                    t,
                },
                VERSION => Record::Version {
                    lt: lt(self),
                    node: self.u32(),
                    origin: self.u32(),
                    old: self.uv(),
                    new: self.uv(),
                    cause: match self.uv128() {
                        0 => Cause::Local(LocalCause::Write),
                        1 => Cause::Local(LocalCause::Restart),
                        c => Cause::Message(u64::try_from(c - 2).expect("a 64-bit id")),
                    },
                    t,
                },
                SEND | RECEIVE => {
                    let (lt, id, from, to) = (lt(self), self.uv(), self.u32(), self.u32());
                    let (kind, bytes) = (Cow::Owned(self.text()), self.u32());
                    if tag == SEND {
                        Record::Send {
                            t,
                            lt,
                            id,
                            from,
                            to,
                            kind,
                            bytes,
                        }
                    } else {
                        Record::Receive {
                            t,
                            lt,
                            id,
                            from,
                            to,
                            kind,
                            bytes,
                        }
                    }
                }
                DROP => Record::Drop {
                    id: self.uv(),
                    from: self.u32(),
                    to: self.u32(),
                    kind: Cow::Owned(self.text()),
                    bytes: self.u32(),
                    reason: Cow::Owned(self.text()),
                    t,
                },
                FAULT => Record::Fault {
                    fault: self.u32(),
                    action: Cow::Owned(self.text()),
                    detail: self.text(),
                    t,
                },
                DEFER => Record::Defer {
                    lt: lt(self),
                    node: self.u32(),
                    key: self.u32(),
                    value: self.uv(),
                    backlog: self.u32(),
                    t,
                },
                CLOCK => {
                    let node = self.u32();
                    let n = self.uv();
                    Record::Clock {
                        t,
                        node,
                        set: (0..n).map(|_| (self.u32(), self.uv())).collect(),
                    }
                }
                other => panic!("unknown tag {other}"),
            }
        }
    }

    fn round_trip(records: &[Record]) {
        let mut enc = Encoder::default();
        let mut bytes = Vec::new();
        for r in records {
            enc.encode(r, &mut bytes);
        }
        let mut d = Decoder {
            bytes: &bytes,
            at: 0,
            prev_t: 0,
            last: None,
        };
        let back: Vec<Record> = records.iter().map(|_| d.record()).collect();
        assert_eq!(d.at, bytes.len(), "every byte read");
        assert_eq!(back, records);
    }

    /// Every record type with extreme values (times going back, local
    /// times far from true time, strings over 255 bytes, the largest
    /// message ids) reads back.
    #[test]
    fn every_record_type_round_trips() {
        let mut records = every_record_type();
        records.push(Record::Fault {
            t: 0,
            fault: u32::MAX,
            action: Cow::Borrowed("crash"),
            detail: "é".repeat(300),
        });
        // The largest message ids next to the local causes they would
        // collide with if `id + 2` wrapped.
        for cause in [
            Cause::Message(u64::MAX),
            Cause::Message(u64::MAX - 1),
            Cause::Local(LocalCause::Write),
            Cause::Local(LocalCause::Restart),
            Cause::Message(0),
        ] {
            records.push(Record::Version {
                t: 5,
                lt: 5,
                node: 1,
                origin: 2,
                old: 3,
                new: 4,
                cause,
            });
        }
        round_trip(&records);
        let mut reversed = records.clone();
        reversed.reverse();
        round_trip(&reversed);
    }

    /// Random sequences of `version` and `send` records with random field
    /// widths read back, so no two sequences share their bytes.
    #[test]
    fn random_sequences_round_trip() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let wide = |rng: &mut rand_chacha::ChaCha8Rng| {
            let bits = rng.random_range(0..=64u32);
            if bits == 64 {
                rng.random::<u64>()
            } else {
                rng.random::<u64>() & ((1u64 << bits) - 1)
            }
        };
        for _ in 0..200 {
            let records: Vec<Record> = (0..50)
                .map(|_| {
                    if rng.random_bool(0.5) {
                        Record::Version {
                            t: wide(&mut rng),
                            lt: wide(&mut rng),
                            node: wide(&mut rng) as u32,
                            origin: wide(&mut rng) as u32,
                            old: wide(&mut rng),
                            new: wide(&mut rng),
                            cause: match rng.random_range(0..3) {
                                0 => Cause::Local(LocalCause::Write),
                                1 => Cause::Local(LocalCause::Restart),
                                _ => Cause::Message(wide(&mut rng)),
                            },
                        }
                    } else {
                        Record::Send {
                            t: wide(&mut rng),
                            lt: wide(&mut rng),
                            id: wide(&mut rng),
                            from: wide(&mut rng) as u32,
                            to: wide(&mut rng) as u32,
                            kind: Cow::Borrowed("syn"),
                            bytes: wide(&mut rng) as u32,
                        }
                    }
                })
                .collect();
            round_trip(&records);
        }
    }

    /// A message-caused `version` record a few microseconds after the
    /// previous record, with local time equal to true time, takes 13 bytes.
    #[test]
    fn a_typical_version_record_is_small() {
        let mut enc = Encoder::default();
        let mut out = Vec::new();
        let at = |t| Record::Version {
            t,
            lt: t,
            node: 700,
            origin: 900,
            old: 3,
            new: 4,
            cause: Cause::Message(150_000),
        };
        enc.encode(&at(60_000_000_000), &mut out);
        out.clear();
        enc.encode(&at(60_000_004_000), &mut out);
        // tag 1 + Δt 2 + Δlt 1 + node 2 + origin 2 + old 1 + new 1 + cause 3
        assert_eq!(out.len(), 13);
    }

    /// Runs of `version` records that share their time, local time, node
    /// and cause (a message's deltas) read back, with each of the four
    /// changed alone now and then, other records in between, and origins
    /// and versions going up, down and across the 32-bit range.
    #[test]
    fn runs_of_version_records_round_trip() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let mut records = Vec::new();
        let (mut t, mut lt, mut node, mut cause) = (5u64, 5u64, 1u32, Cause::Message(9));
        for _ in 0..20_000 {
            match rng.random_range(0..12) {
                0 => t = rng.random_range(0..=t + 1),
                1 => lt = rng.random(),
                2 => node = rng.random(),
                3 => {
                    cause = match rng.random_range(0..3) {
                        0 => Cause::Local(LocalCause::Write),
                        1 => Cause::Local(LocalCause::Restart),
                        _ => Cause::Message(rng.random_range(u64::MAX - 3..=u64::MAX)),
                    }
                }
                4 => records.push(Record::Write {
                    t,
                    lt,
                    node,
                    key: 0,
                    version: 1,
                    value: 2,
                }),
                _ => {}
            }
            let old = if rng.random_bool(0.1) {
                rng.random()
            } else {
                rng.random_range(0..4)
            };
            let new = if rng.random_bool(0.1) {
                rng.random()
            } else {
                old + 1
            };
            records.push(Record::Version {
                t,
                lt,
                node,
                origin: if rng.random_bool(0.1) {
                    rng.random()
                } else {
                    rng.random_range(0..3)
                },
                old,
                new,
                cause,
            });
        }
        round_trip(&records);
    }

    /// A message's second delta, hand-encoded: the tag, the origin's
    /// difference from the previous record's (zigzag), the old version and
    /// the new one's difference from it (zigzag); nothing else.
    #[test]
    fn a_continuation_names_origin_and_versions_only() {
        let mut enc = Encoder::default();
        let mut out = Vec::new();
        let delta = |origin, old, new| Record::Version {
            t: 60_000_000_000,
            lt: 60_000_000_000,
            node: 700,
            origin,
            old,
            new,
            cause: Cause::Message(150_000),
        };
        enc.encode(&delta(900, 3, 4), &mut out);
        // tag 1 + Δt 6 (zigzag 1.2e11, 37 bits) + Δlt 1 + node 2 + origin 2 + old 1 + new 1 + cause 3
        assert_eq!(out.len(), 17, "a whole record first");
        out.clear();
        enc.encode(&delta(902, 3, 5), &mut out);
        assert_eq!(out, [SAME, 4, 3, 4]);
        out.clear();
        enc.encode(&delta(838, 300, 200), &mut out);
        // origin −64 → zigzag 127; old 300 → [0xac, 0x02]; new − old = −100 → zigzag 199.
        assert_eq!(out, [SAME, 127, 0xac, 0x02, 0xc7, 0x01]);
        // The one-byte limit of each field, then one past it.
        out.clear();
        enc.encode(&delta(774, 127, 63), &mut out);
        assert_eq!(out, [SAME, 127, 127, 127], "−64, 127, −64");
        out.clear();
        enc.encode(&delta(838, 128, 192), &mut out);
        assert_eq!(out, [SAME, 0x80, 0x01, 0x80, 0x01, 0x80, 0x01], "64, 128, 64");
        // Another cause starts a whole record again.
        out.clear();
        enc.encode(
            &Record::Version {
                t: 60_000_000_000,
                lt: 60_000_000_000,
                node: 700,
                origin: 838,
                old: 4,
                new: 5,
                cause: Cause::Message(150_001),
            },
            &mut out,
        );
        assert_eq!(out[0], VERSION);
    }
}
