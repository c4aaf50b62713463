//! Private key files, read once per run and shared by every host's login.
//!
//! libssh2 reads and parses the key file again for each session, and its
//! OpenSSL backend first tries every decoder OpenSSL has on it: for an
//! OpenSSH-format key that is most of a login's CPU, paid once per host.
//! Here the file is read once; an unencrypted OpenSSH `ssh-ed25519` or
//! `ecdsa-sha2-nistp256/384` key is parsed once, and every session signs its
//! login with it through `libssh2_userauth_publickey`. Any other key
//! (encrypted, RSA, PEM, P-521) keeps libssh2's own parsing, from the text
//! read once (`userauth_pubkey_memory`).

use std::collections::HashMap;
use std::ffi::{CString, c_char, c_int, c_uchar, c_void};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use ssh2::Session;

/// A private key file as read, with what is needed to log in with it.
pub(super) struct KeyFile {
    /// The file's text, for libssh2 to parse when `signer` is `None`.
    pub text: String,
    /// The `.pub` beside it, if readable.
    pub public_text: Option<String>,
    pub encrypted: bool,
    signer: Option<Signer>,
}

impl KeyFile {
    /// The key parsed here, if it is one runbook signs with itself.
    pub(super) fn signer(&self) -> Option<&Signer> {
        self.signer.as_ref()
    }
}

/// An unencrypted key parsed once, and its public key blob.
pub(super) struct Signer {
    public_blob: Vec<u8>,
    key: SigningKey,
}

enum SigningKey {
    Ed25519(Ed25519KeyPair),
    Ecdsa(EcdsaKeyPair),
}

impl Signer {
    /// The SSH signature of `data`, without the algorithm name: 64 bytes
    /// for Ed25519, `mpint r, mpint s` for ECDSA.
    fn sign(&self, data: &[u8]) -> Option<Vec<u8>> {
        match &self.key {
            SigningKey::Ed25519(pair) => Some(pair.sign(data).as_ref().to_vec()),
            SigningKey::Ecdsa(pair) => {
                let fixed = pair.sign(&SystemRandom::new(), data).ok()?;
                let (r, s) = fixed.as_ref().split_at(fixed.as_ref().len() / 2);
                let mut out = Vec::with_capacity(fixed.as_ref().len() + 10);
                put_mpint(&mut out, r);
                put_mpint(&mut out, s);
                Some(out)
            }
        }
    }
}

/// What identifies one version of a file: a key rewritten during the run
/// (`ssh-keygen -p`) is read again.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    device: u64,
    inode: u64,
    len: u64,
    modified_ns: i128,
}

struct Slot {
    stamp: Stamp,
    loaded: OnceLock<Result<Arc<KeyFile>, String>>,
}

static CACHE: Mutex<Option<HashMap<PathBuf, Arc<Slot>>>> = Mutex::new(None);

/// The key file at `path`, read at most once per version of the file; many
/// hosts asking at once wait for the first reader.
pub(super) fn load(path: &Path) -> Result<Arc<KeyFile>, String> {
    let metadata = std::fs::metadata(path).map_err(|e| format!("unreadable: {e}"))?;
    let stamp = Stamp {
        device: metadata.dev(),
        inode: metadata.ino(),
        len: metadata.len(),
        modified_ns: i128::from(metadata.mtime()) * 1_000_000_000
            + i128::from(metadata.mtime_nsec()),
    };
    let slot = {
        // The map holds only finished insertions; a panic elsewhere cannot
        // leave it half-changed.
        let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
        let slots = cache.get_or_insert_with(HashMap::new);
        match slots.get(path) {
            Some(slot) if slot.stamp == stamp => Arc::clone(slot),
            _ => {
                let slot = Arc::new(Slot {
                    stamp,
                    loaded: OnceLock::new(),
                });
                slots.insert(path.to_path_buf(), Arc::clone(&slot));
                slot
            }
        }
    };
    slot.loaded.get_or_init(|| read(path).map(Arc::new)).clone()
}

