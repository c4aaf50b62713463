//! Unit and property tests of the vault format and cipher.

use proptest::prelude::*;

use super::keyring::encrypt_with;
use super::*;

fn secret(label: &str, password: &str) -> Secret {
    Secret {
        label: label.to_string(),
        password: password.as_bytes().to_vec(),
    }
}

#[test]
fn round_trips_with_the_default_label_as_1_1() {
    let keyring = Keyring::new(vec![secret("default", "pw")]);
    let text = keyring.encrypt(b"hello\n", None).unwrap();
    assert!(text.starts_with("$ANSIBLE_VAULT;1.1;AES256\n"));
    assert!(text.lines().skip(1).all(|line| line.len() <= 80));
    assert_eq!(keyring.decrypt(text.as_bytes()).unwrap(), b"hello\n");
}

#[test]
fn a_label_makes_a_1_2_header() {
    let text = encrypt_with(b"x", &secret("prod", "pw"));
    assert!(text.starts_with("$ANSIBLE_VAULT;1.2;AES256;prod\n"));
}

#[test]
fn the_matching_label_and_then_every_secret_is_tried() {
    let text = encrypt_with(b"x", &secret("prod", "right"));
    let keyring = Keyring::new(vec![secret("dev", "wrong"), secret("other", "right")]);
    assert_eq!(keyring.decrypt(text.as_bytes()).unwrap(), b"x");
}

#[test]
fn a_wrong_password_fails_as_ansible_says() {
    let text = encrypt_with(b"x", &secret("default", "right"));
    let keyring = Keyring::new(vec![secret("default", "wrong")]);
    let error = keyring.decrypt(text.as_bytes()).unwrap_err();
    assert_eq!(error, VaultError::NoSecretDecrypts);
    assert_eq!(
        error.to_string(),
        "Decryption failed (no vault secrets were found that could decrypt)"
    );
}

#[test]
fn no_secret_says_so_as_ansible_does() {
    let text = encrypt_with(b"x", &secret("default", "pw"));
    let error = Keyring::default().decrypt(text.as_bytes()).unwrap_err();
    assert_eq!(error, VaultError::NoSecrets);
    assert_eq!(
        error.to_string(),
        "Attempting to decrypt but no vault secrets found"
    );
}

#[test]
fn a_changed_ciphertext_fails_the_hmac() {
    let text = encrypt_with(b"secret data", &secret("default", "pw"));
    let mut envelope = Envelope::parse(text.as_bytes()).unwrap();
    let last = envelope.payload.len() - 1;
    envelope.payload[last] = if envelope.payload[last] == b'0' {
        b'1'
    } else {
        b'0'
    };
    let error = decrypt_payload(&envelope.payload, b"pw").unwrap_err();
    assert_eq!(error, VaultError::WrongHmac);
}

#[test]
fn a_bad_digit_names_its_line() {
    let text = "$ANSIBLE_VAULT;1.1;AES256\n3031\n30zz\n";
    let error = Envelope::parse(text.as_bytes()).unwrap_err();
    assert!(
        matches!(error, VaultError::Malformed { line: 3, .. }),
        "{error}"
    );
}

#[test]
fn text_without_the_header_is_not_vaulted() {
    assert!(!is_vaulted(b"plain: yaml"));
    assert!(is_vaulted(b"  $ANSIBLE_VAULT;1.1;AES256\n00"));
    assert_eq!(
        Envelope::parse(b"plain").unwrap_err(),
        VaultError::NotVaulted
    );
}

#[test]
fn decrypts_a_known_ansible_vector() {
    // Made by the real `ansible-vault encrypt` of "runbook" with password "pw".
    let text = include_str!("test_vector.txt");
    let keyring = Keyring::new(vec![secret("default", "pw")]);
    assert_eq!(keyring.decrypt(text.as_bytes()).unwrap(), b"runbook");
}

