//! The one place that writes to stdout and stderr. A reader that goes away
//! (`runbook inventory --graph | head -1`) ends the output quietly, as
//! ripgrep does, instead of a panic or an error message. Every value a vault
//! revealed is masked here, whatever view printed it.

use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once stdout's reader has gone. The command still runs to its end —
/// closing a pager must not stop a rollout halfway — but prints no more.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// `text` on stdout, as is (the caller ends its lines).
pub(super) fn stdout(text: &str) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let text = crate::vault::session::redact(text);
    let mut out = std::io::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    if written.is_err_and(|e| e.kind() == ErrorKind::BrokenPipe) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// One line on stdout.
pub(super) fn stdout_line(line: &str) {
    stdout(&format!("{line}\n"));
}

/// One line on stderr. Nothing is left to tell if stderr itself fails.
pub(super) fn stderr_line(line: &str) {
    let line = crate::vault::session::redact(line);
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Bytes on stdout exactly as given (`runbook vault decrypt`/`view`: the
/// cleartext is what was asked for).
pub(super) fn stdout_bytes(bytes: &[u8]) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    let written = out.write_all(bytes).and_then(|()| out.flush());
    if written.is_err_and(|e| e.kind() == ErrorKind::BrokenPipe) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}
