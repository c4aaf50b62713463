//! Host key verification against OpenSSH's known_hosts files.
//!
//! The files are read here rather than by libssh2, whose reader stops at the
//! first line it does not understand (a `@cert-authority` line or an `sk-` key
//! would hide every entry after it) and knows neither wildcards nor negated
//! patterns. Hashed `|1|salt|hmac` entries, `[host]:port` names, `@revoked`
//! and comments are handled as OpenSSH does.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha1::{Digest, Sha1};
use sha2::Sha256;

/// One usable line of a known_hosts file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub revoked: bool,
    pub hosts: Hosts,
    pub key_type: String,
    pub key: Vec<u8>,
}

/// The first field of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Hosts {
    /// `|1|base64(salt)|base64(hmac-sha1(salt, name))`
    Hashed { salt: Vec<u8>, hash: Vec<u8> },
    /// Comma-separated patterns with `*`, `?` and `!` negation.
    Patterns(Vec<String>),
}

/// What the files say about a server's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    Known,
    /// The host is listed with another key. `file` is where that key is.
    Changed {
        file: PathBuf,
    },
    /// The key is listed as `@revoked`.
    Revoked {
        file: PathBuf,
    },
    Unknown,
}

/// Parse a known_hosts file, skipping comments, blank lines, `@cert-authority`
/// lines (runbook does not do host certificates) and lines it cannot read.
pub(super) fn parse(text: &str) -> Vec<Entry> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<Entry> {
    let mut fields = line.split_whitespace();
    let mut first = fields.next()?;
    if first.starts_with('#') {
        return None;
    }
    let revoked = match first {
        "@revoked" => true,
        marker if marker.starts_with('@') => return None,
        _ => false,
    };
    if revoked {
        first = fields.next()?;
    }
    let key_type = fields.next()?.to_string();
    let key = STANDARD.decode(fields.next()?).ok()?;
    Some(Entry {
        revoked,
        hosts: parse_hosts(first)?,
        key_type,
        key,
    })
}

fn parse_hosts(field: &str) -> Option<Hosts> {
    match field.strip_prefix("|1|") {
        Some(hashed) => {
            let (salt, hash) = hashed.split_once('|')?;
            Some(Hosts::Hashed {
                salt: STANDARD.decode(salt).ok()?,
                hash: STANDARD.decode(hash).ok()?,
            })
        }
        None => Some(Hosts::Patterns(
            field.split(',').map(str::to_ascii_lowercase).collect(),
        )),
    }
}

/// The name OpenSSH looks up: `host`, or `[host]:port` off port 22.
pub(super) fn lookup_name(host: &str, port: u16) -> String {
    let host = host.to_ascii_lowercase();
    if port == 22 {
        host
    } else {
        format!("[{host}]:{port}")
    }
}

impl Hosts {
    /// Whether this entry applies to `name` (already in [`lookup_name`] form).
    pub(super) fn matches(&self, name: &str) -> bool {
        match self {
            Hosts::Hashed { salt, hash } => hmac_sha1(salt, name.as_bytes()) == *hash,
            Hosts::Patterns(patterns) => {
                let name = name.to_ascii_lowercase();
                let mut matched = false;
                for pattern in patterns {
                    match pattern.strip_prefix('!') {
                        Some(negated) if wildcard_match(negated, &name) => return false,
                        Some(_) => {}
                        None => matched |= wildcard_match(pattern, &name),
                    }
                }
                matched
            }
        }
    }
}

/// Judge a server key (`key_type`, raw `key` blob) for `name` against the
/// files, in order. A key of the same type that differs is a change; so is a
/// host listed only with keys of other types, because runbook asks the server
/// for the known types first (see [`known_key_types`]) and a server that then
/// offers another type is not one to trust on first sight.
pub(super) fn verify(files: &[(PathBuf, Vec<Entry>)], name: &str, key: &[u8]) -> Verdict {
    let applicable = || {
        files.iter().flat_map(|(file, entries)| {
            entries
                .iter()
                .filter(|entry| entry.hosts.matches(name))
                .map(move |entry| (file, entry))
        })
    };
    if let Some((file, _)) = files
        .iter()
        .flat_map(|(file, entries)| entries.iter().map(move |entry| (file, entry)))
        .find(|(_, entry)| entry.revoked && entry.key == key)
    {
        return Verdict::Revoked { file: file.clone() };
    }
    if applicable().any(|(_, entry)| !entry.revoked && entry.key == key) {
        return Verdict::Known;
    }
    match applicable().find(|(_, entry)| !entry.revoked) {
        Some((file, _)) => Verdict::Changed { file: file.clone() },
        None => Verdict::Unknown,
    }
}

