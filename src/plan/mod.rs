//! A plan: what a check-mode run predicted, host by host and task by task,
//! written by `runbook plan`, shown by `runbook show` and held against a
//! fresh prediction by `runbook play --plan` (docs/plan.md).
//!
//! Drift is decided on each host's *prediction*: the sequence of (task,
//! loop item, status, SHA-256 of the diff). A host whose sequence is the
//! same as in the plan would get exactly the changes that were reviewed;
//! any other host has drifted.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::executor::Status;

/// The version of the plan file's format; a change that breaks readers bumps it.
pub const PLAN_FORMAT: u32 = 1;

/// A plan file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: u32,
    pub created: String,
    pub runbook_version: String,
    pub playbooks: Vec<PlannedPlaybook>,
    pub inventory: Vec<String>,
    pub limit: Option<String>,
    /// Names only: values may be secrets.
    pub extra_vars: Vec<String>,
    /// The playbook's Git repository, if it is in one.
    pub git: Option<crate::report::GitState>,
    pub hosts: Vec<HostPlan>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedPlaybook {
    pub path: String,
    pub sha256: String,
}

impl PlannedPlaybook {
    /// The playbook at `path` (read from `file`) as the plan records it.
    pub fn read(path: &str, file: &std::path::Path) -> Result<Self, String> {
        let content =
            std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        Ok(Self {
            path: path.to_string(),
            sha256: sha256_hex(&content),
        })
    }
}

/// What one host would go through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostPlan {
    pub host: String,
    /// SHA-256 of the host's prediction (see the module's documentation).
    pub fingerprint: String,
    /// How many tasks would change something.
    pub changes: usize,
    pub tasks: Vec<TaskPlan>,
}

/// One task's predicted result on a host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskPlan {
    pub task: String,
    /// `file:line`, relative to the directory the plan was made in.
    pub location: String,
    pub module: String,
    pub status: Status,
    /// `no_log`: the plan keeps no diff, no message, no item labels.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub censored: bool,
    /// The predicted change as a unified diff, secrets masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// Why it failed (failed or unreachable), secrets masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A loop's items, each with its own prediction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ItemPlan>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemPlan {
    pub item: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// The part of a task's prediction drift is decided on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Step<'a> {
    location: &'a str,
    task: &'a str,
    item: Option<&'a str>,
    status: Status,
    diff: Option<String>,
}

impl TaskPlan {
    fn steps(&self) -> Vec<Step<'_>> {
        let mut steps = vec![Step {
            location: &self.location,
            task: &self.task,
            item: None,
            status: self.status,
            diff: self.diff.as_deref().map(sha256_text),
        }];
        steps.extend(self.items.iter().map(|item| Step {
            location: &self.location,
            task: &self.task,
            item: Some(&item.item),
            status: item.status,
            diff: item.diff.as_deref().map(sha256_text),
        }));
        steps
    }

    /// `name (file:line)`, as drift messages name a task.
    fn named(&self) -> String {
        format!("`{}` ({})", self.task, self.location)
    }
}

impl HostPlan {
    /// A host's plan from its tasks, in the order they ran.
    pub fn new(host: String, tasks: Vec<TaskPlan>) -> Self {
        let changes = tasks.iter().filter(|t| t.status == Status::Changed).count();
        let mut plan = Self {
            host,
            fingerprint: String::new(),
            changes,
            tasks,
        };
        plan.fingerprint = plan.compute_fingerprint();
        plan
    }

    fn steps(&self) -> Vec<Step<'_>> {
        self.tasks.iter().flat_map(TaskPlan::steps).collect()
    }

    fn compute_fingerprint(&self) -> String {
        let text = serde_json::to_string(&self.steps()).unwrap_or_default();
        sha256_text(&text)
    }

    /// How `now` (a fresh prediction for the same host) differs from this
    /// plan, in words naming the first task that differs; None when the
    /// predictions are the same.
    pub fn drift(&self, now: &HostPlan) -> Option<String> {
        let (planned, found) = (self.steps(), now.steps());
        if planned == found {
            return None;
        }
        let task_of = |plan: &HostPlan, step: &Step| -> String {
            plan.tasks
                .iter()
                .find(|t| t.location == step.location && t.task == step.task)
                .map_or_else(|| format!("`{}`", step.task), TaskPlan::named)
        };
        let item = |step: &Step| {
            step.item
                .map(|label| format!(" (item {label})"))
                .unwrap_or_default()
        };
        for index in 0..planned.len().max(found.len()) {
            match (planned.get(index), found.get(index)) {
                (Some(was), Some(is)) if was == is => {}
                (Some(was), Some(is))
                    if (was.location, was.task, was.item) == (is.location, is.task, is.item) =>
                {
                    let task = format!("{}{}", task_of(self, was), item(was));
                    return Some(if was.status == is.status {
                        format!("task {task} would now make a different change than the plan shows")
                    } else {
                        format!(
                            "task {task} was planned {}, now it would be {}",
                            status_word(was.status),
                            status_word(is.status)
                        )
                    });
                }
                (Some(was), Some(is)) => {
                    return Some(format!(
                        "task {}{} was planned here, now {}{} runs instead",
                        task_of(self, was),
                        item(was),
                        task_of(now, is),
                        item(is)
                    ));
                }
                (Some(was), None) => {
                    return Some(format!(
                        "task {}{} was planned, now it would not run",
                        task_of(self, was),
                        item(was)
                    ));
                }
                (None, Some(is)) => {
                    return Some(format!(
                        "task {}{} would now run, and it is not in the plan",
                        task_of(now, is),
                        item(is)
                    ));
                }
                (None, None) => break,
            }
        }
        Some("its prediction differs from the plan".to_string())
    }
}

