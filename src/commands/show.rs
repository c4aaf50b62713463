//! `runbook show PLAN`: a plan written by `runbook plan`, rendered.

use crate::cli::settings::ShowRequest;
use crate::cli::{Failure, Outcome};
use crate::plan::Plan;
use crate::report::{Reporter, render_plan};
use crate::source::Diagnostic;

pub(super) fn show(request: &ShowRequest, reporter: &mut dyn Reporter) -> Result<Outcome, Failure> {
    let shown = request.plan.display().to_string();
    let text = std::fs::read_to_string(&request.plan)
        .map_err(|e| Diagnostic::options(format!("cannot read the plan {shown}: {e}")))?;
    let plan = Plan::parse(&text, &shown).map_err(Diagnostic::options)?;
    reporter.data(render_plan(&plan, request.format).as_bytes());
    Ok(Outcome::Success)
}
