//! A stored trace for other tools and for people: readable lines
//! ([`text`], `scuttlesim trace`), ShiViz logs ([`shiviz`]) and
//! Chrome/Perfetto trace-event JSON ([`chrome`]).
//!
//! Every exporter streams: it reads the trace one record at a time and
//! writes as it goes, through a temporary file renamed when complete (a
//! FIFO or device such as `/dev/stdout` is written in place).

pub mod chrome;
pub mod shiviz;
pub mod text;

use crate::error::{Error, Result};
use crate::output::{open_in_place, tmp_name, write_target, WriteTarget};
use crate::replay::read_manifest;
use crate::trace::TraceReader;
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The trace file of a run given as its directory, its `manifest.json` or
/// the trace file itself.
pub fn trace_path(run: &Path) -> Result<PathBuf> {
    if run.is_file() {
        if run.file_name().is_some_and(|n| n == "manifest.json") {
            return trace_path(run.parent().unwrap_or(Path::new(".")));
        }
        if run
            .extension()
            .is_some_and(|e| e == "json" || e == "csv" || e == "toml")
        {
            // `summary.json`, a metrics file, a scenario: not a trace.
            return Err(Error::Format {
                path: run.to_path_buf(),
                message: "not a trace: give a run directory, its manifest.json or its trace.jsonl".into(),
            });
        }
        return Ok(run.to_path_buf());
    }
    if !run.is_dir() {
        return Err(Error::io(
            run,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such run directory"),
        ));
    }
    let manifest = run.join("manifest.json");
    if manifest.is_file() {
        let m = read_manifest(&manifest)?;
        match m.trace_file {
            Some(f) => return Ok(run.join(f)),
            None => return Err(Error::Format {
                path: manifest,
                message:
                    "this run stored no trace (--trace off): rerun it with --trace versions or --trace full"
                        .into(),
            }),
        }
    }
    let t = run.join("trace.jsonl");
    if t.is_file() {
        Ok(t)
    } else {
        Err(Error::Format {
            path: run.to_path_buf(),
            message: "no manifest.json and no trace.jsonl: not a run directory".into(),
        })
    }
}

/// Opens the trace of a run (see [`trace_path`]) for streaming.
pub fn open_trace(run: &Path) -> Result<(PathBuf, TraceReader<BufReader<File>>)> {
    let path = trace_path(run)?;
    let f = File::open(&path).map_err(|e| Error::io(&path, e))?;
    let mut reader =
        TraceReader::new(BufReader::with_capacity(1 << 20, f)).map_err(|message| Error::Format {
            path: path.clone(),
            message,
        })?;
    // Beside its manifest, a trace has a known end: no record may be later.
    let manifest = path.with_file_name("manifest.json");
    if manifest.is_file() {
        if let Ok(m) = read_manifest(&manifest) {
            if m.trace_file
                .as_deref()
                .is_some_and(|f| path.file_name().is_some_and(|n| n == f))
            {
                reader = reader.with_end(m.scenario.duration.0);
            }
        }
    }
    Ok((path, reader))
}

/// Streams into `path` through `path.tmp`, renamed when `write` succeeds; a
/// device or FIFO (`/dev/null`, `/dev/stdout`) is written in place, and a
/// symbolic link's target replaced (see [`write_target`]). A temporary file
/// that cannot be created is reported as `path` (the user's name; the
/// reason is the same).
pub fn write_streaming<T>(path: &Path, write: impl FnOnce(&mut BufWriter<File>) -> Result<T>) -> Result<T> {
    let target = match write_target(path) {
        WriteTarget::InPlace => {
            let mut out = BufWriter::with_capacity(1 << 20, open_in_place(path)?);
            let v = write(&mut out)?;
            out.flush().map_err(|e| Error::io(path, e))?;
            return Ok(v);
        }
        WriteTarget::Replace(target) => target,
    };
    let tmp = tmp_name(&target);
    let file = File::create(&tmp).map_err(|e| Error::io(path, e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let result = write(&mut out);
    let result = result.and_then(|v| {
        out.flush().map_err(|e| Error::io(&tmp, e))?;
        out.get_ref().sync_all().map_err(|e| Error::io(&tmp, e))?;
        Ok(v)
    });
    match result {
        Ok(v) => match fs::rename(&tmp, &target) {
            Ok(()) => Ok(v),
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(Error::io(path, e))
            }
        },
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}
