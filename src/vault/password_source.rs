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

/// Read one secret from its source.
pub fn load_secret(label: &str, source: &PasswordSource) -> Result<Secret, VaultError> {
    let password = match source {
        PasswordSource::Prompt => ask(label)?,
        PasswordSource::File(path) => read_password_file(path, label)?,
    };
    if password.is_empty() {
        return Err(source_error(source, "the password is empty"));
    }
    Ok(Secret {
        label: label.to_string(),
        password,
    })
}

fn ask(label: &str) -> Result<Vec<u8>, VaultError> {
    let prompt = if label == DEFAULT_LABEL {
        "Vault password: ".to_string()
    } else {
        format!("Vault password ({label}): ")
    };
    crate::terminal::ask(&prompt, false)
        .map(|answer| answer.trim().as_bytes().to_vec())
        .ok_or_else(|| source_error(&PasswordSource::Prompt, "no terminal to ask on"))
}

fn read_password_file(path: &Path, label: &str) -> Result<Vec<u8>, VaultError> {
    let source = PasswordSource::File(path.to_path_buf());
    let metadata = std::fs::metadata(path)
        .map_err(|error| source_error(&source, &format!("cannot be read: {error}")))?;
    if metadata.is_dir() {
        return Err(source_error(&source, "is a directory"));
    }
    if metadata.permissions().mode() & 0o111 != 0 {
        return run_password_script(path, label, &source);
    }
    let content = std::fs::read(path)
        .map_err(|error| source_error(&source, &format!("cannot be read: {error}")))?;
    Ok(content.trim_ascii().to_vec())
}

fn run_password_script(
    path: &Path,
    label: &str,
    source: &PasswordSource,
) -> Result<Vec<u8>, VaultError> {
    let mut command = Command::new(path);
    if is_client_script(path) {
        command.args(["--vault-id", label]);
    }
    let output = command
        .stdin(Stdio::inherit())
        .stderr(Stdio::piped())
        .output()
        .map_err(|error| source_error(source, &format!("cannot be run: {error}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = format!("exited with {}: {}", output.status, stderr.trim());
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
        PasswordSource::Prompt => "prompt".to_string(),
        PasswordSource::File(path) => path.display().to_string(),
    };
    VaultError::PasswordSource {
        source_name,
        reason: reason.to_string(),
    }
}
