//! Ctrl-C: the first press (SIGINT, or SIGTERM/SIGHUP) sets a stop flag that
//! the run loop reads before each event, so the current event finishes, the
//! run is written as interrupted and the command exits 130; a second press
//! exits at once. A second signal within [`ECHO`] of the first is taken
//! as the same press: `timeout -s INT` and a terminal's Ctrl-C can signal
//! both the process and its group, which delivers two at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

static STOP: AtomicBool = AtomicBool::new(false);

/// Signals this close together count as one press.
const ECHO: std::time::Duration = std::time::Duration::from_millis(250);

/// Exit code of an interrupted command.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// The process-wide stop flag, with the handler installed on first use.
pub(crate) fn stop_flag() -> &'static AtomicBool {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let first = std::sync::OnceLock::new();
        // The wall clock only tells two presses from one delivered twice.
        #[allow(clippy::disallowed_methods)]
        let installed = ctrlc::set_handler(move || {
            let now = std::time::Instant::now();
            if STOP.swap(true, Ordering::SeqCst) {
                let echo = first
                    .get()
                    .is_some_and(|&t: &std::time::Instant| now.duration_since(t) < ECHO);
                if !echo {
                    std::process::exit(EXIT_INTERRUPTED as i32);
                }
                return;
            }
            let _ = first.set(now);
            eprintln!("interrupted: finishing the current event (press Ctrl-C again to quit at once)");
        });
        if let Err(e) = installed {
            eprintln!("warning: cannot catch Ctrl-C ({e}); an interrupted run leaves no manifest");
        }
    });
    &STOP
}
