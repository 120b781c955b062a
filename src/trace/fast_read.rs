//! A fast path for reading the trace lines scuttlesim writes.
//!
//! `serde_json` reads a [`Record`] (an internally tagged enum) by buffering
//! every field before it knows the variant: most of the time of `trace`,
//! `replay` and `export` on a large trace went there. A record as the writer
//! writes it has its fields in one fixed order, so [`parse`] reads exactly
//! that text and nothing else: plain integers (no sign, no leading zero, no
//! fraction), strings without escapes or control characters, no spaces
//! inside, trailing JSON whitespace only. Anything else (another order,
//! escapes, a damaged line) gets `None`, and the reader falls back to
//! `serde_json`, which accepts every valid spelling and words the errors.
//! So the fast path only ever accepts lines that `serde_json` reads to the
//! same record (tested over whole traces and over damaged lines).

use super::{Cause, LocalCause, Record};
use std::borrow::Cow;

/// The record a canonical line spells, or `None` for any other text.
pub(super) fn parse(line: &str) -> Option<Record> {
    let mut c = Cursor {
        s: line.as_bytes(),
        i: 0,
    };
    c.lit(b"{\"type\":\"")?;
    let kind = c.string()?;
    let r = match kind {
        "version" => {
            let (t, lt, node) = (c.field(b"t")?, c.field(b"lt")?, c.field32(b"node")?);
            let (origin, old, new) = (c.field32(b"origin")?, c.field(b"old")?, c.field(b"new")?);
            c.key(b"cause")?;
            let cause = if c.peek()? == b'"' {
                c.i += 1;
                match c.string()? {
                    "write" => Cause::Local(LocalCause::Write),
                    "restart" => Cause::Local(LocalCause::Restart),
                    _ => return None,
                }
            } else {
                Cause::Message(c.u64()?)
            };
            Record::Version {
                t,
                lt,
                node,
                origin,
                old,
                new,
                cause,
            }
        }
        "write" => Record::Write {
            t: c.field(b"t")?,
            lt: c.field(b"lt")?,
            node: c.field32(b"node")?,
            key: c.field32(b"key")?,
            version: c.field(b"version")?,
            value: c.field(b"value")?,
        },
        "send" | "receive" => {
            let (t, lt, id) = (c.field(b"t")?, c.field(b"lt")?, c.field(b"id")?);
            let (from, to) = (c.field32(b"from")?, c.field32(b"to")?);
            let msg_kind = c.text(b"kind")?;
            let bytes = c.field32(b"bytes")?;
            if kind == "send" {
                Record::Send {
                    t,
                    lt,
                    id,
                    from,
                    to,
                    kind: msg_kind,
                    bytes,
                }
            } else {
                Record::Receive {
                    t,
                    lt,
                    id,
                    from,
                    to,
                    kind: msg_kind,
                    bytes,
                }
            }
        }
        "drop" => Record::Drop {
            t: c.field(b"t")?,
            id: c.field(b"id")?,
            from: c.field32(b"from")?,
            to: c.field32(b"to")?,
            kind: c.text(b"kind")?,
            bytes: c.field32(b"bytes")?,
            reason: c.text(b"reason")?,
        },
        "clock" => {
            let (t, node) = (c.field(b"t")?, c.field32(b"node")?);
            c.key(b"set")?;
            c.lit(b"[")?;
            let mut set = Vec::new();
            if c.peek()? == b']' {
                c.i += 1;
            } else {
                loop {
                    c.lit(b"[")?;
                    let i = c.u32()?;
                    c.lit(b",")?;
                    set.push((i, c.u64()?));
                    c.lit(b"]")?;
                    match c.next()? {
                        b',' => {}
                        b']' => break,
                        _ => return None,
                    }
                }
            }
            Record::Clock { t, node, set }
        }
        "defer" => Record::Defer {
            t: c.field(b"t")?,
            lt: c.field(b"lt")?,
            node: c.field32(b"node")?,
            key: c.field32(b"key")?,
            value: c.field(b"value")?,
            backlog: c.field32(b"backlog")?,
        },
        "fault" => Record::Fault {
            t: c.field(b"t")?,
            fault: c.field32(b"fault")?,
            action: c.text(b"action")?,
            detail: c.text(b"detail")?.into_owned(),
        },
        _ => return None,
    };
    c.lit(b"}")?;
    c.s[c.i..]
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .then_some(r)
}

