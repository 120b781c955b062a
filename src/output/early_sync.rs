//! A trace file flushed to disk while it is written: every [`EVERY`] bytes
//! a helper thread asks the kernel to write back what is there so far
//! (`fdatasync` through a duplicate of the descriptor), so that the `fsync`
//! before the file is renamed into place waits only for the last part
//! instead of the whole trace. The bytes written, and their order, are
//! untouched.
//!
//! The duplicate shares the file's open file description, and the kernel
//! reports a write-back error once per description: so the helper keeps
//! the first error it meets and [`EarlySync::into_file`] returns it, or the
//! final `fsync` could pass over a failed write-back.

use std::fs::File;
use std::io::{self, Write};
use std::sync::mpsc::{self, SyncSender};
use std::thread::JoinHandle;

/// Bytes between two early write-backs. The trace's writer waits in its
/// `write` calls while a write-back is in progress, for a time that grows
/// with the write-back's size: P1 at 1,000 nodes at `versions` (583 MB)
/// ran about 7 % faster with 4, 8 or 16 MiB than with 32 or 64.
const EVERY: u64 = 16 << 20;

/// A [`File`] whose data a helper thread syncs every [`EVERY`] bytes.
#[derive(Debug)]
pub(super) struct EarlySync {
    /// `None` only once [`EarlySync::into_file`] took it.
    file: Option<File>,
    /// Bytes between two write-backs ([`EVERY`] but in tests).
    every: u64,
    since: u64,
    /// Wakes the helper; `None` when the file could not be duplicated
    /// (then nothing is synced early).
    wake: Option<SyncSender<()>>,
    /// The helper: its first write-back error, if any.
    helper: Option<JoinHandle<io::Result<()>>>,
}

impl EarlySync {
    /// Wraps `file`.
    pub(super) fn new(file: File) -> EarlySync {
        EarlySync::with_every(file, EVERY)
    }

    /// Wraps `file`, syncing every `every` bytes.
    fn with_every(file: File, every: u64) -> EarlySync {
        let (wake, helper) = match file.try_clone() {
            Ok(clone) => {
                // A rendezvous: a request made while the helper is busy is
                // dropped (the running write-back covers most of it).
                let (tx, rx) = mpsc::sync_channel::<()>(0);
                let helper = std::thread::spawn(move || {
                    for () in rx {
                        clone.sync_data()?;
                    }
                    Ok(())
                });
                (Some(tx), Some(helper))
            }
            Err(_) => (None, None),
        };
        EarlySync {
            file: Some(file),
            every,
            since: 0,
            wake,
            helper,
        }
    }

    /// Stops the helper and returns the file (the caller still syncs it),
    /// or the first error an early write-back met.
    pub(super) fn into_file(mut self) -> io::Result<File> {
        self.stop()?;
        Ok(self.file.take().expect("the file is taken only here"))
    }

    /// Stops the helper and waits for it; its error, if any.
    fn stop(&mut self) -> io::Result<()> {
        self.wake = None;
        match self.helper.take() {
            Some(h) => h
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the trace sync thread panicked"))),
            None => Ok(()),
        }
    }

    fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("the file is taken only by into_file")
    }
}

impl Write for EarlySync {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file().write(buf)?;
        self.since += n as u64;
        if self.since >= self.every {
            self.since = 0;
            if let Some(w) = &self.wake {
                // Taken only if the helper is idle; a helper that stopped
                // on an error is reported by `into_file`.
                let _ = w.try_send(());
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file().flush()
    }
}

impl Drop for EarlySync {
    /// Never leaves the helper running (an error path drops the writer
    /// without [`EarlySync::into_file`]).
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek};

    /// Writes of every size, with a write-back every few kilobytes, land in
    /// the file whole and in order, and the returned handle still works.
    #[test]
    fn writes_land_in_order_with_early_syncs() {
        let dir = std::env::temp_dir().join(format!("scuttlesim-early-sync-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.bin");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        let mut w = EarlySync::with_every(file, 10_000);
        let mut want = Vec::new();
        for i in 0..300u32 {
            let chunk: Vec<u8> = (0..(i * 61) % 3000).map(|j| (i ^ j) as u8).collect();
            w.write_all(&chunk).unwrap();
            want.extend_from_slice(&chunk);
        }
        let mut file = w.into_file().unwrap();
        file.sync_all().unwrap();
        file.rewind().unwrap();
        let mut got = Vec::new();
        file.read_to_end(&mut got).unwrap();
        assert_eq!(got.len(), want.len());
        assert!(got == want, "the file holds the writes in order");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A writer dropped without `into_file` (an error path) stops its
    /// helper: dropping returns, and the file can be removed.
    #[test]
    fn dropping_stops_the_helper() {
        let dir = std::env::temp_dir().join(format!("scuttlesim-early-drop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.bin");
        let mut w = EarlySync::with_every(File::create(&path).unwrap(), 1);
        w.write_all(&[7; 1000]).unwrap();
        drop(w);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
