//! One task on one host: conditions, loop items, argument templating, the
//! module call, `changed_when`/`failed_when`, `register`, and the events.

use std::sync::Arc;

use super::context::{Context, take_lazy_error};
use super::loops::loop_items;
use super::play_ctx::PlayCtx;
use super::result::{TaskResult, loop_result};
use super::run::{OMIT, RunShared};
use super::{Event, HostResult, Status};
use crate::connection::{ConnectionError, ConnectionSpec, Escalation};
use crate::modules::{Args, ConnectionSlot, ModuleContext};
use crate::playbook::Task;
use crate::template::{TemplateError, TemplateErrorKind};
use crate::value::{Value, VarMap, map_from_pairs, to_var_map};

/// What the play needs to know after a task ran on a host.
pub struct TaskRun {
    pub status: Status,
    pub registered: Value,
    pub facts: VarMap,
}

/// Everything one execution of the module (one loop item) produced.
struct ItemRun {
    result: TaskResult,
    facts: VarMap,
    delegated_to: Option<String>,
}

pub fn run_task_on_host(run: &Arc<RunShared>, ctx: &PlayCtx, task: &Task, host: &str) -> TaskRun {
    let context = run.task_context(ctx, Some(task), host);
    let (result, facts, delegated_to) = match &task.loop_ {
        None => {
            let item = run_item(run, ctx, task, host, &context);
            (item.result, item.facts, item.delegated_to)
        }
        Some(_) => run_loop(run, ctx, task, host, &context),
    };
    finish(run, ctx, task, host, &context, result, facts, delegated_to)
}

fn run_loop(
    run: &Arc<RunShared>,
    ctx: &PlayCtx,
    task: &Task,
    host: &str,
    context: &Context,
) -> (TaskResult, VarMap, Option<String>) {
    let items = match render_loop(run, task, context) {
        Ok(items) => items,
        Err(message) => return (TaskResult::failed(message), VarMap::new(), None),
    };
    let control = &task.loop_control;
    let length = items.len();
    let mut results = Vec::with_capacity(length);
    let mut facts = VarMap::new();
    let mut delegated_to = None;
    for (index, item) in items.into_iter().enumerate() {
        let mut loop_vars = VarMap::new();
        loop_vars.insert(control.loop_var.clone(), item.clone());
        loop_vars.insert(
            "ansible_loop_var".into(),
            Value::from(control.loop_var.as_str()),
        );
        loop_vars.insert("ansible_loop".into(), loop_info(index, length));
        if let Some(index_var) = &control.index_var {
            loop_vars.insert(index_var.clone(), Value::from(index));
            loop_vars.insert("ansible_index_var".into(), Value::from(index_var.as_str()));
        }
        let item_context = context
            .with_layer(Arc::new(loop_vars.clone()))
            .with_layer(Arc::new(run.options.extra_vars.clone()));
        let mut item_run = run_item(run, ctx, task, host, &item_context);
        for (key, value) in loop_vars {
            item_run.result.fields.insert(key, value);
        }
        let label = item_label(run, task, &item_context, &item);
        run.emit(Event::ItemResult(host_result(
            task,
            host,
            &item_run.result,
            Some(label),
            item_run.delegated_to.clone(),
        )));
        crate::value::overlay(&mut facts, &item_run.facts);
        delegated_to = item_run.delegated_to;
        results.push(item_run.result);
        if let Some(pause) = control.pause.filter(|p| *p > 0.0 && index + 1 < length) {
            std::thread::sleep(std::time::Duration::from_secs_f64(pause));
        }
    }
    (loop_result(results), facts, delegated_to)
}

fn render_loop(run: &RunShared, task: &Task, context: &Context) -> Result<Vec<Value>, String> {
    let Some(spec) = &task.loop_ else {
        return Ok(Vec::new());
    };
    let rendered = run
        .templar
        .render_value(&spec.items, &context.value())
        .map_err(|e| template_failure(task, &e))?;
    loop_items(spec.kind, rendered).map_err(|e| {
        format!(
            "{e}\n\nThe error appears to be in '{}'",
            spec.span.location()
        )
    })
}

