//! Task lists on a set of hosts: each task on every host before the next
//! (linear), blocks with `rescue:`/`always:`, `meta:` actions, and the
//! failure rules (`any_errors_fatal`, `max_fail_percentage`) checked after
//! every task, as Ansible's linear strategy does.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use rayon::ThreadPool;

use super::handlers::flush_handlers;
use super::play_ctx::PlayCtx;
use super::result::TaskResult;
use super::run::RunShared;
use super::task_runner::{TaskRun, run_task_on_host};
use super::{Event, HostResult, Status};
use crate::playbook::{Block, Include, Meta, MetaAction, Step, Task};
use crate::value::VarMap;

/// The hosts among `hosts` that still take part: not failed, not ended,
/// not waiting for a `rescue:`.
pub fn active(run: &RunShared, ctx: &PlayCtx, hosts: &[String]) -> Vec<String> {
    hosts
        .iter()
        .filter(|h| !run.is_dead(h) && !ctx.is_ended(h) && !ctx.failed_in_block(h))
        .cloned()
        .collect()
}

pub fn run_steps(
    run: &Arc<RunShared>,
    ctx: &PlayCtx,
    steps: &[Step],
    hosts: &[String],
    pool: &ThreadPool,
) {
    for step in steps {
        if ctx.batch_stopped() {
            return;
        }
        let targets = active(run, ctx, hosts);
        if targets.is_empty() {
            return;
        }
        match step {
            Step::Task(task) => {
                if run.selects(&task.tags)
                    && run.reached_start(&[task.display_name(), &task.banner_name()])
                    && run.step_allows(task.display_name())
                {
                    run_task(run, ctx, task, &targets, pool, false);
                    check_failure_limits(run, ctx);
                }
            }
            Step::Block(block) => run_block(run, ctx, block, &targets, pool),
            Step::Include(include) => {
                if run.selects(&include.tags) {
                    run_include(run, ctx, include, &targets, pool);
                }
            }
            Step::Meta(meta) => {
                if run.selects(&meta.tags) {
                    run_meta(run, ctx, meta, &targets, pool);
                }
            }
        }
    }
}

/// `block:`, then `rescue:` for the hosts that failed in it, then `always:`
/// for every host that entered (failed or not). A host whose failure no
/// `rescue:` caught is failed once it leaves its outermost block.
fn run_block(
    run: &Arc<RunShared>,
    ctx: &PlayCtx,
    block: &Block,
    hosts: &[String],
    pool: &ThreadPool,
) {
    let rescuing = !block.rescue.is_empty();
    ctx.enter_block(hosts, rescuing);
    run_steps(run, ctx, &block.block, hosts, pool);
    if rescuing {
        ctx.leave_rescuable(hosts);
        let failed = ctx.take_block_failures(hosts);
        run_steps(run, ctx, &block.rescue, &failed, pool);
    }
    let waiting: Vec<String> = hosts
        .iter()
        .filter(|h| ctx.failed_in_block(h))
        .cloned()
        .collect();
    if !block.always.is_empty() {
        ctx.take_block_failures(&waiting);
        run_steps(run, ctx, &block.always, hosts, pool);
        waiting
            .iter()
            .filter(|h| !run.is_dead(h))
            .for_each(|h| ctx.fail_in_block(h));
    }
    ctx.leave_block(hosts);
    for host in hosts.iter().filter(|h| !ctx.in_block(h)) {
        if ctx.take_block_failures(std::slice::from_ref(host)).len() == 1 {
            run.mark_dead(host);
        }
    }
}

