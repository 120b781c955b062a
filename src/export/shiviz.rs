//! ShiViz logs: one event per vector-clock tick, each as two lines — a
//! description, then `host {"host": n, …}` — so the causal order of a run
//! can be browsed as a space-time diagram in ShiViz.
//!
//! The file starts with the parsing regex ([`REGEX`]) on its first line and
//! an empty second line (no multiple-execution delimiter), which is how
//! ShiViz reads a log file; paste the regex into ShiViz's input page when
//! pasting the log instead. Hosts are `n0`, `n1`, …; clocks list only the
//! non-zero entries, in node order. A node's own entry rises by exactly one
//! per event (write, send, receive), as ShiViz requires.
//!
//! It needs a `full` trace: the `clock` records carry the vector clocks.

use crate::check::secs;
use crate::error::{Error, Result};
use crate::scenario::TraceLevel;
use crate::trace::{Record, TraceReader};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;

/// The ShiViz parsing regex of the exported log (also its first line).
pub const REGEX: &str = r"(?<event>.*)\n(?<host>\S+) (?<clock>\{.*\})";

/// Writes the ShiViz log of the trace read by `reader` (from `path`, named
/// in errors about it) to `out` (`out_path`, named in write errors);
/// returns the number of events.
pub fn write<R: BufRead, W: Write>(
    mut reader: TraceReader<R>,
    path: &Path,
    out_path: &Path,
    out: &mut W,
) -> Result<u64> {
    let io = |e: std::io::Error| Error::io(out_path, e);
    if reader.header().level != TraceLevel::Full {
        return Err(Error::Format {
            path: path.to_path_buf(),
            message: format!(
                "a ShiViz log needs the vector clocks of a `full` trace; this one is `{}`: rerun with --trace full",
                reader.header().level.name()
            ),
        });
    }
    writeln!(out, "{REGEX}").map_err(io)?;
    writeln!(out).map_err(io)?;
    let mut clocks: BTreeMap<u32, BTreeMap<u32, u64>> = BTreeMap::new();
    let mut prev: Option<Record> = None;
    let mut pending: Option<u32> = None;
    let mut events = 0u64;
    let mut emit = |out: &mut W, node: u32, clock: &BTreeMap<u32, u64>, what: String| -> Result<()> {
        let entries: Vec<String> = clock.iter().map(|(i, v)| format!("\"n{i}\":{v}")).collect();
        writeln!(out, "{what}\nn{node} {{{}}}", entries.join(",")).map_err(io)?;
        events += 1;
        Ok(())
    };
    while let Some(next) = reader.next_record() {
        let (_, r) = next.map_err(|message| Error::Format {
            path: path.to_path_buf(),
            message,
        })?;
        if let Some(node) = pending.take() {
            let what = match &r {
                Record::Send {
                    from, id, to, kind, ..
                } if *from == node => format!("{} send {kind} #{id} to n{to}", secs(r.time())),
                _ => format!("{} tick", secs(r.time())),
            };
            emit(out, node, &clocks[&node], what)?;
        }
        if let Record::Clock { t, node, set } = &r {
            let clock = clocks.entry(*node).or_default();
            for &(i, v) in set {
                clock.insert(i, v);
            }
            let what = match &prev {
                Some(Record::Write {
                    t: wt,
                    node: wn,
                    key,
                    value,
                    version,
                    ..
                }) if wt == t && wn == node => {
                    format!("{} write key {key} = {value} (v{version})", secs(*t))
                }
                Some(Record::Receive {
                    t: rt,
                    to,
                    id,
                    from,
                    kind,
                    ..
                }) if rt == t && to == node => {
                    format!("{} receive {kind} #{id} from n{from}", secs(*t))
                }
                _ => {
                    pending = Some(*node);
                    prev = None;
                    continue;
                }
            };
            emit(out, *node, &clocks[node], what)?;
            prev = None;
        } else {
            prev = Some(r);
        }
    }
    if let Some(node) = pending {
        emit(out, node, &clocks[&node], "tick".into())?;
    }
    Ok(events)
}
