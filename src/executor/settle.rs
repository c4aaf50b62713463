//! After a task ran on a host: `register`, facts, notifications, the
//! event, the recap counters, and what a failure means for the host.

use std::sync::Arc;

use super::context::Context;
use super::play_ctx::PlayCtx;
use super::result::TaskResult;
use super::run::RunShared;
use super::task_runner::TaskRun;
use super::{Event, HostResult, Status};
use crate::playbook::Task;
use crate::value::{Value, VarMap};

#[allow(clippy::too_many_arguments)]
pub fn finish(
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

pub fn host_result(
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
