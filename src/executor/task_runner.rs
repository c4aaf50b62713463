//! One task on one host: conditions, loop items, argument templating, the
//! module call, `changed_when`/`failed_when`, `register`, and the events.

use std::sync::Arc;

use super::context::Context;
use super::failure_text::{conditional_failure, template_failure};
use super::item_loop::run_loop;
use super::play_ctx::PlayCtx;
use super::result::TaskResult;
use super::run::{OMIT, RunShared};
use super::settle::finish;
use super::{Event, Status};
use crate::connection::{ConnectionSpec, Escalation};
use crate::modules::{Args, ConnectionSlot, ModuleContext, ModuleError};
use crate::playbook::Task;
use crate::value::{Value, VarMap, to_var_map};

/// What the play needs to know after a task ran on a host.
pub struct TaskRun {
    pub status: Status,
    pub registered: Value,
    pub facts: VarMap,
}

/// Everything one execution of the module (one loop item) produced.
pub struct ItemRun {
    pub result: TaskResult,
    pub facts: VarMap,
    pub delegated_to: Option<String>,
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

/// One execution of the module with `context`.
pub fn run_item(
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
    let Some(entry) = run.host(host) else {
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
        Err(ModuleError::Failed(message)) => (TaskResult::failed(message), VarMap::new()),
        Err(ModuleError::Unreachable(error)) => {
            (TaskResult::unreachable(error.to_string()), VarMap::new())
        }
    }
}

fn delegate_slot(run: &RunShared, target: &str) -> ConnectionSlot {
    let spec = match run.host(target) {
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
