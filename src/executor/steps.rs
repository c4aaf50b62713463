//! Task lists on a set of hosts: each task on every host before the next
//! (linear), blocks with `rescue:`/`always:`, `meta:` actions, and the
//! failure rules (`any_errors_fatal`, `max_fail_percentage`) checked after
//! every task, as Ansible's linear strategy does.

use super::host_record::{HostRecord, Standing};
use super::result::TaskResult;
use super::schedule::Stage;
use super::task_executor::TaskRun;
use super::variables::Scope;
use super::{Event, HostResult, Status};
use crate::playbook::{Block, Meta, MetaAction, Step, Task};

impl Stage<'_> {
    /// The hosts among `hosts` that still take part: not failed, not ended,
    /// not waiting for a `rescue:`.
    pub(super) fn active(&self, hosts: &[String]) -> Vec<String> {
        self.run.hosts.filter(hosts, HostRecord::takes_part)
    }

    pub(super) fn run_steps(&self, steps: &[Step], hosts: &[String]) {
        for step in steps {
            if let Step::Meta(Meta {
                action: MetaAction::RoleComplete(role, key),
                ..
            }) = step
            {
                hosts
                    .iter()
                    .for_each(|h| self.run.hosts.update(h, |r| r.role_complete(*role, *key)));
                continue;
            }
            if self.play.batch_stopped() || crate::interruption::stop_scheduling() {
                return;
            }
            let mut targets = self.active(hosts);
            let role = match step {
                Step::Task(task) => task.role.as_ref(),
                Step::Include(include) => include.role.as_ref(),
                Step::Block(_) | Step::Meta(_) => None,
            };
            if let Some(role) = role {
                targets = self
                    .run
                    .hosts
                    .filter(&targets, |record| !record.has_done(role));
            }
            if targets.is_empty() {
                // Hosts that ended a role take part again where it completes.
                continue;
            }
            match step {
                Step::Task(task) => {
                    if self.run.gate.admits(task, |name| self.run.ask_step(name)) {
                        let outcomes = self.run_task(task, &targets, self.handlers);
                        if let Some(role) = &task.role {
                            for (host, outcome) in &outcomes {
                                if matches!(
                                    outcome.status,
                                    Status::Ok | Status::Changed | Status::Failed
                                ) {
                                    self.run
                                        .hosts
                                        .update(host, |record| record.role_ran(role.key));
                                }
                            }
                        }
                        self.spread_failures(task, &outcomes);
                    }
                }
                Step::Block(block) => self.run_block(block, &targets),
                Step::Include(include) => {
                    if self.run.gate.selects(&include.tags) {
                        self.run_include(include, &targets);
                    }
                }
                Step::Meta(meta) => {
                    if self.run.gate.selects(&meta.tags) {
                        self.run_meta(meta, &targets);
                    }
                }
            }
        }
    }

    /// `block:`, then `rescue:` for the hosts that failed in it, then `always:`
    /// for every host that entered (failed or not). A host whose failure no
    /// `rescue:` caught is failed once it leaves its outermost block.
    fn run_block(&self, block: &Block, hosts: &[String]) {
        let table = &self.run.hosts;
        let rescuing = !block.rescue.is_empty();
        hosts
            .iter()
            .for_each(|h| table.update(h, |record| record.enter_block(rescuing)));
        self.run_steps(&block.block, hosts);
        if rescuing {
            let failed = self.each_where(hosts, |record| {
                record.leave_rescuable();
                record.take_block_failure()
            });
            self.run_steps(&block.rescue, &failed);
        }
        if !block.always.is_empty() {
            let waiting = self.each_where(hosts, HostRecord::take_block_failure);
            self.run_steps(&block.always, hosts);
            waiting
                .iter()
                .for_each(|h| table.update(h, HostRecord::restore_block_failure));
        }
        hosts
            .iter()
            .for_each(|h| table.update(h, HostRecord::leave_block));
    }

    /// Apply `change` to each of `hosts`; the hosts for which it returned true.
    fn each_where(
        &self,
        hosts: &[String],
        change: impl Fn(&mut HostRecord) -> bool,
    ) -> Vec<String> {
        hosts
            .iter()
            .filter(|h| self.run.hosts.update(h, &change))
            .cloned()
            .collect()
    }

    /// A `meta:` action, shown as ansible-core 2.19 shows it. `flush_handlers`,
    /// `end_host` and `end_role` act per host (each where its `when` holds,
    /// `skipping:` elsewhere), with a banner for every host; `noop`,
    /// `reset_connection` and `refresh_inventory` ignore `when` (with
    /// Ansible's warning); the others act on the whole batch when their
    /// `when` holds on its first host.
    fn run_meta(&self, meta: &Meta, hosts: &[String]) {
        let run = self.run;
        let banner = || {
            run.emit(Event::TaskStart {
                name: meta.name.clone(),
                location: meta.span.location(),
                handler: self.handlers,
                hosts: hosts.len(),
            })
        };
        let scope = Scope::play(self.play);
        let holds = |host: &String| {
            run.first_false_condition(host, scope, &meta.when, None)
                .is_none()
        };
        let skip = |host: &String| {
            let reason = format!("{} conditional evaluated to False", meta.action.name());
            let result = TaskResult::skipped(&reason);
            run.emit(Event::HostResult(HostResult {
                host: host.clone(),
                task: meta.name.clone(),
                location: meta.span.location(),
                status: Status::Skipped,
                ignored: false,
                item: None,
                delegated_to: None,
                result: result.value(),
                module: "meta".into(),
                shown_in_full: false,
                error: None,
            }));
        };
        let ignores_when = matches!(
            meta.action,
            MetaAction::Noop | MetaAction::ResetConnection | MetaAction::RefreshInventory
        );
        if ignores_when && !meta.when.is_empty() {
            run.warn(format!(
                "{} task does not support when conditional",
                meta.action.name()
            ));
        }
        let per_host = matches!(
            meta.action,
            MetaAction::FlushHandlers
                | MetaAction::EndHost
                | MetaAction::EndRole(_)
                | MetaAction::Noop
                | MetaAction::ResetConnection
        );
        let mut applies = Vec::new();
        if per_host {
            for host in hosts {
                banner();
                if ignores_when || holds(host) {
                    applies.push(host.clone());
                } else {
                    skip(host);
                }
            }
        } else {
            banner();
            match hosts.first() {
                Some(first) if !ignores_when && !holds(first) => skip(first),
                _ => applies = hosts.to_vec(),
            }
        }
        if applies.is_empty() {
            return;
        }
        match meta.action {
            MetaAction::FlushHandlers => self.flush_handlers(&applies),
            MetaAction::EndPlay => self.play.stop_play(),
            MetaAction::EndBatch => self.play.stop_batch(),
            MetaAction::EndHost => applies
                .iter()
                .for_each(|h| run.hosts.update(h, HostRecord::end_play_for_host)),
            MetaAction::ClearHostErrors => self
                .play
                .batch
                .iter()
                .for_each(|h| run.hosts.update(h, HostRecord::clear_failure)),
            MetaAction::RefreshInventory => {
                if let Err(error) = run.refresh_inventory() {
                    run.warn(format!(
                        "refresh_inventory kept the inventory as it was: {error}"
                    ));
                }
            }
            MetaAction::ResetConnection => {
                applies.iter().for_each(|host| run.reset_connection(host))
            }
            MetaAction::EndRole(role) => applies
                .iter()
                .for_each(|h| run.hosts.update(h, |r| r.end_role(role))),
            MetaAction::Noop | MetaAction::RoleComplete(..) => {}
        }
    }

    /// After each task, as Ansible's linear strategy: a failure (or an
    /// unreachable host) in a task that is `run_once` or `any_errors_fatal`
    /// (on the task, a block around it, or the play) fails every other host
    /// of the batch — into its `rescue:`/`always:` if it is in a block — and
    /// more failed hosts than `max_fail_percentage` allows fail the rest and
    /// end the playbook.
    pub(super) fn spread_failures(&self, task: &Task, outcomes: &[(String, TaskRun)]) {
        let failed_here = outcomes.iter().any(|(_, outcome)| {
            matches!(outcome.status, Status::Failed | Status::Unreachable) && !outcome.ignored
        });
        let run_once = outcomes
            .first()
            .is_some_and(|(first, _)| self.runs_once(task, first));
        let fatal = run_once
            || task
                .any_errors_fatal
                .unwrap_or(self.play.keywords.any_errors_fatal);
        if failed_here && fatal {
            self.fail_every_active_host();
        }
        let Some(limit) = self.play.keywords.max_fail_percentage else {
            return;
        };
        let batch = &self.play.batch;
        let failed = self
            .run
            .hosts
            .filter(batch, |record| record.standing() == Standing::Failed)
            .len();
        if !outcomes.is_empty()
            && failed as f64 * 100.0 / self.play.batch_size.max(1) as f64 > limit
        {
            self.fail_every_active_host();
            self.play.abandon_playbook();
            self.run.emit(Event::NoHostsRemaining);
            self.run.emit(Event::NoHostsRemaining);
        }
    }

    fn fail_every_active_host(&self) {
        for host in self.active(&self.play.batch) {
            self.run.hosts.update(&host, HostRecord::fail);
        }
    }
}
