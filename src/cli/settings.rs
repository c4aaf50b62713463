//! Command-line arguments resolved, once and before the command runs, into
//! what the core takes. Nothing past this point sees clap.
//!
//! Precedence, highest first:
//! 1. a flag on the command line;
//! 2. its environment variable (clap's `env =` attributes: `RUNBOOK_ROLES_PATH`);
//! 3. ansible.cfg — not read yet; it belongs in [`resolve`], between the
//!    arguments and the defaults, for settings the command line left unset;
//! 4. the built-in default (clap's `default_value`).
//!
//! [`resolve`] destructures every argument struct by name, so a new flag
//! that nothing reads fails to compile instead of being silently ignored.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::args::{
    Command, ConnectArgs, InventoryArgs, LabAction, LabArgs, OutputFormat, PlayArgs, RunArgs,
};
use crate::connection::{BecomeMethod, Secret};
use crate::executor::{BecomeDefaults, InventorySources, RunOptions, TagFilter};
use crate::inventory::Inventory;
use crate::lab::LabUpOptions;
use crate::modules::{ArgSpec, FreeForm};
use crate::playbook::{LoadOptions, Task};
use crate::source::{Diagnostic, ErrorKind, SourceFile};
use crate::value::{VarMap, overlay, to_var_map};

/// A command with everything it needs, checked.
pub enum Settings {
    Play(Box<PlaySettings>),
    Run(Box<RunSettings>),
    Inventory(InventorySettings),
    Lab(LabRequest),
    Vault(Box<super::vault_settings::VaultRequest>),
}

/// `runbook play`.
pub struct PlaySettings {
    pub playbooks: Vec<PathBuf>,
    pub load: LoadOptions,
    pub mode: PlayMode,
    pub inventory: Vec<String>,
    pub cwd: PathBuf,
    pub run: RunOptions,
}

/// What `runbook play` does with the playbooks once they are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayMode {
    Run,
    SyntaxCheck,
    List {
        hosts: bool,
        tasks: bool,
        tags: bool,
    },
}

/// `runbook run`.
pub struct RunSettings {
    pub pattern: String,
    pub task: Task,
    pub inventory: Vec<String>,
    pub cwd: PathBuf,
    pub run: RunOptions,
}

/// `runbook inventory`.
pub struct InventorySettings {
    pub sources: Vec<String>,
    pub cwd: PathBuf,
    pub view: InventoryView,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InventoryView {
    List,
    Graph,
    Host(String),
}

/// `runbook lab`.
pub enum LabRequest {
    Up(LabUpOptions),
    Down { name: String },
    Stop { name: String, host: String },
    Start { name: String, host: String },
    Status { name: String },
}

/// How output is shown. Read before anything can fail, so that even a bad
/// option is reported in the format asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputSettings {
    pub format: OutputFormat,
    pub verbosity: u8,
}

pub fn output(command: &Command) -> OutputSettings {
    match command {
        Command::Play(PlayArgs { connect, .. }) | Command::Run(RunArgs { connect, .. }) => {
            OutputSettings {
                format: connect.output,
                verbosity: connect.verbose,
            }
        }
        Command::Inventory(_) | Command::Lab(_) | Command::Vault(_) => OutputSettings {
            format: OutputFormat::Human,
            verbosity: 0,
        },
    }
}

/// The one resolution of the command line (see the precedence above).
/// Errors are option errors: they name the flag at fault.
pub fn resolve(command: Command, cwd: &Path) -> Result<Settings, Diagnostic> {
    match command {
        Command::Play(args) => play(args, cwd).map(|play| Settings::Play(Box::new(play))),
        Command::Run(args) => run(args, cwd).map(|run| Settings::Run(Box::new(run))),
        Command::Inventory(args) => inventory_view(args, cwd).map(Settings::Inventory),
        Command::Lab(args) => Ok(Settings::Lab(lab(args))),
        Command::Vault(args) => super::vault_settings::vault_request(args)
            .map(|request| Settings::Vault(Box::new(request))),
    }
}

