//! Ctrl-C and SIGTERM. Outside a run, the first ends runbook with Ansible's
//! exit code 99. During a run, the first stops new tasks and lets running
//! ones finish (see [`crate::interruption`]), the second stops the commands
//! on the hosts, a third ends runbook at once. During a run the reporter
//! says so (within a tenth of a second, listing who is still running);
//! otherwise the handler writes to fd 2 itself: a reporter cannot run in a
//! signal handler.

use crate::interruption;
use crate::source::ErrorKind;

const INTERRUPTED: i32 = super::ExitCode::for_kind(ErrorKind::Interrupted).code();

fn say(message: &[u8]) {
    // SAFETY: write(2) is async-signal-safe; the buffer is static.
    unsafe {
        libc::write(2, message.as_ptr().cast(), message.len());
    }
}

extern "C" fn on_interrupt(_signal: libc::c_int) {
    let count = interruption::note_signal();
    if !interruption::run_is_active() || count > 2 {
        say(b"\n[ERROR]: User interrupted execution\n");
        // SAFETY: _exit(2) is async-signal-safe.
        unsafe { libc::_exit(INTERRUPTED) };
    }
}

pub(super) fn exit_on_interrupt() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: installs a handler that only calls async-signal-safe
        // functions and atomics.
        unsafe {
            libc::signal(signal, on_interrupt as *const () as libc::sighandler_t);
        }
    }
}