fn loop_info(index: usize, length: usize) -> Value {
    map_from_pairs([
        ("index", Value::from(index + 1)),
        ("index0", Value::from(index)),
        ("first", Value::from(index == 0)),
        ("last", Value::from(index + 1 == length)),
        ("length", Value::from(length)),
        ("revindex", Value::from(length - index)),
        ("revindex0", Value::from(length - index - 1)),
    ])
}

fn item_label(run: &RunShared, task: &Task, context: &Context, item: &Value) -> String {
    let label = match &task.loop_control.label {
        Some(template) => run
            .templar
            .render_str(template, &context.value())
            .unwrap_or_else(|_| Value::from(template.as_str())),
        None => item.clone(),
    };
    label
        .as_str()
        .map_or_else(|| python_repr(&label), str::to_string)
}

/// Values as Ansible shows loop items: JSON-like.
fn python_repr(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
}

/// One execution of the module with `context`.
fn run_item(
    run: &Arc<RunShared>,
    ctx: &PlayCtx,
    task: &Task,
    host: &str,
    context: &Context,
) -> ItemRun {
    let vars = context.value();
    let failed = |message: String| ItemRun {
        result: TaskResult::failed(message),
        facts: VarMap::new(),
        delegated_to: None,
    };
    for condition in &task.when {
        match run.templar.eval_condition(condition, &vars) {
            Ok(true) => {}
            Ok(false) => {
                return ItemRun {
                    result: TaskResult::skipped_by(condition),
                    facts: VarMap::new(),
                    delegated_to: None,
                };
            }
            Err(e) => return failed(conditional_failure(task, condition, &e)),
        }
    }
    let args = match render_args(run, task, &vars) {
        Ok(args) => args,
        Err(message) => return failed(message),
    };
    let environment = match render_environment(run, ctx, task, &vars) {
        Ok(environment) => environment,
        Err(message) => return failed(message),
    };
    let delegated_to = match &task.delegate_to {
        Some(target) => match run.templar.render_str(target, &vars) {
            Ok(name) => Some(
                name.as_str()
                    .map_or_else(|| name.to_string(), str::to_string),
            ),
            Err(e) => return failed(template_failure(task, &e)),
        },
        None => None,
    };
    let escalation = match super::escalation::resolve(
        &run.templar,
        &run.options.become_,
        &ctx.play.become_,
        &task.become_,
        &vars,
    ) {
        Ok(escalation) => escalation,
        Err(message) => return failed(message),
    };
    let call = ModuleCall {
        args,
        environment,
        escalation,
    };
    let attempt = || {
        let (mut result, facts) =
            call_module(run, task, host, delegated_to.as_deref(), &call, &vars);
        if let Err(message) = apply_overrides(run, task, context, &mut result) {
            result = TaskResult::failed(message);
        }
        (result, facts)
    };
    let (result, facts) = match &task.until {
        Some(until) => retry_until(run, task, host, context, until, attempt),
        None => attempt(),
    };
    ItemRun {
        result,
        facts,
        delegated_to,
    }
}

