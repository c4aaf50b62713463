//! Which vault secrets a command has, in Ansible's order: the configured
//! identity list, then `--vault-id`s, then password files (the flag's, then
//! the configured one), then the `--ask-vault-pass` prompt.
//!
//! [`VaultSettings`] is plain data so the command line, the environment and
//! (later) ansible.cfg can all fill it before anything is read.

use std::path::PathBuf;

use super::password_source::{Purpose, load_secret_for};
use super::{Keyring, PasswordSource, VaultError};

/// Where a command's vault secrets come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VaultSettings {
    /// `vault_identity_list` (`ANSIBLE_VAULT_IDENTITY_LIST`), tried first.
    pub identity_list: Vec<String>,
    /// `--vault-id label@source`, in the order given.
    pub vault_ids: Vec<String>,
    /// `--vault-password-file`, each labelled `default`.
    pub password_files: Vec<PathBuf>,
    /// `vault_password_file` (`ANSIBLE_VAULT_PASSWORD_FILE`), after the flag's.
    pub default_password_file: Option<PathBuf>,
    /// `--ask-vault-pass` (`ANSIBLE_ASK_VAULT_PASS`).
    pub ask_vault_pass: bool,
    /// `vault_encrypt_identity`: the label `encrypt`/`create` use unless
    /// `--encrypt-vault-id` says otherwise.
    pub encrypt_identity: Option<String>,
    /// `vault_id_match` (`ANSIBLE_VAULT_ID_MATCH`): only the secret of the
    /// data's own vault id may open it.
    pub id_match: bool,
}

impl VaultSettings {
    /// Every source, labelled, in the order Ansible tries them. `prompt_if_none`
    /// adds the password prompt when nothing else was given (`runbook vault`).
    pub fn sources(&self, prompt_if_none: bool) -> Vec<(String, PasswordSource)> {
        let mut sources = Vec::new();
        for spec in self.identity_list.iter().chain(&self.vault_ids) {
            sources.push(PasswordSource::parse_vault_id(spec));
        }
        for file in self
            .password_files
            .iter()
            .chain(&self.default_password_file)
        {
            sources.push((
                super::keyring::DEFAULT_LABEL.to_string(),
                PasswordSource::File(file.clone()),
            ));
        }
        if self.ask_vault_pass || (sources.is_empty() && prompt_if_none) {
            sources.push((
                super::keyring::DEFAULT_LABEL.to_string(),
                PasswordSource::Prompt,
            ));
        }
        sources
    }

    /// Read every secret (asking on the terminal where a source says so).
    /// As in Ansible, a password file or script that fails is a warning
    /// when another source gave a secret, and the error when none did; a
    /// prompt that fails is always the error.
    pub fn load(
        &self,
        purpose: Purpose,
        prompt_if_none: bool,
    ) -> Result<LoadedSecrets, VaultError> {
        let mut secrets = Vec::new();
        let mut warnings = Vec::new();
        let mut last_error = None;
        for (label, source) in self.sources(prompt_if_none) {
            match load_secret_for(&label, &source, purpose) {
                Ok(secret) => secrets.push(secret),
                Err(error) if source == PasswordSource::Prompt => return Err(error),
                Err(error) => {
                    warnings.push(format!(
                        "Error getting vault password file ({label}): {error}"
                    ));
                    last_error = Some(error);
                }
            }
        }
        match last_error {
            Some(error) if secrets.is_empty() => Err(error),
            _ => Ok(LoadedSecrets {
                keyring: Keyring::new(secrets).with_id_match(self.id_match),
                warnings,
            }),
        }
    }

    /// `;` cannot be in a vault id that ansible-vault writes into a header.
    pub fn check_vault_ids(&self) -> Result<(), VaultError> {
        match self
            .identity_list
            .iter()
            .chain(&self.vault_ids)
            .find(|spec| spec.contains(';'))
        {
            Some(spec) => Err(VaultError::InvalidVaultId(spec.clone())),
            None => Ok(()),
        }
    }
}

/// The secrets read, and the sources that failed while others did not.
pub struct LoadedSecrets {
    pub keyring: Keyring,
    pub warnings: Vec<String>,
}
