//! `meta:` tasks (`flush_handlers`, `end_play`, ...): not modules, so they
//! take only `name`, `when` and `tags`, and name an action we know.

use super::builtin_action::{BuiltinAction, is};
use super::conditions::{conditions, scalar, string_list};
use super::model::{Meta, MetaAction};
use super::steps::Inherited;
use crate::source::Diagnostic;
use crate::yaml::Node;

pub(super) fn load_meta(
    node: &Node,
    action: &Node,
    in_handler: bool,
    inherited: &Inherited,
) -> Result<Meta, Diagnostic> {
    let name = scalar(action, "meta")?;
    let action_kind = match name.as_str() {
        // Ansible's words, at load time.
        "end_role" if in_handler => {
            return Err(action.error("Cannot execute 'end_role' from a handler"));
        }
        "end_role" => MetaAction::EndRole(
            inherited
                .role()
                .map(|role| role.id)
                .ok_or_else(|| action.error("Cannot execute 'end_role' from outside of a role"))?,
        ),
        "clear_facts" => {
            return Err(action.error("`meta: clear_facts` is not supported by runbook yet"));
        }
        _ => MetaAction::parse(&name).ok_or_else(|| {
            action
                .error(format!("`{name}` is not a meta action"))
                .suggesting(&name, MetaAction::NAMES.iter().copied())
        })?,
    };
    let mut when = inherited.when.clone();
    let mut tags = inherited.tags.clone();
    for (key, value) in node.expect_map("a task")? {
        match key.key_text().as_str() {
            written if is(written, BuiltinAction::Meta) => {}
            "name" => {}
            "when" => when.extend(conditions(value, "when")?),
            "tags" => tags.extend(string_list(value, "tags", true)?),
            other => return Err(key.error(format!("`{other}` cannot be used with `meta`"))),
        }
    }
    let name = node
        .get("name")
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| "meta".into());
    Ok(Meta {
        name: match inherited.role() {
            Some(role) => format!("{} : {name}", role.short_name()),
            None => name,
        },
        action: action_kind,
        span: node.span.clone(),
        when,
        tags,
    })
}
