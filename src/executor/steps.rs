//! Task lists on a set of hosts: each task on every host before the next
//! (linear), blocks with `rescue:`/`always:`, `meta:` actions, and the
//! failure rules (`any_errors_fatal`, `max_fail_percentage`) checked after
//! every task, as Ansible's linear strategy does.

use super::Event;
use super::host_record::HostRecord;
use super::schedule::Stage;
use super::variables::Scope;
use crate::playbook::{Block, Meta, MetaAction, Step};

impl Stage<'_> {
    /// The hosts among `hosts` that still take part: not failed, not ended,
    /// not waiting for a `rescue:`.
    pub fn active(&self, hosts: &[String]) -> Vec<String> {
        self.run.hosts.filter(hosts, HostRecord::takes_part)
    }

    pub fn run_steps(&self, steps: &[Step], hosts: &[String]) {
        for step in steps {
            if self.play.batch_stopped() {
                return;
            }
            let targets = self.active(hosts);
            if targets.is_empty() {
                return;
            }
            match step {
                Step::Task(task) => {
                    if self.run.gate.admits(task, |name| self.run.ask_step(name)) {
                        self.run_task(task, &targets, false);
                        self.check_failure_limits();
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

    fn run_meta(&self, meta: &Meta, hosts: &[String]) {
        let run = self.run;
        run.emit(Event::TaskStart {
            name: meta.name.clone(),
            location: meta.span.location(),
            handler: false,
        });
        let scope = Scope::play(self.play);
        let applies: Vec<String> = hosts
            .iter()
            .filter(|h| {
                run.first_false_condition(h, scope, &meta.when, None)
                    .is_none()
            })
            .cloned()
            .collect();
        if applies.is_empty() {
            return;
        }
        match meta.action {
            MetaAction::FlushHandlers => self.flush_handlers(hosts),
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
            MetaAction::Noop => {}
        }
    }

    /// After each task: `any_errors_fatal` stops the play at the first failure;
    /// `max_fail_percentage` when more than that share of the batch failed.
    fn check_failure_limits(&self) {
        let batch = &self.play.batch;
        let failed = self
            .run
            .hosts
            .filter(batch, HostRecord::is_out_of_run)
            .len();
        if failed == 0 {
            return;
        }
        let share = failed as f64 * 100.0 / batch.len().max(1) as f64;
        let play = self.play.play;
        let over_limit = play.max_fail_percentage.is_some_and(|limit| share > limit);
        if play.any_errors_fatal || over_limit {
            self.play.stop_play();
        }
    }
}