fn read(path: &Path) -> Result<KeyFile, String> {
    #[cfg(test)]
    tests::count_read(path);
    let text = std::fs::read_to_string(path).map_err(|e| format!("unreadable: {e}"))?;
    let public_text = std::fs::read_to_string(super::auth::public_key_path(path)).ok();
    let encrypted = super::auth::is_encrypted(&text);
    let signer = if encrypted {
        None
    } else {
        parse_openssh(&text)
    };
    Ok(KeyFile {
        text,
        public_text,
        encrypted,
        signer,
    })
}

/// An unencrypted `openssh-key-v1` file holding one Ed25519 or NIST P-256 /
/// P-384 key; `None` for anything else, which libssh2 then parses.
fn parse_openssh(text: &str) -> Option<Signer> {
    let body: String = text
        .lines()
        .skip_while(|line| !line.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"))
        .skip(1)
        .take_while(|line| !line.starts_with("-----END"))
        .collect();
    let bytes = STANDARD.decode(body.trim()).ok()?;
    let mut reader = Reader(bytes.strip_prefix(b"openssh-key-v1\0")?);
    let (cipher, kdf, _kdf_options) = (reader.string()?, reader.string()?, reader.string()?);
    if cipher != b"none" || kdf != b"none" || reader.u32()? != 1 {
        return None;
    }
    let public_blob = reader.string()?.to_vec();
    let mut private = Reader(reader.string()?);
    if private.u32()? != private.u32()? {
        return None;
    }
    let key_type = private.string()?;
    let key = match key_type {
        b"ssh-ed25519" => {
            let public = private.string()?;
            let secret = private.string()?;
            let seed = secret.get(..32)?;
            SigningKey::Ed25519(Ed25519KeyPair::from_seed_and_public_key(seed, public).ok()?)
        }
        b"ecdsa-sha2-nistp256" | b"ecdsa-sha2-nistp384" => {
            let (algorithm, width) = if key_type == b"ecdsa-sha2-nistp256" {
                (&signature::ECDSA_P256_SHA256_FIXED_SIGNING, 32)
            } else {
                (&signature::ECDSA_P384_SHA384_FIXED_SIGNING, 48)
            };
            let _curve = private.string()?;
            let point = private.string()?;
            let scalar = fixed_width(private.string()?, width)?;
            let pair = EcdsaKeyPair::from_private_key_and_public_key(
                algorithm,
                &scalar,
                point,
                &SystemRandom::new(),
            )
            .ok()?;
            SigningKey::Ecdsa(pair)
        }
        _ => return None,
    };
    let derived = match &key {
        SigningKey::Ed25519(pair) => pair.public_key().as_ref().to_vec(),
        SigningKey::Ecdsa(pair) => pair.public_key().as_ref().to_vec(),
    };
    // The blob in the header must be the key in the private section.
    let mut blob = Reader(&public_blob);
    let (_, mut last) = (blob.string()?, blob.string()?);
    if key_type != b"ssh-ed25519" {
        last = blob.string()?;
    }
    (last == derived.as_slice()).then_some(Signer { public_blob, key })
}

/// An SSH `mpint` scalar as exactly `width` big-endian bytes.
fn fixed_width(mpint: &[u8], width: usize) -> Option<Vec<u8>> {
    let digits = match mpint.iter().position(|&b| b != 0) {
        Some(first) => &mpint[first..],
        None => &[][..],
    };
    let pad = width.checked_sub(digits.len())?;
    let mut out = vec![0; pad];
    out.extend_from_slice(digits);
    Some(out)
}

/// An unsigned big-endian integer as an SSH `mpint`.
fn put_mpint(out: &mut Vec<u8>, magnitude: &[u8]) {
    let digits = match magnitude.iter().position(|&b| b != 0) {
        Some(first) => &magnitude[first..],
        None => &[][..],
    };
    let sign_pad = digits.first().is_some_and(|&b| b & 0x80 != 0);
    let len = digits.len() + usize::from(sign_pad);
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
    if sign_pad {
        out.push(0);
    }
    out.extend_from_slice(digits);
}

/// SSH wire format: `uint32` and length-prefixed `string`s.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_at_checked(4)?;
        self.0 = rest;
        Some(u32::from_be_bytes(head.try_into().ok()?))
    }

    fn string(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.u32()?).ok()?;
        let (head, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(head)
    }
}

