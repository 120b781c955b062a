//! Progress bars on stderr: a run's (`run`, `replay`), simulated time done
//! out of the scenario's duration and events per second, and the run
//! counts of `sweep`, `explore` and `soak` ([`count_bar`]). A run's bar
//! appears only once the run has taken about a second; none appears when
//! stderr is not a terminal or with `--quiet`. The library calls back
//! every few thousand events; only this binary (and `bench`) reads the
//! wall clock.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use scuttlesim::time::{SimDuration, SimTime};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Runs shorter than this never show a bar.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A bar over simulated milliseconds.
pub(crate) struct RunBar {
    bar: ProgressBar,
    start: Instant,
    enabled: bool,
    shown: bool,
    total_s: f64,
}

impl RunBar {
    /// A bar for a run of `duration` simulated time; inert when `quiet` or
    /// when stderr is not a terminal.
    #[allow(clippy::disallowed_methods)] // the progress bar measures wall time by design
    pub(crate) fn new(duration: SimDuration, quiet: bool) -> RunBar {
        let bar = ProgressBar::with_draw_target(Some(duration.0 / 1_000_000), ProgressDrawTarget::hidden());
        bar.set_style(ProgressStyle::with_template("{bar:40} {msg} · {elapsed}").expect("a valid template"));
        RunBar {
            bar,
            start: Instant::now(),
            enabled: !quiet && std::io::stderr().is_terminal(),
            shown: false,
            total_s: duration.0 as f64 / 1e9,
        }
    }

    /// The run has reached simulated time `now` after `events` events.
    pub(crate) fn update(&mut self, now: SimTime, events: u64) {
        if !self.enabled {
            return;
        }
        let elapsed = self.start.elapsed();
        if !self.shown {
            if elapsed < SHOW_AFTER {
                return;
            }
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
        self.bar.set_position(now.0 / 1_000_000);
        self.bar.set_message(format!(
            "{:.1}s / {:.1}s simulated · {} events/s",
            now.0 as f64 / 1e9,
            self.total_s,
            si(events as f64 / elapsed.as_secs_f64())
        ));
    }

    /// The run is over: the bar disappears.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// `1234567.0` → `"1.23M"`.
fn si(x: f64) -> String {
    match x {
        x if x >= 1e9 => format!("{:.2}G", x / 1e9),
        x if x >= 1e6 => format!("{:.2}M", x / 1e6),
        x if x >= 1e3 => format!("{:.1}k", x / 1e3),
        x => format!("{x:.0}"),
    }
}

/// Runs at once when `--jobs` is not given: one per core.
pub(crate) fn jobs_or_cores(jobs: Option<u32>) -> usize {
    jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |j| j as usize,
    )
}

/// Runs at once for `runs` runs on `--jobs` (or one per core): no more than
/// there are runs (the memory estimate multiplies by it).
pub(crate) fn runs_at_once(jobs: Option<u32>, runs: u64) -> usize {
    (jobs_or_cores(jobs) as u64).min(runs.max(1)) as usize
}

/// A bar of `len` `items` ("seeds", "runs") done, with the time elapsed and
/// an ETA, on stderr; hidden with `quiet` or when stderr is not a terminal.
pub(crate) fn count_bar(len: u64, items: &str, quiet: bool) -> ProgressBar {
    bar(len, &format!("{{pos}}/{{len}} {items}"), quiet)
}

/// A bar of `len` bytes of a file read, with the time elapsed and an ETA,
/// on stderr; hidden when stderr is not a terminal.
pub(crate) fn bytes_bar(len: u64, what: &str) -> ProgressBar {
    bar(len, &format!("{{bytes}}/{{total_bytes}} {what}"), false)
}

/// A bar of `len` showing `counts` (an indicatif template piece), the time
/// elapsed and an ETA, on stderr; hidden with `quiet` or when stderr is not
/// a terminal.
fn bar(len: u64, counts: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!("{{bar:40}} {counts} · {{elapsed}} · eta {{eta}}"))
            .expect("a valid template"),
    );
    bar
}
