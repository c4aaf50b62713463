//! A role's argument specs: `meta/argument_specs.yml` (or `.yaml`), else
//! the `argument_specs` of `meta/main.yml`. As Ansible does, the spec of the
//! entry point (`main`, or what `tasks_from` names) becomes a task before
//! the role's own: `validate_argument_spec` of the spec's `options`, with
//! the role's parameters, tagged `always`, named as Ansible names it.

use std::path::Path;

use super::roles::{RoleFiles, main_file};
use crate::source::{Diagnostic, Span};
use crate::value::map_value;
use crate::yaml::{self, Node, NodeKind};

/// The validation task to put first in the role, when its entry point has a spec.
pub(super) fn validation_task(
    role: &str,
    dir: &Path,
    files: &RoleFiles,
) -> Result<Option<Node>, Diagnostic> {
    if !files.validate {
        return Ok(None);
    }
    let meta = dir.join("meta");
    let own_file = ["argument_specs.yml", "argument_specs.yaml"]
        .into_iter()
        .map(|name| meta.join(name))
        .find(|path| path.is_file());
    let document = match own_file {
        Some(path) => yaml::parse_file(&path)?,
        None => match main_file(&meta, "main") {
            Some(path) => yaml::parse_file(&path)?,
            None => return Ok(None),
        },
    };
    let Some(entry) = document
        .get("argument_specs")
        .and_then(|specs| specs.get(&files.tasks))
        .filter(|entry| !entry.is_null())
    else {
        return Ok(None);
    };
    let span = &entry.span;
    let mut name = format!("Validating arguments against arg spec '{}'", files.tasks);
    if let Some(description) = entry.get("short_description") {
        name.push_str(" - ");
        name.push_str(&description.scalar_text().unwrap_or_default());
    }
    let options = entry
        .get("options")
        .filter(|options| !options.is_null())
        .cloned()
        .unwrap_or_else(|| map(Vec::new(), span));
    let path = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let context = map(
        vec![
            ("type", text("role", span)),
            ("name", text(super::roles::short_name(role), span)),
            ("argument_spec_name", text(&files.tasks, span)),
            ("path", text(&path.display().to_string(), span)),
        ],
        span,
    );
    let arguments = map(
        vec![
            ("argument_spec", options),
            (
                "provided_arguments",
                Node::from_value(&map_value(files.params.clone()), span),
            ),
            ("validate_args_context", context),
        ],
        span,
    );
    Ok(Some(map(
        vec![
            ("name", text(&name, span)),
            ("ansible.builtin.validate_argument_spec", arguments),
            (
                "tags",
                Node {
                    kind: NodeKind::Seq(vec![text("always", span)]),
                    span: span.clone(),
                },
            ),
        ],
        span,
    )))
}

fn text(value: &str, span: &Span) -> Node {
    Node {
        kind: NodeKind::Str(value.to_string()),
        span: span.clone(),
    }
}

fn map(entries: Vec<(&str, Node)>, span: &Span) -> Node {
    Node {
        kind: NodeKind::Map(
            entries
                .into_iter()
                .map(|(key, value)| (text(key, span), value))
                .collect(),
        ),
        span: span.clone(),
    }
}
