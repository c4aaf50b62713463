//! The options of a run (`RunOptions`) from the connection flags every
//! running command shares, the playbook-only ones, ansible.cfg and the
//! environment: forks, timeouts, users and keys, become, passwords, extra
//! vars. Precedence as in [`super::settings`].

use std::path::Path;
use std::time::Duration;

use super::args::ConnectArgs;
use super::settings::{Gathering, gathering};
use crate::config::{AnsibleConfig, definitions as cfg};
use crate::connection::{BecomeMethod, ConnectionDefaults, Secret};
use crate::executor::{BecomeDefaults, InventorySources, RunOptions, TagFilter};
use crate::modules::{ArgSpec, FreeForm};
use crate::source::{Diagnostic, ErrorKind, SourceFile};
use crate::value::{VarMap, overlay, to_var_map};

/// The run options only `runbook play` has flags for.
#[derive(Default)]
pub(super) struct PlaybookOnly {
    pub tags: TagFilter,
    pub start_at_task: Option<String>,
    pub force_handlers: bool,
    pub step: bool,
}

/// Run options from the shared connection flags and the playbook-only
/// ones; `-K` asks for the password only when `running`.
pub(super) fn run_options(
    args: ConnectArgs,
    playbook: PlaybookOnly,
    cwd: &Path,
    running: bool,
    config: &AnsibleConfig,
) -> Result<RunOptions, Diagnostic> {
    let ConnectArgs {
        inventory,
        limit,
        extra_vars: extra_vars_args,
        forks,
        timeout,
        user,
        private_key,
        connection,
        ssh_common_args,
        ssh_extra_args,
        accept_new_host_keys,
        check,
        diff,
        verbose,
        output: _read_by_output,
        become_,
        become_user,
        become_method,
        ask_become_pass,
        ask_pass,
        vault,
    } = args;
    let forks = match forks {
        Some(forks) => forks,
        None => config
            .number(cfg::FORKS)?
            .map_or(crate::executor::DEFAULT_FORKS, |n| {
                usize::try_from(n).unwrap_or(usize::MAX)
            }),
    };
    if forks == 0 {
        return Err(Diagnostic::options("--forks must be at least 1"));
    }
    let timeout = match timeout {
        Some(timeout) => timeout,
        None => config.number(cfg::TIMEOUT)?.unwrap_or(10),
    };
    // Before `-e @file`, which may be vaulted.
    super::vault_settings::install_for_run(&super::vault_settings::vault_settings(vault, config))?;
    let mut extra_vars = VarMap::new();
    for text in &extra_vars_args {
        overlay(
            &mut extra_vars,
            &parse_extra_vars(text, cwd).map_err(as_option)?,
        );
    }
    let password =
        ssh_password((ask_pass || config.flag(cfg::ASK_PASS).unwrap_or(false)) && running)?;
    let become_ = become_defaults(BecomeFlags {
        enabled: become_ || config.flag(cfg::BECOME).unwrap_or(false),
        user: become_user.or_else(|| config.text(cfg::BECOME_USER)),
        method: become_method.or_else(|| config.text(cfg::BECOME_METHOD)),
        ask_password: (ask_become_pass || config.flag(cfg::ASK_BECOME_PASS).unwrap_or(false))
            && running,
        ssh_password: password.clone(),
    })?;
    let connection = ConnectionDefaults {
        connect_timeout: Duration::from_secs(timeout.max(1)),
        user: user.or_else(|| config.text(cfg::REMOTE_USER)),
        private_key_file: private_key
            .map(|path| cwd.join(path))
            .or_else(|| config.path(cfg::PRIVATE_KEY_FILE)),
        port: config
            .number(cfg::REMOTE_PORT)?
            .map(|port| {
                u16::try_from(port).map_err(|_| {
                    Diagnostic::options(format!("remote_port {port} is not a port number"))
                })
            })
            .transpose()?,
        kind: connection,
        ssh_args: config_ssh_args(config)?,
        ssh_common_args: ssh_common_args.or_else(|| config.text(cfg::SSH_COMMON_ARGS)),
        ssh_extra_args: ssh_extra_args.or_else(|| config.text(cfg::SSH_EXTRA_ARGS)),
        accept_new_host_keys: accept_new_host_keys
            || config.flag(cfg::HOST_KEY_CHECKING) == Some(false),
        password,
    };
    Ok(RunOptions {
        forks,
        check,
        diff,
        verbosity: verbose,
        extra_vars,
        limit,
        connection,
        tags: playbook.tags,
        start_at_task: playbook.start_at_task,
        force_handlers: playbook.force_handlers
            || config.flag(cfg::FORCE_HANDLERS).unwrap_or(false),
        gather_smart: gathering(config)? == Gathering::Smart,
        poll_interval: config
            .number(cfg::POLL_INTERVAL)?
            .unwrap_or(crate::executor::DEFAULT_POLL_INTERVAL),
        retry_file: None,
        step: playbook.step,
        inventory_sources: (!inventory.is_empty()).then(|| InventorySources {
            sources: inventory,
            cwd: cwd.to_path_buf(),
        }),
        become_,
    })
}

/// ansible.cfg's `[ssh_connection] ssh_args`, as words.
fn config_ssh_args(config: &AnsibleConfig) -> Result<Vec<String>, Diagnostic> {
    let Some(found) = config.find(cfg::SSH_ARGS) else {
        return Ok(Vec::new());
    };
    shell_words::split(&found.text).map_err(|e| {
        config.invalid_choice(
            cfg::SSH_ARGS,
            &found,
            &format!("words a shell can split ({e})"),
        )
    })
}

/// A file named on the command line (`-e @vars.yml`, `-m`/`-a`) that cannot
/// be read is a bad option, whatever went wrong inside it.
pub(super) fn as_option(diagnostic: Diagnostic) -> Diagnostic {
    diagnostic.with_kind(ErrorKind::Options)
}

struct BecomeFlags {
    enabled: bool,
    user: Option<String>,
    method: Option<String>,
    ask_password: bool,
    /// `-k`'s answer: an empty answer to `-K` means the same password, as in Ansible.
    ssh_password: Option<Secret>,
}

/// `-k`: the SSH password, asked now, before any host is touched.
fn ssh_password(ask: bool) -> Result<Option<Secret>, Diagnostic> {
    if !ask {
        return Ok(None);
    }
    let answer = ask_password("SSH password: ").ok_or_else(|| {
        Diagnostic::options(
            "-k/--ask-pass: no terminal to ask on, and stdin ended before a password line; set ansible_password (e.g. in a vault) instead",
        )
    })?;
    Ok(Some(Secret::new(answer)))
}

/// On the terminal; without one, from stdin with a warning, as Ansible does.
fn ask_password(prompt: &str) -> Option<String> {
    if crate::terminal::available() {
        crate::terminal::ask(prompt, false)
    } else {
        crate::report::ask_on_stdin(prompt)
    }
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
        let prompt = if flags.ssh_password.is_some() {
            "BECOME password[defaults to SSH password]: "
        } else {
            "BECOME password: "
        };
        // Without an answer (stdin ended), the SSH password still stands in.
        match (ask_password(prompt), flags.ssh_password) {
            (Some(answer), Some(same)) if answer.is_empty() => Some(same),
            (None, Some(same)) => Some(same),
            (Some(answer), _) => Some(Secret::new(answer)),
            (None, None) => {
                return Err(Diagnostic::options(
                    "-K/--ask-become-pass: no terminal to ask on, and stdin ended before a password line; set ansible_become_password (e.g. in a vault) instead",
                ));
            }
        }
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
