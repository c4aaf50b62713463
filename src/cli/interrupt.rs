//! Ctrl-C ends the run with Ansible's exit code 99 and a word about it.

extern "C" fn on_interrupt(_signal: libc::c_int) {
    const MESSAGE: &[u8] = b"\n[ERROR]: User interrupted execution\n";
    // SAFETY: write(2) and _exit(2) are async-signal-safe.
    unsafe {
        libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::_exit(super::ExitCode::Interrupted as i32);
    }
}

pub fn exit_on_interrupt() {
    // SAFETY: installs a handler that only calls async-signal-safe functions.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_interrupt as *const () as libc::sighandler_t,
        );
    }
}