/// `until`/`retries`/`delay`: run again until the conditions hold, as
/// Ansible does — `retries` more attempts after the first (default 3),
/// `delay` seconds apart (default 5); out of attempts, the task fails.
fn retry_until(
    run: &Arc<RunShared>,
    task: &Task,
    host: &str,
    context: &Context,
    until: &[String],
    attempt: impl Fn() -> (TaskResult, VarMap),
) -> (TaskResult, VarMap) {
    let vars = context.value();
    let number = |value: &Option<Value>, default: f64| {
        value
            .as_ref()
            .and_then(|v| run.templar.render_value(v, &vars).ok())
            .and_then(|v| {
                v.as_str()
                    .map_or_else(|| f64::try_from(v.clone()).ok(), |s| s.trim().parse().ok())
            })
            .unwrap_or(default)
    };
    let total = 1 + number(&task.retries, 3.0).max(0.0) as usize;
    let delay = number(&task.delay, 5.0).max(0.0);
    for attempt_number in 1..=total {
        let (mut result, facts) = attempt();
        result
            .fields
            .insert("attempts".into(), Value::from(attempt_number));
        if result.unreachable {
            return (result, facts);
        }
        let scope = match &task.register {
            Some(name) => context.with_layer(Arc::new(VarMap::from_iter([(
                name.clone(),
                result.value(),
            )]))),
            None => context.with_layer(Arc::new(result.fields.clone())),
        };
        let holds = until.iter().try_fold(true, |all, condition| {
            run.templar
                .eval_condition(condition, &scope.value())
                .map(|holds| all && holds)
                .map_err(|e| conditional_failure(task, condition, &e))
        });
        match holds {
            Ok(true) => return (result, facts),
            Err(message) => return (TaskResult::failed(message), facts),
            Ok(false) if attempt_number == total => {
                result.set_flag("failed", true);
                result
                    .fields
                    .insert("attempts".into(), Value::from(total - 1));
                return (result, facts);
            }
            Ok(false) => {
                run.emit(Event::Retry {
                    host: host.to_string(),
                    task: task.banner_name(),
                    retries_left: total - attempt_number,
                    result: if task.no_log {
                        result.censored()
                    } else {
                        result.value()
                    },
                });
                std::thread::sleep(std::time::Duration::from_secs_f64(delay));
            }
        }
    }
    attempt()
}

/// What a module is called with on one host, rendered.
struct ModuleCall {
    args: Args,
    environment: Vec<(String, String)>,
    escalation: Option<Escalation>,
}

fn call_module(
    run: &Arc<RunShared>,
    task: &Task,
    host: &str,
    delegated_to: Option<&str>,
    call: &ModuleCall,
    vars: &Value,
) -> (TaskResult, VarMap) {
    let Some(entry) = run.hosts.get(host) else {
        return (
            TaskResult::failed(format!("{host} is not in the inventory")),
            VarMap::new(),
        );
    };
    let Ok(mut state) = entry.state.lock() else {
        return (
            TaskResult::failed("internal error: host state poisoned"),
            VarMap::new(),
        );
    };
    let state = &mut *state;
    let slot = match delegated_to {
        Some(target) if target != host => state
            .delegated
            .entry(target.to_string())
            .or_insert_with(|| delegate_slot(run, target)),
        _ => &mut state.connection,
    };
    let search_dirs: Vec<std::path::PathBuf> = task
        .role
        .iter()
        .map(|role| role.dir.clone())
        .chain([run.playbook_dir.clone()])
        .collect();
    slot.escalate(call.escalation.clone());
    slot.limit_time(task.timeout);
    let started = std::time::Instant::now();
    let mut module_ctx = ModuleContext {
        host,
        check_mode: task.check_mode.unwrap_or(run.options.check),
        diff: task.diff.unwrap_or(run.options.diff),
        environment: &call.environment,
        playbook_dir: &run.playbook_dir,
        search_dirs: &search_dirs,
        templar: &run.templar,
        vars,
        connection: slot,
    };
    let outcome = task.module.run(&call.args, &mut module_ctx);
    if let Some(seconds) = task.timeout.filter(|s| started.elapsed().as_secs() >= *s) {
        let message = format!(
            "The {} action failed to execute in the expected time frame ({seconds}) and was terminated",
            task.module.name()
        );
        return (TaskResult::failed(message), VarMap::new());
    }
    match outcome {
        Ok(outcome) => {
            let facts = outcome.facts.clone();
            (TaskResult::from_outcome(outcome), facts)
        }
        Err(ConnectionError::Become(message)) => (TaskResult::failed(message), VarMap::new()),
        Err(error) => (TaskResult::unreachable(error.to_string()), VarMap::new()),
    }
}

