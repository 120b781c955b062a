//! JSON Lines trace files: a writer that is a [`TraceSink`] over any
//! `io::Write` (the caller owns the file), and a reader with line-numbered
//! errors.

use super::line::{write_record, LineWriter, LINE_MAX};
use super::{Cause, Header, Record, TraceSink};
use crate::node::VersionChange;
use std::io::{self, BufRead, Write};

/// Writes a header line, then one JSON line per record. Lines are rendered
/// into a 1 MiB chunk (header included) that goes to `out` whole, so call
/// [`JsonlWriter::finish`] to write the last one. The first I/O error is
/// kept (later records are skipped) and returned by `finish`.
#[derive(Debug)]
pub struct JsonlWriter<W: Write> {
    out: W,
    error: Option<io::Error>,
    /// Rendered lines not written yet: `chunk[..len]`, with `len` below
    /// [`CHUNK`] between records. Its length is fixed (a chunk plus room
    /// for one version line), so a version line is rendered in place.
    chunk: Box<[u8]>,
    len: usize,
    /// A line of another record type.
    other: Vec<u8>,
    lines: LineWriter,
}

/// Size at which a chunk of rendered lines is handed to the writer.
const CHUNK: usize = 1 << 20;

impl<W: Write> JsonlWriter<W> {
    /// Starts a trace on `out` with `header`.
    pub fn new(out: W, header: &Header) -> io::Result<JsonlWriter<W>> {
        // The header goes into the first chunk: `out` sees whole chunks only.
        let mut w = JsonlWriter {
            out,
            error: None,
            chunk: vec![0; CHUNK + LINE_MAX].into_boxed_slice(),
            len: 0,
            other: Vec::new(),
            lines: LineWriter::default(),
        };
        serde_json::to_writer(&mut w.other, header)?;
        w.other.push(b'\n');
        w.put_other()?;
        w.write_if_full()?;
        Ok(w)
    }

    /// Writes the last chunk, flushes and returns the writer, or the first
    /// error met.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.write_chunk()?;
        self.out.flush()?;
        Ok(self.out)
    }

    /// Hands the rendered lines to `out` and empties the chunk.
    fn write_chunk(&mut self) -> io::Result<()> {
        let len = std::mem::take(&mut self.len);
        self.out.write_all(&self.chunk[..len])
    }

    /// [`JsonlWriter::write_chunk`] once the chunk holds [`CHUNK`] bytes.
    fn write_if_full(&mut self) -> io::Result<()> {
        if self.len >= CHUNK {
            self.write_chunk()?;
        }
        Ok(())
    }

    /// Appends the line in `other` to the chunk (writing the chunk first
    /// if it would not fit, and the line directly if no chunk holds it).
    fn put_other(&mut self) -> io::Result<()> {
        let end = self.len + self.other.len();
        if end <= self.chunk.len() {
            self.chunk[self.len..end].copy_from_slice(&self.other);
            self.len = end;
            return Ok(());
        }
        self.write_chunk()?;
        if self.other.len() <= self.chunk.len() {
            self.chunk[..self.other.len()].copy_from_slice(&self.other);
            self.len = self.other.len();
            Ok(())
        } else {
            self.out.write_all(&self.other)
        }
    }
}

impl<W: Write> TraceSink for JsonlWriter<W> {
    fn record(&mut self, record: &Record) {
        if self.error.is_some() {
            return;
        }
        let window = (&mut self.chunk[self.len..self.len + LINE_MAX])
            .try_into()
            .expect("room for a version line");
        let result = match self.lines.version(record, window) {
            Some(n) => {
                self.len += n;
                Ok(())
            }
            None => {
                self.other.clear();
                write_record(&mut self.other, record);
                self.other.push(b'\n');
                self.put_other()
            }
        };
        if let Err(e) = result.and_then(|()| self.write_if_full()) {
            self.error = Some(e);
        }
    }

    /// Renders the run's lines straight from the changes: what they share
    /// is rendered once (or kept from the line before).
    fn version_run(&mut self, t: u64, lt: u64, node: u32, cause: Cause, changes: &[VersionChange]) {
        if self.error.is_some() {
            return;
        }
        self.lines.run(t, lt, node, cause);
        for c in changes {
            let window = (&mut self.chunk[self.len..self.len + LINE_MAX])
                .try_into()
                .expect("room for a version line");
            self.len += self.lines.change(c.origin, c.old, c.new, window);
            if let Err(e) = self.write_if_full() {
                self.error = Some(e);
                return;
            }
        }
    }
}

