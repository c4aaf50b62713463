//! One task on one host, with the variables it sees there: conditions,
//! loop items, arguments, `until`, the module call, `changed_when` /
//! `failed_when`, and what the result means for the host. The pieces are
//! methods of [`TaskExecutor`], one concern per file, so none of them has
//! to be handed the run, the play, the task and the host again.

mod action;
mod async_run;
mod explain;
mod item;
mod item_loop;
pub(super) use item_loop::{loop_vars, shown_item};
mod overrides;
mod retry;
mod settle;

use std::sync::Arc;

use super::Status;
use super::context::Context;
use super::play_ctx::PlayCtx;
use super::result::TaskResult;
use super::run::Run;
use super::variables::Scope;
use crate::playbook::Task;
use crate::value::{Value, VarMap};

/// What the play needs to know after a task ran on a host.
pub(super) struct TaskRun {
    pub status: Status,
    /// A failure `ignore_errors`/`ignore_unreachable` let pass.
    pub ignored: bool,
    pub registered: Value,
    pub facts: VarMap,
}

/// Everything one execution of the module (or a whole loop) produced.
pub(super) struct ItemRun {
    pub result: TaskResult,
    pub facts: VarMap,
    pub delegated_to: Option<String>,
}

impl ItemRun {
    fn failed(message: String) -> Self {
        Self::of(TaskResult::failed(message))
    }

    fn of(result: TaskResult) -> Self {
        Self {
            result,
            facts: VarMap::new(),
            delegated_to: None,
        }
    }
}

pub(super) struct TaskExecutor<'a> {
    run: &'a Run,
    play: &'a PlayCtx<'a>,
    task: &'a Task,
    host: &'a str,
    /// The task's variables on this host.
    vars: Context,
    /// A template failure shown at its place, for the result it caused.
    explained: std::sync::Mutex<Option<super::events::ExplainedError>>,
}

impl<'a> TaskExecutor<'a> {
    pub(super) fn new(run: &'a Run, play: &'a PlayCtx<'a>, task: &'a Task, host: &'a str) -> Self {
        let vars = run.vars(host, Scope::task(play, task));
        Self {
            vars: match lookup_search_path(run, task) {
                Some(layer) => vars.with_layer(layer),
                None => vars,
            },
            run,
            play,
            task,
            host,
            explained: std::sync::Mutex::new(None),
        }
    }

    /// Run the task (every item of its loop) and settle the result.
    pub(super) fn run(self) -> TaskRun {
        let done = match &self.task.loop_ {
            None => self.run_item(&self.vars),
            Some(_) => self.run_loop(),
        };
        for warning in crate::template::take_lookup_warnings() {
            self.run.warn(warning);
        }
        // A module's own `warnings` (find's skipped paths), as Ansible shows them.
        if let Some(warnings) = done.result.fields.get("warnings")
            && let Ok(items) = warnings.try_iter()
        {
            for warning in items {
                self.run.warn(
                    warning
                        .as_str()
                        .map_or_else(|| warning.to_string(), str::to_string),
                );
            }
        }
        self.finish(done)
    }

    /// `vars` with the task's result visible under its `register` name, or
    /// (`until` without `register`) with the result's keys themselves.
    fn with_result(&self, vars: &Context, result: &TaskResult, bare_keys: bool) -> Context {
        match &self.task.register {
            Some(name) => vars.with_data_layer(Arc::new(VarMap::from_iter([(
                name.clone(),
                result.registered(),
            )]))),
            None if bare_keys => vars.with_data_layer(Arc::new(result.fields.clone())),
            None => vars.clone(),
        }
    }

    /// Whether every one of `conditions` holds with `vars`.
    fn all_hold(&self, conditions: &[String], vars: &Context) -> Result<bool, String> {
        let vars = vars.value();
        for condition in conditions {
            let holds = self
                .run
                .templar
                .eval_condition(condition, &vars)
                .map_err(|e| self.conditional_failure(condition, &e, &vars))?;
            if !holds {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// A role's task: `role_path` and `ansible_search_path` (the role's
/// directory, then the playbook's), where lookups look for files.
fn lookup_search_path(run: &Run, task: &Task) -> Option<Arc<VarMap>> {
    let role = task.role.as_ref()?;
    let role_path = crate::value::Value::from(role.dir.display().to_string());
    let search = crate::value::Value::from(vec![
        role_path.clone(),
        crate::value::Value::from(run.playbook_dir.display().to_string()),
    ]);
    Some(Arc::new(VarMap::from_iter([
        ("role_path".to_string(), role_path),
        ("ansible_search_path".to_string(), search),
    ])))
}