unsafe extern "C" {
    // In the libssh2 that libssh2-sys builds and links, not in its bindings.
    fn libssh2_userauth_publickey(
        session: *mut c_void,
        username: *const c_char,
        pubkeydata: *const c_uchar,
        pubkeydata_len: usize,
        sign_callback: Option<SignCallback>,
        abstract_: *mut *mut c_void,
    ) -> c_int;
}

type SignCallback = unsafe extern "C" fn(
    session: *mut c_void,
    sig: *mut *mut c_uchar,
    sig_len: *mut usize,
    data: *const c_uchar,
    data_len: usize,
    abstract_: *mut *mut c_void,
) -> c_int;

/// Log `session` in as `user` with a key parsed here: libssh2 builds the
/// request and asks [`sign_login`] for the signature.
pub(super) fn userauth_signed(
    session: &Session,
    user: &str,
    signer: &Signer,
) -> Result<(), ssh2::Error> {
    let user = CString::new(user)
        .map_err(|_| ssh2::Error::new(ssh2::ErrorCode::Session(-34), "user name contains NUL"))?;
    let mut context = std::ptr::from_ref(signer).cast_mut().cast::<c_void>();
    let rc = {
        let mut raw = session.raw();
        let raw_session = std::ptr::from_mut(&mut *raw).cast::<c_void>();
        // SAFETY: every pointer outlives the call, which is blocking;
        // libssh2 passes `context` back to `sign_login` unchanged and frees
        // the signature with its default allocator, `free`.
        unsafe {
            libssh2_userauth_publickey(
                raw_session,
                user.as_ptr(),
                signer.public_blob.as_ptr(),
                signer.public_blob.len(),
                Some(sign_login),
                &raw mut context,
            )
        }
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(ssh2::Error::last_session_error(session)
            .unwrap_or_else(|| ssh2::Error::new(ssh2::ErrorCode::Session(rc), "login failed")))
    }
}

