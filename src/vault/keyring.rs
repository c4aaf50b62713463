//! The vault secrets a run was given, each with its label, and the rule
//! for which to try: a secret whose label matches the data's vault id
//! first, then every other one, as Ansible does — or, with `vault_id_match`,
//! only the one whose label matches.

use super::{Envelope, VaultError, cipher};

/// One password and the vault id it was given for (`default` without one).
#[derive(Clone)]
pub struct Secret {
    pub label: String,
    pub password: Vec<u8>,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "Secret({}, <hidden>)", self.label)
    }
}

pub(super) const DEFAULT_LABEL: &str = "default";

#[derive(Debug, Clone, Default)]
pub struct Keyring {
    secrets: Vec<Secret>,
    /// ansible.cfg's `vault_id_match`: data is tried only with the secret
    /// of its own vault id (`default` for a 1.1 envelope, which names none).
    id_match: bool,
}

impl Keyring {
    pub fn new(secrets: Vec<Secret>) -> Self {
        Self {
            secrets,
            id_match: false,
        }
    }

    pub fn with_id_match(self, id_match: bool) -> Self {
        Self { id_match, ..self }
    }

    pub fn id_match(&self) -> bool {
        self.id_match
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    pub fn secrets(&self) -> &[Secret] {
        &self.secrets
    }

    /// Decrypt vaulted text (a whole file or an inline `!vault` value).
    pub fn decrypt(&self, vaulted: &[u8]) -> Result<Vec<u8>, VaultError> {
        self.decrypt_with_secret(vaulted)
            .map(|(plaintext, _)| plaintext)
    }

    /// [`Keyring::decrypt`], and the secret that opened the data.
    pub fn decrypt_with_secret(&self, vaulted: &[u8]) -> Result<(Vec<u8>, &Secret), VaultError> {
        let envelope = Envelope::parse(vaulted)?;
        if envelope.cipher != "AES256" {
            return Err(VaultError::UnsupportedCipher(envelope.cipher));
        }
        if self.secrets.is_empty() {
            return Err(VaultError::NoSecrets);
        }
        // A 1.1 envelope names no vault id: Ansible takes it as `default`.
        let vault_id = envelope.vault_id.as_deref().unwrap_or(DEFAULT_LABEL);
        for secret in self.candidates(Some(vault_id)) {
            match cipher::decrypt_payload(&envelope.payload, &secret.password) {
                Ok(plaintext) => return Ok((plaintext, secret)),
                Err(VaultError::WrongHmac | VaultError::BadPadding) => continue,
                Err(other) => return Err(other),
            }
        }
        Err(VaultError::NoSecretDecrypts)
    }

    /// Encrypt with the secret labelled `vault_id`, or the first one.
    pub fn encrypt(&self, plaintext: &[u8], vault_id: Option<&str>) -> Result<String, VaultError> {
        let secret = self.for_encryption(vault_id)?;
        Ok(encrypt_with(plaintext, secret))
    }

    pub fn for_encryption(&self, vault_id: Option<&str>) -> Result<&Secret, VaultError> {
        let chosen = match vault_id {
            Some(id) => self.secrets.iter().find(|secret| secret.label == id),
            None => self.secrets.first(),
        };
        chosen.ok_or(VaultError::NoSecrets)
    }

    /// The one secret `encrypt`, `create` and `encrypt_string` use, as
    /// ansible-vault picks it: the one named, or the only one there is.
    pub fn choose_for_encryption(&self, vault_id: Option<&str>) -> Result<&Secret, VaultError> {
        let labels = || {
            self.secrets
                .iter()
                .map(|secret| secret.label.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        match vault_id {
            Some(id) => self
                .secrets
                .iter()
                .find(|secret| secret.label == id)
                .ok_or_else(|| VaultError::NoEncryptMatch {
                    wanted: id.to_string(),
                    known: labels(),
                }),
            None if self.secrets.len() > 1 => Err(VaultError::SeveralToEncrypt(labels())),
            None => self.secrets.first().ok_or(VaultError::NoSecrets),
        }
    }

    fn candidates<'a, 'id>(
        &'a self,
        vault_id: Option<&'id str>,
    ) -> impl Iterator<Item = &'a Secret> + use<'a, 'id> {
        let matches = move |secret: &&Secret| Some(secret.label.as_str()) == vault_id;
        let first = self.secrets.iter().filter(matches);
        let id_match = self.id_match;
        let rest = self
            .secrets
            .iter()
            .filter(move |secret| !id_match && !matches(secret));
        first.chain(rest)
    }
}

/// Encrypt with one secret: the envelope text, 1.2 when its label is not `default`.
pub fn encrypt_with(plaintext: &[u8], secret: &Secret) -> String {
    envelope_text(cipher::encrypt_payload(plaintext, &secret.password), secret)
}

/// [`encrypt_with`] a salt of the caller's (the `vault` filter's `salt=`):
/// the same plaintext, password and salt give Ansible's very ciphertext.
pub fn encrypt_with_salt(plaintext: &[u8], secret: &Secret, salt: &[u8]) -> String {
    envelope_text(
        cipher::encrypt_with_salt(plaintext, &secret.password, salt),
        secret,
    )
}

fn envelope_text(payload: Vec<u8>, secret: &Secret) -> String {
    Envelope {
        version: String::new(),
        cipher: "AES256".to_string(),
        vault_id: Some(secret.label.clone()),
        payload,
    }
    .format()
}
