//! The lines both terminal views (playbook and ad-hoc) print the same way:
//! errors, warnings, notices and listings.

use super::listing::{Listing, render};
use super::{output, style};
use crate::source::Diagnostic;

pub(super) fn error(diagnostic: &Diagnostic) {
    output::stderr_line(&format!(
        "{} {diagnostic}",
        style::error().apply_to("ERROR!")
    ));
}

/// A warning, once per message for the whole command, as Ansible's display
/// deduplicates them (the same warning from every host shows once).
pub(super) fn warning(message: &str) {
    static SHOWN: std::sync::Mutex<Option<std::collections::HashSet<String>>> =
        std::sync::Mutex::new(None);
    let mut shown = SHOWN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !shown.get_or_insert_default().insert(message.to_string()) {
        return;
    }
    drop(shown);
    output::stderr_line(
        &style::warning()
            .apply_to(format!("[WARNING]: {message}"))
            .to_string(),
    );
}

pub(super) fn notice(message: &str) {
    output::stdout_line(message);
}

pub(super) fn listing(listing: &Listing) {
    output::stdout(&render(listing));
}

/// A password asked without a terminal, as Ansible's `getpass` falls back:
/// `Warning: Password input may be echoed.` and the prompt on stderr, then
/// one line read from stdin. `None` when stdin ends before a line.
pub fn ask_on_stdin(prompt: &str) -> Option<String> {
    use std::io::BufRead;
    output::stderr_text(&format!("Warning: Password input may be echoed.\n{prompt}"));
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    output::stderr_text("\n");
    read.ok().filter(|n| *n > 0)?;
    Some(line.trim_end_matches(['\n', '\r']).to_string())
}
