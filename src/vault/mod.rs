//! Ansible Vault: files and values encrypted with a password, readable
//! and writable both by runbook and by `ansible-vault` (formats 1.1 and 1.2).

mod cipher;
mod envelope;
mod error;
mod keyring;
mod password_source;

pub use cipher::{decrypt_payload, encrypt_payload};
pub use envelope::{Envelope, HEADER, is_vaulted};
pub use error::VaultError;
pub use keyring::{Keyring, Secret};
pub use password_source::{PasswordSource, load_secret};

#[cfg(test)]
mod tests;
