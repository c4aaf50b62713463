//! `runbook run PATTERN -m MODULE -a ARGS`: an ad-hoc task on a fleet.

use super::drive::drive;
use crate::cli::settings::{self, AdhocAction, RunSettings};
use crate::cli::{Failure, Outcome};
use crate::inventory::Inventory;
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
    let selection = inventory
        .select(&pattern)
        .map_err(|e| e.with_kind(ErrorKind::Options))?;
    let list_hosts = matches!(action, AdhocAction::ListHosts);
    let hosts = limited(&inventory, &selection.hosts, run.limit.as_deref());
    // The executor warns of the pattern's unmatched names when it runs.
    if list_hosts || !matches!(&hosts, Ok(hosts) if !hosts.is_empty()) {
        for name in &selection.warnings {
            reporter.warning(&format!(
                "Could not match supplied host pattern, ignoring: {name}"
            ));
        }
    }
    let hosts = hosts?;
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

/// The matched hosts narrowed by `--limit`. As in Ansible, a limit that
/// leaves no host is an error, where a pattern alone matching none is not.
fn limited(
    inventory: &Inventory,
    hosts: &[String],
    limit: Option<&str>,
) -> Result<Vec<String>, Diagnostic> {
    let mut hosts = hosts.to_vec();
    let Some(limit) = limit else {
        return Ok(hosts);
    };
    let allowed = inventory
        .select(limit)
        .map_err(|e| e.with_kind(ErrorKind::Options))?
        .hosts;
    hosts.retain(|host| allowed.contains(host));
    if hosts.is_empty() {
        return Err(Diagnostic::runtime(
            "Specified inventory, host pattern and/or --limit leaves us with no hosts to target.",
        ));
    }
    Ok(hosts)
}
