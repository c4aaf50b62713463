//! `runbook run PATTERN -m MODULE -a ARGS`: an ad-hoc task on a fleet.

use super::drive::{drive, reporter};
use crate::cli::ExitCode;
use crate::cli::args::RunArgs;
use crate::cli::settings;
use crate::report::AdhocReporter;

pub fn run(args: &RunArgs) -> ExitCode {
    let mut reporter = reporter(args.connect.output, || Box::new(AdhocReporter::new()));
    let cwd = super::cwd();
    let task = match crate::playbook::adhoc_task(&args.module, &args.args) {
        Ok(task) => task,
        Err(e) => {
            reporter.error(&e);
            return ExitCode::BadOptions;
        }
    };
    let options = match settings::run_options(&args.connect, &cwd) {
        Ok(options) => options,
        Err(e) => {
            reporter.error(&e);
            return ExitCode::BadOptions;
        }
    };
    let inventory = match settings::inventory(&args.connect.inventory, &cwd) {
        Ok(inventory) => inventory,
        Err(e) => {
            reporter.error(&e);
            return ExitCode::ParseError;
        }
    };
    match inventory.select(&args.pattern) {
        Ok(selection) if selection.hosts.is_empty() => {
            for name in &selection.warnings {
                eprintln!("[WARNING]: Could not match supplied host pattern, ignoring: {name}");
            }
            eprintln!("[WARNING]: No hosts matched, nothing to do");
            return ExitCode::Ok;
        }
        Ok(_) => {}
        Err(e) => {
            reporter.error(&e);
            return ExitCode::BadOptions;
        }
    }
    let pattern = args.pattern.clone();
    drive(reporter.as_mut(), move |events| {
        crate::executor::run_adhoc(&pattern, task, inventory, options, events)
    })
}
