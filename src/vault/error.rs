//! What can go wrong reading or writing vaulted data, in words a user
//! can act on.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum VaultError {
    #[error("not vault encrypted data (it does not start with `$ANSIBLE_VAULT`)")]
    NotVaulted,
    #[error("malformed vault envelope at line {line}: {reason}")]
    Malformed { line: usize, reason: String },
    #[error("unsupported vault cipher `{0}` (only AES256 is supported)")]
    UnsupportedCipher(String),
    #[error("HMAC verification failed: wrong password, or the data was changed")]
    WrongHmac,
    #[error("decrypted data has invalid padding")]
    BadPadding,
    #[error("Decryption failed (no vault secrets were found that could decrypt)")]
    NoSecretDecrypts,
    #[error(
        "a vault password is needed to decrypt this data: \
         give --vault-password-file, --ask-vault-pass or --vault-id"
    )]
    NoSecrets,
    #[error("vault password source {source_name}: {reason}")]
    PasswordSource { source_name: String, reason: String },
}
