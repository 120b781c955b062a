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
//! Every field is self-delimiting and the tag fixes the fields, so the
//! bytes of a record sequence decode to exactly one sequence (the unit
//! tests decode them back). Times usually take 1–4 bytes and small
//! integers one, so a `version` record is about 13 bytes instead of 49 at
//! fixed width: hashing is a large share of a big run's time.

use super::{Cause, LocalCause, Record};

/// Names the encoding; the digest hashes it first. Bump it whenever the
/// encoding changes (every digest changes with it).
pub const DIGEST_FORMAT: &str = "scuttlesim-digest/2";

/// Record type tags.
const WRITE: u8 = 1;
const VERSION: u8 = 2;
const SEND: u8 = 3;
const RECEIVE: u8 = 4;
const DROP: u8 = 5;
const CLOCK: u8 = 6;
const FAULT: u8 = 7;
const DEFER: u8 = 8;

/// Encodes records one after another (each time is relative to the
/// previous record's).
#[derive(Clone, Debug, Default)]
pub struct Encoder {
    prev_t: u64,
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

/// One `version` record's bytes (at most 61), written into 64 bytes the
/// buffer grew by at once and then cut back to length: no capacity check
/// per byte. (Built on the stack and copied instead, the copy's loads wait
/// on the byte stores they overlap.)
struct Small<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Bytes for Small<'_> {
    #[inline]
    fn push(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }
}

impl Small<'_> {
    /// Room for one record at the end of `out`, written by `fill`.
    #[inline]
    fn append(out: &mut Vec<u8>, fill: impl FnOnce(&mut Small<'_>)) {
        let at = out.len();
        out.resize(at + 64, 0);
        let mut s = Small {
            buf: &mut out[at..],
            len: 0,
        };
        fill(&mut s);
        let len = s.len;
        out.truncate(at + len);
    }
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

/// Appends the zigzag varint of the two's-complement difference `a − b`.
#[inline]
fn diff(out: &mut impl Bytes, a: u64, b: u64) {
    let d = a.wrapping_sub(b) as i64;
    uv(out, ((d << 1) ^ (d >> 63)) as u64);
}

fn text(out: &mut Vec<u8>, s: &str) {
    uv(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

impl Encoder {
    /// Appends the canonical bytes of `r`, the record after the ones
    /// encoded so far.
    pub fn encode(&mut self, r: &Record, out: &mut Vec<u8>) {
        let t = r.time();
        if let Record::Version {
            lt,
            node,
            origin,
            old,
            new,
            cause,
            ..
        } = r
        {
            // The most frequent record by far.
            let prev = self.prev_t;
            self.prev_t = t;
            Small::append(out, |s| {
                s.push(VERSION);
                diff(s, t, prev);
                diff(s, *lt, t);
                uv(s, *node as u64);
                uv(s, *origin as u64);
                uv(s, *old);
                uv(s, *new);
                match cause {
                    Cause::Local(LocalCause::Write) => uv(s, 0),
                    Cause::Local(LocalCause::Restart) => uv(s, 1),
                    // id + 2 computed in 65 bits, so that every id has its own code.
                    Cause::Message(id) => uv128(s, *id as u128 + 2),
                }
            });
            return;
        }
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
            let tag = self.byte();
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
}
