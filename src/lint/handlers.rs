//! `notify:` naming no handler of its play (by name, `role : name` or
//! `listen` topic): Ansible fails the run when the task changes.

use std::collections::BTreeSet;

use super::finding::{Code, Finding, Severity};
use super::model_walk::{has_dynamic_includes, items};
use super::sources::Sources;
use crate::playbook::Playbook;
use crate::template::has_template_markers;
use crate::yaml::Node;

pub(super) fn check(book: &Playbook, sources: &Sources, findings: &mut Vec<Finding>) {
    for play in &book.plays {
        let mut known = BTreeSet::new();
        // A handler named by a template, or tasks only read when the play
        // runs, may answer to names that cannot be seen now.
        let mut uncertain = has_dynamic_includes(play);
        for handler in &play.handlers {
            if let Some(name) = handler.name() {
                uncertain |= has_template_markers(name);
                known.insert(name.to_string());
                if let Some(role) = handler.role() {
                    known.insert(format!("{} : {name}", role.short_name()));
                }
            }
            known.extend(handler.listen().iter().cloned());
        }
        let severity = if uncertain {
            Severity::Warning
        } else {
            Severity::Error
        };
        for item in items(play) {
            let Some(node) = sources.node(item.span()) else {
                continue;
            };
            let Some(notify) = node.get("notify") else {
                continue;
            };
            let names: Vec<&Node> = match notify.as_seq() {
                Some(items) => items.iter().collect(),
                None => vec![notify],
            };
            for name_node in names {
                let Some(name) = name_node.scalar_text() else {
                    continue;
                };
                if has_template_markers(&name) || known.contains(&name) {
                    continue;
                }
                let mut finding = Finding::new(
                    Code::NotifyWithoutHandler,
                    severity,
                    format!("`notify: {name}` names no handler of this play (by name or `listen`)"),
                )
                .at(&name_node.span);
                finding.help = Some(
                    match crate::source::suggest(&name, known.iter().map(String::as_str)) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None if known.is_empty() => {
                            "the play has no handlers: add one under `handlers:`".to_string()
                        }
                        None => format!(
                            "the play's handlers: {}",
                            known.iter().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    },
                );
                findings.push(finding);
            }
        }
    }
}
