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

pub(super) fn warning(message: &str) {
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