fn delegate_slot(run: &RunShared, target: &str) -> ConnectionSlot {
    let spec = match run.hosts.get(target) {
        Some(entry) => entry.spec.clone(),
        None => ConnectionSpec::from_vars(target, &VarMap::new(), run.options.connect_timeout)
            .unwrap_or_else(|_| ConnectionSpec::local(target)),
    };
    ConnectionSlot::new(spec)
}

fn render_args(run: &RunShared, task: &Task, vars: &Value) -> Result<Args, String> {
    let mut rendered = VarMap::new();
    for (name, raw) in &task.args {
        let value = run
            .templar
            .render_value(raw, vars)
            .map_err(|e| template_failure(task, &e))?;
        if value.as_str() != Some(OMIT) {
            rendered.insert(name.clone(), value);
        }
    }
    Ok(Args::new(rendered))
}

/// Play `environment:` with the task's on top, rendered to name/value pairs.
fn render_environment(
    run: &RunShared,
    ctx: &PlayCtx,
    task: &Task,
    vars: &Value,
) -> Result<Vec<(String, String)>, String> {
    let mut environment = VarMap::new();
    for source in [&ctx.play.environment, &task.environment]
        .into_iter()
        .flatten()
    {
        let rendered = run
            .templar
            .render_value(source, vars)
            .map_err(|e| template_failure(task, &e))?;
        if rendered.kind() != minijinja::value::ValueKind::Map {
            return Err(format!(
                "environment must be a mapping of variable names to values, got {rendered}"
            ));
        }
        crate::value::overlay(&mut environment, &to_var_map(&rendered));
    }
    environment
        .into_iter()
        .map(|(name, value)| {
            let valid =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(format!("environment variable name {name:?} is not valid"));
            }
            Ok((
                name,
                value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string),
            ))
        })
        .collect()
}

