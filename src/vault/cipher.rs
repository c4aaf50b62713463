//! The AES256 vault cipher: keys from PBKDF2-HMAC-SHA256 (10000 rounds,
//! 32-byte cipher key, 32-byte HMAC key, 16-byte counter), PKCS7 padding,
//! AES-256-CTR, and an HMAC-SHA256 of the ciphertext checked in constant
//! time before anything is decrypted.

use aes::Aes256;
use ctr::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::VaultError;

type Aes256Ctr = ctr::Ctr128BE<Aes256>;
type HmacSha256 = Hmac<Sha256>;

const ROUNDS: u32 = 10_000;
const KEY_LEN: usize = 32;
const IV_LEN: usize = 16;
const SALT_LEN: usize = 32;
const BLOCK: usize = 16;

struct Keys {
    cipher: [u8; KEY_LEN],
    mac: [u8; KEY_LEN],
    counter: [u8; IV_LEN],
}

fn derive_keys(password: &[u8], salt: &[u8]) -> Keys {
    let mut derived = [0u8; 2 * KEY_LEN + IV_LEN];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, ROUNDS, &mut derived);
    let mut keys = Keys {
        cipher: [0; KEY_LEN],
        mac: [0; KEY_LEN],
        counter: [0; IV_LEN],
    };
    keys.cipher.copy_from_slice(&derived[..KEY_LEN]);
    keys.mac.copy_from_slice(&derived[KEY_LEN..2 * KEY_LEN]);
    keys.counter.copy_from_slice(&derived[2 * KEY_LEN..]);
    keys
}

fn new_mac(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail; the fallback
    // keeps the function total without a panic path.
    HmacSha256::new_from_slice(key).unwrap_or_else(|_| HmacSha256::new(&Default::default()))
}

/// Encrypt `plaintext`: the payload an [`super::Envelope`] carries.
pub fn encrypt_payload(plaintext: &[u8], password: &[u8]) -> Vec<u8> {
    let mut salt = [0u8; SALT_LEN];
    rand::fill(&mut salt);
    encrypt_with_salt(plaintext, password, &salt)
}

pub(super) fn encrypt_with_salt(plaintext: &[u8], password: &[u8], salt: &[u8]) -> Vec<u8> {
    let keys = derive_keys(password, salt);
    let mut data = pad(plaintext);
    Aes256Ctr::new(&keys.cipher.into(), &keys.counter.into()).apply_keystream(&mut data);
    let mut mac = new_mac(&keys.mac);
    mac.update(&data);
    let tag = mac.finalize().into_bytes();
    let mut payload = hex::encode(salt).into_bytes();
    payload.push(b'\n');
    payload.extend_from_slice(hex::encode(tag).as_bytes());
    payload.push(b'\n');
    payload.extend_from_slice(hex::encode(&data).as_bytes());
    payload
}

/// Decrypt a payload with one password.
pub fn decrypt_payload(payload: &[u8], password: &[u8]) -> Result<Vec<u8>, VaultError> {
    let Parts {
        salt,
        tag,
        mut data,
    } = split_payload(payload)?;
    let keys = derive_keys(password, &salt);
    let mut mac = new_mac(&keys.mac);
    mac.update(&data);
    mac.verify_slice(&tag).map_err(|_| VaultError::WrongHmac)?;
    Aes256Ctr::new(&keys.cipher.into(), &keys.counter.into()).apply_keystream(&mut data);
    unpad(data)
}

/// The three parts of a payload, unhexlified.
struct Parts {
    salt: Vec<u8>,
    tag: Vec<u8>,
    data: Vec<u8>,
}

fn split_payload(payload: &[u8]) -> Result<Parts, VaultError> {
    let mut parts = payload.splitn(3, |byte| *byte == b'\n');
    let mut next_hex = |what: &str| -> Result<Vec<u8>, VaultError> {
        let part = parts.next().ok_or_else(|| payload_error(what, "missing"))?;
        hex::decode(part.trim_ascii()).map_err(|_| payload_error(what, "not hexadecimal"))
    };
    let salt = next_hex("salt")?;
    let tag = next_hex("HMAC")?;
    let data = next_hex("ciphertext")?;
    if salt.is_empty() {
        return Err(payload_error("salt", "empty"));
    }
    Ok(Parts { salt, tag, data })
}

fn payload_error(what: &str, problem: &str) -> VaultError {
    VaultError::Malformed {
        line: 2,
        reason: format!("the {what} in the encrypted data is {problem}"),
    }
}

fn pad(plaintext: &[u8]) -> Vec<u8> {
    let fill = BLOCK - plaintext.len() % BLOCK;
    let mut padded = Vec::with_capacity(plaintext.len() + fill);
    padded.extend_from_slice(plaintext);
    padded.resize(plaintext.len() + fill, fill as u8);
    padded
}

fn unpad(mut data: Vec<u8>) -> Result<Vec<u8>, VaultError> {
    let fill = usize::from(*data.last().ok_or(VaultError::BadPadding)?);
    if fill == 0 || fill > BLOCK || fill > data.len() || !data.len().is_multiple_of(BLOCK) {
        return Err(VaultError::BadPadding);
    }
    let body_len = data.len() - fill;
    if data[body_len..]
        .iter()
        .any(|byte| usize::from(*byte) != fill)
    {
        return Err(VaultError::BadPadding);
    }
    data.truncate(body_len);
    Ok(data)
}
