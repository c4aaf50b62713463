//! `runbook run PATTERN -m MODULE -a ARGS`: an ad-hoc task on a fleet.

use super::drive::drive;
use crate::cli::settings::{self, AdhocAction, RunSettings};
use crate::cli::{Failure, Outcome};
use crate::report::{Listing, Reporter, Tee, TreeWriter};
use crate::source::{Diagnostic, ErrorKind};

pub(super) fn run(settings: RunSettings, reporter: &mut dyn Reporter) -> Result<Outcome, Failure> {
    let RunSettings {
        pattern,
        action,
        tree,
        inventory,
        cwd,
        run,
    } = settings;
    let inventory = settings::inventory(&inventory, &cwd)?;
    super::warn_inventory(&inventory, reporter);
    let selection = inventory
        .select(&pattern)
        .map_err(|e| e.with_kind(ErrorKind::Options))?;
    let list_hosts = matches!(action, AdhocAction::ListHosts);
    let limit = run
        .limit
        .as_deref()
        .map(|limit| inventory.select(limit))
        .transpose()
        .map_err(|e| e.with_kind(ErrorKind::Options))?;
    let mut hosts = selection.hosts.clone();
    if let Some(allowed) = &limit {
        hosts.retain(|host| allowed.hosts.contains(host));
    }
    // The executor warns of unmatched names itself when it runs.
    if list_hosts || hosts.is_empty() {
        let limit_warnings = limit.iter().flat_map(|allowed| &allowed.warnings);
        for name in selection.warnings.iter().chain(limit_warnings) {
            reporter.warning(&format!(
                "Could not match supplied host pattern, ignoring: {name}"
            ));
        }
    }
    // As in Ansible, a limit that leaves no host is an error, where a
    // pattern alone matching none is not.
    if hosts.is_empty() && limit.is_some() {
        return Err(Diagnostic::runtime(
            "Specified inventory, host pattern and/or --limit leaves us with no hosts to target.",
        )
        .into());
    }
    if hosts.is_empty() {
        reporter.warning("No hosts matched, nothing to do");
    }
    let task = match action {
        AdhocAction::ListHosts => {
            reporter.listing(&Listing::Hosts { hosts });
            return Ok(Outcome::Success);
        }
        _ if hosts.is_empty() => return Ok(Outcome::Success),
        AdhocAction::Run(task) => *task,
    };
    let Some(dir) = tree else {
        return Ok(drive(reporter, move |events| {
            crate::executor::run_adhoc(&pattern, task, inventory, run, events)
        })?);
    };
    let mut tree = TreeWriter::new(dir);
    let outcome = drive(
        &mut Tee {
            view: &mut *reporter,
            observers: vec![&mut tree],
        },
        move |events| crate::executor::run_adhoc(&pattern, task, inventory, run, events),
    );
    for problem in tree.take_problems() {
        reporter.warning(&problem);
    }
    Ok(outcome?)
}
