//! Everything runbook prints goes through a [`Reporter`]: the terminal view
//! Ansible users know, the ad-hoc view, or JSON lines for CI. Only
//! `output.rs` here writes to stdout and stderr; clippy denies it elsewhere.

mod adhoc;
mod banner;
mod connection_view;
mod diff_view;
mod failure_summary;
mod findings;
mod human;
mod journal;
mod json;
mod junit;
mod listing;
mod live;
mod messages;
mod oneline;
mod output;
mod plan_gate;
mod plan_recorder;
mod plan_view;
mod readable;
mod recap;
mod style;
mod tee;
mod tree;

pub use adhoc::AdhocReporter;
pub use findings::FindingsFormat;
pub use human::HumanReporter;
pub use journal::{
    GitState, JOURNAL_FORMAT, Journal, JournalWriter, RunHeader, find_journal, journal_dir,
    list_journals, new_run_id, now,
};
pub use json::JsonReporter;
pub use junit::JunitReport;
pub use listing::{
    ConfigSetting, GraphHost, GroupTree, LabHostState, Listing, PlayOutline, PlaybookOutline,
    RunLine, TaskOutline,
};
pub use messages::ask_on_stdin;
pub use plan_gate::{Silent, WithRefusedHosts};
pub use plan_recorder::PlanRecorder;
pub use plan_view::{PlanFormat, plan_summary, render_plan};

pub use tee::{Observer, Tee};
pub use tree::TreeWriter;

use crate::executor::Event;
use crate::source::Diagnostic;

/// How everything shown is shown, decided once before any reporter exists:
/// colours (`None`: on terminals) and ansible.cfg's `log_path`.
pub fn configure(color: Option<bool>, log_path: Option<&std::path::Path>) -> Result<(), String> {
    style::init_colors(color);
    log_path.map_or(Ok(()), output::log_to)
}

/// Renders what the executor and the commands report.
pub trait Reporter {
    fn event(&mut self, event: &Event);

    // The terminal views (human, ad-hoc) share how they show these; the
    // JSON reporter overrides them.

    /// An error that ends the run (a broken playbook, bad options...).
    fn error(&mut self, diagnostic: &Diagnostic) {
        messages::error(diagnostic);
    }

    /// Something worth knowing that does not stop the command.
    fn warning(&mut self, message: &str) {
        messages::warning(message);
    }

    /// What `--syntax-check`, `--list-*`, `inventory` and `lab` show.
    fn listing(&mut self, listing: &Listing) {
        messages::listing(listing);
    }

    /// What `runbook check` found, in the format asked for (on stdout).
    fn findings(&mut self, report: &crate::lint::LintReport, format: FindingsFormat) {
        output::stdout(&findings::render(report, format));
    }

    /// A one-line account of what a command did (`lab ... is up`).
    fn notice(&mut self, message: &str) {
        messages::notice(message);
    }

    /// Bytes a command was asked to produce, on stdout as they are
    /// (`runbook vault view`, `decrypt --output -`, `encrypt_string`).
    fn data(&mut self, bytes: &[u8]) {
        output::stdout_bytes(bytes);
    }

    /// Ask the person at the terminal, after everything reported so far.
    fn ask(&mut self, question: &str, echo: bool) -> Option<String> {
        output::with_live_hidden(|| crate::terminal::ask_on_terminal(question, echo))
    }

    /// The `count`th Ctrl-C (or SIGTERM) of the run arrived.
    fn interrupted(&mut self, count: usize) {
        self.warning(&messages::interrupted(count, &[]));
    }

    /// Time passed without an event (about ten times a second while a run
    /// is reported): for views that show time going by.
    fn tick(&mut self) {}
}
