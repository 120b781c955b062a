//! Reading a trace file one record at a time, so large traces are never
//! held in memory (replay comparison, `trace`, `export`, `chart`).
//!
//! Every reader of a stored trace goes through [`TraceReader`], so the
//! checks that make a record safe to use are made here once: node ids and
//! clock entries below the header's node count, times in order (and, when
//! the reader knows it, not after the run's end). A record that fails one is
//! an error naming its line and field, never an index out of range or an
//! allocation sized by a damaged number further on.

use super::{Header, Record, TRACE_FORMAT};
use serde_json::Value;
use std::io::BufRead;

/// How often (in lines) a reader reports its progress.
const PROGRESS_LINES: u64 = 1 << 16;

/// A reader's progress callback.
struct Progress(Box<dyn FnMut(u64) + Send>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// A trace file read line by line: the header first, then records.
#[derive(Debug)]
pub struct TraceReader<R> {
    input: R,
    line: String,
    line_no: u64,
    /// Bytes read so far, header included.
    bytes: u64,
    /// Told the bytes read every 65,536 lines.
    progress: Option<Progress>,
    header: Header,
    /// The time of the last record read (records come in time order).
    last_t: u64,
    /// The run's end, ns, if known: no record may be later.
    end_ns: Option<u64>,
}

impl<R: BufRead> TraceReader<R> {
    /// Reads the header line. Errors name the line.
    pub fn new(mut input: R) -> Result<TraceReader<R>, String> {
        let mut line = String::new();
        let n = input.read_line(&mut line).map_err(|e| format!("line 1: {e}"))?;
        if n == 0 {
            return Err("empty trace: expected a header line".into());
        }
        let header: Header = serde_json::from_str(line.trim_end()).map_err(|e| {
            let message = crate::scenario::plain_types(&strip_position(&e.to_string()));
            format!("line 1, column {}: not a trace header: {message}", e.column())
        })?;
        check_header(&header)?;
        Ok(TraceReader {
            input,
            line,
            line_no: 1,
            bytes: n as u64,
            progress: None,
            header,
            last_t: 0,
            end_ns: None,
        })
    }

    /// Also refuses records after `end_ns`, the run's end (its duration):
    /// a run makes none.
    pub fn with_end(mut self, end_ns: u64) -> TraceReader<R> {
        self.end_ns = Some(end_ns);
        self
    }

    /// Calls `report` with the bytes read so far every 65,536
    /// lines (a progress bar over the file's size).
    pub fn with_progress(mut self, report: impl FnMut(u64) + Send + 'static) -> TraceReader<R> {
        self.progress = Some(Progress(Box::new(report)));
        self
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
                Ok(n) => self.bytes += n as u64,
                Err(e) => return Some(Err(format!("line {}: {e}", self.line_no + 1))),
            }
            self.line_no += 1;
            if self.line_no.is_multiple_of(PROGRESS_LINES) {
                if let Some(p) = &mut self.progress {
                    (p.0)(self.bytes);
                }
            }
            let text = self.raw_line();
            if text.trim().is_empty() {
                continue;
            }
            let line_no = self.line_no;
            // The writer's own spelling is read directly; anything else
            // (and every error) goes through serde_json.
            let record = super::fast_read::parse(text)
                .map_or_else(|| serde_json::from_str::<Record>(text), Ok)
                .map_err(|e| format!("line {line_no}: {}", record_error(text, &e)))
                .and_then(|r| {
                    self.check(&r).map_err(|e| format!("line {line_no}: {e}"))?;
                    Ok((line_no, r))
                });
            if let Ok((_, r)) = &record {
                self.last_t = r.time();
            }
            return Some(record);
        }
    }

    /// Node ids and clock entries below the header's node count; the time
    /// not before the last record's nor after the run's end.
    fn check(&self, r: &Record) -> Result<(), String> {
        let nodes = self.header.nodes;
        let node = |field: &str, id: u32| {
            if id < nodes {
                Ok(())
            } else {
                Err(format!(
                    "field `{field}` is {id}, the run has {nodes} nodes (valid: 0 to {})",
                    i64::from(nodes) - 1
                ))
            }
        };
        match r {
            Record::Write { node: n, .. } | Record::Defer { node: n, .. } => node("node", *n)?,
            Record::Version { node: n, origin, .. } => {
                node("node", *n)?;
                node("origin", *origin)?;
            }
            Record::Send { from, to, .. }
            | Record::Receive { from, to, .. }
            | Record::Drop { from, to, .. } => {
                node("from", *from)?;
                node("to", *to)?;
            }
            Record::Clock { node: n, set, .. } => {
                node("node", *n)?;
                for (i, (entry, _)) in set.iter().enumerate() {
                    node(&format!("set[{i}]"), *entry)?;
                }
            }
            Record::Fault { .. } => {}
        }
        let t = r.time();
        if t < self.last_t {
            return Err(format!(
                "field `t` is {t}, earlier than the record before it ({}): records are in time order",
                self.last_t
            ));
        }
        if let Some(end) = self.end_ns.filter(|&end| t > end) {
            return Err(format!(
                "field `t` is {t}, after the run's end ({end} ns): a run records nothing later"
            ));
        }
        Ok(())
    }
}

