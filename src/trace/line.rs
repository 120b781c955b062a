//! Fast JSON rendering of one trace record, byte-identical to what
//! `serde_json` writes for the [`Record`] type (field order, escaping), but
//! without going through serde: the trace of a big run is millions of lines.

use super::{Cause, LocalCause, Record};

/// Appends `r` as one JSON object (no newline) to `out`.
pub(super) fn write_record(out: &mut Vec<u8>, r: &Record) {
    let mut o = Obj { out, first: true };
    match r {
        Record::Write {
            t,
            lt,
            node,
            key,
            version,
            value,
        } => {
            o.str("type", "write");
            o.num("t", *t);
            o.num("lt", *lt);
            o.num("node", *node as u64);
            o.num("key", *key as u64);
            o.num("version", *version);
            o.num("value", *value);
        }
        Record::Version {
            t,
            lt,
            node,
            origin,
            old,
            new,
            cause,
        } => {
            o.str("type", "version");
            o.num("t", *t);
            o.num("lt", *lt);
            o.num("node", *node as u64);
            o.num("origin", *origin as u64);
            o.num("old", *old);
            o.num("new", *new);
            match cause {
                Cause::Message(id) => o.num("cause", *id),
                Cause::Local(LocalCause::Write) => o.str("cause", "write"),
                Cause::Local(LocalCause::Restart) => o.str("cause", "restart"),
            }
        }
        Record::Send {
            t,
            lt,
            id,
            from,
            to,
            kind,
            bytes,
        }
        | Record::Receive {
            t,
            lt,
            id,
            from,
            to,
            kind,
            bytes,
        } => {
            o.str(
                "type",
                if matches!(r, Record::Send { .. }) {
                    "send"
                } else {
                    "receive"
                },
            );
            o.num("t", *t);
            o.num("lt", *lt);
            o.num("id", *id);
            o.num("from", *from as u64);
            o.num("to", *to as u64);
            o.str("kind", kind);
            o.num("bytes", *bytes as u64);
        }
        Record::Drop {
            t,
            id,
            from,
            to,
            kind,
            bytes,
            reason,
        } => {
            o.str("type", "drop");
            o.num("t", *t);
            o.num("id", *id);
            o.num("from", *from as u64);
            o.num("to", *to as u64);
            o.str("kind", kind);
            o.num("bytes", *bytes as u64);
            o.str("reason", reason);
        }
        Record::Defer {
            t,
            lt,
            node,
            key,
            value,
            backlog,
        } => {
            o.str("type", "defer");
            o.num("t", *t);
            o.num("lt", *lt);
            o.num("node", *node as u64);
            o.num("key", *key as u64);
            o.num("value", *value);
            o.num("backlog", *backlog as u64);
        }
        Record::Fault {
            t,
            fault,
            action,
            detail,
        } => {
            o.str("type", "fault");
            o.num("t", *t);
            o.num("fault", *fault as u64);
            o.str("action", action);
            o.str("detail", detail);
        }
        Record::Clock { t, node, set } => {
            o.str("type", "clock");
            o.num("t", *t);
            o.num("node", *node as u64);
            o.key("set");
            o.out.push(b'[');
            for (i, (k, v)) in set.iter().enumerate() {
                if i > 0 {
                    o.out.push(b',');
                }
                o.out.push(b'[');
                push_u64(o.out, *k as u64);
                o.out.push(b',');
                push_u64(o.out, *v);
                o.out.push(b']');
            }
            o.out.push(b']');
        }
    }
    o.out.push(b'}');
}

struct Obj<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl Obj<'_> {
    fn key(&mut self, k: &str) {
        self.out.push(if self.first { b'{' } else { b',' });
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(k.as_bytes());
        self.out.extend_from_slice(b"\":");
    }
    fn num(&mut self, k: &str, v: u64) {
        self.key(k);
        push_u64(self.out, v);
    }
    fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        push_str(self.out, v);
    }
}

fn push_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// A JSON string with serde_json's escaping.
fn push_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 15) as usize]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record type, with awkward strings and extreme numbers, renders
    /// exactly as serde_json renders it.
    #[test]
    fn matches_serde_json_byte_for_byte() {
        let recs = vec![
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
        ];
        for r in &recs {
            let mut ours = Vec::new();
            write_record(&mut ours, r);
            let theirs = serde_json::to_vec(r).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }
}
