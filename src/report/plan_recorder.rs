//! `runbook plan` and `play --plan`: an observer that turns the events of a
//! check-mode run into each host's predicted tasks (see `plan/`).

use std::collections::HashMap;

use super::Observer;
use super::diff_view::render_diffs;
use crate::executor::{Event, HostResult, Status};
use crate::plan::{HostPlan, ItemPlan, TaskPlan};
use crate::value::Value;

/// Collects each host's results, in the order they came.
#[derive(Default)]
pub struct PlanRecorder {
    /// Task locations are written relative to this directory (with a `/`).
    base: String,
    /// Hosts in the order their plays first named them.
    hosts: Vec<(String, Vec<TaskPlan>)>,
    /// A loop's items, until the task's own result arrives.
    items: HashMap<(String, String), Vec<ItemPlan>>,
}

impl PlanRecorder {
    pub fn new(base: &std::path::Path) -> Self {
        let mut base = base.display().to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        Self {
            base,
            ..Self::default()
        }
    }

    /// Each host's plan, in the order the hosts were first played.
    pub fn finish(self) -> Vec<HostPlan> {
        self.hosts
            .into_iter()
            .map(|(host, tasks)| HostPlan::new(host, tasks))
            .collect()
    }

    fn host(&mut self, name: &str) -> &mut Vec<TaskPlan> {
        let index = match self.hosts.iter().position(|(host, _)| host == name) {
            Some(index) => index,
            None => {
                self.hosts.push((name.to_string(), Vec::new()));
                self.hosts.len() - 1
            }
        };
        &mut self.hosts[index].1
    }

    /// `file:line`, relative to the plan's directory: plans are applied
    /// from other checkouts (another CI job), so no absolute path.
    fn location(&self, location: &str) -> String {
        let relative = location.strip_prefix(&self.base).unwrap_or(location);
        match relative.rsplit_once(':') {
            Some((file_line, column)) if column.chars().all(|c| c.is_ascii_digit()) => {
                file_line.to_string()
            }
            _ => relative.to_string(),
        }
    }

    /// The result's diffs as `--diff` shows them, every vault secret
    /// masked, and controller paths in the headers (a template's source)
    /// relative: a plan made in one checkout holds in another.
    fn diff_text(&self, result: &Value) -> Option<String> {
        let diff = render_diffs(result);
        if diff.is_empty() {
            return None;
        }
        let diff = crate::vault::session::redact(&diff);
        let mut text = String::with_capacity(diff.len());
        for line in diff.split_inclusive('\n') {
            if line.starts_with("--- ") || line.starts_with("+++ ") {
                text.push_str(&line.replace(&self.base, ""));
            } else {
                text.push_str(line);
            }
        }
        Some(text)
    }

    fn task(&self, result: &HostResult, items: Vec<ItemPlan>) -> TaskPlan {
        let censored = is_censored(&result.result);
        let failed = matches!(result.status, Status::Failed | Status::Unreachable);
        TaskPlan {
            task: result.task.clone(),
            location: self.location(&result.location),
            module: result.module.clone(),
            status: result.status,
            censored,
            diff: (!censored)
                .then(|| self.diff_text(&result.result))
                .flatten(),
            message: (failed && !censored)
                .then(|| message(&result.result))
                .flatten(),
            items,
        }
    }
}

impl Observer for PlanRecorder {
    fn observe(&mut self, event: &Event) {
        match event {
            Event::PlayStart { hosts, .. } => {
                for host in hosts {
                    self.host(host);
                }
            }
            Event::ItemResult(result) => {
                let censored = is_censored(&result.result);
                let item = ItemPlan {
                    // Under no_log the label is censored by the executor already.
                    item: result.item.clone().unwrap_or_default(),
                    status: result.status,
                    diff: (!censored)
                        .then(|| self.diff_text(&result.result))
                        .flatten(),
                };
                self.items
                    .entry((result.host.clone(), result.location.clone()))
                    .or_default()
                    .push(item);
            }
            Event::HostResult(result) => {
                let items = self
                    .items
                    .remove(&(result.host.clone(), result.location.clone()))
                    .unwrap_or_default();
                let task = self.task(result, items);
                self.host(&result.host).push(task);
            }
            _ => {}
        }
    }
}

fn is_censored(result: &Value) -> bool {
    result
        .get_attr("censored")
        .is_ok_and(|value| !value.is_undefined())
}

fn message(result: &Value) -> Option<String> {
    let msg = result.get_attr("msg").ok()?;
    if msg.is_undefined() || msg.is_none() {
        return None;
    }
    let text = msg.as_str().map_or_else(|| msg.to_string(), str::to_string);
    Some(crate::vault::session::redact(&text).into_owned())
}
