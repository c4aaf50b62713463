//! Authentication the way `ssh` does it: the agent's keys first, then each
//! IdentityFile, then the password if there is one (`ansible_password`,
//! `-k`). Passphrases come from the environment or, once per key, from the
//! terminal (see `passphrase.rs`).

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ssh2::Session;

use super::config::SshConfig;
use crate::connection::ConnectionError;

/// The environment variable holding the passphrase of encrypted keys.
pub const PASSPHRASE_ENV: &str = "RUNBOOK_SSH_KEY_PASSPHRASE";

/// How a login went: the method that was accepted and what failed before it.
pub(super) struct LoggedIn {
    pub method: String,
    pub tried: Vec<String>,
}

/// Authenticate `session` as `config.user`, or say what was tried.
pub(super) fn authenticate(
    session: &Session,
    config: &SshConfig,
) -> Result<LoggedIn, ConnectionError> {
    let mut tried = Vec::new();
    let logged_in = |method: String, tried: Vec<String>| Ok(LoggedIn { method, tried });
    if let Some(socket) = &config.identity_agent {
        let wanted: Option<Vec<Vec<u8>>> = config.identities_only.then(|| {
            let files = config.identity_files.iter();
            files.filter_map(|key| public_blob(key)).collect()
        });
        match try_agent(session, socket, &config.user, wanted.as_deref()) {
            Ok(true) => {
                let method = format!("publickey (ssh-agent {})", socket.display());
                return logged_in(method, tried);
            }
            Ok(false) => tried.push("the ssh-agent's keys".to_string()),
            Err(reason) => tried.push(format!("ssh-agent ({reason})")),
        }
    }
    for key in config.identity_files.iter().filter(|path| path.is_file()) {
        match try_key_file(session, &config.user, key) {
            Ok(()) => return logged_in(format!("publickey {}", key.display()), tried),
            Err(reason) => tried.push(format!("{} ({reason})", key.display())),
        }
    }
    if let Some(password) = &config.password {
        match try_password(session, &config.user, password.reveal()) {
            Ok(method) => return logged_in(method.to_string(), tried),
            Err(reason) => tried.push(format!("the password ({reason})")),
        }
    }
    let reason = if tried.is_empty() {
        "no ssh-agent and no identity file found (set ansible_ssh_private_key_file or IdentityFile)"
            .to_string()
    } else {
        format!("tried {}", tried.join(", "))
    };
    Err(ConnectionError::Auth {
        user: config.user.clone(),
        reason,
    })
}

/// Try the agent's keys, or only those in `wanted` (public key blobs).
fn try_agent(
    session: &Session,
    socket: &Path,
    user: &str,
    wanted: Option<&[Vec<u8>]>,
) -> Result<bool, ssh2::Error> {
    let mut agent = session.agent()?;
    agent.set_identity_path(socket)?;
    agent.connect()?;
    agent.list_identities()?;
    let identities = agent.identities()?;
    let offered = identities
        .iter()
        .filter(|identity| wanted.is_none_or(|blobs| blobs.iter().any(|b| b == identity.blob())));
    for identity in offered {
        if agent.userauth(user, identity).is_ok() && session.authenticated() {
            let _ = agent.disconnect();
            return Ok(true);
        }
    }
    let _ = agent.disconnect();
    Ok(false)
}

fn try_key_file(session: &Session, user: &str, key: &Path) -> Result<(), String> {
    let file = super::keys::load(key)?;
    let result = match file.signer() {
        Some(signer) => super::keys::userauth_signed(session, user, signer),
        None => {
            let passphrase =
                if file.encrypted {
                    let passphrase = super::passphrase::passphrase_for(key);
                    Some(passphrase.ok_or_else(|| {
                        format!("encrypted; set {PASSPHRASE_ENV} to its passphrase")
                    })?)
                } else {
                    None
                };
            session.userauth_pubkey_memory(
                user,
                file.public_text.as_deref(),
                &file.text,
                passphrase.as_deref(),
            )
        }
    };
    match result {
        Ok(()) if session.authenticated() => Ok(()),
        Ok(()) => Err("not accepted".to_string()),
        Err(error) => Err(error.message().to_string()),
    }
}

