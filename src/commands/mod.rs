//! One file per command, each one function returning how it ended; the
//! exit code and the reporting of errors are decided here, once.

mod drive;
mod inventory;
mod lab;
mod play;
mod run;
mod vault;

use crate::cli::args::{Cli, Command, OutputFormat};
use crate::cli::settings::{self, Settings};
use crate::cli::{ExitCode, Failure, Outcome};
use crate::report::{AdhocReporter, HumanReporter, JsonReporter, Reporter};

pub fn dispatch(cli: Cli) -> ExitCode {
    let mut reporter = reporter(&cli.command);
    let result = run_command(cli.command, reporter.as_mut());
    if let Err(failure) = &result {
        for diagnostic in failure.diagnostics() {
            reporter.error(diagnostic);
        }
    }
    ExitCode::of(&result)
}

fn run_command(command: Command, reporter: &mut dyn Reporter) -> Result<Outcome, Failure> {
    let settings = settings::resolve(command, &cwd())?;
    // What reading the vault secrets found worth saying, now that it can be said.
    for warning in crate::vault::session::take_warnings() {
        reporter.warning(&warning);
    }
    match settings {
        Settings::Play(settings) => play::play(*settings, reporter),
        Settings::Run(settings) => run::run(*settings, reporter),
        Settings::Inventory(settings) => inventory::inventory(&settings, reporter),
        Settings::Lab(request) => lab::lab(request, reporter),
        Settings::Vault(request) => vault::vault(*request, reporter),
    }
}

/// The view for the command and its `--output`.
fn reporter(command: &Command) -> Box<dyn Reporter> {
    let output = settings::output(command);
    match (output.format, command) {
        (OutputFormat::Json, _) => Box::new(JsonReporter),
        (OutputFormat::Human, Command::Run(_)) => Box::new(AdhocReporter::new()),
        (OutputFormat::Human, _) => Box::new(HumanReporter::new(output.verbosity)),
    }
}

/// The directory relative paths on the command line are read from.
fn cwd() -> std::path::PathBuf {
    std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."))
}
