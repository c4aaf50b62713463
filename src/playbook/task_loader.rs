//! One task mapping → [`Task`]: find the module among the keywords, read its
//! arguments in any of Ansible's shapes, and check them against the module.

use super::become_keywords::BecomeKeywords;
use super::conditions::is_template;
use super::conditions::{
    boolean, boolean_read_unrendered, conditions, environment, loop_items, scalar, string_list,
    templated_boolean, templated_count, templated_number, templated_seconds, var_map,
};
use super::free_form::parse_free_form;
use super::keywords;
use super::model::{Loop, LoopControl, LoopKind, Task};
use crate::modules::{ArgSpec, Module, registry};
use crate::source::{Diagnostic, Span};
use crate::value::VarMap;
use crate::yaml::{Node, NodeKind};

/// Whether the task is a handler (handlers also take `listen`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum TaskRole {
    Task,
    Handler,
}

/// The module a task calls, where it was named, and its arguments.
struct Action<'a> {
    module: &'static dyn Module,
    written: String,
    key: &'a Node,
    value: Option<&'a Node>,
    /// For `action: shell echo hi`: the text after the module name.
    inline_text: Option<String>,
}

pub(super) fn load_task(node: &Node, role: TaskRole) -> Result<Task, Diagnostic> {
    let entries = node.expect_map("a task")?;
    let mut action: Option<Action> = None;
    let mut keywords: Vec<(&str, &Node, &Node)> = Vec::new();
    for (key, value) in entries {
        let name = key
            .as_str()
            .ok_or_else(|| key.error("task keys must be strings"))?;
        // `with_<lookup>`: set_loop checks the lookup exists.
        if keywords::TASK.contains(&name)
            || name.starts_with("with_")
            || (role == TaskRole::Handler && keywords::HANDLER_ONLY.contains(&name))
        {
            if name == "action" || name == "local_action" {
                set_action(&mut action, action_keyword(key, value)?)?;
            }
            keywords.push((name, key, value));
        } else if keywords::TASK_NOT_YET.contains(&name) {
            return Err(key.error(format!(
                "the task keyword `{name}` is not supported by runbook yet"
            )));
        } else if let Some(module) = registry::lookup(name) {
            let found = Action {
                module,
                written: name.to_string(),
                key,
                value: Some(value),
                inline_text: None,
            };
            set_action(&mut action, found)?;
        } else {
            return Err(unknown_key(key, name));
        }
    }
    let action = action
        .ok_or_else(|| node.error("this task names no module (e.g. `shell:` or `debug:`)"))?;
    build_task(node, action, &keywords)
}

fn set_action<'a>(slot: &mut Option<Action<'a>>, found: Action<'a>) -> Result<(), Diagnostic> {
    if let Some(first) = slot {
        return Err(found.key.error(format!(
            "conflicting action statements: `{}` and `{}` (a task runs one module)",
            first.written, found.written
        )));
    }
    *slot = Some(found);
    Ok(())
}

fn unknown_key(key: &Node, name: &str) -> Diagnostic {
    let known = keywords::TASK.iter().copied().chain(registry::names());
    let message = if name.contains('.') {
        format!("the module `{name}` is not supported by runbook")
    } else {
        format!("`{name}` is neither a task keyword nor a module runbook supports")
    };
    key.error(message).suggesting(name, known)
}

/// `action: shell echo hi` or `action: {module: shell, _raw_params: ...}`.
fn action_keyword<'a>(key: &'a Node, value: &'a Node) -> Result<Action<'a>, Diagnostic> {
    let (written, inline_text) = match &value.kind {
        NodeKind::Str(text) => {
            let mut parts = text.trim().splitn(2, char::is_whitespace);
            let module = parts.next().unwrap_or_default().to_string();
            (
                module,
                Some(parts.next().unwrap_or_default().trim().to_string()),
            )
        }
        NodeKind::Map(_) => {
            let module = value
                .get("module")
                .ok_or_else(|| value.error("`action:` as a mapping needs a `module:` key"))?;
            (scalar(module, "module")?, None)
        }
        _ => return Err(value.error("`action:` must be a string or a mapping")),
    };
    let module = registry::lookup(&written).ok_or_else(|| {
        value
            .error(format!(
                "the module `{written}` is not supported by runbook"
            ))
            .suggesting(&written, registry::names())
    })?;
    Ok(Action {
        module,
        written,
        key,
        value: Some(value),
        inline_text,
    })
}

fn build_task(
    node: &Node,
    action: Action,
    keywords: &[(&str, &Node, &Node)],
) -> Result<Task, Diagnostic> {
    let mut args = module_args(&action)?;
    let mut task = Task::new(action.module, &action.written, node.span.clone());
    for (name, key, value) in keywords {
        apply_keyword(&mut task, &mut args, name, key, value)?;
    }
    check_args(action.module.spec(), &args, &action)?;
    check_choices(action.module.spec(), &args, &action)?;
    task.args = args;
    Ok(task)
}