/// A position in a line's bytes.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        Some(b)
    }

    /// Skips `text` if the line continues with it.
    fn lit(&mut self, text: &[u8]) -> Option<()> {
        let end = self.i + text.len();
        (self.s.get(self.i..end)? == text).then(|| self.i = end)
    }

    /// Skips `,"name":`.
    fn key(&mut self, name: &[u8]) -> Option<()> {
        self.lit(b",\"")?;
        self.lit(name)?;
        self.lit(b"\":")
    }

    /// `,"name":N` for a `u64`.
    fn field(&mut self, name: &[u8]) -> Option<u64> {
        self.key(name)?;
        self.u64()
    }

    /// `,"name":N` for a `u32`.
    fn field32(&mut self, name: &[u8]) -> Option<u32> {
        self.key(name)?;
        self.u32()
    }

    /// `,"name":"text"` as a string.
    fn text(&mut self, name: &[u8]) -> Option<Cow<'static, str>> {
        self.key(name)?;
        self.lit(b"\"")?;
        Some(Cow::Owned(self.string()?.to_owned()))
    }

    /// The rest of a string whose opening quote was read, up to its closing
    /// quote: `None` if it has an escape or a control character.
    fn string(&mut self) -> Option<&'a str> {
        let start = self.i;
        let len = self.s[start..].iter().position(|&b| b == b'"')?;
        let body = &self.s[start..start + len];
        if body.iter().any(|&b| b == b'\\' || b < 0x20) {
            return None;
        }
        self.i = start + len + 1;
        std::str::from_utf8(body).ok()
    }

    /// A plain decimal `u64`: digits only, no leading zero, no overflow.
    fn u64(&mut self) -> Option<u64> {
        let start = self.i;
        let mut v: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.i += 1;
        }
        let digits = self.i - start;
        (digits == 1 || (digits > 1 && self.s[start] != b'0')).then_some(v)
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Lines of every record type, as the writer spells them and with the
    /// edge values of each field.
    fn samples() -> Vec<String> {
        let mut v: Vec<String> = [
            r#"{"type":"write","t":3956144,"lt":0,"node":2,"key":2,"version":1,"value":2484936982}"#,
            r#"{"type":"clock","t":3956144,"node":2,"set":[[2,1]]}"#,
            r#"{"type":"clock","t":5,"node":0,"set":[]}"#,
            r#"{"type":"clock","t":5,"node":0,"set":[[0,1],[3,18446744073709551615],[4294967295,0]]}"#,
            r#"{"type":"version","t":3956144,"lt":0,"node":2,"origin":2,"old":0,"new":1,"cause":"write"}"#,
            r#"{"type":"version","t":1,"lt":2,"node":3,"origin":0,"old":3,"new":0,"cause":"restart"}"#,
            r#"{"type":"version","t":102512432,"lt":0,"node":22,"origin":8,"old":0,"new":4294967301,"cause":8}"#,
            r#"{"type":"send","t":9123948,"lt":0,"id":0,"from":10,"to":17,"kind":"syn","bytes":320}"#,
            r#"{"type":"receive","t":37661692,"lt":0,"id":0,"from":10,"to":17,"kind":"ack2","bytes":320}"#,
            r#"{"type":"drop","t":9123948,"id":1,"from":10,"to":12,"kind":"syn","bytes":320,"reason":"loss"}"#,
            r#"{"type":"defer","t":9,"lt":8,"node":1,"key":0,"value":77,"backlog":3}"#,
            r#"{"type":"fault","t":5000000000,"fault":0,"action":"partition","detail":"0-7 | 8-15"}"#,
            r#"{"type":"fault","t":22000000000,"fault":8,"action":"heal","detail":"\"ab\""}"#,
            r#"{"type":"fault","t":28000000000,"fault":6,"action":"degrade-end","detail":"é ◂ ok"}"#,
            r#"{"type":"fault","t":28000000000,"fault":6,"action":"degrade-end","detail":""}"#,
            r#"{"type":"send","t":18446744073709551615,"lt":0,"id":0,"from":4294967295,"to":0,"kind":"x","bytes":4294967295}"#,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.push(v[0].clone() + " \r\n");
        v
    }

    #[test]
    fn canonical_lines_read_as_serde_reads_them() {
        for line in samples() {
            let want: Record = serde_json::from_str(&line).expect(&line);
            match parse(&line) {
                Some(got) => assert_eq!(got, want, "{line}"),
                // Only a string with an escape is left to serde.
                None => assert!(line.contains('\\'), "not read fast: {line}"),
            }
        }
    }

    /// The writer's own lines (every record type; `serde_json`'s spelling,
    /// which the trace file's line writer is tested to match byte for
    /// byte) all take the fast path.
    #[test]
    fn the_writers_lines_take_the_fast_path() {
        let s = crate::scenario::parse_str(
            "duration = \"6s\"\n[nodes]\ncount = 5\n[gossip]\nmtu = { deltas = 1 }\nflow_control = { initial_rate = 1.0 }\n[workload]\nkeys_per_node = 2\nwrites = { process = \"poisson\", mean_interval = \"300ms\" }\n[network]\nloss = 0.2\n[[faults]]\nat = \"2s\"\ncrash = 1\nstate = \"lost\"\nrestart_after = \"1s\"\n[[faults]]\nat = \"1s\"\npartition = [[0, 1], [2, 3, 4]]\n[[faults]]\nat = \"3s\"\nheal = true\n[output]\ntrace = \"full\"\n",
            crate::scenario::Format::Toml,
            "t.toml",
            "t",
            &[],
        )
        .unwrap();
        let mut sink = crate::trace::VecSink(Vec::new());
        crate::sim::run(&s, &mut sink);
        let mut kinds = std::collections::BTreeSet::new();
        for r in &sink.0 {
            let line = serde_json::to_string(r).unwrap();
            assert_eq!(parse(&line).as_ref(), Some(r), "{line}");
            kinds.insert(line[9..14].to_string());
        }
        assert!(kinds.len() >= 7, "{kinds:?}");
    }

    /// Damaged lines: whatever the fast path accepts, serde reads to the
    /// same record (the fast path never accepts what serde refuses or reads
    /// otherwise).
    #[test]
    fn damaged_lines_are_never_read_otherwise_than_serde_reads_them() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let alphabet = b"0123456789\"{}[],:-.e \\abtxyz";
        let lines = samples();
        let mut accepted = 0;
        for _ in 0..200_000 {
            let mut b = lines[rng.random_range(0..lines.len())].clone().into_bytes();
            for _ in 0..rng.random_range(1..=2) {
                let at = rng.random_range(0..b.len());
                let byte = alphabet[rng.random_range(0..alphabet.len())];
                match rng.random_range(0..3) {
                    0 => b[at] = byte,
                    1 => b.insert(at, byte),
                    _ => {
                        b.remove(at);
                    }
                }
            }
            let Ok(line) = String::from_utf8(b) else {
                continue;
            };
            if let Some(fast) = parse(&line) {
                accepted += 1;
                let slow: Record = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("fast path accepted what serde refuses ({e}): {line}"));
                assert_eq!(fast, slow, "{line}");
            }
        }
        assert!(accepted > 1_000, "some damaged lines are still valid: {accepted}");
    }
}