fn play(args: PlayArgs, cwd: &Path) -> Result<PlaySettings, Diagnostic> {
    let PlayArgs {
        playbooks,
        connect,
        syntax_check,
        list_hosts,
        list_tasks,
        roles_path,
        start_at_task,
        step,
        force_handlers,
        flush_cache: _accepted_for_compatibility,
        list_tags,
        tags,
        skip_tags,
    } = args;
    let mode = if syntax_check {
        PlayMode::SyntaxCheck
    } else if list_hosts || list_tasks || list_tags {
        PlayMode::List {
            hosts: list_hosts,
            tasks: list_tasks,
            tags: list_tags,
        }
    } else {
        PlayMode::Run
    };
    // As ansible-playbook: no password and no terminal when nothing runs.
    let running = mode == PlayMode::Run;
    crate::vault::session::set_nothing_runs(!running);
    if running && step && !crate::terminal::available() {
        return Err(Diagnostic::options(
            "--step asks before each task and needs a terminal",
        ));
    }
    let inventory = connect.inventory.clone();
    let playbook_only = PlaybookOnly {
        tags: TagFilter {
            only: tags,
            skip: skip_tags,
        },
        start_at_task,
        force_handlers,
        step,
    };
    let run = run_options(connect, playbook_only, cwd, running)?;
    Ok(PlaySettings {
        playbooks,
        load: LoadOptions { roles_path },
        mode,
        inventory,
        cwd: cwd.to_path_buf(),
        run,
    })
}

fn run(args: RunArgs, cwd: &Path) -> Result<RunSettings, Diagnostic> {
    let RunArgs {
        pattern,
        module,
        args,
        connect,
    } = args;
    let task = crate::playbook::adhoc_task(&module, &args).map_err(as_option)?;
    let inventory = connect.inventory.clone();
    Ok(RunSettings {
        pattern,
        task,
        inventory,
        cwd: cwd.to_path_buf(),
        run: run_options(connect, PlaybookOnly::default(), cwd, true)?,
    })
}

fn inventory_view(args: InventoryArgs, cwd: &Path) -> Result<InventorySettings, Diagnostic> {
    let InventoryArgs {
        inventory,
        list: _the_default_view,
        graph,
        host,
        vault,
    } = args;
    super::vault_settings::install_for_run(&super::vault_settings::vault_settings(vault))?;
    let view = match (host, graph) {
        (Some(host), _) => InventoryView::Host(host),
        (None, true) => InventoryView::Graph,
        (None, false) => InventoryView::List,
    };
    Ok(InventorySettings {
        sources: inventory,
        cwd: cwd.to_path_buf(),
        view,
    })
}

fn lab(args: LabArgs) -> LabRequest {
    let LabArgs { action } = args;
    match action {
        LabAction::Up {
            hosts,
            name,
            inventory_out,
        } => LabRequest::Up(LabUpOptions {
            hosts,
            name,
            inventory_out,
        }),
        LabAction::Down { name } => LabRequest::Down { name },
        LabAction::Stop { host, name } => LabRequest::Stop { name, host },
        LabAction::Start { host, name } => LabRequest::Start { name, host },
        LabAction::Status { name } => LabRequest::Status { name },
    }
}

/// The run options only `runbook play` has flags for.
#[derive(Default)]
struct PlaybookOnly {
    tags: TagFilter,
    start_at_task: Option<String>,
    force_handlers: bool,
    step: bool,
}

/// Run options from the shared connection flags and the playbook-only
/// ones; `-K` asks for the password only when `running`.
fn run_options(
    args: ConnectArgs,
    playbook: PlaybookOnly,
    cwd: &Path,
    running: bool,
) -> Result<RunOptions, Diagnostic> {
    let ConnectArgs {
        inventory,
        limit,
        extra_vars: extra_vars_args,
        forks,
        timeout,
        accept_new_host_keys,
        check,
        diff,
        verbose,
        output: _read_by_output,
        become_,
        become_user,
        become_method,
        ask_become_pass,
        vault,
    } = args;
    if forks == 0 {
        return Err(Diagnostic::options("--forks must be at least 1"));
    }
    // Before `-e @file`, which may be vaulted.
    super::vault_settings::install_for_run(&super::vault_settings::vault_settings(vault))?;
    let mut extra_vars = VarMap::new();
    for text in &extra_vars_args {
        overlay(
            &mut extra_vars,
            &parse_extra_vars(text, cwd).map_err(as_option)?,
        );
    }
    let become_ = become_defaults(BecomeFlags {
        enabled: become_,
        user: become_user,
        method: become_method,
        ask_password: ask_become_pass && running,
    })?;
    Ok(RunOptions {
        forks,
        check,
        diff,
        verbosity: verbose,
        extra_vars,
        limit,
        connect_timeout: Duration::from_secs(timeout.max(1)),
        accept_new_host_keys,
        tags: playbook.tags,
        start_at_task: playbook.start_at_task,
        force_handlers: playbook.force_handlers,
        step: playbook.step,
        inventory_sources: (!inventory.is_empty()).then(|| InventorySources {
            sources: inventory,
            cwd: cwd.to_path_buf(),
        }),
        become_,
    })
}