#[test]
fn vault_id_specs_parse_as_ansible_does() {
    let (label, source) = PasswordSource::parse_vault_id("prod@/etc/pw");
    assert_eq!(
        (label.as_str(), source),
        ("prod", PasswordSource::File("/etc/pw".into()))
    );
    let (label, source) = PasswordSource::parse_vault_id("@prompt");
    assert_eq!(
        (label.as_str(), source),
        ("default", PasswordSource::Prompt)
    );
    let (label, _) = PasswordSource::parse_vault_id("/etc/pw");
    assert_eq!(label, "default");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn decrypt_inverts_encrypt(plaintext in proptest::collection::vec(any::<u8>(), 0..200),
                               password in "[ -~]{1,20}") {
        let keyring = Keyring::new(vec![secret("default", &password)]);
        let text = keyring.encrypt(&plaintext, None).unwrap();
        prop_assert_eq!(keyring.decrypt(text.as_bytes()).unwrap(), plaintext);
    }

    #[test]
    fn the_decoder_never_panics(input in proptest::collection::vec(any::<u8>(), 0..300)) {
        let keyring = Keyring::new(vec![secret("default", "pw")]);
        let _ = keyring.decrypt(&input);
        let mut vaulted = b"$ANSIBLE_VAULT;1.1;AES256\n".to_vec();
        vaulted.extend_from_slice(&input);
        if let Err(error) = keyring.decrypt(&vaulted) {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn the_decoder_never_panics_on_hex(body in "[0-9a-f\n]{0,400}") {
        let keyring = Keyring::new(vec![secret("default", "pw")]);
        let _ = keyring.decrypt(format!("$ANSIBLE_VAULT;1.1;AES256\n{body}").as_bytes());
        let payload = hex::encode(body.replace('\n', "0a"));
        let _ = keyring.decrypt(format!("$ANSIBLE_VAULT;1.1;AES256\n{payload}").as_bytes());
    }
}

#[test]
fn redaction_masks_revealed_values_as_is_and_json_escaped() {
    session::reveal("unit-s3cret \"quoted\"\nline");
    session::reveal("abc"); // too short to mask
    let json = serde_json::to_string("unit-s3cret \"quoted\"\nline").unwrap();
    assert_eq!(
        session::redact(&format!("{{\"msg\": {json}}} abc")),
        "{\"msg\": \"********\"} abc"
    );
    assert_eq!(
        session::redact("x unit-s3cret \"quoted\"\nline y"),
        "x ******** y"
    );
}

#[test]
fn encryption_picks_the_secret_as_ansible_vault_does() {
    let keyring = Keyring::new(vec![secret("dev", "a"), secret("prod", "b")]);
    assert_eq!(
        keyring.choose_for_encryption(None).unwrap_err().to_string(),
        "The vault-ids dev,prod are available to encrypt. Specify the vault-id to encrypt with --encrypt-vault-id"
    );
    assert_eq!(
        keyring.choose_for_encryption(Some("prod")).unwrap().label,
        "prod"
    );
    assert!(keyring.choose_for_encryption(Some("qa")).is_err());
}

#[test]
fn settings_order_sources_as_ansible_does() {
    let settings = VaultSettings {
        identity_list: vec!["cfg@/etc/cfg".into()],
        vault_ids: vec!["prod@prompt".into()],
        password_files: vec!["flag".into()],
        default_password_file: Some("env".into()),
        ask_vault_pass: true,
        encrypt_identity: None,
        id_match: false,
    };
    let labels: Vec<(String, PasswordSource)> = settings.sources(false);
    assert_eq!(
        labels,
        [
            ("cfg".into(), PasswordSource::File("/etc/cfg".into())),
            ("prod".into(), PasswordSource::Prompt),
            ("default".into(), PasswordSource::File("flag".into())),
            ("default".into(), PasswordSource::File("env".into())),
            ("default".into(), PasswordSource::Prompt),
        ]
    );
    assert!(VaultSettings::default().sources(false).is_empty());
    assert_eq!(
        VaultSettings::default().sources(true),
        [("default".into(), PasswordSource::Prompt)]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Any one changed character of a valid envelope is refused with a reason.
    #[test]
    fn a_mutated_envelope_is_an_error_with_a_reason(
        plaintext in proptest::collection::vec(any::<u8>(), 1..64),
        position in any::<prop::sample::Index>(),
        replacement in any::<u8>(),
    ) {
        let keyring = Keyring::new(vec![secret("default", "pw")]);
        let mut text = keyring.encrypt(&plaintext, None).unwrap().into_bytes();
        let header = text.iter().position(|byte| *byte == b'\n').unwrap() + 1;
        let at = header + position.index(text.len() - header);
        // The same digit in the other case is the same data, in the outer
        // hex and in the hex inside it ('6' → '4' turns an inner 'a' into 'A').
        let same_data = |text: &[u8]| {
            let outer: Vec<u8> = text[header..]
                .iter()
                .filter(|byte| !byte.is_ascii_whitespace())
                .copied()
                .collect();
            hex::decode(outer).ok().map(|inner| inner.to_ascii_lowercase())
        };
        let original = same_data(&text);
        prop_assume!(text[at] != b'\n' && !replacement.is_ascii_whitespace());
        text[at] = replacement;
        prop_assume!(same_data(&text) != original);
        match keyring.decrypt(&text) {
            Ok(decrypted) => prop_assert!(false, "a changed envelope decrypted to {decrypted:?}"),
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }
}

#[test]
fn with_vault_id_match_only_the_datas_own_label_may_open_it() {
    let secret = |label: &str| Secret {
        label: label.into(),
        password: b"shared".to_vec(),
    };
    let for_qa = encrypt_with(b"x", &secret("qa"));
    let unlabelled = encrypt_with(b"x", &secret("default"));
    let other = Keyring::new(vec![secret("prod")]);
    assert_eq!(other.decrypt(for_qa.as_bytes()).ok(), Some(b"x".to_vec()));
    let matching_only = Keyring::new(vec![secret("prod")]).with_id_match(true);
    assert!(matches!(
        matching_only.decrypt(for_qa.as_bytes()),
        Err(VaultError::NoSecretDecrypts)
    ));
    // A 1.1 envelope names no vault id: it counts as `default`, as in Ansible.
    let default_only = Keyring::new(vec![secret("default")]).with_id_match(true);
    assert_eq!(
        default_only.decrypt(unlabelled.as_bytes()).ok(),
        Some(b"x".to_vec())
    );
    assert!(matching_only.decrypt(unlabelled.as_bytes()).is_err());
    let qa = Keyring::new(vec![secret("prod"), secret("qa")]).with_id_match(true);
    assert_eq!(qa.decrypt(for_qa.as_bytes()).ok(), Some(b"x".to_vec()));
}
