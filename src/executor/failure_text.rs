//! Ansible's wording for templates and conditions that failed inside a
//! task, with where the task is.

use crate::playbook::Task;
use crate::template::take_inner_error;
use crate::template::{TemplateError, TemplateErrorKind};

/// Ansible's wording for a template that failed inside a task, with where the task is.
pub(super) fn template_failure(task: &Task, error: &TemplateError) -> String {
    let detail = match (&error.kind, take_inner_error()) {
        (TemplateErrorKind::Undefined(_), Some(inner)) => inner,
        _ => error.to_string(),
    };
    format!(
        "The task includes an option with an undefined variable or a template error. The error was: {detail}\n\nThe error appears to be in '{}' (task '{}')",
        task.span.location(),
        task.display_name()
    )
}

pub(super) fn conditional_failure(task: &Task, condition: &str, error: &TemplateError) -> String {
    let detail = take_inner_error().unwrap_or_else(|| error.to_string());
    format!(
        "The conditional check '{condition}' failed. The error was: {detail}\n\nThe error appears to be in '{}' (task '{}')",
        task.span.location(),
        task.display_name()
    )
}
