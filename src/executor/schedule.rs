//! One task on a set of hosts at once: at most `--forks` (and `throttle`)
//! in flight on the worker pool, `run_once` results shared with the batch,
//! and a bug in runbook failing its host rather than the run.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use super::Event;
use super::Status;
use super::play_ctx::PlayCtx;
use super::run::Run;
use super::task_executor::{TaskExecutor, TaskRun};
use super::variables::Scope;
use super::workers::Workers;
use crate::playbook::Task;
use crate::source::Diagnostic;
use crate::value::VarMap;

/// Actions that run once for the whole batch (per loop item), whatever
/// the hosts, as Ansible's `BYPASS_HOST_LOOP` action plugins.
const BYPASS_HOST_LOOP: &[&str] = &["add_host"];

/// Where a task runs: the run, the play, and the worker pool.
#[derive(Clone, Copy)]
pub(super) struct Stage<'a> {
    pub run: &'a Run,
    pub play: &'a PlayCtx<'a>,
    pub pool: &'a Workers,
    /// Running handlers: the tasks of an `include_tasks` handler are shown
    /// as `RUNNING HANDLER`.
    pub handlers: bool,
}

impl Stage<'_> {
    /// Whether `task` is `run_once`: a template is rendered with the
    /// variables of `first`, as Ansible's linear strategy does; one that
    /// gives no boolean is warned about and counts as unset.
    pub(super) fn runs_once(&self, task: &Task, first: &str) -> bool {
        let Some(template) = &task.run_once_template else {
            return task.run_once;
        };
        let vars = self.run.vars(first, Scope::task(self.play, task)).value();
        super::flags::templated_flag(&self.run.templar, "run_once", template, &vars).unwrap_or_else(
            |e| {
                self.run.warn(format!(
                    "{e} (task '{}' at {})",
                    task.display_name(),
                    task.span.location()
                ));
                false
            },
        )
    }

    /// The task's `throttle:` (its own, a block's or the play's), a template
    /// rendered with the first host's variables (Ansible renders it when it
    /// queues the task); 0 is none. One that gives no number ends the run,
    /// as Ansible's "Failed to convert the throttle value" does.
    fn throttle(&self, task: &Task, first: &str) -> Result<Option<usize>, Diagnostic> {
        let Some(template) = task.throttle.as_ref().or(self.play.play.throttle.as_ref()) else {
            return Ok(None);
        };
        let vars = self.run.vars(first, Scope::task(self.play, task)).value();
        super::flags::templated_count(&self.run.templar, "throttle", template, &vars)
            .map(|count| count.map(|n| usize::try_from(n).unwrap_or(usize::MAX)))
            .map_err(|e| {
                Diagnostic::runtime(format!(
                    "Failed to convert the throttle value to an integer: {}",
                    e.reason
                ))
                .with_span(&task.span)
            })
    }

    /// A `vars_files` entry still undefined on a host whose facts were
    /// gathered: Ansible's error, raised before the task's banner.
    fn undefined_vars_file(&self, task: &Task, hosts: &[String]) -> Option<Diagnostic> {
        if self.play.host_vars_files.is_empty() {
            return None;
        }
        hosts.iter().find_map(|host| {
            let gathered = self.run.hosts.read(host, |record| {
                record.facts().contains_key(crate::modules::FACTS_GATHERED)
            });
            if !gathered {
                return None;
            }
            let view = self.run.vars(host, Scope::task(self.play, task));
            self.play
                .host_vars_files
                .undefined_after_facts(self.run, &view)
        })
    }

    /// The task's name for its banner, rendered (as in Ansible) with the
    /// variables of `first`, the first host it runs on, the first time the
    /// task runs; later runs of the same task show that rendering again.
    fn banner_name(&self, task: &Task, first: &str) -> String {
        let name = task.banner_name();
        if !crate::template::has_template_markers(&name) {
            return name;
        }
        let key = (std::ptr::from_ref(task) as usize, task.span.location());
        if let Some(known) = self
            .run
            .rendered_names
            .lock()
            .ok()
            .and_then(|names| names.get(&key).cloned())
        {
            return known;
        }
        let vars = self.run.vars(first, Scope::task(self.play, task)).value();
        let (rendered, errors) =
            super::names::rendered_name_and_errors(&self.run.templar, &name, &vars);
        if !errors.is_empty() {
            self.run.warn(super::names::template_errors_warning(
                &errors,
                &task.span.location(),
            ));
        }
        if let Ok(mut names) = self.run.rendered_names.lock() {
            names.insert(key, rendered.clone());
        }
        rendered
    }

    /// `task` on every one of `hosts` (a handler when `handler`); whether
    /// a failure on one of them is fatal for the others is
    /// [`Stage::spread_failures`]'s business.
    pub(super) fn run_task(
        &self,
        task: &Task,
        hosts: &[String],
        handler: bool,
    ) -> Vec<(String, TaskRun)> {
        if hosts.is_empty() {
            return Vec::new();
        }
        if let Some(error) = self.undefined_vars_file(task, hosts) {
            self.play.fail_run(error);
            return Vec::new();
        }
        let name = self.banner_name(task, &hosts[0]);
        // Ansible shows the banner before it renders `run_once` (and warns).
        let once_for_sure = task.run_once_template.is_none() && task.run_once;
        let bypasses = BYPASS_HOST_LOOP.contains(&task.module.name());
        self.run.emit(Event::TaskStart {
            name,
            location: task.span.location(),
            handler,
            hosts: if once_for_sure || bypasses {
                1
            } else {
                hosts.len()
            },
        });
        let run_once = self.runs_once(task, &hosts[0]);
        let once = run_once || bypasses;
        let targets = if once { &hosts[..1] } else { hosts };
        let results: Mutex<Vec<(String, TaskRun)>> = Mutex::default();
        let throttle = match self.throttle(task, &hosts[0]) {
            Ok(throttle) => throttle.unwrap_or(targets.len()).max(1),
            Err(error) => {
                self.play.fail_run(error);
                return Vec::new();
            }
        };
        // FIFO: with fewer forks than hosts, hosts start in inventory order, as in Ansible.
        for wave in targets.chunks(throttle) {
            self.pool.scope_fifo(|scope| {
                for host in wave {
                    let results = &results;
                    scope.spawn_fifo(move || {
                        let outcome = self.guarded(task, host);
                        if let Ok(mut results) = results.lock() {
                            results.push((host.clone(), outcome));
                        }
                    });
                }
            });
        }
        let results = results.into_inner().unwrap_or_default();
        if run_once {
            self.share_run_once_result(task, hosts, &results);
        }
        results
    }

    /// `run_once`: the one result counts for every host of the batch.
    fn share_run_once_result(&self, task: &Task, hosts: &[String], results: &[(String, TaskRun)]) {
        let Some((_, first)) = results.first() else {
            return;
        };
        for host in &hosts[1..] {
            if let Some(name) = &task.register {
                self.run.set_facts(
                    host,
                    &VarMap::from_iter([(name.clone(), first.registered.clone())]),
                );
            }
            self.run.set_facts(host, &first.facts);
            if task.module.name() == "include_vars" {
                // The variables it loaded are in its result, as Ansible reads them.
                let loaded = first
                    .registered
                    .get_attr("ansible_facts")
                    .unwrap_or_default();
                self.run
                    .set_file_vars(host, &crate::value::to_var_map(&loaded));
            }
            if first.status == Status::Changed {
                self.run
                    .hosts
                    .update(host, |record| record.notify(&task.notify));
            }
        }
    }

    /// Run a task on a host; a bug in runbook fails that host, not the run.
    fn guarded(&self, task: &Task, host: &str) -> TaskRun {
        let attempt = catch_unwind(AssertUnwindSafe(|| {
            TaskExecutor::new(self.run, self.play, task, host).run()
        }));
        attempt.unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            TaskExecutor::new(self.run, self.play, task, host).fail_internally(&message)
        })
    }
}
