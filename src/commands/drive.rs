//! Run the executor on its own thread while this thread reports its events,
//! so output never interleaves and workers never print.

use std::sync::mpsc;

use crate::cli::ExitCode;
use crate::cli::args::OutputFormat;
use crate::executor::{Event, RunSummary};
use crate::report::{JsonReporter, Reporter};
use crate::source::Diagnostic;

pub fn drive<F>(reporter: &mut dyn Reporter, work: F) -> ExitCode
where
    F: FnOnce(mpsc::Sender<Event>) -> Result<RunSummary, Diagnostic> + Send + 'static,
{
    let (sender, receiver) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .name("runbook-executor".into())
        .spawn(move || work(sender));
    let worker = match worker {
        Ok(worker) => worker,
        Err(e) => {
            reporter.error(&Diagnostic::new(format!("cannot start the executor: {e}")));
            return ExitCode::Error;
        }
    };
    for event in receiver {
        match &event {
            Event::Question(question) => {
                question.answer(reporter.ask(&question.text, question.echo));
            }
            _ => reporter.event(&event),
        }
    }
    match worker.join() {
        Ok(Ok(summary)) => ExitCode::from_summary(&summary),
        Ok(Err(diagnostic)) => {
            reporter.error(&diagnostic);
            ExitCode::Error
        }
        Err(_) => {
            reporter.error(&Diagnostic::new(
                "internal error: the executor stopped unexpectedly (please report it)",
            ));
            ExitCode::Error
        }
    }
}

/// The reporter for `format`, or `human` when the caller's own view applies.
pub fn reporter(
    format: OutputFormat,
    human: impl FnOnce() -> Box<dyn Reporter>,
) -> Box<dyn Reporter> {
    match format {
        OutputFormat::Json => Box::new(JsonReporter),
        OutputFormat::Human => human(),
    }
}
