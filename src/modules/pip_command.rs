//! The shell lines `pip` runs on a host: the prelude (environment,
//! `chdir`, `umask`), virtualenv creation, and pip's own commands.

use crate::connection::shell_quote;

use super::{Desired, PipState};

/// Flags pip needs for one run, in Ansible's order: state flags, then
/// `extra_args`, then `-e` and the names, or `-r requirements`.
pub(super) fn pip_command(want: &Desired, verb: Verb) -> String {
    let mut words = Vec::new();
    match verb {
        Verb::Apply => words.extend(state_words(want.state).iter().map(|w| w.to_string())),
        Verb::DryRun => {
            words.extend(["install", "--dry-run", "--quiet", "--report", "-"].map(String::from));
            if want.state == PipState::Latest {
                words.push("-U".into());
            }
        }
        Verb::Freeze => {
            words.extend(["list", "--format=freeze"].map(String::from));
            return format!("{} {}", want.pip, join(&words));
        }
    }
    if want.break_system_packages {
        words.push("--break-system-packages".into());
    }
    words.extend(want.extra_args.iter().cloned());
    if want.editable && want.state != PipState::Absent {
        words.push("-e".into());
    }
    words.extend(want.names.iter().cloned());
    if let Some(requirements) = &want.requirements {
        words.extend(["-r".to_string(), requirements.clone()]);
    }
    format!("{} {}", want.pip, join(&words))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verb {
    /// The command that makes the state true.
    Apply,
    /// Ask pip what an install would change, without changing anything.
    DryRun,
    /// List what is installed.
    Freeze,
}

fn state_words(state: PipState) -> &'static [&'static str] {
    match state {
        PipState::Present => &["install"],
        PipState::Latest => &["install", "-U"],
        PipState::Absent => &["uninstall", "-y"],
        PipState::ForceReinstall => &["install", "-U", "--force-reinstall"],
    }
}

/// Words joined into a shell line, each quoted when it needs it.
pub(super) fn join(words: &[String]) -> String {
    words
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What every script starts with: the task's environment, no pip version
/// nagging, then `chdir` and `umask`.
pub(super) fn prelude(want: &Desired, environment: &[(String, String)]) -> String {
    let mut script = crate::modules::utils::exec::environment_prefix(environment);
    script.push_str("PIP_DISABLE_PIP_VERSION_CHECK=1; export PIP_DISABLE_PIP_VERSION_CHECK\n");
    if let Some(chdir) = &want.chdir {
        script.push_str(&format!("cd {} || exit 1\n", path_word(chdir)));
    }
    if let Some(umask) = &want.umask {
        script.push_str(&format!("umask {} || exit 1\n", shell_quote(umask)));
    }
    script
}

/// A path as a shell word; a leading `~/` stays the remote user's home.
pub(super) fn path_word(path: &str) -> String {
    match path.strip_prefix("~/") {
        Some(rest) => format!("\"$HOME\"/{}", shell_quote(rest)),
        None if path == "~" => "\"$HOME\"".to_string(),
        None => shell_quote(path),
    }
}