/// A dynamic include: `included:` on the hosts where its `when` holds
/// (counted ok), skipped elsewhere, then its tasks on the included hosts —
/// once per loop item when it loops, with the item set.
fn run_include(
    run: &Arc<RunShared>,
    ctx: &PlayCtx,
    include: &Include,
    hosts: &[String],
    pool: &ThreadPool,
) {
    run.emit(Event::TaskStart {
        name: include.name.clone(),
        location: include.span.location(),
        handler: false,
    });
    let mut passes: Vec<(String, Vec<Pass>)> = Vec::new();
    let mut loaded = HashMap::new();
    for host in hosts {
        let planned = include_passes(run, ctx, include, host)
            .and_then(|vars| with_bodies(run, ctx, include, host, vars, &mut loaded));
        let result = match planned {
            Ok(host_passes) if host_passes.is_empty() => {
                TaskResult::skipped_by(include.when.first().map_or("", String::as_str))
            }
            Ok(host_passes) => {
                let mut result = TaskResult::from_outcome(crate::modules::Outcome::ok());
                let file = host_passes
                    .first()
                    .map_or(include.what.as_str(), |p| p.file.as_str());
                result
                    .fields
                    .insert("include".into(), crate::value::Value::from(file));
                passes.push((host.clone(), host_passes));
                result
            }
            Err(message) => TaskResult::failed(message),
        };
        run.emit(Event::HostResult(HostResult {
            host: host.clone(),
            task: include.name.clone(),
            status: result.status(),
            ignored: false,
            item: None,
            delegated_to: None,
            result: result.value(),
            module: include.keyword.clone(),
        }));
        settle_include(run, ctx, host, &result);
    }
    let rounds = passes.iter().map(|(_, p)| p.len()).max().unwrap_or(0);
    for round in 0..rounds {
        // Hosts that included the same file run its tasks together.
        let mut groups: Vec<(Arc<Vec<Step>>, Vec<String>)> = Vec::new();
        for (host, host_passes) in &passes {
            let Some(pass) = host_passes.get(round) else {
                continue;
            };
            if let Some(vars) = &pass.vars {
                ctx.push_include_vars(host, vars.clone());
            }
            match groups
                .iter_mut()
                .find(|(body, _)| Arc::ptr_eq(body, &pass.body))
            {
                Some((_, group)) => group.push(host.clone()),
                None => groups.push((pass.body.clone(), vec![host.clone()])),
            }
        }
        for (body, group) in &groups {
            run_steps(run, ctx, body, group, pool);
        }
        for (host, host_passes) in &passes {
            if host_passes
                .get(round)
                .is_some_and(|pass| pass.vars.is_some())
            {
                ctx.pop_include_vars(host);
            }
        }
    }
}

/// One run of an include's tasks on a host: the loop variables it sees and
/// the tasks (of the file its templated name gave, for a dynamic include).
struct Pass {
    vars: Option<Arc<VarMap>>,
    body: Arc<Vec<Step>>,
    file: String,
}

/// The tasks for each of `host`'s passes; a dynamic include's file is
/// rendered with the host's variables (and the item) and loaded once.
fn with_bodies(
    run: &Arc<RunShared>,
    ctx: &PlayCtx,
    include: &Include,
    host: &str,
    passes: Vec<Option<Arc<VarMap>>>,
    loaded: &mut HashMap<String, Result<Arc<Vec<Step>>, String>>,
) -> Result<Vec<Pass>, String> {
    let Some(dynamic) = &include.dynamic else {
        return Ok(passes
            .into_iter()
            .map(|vars| Pass {
                vars,
                body: include.body.clone(),
                file: include.what.clone(),
            })
            .collect());
    };
    passes
        .into_iter()
        .map(|vars| {
            let mut context = run.task_context(ctx, None, host);
            if let Some(layer) = &vars {
                context.push(layer.clone());
            }
            let file = run
                .templar
                .render_str(&dynamic.file, &context.value())
                .map_err(|e| e.to_string())?;
            let file = file
                .as_str()
                .map_or_else(|| file.to_string(), str::to_string);
            let body = loaded
                .entry(file.clone())
                .or_insert_with(|| {
                    crate::playbook::load_included(dynamic, &file).map(|(_, steps)| Arc::new(steps))
                })
                .clone()?;
            Ok(Pass { vars, body, file })
        })
        .collect()
}

/// The runs of an include's tasks on `host`: none when its `when` fails,
/// one per loop item whose `when` holds, or one without a loop.
fn include_passes(
    run: &Arc<RunShared>,
    ctx: &PlayCtx,
    include: &Include,
    host: &str,
) -> Result<Vec<Option<Arc<VarMap>>>, String> {
    let Some(spec) = &include.loop_ else {
        let holds = run
            .first_false_condition(ctx, &include.when, host, None)
            .is_none();
        return Ok(if holds { vec![None] } else { Vec::new() });
    };
    let vars = run.task_context(ctx, None, host).value();
    let rendered = run
        .templar
        .render_value(&spec.items, &vars)
        .map_err(|e| e.to_string())?;
    let items = super::loops::loop_items(spec.kind, rendered)?;
    let control = &include.loop_control;
    let mut passes = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let mut layer = VarMap::new();
        layer.insert(control.loop_var.clone(), item);
        layer.insert(
            "ansible_loop_var".into(),
            crate::value::Value::from(control.loop_var.as_str()),
        );
        if let Some(index_var) = &control.index_var {
            layer.insert(index_var.clone(), crate::value::Value::from(index));
        }
        let layer = Arc::new(layer);
        if run
            .first_false_condition(ctx, &include.when, host, Some(layer.clone()))
            .is_none()
        {
            passes.push(Some(layer));
        }
    }
    Ok(passes)
}

/// Count an include's own result and take a host whose include failed out.
fn settle_include(run: &Arc<RunShared>, ctx: &PlayCtx, host: &str, result: &TaskResult) {
    let status = result.status();
    run.record(
        host,
        status,
        false,
        false,
        status == Status::Failed && ctx.is_rescuable(host),
    );
    if status == Status::Failed {
        super::settle::take_out(run, ctx, host);
    }
}

