//! Chrome / Perfetto trace-event JSON: one process, one thread (track) per
//! node; writes and version changes as instant events; every message as a
//! short slice on the sender and on the receiver, joined by a flow arrow
//! (`ph` `s` → `f`); a lost message (dropped on the way or on arrival) as
//! a slice named `… (lost)` with no arrow; the second receipt of a
//! duplicated message as `… (copy)`, with no arrow. Open it in
//! ui.perfetto.dev or chrome://tracing. Timestamps are microseconds of
//! simulated time.

use super::text::version_text;
use crate::error::{Error, Result};
use crate::trace::{Cause, LocalCause, Record, TraceReader};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;

/// The `pid` of every event.
const PID: u32 = 1;

/// Microseconds, exactly, from ns: `1020000.000`.
fn us(ns: u64) -> String {
    format!("{}.{:03}", ns / 1000, ns % 1000)
}

/// A message sent and not yet received or dropped.
struct Sent {
    t: u64,
    from: u32,
    to: u32,
    kind: String,
    bytes: u32,
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// Writes the trace-event JSON of the trace read by `reader` (from `path`,
/// named in errors about it) to `out` (`out_path`, named in write errors);
/// returns the number of events.
pub fn write<R: BufRead, W: Write>(
    mut reader: TraceReader<R>,
    path: &Path,
    out_path: &Path,
    out: &mut W,
) -> Result<u64> {
    let io = |e: std::io::Error| Error::io(out_path, e);
    let h = reader.header().clone();
    writeln!(
        out,
        "{{\"displayTimeUnit\":\"ms\",\"otherData\":{{\"scenario\":{},\"seed\":{},\"level\":\"{}\",\"version\":{}}},\"traceEvents\":[",
        json_str(&h.scenario),
        h.seed,
        h.level.name(),
        json_str(&h.version)
    )
    .map_err(io)?;
    write!(
        out,
        "{{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":{PID},\"tid\":0,\"args\":{{\"name\":{}}}}}",
        json_str(&format!("{} seed {}", h.scenario, h.seed))
    )
    .map_err(io)?;
    for n in 0..h.nodes {
        write!(
            out,
            ",\n{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":{PID},\"tid\":{n},\"args\":{{\"name\":\"n{n}\"}}}},\n{{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":{PID},\"tid\":{n},\"args\":{{\"sort_index\":{n}}}}}"
        )
        .map_err(io)?;
    }
    let mut events = 0u64;
    let mut ev = |out: &mut W, body: String| -> Result<()> {
        write!(out, ",\n{{{body},\"pid\":{PID}}}").map_err(io)?;
        events += 1;
        Ok(())
    };
    // A send is written once its fate is read (trace-event JSON need not be
    // in time order): delivered, it gets a flow arrow to its receipt;
    // dropped (on the way or on arrival), it is named `… (lost)` and gets
    // none. A second receipt of a message (a duplicate) is named
    // `… (copy)`, without an arrow of its own. Only messages in flight are
    // held.
    let mut in_flight: BTreeMap<u64, Sent> = BTreeMap::new();
    let send_slice = |sent: &Sent, id: u64, suffix: &str| {
        format!(
            "\"name\":{},\"cat\":\"send\",\"ph\":\"X\",\"ts\":{},\"dur\":1,\"tid\":{},\"args\":{{\"id\":{id},\"to\":{},\"bytes\":{}}}",
            json_str(&format!("send {}{suffix}", sent.kind)),
            us(sent.t),
            sent.from,
            sent.to,
            sent.bytes
        )
    };
    while let Some((_, r)) = reader
        .next_record()
        .transpose()
        .map_err(|message| Error::Format {
            path: path.to_path_buf(),
            message,
        })?
    {
        match &r {
            Record::Send {
                t,
                id,
                from,
                to,
                kind,
                bytes,
                ..
            } => {
                in_flight.insert(
                    *id,
                    Sent {
                        t: *t,
                        from: *from,
                        to: *to,
                        kind: kind.to_string(),
                        bytes: *bytes,
                    },
                );
            }
            Record::Receive {
                t,
                id,
                from,
                to,
                kind,
                bytes,
                ..
            } => {
                let receive_slice = |suffix: &str| {
                    format!(
                        "\"name\":{},\"cat\":\"receive\",\"ph\":\"X\",\"ts\":{},\"dur\":1,\"tid\":{to},\"args\":{{\"id\":{id},\"from\":{from},\"bytes\":{bytes}}}",
                        json_str(&format!("receive {kind}{suffix}")),
                        us(*t)
                    )
                };
                match in_flight.remove(id) {
                    // Its first receipt: the send, and an arrow to here.
                    Some(sent) => {
                        ev(out, send_slice(&sent, *id, ""))?;
                        ev(
                            out,
                            format!(
                                "\"name\":{},\"cat\":\"msg\",\"ph\":\"s\",\"id\":{id},\"ts\":{},\"tid\":{}",
                                json_str(&sent.kind),
                                us(sent.t),
                                sent.from
                            ),
                        )?;
                        ev(out, receive_slice(""))?;
                        ev(
                            out,
                            format!(
                                "\"name\":{},\"cat\":\"msg\",\"ph\":\"f\",\"bp\":\"e\",\"id\":{id},\"ts\":{},\"tid\":{to}",
                                json_str(kind),
                                us(*t)
                            ),
                        )?;
                    }
                    // A duplicate's second receipt.
                    None => ev(out, receive_slice(" (copy)"))?,
                }
            }
            Record::Write {
                t,
                node,
                key,
                version,
                value,
                ..
            } => ev(
                out,
                format!(
                    "\"name\":\"write v{version}\",\"cat\":\"write\",\"ph\":\"i\",\"s\":\"t\",\"ts\":{},\"tid\":{node},\"args\":{{\"key\":{key},\"value\":{value}}}",
                    us(*t)
                ),
            )?,
            Record::Version {
                t,
                node,
                origin,
                old,
                new,
                cause,
                ..
            } => {
                let cause = match cause {
                    Cause::Message(id) => id.to_string(),
                    Cause::Local(LocalCause::Write) => "\"write\"".into(),
                    Cause::Local(LocalCause::Restart) => "\"restart\"".into(),
                };
                ev(
                    out,
                    format!(
                        "\"name\":\"n{origin} {}->{}\",\"cat\":\"version\",\"ph\":\"i\",\"s\":\"t\",\"ts\":{},\"tid\":{node},\"args\":{{\"origin\":{origin},\"old\":{old},\"new\":{new},\"cause\":{cause}}}",
                        version_text(*old),
                        version_text(*new),
                        us(*t)
                    ),
                )?
            }
            Record::Drop {
                t,
                id,
                from,
                to,
                kind,
                reason,
                ..
            } => {
                if let Some(sent) = in_flight.remove(id) {
                    ev(out, send_slice(&sent, *id, " (lost)"))?;
                }
                ev(
                out,
                format!(
                    "\"name\":{},\"cat\":\"drop\",\"ph\":\"i\",\"s\":\"t\",\"ts\":{},\"tid\":{from},\"args\":{{\"id\":{id},\"to\":{to},\"reason\":{}}}",
                    json_str(&format!("lost {kind}")),
                    us(*t),
                    json_str(reason)
                ),
            )?
            }
            Record::Fault {
                t,
                fault,
                action,
                detail,
            } => ev(
                out,
                format!(
                    "\"name\":{},\"cat\":\"fault\",\"ph\":\"i\",\"s\":\"g\",\"ts\":{},\"tid\":0,\"args\":{{\"fault\":{fault},\"detail\":{}}}",
                    json_str(&format!("fault: {action}")),
                    us(*t),
                    json_str(detail)
                ),
            )?,
            Record::Defer {
                t,
                node,
                key,
                value,
                backlog,
                ..
            } => ev(
                out,
                format!(
                    "\"name\":\"defer\",\"cat\":\"write\",\"ph\":\"i\",\"s\":\"t\",\"ts\":{},\"tid\":{node},\"args\":{{\"key\":{key},\"value\":{value},\"backlog\":{backlog}}}",
                    us(*t)
                ),
            )?,
            Record::Clock { .. } => {}
        }
    }
    // Still in flight when the run ended: no fate, no arrow.
    for (id, sent) in &in_flight {
        ev(out, send_slice(sent, *id, ""))?;
    }
    write!(out, "\n]}}\n").map_err(io)?;
    Ok(events)
}
