//! One file per command, each one function returning how it ended; the
//! exit code and the reporting of errors are decided here, once.

mod check;
mod config;
mod drive;
mod generated;
mod init;
mod inventory;
mod lab;
mod plan;
mod play;
mod run;
mod runs;
mod show;
mod vault;

use crate::cli::args::{Cli, Command, OutputFormat};
use crate::cli::settings::{self, Settings};
use crate::cli::{ExitCode, Failure, Outcome};
use crate::config::AnsibleConfig;
use crate::report::{AdhocReporter, HumanReporter, JsonReporter, Reporter};

pub fn dispatch(cli: Cli) -> ExitCode {
    let cwd = cwd();
    // A broken ansible.cfg is reported in the format asked for, uncoloured
    // choices aside: there is nothing else to go on yet.
    let (config, config_error) = match AnsibleConfig::load(&cwd) {
        Ok(config) => (config, None),
        Err(error) => (AnsibleConfig::default(), Some(error)),
    };
    let output = settings::output(&cli.command, &config);
    let log_error =
        crate::report::configure(output.color, settings::log_path(&config).as_deref()).err();
    let mut reporter = reporter(&cli.command, output);
    if let Some(error) = config_error {
        reporter.error(&error);
        return ExitCode::of(&Err(error.into()));
    }
    for warning in config.warnings().iter().chain(&log_error) {
        reporter.warning(warning);
    }
    match settings::inventory_ignores(&config) {
        Ok(ignores) => crate::inventory::set_directory_ignores(ignores),
        Err(error) => {
            reporter.error(&error);
            return ExitCode::of(&Err(error.into()));
        }
    }
    let result = run_command(cli.command, &cwd, &config, reporter.as_mut());
    if let Err(failure) = &result {
        for diagnostic in failure.diagnostics() {
            reporter.error(diagnostic);
        }
    }
    ExitCode::of(&result)
}

fn run_command(
    command: Command,
    cwd: &std::path::Path,
    config: &AnsibleConfig,
    reporter: &mut dyn Reporter,
) -> Result<Outcome, Failure> {
    let settings = settings::resolve(command, cwd, config)?;
    // What reading the vault secrets found worth saying, now that it can be said.
    for warning in crate::vault::session::take_warnings() {
        reporter.warning(&warning);
    }
    match settings {
        Settings::Play(settings) => play::play(*settings, reporter),
        Settings::Run(settings) => run::run(*settings, reporter),
        Settings::Inventory(settings) => inventory::inventory(&settings, reporter),
        Settings::Lab(request) => lab::lab(request, reporter),
        Settings::Config(request) => config::config(request, config, reporter),
        Settings::Generated(what) => generated::generated(what, reporter),
        Settings::Runs(request) => runs::runs(&request, reporter),
        Settings::Doc(request) => generated::doc(&request, reporter),
        Settings::Vault(request) => vault::vault(*request, reporter),
        Settings::Init(request) => init::init(&request, reporter),
        Settings::Check(request) => check::check(*request, reporter),
        Settings::Plan(settings) => plan::plan(*settings, reporter),
        Settings::Show(request) => show::show(&request, reporter),
    }
}

/// What reading the inventory found worth saying (a file in an inventory
/// directory that is no inventory, a group and a host of one name...), as
/// Ansible's warnings before the run.
fn warn_inventory(inventory: &crate::inventory::Inventory, reporter: &mut dyn Reporter) {
    for warning in &inventory.warnings {
        reporter.warning(&warning.to_string());
    }
}

/// The view for the command and its `--output`.
fn reporter(command: &Command, output: settings::OutputSettings) -> Box<dyn Reporter> {
    match (output.format, command) {
        (OutputFormat::Json, _) => Box::new(JsonReporter),
        (OutputFormat::Human, Command::Run(args)) if args.one_line => {
            Box::new(AdhocReporter::one_line().with_verbosity(output.verbosity))
        }
        (OutputFormat::Human, Command::Run(_)) => {
            Box::new(AdhocReporter::new().with_verbosity(output.verbosity))
        }
        (OutputFormat::Human, _) => Box::new(HumanReporter::new(output.verbosity)),
    }
}

/// The directory relative paths on the command line are read from.
fn cwd() -> std::path::PathBuf {
    std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."))
}
