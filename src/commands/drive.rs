//! Run the executor on its own thread while this thread reports its events,
//! so output never interleaves and workers never print.

use std::sync::mpsc;

use crate::cli::Outcome;
use crate::executor::{Event, RunSummary};
use crate::report::Reporter;
use crate::source::{Diagnostic, ErrorKind};

/// Report the events of `work` as they come; its error, if any, is the
/// caller's to report (after every event before it).
pub(super) fn drive<F>(reporter: &mut dyn Reporter, work: F) -> Result<Outcome, Diagnostic>
where
    F: FnOnce(mpsc::Sender<Event>) -> Result<RunSummary, Diagnostic> + Send + 'static,
{
    let (sender, receiver) = mpsc::channel();
    let _active = crate::interruption::run_active();
    let worker = std::thread::Builder::new()
        .name("runbook-executor".into())
        .spawn(move || work(sender))
        .map_err(|e| Diagnostic::runtime(format!("cannot start the executor: {e}")))?;
    for event in receiver {
        match &event {
            Event::Question(question) => {
                question.answer(reporter.ask(&question.text, question.echo));
            }
            _ => reporter.event(&event),
        }
    }
    match worker.join() {
        Ok(Ok(_)) if crate::interruption::stop_scheduling() => {
            Err(Diagnostic::new("User interrupted execution").with_kind(ErrorKind::Interrupted))
        }
        Ok(result) => result.map(|summary| Outcome::of_run(&summary)),
        Err(_) => Err(Diagnostic::runtime(
            "internal error: the executor stopped unexpectedly (please report it)",
        )),
    }
}
