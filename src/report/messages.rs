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

/// What a Ctrl-C during a run does, with the hosts still running (one
/// line each) after the first.
pub(super) fn interrupted(count: usize, running: &[String]) -> String {
    if count > 1 {
        return "Interrupted again: stopping the commands on the hosts".to_string();
    }
    let grace = crate::interruption::GRACE.as_secs();
    let mut message = format!(
        "Interrupted: no new task will start; running tasks have {grace} s to finish (interrupt again to stop them now)"
    );
    if !running.is_empty() {
        message.push_str(". Still running:");
        for line in running {
            message.push_str(&format!("\n  {line}"));
        }
    }
    message
}

/// A template failure at its place, as a load-time error is shown; hosts
/// failing the same way after it (`last` was shown last) show it once.
pub(super) fn explain(result: &crate::executor::HostResult, last: &mut Option<String>) {
    let Some(error) = &result.error else { return };
    if last.as_ref() == Some(&error.rendered) {
        return;
    }
    output::stdout_line(&format!(
        "{} {}",
        style::error().apply_to("ERROR!"),
        error.rendered
    ));
    *last = Some(error.rendered.clone());
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
