//! Reading a trace file one record at a time, so large traces are never
//! held in memory (replay comparison, `trace`, `export`).

use super::{Header, Record, TRACE_FORMAT};
use std::io::BufRead;

/// A trace file read line by line: the header first, then records.
#[derive(Debug)]
pub struct TraceReader<R> {
    input: R,
    line: String,
    line_no: u64,
    header: Header,
}

impl<R: BufRead> TraceReader<R> {
    /// Reads the header line. Errors name the line.
    pub fn new(mut input: R) -> Result<TraceReader<R>, String> {
        let mut line = String::new();
        let n = input.read_line(&mut line).map_err(|e| format!("line 1: {e}"))?;
        if n == 0 {
            return Err("empty trace: expected a header line".into());
        }
        let header: Header =
            serde_json::from_str(line.trim_end()).map_err(|e| format!("line 1: not a trace header: {e}"))?;
        check_header(&header)?;
        Ok(TraceReader {
            input,
            line,
            line_no: 1,
            header,
        })
    }

    /// The header line.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The text of the line last read (without its newline).
    pub fn raw_line(&self) -> &str {
        self.line.trim_end_matches(['\n', '\r'])
    }

    /// The 1-based number of the line last read.
    pub fn line_no(&self) -> u64 {
        self.line_no
    }

    /// The next record and its 1-based line number; `None` at the end; an
    /// error names the line and what is wrong. Blank lines are skipped.
    pub fn next_record(&mut self) -> Option<Result<(u64, Record), String>> {
        loop {
            self.line.clear();
            match self.input.read_line(&mut self.line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(format!("line {}: {e}", self.line_no + 1))),
            }
            self.line_no += 1;
            let text = self.raw_line();
            if text.trim().is_empty() {
                continue;
            }
            return Some(
                serde_json::from_str(text)
                    .map(|r| (self.line_no, r))
                    .map_err(|e| format!("line {}: {e}", self.line_no)),
            );
        }
    }
}

/// Rejects a header no run could have written: another format, or more
/// nodes than a scenario may have (readers size per-node output by it).
pub(crate) fn check_header(header: &Header) -> Result<(), String> {
    if header.format != TRACE_FORMAT {
        return Err(format!(
            "line 1: unsupported trace format {:?}, expected {TRACE_FORMAT:?}",
            header.format
        ));
    }
    if header.nodes > crate::scenario::MAX_NODES {
        return Err(format!(
            "line 1: a trace of {} nodes; a scenario has at most {}",
            header.nodes,
            crate::scenario::MAX_NODES
        ));
    }
    Ok(())
}

impl<R: BufRead> Iterator for TraceReader<R> {
    type Item = Result<(u64, Record), String>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record()
    }
}