fn apply_keyword(
    task: &mut Task,
    args: &mut VarMap,
    name: &str,
    key: &Node,
    value: &Node,
) -> Result<(), Diagnostic> {
    match name {
        "name" => task.name = Some(scalar(value, name)?),
        "args" => {
            for (arg_key, arg_value) in value.expect_map("`args`")? {
                args.entry(arg_key.key_text())
                    .or_insert_with(|| arg_value.to_value());
            }
        }
        "action" => {}
        "local_action" => task.delegate_to = Some("localhost".into()),
        "register" => task.register = Some(identifier(value, name)?),
        "when" => task.when = conditions(value, name)?,
        "changed_when" => task.changed_when = Some(conditions(value, name)?),
        "failed_when" => task.failed_when = Some(conditions(value, name)?),
        "ignore_errors" => task.ignore_errors = Some(templated_boolean(value, name)?),
        "no_log" if is_template(value) => task.no_log_template = Some(value.to_value()),
        "no_log" => task.no_log = boolean(value, name)?,
        "tags" => task.tags = string_list(value, name, true)?,
        "notify" => task.notify = string_list(value, name, false)?,
        // Module names resolve to what runbook implements whatever the search list says.
        "collections" => {
            string_list(value, name, false)?;
        }
        "remote_user" | "port" | "connection" => task.connection.set(name, value)?,
        "listen" => task.listen = string_list(value, name, false)?,
        "environment" => task.environment = Some(environment(value)?),
        "vars" => task.vars = std::sync::Arc::new(var_map(value, name)?),
        "delegate_to" => task.delegate_to = Some(scalar(value, name)?),
        "run_once" if is_template(value) => task.run_once_template = Some(value.to_value()),
        "run_once" => task.run_once = boolean(value, name)?,
        "any_errors_fatal" => task.any_errors_fatal = Some(boolean_read_unrendered(value, name)?),
        "check_mode" => task.check_mode = Some(templated_boolean(value, name)?),
        "delegate_facts" => task.delegate_facts = Some(templated_boolean(value, name)?),
        "throttle" => task.throttle = Some(templated_count(value, name)?),
        "timeout" => task.timeout = Some(templated_count(value, name)?),
        "async" => task.async_ = Some(templated_seconds(value, name)?),
        "poll" => task.poll = Some(templated_seconds(value, name)?),
        "module_defaults" => task.module_defaults = super::ModuleDefaults::load(value)?,
        "ignore_unreachable" => task.ignore_unreachable = Some(templated_boolean(value, name)?),
        "until" => task.until = Some(conditions(value, name)?),
        "retries" => task.retries = Some(templated_number(value, name)?),
        "delay" => task.delay = Some(templated_number(value, name)?),
        "diff" => task.diff = Some(templated_boolean(value, name)?),
        "loop_control" => task.loop_control = loop_control(value)?,
        _ if BecomeKeywords::NAMES.contains(&name) => task.become_.set(name, value)?,
        _ => set_loop(task, name, key, value)?,
    }
    Ok(())
}

fn set_loop(task: &mut Task, name: &str, key: &Node, value: &Node) -> Result<(), Diagnostic> {
    let kind =
        match name.strip_prefix("with_") {
            None if name == "loop" => LoopKind::Loop,
            Some(lookup) => match crate::template::lookups::static_name(lookup) {
                Some(lookup) => LoopKind::With(lookup),
                None => {
                    return Err(key.error(format!(
                    "`{name}`: the lookup plugin '{lookup}' was not found (runbook's lookups: {})",
                    crate::template::lookups::names().collect::<Vec<_>>().join(", ")
                )));
                }
            },
            None => return Err(key.error(format!("`{name}` is not a task keyword"))),
        };
    if task.loop_.is_some() {
        return Err(key.error("a task can have only one loop (`loop` or one `with_*`)"));
    }
    task.loop_ = Some(Loop {
        kind,
        items: loop_items(value, name)?,
        span: key.span.clone(),
    });
    Ok(())
}

/// The loop (`loop:`/`with_*:`) and `loop_control:` written on `node`, for
/// keywords other than tasks that loop (`include_tasks`).
pub(super) fn loop_of(node: &Node) -> Result<(Option<Loop>, LoopControl), Diagnostic> {
    let mut carrier = Task::new(crate::modules::registry::setup(), "loop", node.span.clone());
    for (key, value) in node.expect_map("a task")? {
        let name = key.key_text();
        if name == "loop_control" {
            carrier.loop_control = loop_control(value)?;
        } else if name == "loop" || name.starts_with("with_") {
            set_loop(&mut carrier, &name, key, value)?;
        }
    }
    Ok((carrier.loop_, carrier.loop_control))
}

