//! A template that fails at run time, shown as a load-time error is: the
//! `file:line:col` of the expression inside the task, its line with a caret
//! under it, and "did you mean …?" when a close name exists (a variable the
//! host has, a filter or test runbook has). The result's `msg` keeps
//! Ansible's wording; this rides beside it to the reporter.

use std::sync::Arc;

use super::TaskExecutor;
use crate::executor::events::ExplainedError;
use crate::source::{Diagnostic, SourceFile, Span};
use crate::template::{TemplateError, TemplateErrorKind, Unknown};
use crate::value::Value;

impl TaskExecutor<'_> {
    /// Ansible's message for a template that failed in the task; the error
    /// shown at its place is kept for the host's result.
    pub(super) fn template_failure(&self, error: &TemplateError, vars: &Value) -> String {
        self.keep_explained(error, vars);
        super::super::failure_text::template_failure(self.task, error)
    }

    /// As [`template_failure`](Self::template_failure), for a condition.
    pub(super) fn conditional_failure(
        &self,
        condition: &str,
        error: &TemplateError,
        vars: &Value,
    ) -> String {
        self.keep_explained(error, vars);
        super::super::failure_text::conditional_failure(self.task, condition, error)
    }

    fn keep_explained(&self, error: &TemplateError, vars: &Value) {
        let help = self.close_name(error, vars);
        let explained = explain(&self.task.span, error, help);
        if let Ok(mut kept) = self.explained.lock() {
            *kept = Some(explained);
        }
    }

    /// The explanation of the failure just reported, if a template caused it.
    pub(super) fn take_explained(&self) -> Option<ExplainedError> {
        self.explained.lock().ok()?.take()
    }

    fn close_name(&self, error: &TemplateError, vars: &Value) -> Option<String> {
        let (unknown, known): (&str, Vec<String>) = match (&error.kind, &error.unknown) {
            (_, Some(unknown @ (Unknown::Filter(name) | Unknown::Test(name)))) => {
                (name, self.run.templar.known_names(unknown))
            }
            (TemplateErrorKind::Undefined(name), None) if is_plain_name(name) => {
                let names = vars.try_iter().map(|keys| {
                    keys.filter_map(|key| key.as_str().map(str::to_string))
                        .collect()
                });
                (name, names.unwrap_or_default())
            }
            _ => return None,
        };
        crate::source::suggest(unknown, known.iter().map(String::as_str))
            .map(|close| format!("did you mean `{close}`?"))
    }
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The error at the expression's place inside the task starting at `task`
/// (at the task itself when the expression is not written there: it came
/// from a variable defined elsewhere).
pub(super) fn explain(task: &Span, error: &TemplateError, help: Option<String>) -> ExplainedError {
    let message = match &error.unknown {
        Some(Unknown::Filter(name)) => format!("no filter named '{name}'"),
        Some(Unknown::Test(name)) => format!("no test named '{name}'"),
        None => error.message.clone(),
    };
    let span = error
        .expression
        .as_deref()
        .and_then(|expression| find_in_task(task, expression))
        .unwrap_or_else(|| task.clone());
    let mut diagnostic = Diagnostic::runtime(message.clone()).with_span(&span);
    if let Some(help) = &help {
        diagnostic = diagnostic.with_help(help.clone());
    }
    ExplainedError {
        message,
        location: span.location(),
        help,
        rendered: diagnostic.to_string(),
    }
}

/// Where `expression` (its first line) is first written in the task's
/// lines: from the task's first line to the first line indented less
/// than its keys (the next task, or the end of the list).
fn find_in_task(task: &Span, expression: &str) -> Option<Span> {
    let wanted = expression.lines().next()?.trim();
    if wanted.is_empty() {
        return None;
    }
    let file: &Arc<SourceFile> = &task.file;
    let keys_indent = task.column.saturating_sub(1);
    for number in task.line.. {
        let line = file.line(number)?;
        let indent = line.chars().take_while(|c| *c == ' ').count();
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        if number > task.line && !blank && indent < keys_indent {
            return None;
        }
        let from = if number == task.line {
            line.char_indices()
                .nth(keys_indent)
                .map_or(line.len(), |(at, _)| at)
        } else {
            0
        };
        if let Some(found) = line[from..].find(wanted) {
            let column = line[..from + found].chars().count() + 1;
            return Some(Span::new(
                file.clone(),
                number,
                column,
                wanted.chars().count(),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOK: &str = "- hosts: all\n  tasks:\n    - debug:\n        msg: \"{{ app_prot }}\"\n    - debug:\n        msg: \"{{ other | to_jsn }}\"\n";

    fn task_at(line: usize) -> Span {
        Span::new(SourceFile::new("site.yml", BOOK), line, 7, 5)
    }

    #[test]
    fn the_caret_goes_under_the_expression_in_the_task() {
        let explained = explain(
            &task_at(3),
            &TemplateError::undefined("app_prot"),
            Some("did you mean `app_port`?".to_string()),
        );
        assert_eq!(explained.location, "site.yml:4:18");
        assert_eq!(
            explained.rendered,
            "'app_prot' is undefined\n  --> site.yml:4:18\n  |\n4 |         msg: \"{{ app_prot }}\"\n  |                  ^^^^^^^^\n  = help: did you mean `app_port`?"
        );
    }

    #[test]
    fn an_expression_of_another_task_is_not_taken() {
        let mut error = TemplateError::evaluation("boom");
        error.expression = Some("other | to_jsn".to_string());
        assert_eq!(explain(&task_at(3), &error, None).location, "site.yml:3:7");
        assert_eq!(explain(&task_at(5), &error, None).location, "site.yml:6:18");
    }
}
