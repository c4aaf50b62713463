//! The executor's entry points: a whole playbook, or one ad-hoc task.

use std::sync::Arc;
use std::sync::mpsc::Sender;

use super::RunOptions;
use super::play_runner::{PlayEnd, run_play};
use super::run::{Run, RunSummary};
use super::workers::Workers;
use super::{Event, Question};
use crate::inventory::Inventory;
use crate::playbook::{Playbook, Task};
use crate::source::Diagnostic;

/// Run every play of `playbook`, sending events as they happen.
pub fn run_playbook(
    playbook: &Playbook,
    inventory: Arc<Inventory>,
    options: RunOptions,
    events: Sender<Event>,
) -> Result<RunSummary, Diagnostic> {
    let _questions = questions_through(&events);
    let pool = Workers::new(options.forks);
    let run = Run::new(inventory, options, playbook.dir.clone(), events)?;
    for play in &playbook.plays {
        if crate::interruption::stop_scheduling()
            || run_play(&run, play, &pool)? == PlayEnd::EndPlaybook
        {
            break;
        }
    }
    run.close_connections();
    let summary = run.summary();
    if let Some(path) = &run.options.retry_file {
        write_retry_file(&run, path, &summary);
    }
    run.emit(Event::Recap {
        hosts: summary.stats.iter().map(|(h, s)| (h.clone(), *s)).collect(),
    });
    Ok(summary)
}

/// List the failed and unreachable hosts in `path` (as Ansible: sorted, one
/// per line, only when there are some); a file that cannot be written is a
/// warning, not a failed run.
fn write_retry_file(run: &Run, path: &std::path::Path, summary: &RunSummary) {
    let mut hosts: Vec<&str> = summary
        .stats
        .iter()
        .filter(|(_, stats)| stats.failed > 0 || stats.unreachable > 0)
        .map(|(host, _)| host.as_str())
        .collect();
    if hosts.is_empty() {
        return;
    }
    hosts.sort_unstable();
    let text: String = hosts.iter().map(|host| format!("{host}\n")).collect();
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(path, text));
    run.emit(match written {
        Ok(()) => Event::RetryFile {
            path: path.display().to_string(),
        },
        Err(e) => Event::Warning {
            message: format!("Could not create retry file '{}'. {e}", path.display()),
        },
    });
}

/// `runbook run PATTERN -m MODULE -a ARGS`: one task on every matching host.
pub fn run_adhoc(
    pattern: &str,
    task: Task,
    inventory: Arc<Inventory>,
    options: RunOptions,
    events: Sender<Event>,
) -> Result<RunSummary, Diagnostic> {
    let mut play = crate::playbook::Play::new(pattern.to_string(), task.span.clone());
    play.name = Some(format!("Ansible Ad-Hoc {pattern}"));
    play.keywords.gather_facts = false;
    play.tasks = vec![crate::playbook::Step::Task(Box::new(task))];
    let _questions = questions_through(&events);
    let pool = Workers::new(options.forks);
    let cwd = std::env::current_dir().unwrap_or_default();
    let run = Run::new(inventory, options, cwd, events)?;
    run_play(&run, &play, &pool)?;
    run.close_connections();
    Ok(run.summary())
}

/// While the run lasts, questions (`--step`, `vars_prompt`, passphrases)
/// travel the event stream, so the reporter asks them in order.
fn questions_through(events: &Sender<Event>) -> crate::terminal::Route {
    let events = events.clone();
    crate::terminal::Route::install(move |text, echo| {
        let (question, answer) = Question::new(text, echo);
        events.send(Event::Question(question)).ok()?;
        answer.recv().ok().flatten()
    })
}
