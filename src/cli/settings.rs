//! Command-line arguments resolved, once and before the command runs, into
//! what the core takes. Nothing past this point sees clap.
//!
//! Precedence, highest first:
//! 1. a flag on the command line;
//! 2. its environment variable (clap's `env =` attributes: `RUNBOOK_ROLES_PATH`),
//!    then Ansible's (`ANSIBLE_FORKS`…);
//! 3. ansible.cfg ([`AnsibleConfig`] reads both, see docs/configuration.md);
//! 4. the built-in default.
//!
//! [`resolve`] destructures every argument struct by name, so a new flag
//! that nothing reads fails to compile instead of being silently ignored.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::args::{
    Command, ConfigAction, ConfigArgs, InventoryArgs, LabAction, LabArgs, OutputFormat, PlanArgs,
    PlayArgs, RunArgs, RunsAction, RunsArgs, ShowArgs, ShowFormat,
};
pub use super::run_options::parse_extra_vars;
use super::run_options::{PlaybookOnly, as_option, run_options};
use crate::config::{AnsibleConfig, definitions as cfg};
use crate::executor::{RunOptions, TagFilter};
use crate::inventory::Inventory;
use crate::lab::LabUpOptions;
use crate::playbook::{LoadOptions, Task};
use crate::source::Diagnostic;

/// A command with everything it needs, checked.
pub enum Settings {
    Play(Box<PlaySettings>),
    Run(Box<RunSettings>),
    Inventory(InventorySettings),
    Lab(LabRequest),
    Vault(Box<super::vault_settings::VaultRequest>),
    Config(ConfigRequest),
    /// `completions SHELL` and `man`: text generated from the clap definitions.
    Generated(Generated),
    /// `runs`: the journal's list, or one run replayed.
    Runs(RunsRequest),
    Doc(DocRequest),
    Init(InitRequest),
    Check(Box<super::check_settings::CheckRequest>),
    /// `plan`: a check-mode run written as a plan.
    Plan(Box<PlanSettings>),
    /// `show PLAN`.
    Show(ShowRequest),
}

/// `runbook init`: where, and the vault password's source if one was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitRequest {
    pub dir: PathBuf,
    pub vault_password_file: Option<PathBuf>,
}

/// `runbook plan`: a play in check and diff mode, and where its plan goes.
pub struct PlanSettings {
    pub play: PlaySettings,
    pub out: PathBuf,
}

/// `runbook show PLAN --format F`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowRequest {
    pub plan: PathBuf,
    pub format: crate::report::PlanFormat,
}

/// `play --plan FILE [--force]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanGate {
    pub path: PathBuf,
    /// Apply on hosts that drifted from the plan too.
    pub force: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunsRequest {
    List,
    Show { id: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generated {
    Completions(clap_complete::Shell),
    Man,
}

/// `runbook doc MODULE` or `runbook doc --list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocRequest {
    Module(String),
    List,
}

/// `runbook config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigRequest {
    Dump { only_changed: bool },
    View,
}

/// `runbook play`.
pub struct PlaySettings {
    pub playbooks: Vec<PathBuf>,
    pub load: LoadOptions,
    pub mode: PlayMode,
    pub inventory: Vec<String>,
    pub cwd: PathBuf,
    pub run: RunOptions,
    /// `retry_files_enabled`: where each playbook's `.retry` file goes.
    pub retry_files: Option<RetryFiles>,
    /// `--junit FILE`.
    pub junit: Option<PathBuf>,
    /// Keep a journal of the run (unless `--no-journal`).
    pub journal: bool,
    /// `--plan`: apply only what the plan predicted.
    pub plan: Option<PlanGate>,
}

/// ansible.cfg's `retry_files_enabled` and `retry_files_save_path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryFiles {
    pub save_path: Option<PathBuf>,
}

impl RetryFiles {
    /// `NAME.retry` in the save path, else beside the playbook.
    pub fn path_for(&self, playbook: &Path) -> PathBuf {
        let stem = playbook.file_stem().unwrap_or_default();
        let dir = match &self.save_path {
            Some(dir) => dir.clone(),
            None => std::path::absolute(playbook)
                .ok()
                .and_then(|path| path.parent().map(Path::to_path_buf))
                .unwrap_or_default(),
        };
        dir.join(stem).with_extension("retry")
    }
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
    pub action: AdhocAction,
    /// `--tree DIR`: where each host's result is also written.
    pub tree: Option<PathBuf>,
    pub inventory: Vec<String>,
    pub cwd: PathBuf,
    pub run: RunOptions,
}

