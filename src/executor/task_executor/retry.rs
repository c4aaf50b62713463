//! `until`/`retries`/`delay`: run again until the conditions hold, as
//! Ansible does — `retries` more attempts after the first (default 3),
//! `delay` seconds apart (default 5); out of attempts, the task fails.

use super::super::Event;
use super::super::context::Context;
use super::super::result::TaskResult;
use super::TaskExecutor;
use crate::value::{Value, VarMap};

impl TaskExecutor<'_> {
    pub(super) fn retry_until(
        &self,
        vars: &Context,
        until: &[String],
        attempt: impl Fn() -> (TaskResult, VarMap),
    ) -> (TaskResult, VarMap) {
        let total = 1 + self.number(vars, self.task.retries.as_ref(), 3.0).max(0.0) as usize;
        let delay = self.number(vars, self.task.delay.as_ref(), 5.0).max(0.0);
        for attempt_number in 1..=total {
            let (mut result, facts) = attempt();
            result
                .fields
                .insert("attempts".into(), Value::from(attempt_number));
            if result.unreachable {
                return (result, facts);
            }
            match self.all_hold(until, &self.with_result(vars, &result, true)) {
                Ok(true) => return (result, facts),
                Err(message) => return (TaskResult::failed(message), facts),
                Ok(false) if attempt_number == total => {
                    result.set_flag("failed", true);
                    result
                        .fields
                        .insert("attempts".into(), Value::from(total - 1));
                    return (result, facts);
                }
                Ok(false) => {
                    self.run.emit(Event::Retry {
                        host: self.host.to_string(),
                        task: self.task.banner_name(),
                        retries_left: total - attempt_number,
                        result: self.shown(&result),
                    });
                    let delay = std::time::Duration::from_secs_f64(delay);
                    if !crate::interruption::sleep(delay) {
                        // Interrupted: no more attempts; the condition
                        // never held, so the task failed.
                        result.set_flag("failed", true);
                        return (result, facts);
                    }
                }
            }
        }
        attempt()
    }

    /// `retries:`/`delay:` — a number or a template that renders to one.
    fn number(&self, vars: &Context, value: Option<&Value>, default: f64) -> f64 {
        value
            .and_then(|v| self.run.templar.render_value(v, &vars.value()).ok())
            .and_then(|v| {
                v.as_str()
                    .map_or_else(|| f64::try_from(v.clone()).ok(), |s| s.trim().parse().ok())
            })
            .unwrap_or(default)
    }
}
