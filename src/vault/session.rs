//! The vault secrets of this run, and the cleartext they revealed.
//!
//! Like the terminal's question route, this is process-wide: every loader
//! (YAML, inventories, `copy`/`template` sources) decrypts through it
//! without each layer passing a keyring along, and the output layer masks
//! every value it revealed. A command installs its keyring once, after
//! reading its flags and before reading any file.

use std::borrow::Cow;
use std::sync::{Arc, PoisonError, RwLock};

use super::{Keyring, VaultError};

static KEYRING: RwLock<Option<Arc<Keyring>>> = RwLock::new(None);
static REVEALED: RwLock<Vec<Mask>> = RwLock::new(Vec::new());
static WARNINGS: RwLock<Vec<String>> = RwLock::new(Vec::new());
static INLINE_VALUES: RwLock<Vec<InlineValue>> = RwLock::new(Vec::new());
static NOTHING_RUNS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// What output shows instead of a vaulted value.
pub const MASK: &str = "********";

/// Values shorter than this are not masked: hiding every `yes` or `80` in
/// the output would hide more than it protects.
pub const SHORTEST_MASKED: usize = 4;

/// One revealed value as it can appear in output: as is, and escaped as
/// inside a JSON string (how results are printed).
struct Mask {
    plain: String,
    json: String,
}

/// An inline `!vault` value: its cleartext, and the envelope it came from.
struct InlineValue {
    cleartext: String,
    ciphertext: String,
}

/// The keyring loaders decrypt with from now on.
pub fn install(keyring: Keyring) {
    *KEYRING.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(keyring));
}

/// Something to tell the user once a reporter exists (a password file that
/// failed while another one worked).
pub fn warn(message: String) {
    WARNINGS
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .push(message);
}

/// The warnings not shown yet.
pub fn take_warnings() -> Vec<String> {
    std::mem::take(&mut *WARNINGS.write().unwrap_or_else(PoisonError::into_inner))
}

/// Say that the command only reads (`--syntax-check`, `--list-*`): as in
/// Ansible, whose inline vault values are decrypted when first used, an
/// inline value needs no secret then — no task will use it.
pub fn set_nothing_runs(nothing_runs: bool) {
    NOTHING_RUNS.store(nothing_runs, std::sync::atomic::Ordering::Relaxed);
}

/// Whether an inline value without a secret may stay encrypted (unused).
pub fn nothing_runs() -> bool {
    NOTHING_RUNS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The installed keyring (an empty one before [`install`]).
pub fn keyring() -> Arc<Keyring> {
    KEYRING
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .unwrap_or_default()
}

/// Decrypt vaulted data with the installed keyring. Its cleartext is not
/// registered for masking: the caller knows which parts are values.
pub fn decrypt(vaulted: &[u8]) -> Result<Vec<u8>, VaultError> {
    keyring().decrypt(vaulted)
}

/// Remember a decrypted value, so output shows [`MASK`] in its place.
pub fn reveal(value: &str) {
    let value = value.trim_matches(['\r', '\n']);
    if value.chars().count() < SHORTEST_MASKED {
        return;
    }
    let json = serde_json::to_string(value).unwrap_or_default();
    let json = json
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or_default()
        .to_string();
    let mut revealed = REVEALED.write().unwrap_or_else(PoisonError::into_inner);
    if revealed.iter().any(|mask| mask.plain == value) {
        return;
    }
    revealed.push(Mask {
        plain: value.to_string(),
        json,
    });
    // Longest first, so a value containing a shorter one is masked whole.
    revealed.sort_by_key(|mask| std::cmp::Reverse(mask.plain.len()));
}

/// Remember every line of a decrypted file (`copy`/`template` sources:
/// what diffs show is lines).
pub fn reveal_lines(text: &str) {
    text.lines().map(str::trim).for_each(reveal);
}

/// Whether any value was revealed (so there is something to mask).
pub fn revealed_any() -> bool {
    !REVEALED
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .is_empty()
}

/// `text` with every revealed value replaced by [`MASK`].
pub fn redact(text: &str) -> Cow<'_, str> {
    let revealed = REVEALED.read().unwrap_or_else(PoisonError::into_inner);
    let mut text = Cow::Borrowed(text);
    for mask in revealed.iter() {
        for form in [&mask.json, &mask.plain] {
            if !form.is_empty() && text.contains(form.as_str()) {
                text = Cow::Owned(text.replace(form.as_str(), MASK));
            }
        }
    }
    text
}

/// A controller file's content (a `copy` or `template` source), decrypted
/// in memory when it is vaulted; its lines are then masked in output.
pub fn cleartext_of_file(content: Vec<u8>) -> Result<Vec<u8>, VaultError> {
    if !super::is_vaulted(&content) {
        return Ok(content);
    }
    let cleartext = decrypt(&content)?;
    reveal_lines(&String::from_utf8_lossy(&cleartext));
    Ok(cleartext)
}

/// Remember that `cleartext` came from the inline `!vault` value
/// `ciphertext`: Ansible 2.19 keeps that on the value (its `VaultedValue`
/// tag), which `is vault_encrypted` and `unvault` read.
pub fn remember_inline_value(cleartext: &str, ciphertext: &str) {
    let mut known = INLINE_VALUES
        .write()
        .unwrap_or_else(PoisonError::into_inner);
    if !known.iter().any(|value| value.cleartext == cleartext) {
        known.push(InlineValue {
            cleartext: cleartext.to_string(),
            ciphertext: ciphertext.to_string(),
        });
    }
}

/// The envelope an inline `!vault` value with this cleartext came from.
pub fn inline_ciphertext(cleartext: &str) -> Option<String> {
    INLINE_VALUES
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .find(|value| value.cleartext == cleartext)
        .map(|value| value.ciphertext.clone())
}
