//! Fast JSON rendering of one trace record, byte-identical to what
//! `serde_json` writes for the [`Record`] type (field order, escaping), but
//! without going through serde: the trace of a big run is millions of lines.

use super::{Cause, LocalCause, Record};

/// Renders records one after another, remembering the start and end of
/// the last `version` line: the version changes a message causes share
/// their time, local time, node and cause, so only the origin and the two
/// versions are rendered for each (most lines of a big trace). The parts
/// are kept in fixed arrays and copied whole, so a line costs no
/// variable-length copy.
#[derive(Debug)]
pub(super) struct LineWriter {
    /// `(t, lt, node)` of `prefix`.
    prefix_of: Option<(u64, u64, u32)>,
    /// `{"type":"version","t":…,"lt":…,"node":…,"origin":` (its first
    /// `prefix_len` bytes).
    prefix: [u8; PREFIX_MAX],
    prefix_len: usize,
    /// The cause of `suffix`.
    suffix_of: Option<Cause>,
    /// `,"cause":…}` and the newline (its first `suffix_len` bytes).
    suffix: [u8; SUFFIX_MAX],
    suffix_len: usize,
}

/// Room for a version line's shared start: 22 + 6 + 8 + 10 bytes of keys,
/// two 20-digit times and a 10-digit node.
const PREFIX_MAX: usize = 96;
/// Room for the end: 9 bytes of key, a 20-digit cause, `}` and a newline.
const SUFFIX_MAX: usize = 32;
/// Room for a whole version line with its newline: the start, the
/// middle (three numbers and their keys, at most 64 bytes) and the end.
pub(super) const LINE_MAX: usize = PREFIX_MAX + 64 + SUFFIX_MAX;

impl Default for LineWriter {
    fn default() -> LineWriter {
        LineWriter {
            prefix_of: None,
            prefix: [0; PREFIX_MAX],
            prefix_len: 0,
            suffix_of: None,
            suffix: [0; SUFFIX_MAX],
            suffix_len: 0,
        }
    }
}

impl LineWriter {
    /// Appends `r` as one JSON object (no newline) to `out`.
    pub(super) fn write(&mut self, out: &mut Vec<u8>, r: &Record) {
        let mut window = [0; LINE_MAX];
        match self.version(r, &mut window) {
            Some(len) => out.extend_from_slice(&window[..len - 1]),
            None => write_record(out, r),
        }
    }

    /// If `r` is a `version` record, writes its line and a newline at the
    /// start of `window` and returns their length.
    #[inline]
    pub(super) fn version(&mut self, r: &Record, window: &mut [u8; LINE_MAX]) -> Option<usize> {
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
        self.run(t, lt, node, cause);
        Some(self.change(origin, old, new, window))
    }

    /// Makes the next [`LineWriter::change`] lines `version` records at
    /// `t`, `lt` on `node` for `cause`.
    #[inline]
    pub(super) fn run(&mut self, t: u64, lt: u64, node: u32, cause: Cause) {
        if self.prefix_of != Some((t, lt, node)) {
            let mut l = Line::new(&mut self.prefix);
            l.lit(b"{\"type\":\"version\",\"t\":");
            l.num(t);
            l.lit(b",\"lt\":");
            l.num(lt);
            l.lit(b",\"node\":");
            l.num(node as u64);
            l.lit(b",\"origin\":");
            self.prefix_len = l.len;
            self.prefix_of = Some((t, lt, node));
        }
        if self.suffix_of != Some(cause) {
            let mut l = Line::new(&mut self.suffix);
            l.lit(b",\"cause\":");
            match cause {
                Cause::Message(id) => l.num(id),
                Cause::Local(LocalCause::Write) => l.lit(b"\"write\""),
                Cause::Local(LocalCause::Restart) => l.lit(b"\"restart\""),
            }
            l.lit(b"}\n");
            self.suffix_len = l.len;
            self.suffix_of = Some(cause);
        }
    }

