//! Handlers: run once per host per flush, in the order they are defined,
//! on hosts that notified them by name or `listen` topic.

use super::host_record::{HostRecord, Standing};
use super::schedule::Stage;
use crate::playbook::Task;

/// The names a handler answers to: its name and its `listen` topics.
fn handler_names(handler: &Task) -> impl Iterator<Item = &str> {
    handler
        .name
        .as_deref()
        .into_iter()
        .chain(handler.listen.iter().map(String::as_str))
}

impl Stage<'_> {
    /// Run the handlers `hosts` notified. With `force_handlers`, hosts that
    /// failed still run theirs (unreachable hosts cannot).
    pub(super) fn flush_handlers(&self, hosts: &[String]) {
        let forced = self.play.keywords.force_handlers || self.run.options.force_handlers;
        let eligible = |record: &HostRecord| {
            !record.is_ended()
                && match record.standing() {
                    Standing::Active => true,
                    Standing::Failed => forced,
                    Standing::Unreachable => false,
                }
        };
        for handler in &self.play.play.handlers {
            if crate::interruption::stop_scheduling() {
                break;
            }
            let targets = self.run.hosts.filter(hosts, |record| {
                eligible(record) && record.notified_any(handler_names(handler))
            });
            if !targets.is_empty() {
                let outcomes = self.run_task(handler, &targets, true);
                self.spread_failures(handler, &outcomes);
            }
        }
        for host in hosts {
            self.run
                .hosts
                .update(host, HostRecord::forget_notifications);
        }
    }
}
