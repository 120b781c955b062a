//! The trace file written by a helper thread: the run hands each record to
//! a batch (for the common `version` records, a run's changes are copied
//! whole, 24 bytes each, behind one entry for what they share), and the
//! helper renders full batches as JSON lines and writes them, so
//! rendering, the system calls and the kernel's copy into the page cache
//! (about half of a traced run's time) overlap with the simulation instead
//! of adding to it. The helper takes the records in the order the run made
//! them and is the only writer of the file: the bytes are exactly those a
//! [`JsonlWriter`] on the run's own thread writes.
//!
//! Errors are the writer's: the first I/O error is kept and returned by
//! [`TraceThread::finish`] (a full disk still fails the run).

use super::early_sync::EarlySync;
use crate::node::VersionChange;
use crate::trace::{Cause, Header, JsonlWriter, Record, TraceSink};
use std::fs::File;
use std::io;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

/// Entries (runs and other records) per batch.
const BATCH: usize = 1 << 10;

/// Version changes per batch: a batch is handed over once it holds this
/// many (or [`BATCH`] entries), whichever comes first.
const BATCH_CHANGES: usize = 1 << 13;

/// Full batches that may wait for the helper; the run waits when the
/// helper is this far behind (so memory stays bounded).
const WAITING: usize = 16;

/// One entry of a [`Batch`], in trace order.
#[derive(Debug)]
enum Entry {
    /// The next `len` changes of the batch's `changes`, each a `version`
    /// record at `t`, `lt` on `node` for `cause`.
    Run {
        t: u64,
        lt: u64,
        node: u32,
        cause: Cause,
        len: u32,
    },
    /// Any other record.
    Other(Record),
}

/// Records handed to the helper at once.
#[derive(Debug, Default)]
struct Batch {
    /// The records in order.
    entries: Vec<Entry>,
    /// The changes of every [`Entry::Run`], in order.
    changes: Vec<VersionChange>,
}

impl Batch {
    /// An empty batch with room for a full one.
    fn with_room() -> Batch {
        Batch {
            entries: Vec::with_capacity(BATCH),
            changes: Vec::with_capacity(BATCH_CHANGES),
        }
    }

    /// Whether the batch is to be handed over.
    fn is_full(&self) -> bool {
        self.entries.len() >= BATCH || self.changes.len() >= BATCH_CHANGES
    }

    /// Writes the batch's records to `writer`, in order.
    fn write_to(&self, writer: &mut impl TraceSink) {
        let mut next = 0;
        for entry in &self.entries {
            match *entry {
                Entry::Run {
                    t,
                    lt,
                    node,
                    cause,
                    len,
                } => {
                    let end = next + len as usize;
                    writer.version_run(t, lt, node, cause, &self.changes[next..end]);
                    next = end;
                }
                Entry::Other(ref record) => writer.record(record),
            }
        }
    }

    /// Empties the batch, keeping its room.
    fn clear(&mut self) {
        self.entries.clear();
        self.changes.clear();
    }
}

/// A [`TraceSink`] whose records a helper thread writes to the trace file.
#[derive(Debug)]
pub(super) struct TraceThread {
    /// Records not handed over yet.
    batch: Batch,
    /// Full batches to the helper; `None` once closed.
    jobs: Option<SyncSender<Batch>>,
    /// Emptied batches back from the helper, for reuse.
    spare: Receiver<Batch>,
    /// The helper: the synced-early file, or the first error.
    helper: Option<JoinHandle<io::Result<File>>>,
}

impl TraceThread {
    /// Writes `header` and starts the helper writing records to `file`.
    pub(super) fn start(file: File, header: &Header) -> io::Result<TraceThread> {
        let mut writer = JsonlWriter::new(EarlySync::new(file), header)?;
        let (jobs, batches) = mpsc::sync_channel::<Batch>(WAITING);
        let (give_back, spare) = mpsc::sync_channel::<Batch>(WAITING + 2);
        let helper = std::thread::Builder::new()
            .name("trace-writer".into())
            .spawn(move || {
                for mut batch in batches {
                    batch.write_to(&mut writer);
                    batch.clear();
                    // Kept for reuse when there is room; dropped otherwise.
                    let _ = give_back.try_send(batch);
                }
                writer.finish().and_then(EarlySync::into_file)
            })?;
        Ok(TraceThread {
            batch: Batch::with_room(),
            jobs: Some(jobs),
            spare,
            helper: Some(helper),
        })
    }

    /// Hands the batch to the helper and starts a new one.
    fn hand_over(&mut self) {
        let next = self.spare.try_recv().unwrap_or_else(|_| Batch::with_room());
        let full = std::mem::replace(&mut self.batch, next);
        if let Some(jobs) = &self.jobs {
            if jobs.send(full).is_err() {
                // The helper is gone (it panicked): `finish` reports it.
                self.jobs = None;
            }
        }
    }

    /// Hands the batch over if it is full.
    #[inline]
    fn hand_over_if_full(&mut self) {
        if self.batch.is_full() {
            self.hand_over();
        }
    }

    /// Hands over the last records, waits for the helper and returns the
    /// file (the caller still syncs it), or the first error met.
    pub(super) fn finish(mut self) -> io::Result<File> {
        if !self.batch.entries.is_empty() {
            self.hand_over();
        }
        self.stop()
    }

