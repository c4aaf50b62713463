//! Everything the run learns about one host while it runs, in one record:
//! whether it is still in the run, its recap counters, its facts and
//! registered results, and where it stands in the current play (blocks,
//! notified handlers, `meta: end_host`, include loop variables). Ansible
//! keeps the same facts in `HostState` (play iterator), `AggregateStats` and
//! the `VariableManager`; here they live together and change only through
//! the methods below, so no rule about a host is spread over several maps.

use std::collections::HashSet;
use std::sync::Arc;

use indexmap::IndexSet;

use super::{HostStats, Status};
use crate::playbook::{RoleId, RoleKey};
use crate::value::VarMap;

/// Whether a host still takes part in the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Standing {
    #[default]
    Active,
    /// A task failed and nothing rescued it: the host sits out the rest of the run.
    Failed,
    /// The host could not be reached; `meta: clear_host_errors` cannot bring it back.
    Unreachable,
}

/// What one host has done so far.
#[derive(Debug, Default)]
pub(super) struct HostRecord {
    standing: Standing,
    stats: HostStats,
    /// Gathered facts, `set_fact`s and registered results, for the whole run.
    /// Shared with the variable views of running tasks; replaced, never
    /// edited in place while a view holds it.
    facts: Arc<VarMap>,
    /// Variables `include_vars` loaded: the author's, so rendered when
    /// used (facts are data); below facts, as in Ansible.
    file_vars: Arc<VarMap>,
    play: PlayStanding,
}

/// Where a host stands in the play (or `serial` batch) running now.
#[derive(Debug, Default)]
struct PlayStanding {
    /// Handlers notified (by name or `listen` topic) and not yet run.
    notified: IndexSet<String>,
    /// How many blocks the host is inside.
    blocks: usize,
    /// How many of those still catch failures in their `rescue:`.
    rescuing: usize,
    /// A task failed inside a block; the host waits for `rescue:`/`always:`.
    failed_in_block: bool,
    /// `meta: end_host` took the host out of the play.
    ended: bool,
    /// `meta: end_role` took the host out of this use of a role.
    ended_role: Option<RoleId>,
    /// Roles of which a task ran (ok or failed) on the host.
    roles_ran: HashSet<RoleKey>,
    /// Roles that ran to their end on the host: not run there again unless
    /// they allow duplicates.
    roles_done: HashSet<RoleKey>,
    /// Variables each enclosing `include_tasks` loop sets, innermost last.
    include_vars: Vec<Arc<VarMap>>,
}

impl HostRecord {
    /// A new play (or batch) starts: nothing of the last one's flow carries over.
    pub(super) fn begin_play(&mut self) {
        self.play = PlayStanding::default();
    }

    pub(super) fn stats(&self) -> HostStats {
        self.stats
    }

    pub(super) fn standing(&self) -> Standing {
        self.standing
    }

    /// Not failed, unreachable, ended, or waiting for a `rescue:`.
    pub(super) fn takes_part(&self) -> bool {
        self.standing == Standing::Active
            && !self.play.ended
            && !self.play.failed_in_block
            && self.play.ended_role.is_none()
    }

    pub(super) fn is_out_of_run(&self) -> bool {
        self.standing != Standing::Active
    }

    pub(super) fn is_ended(&self) -> bool {
        self.play.ended
    }

    /// Count a result in the recap. A failure a `rescue:` will catch counts
    /// as rescued; whether it takes the host out is [`Self::fail`]'s business.
    pub(super) fn count(&mut self, status: Status, ignored: bool, changed: bool) {
        let rescued = status == Status::Failed && !ignored && self.is_rescuable();
        if rescued {
            self.stats.rescued += 1;
        } else {
            self.stats.record(status, ignored, changed);
        }
        if status == Status::Unreachable {
            self.standing = Standing::Unreachable;
        }
    }

    /// A failure nothing ignored: the host waits for its block's
    /// `rescue:`/`always:`, or leaves the run.
    pub(super) fn fail(&mut self) {
        if self.play.blocks > 0 {
            self.play.failed_in_block = true;
        } else {
            self.leave_run();
        }
    }

    /// Out for the rest of the run (a failure outside any block).
    pub(super) fn leave_run(&mut self) {
        if self.standing == Standing::Active {
            self.standing = Standing::Failed;
        }
    }

    /// `meta: clear_host_errors`: a failed (not unreachable) host rejoins.
    pub(super) fn clear_failure(&mut self) {
        if self.standing == Standing::Failed {
            self.standing = Standing::Active;
        }
    }

    pub(super) fn end_play_for_host(&mut self) {
        self.play.ended = true;
    }

    pub(super) fn end_role(&mut self, role: RoleId) {
        self.play.ended_role = Some(role);
    }

    /// The tasks of `role` are over: a host that ended it takes part
    /// again, and a role that ran a task here is done here.
    pub(super) fn role_complete(&mut self, role: RoleId, key: RoleKey) {
        if self.play.ended_role == Some(role) {
            self.play.ended_role = None;
        }
        if self.play.roles_ran.contains(&key) {
            self.play.roles_done.insert(key);
        }
    }

    pub(super) fn role_ran(&mut self, key: RoleKey) {
        self.play.roles_ran.insert(key);
    }

    /// Whether a task of `role` is left out here: the role already ran to
    /// its end on the host and does not allow duplicates (Ansible skips
    /// such tasks without a word).
    pub(super) fn has_done(&self, role: &crate::playbook::Role) -> bool {
        !role.allow_duplicates && self.play.roles_done.contains(&role.key)
    }

