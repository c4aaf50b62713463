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
    #[error("Attempting to decrypt but no vault secrets found")]
    NoSecrets,
    #[error("'{0}' is not a valid vault id. The character ';' is not allowed in vault ids")]
    InvalidVaultId(String),
    #[error("input is already encrypted")]
    AlreadyEncrypted,
    #[error(
        "The vault-ids {0} are available to encrypt. Specify the vault-id to encrypt with --encrypt-vault-id"
    )]
    SeveralToEncrypt(String),
    #[error("Did not find a match for --encrypt-vault-id={wanted} in the known vault-ids {known}")]
    NoEncryptMatch { wanted: String, known: String },
    #[error("{source_name} {reason}")]
    PasswordSource { source_name: String, reason: String },
}
