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
