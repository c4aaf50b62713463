//! `runbook check`: lint playbooks without touching hosts (see docs/check.md).

use crate::cli::check_settings::CheckRequest;
use crate::cli::{Failure, Outcome};
use crate::lint::{self, LintOptions, Severity};
use crate::report::Reporter;
use crate::source::Diagnostic;

pub(super) fn check(
    request: CheckRequest,
    reporter: &mut dyn Reporter,
) -> Result<Outcome, Failure> {
    let playbooks = lint::playbooks(&request.paths).map_err(Diagnostic::options)?;
    if playbooks.is_empty() {
        let searched: Vec<String> = request
            .paths
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        return Err(Diagnostic::options(format!(
            "no playbooks found in {} (a playbook is a YAML file whose top level is a list of plays)",
            searched.join(", ")
        ))
        .into());
    }
    let mut known = request.extra_var_names;
    if !request.inventory.is_empty() {
        let inventory = crate::cli::settings::inventory(&request.inventory, &request.cwd)?;
        let everything = inventory.select("all").map(|s| s.hosts).unwrap_or_default();
        for host in everything {
            known.extend(inventory.host_vars(&host).keys().cloned());
        }
        for source in &request.inventory {
            let path = request.cwd.join(source);
            let dir = if path.is_dir() {
                Some(path.as_path())
            } else {
                path.parent()
            };
            if let Some(dir) = dir {
                known.extend(lint::vars_dir_names(dir));
            }
        }
    }
    let options = LintOptions {
        cwd: request.cwd,
        roles_path: request.roles_path,
        collections_path: request.collections_path,
        known_variables: known,
        tags: request.tags,
        skip_tags: request.skip_tags,
    };
    let mut report = lint::check(&playbooks, &options);
    if request.strict {
        report = report.strict();
    }
    reporter.findings(&report, request.format);
    Ok(if report.count(Severity::Error) > 0 {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}
