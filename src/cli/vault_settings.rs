//! Vault flags and configuration resolved into [`VaultSettings`], and the
//! `runbook vault` actions checked into a [`VaultRequest`].
//!
//! The configured sources are ansible.cfg's `[defaults]` `vault_identity_list`,
//! `vault_password_file`, `ask_vault_pass`, `vault_encrypt_identity` and
//! `vault_id_match`, or
//! the `ANSIBLE_*` variables of the same names, which beat them.

use std::path::PathBuf;

use super::args::{VaultAction, VaultArgs, VaultFlags};
use crate::config::{AnsibleConfig, definitions as cfg};
use crate::source::Diagnostic;
use crate::vault::{Keyring, Purpose, VaultError, VaultSettings, session};

/// The vault sources of the flags, after the configured ones.
pub fn vault_settings(flags: VaultFlags, config: &AnsibleConfig) -> VaultSettings {
    let VaultFlags {
        vault_id,
        vault_password_file,
        ask_vault_pass,
    } = flags;
    let configured = configured(config);
    VaultSettings {
        vault_ids: vault_id,
        password_files: vault_password_file,
        ask_vault_pass: ask_vault_pass || configured.ask_vault_pass,
        ..configured
    }
}

/// What ansible.cfg and the environment say.
fn configured(config: &AnsibleConfig) -> VaultSettings {
    VaultSettings {
        identity_list: config
            .text(cfg::VAULT_IDENTITY_LIST)
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|id| !id.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
        default_password_file: config.path(cfg::VAULT_PASSWORD_FILE),
        ask_vault_pass: config.flag(cfg::VAULT_ASK_PASS).unwrap_or(false),
        encrypt_identity: config
            .text(cfg::VAULT_ENCRYPT_IDENTITY)
            .filter(|id| !id.is_empty()),
        id_match: config.flag(cfg::VAULT_ID_MATCH).unwrap_or(false),
        ..VaultSettings::default()
    }
}

/// Read the secrets for `play`/`run` and give them to the loaders: before
/// any file is read, as ansible-playbook asks before loading anything.
pub fn install_for_run(settings: &VaultSettings) -> Result<(), Diagnostic> {
    let loaded = settings
        .load(Purpose::Decrypt, false)
        .map_err(|e| source_error(&e))?;
    loaded.warnings.into_iter().for_each(session::warn);
    session::install(loaded.keyring);
    Ok(())
}

/// A password source that cannot be read stops the command (exit 1, as
/// ansible-playbook's `AnsibleError`); a bad vault id is a bad option.
pub fn source_error(error: &VaultError) -> Diagnostic {
    match error {
        VaultError::InvalidVaultId(_) => Diagnostic::options(error.to_string()),
        _ => Diagnostic::runtime(error.to_string()),
    }
}

/// `runbook vault`: one action and the secrets it works with.
pub struct VaultRequest {
    pub job: VaultJob,
    pub keys: VaultSettings,
}

/// What `runbook vault` does, checked.
pub enum VaultJob {
    Create {
        file: PathBuf,
        encrypt_vault_id: Option<String>,
        skip_tty_check: bool,
    },
    Decrypt {
        files: Vec<PathBuf>,
        output: Option<PathBuf>,
    },
    Edit {
        files: Vec<PathBuf>,
    },
    View {
        files: Vec<PathBuf>,
    },
    Encrypt {
        files: Vec<PathBuf>,
        output: Option<PathBuf>,
        encrypt_vault_id: Option<String>,
    },
    EncryptString(EncryptStringJob),
    Rekey {
        files: Vec<PathBuf>,
        encrypt_vault_id: Option<String>,
        new_keys: VaultSettings,
    },
}

pub struct EncryptStringJob {
    pub output: Option<PathBuf>,
    pub encrypt_vault_id: Option<String>,
    pub prompt: bool,
    pub show_input: bool,
    pub names: Vec<String>,
    pub stdin_name: Option<String>,
    /// The strings from the arguments (`-` removed).
    pub strings: Vec<String>,
    pub read_stdin: bool,
}

