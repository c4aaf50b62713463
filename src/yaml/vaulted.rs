//! Values encrypted with Ansible Vault — an inline `!vault |` value or a
//! whole vaulted file — decrypted in memory while the YAML is read, with
//! the keyring the command was given. Each decrypted value is revealed to
//! [`crate::vault::session`], so output masks it. Without a secret, or
//! with a wrong one, the error points at the value or the file.

use std::sync::Arc;

use super::{Node, NodeKind};
use crate::source::{Diagnostic, ErrorKind, SourceFile, Span};
use crate::vault::{Keyring, VaultError, session};

/// The decrypted text of a vaulted file, as a source file of the same path
/// (positions in errors are positions in the cleartext, as in Ansible).
pub(super) fn decrypt_file(
    file: &Arc<SourceFile>,
    keyring: &Keyring,
) -> Result<Arc<SourceFile>, Diagnostic> {
    let span = Span::file_start(file.clone());
    let plaintext = keyring
        .decrypt(file.text.as_bytes())
        .map_err(|error| diagnostic(&error, &span))?;
    let text = String::from_utf8(plaintext).map_err(|_| {
        Diagnostic::at(
            "the decrypted content of this vaulted file is not UTF-8 text",
            &span,
        )
    })?;
    Ok(SourceFile::new(file.path.clone(), text))
}

/// A file vaulted whole that is not YAML (an INI inventory) as its
/// cleartext, decrypted with the command's secrets. (Its values are not
/// masked: only YAML says which parts of a file are values.)
pub fn decrypt_vaulted_file(file: &Arc<SourceFile>) -> Result<Arc<SourceFile>, Diagnostic> {
    decrypt_file(file, &session::keyring())
}

/// Decrypt every vaulted value in `node`, in place.
pub(super) fn decrypt_values(node: &mut Node, keyring: &Keyring) -> Result<(), Diagnostic> {
    match &mut node.kind {
        NodeKind::Str(_) if keyring.is_empty() && session::nothing_runs() => Ok(()),
        // The header with its `;`: a value that merely mentions the word is text.
        NodeKind::Str(text) if text.trim_start().starts_with("$ANSIBLE_VAULT;") => {
            // Underline the envelope's header, not the whole ciphertext.
            let header = text.trim_start().lines().next().unwrap_or_default();
            let mut span = node.span.clone();
            span.len = span.len.min(header.len());
            let plaintext = keyring
                .decrypt(text.as_bytes())
                .map_err(|error| diagnostic(&error, &span))?;
            let plaintext = String::from_utf8(plaintext).map_err(|_| {
                Diagnostic::at("the decrypted vault value is not UTF-8 text", &span)
            })?;
            session::reveal(&plaintext);
            session::remember_inline_value(&plaintext, text);
            *text = plaintext;
            Ok(())
        }
        NodeKind::Seq(items) => items
            .iter_mut()
            .try_for_each(|item| decrypt_values(item, keyring)),
        NodeKind::Map(pairs) => pairs
            .iter_mut()
            .try_for_each(|(_, value)| decrypt_values(value, keyring)),
        _ => Ok(()),
    }
}

/// Every string in a file that was vaulted whole is a secret to mask.
pub(super) fn reveal_strings(node: &Node) {
    match &node.kind {
        NodeKind::Str(text) => session::reveal(text),
        NodeKind::Seq(items) => items.iter().for_each(reveal_strings),
        NodeKind::Map(pairs) => pairs.iter().for_each(|(_, value)| reveal_strings(value)),
        _ => {}
    }
}

