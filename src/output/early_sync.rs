//! A trace file flushed to disk while it is written: every [`EVERY`] bytes
//! a helper thread asks the kernel to write back what is there so far
//! (`fdatasync` on a second handle), so that the `fsync` before the file
//! is renamed into place waits only for the last part instead of the whole
//! trace. The bytes written, and their order, are untouched.

use std::fs::File;
use std::io::{self, Write};
use std::sync::mpsc::{self, SyncSender};
use std::thread::JoinHandle;

/// Bytes between two early write-backs.
const EVERY: u64 = 64 << 20;

/// A [`File`] whose data a helper thread syncs every [`EVERY`] bytes.
#[derive(Debug)]
pub(super) struct EarlySync {
    file: File,
    /// Bytes between two write-backs ([`EVERY`] but in tests).
    every: u64,
    since: u64,
    /// Wakes the helper; `None` when the file could not be cloned (then
    /// nothing is synced early).
    wake: Option<SyncSender<()>>,
    helper: Option<JoinHandle<()>>,
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
                let (tx, rx) = mpsc::sync_channel::<()>(1);
                let helper = std::thread::spawn(move || {
                    for () in rx {
                        // Only a head start: the final `sync_all` reports errors.
                        let _ = clone.sync_data();
                    }
                });
                (Some(tx), Some(helper))
            }
            Err(_) => (None, None),
        };
        EarlySync {
            file,
            every,
            since: 0,
            wake,
            helper,
        }
    }

    /// Stops the helper and returns the file (the caller still syncs it).
    pub(super) fn into_file(self) -> File {
        let EarlySync {
            file, wake, helper, ..
        } = self;
        drop(wake);
        if let Some(h) = helper {
            let _ = h.join();
        }
        file
    }
}

impl Write for EarlySync {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.since += n as u64;
        if self.since >= self.every {
            self.since = 0;
            if let Some(w) = &self.wake {
                // A write-back still running makes this one unnecessary.
                let _ = w.try_send(());
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
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
        let mut file = w.into_file();
        file.sync_all().unwrap();
        file.rewind().unwrap();
        let mut got = Vec::new();
        file.read_to_end(&mut got).unwrap();
        assert_eq!(got.len(), want.len());
        assert!(got == want, "the file holds the writes in order");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
