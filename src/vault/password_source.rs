//! Where a vault password comes from: a file (its content), an executable
//! (its standard output, `--vault-id <label>` given to `*-client` scripts),
//! or a question on the terminal — as `--vault-password-file`,
//! `--ask-vault-pass` and `--vault-id label@source` name them.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{Secret, VaultError, keyring::DEFAULT_LABEL};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    File(PathBuf),
    Prompt,
}

impl PasswordSource {
    /// `--vault-id` syntax: `label@source`, `@prompt`, or a bare source
    /// (labelled `default`).
    pub fn parse_vault_id(spec: &str) -> (String, Self) {
        let (label, source) = match spec.split_once('@') {
            Some((label, source)) => (label, source),
            None => (DEFAULT_LABEL, spec),
        };
        let label = if label.is_empty() {
            DEFAULT_LABEL
        } else {
            label
        };
        let source = if source == "prompt" {
            Self::Prompt
        } else {
            Self::File(PathBuf::from(source))
        };
        (label.to_string(), source)
    }
}

/// What a password is asked for: to read vaulted data, or to encrypt with
/// (a new password, typed twice when asked on the terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Decrypt,
    Encrypt,
}

/// Read one secret from its source.
pub fn load_secret(label: &str, source: &PasswordSource) -> Result<Secret, VaultError> {
    load_secret_for(label, source, Purpose::Decrypt)
}

/// [`load_secret`], asking for a new password when `purpose` is to encrypt.
pub fn load_secret_for(
    label: &str,
    source: &PasswordSource,
    purpose: Purpose,
) -> Result<Secret, VaultError> {
    let password = match source {
        PasswordSource::Prompt => ask(label, purpose)?,
        PasswordSource::File(path) => read_password_file(path, label)?,
    };
    if password.is_empty() {
        return Err(source_error(source, "gave an empty password"));
    }
    Ok(Secret {
        label: label.to_string(),
        password,
    })
}

/// Ansible's prompts: `Vault password: ` for `--ask-vault-pass`,
/// `Vault password (label): ` for `label@prompt`; new passwords twice.
fn ask(label: &str, purpose: Purpose) -> Result<Vec<u8>, VaultError> {
    let (first, confirm) = match (purpose, label == DEFAULT_LABEL) {
        (Purpose::Decrypt, true) => ("Vault password: ".to_string(), None),
        (Purpose::Decrypt, false) => (format!("Vault password ({label}): "), None),
        (Purpose::Encrypt, true) => (
            "New Vault password: ".to_string(),
            Some("Confirm New Vault password: ".to_string()),
        ),
        (Purpose::Encrypt, false) => (
            format!("New vault password ({label}): "),
            Some(format!("Confirm new vault password ({label}): ")),
        ),
    };
    let answer = ask_once(&first)?;
    if let Some(confirm) = confirm
        && ask_once(&confirm)? != answer
    {
        return Err(source_error(
            &PasswordSource::Prompt,
            "Passwords do not match",
        ));
    }
    Ok(answer)
}

fn ask_once(prompt: &str) -> Result<Vec<u8>, VaultError> {
    crate::terminal::ask(prompt, false)
        .map(|answer| answer.trim().as_bytes().to_vec())
        .ok_or_else(|| source_error(&PasswordSource::Prompt, "no terminal to ask on"))
}

fn read_password_file(path: &Path, label: &str) -> Result<Vec<u8>, VaultError> {
    let source = PasswordSource::File(path.to_path_buf());
    let metadata = std::fs::metadata(path).map_err(|_| source_error(&source, "was not found"))?;
    if metadata.is_dir() {
        return Err(source_error(&source, "can not be a directory"));
    }
    if metadata.permissions().mode() & 0o111 != 0 {
        return run_password_script(path, label, &source);
    }
    let content = std::fs::read(path)
        .map_err(|error| source_error(&source, &format!("could not be read: {error}")))?;
    Ok(content.trim_ascii().to_vec())
}

fn run_password_script(
    path: &Path,
    label: &str,
    source: &PasswordSource,
) -> Result<Vec<u8>, VaultError> {
    // A relative path is the file in the current directory, never a PATH lookup.
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut command = Command::new(&path);
    if is_client_script(&path) {
        command.args(["--vault-id", label]);
    }
    let output = command
        .stdin(Stdio::inherit())
        // As Ansible: a script may ask on stderr, so it is not captured.
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| source_error(source, &format!("could not be run: {error}")))?;
    if !output.status.success() {
        let reason = format!("returned non-zero ({})", output.status);
        return Err(source_error(source, &reason));
    }
    let is_line_end = |byte: &u8| *byte == b'\r' || *byte == b'\n';
    let start = output.stdout.iter().position(|byte| !is_line_end(byte));
    let end = output.stdout.iter().rposition(|byte| !is_line_end(byte));
    let trimmed = match (start, end) {
        (Some(start), Some(end)) => &output.stdout[start..=end],
        _ => &[][..],
    };
    Ok(trimmed.to_vec())
}

/// Ansible's convention: a script named `*-client` (any extension) is
/// told which vault id is wanted.
fn is_client_script(path: &Path) -> bool {
    path.file_stem()
        .and_then(|stem| stem.to_str())
        .is_some_and(|stem| stem.ends_with("-client"))
}

fn source_error(source: &PasswordSource, reason: &str) -> VaultError {
    let source_name = match source {
        PasswordSource::Prompt => "The vault password prompt:".to_string(),
        PasswordSource::File(path) => {
            let shown = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            format!("The vault password file {}", shown.display())
        }
    };
    VaultError::PasswordSource {
        source_name,
        reason: reason.to_string(),
    }
}
