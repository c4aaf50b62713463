//! Everything runbook prints goes through a [`Reporter`]: the terminal view
//! Ansible users know, the ad-hoc view, or JSON lines for CI.

mod adhoc;
mod banner;
mod diff_view;
mod human;
mod json;
mod readable;
mod recap;
mod style;

pub use adhoc::AdhocReporter;
pub use human::HumanReporter;
pub use json::JsonReporter;

use crate::executor::Event;
use crate::source::Diagnostic;

/// Renders what the executor reports.
pub trait Reporter {
    fn event(&mut self, event: &Event);

    /// An error that ends the run (a broken playbook, bad options...).
    fn error(&mut self, diagnostic: &Diagnostic);

    /// Ask the person at the terminal, after everything reported so far.
    fn ask(&mut self, question: &str, echo: bool) -> Option<String> {
        crate::terminal::ask_on_terminal(question, echo)
    }
}