/// What `runbook run` does with the matched hosts.
pub enum AdhocAction {
    /// `--list-hosts`: show them and stop (the module is not even read, as in Ansible).
    ListHosts,
    Run(Box<Task>),
}

/// `runbook inventory`.
pub struct InventorySettings {
    pub sources: Vec<String>,
    pub cwd: PathBuf,
    pub view: InventoryView,
    /// `--yaml`: `--list` and `--host` as YAML (`--graph` ignores it).
    pub yaml: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InventoryView {
    List { export: bool },
    Graph { group: String, vars: bool },
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
    /// `nocolor` (false) or `force_color` (true); unset: colour on terminals.
    pub color: Option<bool>,
}

pub fn output(command: &Command, config: &AnsibleConfig) -> OutputSettings {
    let color = if config.flag(cfg::COLOR_OFF) == Some(true) {
        Some(false)
    } else if config.flag(cfg::COLOR_FORCED) == Some(true) {
        Some(true)
    } else {
        None
    };
    let (format, verbosity) = match command {
        Command::Play(PlayArgs { connect, .. })
        | Command::Run(RunArgs { connect, .. })
        | Command::Plan(PlanArgs { connect, .. }) => (connect.output, connect.verbose),
        Command::Runs(RunsArgs {
            action: Some(RunsAction::Show {
                output, verbose, ..
            }),
        }) => (*output, *verbose),
        Command::Runs(_)
        | Command::Inventory(_)
        | Command::Lab(_)
        | Command::Config(_)
        | Command::Completions { .. }
        | Command::Doc { .. }
        | Command::Vault(_)
        | Command::Init(_)
        | Command::Check(_)
        | Command::Show(_)
        | Command::Man => (OutputFormat::Human, 0),
    };
    OutputSettings {
        format,
        verbosity,
        color,
    }
}

/// ansible.cfg's `log_path`: where everything shown is also logged.
pub fn log_path(config: &AnsibleConfig) -> Option<PathBuf> {
    config.path(cfg::LOG_PATH)
}

/// What inventory directories skip: `inventory_ignore_extensions` (which
/// replaces Ansible's default list when set) and `inventory_ignore_patterns`
/// (regular expressions searched in each name).
pub fn inventory_ignores(
    config: &AnsibleConfig,
) -> Result<crate::inventory::DirectoryIgnores, Diagnostic> {
    let words = |text: String| -> Vec<String> {
        text.split(',')
            .map(|word| word.trim().trim_matches(['"', '\'']).to_string())
            .filter(|word| !word.is_empty())
            .collect()
    };
    let mut ignores = crate::inventory::DirectoryIgnores::default();
    if let Some(extensions) = config.text(cfg::INVENTORY_IGNORE_EXTS) {
        ignores.extensions = words(extensions);
    }
    if let Some(patterns) = config.text(cfg::INVENTORY_IGNORE_PATTERNS) {
        ignores.patterns = words(patterns)
            .iter()
            .map(|pattern| {
                regex::Regex::new(pattern).map_err(|error| {
                    Diagnostic::options(format!(
                        "inventory_ignore_patterns: `{pattern}` is not a regular expression runbook can use: {error}"
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
    }
    Ok(ignores)
}

/// The one resolution of the command line (see the precedence above).
/// Errors are option errors: they name the flag at fault.
pub fn resolve(
    command: Command,
    cwd: &Path,
    config: &AnsibleConfig,
) -> Result<Settings, Diagnostic> {
    match command {
        Command::Play(args) => play(args, cwd, config).map(|play| Settings::Play(Box::new(play))),
        Command::Run(args) => run(args, cwd, config).map(|run| Settings::Run(Box::new(run))),
        Command::Inventory(args) => inventory_view(args, cwd, config).map(Settings::Inventory),
        Command::Lab(args) => Ok(Settings::Lab(lab(args))),
        Command::Config(ConfigArgs { action }) => Ok(Settings::Config(match action {
            ConfigAction::Dump { only_changed } => ConfigRequest::Dump { only_changed },
            ConfigAction::View => ConfigRequest::View,
        })),
        Command::Completions { shell } => Ok(Settings::Generated(Generated::Completions(shell))),
        Command::Man => Ok(Settings::Generated(Generated::Man)),
        Command::Doc { module, .. } => Ok(Settings::Doc(
            module.map_or(DocRequest::List, DocRequest::Module),
        )),
        Command::Runs(RunsArgs { action }) => Ok(Settings::Runs(match action {
            None => RunsRequest::List,
            Some(RunsAction::Show { id, .. }) => RunsRequest::Show { id },
        })),
        Command::Vault(args) => super::vault_settings::vault_request(args, config)
            .map(|request| Settings::Vault(Box::new(request))),
        Command::Init(super::args::InitArgs {
            dir,
            vault_password_file,
        }) => Ok(Settings::Init(InitRequest {
            dir: if dir == Path::new(".") {
                cwd.to_path_buf()
            } else {
                cwd.join(dir)
            },
            vault_password_file: vault_password_file.map(|file| cwd.join(file)),
        })),
        Command::Check(args) => super::check_settings::check_request(args, cwd, config)
            .map(|request| Settings::Check(Box::new(request))),
        Command::Plan(args) => plan(args, cwd, config).map(|plan| Settings::Plan(Box::new(plan))),
        Command::Show(ShowArgs { plan, format }) => Ok(Settings::Show(ShowRequest {
            plan: cwd.join(plan),
            format: match format {
                ShowFormat::Text => crate::report::PlanFormat::Text,
                ShowFormat::Markdown => crate::report::PlanFormat::Markdown,
                ShowFormat::Json => crate::report::PlanFormat::Json,
            },
        })),
    }
}

fn play(args: PlayArgs, cwd: &Path, config: &AnsibleConfig) -> Result<PlaySettings, Diagnostic> {
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
        junit,
        retry,
        no_journal,
        tags,
        skip_tags,
        plan,
        force,
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
    let inventory = inventory_sources(&connect.inventory, config);
    let playbook_only = PlaybookOnly {
        tags: TagFilter {
            only: tags,
            skip: skip_tags,
        },
        start_at_task,
        force_handlers,
        step,
    };
    let mut run = run_options(connect, playbook_only, cwd, running, config)?;
    if let Some(id) = retry {
        run.limit = Some(retry_limit(&id)?);
    }
    let mut roles_path = roles_path;
    roles_path.extend(config.paths_or_default(cfg::ROLES_PATH));
    let load = LoadOptions {
        roles_path,
        collections_path: config.paths_or_default(cfg::COLLECTIONS_PATHS),
        strategy: play_strategy(config)?,
        any_errors_fatal: config.flag(cfg::ANY_ERRORS_FATAL).unwrap_or(false),
        gather_facts: gathering(config)? != Gathering::Explicit,
    };
    let retry_files = config
        .flag(cfg::RETRY_FILES_ENABLED)
        .unwrap_or(false)
        .then(|| RetryFiles {
            save_path: config.path(cfg::RETRY_FILES_SAVE_PATH),
        });
    Ok(PlaySettings {
        playbooks: playbook_paths(&playbooks, cwd, config)?,
        load,
        mode,
        inventory,
        cwd: cwd.to_path_buf(),
        run,
        retry_files,
        junit: junit.map(|path| cwd.join(path)),
        journal: running && !no_journal,
        plan: plan.map(|path| PlanGate {
            path: cwd.join(path),
            force,
        }),
    })
}

/// `runbook plan`: `play` in check and diff mode, with no journal (a plan
/// changes nothing) and no retry files.
fn plan(args: PlanArgs, cwd: &Path, config: &AnsibleConfig) -> Result<PlanSettings, Diagnostic> {
    let PlanArgs {
        playbooks,
        connect,
        out,
        roles_path,
        start_at_task,
        force_handlers,
        tags,
        skip_tags,
        junit,
    } = args;
    let play_args = PlayArgs {
        playbooks,
        connect,
        syntax_check: false,
        list_hosts: false,
        list_tasks: false,
        roles_path,
        start_at_task,
        step: false,
        force_handlers,
        flush_cache: false,
        list_tags: false,
        junit,
        retry: None,
        no_journal: true,
        tags,
        skip_tags,
        plan: None,
        force: false,
    };
    let mut play = play(play_args, cwd, config)?;
    play.run.check = true;
    play.run.diff = true;
    play.retry_files = None;
    Ok(PlanSettings {
        play,
        out: cwd.join(out),
    })
}

/// The playbooks named on a command line, each found as
/// [`crate::playbook::locate_playbook`] finds it (ansible.cfg's
/// `playbook_dir`, then `playbooks/`). Every command taking playbooks calls this.
pub fn playbook_paths(
    names: &[PathBuf],
    cwd: &Path,
    config: &AnsibleConfig,
) -> Result<Vec<PathBuf>, Diagnostic> {
    let configured = config.path(cfg::PLAYBOOK_DIR);
    names
        .iter()
        .map(|name| crate::playbook::locate_playbook(name, cwd, configured.as_deref()))
        .collect()
}

/// `--retry ID`: the hosts that failed or were unreachable in that run.
fn retry_limit(id: &str) -> Result<String, Diagnostic> {
    let dir = crate::report::journal_dir();
    let path = crate::report::find_journal(&dir, id).map_err(Diagnostic::options)?;
    let journal = crate::report::Journal::read(&path).map_err(Diagnostic::options)?;
    let hosts = journal.hosts_to_retry();
    if hosts.is_empty() {
        return Err(Diagnostic::options(format!(
            "run {} had no failed or unreachable hosts: nothing to retry",
            journal.header.id
        )));
    }
    Ok(hosts.join(","))
}

/// ansible.cfg's `gathering`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gathering {
    Implicit,
    Explicit,
    Smart,
}

pub(super) fn gathering(config: &AnsibleConfig) -> Result<Gathering, Diagnostic> {
    let Some(found) = config.find(cfg::GATHERING) else {
        return Ok(Gathering::Implicit);
    };
    match found.text.trim() {
        "implicit" => Ok(Gathering::Implicit),
        "explicit" => Ok(Gathering::Explicit),
        "smart" => Ok(Gathering::Smart),
        other => Err(config.invalid_choice(
            cfg::GATHERING,
            &found,
            &format!("one of implicit, explicit, smart (not {other:?})"),
        )),
    }
}

fn play_strategy(config: &AnsibleConfig) -> Result<crate::playbook::Strategy, Diagnostic> {
    let Some(found) = config.find(cfg::STRATEGY) else {
        return Ok(crate::playbook::Strategy::Linear);
    };
    crate::playbook::Strategy::named(found.text.trim()).ok_or_else(|| {
        config.invalid_choice(
            cfg::STRATEGY,
            &found,
            &format!(
                "`linear` or `free` (runbook's strategies), not {:?}",
                found.text
            ),
        )
    })
}

/// `-i` sources, else ansible.cfg's `inventory`, else `/etc/ansible/hosts`
/// when it exists (only the implicit localhost otherwise, as Ansible).
pub(super) fn inventory_sources(flags: &[String], config: &AnsibleConfig) -> Vec<String> {
    if !flags.is_empty() {
        return flags.to_vec();
    }
    let configured = config.paths(cfg::INVENTORY).unwrap_or_else(|| {
        [PathBuf::from(cfg::INVENTORY.default)]
            .into_iter()
            .filter(|path| path.exists())
            .collect()
    });
    configured
        .iter()
        .map(|path| path.display().to_string())
        .collect()
}

fn run(args: RunArgs, cwd: &Path, config: &AnsibleConfig) -> Result<RunSettings, Diagnostic> {
    let RunArgs {
        pattern,
        module,
        args,
        list_hosts,
        one_line: _read_by_the_reporter,
        tree,
        background,
        poll,
        connect,
    } = args;
    let action = if list_hosts {
        AdhocAction::ListHosts
    } else {
        let mut task = crate::playbook::adhoc_task(&module, &args).map_err(as_option)?;
        // As `ansible -B`: without a limit, `-P` alone changes nothing.
        if background > 0 {
            task.async_ = Some(crate::value::Value::from(background));
            task.poll = Some(crate::value::Value::from(poll));
        }
        AdhocAction::Run(Box::new(task))
    };
    let inventory = inventory_sources(&connect.inventory, config);
    Ok(RunSettings {
        pattern,
        action,
        tree: tree.map(|dir| cwd.join(dir)),
        inventory,
        cwd: cwd.to_path_buf(),
        run: run_options(connect, PlaybookOnly::default(), cwd, !list_hosts, config)?,
    })
}

fn inventory_view(
    args: InventoryArgs,
    cwd: &Path,
    config: &AnsibleConfig,
) -> Result<InventorySettings, Diagnostic> {
    let InventoryArgs {
        inventory,
        list: _the_default_view,
        graph,
        vars,
        export,
        host,
        yaml,
        vault,
    } = args;
    super::vault_settings::install_for_run(&super::vault_settings::vault_settings(vault, config))?;
    let view = match (host, graph) {
        (Some(host), _) => InventoryView::Host(host),
        (None, Some(group)) => InventoryView::Graph { group, vars },
        (None, None) => InventoryView::List { export },
    };
    Ok(InventorySettings {
        sources: inventory_sources(&inventory, config),
        cwd: cwd.to_path_buf(),
        view,
        yaml,
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
    use clap::Parser;
    use std::time::Duration;

    fn run_options_with(cfg: &str, args: &[&str], env: &[(&str, &str)]) -> RunOptions {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("ansible.cfg"), cfg).expect("write");
        let env = env
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        let config = AnsibleConfig::load_with(dir.path(), env).expect("config");
        let mut argv = vec!["runbook", "run", "all", "-m", "ping"];
        argv.extend_from_slice(args);
        let cli = super::super::args::Cli::parse_from(argv);
        match resolve(cli.command, dir.path(), &config).expect("resolves") {
            Settings::Run(run) => run.run,
            _ => unreachable!("a run command"),
        }
    }

    #[test]
    fn connection_defaults_come_from_flags_then_environment_then_ansible_cfg() {
        let cfg = "[defaults]
remote_user = deploy
private_key_file = keys/id
remote_port = 2222
host_key_checking = False
timeout = 30
[ssh_connection]
ssh_args = -o ServerAliveInterval=5
ssh_common_args = -o ProxyJump=bastion
";
        let from_cfg = run_options_with(cfg, &[], &[]).connection;
        assert_eq!(from_cfg.user.as_deref(), Some("deploy"));
        assert!(
            from_cfg
                .private_key_file
                .is_some_and(|p| p.ends_with("keys/id") && p.is_absolute())
        );
        assert_eq!(from_cfg.port, Some(2222));
        assert!(from_cfg.accept_new_host_keys);
        assert_eq!(from_cfg.connect_timeout, Duration::from_secs(30));
        assert_eq!(from_cfg.ssh_args, ["-o", "ServerAliveInterval=5"]);
        assert_eq!(
            from_cfg.ssh_common_args.as_deref(),
            Some("-o ProxyJump=bastion")
        );
        let overridden = run_options_with(
            cfg,
            &[
                "-u",
                "ops",
                "-T",
                "3",
                "-c",
                "local",
                "--ssh-common-args",
                "-o ProxyJump=other",
            ],
            &[("ANSIBLE_REMOTE_USER", "envuser"), ("ANSIBLE_TIMEOUT", "4")],
        )
        .connection;
        assert_eq!(overridden.user.as_deref(), Some("ops"));
        assert_eq!(overridden.connect_timeout, Duration::from_secs(3));
        assert_eq!(overridden.kind.as_deref(), Some("local"));
        assert_eq!(
            overridden.ssh_common_args.as_deref(),
            Some("-o ProxyJump=other")
        );
        let from_env = run_options_with(cfg, &[], &[("ANSIBLE_REMOTE_USER", "envuser")]).connection;
        assert_eq!(from_env.user.as_deref(), Some("envuser"));
    }

    #[test]
    fn become_and_forks_fall_back_to_ansible_cfg() {
        let cfg = "[defaults]
forks = 12
[privilege_escalation]
become = yes
become_user = postgres
";
        let options = run_options_with(cfg, &[], &[]);
        assert_eq!(options.forks, 12);
        assert!(options.become_.enabled);
        assert_eq!(options.become_.user.as_deref(), Some("postgres"));
        let flagged = run_options_with(cfg, &["-f", "2", "--become-user", "app"], &[]);
        assert_eq!(flagged.forks, 2);
        assert_eq!(flagged.become_.user.as_deref(), Some("app"));
        assert_eq!(
            run_options_with("", &[], &[]).forks,
            crate::executor::DEFAULT_FORKS
        );
    }

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
