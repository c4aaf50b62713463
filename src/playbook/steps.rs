//! Task lists: tasks, `block:`/`rescue:`/`always:` and `meta:`. Keywords set
//! on a block are passed down to every task inside it, which is what they
//! mean in Ansible (a block's `when` is checked for each of its tasks).

use super::become_keywords::BecomeKeywords;
use super::conditions::{boolean, conditions, scalar, string_list, var_map};
use super::keywords;
use super::model::{Block, Meta, MetaAction, Step, Task};
use super::task_loader::{TaskRole, load_task};
use crate::source::Diagnostic;
use crate::value::{Value, VarMap, overlay, to_var_map};
use crate::yaml::Node;

/// What a block gives the tasks inside it.
#[derive(Default, Clone)]
pub struct Inherited {
    when: Vec<String>,
    vars: VarMap,
    environment: Option<Value>,
    tags: Vec<String>,
    ignore_errors: Option<Value>,
    no_log: bool,
    delegate_to: Option<String>,
    check_mode: Option<bool>,
    diff: Option<bool>,
    become_: BecomeKeywords,
}

impl Inherited {
    fn apply(&self, task: &mut Task) {
        let mut when = self.when.clone();
        when.append(&mut task.when);
        task.when = when;
        let mut vars = self.vars.clone();
        overlay(&mut vars, &task.vars);
        task.vars = vars;
        task.environment = merge_environment(self.environment.as_ref(), task.environment.take());
        for tag in &self.tags {
            if !task.tags.contains(tag) {
                task.tags.push(tag.clone());
            }
        }
        task.ignore_errors = task
            .ignore_errors
            .take()
            .or_else(|| self.ignore_errors.clone());
        task.no_log |= self.no_log;
        task.delegate_to = task.delegate_to.take().or_else(|| self.delegate_to.clone());
        task.check_mode = task.check_mode.or(self.check_mode);
        task.diff = task.diff.or(self.diff);
        task.become_.inherit(&self.become_);
    }

    /// This block's keywords on top of what it inherited.
    fn nested(&self, node: &Node) -> Result<Inherited, Diagnostic> {
        let mut inner = self.clone();
        for (key, value) in node.expect_map("a block")? {
            let name = key.key_text();
            match name.as_str() {
                "when" => inner.when.extend(conditions(value, &name)?),
                "vars" => overlay(&mut inner.vars, &var_map(value, &name)?),
                "environment" => {
                    inner.environment =
                        merge_environment(inner.environment.as_ref(), Some(value.to_value()))
                }
                "tags" => inner.tags.extend(string_list(value, &name, true)?),
                "ignore_errors" => inner.ignore_errors = Some(value.to_value()),
                "no_log" => inner.no_log = boolean(value, &name)?,
                "delegate_to" => inner.delegate_to = Some(scalar(value, &name)?),
                "check_mode" => inner.check_mode = Some(boolean(value, &name)?),
                "diff" => inner.diff = Some(boolean(value, &name)?),
                _ if BecomeKeywords::NAMES.contains(&name.as_str()) => {
                    inner.become_.set(&name, value)?
                }
                "name" | "block" | "rescue" | "always" => {}
                _ if keywords::TASK_NOT_YET.contains(&name.as_str()) => {
                    return Err(key.error(format!(
                        "`{name}` on a block is not supported by runbook yet"
                    )));
                }
                _ => {
                    return Err(key
                        .error(format!("`{name}` is not a block keyword"))
                        .suggesting(&name, keywords::BLOCK.iter().copied()));
                }
            }
        }
        Ok(inner)
    }
}

/// The block's environment under the task's, both unrendered mappings.
fn merge_environment(outer: Option<&Value>, inner: Option<Value>) -> Option<Value> {
    match (outer, inner) {
        (Some(outer), Some(inner)) if outer.kind() == inner.kind() => {
            let mut merged = to_var_map(outer);
            overlay(&mut merged, &to_var_map(&inner));
            Some(crate::value::map_value(merged))
        }
        (_, Some(inner)) => Some(inner),
        (outer, None) => outer.cloned(),
    }
}

/// A task list; every error in it is collected.
pub fn load_steps(
    node: &Node,
    role: TaskRole,
    inherited: &Inherited,
) -> Result<Vec<Step>, Vec<Diagnostic>> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    let items = node.expect_seq("a task list").map_err(|e| vec![e])?;
    let mut steps = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        match load_step(item, role, inherited) {
            Ok(step) => steps.push(step),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(steps)
    } else {
        Err(errors)
    }
}

fn load_step(node: &Node, role: TaskRole, inherited: &Inherited) -> Result<Step, Vec<Diagnostic>> {
    if node.get("block").is_some() {
        if role == TaskRole::Handler {
            return Err(vec![
                node.error("blocks in handlers are not supported by runbook yet"),
            ]);
        }
        return load_block(node, role, inherited).map(Step::Block);
    }
    if let Some(action) = node.get("meta") {
        return load_meta(node, action, inherited)
            .map(Step::Meta)
            .map_err(|e| vec![e]);
    }
    let mut task = load_task(node, role).map_err(|e| vec![e])?;
    inherited.apply(&mut task);
    Ok(Step::Task(Box::new(task)))
}

fn load_block(
    node: &Node,
    role: TaskRole,
    inherited: &Inherited,
) -> Result<Block, Vec<Diagnostic>> {
    let inner = inherited.nested(node).map_err(|e| vec![e])?;
    let section = |key: &str| match node.get(key) {
        Some(list) => load_steps(list, role, &inner),
        None => Ok(Vec::new()),
    };
    let mut errors = Vec::new();
    let mut take = |result: Result<Vec<Step>, Vec<Diagnostic>>| {
        result.unwrap_or_else(|mut e| {
            errors.append(&mut e);
            Vec::new()
        })
    };
    let block = Block {
        name: node.get("name").and_then(|n| n.scalar_text()),
        span: node.span.clone(),
        block: take(section("block")),
        rescue: take(section("rescue")),
        always: take(section("always")),
    };
    if errors.is_empty() {
        Ok(block)
    } else {
        Err(errors)
    }
}

fn load_meta(node: &Node, action: &Node, inherited: &Inherited) -> Result<Meta, Diagnostic> {
    let name = scalar(action, "meta")?;
    let action_kind = MetaAction::parse(&name).ok_or_else(|| {
        let message = if name == "refresh_inventory" || name == "reset_connection" {
            format!("`meta: {name}` is not supported by runbook yet")
        } else {
            format!("`{name}` is not a meta action")
        };
        action
            .error(message)
            .suggesting(&name, MetaAction::NAMES.iter().copied())
    })?;
    let mut when = inherited.when.clone();
    let mut tags = inherited.tags.clone();
    for (key, value) in node.expect_map("a task")? {
        match key.key_text().as_str() {
            "meta" | "name" => {}
            "when" => when.extend(conditions(value, "when")?),
            "tags" => tags.extend(string_list(value, "tags", true)?),
            other => return Err(key.error(format!("`{other}` cannot be used with `meta`"))),
        }
    }
    Ok(Meta {
        action: action_kind,
        span: node.span.clone(),
        when,
        tags,
    })
}