/// The file that lists `key` for `name` (the first, as `verify` found it).
pub(super) fn listed_in<'a>(
    files: &'a [(PathBuf, Vec<Entry>)],
    name: &str,
    key: &[u8],
) -> Option<&'a PathBuf> {
    files.iter().find_map(|(file, entries)| {
        entries
            .iter()
            .any(|entry| !entry.revoked && entry.key == key && entry.hosts.matches(name))
            .then_some(file)
    })
}

/// The key types already recorded for `name`, so the key exchange can ask for
/// them first (OpenSSH does the same).
pub(super) fn known_key_types(files: &[(PathBuf, Vec<Entry>)], name: &str) -> Vec<String> {
    let mut types: Vec<String> = Vec::new();
    for (_, entries) in files {
        for entry in entries {
            if !entry.revoked && entry.hosts.matches(name) && !types.contains(&entry.key_type) {
                types.push(entry.key_type.clone());
            }
        }
    }
    types
}

/// Read each file that exists; a missing file is simply empty.
pub(super) fn load(paths: &[PathBuf]) -> Vec<(PathBuf, Vec<Entry>)> {
    paths
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).ok()?;
            Some((path.clone(), parse(&String::from_utf8_lossy(&bytes))))
        })
        .collect()
}

/// OpenSSH's fingerprint form: `SHA256:` and unpadded base64 of the blob's hash.
pub(super) fn fingerprint(key: &[u8]) -> String {
    format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(key)))
}

/// The key type named inside an SSH public key blob (`ssh-ed25519`, ...).
pub(super) fn blob_key_type(key: &[u8]) -> Option<String> {
    let len = u32::from_be_bytes(key.get(..4)?.try_into().ok()?) as usize;
    let name = key.get(4..4usize.checked_add(len)?)?;
    String::from_utf8(name.to_vec()).ok()
}

/// A known_hosts line for `name`, hashed with a fresh salt when `hash` is set
/// (as `HashKnownHosts yes` does).
pub(super) fn format_entry(name: &str, key: &[u8], hash: bool) -> Option<String> {
    let key_type = blob_key_type(key)?;
    let host_field = if hash {
        let mut salt = [0u8; 20];
        rand::fill(&mut salt);
        format!(
            "|1|{}|{}",
            STANDARD.encode(salt),
            STANDARD.encode(hmac_sha1(&salt, name.as_bytes()))
        )
    } else {
        name.to_string()
    };
    Some(format!(
        "{host_field} {key_type} {}\n",
        STANDARD.encode(key)
    ))
}

/// Append `line` to `path`, creating it (and a private parent directory) if
/// needed, and starting on a fresh line if the file lacks a final newline.
pub(super) fn append(path: &Path, line: &str) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)?;
    }
    let needs_newline = std::fs::read(path)
        .map(|bytes| bytes.last().is_some_and(|&last| last != b'\n'))
        .unwrap_or(false);
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    let text = if needs_newline {
        format!("\n{line}")
    } else {
        line.to_string()
    };
    file.write_all(text.as_bytes())
}