/// A vault error at `span`. Failing to decrypt is a runtime error (exit 1,
/// as ansible-playbook's `AnsibleVaultError`); a broken envelope is a parse error.
pub fn diagnostic(error: &VaultError, span: &Span) -> Diagnostic {
    let at = Diagnostic::at(error.to_string(), span);
    match error {
        VaultError::NoSecrets => at.with_kind(ErrorKind::Runtime).with_help(
            "give the vault password with --vault-password-file FILE, --ask-vault-pass \
             or --vault-id LABEL@SOURCE (or set ANSIBLE_VAULT_PASSWORD_FILE)",
        ),
        VaultError::NoSecretDecrypts => at.with_kind(ErrorKind::Runtime).with_help(
            "none of the vault passwords given opens this data: a wrong password, \
             or it was encrypted for another vault id",
        ),
        VaultError::UnsupportedCipher(_) => at.with_kind(ErrorKind::Runtime),
        _ => at,
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_with_keyring;
    use crate::source::SourceFile;
    use crate::vault::{Keyring, Secret, encrypt_with};
    use proptest::prelude::*;

    fn keyring() -> Keyring {
        Keyring::new(vec![Secret {
            label: "default".into(),
            password: b"pw".to_vec(),
        }])
    }

    fn indented(vaulted: &str) -> String {
        vaulted
            .lines()
            .map(|line| format!("    {line}\n"))
            .collect()
    }

    #[test]
    fn inline_values_are_decrypted_in_place() {
        let vaulted = encrypt_with(b"yaml-inline-s3cret", &keyring().secrets()[0]);
        let text = format!("a:\n  b: !vault |\n{}  c: plain\n", indented(&vaulted));
        let node = parse_with_keyring(SourceFile::new("t.yml", text), &keyring()).unwrap();
        let inner = node.get("a").unwrap();
        assert_eq!(
            inner.get("b").and_then(|n| n.as_str()),
            Some("yaml-inline-s3cret")
        );
        assert_eq!(inner.get("c").and_then(|n| n.as_str()), Some("plain"));
    }

    #[test]
    fn a_file_vaulted_whole_is_parsed_as_its_cleartext() {
        let vaulted = encrypt_with(b"list: [1, two]\n", &keyring().secrets()[0]);
        let node = parse_with_keyring(SourceFile::new("t.yml", vaulted), &keyring()).unwrap();
        let list = node.get("list").and_then(|n| n.as_seq()).unwrap();
        assert_eq!(list.len(), 2);
    }

    #[test]
    fn a_vaulted_mapping_is_masked_and_a_vaulted_task_list_is_not() {
        let keys = keyring();
        let secret = &keys.secrets()[0];
        let vars = encrypt_with(b"password: map-hidden-value\n", secret);
        let tasks = encrypt_with(b"- name: tasklist-visible-name\n  ping:\n", secret);
        parse_with_keyring(SourceFile::new("vars.yml", vars), &keyring()).unwrap();
        parse_with_keyring(SourceFile::new("tasks.yml", tasks), &keyring()).unwrap();
        assert_eq!(
            crate::vault::session::redact("map-hidden-value tasklist-visible-name"),
            "******** tasklist-visible-name"
        );
    }

    #[test]
    fn without_secrets_the_value_is_an_error_at_its_position() {
        let vaulted = encrypt_with(b"x", &keyring().secrets()[0]);
        let text = format!("key: !vault |\n{}", indented(&vaulted));
        let error =
            parse_with_keyring(SourceFile::new("t.yml", text), &Keyring::default()).unwrap_err();
        let span = error.span.clone().unwrap();
        assert_eq!((span.line, span.column), (2, 5), "{error}");
        assert_eq!(error.kind, crate::source::ErrorKind::Runtime);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// A value that looks vaulted but is not a valid envelope is an error
        /// with a position, never a panic and never the ciphertext as the value.
        #[test]
        fn broken_inline_envelopes_are_errors_with_a_position(body in "[0-9a-fz \n]{0,120}") {
            let text = format!("key: |\n  $ANSIBLE_VAULT;1.1;AES256\n{}\n", indented(&body));
            match parse_with_keyring(SourceFile::new("t.yml", text), &keyring()) {
                Ok(node) => {
                    let value = node.get("key").and_then(|n| n.as_str()).unwrap_or_default();
                    prop_assert!(!value.contains("$ANSIBLE_VAULT"));
                }
                Err(error) => prop_assert!(error.span.is_some(), "{error}"),
            }
        }
    }
}
