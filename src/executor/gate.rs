//! Which tasks run at all, whatever the host: `--tags`/`--skip-tags`,
//! `--start-at-task` and `--step`.

use std::sync::atomic::{AtomicBool, Ordering};

use super::{RunOptions, TagFilter};
use crate::playbook::Task;

pub(super) struct TaskGate {
    tags: TagFilter,
    start_at: Option<globset::GlobMatcher>,
    start_at_name: Option<String>,
    /// `--start-at-task` found its task.
    started: AtomicBool,
    stepping: AtomicBool,
}

/// The answer to `--step`'s question.
pub(super) enum StepAnswer {
    Yes,
    No,
    /// Yes, and stop asking.
    Continue,
}

impl TaskGate {
    pub(super) fn new(options: &RunOptions) -> Self {
        let start_at_name = options.start_at_task.clone();
        Self {
            tags: options.tags.clone(),
            start_at: start_at_name
                .as_deref()
                .and_then(|name| globset::Glob::new(name).ok())
                .map(|glob| glob.compile_matcher()),
            started: AtomicBool::new(start_at_name.is_none()),
            start_at_name,
            stepping: AtomicBool::new(options.step),
        }
    }

    /// Whether a task or meta with `tags` runs under `--tags`/`--skip-tags`.
    pub(super) fn selects(&self, tags: &[String]) -> bool {
        self.tags.selects(tags)
    }

    /// Whether `task` runs: selected by its tags, at or after
    /// `--start-at-task`, and confirmed under `--step` (`ask` asks).
    pub(super) fn admits(&self, task: &Task, ask: impl FnOnce(&str) -> StepAnswer) -> bool {
        if !self.selects(&task.tags) || !self.reached_start(task) {
            return false;
        }
        if !self.stepping.load(Ordering::SeqCst) {
            return true;
        }
        match ask(task.display_name()) {
            StepAnswer::Yes => true,
            StepAnswer::No => false,
            StepAnswer::Continue => {
                self.stepping.store(false, Ordering::SeqCst);
                true
            }
        }
    }

    /// `--start-at-task`: false until the named task comes, then true for good.
    fn reached_start(&self, task: &Task) -> bool {
        if self.started.load(Ordering::SeqCst) {
            return true;
        }
        let names = [task.display_name().to_string(), task.banner_name()];
        let matches = names.iter().any(|name| {
            self.start_at_name.as_deref() == Some(name.as_str())
                || self
                    .start_at
                    .as_ref()
                    .is_some_and(|glob| glob.is_match(name))
        });
        if matches {
            self.started.store(true, Ordering::SeqCst);
        }
        matches
    }
}