    /// Writes the line of a `version` record changing `origin` from `old`
    /// to `new`, as set by the last [`LineWriter::run`], and a newline at
    /// the start of `window`; returns their length.
    #[inline(always)]
    pub(super) fn change(&self, origin: u32, old: u64, new: u64, window: &mut [u8; LINE_MAX]) -> usize {
        window[..PREFIX_MAX].copy_from_slice(&self.prefix);
        let mut l = Line::new(window);
        l.len = self.prefix_len;
        l.num(origin as u64);
        l.lit(b",\"old\":");
        l.num(old);
        l.lit(b",\"new\":");
        l.num(new);
        let end = l.len;
        window[end..end + SUFFIX_MAX].copy_from_slice(&self.suffix);
        end + self.suffix_len
    }
}

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
        // Most lines of a big trace: one renderer for them all.
        Record::Version { .. } => return LineWriter::default().write(o.out, r),
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

/// A part of a version line being rendered into a fixed buffer.
struct Line<'a> {
    buf: &'a mut [u8],
    len: usize,
}

/// `"00" "01" … "99"`: two decimal digits at a time.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

impl Line<'_> {
    fn new(buf: &mut [u8]) -> Line<'_> {
        Line { buf, len: 0 }
    }

    #[inline]
    fn lit<const N: usize>(&mut self, s: &[u8; N]) {
        self.buf[self.len..self.len + N].copy_from_slice(s);
        self.len += N;
    }

    /// `v` in decimal, written back to front in place.
    #[inline(always)]
    fn num(&mut self, mut v: u64) {
        let digits = decimal_digits(v);
        let mut i = self.len + digits;
        self.len = i;
        while v >= 100 {
            let pair = (v % 100) as usize * 2;
            v /= 100;
            i -= 2;
            self.buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        }
        if v >= 10 {
            let pair = v as usize * 2;
            self.buf[i - 2..i].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        } else {
            self.buf[i - 1] = b'0' + v as u8;
        }
    }
}

/// `10^k` for every `k` whose power fits in a `u64`.
const POWERS_OF_TEN: [u64; 20] = {
    let mut p = [1u64; 20];
    let mut k = 1;
    while k < 20 {
        p[k] = p[k - 1] * 10;
        k += 1;
    }
    p
};