/// What is wrong with a record line serde refused, in a reader's words:
/// the field and what it must be when the line is JSON at all, and the
/// column (the line is the file's, given by the caller) otherwise.
fn record_error(text: &str, e: &serde_json::Error) -> String {
    let message = strip_position(&e.to_string());
    if e.is_syntax() || e.is_eof() {
        return format!("column {}: not a JSON record: {message}", e.column());
    }
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(text) else {
        return format!("not a JSON object with a `type` field: {message}");
    };
    for (name, value) in &fields {
        if let Some(expected) = field_kind(name).filter(|k| !k.accepts(value)) {
            return format!(
                "field `{name}` is {}, expected {}",
                shown(value),
                expected.words()
            );
        }
    }
    crate::scenario::plain_types(&message)
}

/// serde_json's message without its ` at line L column C` (a record is one
/// line, numbered by the file, not by serde).
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) if message[i..].contains(" column ") => message[..i].to_string(),
        _ => message.to_string(),
    }
}

/// A JSON value as an error shows it, clipped.
fn shown(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// What a record field holds.
#[derive(Clone, Copy)]
enum FieldKind {
    U32,
    U64,
    Text,
    Cause,
    ClockSet,
}

impl FieldKind {
    fn accepts(self, v: &Value) -> bool {
        let u32_ok = |v: &Value| v.as_u64().is_some_and(|n| n <= u64::from(u32::MAX));
        match self {
            FieldKind::U32 => u32_ok(v),
            FieldKind::U64 => v.as_u64().is_some(),
            FieldKind::Text => v.is_string(),
            FieldKind::Cause => v.as_u64().is_some() || matches!(v.as_str(), Some("write" | "restart")),
            FieldKind::ClockSet => v.as_array().is_some_and(|a| {
                a.iter().all(|p| {
                    p.as_array()
                        .is_some_and(|p| p.len() == 2 && u32_ok(&p[0]) && p[1].as_u64().is_some())
                })
            }),
        }
    }

    fn words(self) -> &'static str {
        match self {
            FieldKind::U32 => "a whole number from 0 to 4294967295",
            FieldKind::U64 => "a whole number from 0 to 18446744073709551615",
            FieldKind::Text => "a string",
            FieldKind::Cause => "a message id (a whole number ≥ 0), \"write\" or \"restart\"",
            FieldKind::ClockSet => "a list of [entry, value] pairs of whole numbers ≥ 0",
        }
    }
}

