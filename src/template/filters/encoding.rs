//! Encodings and digests: `b64encode`, `b64decode`, `hash`, `checksum`,
//! `quote` (shell quoting exactly as Python's `shlex.quote`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use minijinja::{Environment, Error};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use super::{failure, text_of};
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("b64encode", b64encode);
    env.add_filter("b64decode", b64decode);
    env.add_filter("hash", hash);
    env.add_filter("checksum", checksum);
    env.add_filter("quote", quote);
}

fn b64encode(value: &Value) -> Result<String, Error> {
    Ok(STANDARD.encode(text_of(value)?))
}

/// Decoded bytes as text; bytes that are not UTF-8 are replaced rather
/// than failing, since the result can only be used as a string anyway.
fn b64decode(value: &Value) -> Result<String, Error> {
    let text = text_of(value)?;
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|err| failure(format!("b64decode: {err}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Ansible's `hash(hashtype='sha1')`.
fn hash(value: &Value, hashtype: Option<String>) -> Result<String, Error> {
    let data = text_of(value)?;
    let data = data.as_bytes();
    let digest = match hashtype.as_deref().unwrap_or("sha1") {
        "md5" => hex::encode(md5::Md5::digest(data)),
        "sha1" => hex::encode(Sha1::digest(data)),
        "sha224" => hex::encode(Sha224::digest(data)),
        "sha256" => hex::encode(Sha256::digest(data)),
        "sha384" => hex::encode(Sha384::digest(data)),
        "sha512" => hex::encode(Sha512::digest(data)),
        other => {
            return Err(failure(format!(
                "hash: unsupported hash type '{other}' (supported: md5, sha1, sha224, sha256, sha384, sha512)"
            )));
        }
    };
    Ok(digest)
}

/// Ansible's `checksum`: the SHA-1 of the text.
fn checksum(value: &Value) -> Result<String, Error> {
    hash(value, None)
}

/// Python's `shlex.quote`.
fn quote(value: &Value) -> Result<String, Error> {
    let text = if value.is_none() {
        String::new()
    } else {
        text_of(value)?
    };
    Ok(shlex_quote(&text))
}

pub(super) fn shlex_quote(text: &str) -> String {
    if text.is_empty() {
        return "''".into();
    }
    let safe = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./-_".contains(&b));
    if safe {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r#"'"'"'"#))
}

#[cfg(test)]
mod tests {
    use crate::template::filters::test_support::{render, render_err};

    #[test]
    fn base64_round_trips() {
        let cases = [
            ("{{ 'Hello' | b64encode }}", "SGVsbG8="),
            ("{{ 'SGVsbG8=' | b64decode }}", "Hello"),
            ("{{ 'héllo' | b64encode | b64decode }}", "héllo"),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
        assert!(
            render_err("{{ '***' | b64decode }}")
                .message
                .contains("b64decode")
        );
    }

    #[test]
    fn hashes_match_python_hashlib() {
        let cases = [
            (
                "{{ 'test1' | hash('sha1') }}",
                "b444ac06613fc8d63795be9ad0beaf55011936ac",
            ),
            (
                "{{ 'test1' | hash }}",
                "b444ac06613fc8d63795be9ad0beaf55011936ac",
            ),
            (
                "{{ 'test1' | checksum }}",
                "b444ac06613fc8d63795be9ad0beaf55011936ac",
            ),
            (
                "{{ 'abc' | hash('sha256') }}",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
        assert_eq!(
            render("{{ 'hello' | hash('md5') }} {{ 'hello' | md5 }}"),
            "5d41402abc4b2a76b9719d911017c592 5d41402abc4b2a76b9719d911017c592"
        );
        assert!(
            render_err("{{ 'x' | hash('whirlpool') }}")
                .message
                .contains("unsupported hash type 'whirlpool'")
        );
    }

    #[test]
    fn quote_matches_shlex_quote() {
        let cases = [
            ("{{ 'simple' | quote }}", "simple"),
            ("{{ '' | quote }}", "''"),
            ("{{ 'two words' | quote }}", "'two words'"),
            ("{{ \"it's\" | quote }}", r#"'it'"'"'s'"#),
            ("{{ '$HOME' | quote }}", "'$HOME'"),
            ("{{ '/a/b-c_d.txt' | quote }}", "/a/b-c_d.txt"),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }
}
