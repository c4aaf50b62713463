//! Handlers: run once per host per flush, in the order they are defined,
//! on hosts that notified them by name or `listen` topic.

use super::host_record::{HostRecord, Standing};
use super::schedule::Stage;
use crate::playbook::Handler;

/// Whether `notification` runs `handlers[index]`, as Ansible finds
/// handlers: by name (or `role : name`), only the last handler loaded
/// under it; by `listen` topic, every handler listening, the last loaded
/// of each name.
fn answers(handlers: &[Handler], index: usize, notification: &str) -> bool {
    let named = |handler: &Handler| {
        handler.name().is_some_and(|name| {
            name == notification
                || handler.role().is_some_and(|role| {
                    notification
                        .strip_prefix(role.short_name())
                        .and_then(|rest| rest.strip_prefix(" : "))
                        == Some(name)
                })
        })
    };
    if handlers.iter().rposition(named) == Some(index) {
        return true;
    }
    let listens = |handler: &Handler| handler.listen().iter().any(|topic| topic == notification);
    let handler = &handlers[index];
    listens(handler)
        && (handler.name().is_none()
            || !handlers[index + 1..]
                .iter()
                .any(|later| later.name() == handler.name() && listens(later)))
}

/// Whether some handler of the play answers `notification`.
pub(super) fn is_known_notification(handlers: &[Handler], notification: &str) -> bool {
    (0..handlers.len()).any(|index| answers(handlers, index, notification))
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
        let handlers = &self.play.play.handlers;
        for (index, handler) in handlers.iter().enumerate() {
            if crate::interruption::stop_scheduling() {
                break;
            }
            let targets = self.run.hosts.filter(hosts, |record| {
                eligible(record)
                    && record
                        .notifications()
                        .any(|notification| answers(handlers, index, notification))
            });
            if targets.is_empty() {
                continue;
            }
            match handler {
                Handler::Task(task) => {
                    let outcomes = self.run_task(task, &targets, true);
                    self.spread_failures(task, &outcomes);
                }
                Handler::Include(include) => Stage {
                    handlers: true,
                    ..*self
                }
                .run_include(include, &targets),
            }
        }
        for host in hosts {
            self.run
                .hosts
                .update(host, HostRecord::forget_notifications);
        }
    }
}
