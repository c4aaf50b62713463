//! After a task ran on a host: `register`, facts, notifications, the
//! event, the recap counters, and what a failure means for the host.

use super::super::context::Context;
use super::super::result::TaskResult;
use super::super::{Event, HostResult, Status};
use super::{ItemRun, TaskExecutor, TaskRun};
use crate::source::Diagnostic;
use crate::value::{Value, VarMap};

impl TaskExecutor<'_> {
    pub(super) fn finish(mut self, done: ItemRun) -> TaskRun {
        let ItemRun {
            result,
            facts,
            delegated_to,
        } = done;
        let (task, host) = (self.task, self.host);
        let status = result.status();
        let ignore_unreachable = self.flag("ignore_unreachable", task.ignore_unreachable.as_ref());
        let delegate_facts = self.flag("delegate_facts", task.delegate_facts.as_ref());
        let ignored = (status == Status::Failed && self.ignores_errors())
            || (status == Status::Unreachable && ignore_unreachable);
        let notify = if status == Status::Changed {
            self.notifications()
        } else {
            Vec::new()
        };
        // Let go of this task's view of the host's facts, so recording the
        // result below edits the facts in place instead of copying them.
        self.vars = Context::new(self.run.templar.clone());
        let registered = result.registered();
        let facts_host = delegated_to
            .as_deref()
            .filter(|_| delegate_facts)
            .unwrap_or(host);
        self.run.set_facts(facts_host, &facts);
        if let Some(name) = &task.register {
            self.run.set_facts(
                host,
                &VarMap::from_iter([(name.clone(), registered.clone())]),
            );
        }
        let mut ends_run = false;
        if !notify.is_empty() {
            if let Some(missing) = notify.iter().find(|name| {
                !super::super::handlers::is_known_notification(&self.play.play.handlers, name)
            }) {
                // Ansible's `ERROR!`: the run ends before the result is
                // shown, without a recap.
                ends_run = true;
                self.play.fail_run(Diagnostic::runtime(format!(
                    "The requested handler '{missing}' was not found in either the main handlers list nor in the listening handlers list"
                )).with_span(&task.span));
            }
            self.run.hosts.update(host, |record| record.notify(&notify));
        }
        if !ends_run {
            let mut event = self.host_result(&result, delegated_to);
            event.ignored = ignored;
            self.run.emit(Event::HostResult(event));
        }
        self.settle(&result, ignored, ignore_unreachable);
        TaskRun {
            status,
            ignored,
            registered,
            facts,
        }
    }

    /// The handler names and topics the task notifies, rendered with its
    /// variables as Ansible renders `notify` (a template may give a list).
    /// One that does not render is kept as written, and so names no handler.
    fn notifications(&self) -> Vec<String> {
        let vars = self.vars.value();
        let mut names = Vec::new();
        for name in &self.task.notify {
            if !crate::template::has_template_markers(name) {
                names.push(name.clone());
                continue;
            }
            match self.run.templar.render_str(name, &vars) {
                Ok(value) if value.kind() == minijinja::value::ValueKind::Seq => {
                    names.extend(
                        value
                            .try_iter()
                            .into_iter()
                            .flatten()
                            .map(|v| crate::value::text(&v)),
                    );
                }
                Ok(value) => names.push(crate::value::text(&value)),
                Err(_) => names.push(name.clone()),
            }
        }
        names
    }

    /// A bug in runbook while running the task: the host fails, the run goes on.
    pub(crate) fn fail_internally(&self, message: &str) -> TaskRun {
        let result = TaskResult::failed(format!(
            "internal error in runbook (please report it): {message}"
        ));
        self.settle(&result, false, false);
        self.run
            .emit(Event::HostResult(self.host_result(&result, None)));
        TaskRun {
            status: Status::Failed,
            ignored: false,
            registered: result.value(),
            facts: VarMap::new(),
        }
    }

    /// Count the result and decide what a failure means for the host: caught
    /// by an enclosing `rescue:` (counted as rescued), waiting for a block's
    /// `always:`, or out of the play.
    fn settle(&self, result: &TaskResult, ignored: bool, ignore_unreachable: bool) {
        let (run, task, host) = (self.run, self.task, self.host);
        let status = result.status();
        if status == Status::Unreachable && ignore_unreachable {
            run.count(host, Status::Failed, true, false);
            return;
        }
        run.count(host, status, ignored, result.flag("changed"));
        if status != Status::Failed || ignored {
            return;
        }
        if run.hosts.read(host, |record| record.in_block()) {
            let failed_task = crate::value::map_from_pairs([
                // Ansible's task attribute: empty for a task without a name.
                (
                    "name",
                    Value::from(task.name.as_deref().unwrap_or_default()),
                ),
                ("action", Value::from(task.module.name())),
            ]);
            run.set_facts(
                host,
                &VarMap::from_iter([
                    ("ansible_failed_task".to_string(), failed_task),
                    ("ansible_failed_result".to_string(), result.registered()),
                ]),
            );
        }
        run.hosts.update(host, |record| record.fail());
    }

    /// `no_log`; a template that gives no boolean hides the output too, so a
    /// mistake never shows what was meant to stay hidden.
    pub(super) fn hides_output(&self) -> bool {
        let Some(template) = &self.task.no_log_template else {
            return self.task.no_log;
        };
        crate::executor::flags::templated_flag(
            &self.run.templar,
            "no_log",
            template,
            &self.vars.value(),
        )
        .unwrap_or(true)
    }

    /// A boolean keyword (`delegate_facts`, `ignore_unreachable`) on this
    /// host; one that does not render to a boolean counts as false.
    fn flag(&self, keyword: &str, value: Option<&Value>) -> bool {
        value.is_some_and(|template| {
            crate::executor::flags::templated_flag(
                &self.run.templar,
                keyword,
                template,
                &self.vars.value(),
            )
            .unwrap_or(false)
        })
    }

    /// `ignore_errors` on this host. One that does not give a boolean
    /// failed the task before its module ran, and Ansible then reads the
    /// keyword unrendered: a template's text, which is true.
    fn ignores_errors(&self) -> bool {
        self.task.ignore_errors.as_ref().is_some_and(|template| {
            crate::executor::flags::templated_flag(
                &self.run.templar,
                "ignore_errors",
                template,
                &self.vars.value(),
            )
            .unwrap_or(true)
        })
    }

    /// The result as the reporter gets it (censored under `no_log`).
    pub(super) fn host_result(
        &self,
        result: &TaskResult,
        delegated_to: Option<String>,
    ) -> HostResult {
        HostResult {
            host: self.host.to_string(),
            task: self.task.banner_name(),
            location: self.task.span.location(),
            status: result.status(),
            ignored: false,
            item: None,
            delegated_to,
            result: self.shown(result),
            module: self.task.module.name().to_string(),
            shown_in_full: result.flag("_ansible_verbose_always"),
            // Under no_log the task's own lines may hold what is hidden.
            error: self
                .take_explained()
                .filter(|_| result.status() == Status::Failed && !self.hides_output()),
        }
    }

    pub(super) fn shown(&self, result: &TaskResult) -> Value {
        if self.hides_output() {
            result.censored()
        } else {
            result.registered()
        }
    }
}
