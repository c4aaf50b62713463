//! Variables templates read that nothing defines (see definitions.rs).
//! Only a warning: extra vars, inventories not named and facts of hosts
//! are out of sight. A name guarded by `default` or `is defined` is fine.

use std::collections::BTreeSet;

use super::definitions::is_ansible_name;
use super::finding::{Code, Finding};
use super::model_walk::{Item, items};
use super::sources::Sources;
use crate::playbook::Playbook;
use crate::source::Span;
use crate::template::{condition_variables, template_variables};
use crate::yaml::{Node, NodeKind};

/// How a string is read: a template, or a bare expression (`when:`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    Template,
    Condition,
}

const CONDITIONS: [&str; 4] = ["when", "changed_when", "failed_when", "until"];
/// Keys whose values name things rather than template them.
const NOT_TEMPLATES: [&str; 6] = [
    "register",
    "notify",
    "listen",
    "tags",
    "vars_prompt",
    "loop_var",
];
const TASK_LISTS: [&str; 7] = [
    "pre_tasks",
    "tasks",
    "post_tasks",
    "handlers",
    "block",
    "rescue",
    "always",
];

pub(super) fn check(
    book: &Playbook,
    sources: &Sources,
    defined: &BTreeSet<String>,
    findings: &mut Vec<Finding>,
) {
    for play in &book.plays {
        let mut strings = Vec::new();
        if let Some(node) = sources.node(&play.span) {
            collect(node, Reading::Template, &mut strings);
        }
        check_strings(&strings, "", defined, findings);
        for item in items(play) {
            let Some(node) = sources.node(item.span()) else {
                continue;
            };
            let mut strings = Vec::new();
            collect(node, Reading::Template, &mut strings);
            // Conditions inherited from blocks guard the task too.
            let inherited = match item {
                Item::Task(task) | Item::Handler(task) => task.when.join("\n"),
                _ => String::new(),
            };
            check_strings(&strings, &inherited, defined, findings);
        }
    }
}

/// The strings of one play, task or block mapping (not those of the tasks
/// inside it, which are items of their own).
fn collect<'a>(node: &'a Node, reading: Reading, out: &mut Vec<(&'a Node, Reading)>) {
    match &node.kind {
        NodeKind::Str(_) => out.push((node, reading)),
        NodeKind::Seq(items) => items.iter().for_each(|item| collect(item, reading, out)),
        NodeKind::Map(entries) => {
            let module = super::structure::module_call(node).map(|call| call.module.name());
            for (key, value) in entries {
                let name = key.key_text();
                if TASK_LISTS.contains(&name.as_str()) || NOT_TEMPLATES.contains(&name.as_str()) {
                    continue;
                }
                let reading = if CONDITIONS.contains(&name.as_str()) {
                    Reading::Condition
                } else if matches!(module, Some("assert")) && value.get("that").is_some() {
                    collect_module_args(value, "that", out);
                    continue;
                } else if matches!(module, Some("debug")) && value.get("var").is_some() {
                    collect_module_args(value, "var", out);
                    continue;
                } else {
                    reading
                };
                collect(value, reading, out);
            }
        }
        _ => {}
    }
}

/// A module's arguments where `expression` holds bare expressions.
fn collect_module_args<'a>(args: &'a Node, expression: &str, out: &mut Vec<(&'a Node, Reading)>) {
    for (key, value) in args.as_map().unwrap_or_default() {
        let reading = if key.key_text() == expression {
            Reading::Condition
        } else {
            Reading::Template
        };
        collect(value, reading, out);
    }
}

fn check_strings(
    strings: &[(&Node, Reading)],
    inherited: &str,
    defined: &BTreeSet<String>,
    findings: &mut Vec<Finding>,
) {
    let all_text: String = strings
        .iter()
        .filter_map(|(node, _)| node.as_str())
        .chain(std::iter::once(inherited))
        .collect::<Vec<_>>()
        .join("\n");
    for (node, reading) in strings {
        let Some(text) = node.as_str() else { continue };
        let found = match reading {
            Reading::Template => template_variables(text),
            Reading::Condition => condition_variables(text),
        };
        let names = match found {
            Ok(names) => names,
            Err(error) => {
                findings.push(Finding::error(
                    Code::TemplateSyntax,
                    format!("this template does not parse: {error}"),
                    &node.span,
                ));
                continue;
            }
        };
        for name in names {
            if defined.contains(&name) || is_ansible_name(&name) || guarded(&name, &all_text) {
                continue;
            }
            let mut finding = Finding::warning(
                Code::UndefinedVariable,
                format!("`{name}` is not defined anywhere `check` can see"),
                &name_span(node, &name),
            );
            finding.help = Some(
                match crate::source::suggest(&name, defined.iter().map(String::as_str)) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "define it (group_vars, vars, a role's defaults) or give it a `| default(...)`; `-e` names can be passed to `check -e`".to_string(),
                },
            );
            findings.push(finding);
        }
    }
}

/// `name | default(...)`, `name is defined` and the like anywhere in the
/// task: the author knows it may be missing.
fn guarded(name: &str, text: &str) -> bool {
    let pattern = format!(
        r"\b{}\b(?:\s*(?:\.\w+|\[[^\]]*\]))*\s*(?:\|\s*(?:default|d)\b|is\s+(?:not\s+)?(?:defined|undefined|none)\b)",
        regex::escape(name)
    );
    regex::Regex::new(&pattern).is_ok_and(|re| re.is_match(text))
}

/// Where `name` is written inside the string `node`, else the whole string.
fn name_span(node: &Node, name: &str) -> Span {
    let span = &node.span;
    let lines = node.as_str().map_or(1, |text| text.lines().count().max(1)) + 1;
    let Ok(word) = regex::Regex::new(&format!(r"\b{}\b", regex::escape(name))) else {
        return span.clone();
    };
    for offset in 0..lines {
        let number = span.line + offset;
        let Some(line) = span.file.line(number) else {
            break;
        };
        let start = if offset == 0 {
            line.char_indices()
                .nth(span.column.saturating_sub(1))
                .map_or(line.len(), |(at, _)| at)
        } else {
            0
        };
        if let Some(found) = word.find_at(line, start) {
            let column = line[..found.start()].chars().count() + 1;
            return Span::new(span.file.clone(), number, column, name.chars().count());
        }
    }
    span.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn default_and_is_defined_guard_a_name() {
        assert!(guarded("port", "{{ port | default(80) }}"));
        assert!(guarded("port", "{{ port|d(80) }}"));
        assert!(guarded("cfg", "cfg.port is defined and cfg.port > 1"));
        assert!(guarded("cfg", "cfg['a'] is not defined"));
        assert!(!guarded("port", "{{ port }} {{ other | default(1) }}"));
        assert!(!guarded("port", "{{ sport is defined }}"));
    }

    #[test]
    fn the_caret_goes_under_the_name_inside_the_string() {
        let file = SourceFile::new("t.yml", "msg: \"a {{ b }} {{ name }}\"\n");
        let root = crate::yaml::parse_str(file).expect("yaml");
        let value = root.get("msg").expect("msg");
        let span = name_span(value, "name");
        assert_eq!((span.line, span.column, span.len), (1, 20, 4));
    }
}