fn run_meta(run: &Arc<RunShared>, ctx: &PlayCtx, meta: &Meta, hosts: &[String], pool: &ThreadPool) {
    run.emit(Event::TaskStart {
        name: meta.name.clone(),
        location: meta.span.location(),
        handler: false,
    });
    let applies: Vec<String> = hosts
        .iter()
        .filter(|h| run.meta_condition_holds(ctx, meta, h))
        .cloned()
        .collect();
    if applies.is_empty() {
        return;
    }
    match meta.action {
        MetaAction::FlushHandlers => flush_handlers(run, ctx, hosts, pool),
        MetaAction::EndPlay => ctx.stop_play(),
        MetaAction::EndBatch => ctx.stop_batch(),
        MetaAction::EndHost => applies.iter().for_each(|h| ctx.end_host(h)),
        MetaAction::ClearHostErrors => ctx.batch.iter().for_each(|h| run.clear_failure(h)),
        MetaAction::RefreshInventory => {
            if let Err(error) = run.refresh_inventory() {
                run.warn(format!(
                    "refresh_inventory kept the inventory as it was: {error}"
                ));
            }
        }
        MetaAction::Noop => {}
    }
}

/// After each task: `any_errors_fatal` stops the play at the first failure;
/// `max_fail_percentage` when more than that share of the batch failed; and
/// a batch whose every host failed stops the play, as Ansible does.
fn check_failure_limits(run: &RunShared, ctx: &PlayCtx) {
    let failed = ctx.batch.iter().filter(|h| run.is_dead(h)).count();
    if failed == 0 {
        return;
    }
    let share = failed as f64 * 100.0 / ctx.batch.len().max(1) as f64;
    let over_limit = ctx
        .play
        .max_fail_percentage
        .is_some_and(|limit| share > limit);
    if ctx.play.any_errors_fatal || over_limit {
        ctx.stop_play();
    }
}

/// One task on `hosts` at once (at most `--forks` in flight).
pub fn run_task(
    run: &Arc<RunShared>,
    ctx: &PlayCtx,
    task: &Task,
    hosts: &[String],
    pool: &ThreadPool,
    handler: bool,
) {
    if hosts.is_empty() {
        return;
    }
    run.emit(Event::TaskStart {
        name: task.banner_name(),
        location: task.span.location(),
        handler,
    });
    let targets = if task.run_once { &hosts[..1] } else { hosts };
    let results: Mutex<Vec<(String, TaskRun)>> = Mutex::default();
    let throttle = task
        .throttle
        .or(ctx.play.throttle)
        .unwrap_or(targets.len())
        .max(1);
    for wave in targets.chunks(throttle) {
        pool.scope(|scope| {
            for host in wave {
                let results = &results;
                scope.spawn(move |_| {
                    let outcome = guarded(run, ctx, task, host);
                    if let Ok(mut results) = results.lock() {
                        results.push((host.clone(), outcome));
                    }
                });
            }
        });
    }
    if task.run_once {
        share_run_once_result(
            run,
            ctx,
            task,
            hosts,
            results.into_inner().unwrap_or_default(),
        );
    }
}

/// `run_once`: the one result counts for every host of the batch.
fn share_run_once_result(
    run: &Arc<RunShared>,
    ctx: &PlayCtx,
    task: &Task,
    hosts: &[String],
    results: Vec<(String, TaskRun)>,
) {
    let Some((_, first)) = results.into_iter().next() else {
        return;
    };
    for host in &hosts[1..] {
        if let Some(name) = &task.register {
            run.set_facts(
                host,
                VarMap::from_iter([(name.clone(), first.registered.clone())]),
            );
        }
        run.set_facts(host, first.facts.clone());
        if first.status == Status::Changed {
            ctx.notify(host, &task.notify);
        }
    }
}

/// Run a task on a host; a bug in runbook fails that host, not the run.
fn guarded(run: &Arc<RunShared>, ctx: &PlayCtx, task: &Task, host: &str) -> TaskRun {
    catch_unwind(AssertUnwindSafe(|| run_task_on_host(run, ctx, task, host))).unwrap_or_else(
        |panic| {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let result = TaskResult::failed(format!(
                "internal error in runbook (please report it): {message}"
            ));
            super::settle::settle(run, ctx, task, host, &result, false);
            run.emit(Event::HostResult(HostResult {
                host: host.to_string(),
                task: task.banner_name(),
                status: Status::Failed,
                ignored: false,
                item: None,
                delegated_to: None,
                result: result.value(),
                module: task.module.name().to_string(),
            }));
            TaskRun {
                status: Status::Failed,
                registered: result.value(),
                facts: VarMap::new(),
            }
        },
    )
}
