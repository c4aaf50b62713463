//! `async:` and `poll:` — the module as a background job, waited for with
//! a poll every `poll` seconds until the `async` limit, or left running
//! (`poll: 0`) for a later `async_status`. Ansible's order of events: a
//! poll line while the job still runs, then `ASYNC OK`/`ASYNC FAILED`
//! before the host's result.

use super::super::events::Event;
use super::TaskExecutor;
use crate::modules::async_job::{self, Job};
use crate::modules::{Args, ModuleContext, ModuleError, Outcome};
use crate::value::Value;

/// A task's `async` limit and `poll` interval, rendered.
#[derive(Debug, Clone, Copy)]
pub(super) struct AsyncCall {
    pub limit: u64,
    pub poll: u64,
}

impl TaskExecutor<'_> {
    pub(super) fn run_async(
        &self,
        call: AsyncCall,
        args: &Args,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let module = self.task.module;
        if !async_job::supports_async(module) {
            return Err(ModuleError::Failed(format!(
                "This action ({}) does not support async.",
                self.task.action
            )));
        }
        let job = match module.start_in_background(args, ctx, call.limit) {
            Some(job) => job?,
            None => return self.run_in_foreground(call, args, ctx),
        };
        if call.poll == 0 {
            return Ok(job.started());
        }
        self.wait_for(&job, call, ctx)
    }

    /// Poll until the job ends or its time is up, then remove its files.
    fn wait_for(
        &self,
        job: &Job,
        call: AsyncCall,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let mut time_left = call.limit;
        let mut status = job.started();
        while time_left > 0 {
            status = async_job::status(ctx, &job.jid, call.poll.min(time_left))?;
            time_left = time_left.saturating_sub(call.poll);
            if finished(&status) || status.failed || status.skipped {
                break;
            }
            self.run.emit(Event::AsyncPoll {
                host: self.host.to_string(),
                jid: job.jid.clone(),
                started: flag(&status, "started"),
                finished: false,
            });
        }
        if !finished(&status) {
            let result = not_completed(call.limit)
                .with("async_result", crate::value::map_value(status.data.clone()));
            self.async_end(&job.jid, true);
            return Ok(result);
        }
        async_job::cleanup(ctx, &job.jid)?;
        self.async_end(&job.jid, status.failed);
        Ok(status)
    }

    /// A module that cannot leave the controller's side: it runs to the end
    /// under the `async` limit, and with `poll: 0` its result waits in a
    /// job file for `async_status`.
    fn run_in_foreground(
        &self,
        call: AsyncCall,
        args: &Args,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        if call.poll == 0 {
            self.run.warn(format!(
                "`{}` with `poll: 0` runs to its end before the play goes on: runbook runs only \
                 command and shell in the background",
                self.task.action
            ));
        }
        let task_limit = ctx.connection.limits().deadline();
        let async_deadline = std::time::Instant::now() + std::time::Duration::from_secs(call.limit);
        if task_limit.is_none_or(|deadline| deadline > async_deadline) {
            ctx.connection.limit_time(Some(call.limit));
        }
        let started = std::time::Instant::now();
        let outcome = self.task.module.run(args, ctx);
        let timed_out = started.elapsed().as_secs() >= call.limit;
        if call.poll == 0 {
            let outcome = if timed_out {
                Outcome::failed("Timeout exceeded")
            } else {
                outcome?
            };
            return async_job::record(ctx, &outcome).map(|job| job.started());
        }
        let jid = format!("{}.0", async_job::new_jid());
        if timed_out {
            self.async_end(&jid, true);
            return Ok(not_completed(call.limit));
        }
        let outcome = outcome?
            .with("ansible_job_id", jid.as_str())
            .with("started", true)
            .with("finished", true);
        self.async_end(&jid, outcome.failed);
        Ok(outcome)
    }

    fn async_end(&self, jid: &str, failed: bool) {
        self.run.emit(Event::AsyncEnd {
            host: self.host.to_string(),
            jid: jid.to_string(),
            failed,
        });
    }
}

fn flag(outcome: &Outcome, key: &str) -> bool {
    outcome.data.get(key).is_some_and(Value::is_true)
}

fn finished(outcome: &Outcome) -> bool {
    flag(outcome, "finished")
}

/// Ansible's failure for a job still running at its limit.
fn not_completed(limit: u64) -> Outcome {
    Outcome::failed(format!(
        "async task did not complete within the requested time - {limit}s"
    ))
}
