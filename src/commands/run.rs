//! `runbook run PATTERN -m MODULE -a ARGS`: an ad-hoc task on a fleet.

use super::drive::drive;
use crate::cli::settings::{self, RunSettings};
use crate::cli::{Failure, Outcome};
use crate::report::Reporter;
use crate::source::ErrorKind;

pub(super) fn run(settings: RunSettings, reporter: &mut dyn Reporter) -> Result<Outcome, Failure> {
    let RunSettings {
        pattern,
        task,
        inventory,
        cwd,
        run,
    } = settings;
    let inventory = settings::inventory(&inventory, &cwd)?;
    let selection = inventory
        .select(&pattern)
        .map_err(|e| e.with_kind(ErrorKind::Options))?;
    if selection.hosts.is_empty() {
        for name in &selection.warnings {
            reporter.warning(&format!(
                "Could not match supplied host pattern, ignoring: {name}"
            ));
        }
        reporter.warning("No hosts matched, nothing to do");
        return Ok(Outcome::Success);
    }
    Ok(drive(reporter, move |events| {
        crate::executor::run_adhoc(&pattern, task, inventory, run, events)
    })?)
}
