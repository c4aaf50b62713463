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
    /// masked, and a controller path on the `after` side (a template's
    /// source) made relative: a plan made in one checkout holds in another.
    /// The host's paths stay as they are, even when the host is this machine.
    fn diff_text(&self, result: &Value) -> Option<String> {
        let diff = render_diffs(result);
        if diff.is_empty() {
            return None;
        }
        let diff = crate::vault::session::redact(&diff);
        let mut text = String::with_capacity(diff.len());
        let mut before = "";
        for line in diff.split_inclusive('\n') {
            if let Some(header) = line.strip_prefix("--- ") {
                before = header.strip_prefix("before: ").unwrap_or(header).trim_end();
            }
            match line.strip_prefix("+++ after: ") {
                Some(after) if after.trim_end() != before => {
                    text.push_str("+++ after: ");
                    text.push_str(after.strip_prefix(&self.base).unwrap_or(after));
                }
                _ => text.push_str(line),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::map_from_pairs;

    fn result(host: &str, status: Status, item: Option<&str>, value: Value) -> HostResult {
        HostResult {
            host: host.into(),
            task: "render".into(),
            location: "/work/repo/roles/app/tasks/main.yml:3:7".into(),
            status,
            ignored: false,
            item: item.map(str::to_string),
            delegated_to: None,
            result: value,
            module: "template".into(),
            shown_in_full: false,
            error: None,
        }
    }

    fn with_diff(before: &str, after: &str) -> Value {
        map_from_pairs([
            ("changed", Value::from(true)),
            (
                "diff",
                map_from_pairs([
                    ("before", Value::from(before)),
                    ("after", Value::from(after)),
                    ("before_header", Value::from("/work/repo/app.conf")),
                    (
                        "after_header",
                        Value::from("/work/repo/roles/app/templates/app.j2"),
                    ),
                ]),
            ),
        ])
    }

    #[test]
    fn a_loop_becomes_one_task_with_its_items_and_paths_are_relative() {
        let mut recorder = PlanRecorder::new(std::path::Path::new("/work/repo"));
        recorder.observe(&Event::PlayStart {
            name: "all".into(),
            hosts: vec!["web1".into(), "web2".into()],
            strategy: "linear".into(),
        });
        let item = result("web1", Status::Changed, Some("a"), with_diff("", "a\n"));
        recorder.observe(&Event::ItemResult(item));
        let summary = result("web1", Status::Changed, None, Value::from(()));
        recorder.observe(&Event::HostResult(summary));
        let hosts = recorder.finish();
        assert_eq!(hosts.len(), 2, "a host with no result is still planned");
        let task = &hosts[0].tasks[0];
        assert_eq!(task.location, "roles/app/tasks/main.yml:3");
        assert_eq!(task.items.len(), 1);
        let diff = task.items[0].diff.as_deref().unwrap_or_default();
        assert!(
            diff.starts_with(
                "--- before: /work/repo/app.conf\n+++ after: roles/app/templates/app.j2\n"
            ),
            "the host's path stays, the controller's is relative: {diff}"
        );
        assert_eq!(hosts[0].changes, 1);
        assert!(hosts[1].tasks.is_empty());
    }

    #[test]
    fn no_log_and_vault_secrets_stay_out_of_the_plan() {
        crate::vault::session::reveal("vaulted-password-123");
        let mut recorder = PlanRecorder::new(std::path::Path::new("/work/repo"));
        let shown = with_diff("", "password=vaulted-password-123\n");
        recorder.observe(&Event::HostResult(result(
            "web1",
            Status::Changed,
            None,
            shown,
        )));
        let censored = map_from_pairs([
            ("changed", Value::from(true)),
            ("censored", Value::from("hidden")),
        ]);
        recorder.observe(&Event::HostResult(result(
            "web1",
            Status::Changed,
            None,
            censored,
        )));
        let hosts = recorder.finish();
        let json = serde_json::to_string(&hosts).unwrap_or_default();
        assert!(!json.contains("vaulted-password-123"), "{json}");
        assert!(json.contains("password=********"), "{json}");
        let hidden = &hosts[0].tasks[1];
        assert!(hidden.censored && hidden.diff.is_none() && hidden.message.is_none());
    }
}
