//! Run the executor on its own thread while this thread reports its events,
//! so output never interleaves and workers never print.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::cli::Outcome;
use crate::executor::{Event, RunSummary};
use crate::report::Reporter;
use crate::source::{Diagnostic, ErrorKind};

/// How often a view hears that time passed when no event came.
const TICK: Duration = Duration::from_millis(100);

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
    let mut last_tick = Instant::now();
    let mut signals_told = 0;
    loop {
        match receiver.recv_timeout(TICK.saturating_sub(last_tick.elapsed())) {
            Ok(Event::Question(question)) => {
                question.answer(reporter.ask(&question.text, question.echo));
            }
            Ok(event) => reporter.event(&event),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        // Also while events stream without a pause.
        if last_tick.elapsed() >= TICK {
            let signals = crate::interruption::signals();
            for count in signals_told + 1..=signals {
                reporter.interrupted(count);
            }
            signals_told = signals;
            reporter.tick();
            last_tick = Instant::now();
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
