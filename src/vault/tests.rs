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
        let _ = keyring.decrypt(&vaulted);
    }

    #[test]
    fn the_decoder_never_panics_on_hex(body in "[0-9a-f\n]{0,400}") {
        let keyring = Keyring::new(vec![secret("default", "pw")]);
        let _ = keyring.decrypt(format!("$ANSIBLE_VAULT;1.1;AES256\n{body}").as_bytes());
        let payload = hex::encode(body.replace('\n', "0a"));
        let _ = keyring.decrypt(format!("$ANSIBLE_VAULT;1.1;AES256\n{payload}").as_bytes());
    }
}
