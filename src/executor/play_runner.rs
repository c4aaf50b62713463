//! One play: pick its hosts, load its variables, and move the hosts through
//! its tasks with the `linear` or `free` strategy, flushing handlers after
//! each section as Ansible does.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use indexmap::IndexSet;
use rayon::ThreadPool;

use super::context::layer;
use super::run::RunShared;
use super::task_runner::{TaskRun, run_task_on_host};
use super::{Event, HostResult, Status};
use crate::playbook::{Play, Strategy, Task};
use crate::source::Diagnostic;
use crate::value::{Value, VarMap, to_var_map};

/// What every task of a play shares.
pub struct PlayCtx<'a> {
    pub play: &'a Play,
    /// `ansible_play_hosts` and friends.
    pub magic: Arc<VarMap>,
    /// Play `vars` with `vars_files` above them.
    pub vars: Arc<VarMap>,
    /// Handlers notified per host (by name or `listen` topic), not yet run.
    notified: Mutex<HashMap<String, IndexSet<String>>>,
}

impl PlayCtx<'_> {
    pub fn notify(&self, host: &str, names: &[String]) {
        if let Ok(mut notified) = self.notified.lock() {
            notified
                .entry(host.to_string())
                .or_default()
                .extend(names.iter().cloned());
        }
    }

    /// Hosts among `hosts` that notified `handler`.
    fn take_notified(&self, handler: &Task, hosts: &[String]) -> Vec<String> {
        let Ok(notified) = self.notified.lock() else {
            return Vec::new();
        };
        hosts
            .iter()
            .filter(|host| {
                notified
                    .get(host.as_str())
                    .is_some_and(|names| handler_names(handler).any(|name| names.contains(name)))
            })
            .cloned()
            .collect()
    }

    fn forget(&self, hosts: &[String]) {
        if let Ok(mut notified) = self.notified.lock() {
            for host in hosts {
                notified.remove(host);
            }
        }
    }
}

/// The names a handler answers to: its name and its `listen` topics.
pub fn handler_names(handler: &Task) -> impl Iterator<Item = &str> {
    handler
        .name
        .as_deref()
        .into_iter()
        .chain(handler.listen.iter().map(String::as_str))
}

pub fn run_play(run: &Arc<RunShared>, play: &Play, pool: &ThreadPool) -> Result<(), Diagnostic> {
    let hosts = play_hosts(run, play)?;
    run.emit(Event::PlayStart {
        name: play.display_name().to_string(),
        hosts: hosts.clone(),
    });
    if hosts.is_empty() {
        run.emit(Event::NoHostsMatched {
            play: play.display_name().to_string(),
        });
        return Ok(());
    }
    for host in &hosts {
        run.ensure_in_recap(host);
    }
    let hosts_value: Value = hosts.iter().map(|h| Value::from(h.as_str())).collect();
    let ctx = PlayCtx {
        play,
        magic: layer([
            ("ansible_play_hosts", hosts_value.clone()),
            ("ansible_play_hosts_all", hosts_value.clone()),
            ("ansible_play_batch", hosts_value),
            ("ansible_play_name", Value::from(play.display_name())),
        ]),
        vars: Arc::new(play_vars(run, play)?),
        notified: Mutex::default(),
    };
    if play.gather_facts {
        run_linear(
            run,
            &ctx,
            &gathering_facts(play),
            &live(run, &hosts),
            pool,
            false,
        );
    }
    let sections = [&play.pre_tasks, &play.tasks, &play.post_tasks];
    match play.strategy {
        Strategy::Linear => {
            for section in sections {
                for task in section.iter() {
                    run_linear(run, &ctx, task, &live(run, &hosts), pool, false);
                }
                flush_handlers(run, &ctx, &hosts, pool);
            }
        }
        Strategy::Free => run_free(run, &ctx, &hosts, pool),
    }
    Ok(())
}

/// The implicit first task of a play with `gather_facts` on.
fn gathering_facts(play: &Play) -> Task {
    let mut task = Task::new(
        crate::modules::registry::setup(),
        "setup",
        play.span.clone(),
    );
    task.name = Some("Gathering Facts".into());
    task
}

/// The play's hosts: its pattern, narrowed by `--limit`, without hosts that
/// already failed in this run.
fn play_hosts(run: &Arc<RunShared>, play: &Play) -> Result<Vec<String>, Diagnostic> {
    let extra = run.extra_vars_context().value();
    let pattern = run
        .templar
        .render_str(&play.hosts, &extra)
        .map_err(|e| Diagnostic::at(format!("cannot template `hosts`: {e}"), &play.span))?;
    let pattern = pattern
        .as_str()
        .map_or_else(|| pattern.to_string(), str::to_string);
    let selection = run
        .inventory
        .select(&pattern)
        .map_err(|e| e.with_span(&play.span))?;
    for name in &selection.warnings {
        run.warn(format!(
            "Could not match supplied host pattern, ignoring: {name}"
        ));
    }
    let mut hosts = selection.hosts;
    if let Some(limit) = &run.options.limit {
        let allowed = run.inventory.select(limit)?;
        for name in &allowed.warnings {
            run.warn(format!(
                "Could not match supplied host pattern, ignoring: {name}"
            ));
        }
        hosts.retain(|h| allowed.hosts.contains(h));
    }
    hosts.retain(|h| run.hosts.contains_key(h) && !run.is_dead(h));
    for host in &hosts {
        refuse_become(run, host, play)?;
    }
    Ok(hosts)
}

