//! `changed_when` and `failed_when`, which see the result under its
//! `register` name (`failed_when` sees what `changed_when` decided).

use super::super::context::Context;
use super::super::result::TaskResult;
use super::TaskExecutor;

impl TaskExecutor<'_> {
    pub(super) fn apply_overrides(
        &self,
        vars: &Context,
        result: &mut TaskResult,
    ) -> Result<(), String> {
        if result.unreachable {
            return Ok(());
        }
        if let Some(conditions) = &self.task.changed_when {
            let changed = self.all_hold(conditions, &self.with_result(vars, result, false))?;
            result.set_flag("changed", changed);
        }
        if let Some(conditions) = &self.task.failed_when {
            let failed = self.all_hold(conditions, &self.with_result(vars, result, false))?;
            result.set_flag("failed", failed);
            result.set_flag("failed_when_result", failed);
        }
        Ok(())
    }
}
