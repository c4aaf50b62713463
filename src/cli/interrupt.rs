//! Ctrl-C ends the run with Ansible's exit code 99 and a word about it.
//! The handler writes to fd 2 itself: a reporter cannot run in a signal handler.

use crate::source::ErrorKind;

const INTERRUPTED: i32 = super::ExitCode::for_kind(ErrorKind::Interrupted).code();

extern "C" fn on_interrupt(_signal: libc::c_int) {
    const MESSAGE: &[u8] = b"\n[ERROR]: User interrupted execution\n";
    // SAFETY: write(2) and _exit(2) are async-signal-safe.
    unsafe {
        libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::_exit(INTERRUPTED);
    }
}

pub(super) fn exit_on_interrupt() {
    // SAFETY: installs a handler that only calls async-signal-safe functions.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_interrupt as *const () as libc::sighandler_t,
        );
    }
}
