//! The text around vaulted data: a `$ANSIBLE_VAULT;1.1;AES256` header
//! (`1.2;AES256;<vault-id>` with a label), then the hexlified payload in
//! lines of 80 columns.

use super::VaultError;

pub const HEADER: &str = "$ANSIBLE_VAULT";
const LINE_WIDTH: usize = 80;

/// A parsed envelope: which cipher, which label, and the payload bytes
/// (already unhexlified once: `hex(salt) \n hex(hmac) \n hex(ciphertext)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub version: String,
    pub cipher: String,
    pub vault_id: Option<String>,
    pub payload: Vec<u8>,
}

/// True when `data` (leading whitespace ignored) starts as vaulted data does.
pub fn is_vaulted(data: &[u8]) -> bool {
    data.trim_ascii_start().starts_with(HEADER.as_bytes())
}

impl Envelope {
    pub fn parse(data: &[u8]) -> Result<Self, VaultError> {
        let text = std::str::from_utf8(data.trim_ascii()).map_err(|_| malformed(1, "not text"))?;
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default().trim();
        let parts: Vec<&str> = header.split(';').map(str::trim).collect();
        if parts.first() != Some(&HEADER) {
            return Err(VaultError::NotVaulted);
        }
        let (Some(version), Some(cipher)) = (parts.get(1), parts.get(2)) else {
            return Err(malformed(1, "the header lacks a version or a cipher"));
        };
        if parts.len() > 4 {
            return Err(malformed(1, "the header has too many fields"));
        }
        let vault_id = parts
            .get(3)
            .filter(|id| !id.is_empty())
            .map(|id| id.to_string());
        let mut hex_body = String::with_capacity(text.len());
        for (index, line) in lines.enumerate() {
            let line = line.trim();
            if let Some(column) = line.find(|c: char| !c.is_ascii_hexdigit()) {
                let reason = format!("column {}: not a hexadecimal digit", column + 1);
                return Err(malformed(index + 2, &reason));
            }
            hex_body.push_str(line);
        }
        if hex_body.is_empty() {
            return Err(malformed(2, "no encrypted data after the header"));
        }
        let payload = hex::decode(&hex_body)
            .map_err(|_| malformed(2, "the data has an odd number of hexadecimal digits"))?;
        Ok(Self {
            version: version.to_string(),
            cipher: cipher.to_string(),
            vault_id,
            payload,
        })
    }

    /// The envelope as Ansible writes it: version 1.2 exactly when there is
    /// a label other than `default`, body in 80-column lines, final newline.
    pub fn format(&self) -> String {
        let vault_id = self.vault_id.as_deref().filter(|id| *id != "default");
        let mut text = match vault_id {
            Some(id) => format!("{HEADER};1.2;{};{id}\n", self.cipher),
            None => format!("{HEADER};1.1;{}\n", self.cipher),
        };
        let body = hex::encode(&self.payload);
        for chunk in body.as_bytes().chunks(LINE_WIDTH) {
            text.push_str(&String::from_utf8_lossy(chunk));
            text.push('\n');
        }
        text
    }
}

fn malformed(line: usize, reason: &str) -> VaultError {
    VaultError::Malformed {
        line,
        reason: reason.to_string(),
    }
}
