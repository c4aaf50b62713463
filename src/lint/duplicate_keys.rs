//! The same key twice in one mapping: YAML readers keep one of them (Ansible
//! the last, with a warning), so half of what was written is silently lost.

use std::collections::HashMap;

use super::finding::{Code, Finding};
use crate::yaml::{Node, NodeKind};

pub(super) fn check(root: &Node, findings: &mut Vec<Finding>) {
    match &root.kind {
        NodeKind::Seq(items) => items.iter().for_each(|item| check(item, findings)),
        NodeKind::Map(entries) => {
            let mut first_line: HashMap<String, usize> = HashMap::new();
            for (key, value) in entries {
                let name = key.key_text();
                match first_line.get(&name) {
                    Some(line) => findings.push(
                        Finding::error(
                            Code::DuplicateKey,
                            format!(
                                "`{name}` is given twice in this mapping (first on line {line}); only one of them is used"
                            ),
                            &key.span,
                        )
                        .with_help("remove one, or merge them"),
                    ),
                    None => {
                        first_line.insert(name, key.span.line);
                    }
                }
                check(value, findings);
            }
        }
        _ => {}
    }
}