/// The kind of a record field by name (the same in every record type).
fn field_kind(name: &str) -> Option<FieldKind> {
    Some(match name {
        "t" | "lt" | "id" | "version" | "value" | "old" | "new" => FieldKind::U64,
        "node" | "key" | "from" | "to" | "origin" | "bytes" | "backlog" | "fault" => FieldKind::U32,
        "type" | "kind" | "action" | "detail" | "reason" => FieldKind::Text,
        "cause" => FieldKind::Cause,
        "set" => FieldKind::ClockSet,
        _ => return None,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "{\"type\":\"header\",\"format\":\"scuttlesim-trace/1\",\"version\":\"0.1.0\",\"scenario\":\"x\",\"scenario_hash\":\"0\",\"seed\":1,\"level\":\"full\",\"nodes\":4}\n";

    /// Progress is reported every 65,536 lines with the bytes read up to
    /// and including that line (the header counts as line 1).
    #[test]
    fn progress_reports_the_bytes_read_every_so_many_lines() {
        let mut text = HEADER.to_string();
        let mut ends = vec![text.len() as u64];
        for i in 0..150_000u64 {
            text.push_str(&format!(
                "{{\"type\":\"write\",\"t\":{i},\"lt\":{i},\"node\":{},\"key\":0,\"version\":{},\"value\":7}}\n",
                i % 4,
                i / 4 + 1
            ));
            ends.push(text.len() as u64);
        }
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        let reader = TraceReader::new(text.as_bytes())
            .unwrap()
            .with_progress(move |b| log.lock().unwrap().push(b));
        let mut records = 0;
        for r in reader {
            r.unwrap();
            records += 1;
        }
        assert_eq!(records, 150_000);
        // Lines 65,536 and 131,072 (1-based), i.e. ends[65_535] and ends[131_071].
        assert_eq!(*seen.lock().unwrap(), vec![ends[65_535], ends[131_071]]);
    }

    fn first_error(body: &str) -> String {
        let text = format!("{HEADER}{body}");
        let mut reader = TraceReader::new(text.as_bytes()).unwrap().with_end(1_000);
        let e = reader.try_for_each(|r| r.map(|_| ())).unwrap_err();
        // The whole-file reader says the same.
        let whole = super::super::read_trace(text.as_bytes());
        assert_eq!(whole.err().filter(|w| w != &e && !e.contains("run's end")), None);
        e
    }

    #[test]
    fn node_ids_and_clock_entries_are_below_the_node_count() {
        assert_eq!(
            first_error("{\"type\":\"clock\",\"t\":5,\"node\":1,\"set\":[[1,1],[4,1]]}\n"),
            "line 2: field `set[1]` is 4, the run has 4 nodes (valid: 0 to 3)"
        );
        assert_eq!(
            first_error(
                "{\"type\":\"send\",\"t\":5,\"lt\":5,\"id\":0,\"from\":0,\"to\":9,\"kind\":\"syn\",\"bytes\":8}\n"
            ),
            "line 2: field `to` is 9, the run has 4 nodes (valid: 0 to 3)"
        );
        assert_eq!(
            first_error("{\"type\":\"version\",\"t\":5,\"lt\":5,\"node\":0,\"origin\":4,\"old\":0,\"new\":1,\"cause\":\"write\"}\n"),
            "line 2: field `origin` is 4, the run has 4 nodes (valid: 0 to 3)"
        );
    }

    #[test]
    fn records_are_in_time_order_and_within_the_run() {
        let clock = |t: u64| format!("{{\"type\":\"clock\",\"t\":{t},\"node\":1,\"set\":[[1,1]]}}\n");
        assert_eq!(
            first_error(&format!("{}{}", clock(7), clock(6))),
            "line 3: field `t` is 6, earlier than the record before it (7): records are in time order"
        );
        assert_eq!(
            first_error(&clock(u64::MAX)),
            "line 2: field `t` is 18446744073709551615, after the run's end (1000 ns): a run records nothing later"
        );
    }

    #[test]
    fn format_errors_name_the_field_in_plain_words_and_one_line() {
        assert_eq!(
            first_error("{\"type\":\"clock\",\"t\":5,\"node\":true,\"set\":[]}\n"),
            "line 2: field `node` is true, expected a whole number from 0 to 4294967295"
        );
        assert_eq!(
            first_error("{\"t\":5,\"node\":1,\"set\":[]}\n"),
            "line 2: missing field `type`"
        );
        assert_eq!(
            first_error("{\"t\":5,\n"),
            "line 2: column 7: not a JSON record: EOF while parsing a value"
        );
    }
}