/// Reads a whole trace, with [`super::TraceReader`]'s checks. Errors name
/// the 1-based line.
pub fn read_trace(input: impl BufRead) -> Result<(Header, Vec<Record>), String> {
    let reader = super::TraceReader::new(input)?;
    let header = reader.header().clone();
    let records = reader
        .map(|r| r.map(|(_, record)| record))
        .collect::<Result<_, _>>()?;
    Ok((header, records))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Cause, LocalCause};
    use std::borrow::Cow;

    /// An `io::Write` that keeps what it is given and counts its write
    /// calls; with `fail_from`, that call and every later one fail, each
    /// error naming its call.
    #[derive(Debug, Default)]
    struct Kept {
        bytes: Vec<u8>,
        writes: usize,
        fail_from: Option<usize>,
    }

    impl Write for Kept {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.writes += 1;
            if self.fail_from.is_some_and(|f| self.writes >= f) {
                return Err(io::Error::other(format!("attempt {}", self.writes)));
            }
            self.bytes.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Over several chunks, with version lines of every length crossing
    /// the chunk boundary and lines of other records larger than a chunk
    /// (a fault's detail of 1.5 and 3 MiB), the file is the header and
    /// every record as serde_json writes it, one per line.
    #[test]
    fn the_file_is_serde_json_lines_across_chunks() {
        let header = crate::trace::tests::header();
        let mut records = Vec::new();
        for i in 0..60_000u64 {
            records.push(Record::Version {
                t: i / 7,
                lt: u64::MAX - i / 5,
                node: (i / 3) as u32,
                origin: (i * 7919) as u32,
                old: i.pow(2),
                new: i.pow(3),
                cause: match i % 3 {
                    0 => Cause::Message(i / 2),
                    1 => Cause::Local(LocalCause::Write),
                    _ => Cause::Local(LocalCause::Restart),
                },
            });
            if i % 20_000 == 1 {
                records.extend(crate::trace::tests::every_record_type());
                records.push(Record::Fault {
                    t: i,
                    fault: 0,
                    action: Cow::Borrowed("crash"),
                    detail: "x".repeat((3 << 20) >> (i / 20_000 % 2)),
                });
            }
        }
        let mut w = JsonlWriter::new(Kept::default(), &header).unwrap();
        for r in &records {
            w.record(r);
        }
        let kept = w.finish().unwrap();
        let mut expected = serde_json::to_vec(&header).unwrap();
        expected.push(b'\n');
        for r in &records {
            serde_json::to_writer(&mut expected, r).unwrap();
            expected.push(b'\n');
        }
        assert!(expected.len() > 5 * CHUNK, "{} bytes", expected.len());
        assert!(kept.bytes == expected, "the file differs from serde_json's lines");
        assert!(kept.writes < expected.len() / CHUNK + 8, "{} writes", kept.writes);
    }

    /// Once a write fails, a writer fed runs of `version` records (and
    /// other records now and then) tries no other write and keeps that
    /// first error, as one fed the same records singly does: the same
    /// attempts, bytes and error. (Without the error check in
    /// `version_run`, a run writes on after an error and keeps a later one.)
    #[test]
    fn runs_keep_the_first_error_like_single_records() {
        use crate::node::VersionChange;
        use crate::trace::version_record;
        let header = crate::trace::tests::header();
        for fail_at in 1..6 {
            let failing = || Kept {
                fail_from: Some(fail_at),
                ..Kept::default()
            };
            let mut runs = JsonlWriter::new(failing(), &header).unwrap();
            let mut singly = JsonlWriter::new(failing(), &header).unwrap();
            for i in 0..200_000u64 {
                let changes: Vec<VersionChange> = (0..i % 9)
                    .map(|k| VersionChange {
                        origin: (i + k) as u32,
                        old: k,
                        new: i * k,
                    })
                    .collect();
                let cause = Cause::Message(i);
                runs.version_run(i, i, i as u32, cause, &changes);
                for c in &changes {
                    singly.record(&version_record(i, i, i as u32, cause, c));
                }
                if i % 1000 == 0 {
                    for r in crate::trace::tests::every_record_type() {
                        runs.record(&r);
                        singly.record(&r);
                    }
                }
            }
            assert_eq!(runs.out.writes, fail_at, "no write after the first failure");
            assert_eq!(singly.out.writes, fail_at);
            assert!(runs.out.bytes == singly.out.bytes, "fail_at {fail_at}");
            let first = format!("attempt {fail_at}");
            assert_eq!(runs.finish().unwrap_err().to_string(), first);
            assert_eq!(singly.finish().unwrap_err().to_string(), first);
        }
    }
}