/// `ansible_become` asks for privileges runbook cannot take yet: running
/// without them would fail in confusing ways, so say so up front.
fn refuse_become(run: &RunShared, host: &str, play: &Play) -> Result<(), Diagnostic> {
    let Some(entry) = run.hosts.get(host) else {
        return Ok(());
    };
    let become_var = entry.inventory_vars.get("ansible_become");
    let wanted = become_var.is_some_and(|v| {
        v.as_str().map_or_else(
            || v.is_true(),
            |s| crate::value::parse_bool(s).unwrap_or(true),
        )
    });
    if wanted {
        return Err(Diagnostic::at(
            format!(
                "{host} has ansible_become set, but runbook cannot become another user yet; connect as a user with the rights needed (ansible_user)"
            ),
            &play.span,
        ));
    }
    Ok(())
}

/// Play `vars`, with `vars_files` loaded above them.
fn play_vars(run: &Arc<RunShared>, play: &Play) -> Result<VarMap, Diagnostic> {
    let mut vars = play.vars.clone();
    let context = run
        .extra_vars_context()
        .with_layer(Arc::new(play.vars.clone()))
        .with_layer(Arc::new(run.options.extra_vars.clone()));
    for (path, span) in &play.vars_files {
        let rendered = run
            .templar
            .render_str(path, &context.value())
            .map_err(|e| Diagnostic::at(format!("cannot template vars_files entry: {e}"), span))?;
        let rendered = rendered
            .as_str()
            .map_or_else(|| rendered.to_string(), str::to_string);
        let full = run.playbook_dir.join(&rendered);
        if !full.is_file() {
            return Err(Diagnostic::at(
                format!("vars file {} was not found", full.display()),
                span,
            ));
        }
        let node = crate::yaml::parse_file(&full)?;
        if !node.is_null() {
            node.expect_map("a vars file")?;
        }
        crate::value::overlay(&mut vars, &to_var_map(&node.to_value()));
    }
    Ok(vars)
}

fn live(run: &RunShared, hosts: &[String]) -> Vec<String> {
    hosts.iter().filter(|h| !run.is_dead(h)).cloned().collect()
}

/// One task on every live host at once (at most `--forks` in flight).
fn run_linear(
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
        name: task.display_name().to_string(),
        location: task.span.location(),
        handler,
    });
    let targets = if task.run_once { &hosts[..1] } else { hosts };
    let results: Mutex<Vec<(String, TaskRun)>> = Mutex::default();
    pool.scope(|scope| {
        for host in targets {
            let results = &results;
            scope.spawn(move |_| {
                let outcome = guarded(run, ctx, task, host);
                if let Ok(mut results) = results.lock() {
                    results.push((host.clone(), outcome));
                }
            });
        }
    });
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
            let result = super::result::TaskResult::failed(format!(
                "internal error in runbook (please report it): {message}"
            ));
            run.record(host, Status::Failed, false, false);
            run.emit(Event::HostResult(HostResult {
                host: host.to_string(),
                task: task.display_name().to_string(),
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

fn flush_handlers(run: &Arc<RunShared>, ctx: &PlayCtx, hosts: &[String], pool: &ThreadPool) {
    for handler in &ctx.play.handlers {
        let targets = ctx.take_notified(handler, &live(run, hosts));
        run_linear(run, ctx, handler, &targets, pool, true);
    }
    ctx.forget(hosts);
}

/// `strategy: free`: each host runs through the play at its own pace.
fn run_free(run: &Arc<RunShared>, ctx: &PlayCtx, hosts: &[String], pool: &ThreadPool) {
    pool.scope(|scope| {
        for host in hosts {
            scope.spawn(move |_| {
                for section in [&ctx.play.pre_tasks, &ctx.play.tasks, &ctx.play.post_tasks] {
                    for task in section.iter() {
                        if run.is_dead(host) {
                            return;
                        }
                        run.emit(Event::TaskStart {
                            name: task.display_name().to_string(),
                            location: task.span.location(),
                            handler: false,
                        });
                        guarded(run, ctx, task, host);
                    }
                    for handler in &ctx.play.handlers {
                        if !ctx
                            .take_notified(handler, std::slice::from_ref(host))
                            .is_empty()
                            && !run.is_dead(host)
                        {
                            guarded(run, ctx, handler, host);
                        }
                    }
                    ctx.forget(std::slice::from_ref(host));
                }
            });
        }
    });
}