fn loop_control(node: &Node) -> Result<LoopControl, Diagnostic> {
    let mut control = LoopControl::default();
    for (key, value) in node.expect_map("`loop_control`")? {
        let name = key.key_text();
        match name.as_str() {
            "loop_var" | "index_var" | "pause" | "extended" if is_template(value) => {
                let option = match name.as_str() {
                    "loop_var" => "loop_var",
                    "index_var" => "index_var",
                    "pause" => "pause",
                    _ => "extended",
                };
                control.templates.push((option, value.to_value()));
            }
            "loop_var" => control.loop_var = identifier(value, "loop_var")?,
            "index_var" => control.index_var = Some(identifier(value, "index_var")?),
            "label" => control.label = Some(scalar(value, "label")?),
            "pause" => {
                let text = scalar(value, "pause")?;
                control.pause = Some(
                    text.parse()
                        .map_err(|_| value.error("`pause` must be a number of seconds"))?,
                );
            }
            "extended" => control.extended = boolean(value, "extended")?,
            "extended_allitems" => {
                control.extended_allitems = boolean(value, "extended_allitems")?;
            }
            _ => {
                return Err(key
                    .error(format!("`{name}` is not a loop_control option"))
                    .suggesting(&name, keywords::LOOP_CONTROL.iter().copied()));
            }
        }
    }
    Ok(control)
}

fn identifier(node: &Node, keyword: &str) -> Result<String, Diagnostic> {
    let text = scalar(node, keyword)?;
    if super::model::is_variable_name(&text) {
        Ok(text)
    } else {
        Err(node.error(format!(
            "`{keyword}` must be a variable name (letters, digits, `_`), found `{text}`"
        )))
    }
}

/// The module's arguments as written: a mapping, a free-form string, or nothing.
fn module_args(action: &Action) -> Result<VarMap, Diagnostic> {
    let spec = action.module.spec();
    let free_form = |text: &str, at: &Node| {
        parse_free_form(text, spec).map_err(|e| at.error(format!("{}: {e}", action.written)))
    };
    if let Some(text) = &action.inline_text {
        let at = action.value.unwrap_or(action.key);
        return free_form(text, at);
    }
    let Some(value) = action.value else {
        return Ok(VarMap::new());
    };
    match &value.kind {
        NodeKind::Null => Ok(VarMap::new()),
        NodeKind::Map(entries) => Ok(entries
            .iter()
            .filter(|(k, _)| k.as_str() != Some("module"))
            .map(|(k, v)| (k.key_text(), v.to_value()))
            .collect()),
        NodeKind::Str(text) => free_form(text, value),
        _ => Err(value.error(format!(
            "`{}` takes a mapping of arguments or `key=value` text, found a {}",
            action.written,
            value.type_name()
        ))),
    }
}

/// Unknown, missing and exclusive arguments, reported before any host is touched.
fn check_args(spec: &ArgSpec, args: &VarMap, action: &Action) -> Result<(), Diagnostic> {
    let module = action.module.name();
    for name in args.keys() {
        if !spec.any_name && spec.canonical(name).is_none() {
            let at = arg_key_span(action, name).unwrap_or_else(|| action.key.span.clone());
            let known = spec.known_names().filter(|n| !n.starts_with('_'));
            let message = if name == "_raw_params" {
                format!(
                    "`{module}` does not take a free-form command; give it key: value arguments"
                )
            } else {
                format!("`{module}` has no argument `{name}`")
            };
            return Err(Diagnostic::at(message, &at).suggesting(name, known));
        }
    }
    let present = |name: &str| {
        args.keys()
            .any(|k| spec.canonical(k) == Some(name) || k == name)
    };
    if let Some(missing) = spec.required.iter().find(|name| !present(name)) {
        let shown = if *missing == "_raw_params" {
            "a command"
        } else {
            missing
        };
        return Err(action.key.error(format!("`{module}` needs {shown}")));
    }
    for group in spec.one_of {
        let given: Vec<&str> = group.iter().copied().filter(|name| present(name)).collect();
        let shown: Vec<&str> = group
            .iter()
            .map(|n| {
                if *n == "_raw_params" {
                    "a free-form command"
                } else {
                    n
                }
            })
            .collect();
        if given.len() != 1 {
            let problem = if given.is_empty() {
                "needs one of"
            } else {
                "takes only one of"
            };
            return Err(action
                .key
                .error(format!("`{module}` {problem}: {}", shown.join(", "))));
        }
    }
    Ok(())
}

/// A literal value outside an argument's choices (`state: presnt`); a
/// templated value is checked when the task runs.
fn check_choices(spec: &ArgSpec, args: &VarMap, action: &Action) -> Result<(), Diagnostic> {
    let Some(violation) =
        spec.choice_violation(args, |text| text.contains("{{") || text.contains("{%"))
    else {
        return Ok(());
    };
    let at = arg_key_span(action, &violation.written).unwrap_or_else(|| action.key.span.clone());
    Err(Diagnostic::at(
        format!("`{}`: {}", action.module.name(), violation.message()),
        &at,
    )
    .suggesting(&violation.text, violation.allowed.iter().copied()))
}

fn arg_key_span(action: &Action, name: &str) -> Option<Span> {
    let entries = action.value?.as_map()?;
    entries
        .iter()
        .find(|(k, _)| k.key_text() == name)
        .map(|(k, _)| k.span.clone())
}
