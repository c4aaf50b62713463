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
    inherited: &Inherited,
) -> Result<Meta, Diagnostic> {
    let name = scalar(action, "meta")?;
    let action_kind = MetaAction::parse(&name).ok_or_else(|| {
        action
            .error(format!("`{name}` is not a meta action"))
            .suggesting(&name, MetaAction::NAMES.iter().copied())
    })?;
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
    Ok(Meta {
        name: node
            .get("name")
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| "meta".into()),
        action: action_kind,
        span: node.span.clone(),
        when,
        tags,
    })
}