fn hmac_sha1(key: &[u8], message: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 64;
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..20].copy_from_slice(&Sha1::digest(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block_key.iter().map(move |k| k ^ byte);
    let inner = Sha1::new()
        .chain_update(pad(0x36).collect::<Vec<_>>())
        .chain_update(message)
        .finalize();
    Sha1::new()
        .chain_update(pad(0x5c).collect::<Vec<_>>())
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// OpenSSH's `match_pattern`: `*` is any run of characters, `?` any one.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    t = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn blob(key_type: &str, body: &[u8]) -> Vec<u8> {
        let mut blob = (key_type.len() as u32).to_be_bytes().to_vec();
        blob.extend_from_slice(key_type.as_bytes());
        blob.extend_from_slice(body);
        blob
    }

    fn line(hosts: &str, key: &[u8]) -> String {
        format!(
            "{hosts} {} {}\n",
            blob_key_type(key).expect("type"),
            STANDARD.encode(key)
        )
    }

    fn files(text: &str) -> Vec<(PathBuf, Vec<Entry>)> {
        vec![(PathBuf::from("/kh"), parse(text))]
    }

    #[test]
    fn finds_known_changed_and_unknown_keys() {
        let key = blob("ssh-ed25519", b"one");
        let other = blob("ssh-ed25519", b"two");
        let text = format!(
            "# comment\n\n@cert-authority *.corp ssh-rsa AAAA\n{}",
            line("web,[web]:2222", &key)
        );
        assert_eq!(verify(&files(&text), "web", &key), Verdict::Known);
        assert_eq!(verify(&files(&text), "[web]:2222", &key), Verdict::Known);
        assert_eq!(
            verify(&files(&text), "web", &other),
            Verdict::Changed { file: "/kh".into() }
        );
        assert_eq!(verify(&files(&text), "[web]:2200", &key), Verdict::Unknown);
    }

    #[test]
    fn revoked_keys_are_refused_whatever_the_host_says() {
        let key = blob("ssh-ed25519", b"k");
        let text = format!(
            "{}@revoked * ssh-ed25519 {}\n",
            line("web", &key),
            STANDARD.encode(&key)
        );
        assert_eq!(
            verify(&files(&text), "web", &key),
            Verdict::Revoked { file: "/kh".into() }
        );
    }

    #[test]
    fn wildcards_and_negation_follow_openssh() {
        let key = blob("ssh-ed25519", b"k");
        let text = line("*.example.com,!bad.example.com,10.0.0.?", &key);
        let known = |name: &str| verify(&files(&text), name, &key) == Verdict::Known;
        assert!(known("a.example.com"));
        assert!(known("A.Example.COM"));
        assert!(!known("bad.example.com"));
        assert!(known("10.0.0.7"));
        assert!(!known("10.0.0.77"));
    }

    #[test]
    fn hashed_entries_match_only_their_host() {
        let key = blob("ssh-ed25519", b"k");
        let text = format_entry("[10.1.1.1]:2222", &key, true).expect("entry");
        assert!(text.starts_with("|1|"));
        assert_eq!(
            verify(&files(&text), "[10.1.1.1]:2222", &key),
            Verdict::Known
        );
        assert_eq!(verify(&files(&text), "10.1.1.1", &key), Verdict::Unknown);
    }

    #[test]
    fn hmac_matches_the_rfc_2202_vector() {
        assert_eq!(
            hex::encode(hmac_sha1(b"Jefe", b"what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }

    #[test]
    fn lookup_names_use_brackets_off_port_22() {
        assert_eq!(lookup_name("Web", 22), "web");
        assert_eq!(lookup_name("web", 2222), "[web]:2222");
    }

    #[test]
    fn fingerprint_is_what_ssh_keygen_prints() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key_path = dir.path().join("k");
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&key_path)
            .status();
        if !status.is_ok_and(|s| s.success()) {
            return; // no ssh-keygen here: nothing to compare with
        }
        let public = std::fs::read_to_string(key_path.with_extension("pub")).expect("pub");
        let blob = STANDARD
            .decode(public.split_whitespace().nth(1).expect("key field"))
            .expect("base64");
        let listed = std::process::Command::new("ssh-keygen")
            .arg("-lf")
            .arg(key_path.with_extension("pub"))
            .output()
            .expect("ssh-keygen -l");
        let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
        assert_eq!(
            Some(fingerprint(&blob).as_str()),
            listed.split_whitespace().nth(1)
        );
    }

    #[test]
    fn known_types_list_each_type_once() {
        let text = format!(
            "{}{}{}",
            line("web", &blob("ssh-ed25519", b"a")),
            line("web", &blob("ssh-rsa", b"b")),
            line("web,db", &blob("ssh-ed25519", b"c"))
        );
        assert_eq!(
            known_key_types(&files(&text), "web"),
            ["ssh-ed25519", "ssh-rsa"]
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics(text in "\\PC*") {
            let _ = parse(&text);
        }

        #[test]
        fn recorded_entries_are_found_again(
            host in "[a-z0-9.-]{1,30}",
            port in 1u16..,
            body in proptest::collection::vec(any::<u8>(), 1..64),
            hash in any::<bool>(),
        ) {
            let key = blob("ssh-ed25519", &body);
            let name = lookup_name(&host, port);
            let text = format_entry(&name, &key, hash).expect("entry");
            prop_assert_eq!(verify(&files(&text), &name, &key), Verdict::Known);
        }

        #[test]
        fn a_star_matches_everything(name in "\\PC*") {
            prop_assert!(wildcard_match("*", &name));
            prop_assert!(wildcard_match(&name.replace(['*', '?'], ""), &name.replace(['*', '?'], "")));
        }
    }
}