    pub(super) fn facts(&self) -> Arc<VarMap> {
        self.facts.clone()
    }

    pub(super) fn file_vars(&self) -> Arc<VarMap> {
        self.file_vars.clone()
    }

    pub(super) fn set_file_vars(&mut self, new: &VarMap) {
        crate::value::overlay(Arc::make_mut(&mut self.file_vars), new);
    }

    /// Set facts (or a registered result) on top of the host's facts.
    pub(super) fn set_facts(&mut self, new: &VarMap) {
        if new.is_empty() {
            return;
        }
        // Copies only when a running task still reads the old map.
        let facts = Arc::make_mut(&mut self.facts);
        let gathered = facts.get("ansible_facts").cloned();
        crate::value::overlay(facts, new);
        // Facts a module returns join those already gathered, as in Ansible's
        // fact cache: a filtered `setup` adds to `ansible_facts`, never shrinks it.
        if let (Some(before), Some(after)) = (gathered, new.get("ansible_facts")) {
            let mut merged = crate::value::to_var_map(&before);
            crate::value::overlay(&mut merged, &crate::value::to_var_map(after));
            facts.insert("ansible_facts".into(), crate::value::map_value(merged));
        }
    }

    pub(super) fn notify(&mut self, handlers: &[String]) {
        self.play.notified.extend(handlers.iter().cloned());
    }

    /// The handler names and `listen` topics the host notified.
    pub(super) fn notifications(&self) -> impl Iterator<Item = &str> {
        self.play.notified.iter().map(String::as_str)
    }

    pub(super) fn forget_notifications(&mut self) {
        self.play.notified.clear();
    }

    pub(super) fn enter_block(&mut self, rescuing: bool) {
        self.play.blocks += 1;
        self.play.rescuing += usize::from(rescuing);
    }

    /// The block's own tasks are done: its `rescue:` no longer catches failures.
    pub(super) fn leave_rescuable(&mut self) {
        self.play.rescuing = self.play.rescuing.saturating_sub(1);
    }

    /// Leave a block; a failure no `rescue:` caught takes the host out once
    /// it leaves its outermost block.
    pub(super) fn leave_block(&mut self) {
        self.play.blocks = self.play.blocks.saturating_sub(1);
        if self.play.blocks == 0 && std::mem::take(&mut self.play.failed_in_block) {
            self.leave_run();
        }
    }

    /// Whether a failure now would be caught by a `rescue:`.
    pub(super) fn is_rescuable(&self) -> bool {
        self.play.rescuing > 0
    }

    /// Whether the host is inside a block (a failure then waits for its `always:`).
    pub(super) fn in_block(&self) -> bool {
        self.play.blocks > 0
    }

    /// Take the block failure, to run `rescue:` or `always:`; true if there was one.
    pub(super) fn take_block_failure(&mut self) -> bool {
        std::mem::take(&mut self.play.failed_in_block)
    }

    /// The failure still stands after `always:` (nothing rescued it).
    pub(super) fn restore_block_failure(&mut self) {
        if self.standing == Standing::Active {
            self.play.failed_in_block = true;
        }
    }

    /// Set `vars` for the host's tasks until [`Self::pop_include_vars`].
    pub(super) fn push_include_vars(&mut self, vars: Arc<VarMap>) {
        self.play.include_vars.push(vars);
    }

    pub(super) fn pop_include_vars(&mut self) {
        self.play.include_vars.pop();
    }

    pub(super) fn include_vars(&self) -> &[Arc<VarMap>] {
        &self.play.include_vars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_in_a_block_waits_for_rescue_and_always() {
        let mut host = HostRecord::default();
        host.enter_block(true);
        host.count(Status::Failed, false, false);
        host.fail();
        assert_eq!(host.stats().rescued, 1);
        assert!(!host.takes_part(), "it waits for the rescue");
        assert!(host.take_block_failure());
        host.leave_rescuable();
        assert!(host.takes_part(), "rescued, it runs on");
        host.leave_block();
        assert_eq!(host.standing(), Standing::Active);
    }

    #[test]
    fn an_unrescued_failure_counts_once_it_leaves_the_outer_block() {
        let mut host = HostRecord::default();
        host.enter_block(false);
        host.enter_block(false);
        host.count(Status::Failed, false, false);
        host.fail();
        assert_eq!(host.stats().failed, 1);
        host.leave_block();
        assert_eq!(
            host.standing(),
            Standing::Active,
            "still inside the outer block"
        );
        host.leave_block();
        assert_eq!(host.standing(), Standing::Failed);
    }

    #[test]
    fn unreachable_hosts_stay_out_after_clear_host_errors() {
        let mut host = HostRecord::default();
        host.count(Status::Unreachable, false, false);
        host.clear_failure();
        assert!(host.is_out_of_run());
        let mut failed = HostRecord::default();
        failed.fail();
        failed.clear_failure();
        assert!(failed.takes_part());
    }

    #[test]
    fn facts_are_not_copied_when_nobody_reads_them() {
        let mut host = HostRecord::default();
        host.set_facts(&VarMap::from_iter([("a".into(), 1.into())]));
        let before = Arc::as_ptr(&host.facts);
        host.set_facts(&VarMap::from_iter([("b".into(), 2.into())]));
        assert_eq!(before, Arc::as_ptr(&host.facts));
        let reader = host.facts();
        host.set_facts(&VarMap::from_iter([("c".into(), 3.into())]));
        assert_eq!(reader.len(), 2, "a running task keeps the map it read");
        assert_eq!(host.facts().len(), 3);
    }
}
