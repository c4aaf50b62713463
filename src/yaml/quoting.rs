//! Ansible's YAML traps, caught where PyYAML (and so Ansible) refuses them:
//! a value starting with an unquoted `{{` is a mapping whose key is a
//! mapping, never a template; we say so at its position, with Ansible's
//! quoting hint, instead of reading it as `{"": null}`.

use super::{Node, NodeKind};
use crate::source::Diagnostic;

/// Ansible's advice for a template that starts a value unquoted.
pub(super) const UNQUOTED_TEMPLATE_HINT: &str = "We could be wrong, but this one looks like it might be an issue with \
missing quotes. Always quote template expression brackets when they start a value. For instance:\n\n    \
with_items:\n      - {{ foo }}\n\nShould be written as:\n\n    with_items:\n      - \"{{ foo }}\"";

/// The first mapping key that is itself a mapping or a list, as an error.
pub(super) fn check_keys(node: &Node) -> Result<(), Diagnostic> {
    match &node.kind {
        NodeKind::Seq(items) => items.iter().try_for_each(check_keys),
        NodeKind::Map(entries) => {
            for (key, value) in entries {
                if matches!(key.kind, NodeKind::Map(_) | NodeKind::Seq(_)) {
                    return Err(unhashable_key(node, key));
                }
                check_keys(value)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn unhashable_key(map: &Node, key: &Node) -> Diagnostic {
    let template = matches!(&map.kind, NodeKind::Map(entries) if entries.len() == 1)
        && matches!(key.kind, NodeKind::Map(_))
        && map.span.column + 1 == key.span.column;
    if template {
        map.error(format!(
            "this value starts with an unquoted `{{{{`, which YAML reads as a mapping, not a template\n{UNQUOTED_TEMPLATE_HINT}"
        ))
    } else {
        key.error(format!(
            "a {} cannot be a mapping key (found unhashable key)",
            key.type_name()
        ))
    }
}

/// Whether a line on which YAML failed looks like an unquoted template,
/// as Ansible checks it (`{{` and `}}` on the line, not both quoted forms).
pub(super) fn looks_like_unquoted_template(line: &str) -> bool {
    line.contains("{{") && line.contains("}}") && !(line.contains("\"{{") && line.contains("'{{"))
}
