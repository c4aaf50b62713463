//! `yes`, `no`, `on` and `off` are booleans to YAML 1.1: given to an argument
//! that takes text (`line: no`, `value: on`), the module gets `True` or
//! `False`, as Ansible warns.

use super::finding::{Code, Finding};
use super::structure::{Entry, module_call, written};
use crate::yaml::NodeKind;

/// Arguments that take text in the modules runbook has; a boolean there is
/// turned into the words `True`/`False`.
const TEXT_ARGUMENTS: [&str; 16] = [
    "content", "line", "value", "msg", "name", "owner", "group", "password", "regexp", "option",
    "section", "comment", "key", "text", "question", "replace",
];

pub(super) fn check(entries: &[Entry], findings: &mut Vec<Finding>) {
    for entry in entries {
        let Entry::Task(task) = entry else { continue };
        let Some(call) = module_call(task) else {
            continue;
        };
        let spec = call.module.spec();
        if spec.any_name {
            continue;
        }
        for (key, value) in call.args {
            let name = key.key_text();
            let canonical = spec.canonical(&name).unwrap_or(name.as_str());
            if !TEXT_ARGUMENTS.contains(&canonical) {
                continue;
            }
            let NodeKind::Bool(truth) = value.kind else {
                continue;
            };
            let Some(text) = written(value) else { continue };
            if !matches!(
                text.to_ascii_lowercase().as_str(),
                "yes" | "no" | "on" | "off"
            ) {
                continue;
            }
            let word = if truth { "True" } else { "False" };
            findings.push(
                Finding::warning(
                    Code::StringBoolean,
                    format!(
                        "`{name}: {text}` is the boolean {} to YAML 1.1, so `{}` gets the text `{word}`, not `{text}`",
                        truth,
                        call.module.name()
                    ),
                    &value.span,
                )
                .with_help(format!("quote it: `{name}: \"{text}\"`")),
            );
        }
    }
}