pub fn vault_request(args: VaultArgs, config: &AnsibleConfig) -> Result<VaultRequest, Diagnostic> {
    let VaultArgs { action } = args;
    let one_output = |files: &[PathBuf], output: &Option<PathBuf>| {
        if output.is_some() && files.len() > 1 {
            Err(Diagnostic::options(
                "At most one input file may be used with the --output option",
            ))
        } else {
            Ok(())
        }
    };
    let (keys, job) = match action {
        VaultAction::Create {
            keys,
            encrypt_vault_id,
            skip_tty_check,
            files,
        } => {
            let [file] = <[PathBuf; 1]>::try_from(files).map_err(|_| {
                Diagnostic::options("runbook vault create can take only one filename argument")
            })?;
            let job = VaultJob::Create {
                file,
                encrypt_vault_id,
                skip_tty_check,
            };
            (keys, job)
        }
        VaultAction::Decrypt {
            keys,
            output,
            files,
        } => {
            one_output(&files, &output)?;
            (keys, VaultJob::Decrypt { files, output })
        }
        VaultAction::Edit {
            keys,
            encrypt_vault_id: _edit_keeps_the_files_vault_id,
            files,
        } => (keys, VaultJob::Edit { files }),
        VaultAction::View { keys, files } => (keys, VaultJob::View { files }),
        VaultAction::Encrypt {
            keys,
            output,
            encrypt_vault_id,
            files,
        } => {
            one_output(&files, &output)?;
            let job = VaultJob::Encrypt {
                files,
                output,
                encrypt_vault_id,
            };
            (keys, job)
        }
        VaultAction::EncryptString {
            keys,
            output,
            encrypt_vault_id,
            prompt,
            show_input,
            names,
            stdin_name,
            strings,
        } => {
            let read_stdin =
                strings.iter().any(|s| s == "-") || strings.is_empty() || stdin_name.is_some();
            let read_stdin = read_stdin && !(prompt && strings.is_empty() && stdin_name.is_none());
            if prompt && read_stdin {
                return Err(Diagnostic::options(
                    "The --prompt option is not supported if also reading input from stdin",
                ));
            }
            let strings = strings.into_iter().filter(|s| s != "-").collect();
            let job = VaultJob::EncryptString(EncryptStringJob {
                output,
                encrypt_vault_id,
                prompt,
                show_input,
                names,
                stdin_name,
                strings,
                read_stdin,
            });
            (keys, job)
        }
        VaultAction::Rekey {
            keys,
            encrypt_vault_id,
            new_vault_password_file,
            new_vault_id,
            files,
        } => {
            let configured = configured(config);
            let new_keys = VaultSettings {
                identity_list: if encrypt_vault_id.is_some() {
                    configured.identity_list.clone()
                } else {
                    Vec::new()
                },
                vault_ids: new_vault_id.into_iter().collect(),
                password_files: new_vault_password_file.into_iter().collect(),
                ask_vault_pass: false,
                default_password_file: None,
                encrypt_identity: configured.encrypt_identity,
                id_match: configured.id_match,
            };
            let job = VaultJob::Rekey {
                files,
                encrypt_vault_id,
                new_keys,
            };
            (keys, job)
        }
    };
    Ok(VaultRequest {
        job,
        keys: vault_settings(keys, config),
    })
}

/// The keyring a vault action decrypts or encrypts with; none is an error,
/// as in ansible-vault.
pub fn keyring_for(settings: &VaultSettings, purpose: Purpose) -> Result<Keyring, Diagnostic> {
    settings.check_vault_ids().map_err(|e| source_error(&e))?;
    let loaded = settings.load(purpose, true).map_err(|e| source_error(&e))?;
    loaded.warnings.into_iter().for_each(session::warn);
    let keyring = loaded.keyring;
    if keyring.is_empty() {
        return Err(Diagnostic::options(
            "A vault password is required to use Ansible's Vault",
        ));
    }
    Ok(keyring)
}
