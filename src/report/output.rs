//! The one place that writes to stdout and stderr. A reader that goes away
//! (`runbook inventory --graph | head -1`) ends the output quietly, as
//! ripgrep does, instead of a panic or an error message. Every value a vault
//! revealed is masked here, whatever view printed it.

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

/// Set once stdout's reader has gone. The command still runs to its end —
/// closing a pager must not stop a rollout halfway — but prints no more.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// ansible.cfg's `log_path`: everything shown, also appended there.
static LOG: OnceLock<Mutex<File>> = OnceLock::new();

/// The live view's bars while they are drawn: what is printed clears them
/// first and draws them again under it, so output scrolls above the bars.
static LIVE: Mutex<Option<indicatif::MultiProgress>> = Mutex::new(None);

pub(super) fn draw_live(bars: Option<indicatif::MultiProgress>) {
    *LIVE.lock().unwrap_or_else(PoisonError::into_inner) = bars;
}

fn above_live(write: impl FnOnce()) {
    let live = LIVE.lock().unwrap_or_else(PoisonError::into_inner).clone();
    match live {
        Some(bars) => bars.suspend(write),
        None => write(),
    }
}

/// `ask` with the bars cleared, and not drawn again until it has its
/// answer (a prompt must not be overdrawn while someone types).
pub(super) fn with_live_hidden<R>(ask: impl FnOnce() -> R) -> R {
    let live = LIVE.lock().unwrap_or_else(PoisonError::into_inner).take();
    let Some(bars) = live else { return ask() };
    let _ = bars.clear();
    let answer = ask();
    draw_live(Some(bars));
    answer
}

/// Also log what is shown to `path`, as Ansible's `log_path` does. A log
/// that cannot be opened is not an error (as in Ansible); it is said.
pub(super) fn log_to(path: &Path) -> Result<(), String> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot write the log file {}: {e}", path.display()))?;
    let _ = LOG.set(Mutex::new(file));
    Ok(())
}

/// Each line as Python's logging writes it for Ansible:
/// `2026-12-02 03:04:05,678 p=PID u=USER n=ansible INFO| text`.
fn log(text: &str, level: &str) {
    let Some(log) = LOG.get() else {
        return;
    };
    let now = crate::local_time::LocalTime::of(std::time::SystemTime::now());
    let stamp = now.map_or_else(String::new, |t| {
        format!("{},{:03}", t.date_and_time(), t.micros / 1000)
    });
    let user = ["LOGNAME", "USER", "LNAME", "USERNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|name| !name.is_empty()))
        .unwrap_or_else(|| format!("uid={}", current_uid()));
    let pid = std::process::id();
    let plain = console::strip_ansi_codes(text);
    let mut lines = String::new();
    for line in plain.trim_start_matches('\n').lines() {
        lines.push_str(&format!(
            "{stamp} p={pid} u={user} n=ansible {level}| {line}\n"
        ));
    }
    if let Ok(mut file) = log.lock() {
        // A full disk must not stop a rollout: the log is best effort.
        let _ = file.write_all(lines.as_bytes());
    }
}

fn current_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or(0, |meta| meta.uid())
}

/// `text` on stdout, as is (the caller ends its lines).
pub(super) fn stdout(text: &str) {
    let text = crate::vault::session::redact(text);
    log(&text, "INFO");
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    above_live(|| {
        let mut out = std::io::stdout().lock();
        let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        if written.is_err_and(|e| e.kind() == ErrorKind::BrokenPipe) {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
        }
    });
}

/// One line on stdout.
pub(super) fn stdout_line(line: &str) {
    stdout(&format!("{line}\n"));
}

/// One line on stderr. Nothing is left to tell if stderr itself fails.
pub(super) fn stderr_line(line: &str) {
    let line = crate::vault::session::redact(line);
    let plain = console::strip_ansi_codes(&line);
    log(
        &line,
        if plain.starts_with("[WARNING]") {
            "WARNING"
        } else {
            "ERROR"
        },
    );
    above_live(|| {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    });
}

/// Text on stderr without a newline (a prompt); never logged.
pub(super) fn stderr_text(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
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
