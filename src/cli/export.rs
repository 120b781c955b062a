//! `scuttlesim export`: a stored trace as a ShiViz log or Chrome trace JSON.

use super::signal::{stop_flag, EXIT_INTERRUPTED};
use anyhow::Result;
use clap::ValueEnum;
use scuttlesim::export::{chrome, open_trace, shiviz, write_streaming};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Export formats.
#[derive(Copy, Clone, Debug, ValueEnum)]
pub(crate) enum ExportFormat {
    /// ShiViz log (needs a `full` trace): writes RUN_DIR/shiviz.log.
    Shiviz,
    /// Chrome / Perfetto trace-event JSON: writes RUN_DIR/chrome-trace.json.
    Chrome,
}

/// The options of `export`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    /// A run directory (or its manifest.json, or a trace.jsonl file).
    run: PathBuf,
    /// Output format.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Where to write (default: shiviz.log or chrome-trace.json beside the trace); a
    /// FIFO or device (`/dev/stdout`, or `-`) is written in place, a file replaced when complete.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Writes the export and says where.
pub(crate) fn export(a: &ExportArgs) -> Result<ExitCode> {
    let given = a.out.as_deref().map(super::out_file);
    if let Some(out) = &given {
        super::check_out_file(out)?;
        super::keep_stdout_for(out);
    }
    let (path, reader) = open_trace(&a.run)?;
    // A large trace takes a while: a bar over its bytes (on a terminal).
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    let bar = super::progress::bytes_bar(size, "of the trace read");
    let reader = reader.with_progress({
        let bar = bar.clone();
        move |read| bar.set_position(read)
    });
    let default_name = match a.format {
        ExportFormat::Shiviz => "shiviz.log",
        ExportFormat::Chrome => "chrome-trace.json",
    };
    let out = given.unwrap_or_else(|| path.with_file_name(default_name));
    super::refuse_run_file(&out, &path, None)?;
    // Ctrl-C fails the next write, so the half-written file is removed.
    let stop = stop_flag();
    let written = write_streaming(&out, |w| {
        let mut w = StopsOnCtrlC { inner: w, stop };
        match a.format {
            ExportFormat::Shiviz => shiviz::write(reader, &path, &out, &mut w),
            ExportFormat::Chrome => chrome::write(reader, &path, &out, &mut w),
        }
    });
    bar.finish_and_clear();
    if stop.load(Ordering::SeqCst) {
        eprintln!("export interrupted: {} not written", out.display());
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    let events = written?;
    outln!("{}: {}", out.display(), super::plural(events, "event", "events"));
    match a.format {
        ExportFormat::Shiviz => outln!(
            "load it in ShiViz (its first line is the parsing regex: {})",
            shiviz::REGEX
        ),
        ExportFormat::Chrome => outln!("open it in ui.perfetto.dev or chrome://tracing"),
    }
    Ok(ExitCode::SUCCESS)
}

/// A writer whose writes fail once Ctrl-C was pressed, ending an export
/// between two records.
struct StopsOnCtrlC<'a, W> {
    inner: &'a mut W,
    stop: &'a AtomicBool,
}

impl<W: Write> Write for StopsOnCtrlC<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("interrupted"));
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