/// libssh2's signing callback: the signature in memory from `malloc`.
unsafe extern "C" fn sign_login(
    _session: *mut c_void,
    sig: *mut *mut c_uchar,
    sig_len: *mut usize,
    data: *const c_uchar,
    data_len: usize,
    abstract_: *mut *mut c_void,
) -> c_int {
    const FAILED: c_int = -1;
    if sig.is_null() || sig_len.is_null() || data.is_null() || abstract_.is_null() {
        return FAILED;
    }
    // SAFETY: `abstract_` points at the `context` of `userauth_signed`,
    // a live `Signer`; `data` is `data_len` bytes libssh2 owns.
    let (signer, data) = unsafe {
        (
            &*(*abstract_).cast::<Signer>(),
            std::slice::from_raw_parts(data, data_len),
        )
    };
    let Ok(Some(signature)) = std::panic::catch_unwind(|| signer.sign(data)) else {
        return FAILED;
    };
    // SAFETY: a fresh allocation of the signature's length, filled below.
    let out = unsafe { libc::malloc(signature.len().max(1)) }.cast::<c_uchar>();
    if out.is_null() {
        return FAILED;
    }
    // SAFETY: `out` holds `signature.len()` bytes; `sig` and `sig_len` are
    // libssh2's out-parameters.
    unsafe {
        std::ptr::copy_nonoverlapping(signature.as_ptr(), out, signature.len());
        *sig = out;
        *sig_len = signature.len();
    }
    0
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    static READS: Mutex<Option<HashMap<PathBuf, usize>>> = Mutex::new(None);

    pub(super) fn count_read(path: &Path) {
        let mut reads = READS.lock().unwrap_or_else(PoisonError::into_inner);
        *reads
            .get_or_insert_with(HashMap::new)
            .entry(path.to_path_buf())
            .or_default() += 1;
    }

    /// How often the file at `path` was read and parsed in this process.
    pub(in crate::connection::ssh) fn reads_of(path: &Path) -> usize {
        let reads = READS.lock().unwrap_or_else(PoisonError::into_inner);
        reads
            .as_ref()
            .and_then(|reads| reads.get(path).copied())
            .unwrap_or(0)
    }

    fn keygen(dir: &Path, kind: &[&str], passphrase: &str) -> Option<PathBuf> {
        let path = dir.join(format!("id_{}{}", kind.join("_"), passphrase.len()));
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-N", passphrase, "-t"])
            .args(kind)
            .arg("-f")
            .arg(&path)
            .status()
            .ok()?;
        status.success().then_some(path)
    }

    fn public_blob_of(path: &Path) -> Vec<u8> {
        let text = std::fs::read_to_string(super::super::auth::public_key_path(path)).expect("pub");
        STANDARD
            .decode(text.split_whitespace().nth(1).expect("blob"))
            .expect("base64")
    }

    #[test]
    fn parses_unencrypted_ed25519_and_ecdsa_keys_and_leaves_the_rest_to_libssh2() {
        let dir = tempfile::tempdir().expect("tempdir");
        for kind in [
            &["ed25519"][..],
            &["ecdsa", "-b", "256"],
            &["ecdsa", "-b", "384"],
        ] {
            let Some(path) = keygen(dir.path(), kind, "") else {
                return; // no ssh-keygen here
            };
            let key = load(&path).expect("load");
            let signer = key
                .signer()
                .unwrap_or_else(|| panic!("{kind:?} is signed here"));
            assert_eq!(signer.public_blob, public_blob_of(&path), "{kind:?}");
            assert!(signer.sign(b"data").is_some_and(|s| !s.is_empty()));
        }
        for (kind, passphrase) in [
            (&["ed25519"][..], "secret"),
            (&["ecdsa", "-b", "521"], ""),
            (&["rsa", "-b", "1024"], ""),
        ] {
            let path = keygen(dir.path(), kind, passphrase).expect("ssh-keygen");
            let key = load(&path).expect("load");
            assert!(key.signer().is_none(), "{kind:?} is left to libssh2");
            assert_eq!(key.encrypted, !passphrase.is_empty());
        }
    }

    #[test]
    fn ed25519_signatures_verify_with_the_public_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let Some(path) = keygen(dir.path(), &["ed25519"], "") else {
            return;
        };
        let key = load(&path).expect("load");
        let signer = key.signer().expect("signer");
        let signature = signer.sign(b"session data").expect("sign");
        let blob = public_blob_of(&path);
        let mut reader = Reader(&blob);
        let (_, public) = (
            reader.string().expect("type"),
            reader.string().expect("key"),
        );
        signature::UnparsedPublicKey::new(&signature::ED25519, public)
            .verify(b"session data", &signature)
            .expect("verifies");
    }

    #[test]
    fn a_file_is_read_once_until_it_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let Some(path) = keygen(dir.path(), &["ed25519"], "") else {
            return;
        };
        let first = load(&path).expect("load");
        let second = load(&path).expect("load");
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(reads_of(&path), 1);
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-p", "-N", "sesame", "-P", "", "-f"])
            .arg(&path)
            .status()
            .expect("ssh-keygen -p");
        assert!(status.success());
        let rewritten = load(&path).expect("load");
        assert!(rewritten.encrypted && rewritten.signer().is_none());
        assert_eq!(reads_of(&path), 2);
    }

    #[test]
    fn an_unreadable_file_says_so() {
        let error = load(Path::new("/nonexistent/id_ed25519"))
            .err()
            .expect("error");
        assert!(error.starts_with("unreadable: "), "{error}");
    }

    #[test]
    fn mpints_are_minimal_and_positive() {
        let mut out = Vec::new();
        put_mpint(&mut out, &[0, 0, 0x7f]);
        put_mpint(&mut out, &[0x80, 1]);
        put_mpint(&mut out, &[0, 0]);
        assert_eq!(out, [0, 0, 0, 1, 0x7f, 0, 0, 0, 3, 0, 0x80, 1, 0, 0, 0, 0]);
        assert_eq!(fixed_width(&[0, 0x80, 1], 3), Some(vec![0, 0x80, 1]));
        assert_eq!(fixed_width(&[1, 2, 3, 4], 3), None);
    }
}
