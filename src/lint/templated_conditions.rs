//! `when: "{{ x }}"`: a condition is already an expression; Ansible warns
//! that conditionals should not include templating delimiters, and refuses
//! one that is more than a single `{{ }}`.

use super::finding::{Code, Finding};
use super::structure::Entry;
use crate::template::{TemplateShape, shape};
use crate::yaml::Node;

const CONDITIONS: [&str; 4] = ["when", "changed_when", "failed_when", "until"];

pub(super) fn check(entries: &[Entry], findings: &mut Vec<Finding>) {
    for entry in entries {
        let (Entry::Task(node) | Entry::Block(node)) = entry else {
            continue;
        };
        for keyword in CONDITIONS {
            let Some(value) = node.get(keyword) else {
                continue;
            };
            let items: Vec<&Node> = match value.as_seq() {
                Some(items) => items.iter().collect(),
                None => vec![value],
            };
            for item in items {
                let Some(text) = item.as_str() else { continue };
                if let TemplateShape::SingleExpression(expr) = shape(text.trim()) {
                    findings.push(
                        Finding::warning(
                            Code::TemplatedCondition,
                            format!("`{keyword}` is an expression already: `{{{{ }}}}` around it is not needed"),
                            &item.span,
                        )
                        .with_help(format!("write `{keyword}: {}`", expr.trim())),
                    );
                }
            }
        }
    }
}