/// Password authentication, then keyboard-interactive answering every
/// prompt with the password (servers that check passwords through PAM
/// offer only that), as `ssh` driven by `sshpass` does for Ansible.
fn try_password(session: &Session, user: &str, password: &str) -> Result<&'static str, String> {
    let methods = session.auth_methods(user).unwrap_or("password");
    let mut reasons = Vec::new();
    if methods.split(',').any(|m| m == "password") {
        match session.userauth_password(user, password) {
            Ok(()) if session.authenticated() => return Ok("password"),
            Ok(()) => reasons.push("not accepted".to_string()),
            Err(error) => reasons.push(error.message().to_string()),
        }
    }
    if methods.split(',').any(|m| m == "keyboard-interactive") {
        let mut answer = PasswordPrompts(password);
        match session.userauth_keyboard_interactive(user, &mut answer) {
            Ok(()) if session.authenticated() => return Ok("keyboard-interactive"),
            Ok(()) => reasons.push("not accepted".to_string()),
            Err(error) => reasons.push(error.message().to_string()),
        }
    }
    if reasons.is_empty() {
        reasons.push(format!("the server offers only {methods}"));
    }
    Err(reasons.join("; "))
}

/// Answers each keyboard-interactive prompt with the password.
struct PasswordPrompts<'a>(&'a str);

impl ssh2::KeyboardInteractivePrompt for PasswordPrompts<'_> {
    fn prompt<'b>(
        &mut self,
        _username: &str,
        _instructions: &str,
        prompts: &[ssh2::Prompt<'b>],
    ) -> Vec<String> {
        prompts.iter().map(|_| self.0.to_string()).collect()
    }
}

/// `key.pub`, beside the private key.
pub(super) fn public_key_path(key: &Path) -> PathBuf {
    let mut name = key.file_name().unwrap_or_default().to_os_string();
    name.push(".pub");
    key.with_file_name(name)
}

/// The key blob of the `.pub` beside a private key, if there is one.
fn public_blob(key: &Path) -> Option<Vec<u8>> {
    let text = std::fs::read_to_string(public_key_path(key)).ok()?;
    STANDARD.decode(text.split_whitespace().nth(1)?).ok()
}

/// Whether a private key file needs a passphrase: PEM keys say so in a
/// header, OpenSSH keys name their cipher right after the magic.
pub(super) fn is_encrypted(text: &str) -> bool {
    let pem_encrypted = text.lines().any(|line| {
        line.starts_with("-----BEGIN ENCRYPTED")
            || (line.starts_with("Proc-Type:") && line.contains("ENCRYPTED"))
    });
    if pem_encrypted {
        return true;
    }
    let body: String = text
        .lines()
        .skip_while(|line| !line.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"))
        .skip(1)
        .take_while(|line| !line.starts_with("-----END"))
        .collect();
    let Ok(bytes) = STANDARD.decode(body.trim()) else {
        return false;
    };
    openssh_cipher(&bytes).is_some_and(|cipher| cipher != b"none")
}

fn openssh_cipher(bytes: &[u8]) -> Option<&[u8]> {
    const MAGIC: &[u8] = b"openssh-key-v1\0";
    let rest = bytes.strip_prefix(MAGIC)?;
    let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
    rest.get(4..4usize.checked_add(len)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keygen(passphrase: &str, format: &[&str]) -> Option<String> {
        let dir = tempfile::tempdir().ok()?;
        let path = dir.path().join("k");
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ecdsa", "-N", passphrase])
            .args(format)
            .arg("-f")
            .arg(&path)
            .status()
            .ok()?;
        status
            .success()
            .then(|| std::fs::read_to_string(&path).ok())?
    }

    #[test]
    fn tells_encrypted_keys_from_plain_ones() {
        for format in [&[][..], &["-m", "PEM"][..]] {
            let (Some(plain), Some(locked)) = (keygen("", format), keygen("secret", format)) else {
                return; // no ssh-keygen here
            };
            assert!(!is_encrypted(&plain), "{format:?} plain");
            assert!(is_encrypted(&locked), "{format:?} encrypted");
        }
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(text in "\\PC*") {
            let _ = is_encrypted(&text);
        }

        #[test]
        fn never_panics_on_any_key_body(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut body = b"openssh-key-v1\0".to_vec();
            body.extend(bytes);
            let text = format!(
                "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
                STANDARD.encode(body)
            );
            let _ = is_encrypted(&text);
        }
    }
}
