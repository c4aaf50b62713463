//! Ctrl-C and SIGTERM during a run, as the core sees them. The first signal
//! stops new tasks from starting and gives the running ones [`GRACE`] to
//! finish; the second (or the end of the grace period) stops the commands on
//! the hosts. The signal handler (in `cli`) only counts signals: everything
//! else happens on the threads that poll these functions.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long running tasks may go on after the first signal.
pub const GRACE: Duration = Duration::from_secs(30);

static SIGNALS: AtomicUsize = AtomicUsize::new(0);
static RUNNING: AtomicBool = AtomicBool::new(false);
static FIRST_SEEN: OnceLock<Instant> = OnceLock::new();

/// Count a signal; returns how many arrived so far. Async-signal-safe.
pub fn note_signal() -> usize {
    SIGNALS.fetch_add(1, Ordering::SeqCst) + 1
}

/// How many signals arrived so far.
pub fn signals() -> usize {
    SIGNALS.load(Ordering::SeqCst)
}

/// Whether a run is going on (signals are then handled gracefully).
pub fn run_is_active() -> bool {
    RUNNING.load(Ordering::SeqCst)
}

/// Mark the run as going on until the guard is dropped.
pub fn run_active() -> RunGuard {
    RUNNING.store(true, Ordering::SeqCst);
    RunGuard
}

pub struct RunGuard;

impl Drop for RunGuard {
    fn drop(&mut self) {
        RUNNING.store(false, Ordering::SeqCst);
    }
}

/// Whether a signal asked the run to end: no new task starts.
pub fn stop_scheduling() -> bool {
    let asked = SIGNALS.load(Ordering::SeqCst) > 0;
    if asked {
        FIRST_SEEN.get_or_init(Instant::now);
    }
    asked
}

/// Whether running commands must be stopped now: a second signal came, or
/// the grace period after the first is over.
pub fn stop_commands() -> bool {
    if !stop_scheduling() {
        return false;
    }
    SIGNALS.load(Ordering::SeqCst) > 1 || FIRST_SEEN.get().is_some_and(|at| at.elapsed() >= GRACE)
}

/// Sleep for `duration`, or less when a signal asks the run to end (the
/// first one is enough: a wait is not work worth finishing). Whether the
/// whole time passed.
pub fn sleep(duration: Duration) -> bool {
    const SLICE: Duration = Duration::from_millis(50);
    let until = Instant::now() + duration;
    loop {
        if stop_scheduling() {
            return false;
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(SLICE));
    }
}
