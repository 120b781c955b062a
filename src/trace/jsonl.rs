//! JSON Lines trace files: a writer that is a [`TraceSink`] over any
//! `io::Write` (the caller owns the file), and a reader with line-numbered
//! errors.

use super::{Header, Record, TraceSink};
use std::io::{self, BufRead, Write};

/// Writes a header line, then one JSON line per record. Lines are rendered
/// into a 1 MiB chunk (header included) that goes to `out` whole, so call
/// [`JsonlWriter::finish`] to write the last one. The first I/O error is
/// kept (later records are skipped) and returned by `finish`.
#[derive(Debug)]
pub struct JsonlWriter<W: Write> {
    out: W,
    error: Option<io::Error>,
    chunk: Vec<u8>,
    lines: super::line::LineWriter,
}

/// Size at which a chunk of rendered lines is handed to the writer.
const CHUNK: usize = 1 << 20;

impl<W: Write> JsonlWriter<W> {
    /// Starts a trace on `out` with `header`.
    pub fn new(out: W, header: &Header) -> io::Result<JsonlWriter<W>> {
        // The header goes into the first chunk: `out` sees whole chunks only.
        let mut chunk = Vec::with_capacity(CHUNK + 4096);
        serde_json::to_writer(&mut chunk, header)?;
        chunk.push(b'\n');
        Ok(JsonlWriter {
            out,
            error: None,
            chunk,
            lines: super::line::LineWriter::default(),
        })
    }

    /// Writes the last chunk, flushes and returns the writer, or the first
    /// error met.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.write_all(&self.chunk)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> TraceSink for JsonlWriter<W> {
    fn record(&mut self, record: &Record) {
        if self.error.is_some() {
            return;
        }
        self.lines.write(&mut self.chunk, record);
        self.chunk.push(b'\n');
        if self.chunk.len() >= CHUNK {
            if let Err(e) = self.out.write_all(&self.chunk) {
                self.error = Some(e);
            }
            self.chunk.clear();
        }
    }
}

/// Reads a whole trace. Errors name the 1-based line.
pub fn read_trace(input: impl BufRead) -> Result<(Header, Vec<Record>), String> {
    let mut lines = input.lines().enumerate();
    let (_, first) = lines.next().ok_or("empty trace: expected a header line")?;
    let first = first.map_err(|e| format!("line 1: {e}"))?;
    let header: Header =
        serde_json::from_str(&first).map_err(|e| format!("line 1: not a trace header: {e}"))?;
    super::stream::check_header(&header)?;
    let mut records = Vec::new();
    for (i, line) in lines {
        let line = line.map_err(|e| format!("line {}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let r: Record = serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", i + 1))?;
        records.push(r);
    }
    Ok((header, records))
}
