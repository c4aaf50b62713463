//! Ansible Vault: files and values encrypted with a password, readable
//! and writable both by runbook and by `ansible-vault` (formats 1.1 and 1.2).
//! [`session`] holds the secrets of the running command for the loaders.

mod cipher;
mod envelope;
mod error;
mod identities;
mod keyring;
mod password_source;
pub mod session;

pub use cipher::{decrypt_payload, encrypt_payload};
pub use envelope::{Envelope, HEADER, is_vaulted};
pub use error::VaultError;
pub use identities::{LoadedSecrets, VaultSettings};
pub use keyring::{Keyring, Secret, encrypt_with, encrypt_with_salt};
pub use password_source::{PasswordSource, Purpose, load_secret, load_secret_for};

#[cfg(test)]
mod tests;
