//! Small readers for keyword values that Ansible accepts in several shapes.

use crate::source::Diagnostic;
use crate::yaml::{Node, NodeKind};

/// `when:`-style conditions: a string, a boolean, or a list of them ("and").
pub(super) fn conditions(node: &Node, keyword: &str) -> Result<Vec<String>, Diagnostic> {
    match &node.kind {
        NodeKind::Seq(items) => items.iter().map(|item| condition(item, keyword)).collect(),
        _ => Ok(vec![condition(node, keyword)?]),
    }
}

fn condition(node: &Node, keyword: &str) -> Result<String, Diagnostic> {
    match &node.kind {
        NodeKind::Bool(b) => Ok(if *b { "True" } else { "False" }.into()),
        NodeKind::Str(_) | NodeKind::Int(_) | NodeKind::Float(_) => {
            Ok(node.scalar_text().unwrap_or_default())
        }
        _ => Err(node.error(format!(
            "`{keyword}` must be a condition or a list of conditions, found a {}",
            node.type_name()
        ))),
    }
}

/// `tags:`/`notify:`: a string (comma-separated for tags), or a list.
pub(super) fn string_list(
    node: &Node,
    keyword: &str,
    split_commas: bool,
) -> Result<Vec<String>, Diagnostic> {
    match &node.kind {
        NodeKind::Seq(items) => items.iter().map(|item| scalar(item, keyword)).collect(),
        NodeKind::Null => Ok(Vec::new()),
        _ => {
            let text = scalar(node, keyword)?;
            Ok(if split_commas {
                text.split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect()
            } else {
                vec![text]
            })
        }
    }
}

/// A scalar as text (`port: 22` is accepted where a string is wanted).
pub(super) fn scalar(node: &Node, keyword: &str) -> Result<String, Diagnostic> {
    match &node.kind {
        NodeKind::Seq(_) | NodeKind::Map(_) | NodeKind::Null => Err(node.error(format!(
            "`{keyword}` must be a string, found a {}",
            node.type_name()
        ))),
        _ => Ok(node.scalar_text().unwrap_or_default()),
    }
}

/// A boolean keyword; Ansible also accepts the strings `yes`/`no`/`true`...
pub(super) fn boolean(node: &Node, keyword: &str) -> Result<bool, Diagnostic> {
    let parsed = match &node.kind {
        NodeKind::Bool(b) => Some(*b),
        NodeKind::Str(s) => crate::value::parse_bool(s),
        NodeKind::Int(i) => Some(*i != 0),
        _ => None,
    };
    parsed.ok_or_else(|| {
        node.error(format!(
            "`{keyword}` must be a boolean (yes/no, true/false), found {}",
            shown(node)
        ))
    })
}

/// A mapping of names to values, as for `vars:` (a list of mappings is merged,
/// as Ansible allows).
pub(super) fn var_map(node: &Node, keyword: &str) -> Result<crate::value::VarMap, Diagnostic> {
    let mut vars = crate::value::VarMap::new();
    let maps: Vec<&Node> = match &node.kind {
        NodeKind::Null => Vec::new(),
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    for map in maps {
        for (key, value) in map.expect_map(&format!("`{keyword}`"))? {
            vars.insert(key.key_text(), value.to_value());
        }
    }
    Ok(vars)
}

/// A whole number (`throttle: 2`, `timeout: 0` for none).
pub(super) fn count(node: &Node, keyword: &str) -> Result<usize, Diagnostic> {
    let text = scalar(node, keyword)?;
    text.trim().parse::<usize>().map_err(|_| {
        node.error(format!(
            "`{keyword}` must be a whole number, found `{text}`"
        ))
    })
}

/// A whole number of seconds where 0 means "none" (`async`, `poll`), or a
/// template rendered on each host.
pub(super) fn templated_seconds(
    node: &Node,
    keyword: &str,
) -> Result<crate::value::Value, Diagnostic> {
    if is_template(node) {
        return Ok(node.to_value());
    }
    let text = scalar(node, keyword)?;
    text.trim()
        .parse::<u64>()
        .map(crate::value::Value::from)
        .map_err(|_| {
            node.error(format!(
                "`{keyword}` must be a whole number of seconds, found `{text}`"
            ))
        })
}

/// A boolean keyword that may also be a template (`ignore_errors: "{{ x }}"`),
/// kept unrendered; anything else is an error naming the keyword.
pub(super) fn templated_boolean(
    node: &Node,
    keyword: &str,
) -> Result<crate::value::Value, Diagnostic> {
    if is_template(node) {
        return Ok(node.to_value());
    }
    boolean(node, keyword).map(|_| node.to_value())
}

/// A positive count (`timeout`, `throttle`) that may also be a template,
/// kept unrendered: rendered on the host as Ansible renders it.
pub(super) fn templated_count(
    node: &Node,
    keyword: &str,
) -> Result<crate::value::Value, Diagnostic> {
    if is_template(node) {
        return Ok(node.to_value());
    }
    count(node, keyword).map(crate::value::Value::from)
}

/// A boolean keyword that Ansible's strategy reads from the task before
/// rendering it (`any_errors_fatal`): the unrendered text of a template is a
/// non-empty string, which Python finds true, so a template counts as `true`
/// whatever it would render to.
pub(super) fn boolean_read_unrendered(node: &Node, keyword: &str) -> Result<bool, Diagnostic> {
    if is_template(node) {
        return Ok(true);
    }
    boolean(node, keyword)
}

/// A whole-number keyword that may also be a template (`retries: "{{ n }}"`),
/// kept unrendered.
pub(super) fn templated_number(
    node: &Node,
    keyword: &str,
) -> Result<crate::value::Value, Diagnostic> {
    let valid = match &node.kind {
        NodeKind::Int(_) => true,
        NodeKind::Str(text) => text.trim().parse::<i64>().is_ok() || is_template(node),
        _ => false,
    };
    if valid {
        Ok(node.to_value())
    } else {
        Err(node.error(format!(
            "`{keyword}` must be a whole number (or a template), found {}",
            shown(node)
        )))
    }
}

/// `environment:`: a mapping, a list of mappings, or a template.
pub(super) fn environment(node: &Node) -> Result<crate::value::Value, Diagnostic> {
    let valid = match &node.kind {
        NodeKind::Map(_) => true,
        NodeKind::Seq(items) => items.iter().all(|i| matches!(i.kind, NodeKind::Map(_))),
        _ => is_template(node),
    };
    if valid {
        Ok(node.to_value())
    } else {
        Err(node.error(format!(
            "`environment` must be a mapping of variable names to values (or a template), found {}",
            shown(node)
        )))
    }
}

/// `loop:`: a list, or a template that renders to one.
pub(super) fn loop_items(node: &Node, keyword: &str) -> Result<crate::value::Value, Diagnostic> {
    let valid = keyword != "loop" || matches!(node.kind, NodeKind::Seq(_)) || is_template(node);
    if valid {
        Ok(node.to_value())
    } else {
        Err(node.error(format!(
            "`loop` requires a list (or a template that renders to one), found {}",
            shown(node)
        )))
    }
}

pub(super) fn is_template(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Str(text) if crate::template::has_template_markers(text))
}

/// The value as a message shows it: the text of a scalar, else its type.
fn shown(node: &Node) -> String {
    match &node.kind {
        NodeKind::Seq(_) | NodeKind::Map(_) | NodeKind::Null => format!("a {}", node.type_name()),
        _ => format!("`{}`", node.scalar_text().unwrap_or_default()),
    }
}