/// A file named on the command line (`-e @vars.yml`, `-m`/`-a`) that cannot
/// be read is a bad option, whatever went wrong inside it.
fn as_option(diagnostic: Diagnostic) -> Diagnostic {
    diagnostic.with_kind(ErrorKind::Options)
}

struct BecomeFlags {
    enabled: bool,
    user: Option<String>,
    method: Option<String>,
    ask_password: bool,
}

/// `-b`, `--become-user`, `--become-method`; `-K` asks for the password now,
/// before any host is touched.
fn become_defaults(flags: BecomeFlags) -> Result<BecomeDefaults, Diagnostic> {
    if let Some(method) = &flags.method
        && BecomeMethod::parse(method).is_none()
    {
        return Err(Diagnostic::options(format!(
            "--become-method {method:?} is not supported by runbook (it has sudo and su)"
        ))
        .suggesting(method, BecomeMethod::NAMES.iter().copied()));
    }
    let password = if flags.ask_password {
        let answer = crate::terminal::ask("BECOME password: ", false).ok_or_else(|| {
            Diagnostic::options(
                "-K/--ask-become-pass needs a terminal to ask on; set ansible_become_password (e.g. in a vault) instead",
            )
        })?;
        Some(Secret::new(answer))
    } else {
        None
    };
    Ok(BecomeDefaults {
        enabled: flags.enabled,
        user: flags.user,
        method: flags.method,
        password,
    })
}

/// One `-e` value: `@file` (YAML or JSON), an inline `{...}` document, or `k=v` pairs.
pub fn parse_extra_vars(text: &str, cwd: &Path) -> Result<VarMap, Diagnostic> {
    if let Some(path) = text.strip_prefix('@') {
        let node = crate::yaml::parse_file(&cwd.join(path))?;
        return mapping_vars(&node, text);
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let node = crate::yaml::parse_str(SourceFile::new("<--extra-vars>", text))?;
        return mapping_vars(&node, text);
    }
    const KEY_VALUE: ArgSpec = ArgSpec {
        free_form: FreeForm::KeyValue,
        any_name: true,
        ..ArgSpec::EMPTY
    };
    crate::playbook::parse_free_form(text, &KEY_VALUE)
        .map_err(|e| Diagnostic::new(format!("--extra-vars {text:?}: {e}")))
}

fn mapping_vars(node: &crate::yaml::Node, text: &str) -> Result<VarMap, Diagnostic> {
    if node.is_null() {
        return Ok(VarMap::new());
    }
    node.expect_map(&format!("--extra-vars {text:?}"))?;
    Ok(to_var_map(&node.to_value()))
}

/// Load the inventory from `-i` sources (none: only the implicit localhost).
pub fn inventory(sources: &[String], cwd: &Path) -> Result<Arc<Inventory>, Diagnostic> {
    if sources.is_empty() {
        return Ok(Arc::new(Inventory::default()));
    }
    Inventory::load(sources, cwd).map(Arc::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(text: &str) -> Vec<(String, String)> {
        parse_extra_vars(text, Path::new("."))
            .expect("valid")
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect()
    }

    #[test]
    fn extra_vars_in_every_shape() {
        assert_eq!(
            vars("a=1 b='two words'"),
            [("a".into(), "1".into()), ("b".into(), "two words".into())]
        );
        assert_eq!(
            vars(r#"{"n": 2, "list": [1]}"#),
            [("n".into(), "2".into()), ("list".into(), "[1]".into())]
        );
        assert!(parse_extra_vars("[1, 2]", Path::new(".")).is_err());
        assert!(parse_extra_vars("@/nonexistent/file.yml", Path::new(".")).is_err());
    }
}