    /// Closes the queue and waits for the helper.
    fn stop(&mut self) -> io::Result<File> {
        self.jobs = None;
        match self.helper.take() {
            Some(helper) => helper
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the trace writer thread panicked"))),
            None => Err(io::Error::other("the trace writer thread was already stopped")),
        }
    }
}

impl TraceSink for TraceThread {
    #[inline]
    fn record(&mut self, record: &Record) {
        // A `version` record given singly is a run of one.
        let entry = match *record {
            Record::Version {
                t,
                lt,
                node,
                origin,
                old,
                new,
                cause,
            } => {
                self.batch.changes.push(VersionChange { origin, old, new });
                Entry::Run {
                    t,
                    lt,
                    node,
                    cause,
                    len: 1,
                }
            }
            ref other => Entry::Other(other.clone()),
        };
        self.batch.entries.push(entry);
        self.hand_over_if_full();
    }

    #[inline]
    fn version_run(&mut self, t: u64, lt: u64, node: u32, cause: Cause, changes: &[VersionChange]) {
        // Whole runs (one of more than `u32::MAX` changes, which no run
        // reaches, would go in pieces), so a batch may pass `BATCH_CHANGES`
        // by one run: what one handler changed, held by its outbox already.
        for run in changes.chunks(u32::MAX as usize) {
            self.batch.changes.extend_from_slice(run);
            self.batch.entries.push(Entry::Run {
                t,
                lt,
                node,
                cause,
                len: run.len() as u32,
            });
        }
        self.hand_over_if_full();
    }
}

impl Drop for TraceThread {
    /// Never leaves the helper running (an error path drops the sink
    /// without [`TraceThread::finish`]).
    fn drop(&mut self) {
        if self.helper.is_some() {
            let _ = self.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::tests::{every_record_type, header};
    use std::borrow::Cow;

    /// Many batches of every record type (with lines longer than a
    /// rendering chunk), and runs of `version` records handed over whole
    /// (crossing batches), give the same file, byte for byte, as a
    /// [`JsonlWriter`] on this thread given each record singly.
    #[test]
    fn the_file_equals_a_direct_writer() {
        use crate::trace::LocalCause;
        let dir = std::env::temp_dir().join(format!("scuttlesim-trace-thread-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let threaded = dir.join("threaded.jsonl");
        let mut sink = TraceThread::start(File::create(&threaded).unwrap(), &header()).unwrap();
        let mut direct = JsonlWriter::new(Vec::new(), &header()).unwrap();
        for i in 0..30_000u64 {
            let mut records = every_record_type();
            if i % 5_000 == 0 {
                records.push(Record::Fault {
                    t: i,
                    fault: 1,
                    action: Cow::Borrowed("crash"),
                    detail: "x".repeat(3 << 20),
                });
            }
            for r in &records {
                sink.record(r);
                direct.record(r);
            }
            let changes: Vec<VersionChange> = (0..i % 7)
                .map(|k| VersionChange {
                    origin: (i * 31 + k) as u32 % 1000,
                    old: k,
                    new: i + k + 1,
                })
                .collect();
            let cause = if i % 2 == 0 {
                Cause::Local(LocalCause::Write)
            } else {
                Cause::Message(i)
            };
            sink.version_run(i, i + 3, i as u32 % 50, cause, &changes);
            for c in &changes {
                direct.record(&Record::Version {
                    t: i,
                    lt: i + 3,
                    node: i as u32 % 50,
                    origin: c.origin,
                    old: c.old,
                    new: c.new,
                    cause,
                });
            }
        }
        sink.finish().unwrap().sync_all().unwrap();
        let want = direct.finish().unwrap();
        let got = std::fs::read(&threaded).unwrap();
        assert_eq!(got.len(), want.len());
        assert!(got == want, "the threaded file equals the direct one");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A sink dropped without `finish` (an error path) stops its helper.
    #[test]
    fn dropping_stops_the_helper() {
        let dir = std::env::temp_dir().join(format!("scuttlesim-trace-drop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut sink = TraceThread::start(File::create(dir.join("t.jsonl")).unwrap(), &header()).unwrap();
        for r in every_record_type().iter().cycle().take(3 * BATCH) {
            sink.record(r);
        }
        drop(sink);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A sink fed `version` runs alone (as a run at level `versions` feeds
    /// it) hands its batch over as it fills: it never holds a full batch
    /// after a call, so memory stays bounded.
    #[test]
    fn version_runs_alone_hand_batches_over() {
        let dir = std::env::temp_dir().join(format!("scuttlesim-trace-runs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut sink = TraceThread::start(File::create(dir.join("t.jsonl")).unwrap(), &header()).unwrap();
        let changes: Vec<VersionChange> = (0..300)
            .map(|k| VersionChange {
                origin: k,
                old: 1,
                new: 2,
            })
            .collect();
        for i in 0..2 * BATCH as u64 {
            let len = (i % 300) as usize;
            sink.version_run(i, i, 1, Cause::Message(i), &changes[..len]);
            assert!(!sink.batch.is_full(), "after {i} runs");
            assert!(sink.batch.changes.len() < BATCH_CHANGES);
        }
        sink.finish().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