/// How many decimal digits `v` has (1 for 0). With `b` its bit length,
/// `t = ⌊b · 1233 / 4096⌋` equals `⌊b · log10 2⌋` for every `b ≤ 64`, and
/// `v` has `t + 1` digits, or `t` when `v < 10^t`: a few instructions
/// where `checked_ilog10` takes a dozen compares. `v | 1` has the same
/// digits as `v` (powers of ten above 1 are even) and makes 0 count one.
#[inline(always)]
fn decimal_digits(v: u64) -> usize {
    let v = v | 1;
    let t = ((u64::BITS - v.leading_zeros()) * 1233) >> 12;
    (t + 1) as usize - usize::from(v < POWERS_OF_TEN[t as usize])
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
        let recs = crate::trace::tests::every_record_type();
        for r in &recs {
            assert_same_as_serde(r);
        }
    }

    /// Every power of ten and its neighbours, the ends of `u64`, and a
    /// spread of values in between: as many digits as their decimal text.
    #[test]
    fn decimal_digits_match_the_decimal_text() {
        let mut values = vec![0, 1, u64::MAX, u64::MAX - 1];
        for p in POWERS_OF_TEN {
            values.extend([p - 1, p, p + 1, p.saturating_mul(2), p.saturating_mul(5)]);
        }
        for bit in 0..64 {
            values.extend([1u64 << bit, (1u64 << bit) - 1, (1u64 << bit) | 1]);
        }
        values.extend((0..100_000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (i % 64)));
        for v in values {
            assert_eq!(decimal_digits(v), v.to_string().len(), "{v}");
        }
    }

    /// A run of version lines through one [`LineWriter`] — sharing time,
    /// local time, node or cause with the line before, or not, with numbers
    /// of every width — renders line by line exactly as serde_json does.
    #[test]
    fn version_lines_with_shared_parts_match_serde_json() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
        let mut w = LineWriter::default();
        let mut prev: Option<Record> = None;
        let wide = |rng: &mut rand_chacha::ChaCha8Rng| rng.random::<u64>() >> rng.random_range(0..64);
        for i in 0..3000 {
            let fresh = Record::Version {
                t: wide(&mut rng),
                lt: wide(&mut rng),
                node: wide(&mut rng) as u32,
                origin: wide(&mut rng) as u32,
                old: wide(&mut rng),
                new: wide(&mut rng),
                cause: match rng.random_range(0..4) {
                    0 => Cause::Local(LocalCause::Write),
                    1 => Cause::Local(LocalCause::Restart),
                    _ => Cause::Message(wide(&mut rng)),
                },
            };
            // Keep any subset of the previous line's shared parts.
            let r = match (&prev, fresh) {
                (
                    Some(Record::Version {
                        t: pt,
                        lt: plt,
                        node: pn,
                        cause: pc,
                        ..
                    }),
                    Record::Version {
                        t,
                        lt,
                        node,
                        origin,
                        old,
                        new,
                        cause,
                    },
                ) => {
                    let mut keep = || rng.random_bool(0.6);
                    Record::Version {
                        t: if keep() { *pt } else { t },
                        lt: if keep() { *plt } else { lt },
                        node: if keep() { *pn } else { node },
                        origin,
                        old,
                        new,
                        cause: if keep() { *pc } else { cause },
                    }
                }
                (_, fresh) => fresh,
            };
            // Another record type in between now and then.
            let records = if i % 50 == 0 {
                vec![crate::trace::tests::every_record_type()[2].clone(), r.clone()]
            } else {
                vec![r.clone()]
            };
            for r in &records {
                let mut ours = Vec::new();
                w.write(&mut ours, r);
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    String::from_utf8(serde_json::to_vec(r).unwrap()).unwrap()
                );
            }
            prev = Some(r);
        }
    }

    /// Version records (the fixed-buffer path) with numbers of every width.
    #[test]
    fn version_lines_match_serde_json_for_every_width() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut widths: Vec<u64> = vec![0, 9, 10, 99, 100, 101, u64::MAX, u64::MAX - 1];
        widths.extend((0..64).map(|b| 1u64 << b));
        widths.extend((0..64).map(|b| (1u64 << b) - 1));
        widths.extend((0..20).map(|d| 10u64.pow(d)));
        widths.extend((0..200).map(|_| rng.random::<u64>() >> rng.random_range(0..64)));
        for (i, &v) in widths.iter().enumerate() {
            let w = |k: usize| widths[(i + k) % widths.len()];
            assert_same_as_serde(&Record::Version {
                t: v,
                lt: w(1),
                node: w(2) as u32,
                origin: (w(3) >> 32) as u32,
                old: w(4),
                new: w(5),
                cause: Cause::Message(w(6)),
            });
        }
    }

    /// The longest version line there is (every number at its type's
    /// largest value; the field types are pinned by the literals) fits
    /// the room reserved for it, newline included, and matches serde_json.
    #[test]
    fn the_longest_version_line_fits() {
        let r = Record::Version {
            t: u64::MAX,
            lt: u64::MAX,
            node: u32::MAX,
            origin: u32::MAX,
            old: u64::MAX,
            new: u64::MAX,
            cause: Cause::Message(u64::MAX),
        };
        let mut window = [0; LINE_MAX];
        let len = LineWriter::default().version(&r, &mut window).unwrap();
        let mut theirs = serde_json::to_vec(&r).unwrap();
        theirs.push(b'\n');
        assert_eq!(&window[..len], &theirs[..]);
        assert_eq!(len, 191);
        assert_same_as_serde(&r);
    }

    fn assert_same_as_serde(r: &Record) {
        let mut ours = Vec::new();
        write_record(&mut ours, r);
        let theirs = serde_json::to_vec(r).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap()
        );
    }
}