/// `changed_when` and `failed_when`, which see the result under its `register` name.
fn apply_overrides(
    run: &RunShared,
    task: &Task,
    context: &Context,
    result: &mut TaskResult,
) -> Result<(), String> {
    if result.unreachable || (task.changed_when.is_none() && task.failed_when.is_none()) {
        return Ok(());
    }
    let mut scope = context.clone();
    if let Some(name) = &task.register {
        scope = scope.with_layer(Arc::new(VarMap::from_iter([(
            name.clone(),
            result.value(),
        )])));
    }
    let all_true = |conditions: &[String], scope: &Context| -> Result<bool, String> {
        for condition in conditions {
            let holds = run
                .templar
                .eval_condition(condition, &scope.value())
                .map_err(|e| conditional_failure(task, condition, &e))?;
            if !holds {
                return Ok(false);
            }
        }
        Ok(true)
    };
    if let Some(conditions) = &task.changed_when {
        let changed = all_true(conditions, &scope)?;
        result.set_flag("changed", changed);
    }
    if let Some(conditions) = &task.failed_when {
        if let Some(name) = &task.register {
            scope = context.with_layer(Arc::new(VarMap::from_iter([(
                name.clone(),
                result.value(),
            )])));
        }
        let failed = all_true(conditions, &scope)?;
        result.set_flag("failed", failed);
        result.set_flag("failed_when_result", failed);
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn finish(
    run: &Arc<RunShared>,
    ctx: &PlayCtx,
    task: &Task,
    host: &str,
    context: &Context,
    result: TaskResult,
    facts: VarMap,
    delegated_to: Option<String>,
) -> TaskRun {
    let status = result.status();
    let ignored = (status == Status::Failed && ignores_errors(run, task, context))
        || (status == Status::Unreachable && task.ignore_unreachable);
    let registered = result.value();
    match delegated_to.as_deref().filter(|_| task.delegate_facts) {
        Some(target) => run.set_facts(target, facts.clone()),
        None => run.set_facts(host, facts.clone()),
    }
    if let Some(name) = &task.register {
        run.set_facts(
            host,
            VarMap::from_iter([(name.clone(), registered.clone())]),
        );
    }
    if status == Status::Changed && !task.notify.is_empty() {
        ctx.notify(host, &task.notify);
    }
    let mut event = host_result(task, host, &result, None, delegated_to);
    event.ignored = ignored;
    run.emit(Event::HostResult(event));
    settle(run, ctx, task, host, &result, ignored);
    TaskRun {
        status,
        registered,
        facts,
    }
}

/// Count the result and decide what a failure means for the host: caught by
/// an enclosing `rescue:` (counted as rescued), waiting for a block's
/// `always:`, or out of the play.
pub fn settle(
    run: &Arc<RunShared>,
    ctx: &PlayCtx,
    task: &Task,
    host: &str,
    result: &TaskResult,
    ignored: bool,
) {
    let status = result.status();
    if status == Status::Unreachable && task.ignore_unreachable {
        run.record(host, Status::Failed, true, false, false);
        return;
    }
    let failed = status == Status::Failed && !ignored;
    let rescued = failed && ctx.is_rescuable(host);
    run.record(host, status, ignored, result.flag("changed"), rescued);
    if !failed {
        return;
    }
    if ctx.in_block(host) {
        let failed_task = crate::value::map_from_pairs([
            ("name", Value::from(task.display_name())),
            ("action", Value::from(task.module.name())),
        ]);
        run.set_facts(
            host,
            VarMap::from_iter([
                ("ansible_failed_task".to_string(), failed_task),
                ("ansible_failed_result".to_string(), result.value()),
            ]),
        );
    }
    take_out(run, ctx, host);
}

/// A failed host waits for its block's `rescue:`/`always:`, or leaves the play.
pub fn take_out(run: &RunShared, ctx: &PlayCtx, host: &str) {
    if ctx.in_block(host) {
        ctx.fail_in_block(host);
    } else {
        run.mark_dead(host);
    }
}

fn ignores_errors(run: &RunShared, task: &Task, context: &Context) -> bool {
    let Some(ignore_errors) = &task.ignore_errors else {
        return false;
    };
    let rendered = run
        .templar
        .render_value(ignore_errors, &context.value())
        .unwrap_or_default();
    match rendered.as_str() {
        Some(text) => crate::value::parse_bool(text).unwrap_or(false),
        None => rendered.is_true(),
    }
}

fn host_result(
    task: &Task,
    host: &str,
    result: &TaskResult,
    item: Option<String>,
    delegated_to: Option<String>,
) -> HostResult {
    HostResult {
        host: host.to_string(),
        task: task.banner_name(),
        status: result.status(),
        ignored: false,
        item,
        delegated_to,
        result: if task.no_log {
            result.censored()
        } else {
            result.value()
        },
        module: task.module.name().to_string(),
    }
}

/// Ansible's wording for a template that failed inside a task, with where the task is.
fn template_failure(task: &Task, error: &TemplateError) -> String {
    let detail = match (&error.kind, take_lazy_error()) {
        (TemplateErrorKind::Undefined(_), Some(inner)) => inner,
        _ => error.to_string(),
    };
    format!(
        "The task includes an option with an undefined variable or a template error. The error was: {detail}\n\nThe error appears to be in '{}' (task '{}')",
        task.span.location(),
        task.display_name()
    )
}

fn conditional_failure(task: &Task, condition: &str, error: &TemplateError) -> String {
    let detail = take_lazy_error().unwrap_or_else(|| error.to_string());
    format!(
        "The conditional check '{condition}' failed. The error was: {detail}\n\nThe error appears to be in '{}' (task '{}')",
        task.span.location(),
        task.display_name()
    )
}