impl Plan {
    /// A plan file read back, refused if it is not one this runbook reads.
    pub fn parse(text: &str, path: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Version {
            format: Option<u32>,
        }
        let version: Version = serde_json::from_str(text)
            .map_err(|e| format!("{path} is not a runbook plan (JSON: {e})"))?;
        match version.format {
            Some(PLAN_FORMAT) => {}
            Some(other) => {
                return Err(format!(
                    "{path} is a plan in format {other}; this runbook reads format {PLAN_FORMAT}"
                ));
            }
            None => return Err(format!("{path} is not a runbook plan (it has no `format`)")),
        }
        serde_json::from_str(text).map_err(|e| format!("{path} is not a runbook plan: {e}"))
    }

    pub fn host(&self, name: &str) -> Option<&HostPlan> {
        self.hosts.iter().find(|h| h.host == name)
    }

    /// The plan as written: pretty JSON, one field order.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn total_changes(&self) -> usize {
        self.hosts.iter().map(|h| h.changes).sum()
    }
}

pub fn status_word(status: Status) -> &'static str {
    match status {
        Status::Ok => "ok",
        Status::Changed => "changed",
        Status::Skipped => "skipped",
        Status::Failed => "failed",
        Status::Unreachable => "unreachable",
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn sha256_text(text: &str) -> String {
    sha256_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(name: &str, status: Status, diff: Option<&str>) -> TaskPlan {
        TaskPlan {
            task: name.into(),
            location: format!("site.yml:{}", name.len()),
            module: "copy".into(),
            status,
            censored: false,
            diff: diff.map(str::to_string),
            message: None,
            items: Vec::new(),
        }
    }

    #[test]
    fn the_same_prediction_has_the_same_fingerprint_and_no_drift() {
        let plan = HostPlan::new(
            "web1".into(),
            vec![task("a", Status::Changed, Some("-x\n+y\n"))],
        );
        let again = HostPlan::new(
            "web1".into(),
            vec![task("a", Status::Changed, Some("-x\n+y\n"))],
        );
        assert_eq!(plan.fingerprint, again.fingerprint);
        assert_eq!(plan.drift(&again), None);
        assert_eq!(plan.changes, 1);
    }

    #[test]
    fn drift_names_the_task_and_what_differs() {
        let plan = HostPlan::new(
            "web1".into(),
            vec![task("config", Status::Changed, Some("-x\n+y\n"))],
        );
        let other_diff = HostPlan::new(
            "web1".into(),
            vec![task("config", Status::Changed, Some("-z\n+y\n"))],
        );
        assert_eq!(
            plan.drift(&other_diff).as_deref(),
            Some(
                "task `config` (site.yml:6) would now make a different change than the plan shows"
            )
        );
        let no_change = HostPlan::new("web1".into(), vec![task("config", Status::Ok, None)]);
        assert_eq!(
            plan.drift(&no_change).as_deref(),
            Some("task `config` (site.yml:6) was planned changed, now it would be ok")
        );
        let fewer = HostPlan::new("web1".into(), Vec::new());
        assert_eq!(
            plan.drift(&fewer).as_deref(),
            Some("task `config` (site.yml:6) was planned, now it would not run")
        );
        assert_ne!(plan.fingerprint, other_diff.fingerprint);
    }

    #[test]
    fn a_plan_of_another_format_is_refused() {
        assert!(Plan::parse(r#"{"format": 2}"#, "p.json").is_err_and(|e| e.contains("format 2")));
        assert!(Plan::parse("[]", "p.json").is_err());
    }
}
