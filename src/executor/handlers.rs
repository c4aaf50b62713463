//! Handlers: run once per host per flush, in the order they are defined,
//! on hosts that notified them by name or `listen` topic.

use std::sync::Arc;

use rayon::ThreadPool;

use super::play_ctx::PlayCtx;
use super::run::RunShared;
use super::steps::run_task;
use crate::playbook::Task;

/// The names a handler answers to: its name and its `listen` topics.
pub fn handler_names(handler: &Task) -> impl Iterator<Item = &str> {
    handler
        .name
        .as_deref()
        .into_iter()
        .chain(handler.listen.iter().map(String::as_str))
}

/// Run the handlers `hosts` notified. With `force_handlers`, hosts that
/// failed still run theirs (unreachable hosts cannot).
pub fn flush_handlers(run: &Arc<RunShared>, ctx: &PlayCtx, hosts: &[String], pool: &ThreadPool) {
    for handler in &ctx.play.handlers {
        let eligible: Vec<String> = hosts
            .iter()
            .filter(|h| {
                !ctx.is_ended(h)
                    && (!run.is_dead(h)
                        || ((ctx.play.force_handlers || run.options.force_handlers)
                            && !run.is_unreachable(h)))
            })
            .cloned()
            .collect();
        let targets = ctx.notified_hosts(handler, &eligible);
        if !targets.is_empty() {
            run_task(run, ctx, handler, &targets, pool, true);
        }
    }
    ctx.forget_notifications(hosts);
}
