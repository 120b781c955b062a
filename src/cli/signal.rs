//! Ctrl-C: the first press (SIGINT, or SIGTERM/SIGHUP) sets a stop flag that
//! the run loop reads before each event, so the current event finishes, the
//! run is written as interrupted and the command exits 130; a second press
//! exits at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

static STOP: AtomicBool = AtomicBool::new(false);

/// Exit code of an interrupted command.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// The process-wide stop flag, with the handler installed on first use.
pub(crate) fn stop_flag() -> &'static AtomicBool {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let installed = ctrlc::set_handler(|| {
            if STOP.swap(true, Ordering::SeqCst) {
                std::process::exit(EXIT_INTERRUPTED as i32);
            }
            eprintln!("interrupted: finishing the current event (press Ctrl-C again to quit at once)");
        });
        if let Err(e) = installed {
            eprintln!("warning: cannot catch Ctrl-C ({e}); an interrupted run leaves no manifest");
        }
    });
    &STOP
}
