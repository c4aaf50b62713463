//! Module outcomes in Ansible's result shape, and the status they earn.

use super::Status;
use crate::modules::Outcome;
use crate::value::{Value, VarMap, map_value};

pub(super) const NO_LOG_MESSAGE: &str =
    "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/// A result on its way to the reporter and to `register`.
#[derive(Debug, Clone)]
pub(super) struct TaskResult {
    pub fields: VarMap,
    pub unreachable: bool,
}

impl TaskResult {
    pub(super) fn from_outcome(outcome: Outcome) -> Self {
        let mut fields = VarMap::new();
        fields.insert("changed".into(), Value::from(outcome.changed));
        fields.extend(outcome.data);
        if let Some(msg) = outcome.msg {
            fields.insert("msg".into(), Value::from(msg));
        }
        fields.insert("failed".into(), Value::from(outcome.failed));
        if outcome.skipped {
            fields.insert("skipped".into(), Value::from(true));
        }
        Self {
            fields,
            unreachable: false,
        }
    }

    pub(super) fn failed(msg: impl Into<String>) -> Self {
        Self::from_outcome(Outcome::failed(msg))
    }

    pub(super) fn unreachable(msg: impl Into<String>) -> Self {
        let mut result = Self::failed(msg);
        result
            .fields
            .insert("unreachable".into(), Value::from(true));
        result.unreachable = true;
        result
    }

    /// A task skipped by its `when:`.
    pub(super) fn skipped_by(condition: &str) -> Self {
        let mut result = Self::skipped("Conditional result was False");
        result
            .fields
            .insert("false_condition".into(), Value::from(condition));
        result
    }

    /// A task skipped, and why.
    pub(super) fn skipped(reason: &str) -> Self {
        let mut fields = VarMap::new();
        fields.insert("changed".into(), Value::from(false));
        fields.insert("skipped".into(), Value::from(true));
        fields.insert("skip_reason".into(), Value::from(reason));
        Self {
            fields,
            unreachable: false,
        }
    }

    pub(super) fn flag(&self, key: &str) -> bool {
        self.fields.get(key).is_some_and(Value::is_true)
    }

    pub(super) fn set_flag(&mut self, key: &str, value: bool) {
        self.fields.insert(key.into(), Value::from(value));
    }

    pub(super) fn status(&self) -> Status {
        if self.unreachable {
            Status::Unreachable
        } else if self.flag("failed") {
            Status::Failed
        } else if self.flag("skipped") {
            Status::Skipped
        } else if self.flag("changed") {
            Status::Changed
        } else {
            Status::Ok
        }
    }

    pub(super) fn value(&self) -> Value {
        map_value(self.fields.clone())
    }

    /// The result as `register` keeps it: without Ansible's internal
    /// `_ansible_*` keys, in the result and in each loop item's.
    pub(super) fn registered(&self) -> Value {
        map_value(without_internal_keys(&self.fields))
    }

    /// What may be shown of the result under `no_log`.
    pub(super) fn censored(&self) -> Value {
        let mut fields = VarMap::new();
        fields.insert("censored".into(), Value::from(NO_LOG_MESSAGE));
        for key in ["changed", "failed", "skipped", "unreachable"] {
            if let Some(value) = self.fields.get(key) {
                fields.insert(key.into(), value.clone());
            }
        }
        map_value(fields)
    }
}

fn without_internal_keys(fields: &VarMap) -> VarMap {
    fields
        .iter()
        .filter(|(key, _)| !key.starts_with("_ansible"))
        .map(|(key, value)| {
            let value = match (key.as_str(), value.kind()) {
                ("results", minijinja::value::ValueKind::Seq) => value
                    .try_iter()
                    .map(|items| {
                        items
                            .map(|item| match item.kind() {
                                minijinja::value::ValueKind::Map => map_value(
                                    without_internal_keys(&crate::value::to_var_map(&item)),
                                ),
                                _ => item,
                            })
                            .collect()
                    })
                    .unwrap_or_else(|_| value.clone()),
                _ => value.clone(),
            };
            (key.clone(), value)
        })
        .collect()
}

/// The result of a loop: every item's result under `results`.
pub(super) fn loop_result(items: Vec<TaskResult>) -> TaskResult {
    let any = |key: &str| items.iter().any(|item| item.flag(key));
    let all_skipped = !items.is_empty() && items.iter().all(|item| item.flag("skipped"));
    let mut fields = VarMap::new();
    fields.insert("changed".into(), Value::from(any("changed")));
    fields.insert("failed".into(), Value::from(any("failed")));
    fields.insert(
        "msg".into(),
        Value::from(if any("failed") {
            "One or more items failed"
        } else {
            "All items completed"
        }),
    );
    if all_skipped || items.is_empty() {
        fields.insert("skipped".into(), Value::from(true));
        if items.is_empty() {
            fields.insert("skipped_reason".into(), Value::from("No items in the list"));
        }
    }
    let unreachable = items.iter().any(|item| item.unreachable);
    fields.insert(
        "results".into(),
        items.iter().map(TaskResult::value).collect(),
    );
    TaskResult {
        fields,
        unreachable,
    }
}
