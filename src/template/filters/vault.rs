//! Ansible Vault in templates: the `vault` and `unvault` filters and the
//! `vault_encrypted` test, as ansible-core 2.19 has them. An inline
//! `!vault` value is decrypted when its file is read; the envelope it came
//! from is remembered (Ansible keeps it on the value as a tag), so the test
//! and `unvault` know it.

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind};

use super::core::type_name;
use super::failure;
use crate::value::Value;
use crate::vault::{HEADER, Keyring, Secret, encrypt_with, encrypt_with_salt, session};

/// The label both filters give the password they are passed.
const FILTER_LABEL: &str = "filter_default";

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("vault", vault);
    env.add_filter("unvault", unvault);
    env.add_test("vault_encrypted", vault_encrypted);
}

/// `vault(secret, salt=None, vault_id='filter_default', wrap_object=False)`:
/// the envelope text, 1.2 with the label unless it is `default`.
fn vault(
    data: &Value,
    secret: &Value,
    salt: Option<Value>,
    vault_id: Option<Value>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let password = string_argument(secret, "Secret passed is required to be a string")?;
    let data = string_argument(data, "Can only vault strings")?;
    let salt = positional_or_keyword(salt, &kwargs, "salt")?;
    let label = label(positional_or_keyword(vault_id, &kwargs, "vault_id")?)?;
    let wrap_object = kwargs.get::<Option<bool>>("wrap_object")?.unwrap_or(false);
    kwargs.assert_all_used()?;
    if wrap_object {
        // ansible-core 2.19 tags the password, not the ciphertext, and
        // returns it: the template would print the vault password.
        return Err(failure(
            "vault: wrap_object=True is not supported by runbook (ansible-core 2.19 returns \
             the password itself with it)",
        ));
    }
    let secret = Secret {
        label,
        password: password.into_bytes(),
    };
    let vaulted = match salt {
        None => encrypt_with(data.as_bytes(), &secret),
        Some(salt) => {
            let salt = crate::value::text(&salt);
            if salt.is_empty() {
                return Err(failure("Unable to encrypt."));
            }
            encrypt_with_salt(data.as_bytes(), &secret, salt.as_bytes())
        }
    };
    Ok(Value::from(vaulted))
}

/// `unvault(secret, vault_id='filter_default')`: the cleartext of vaulted
/// text or of an inline `!vault` value; any other string as it is.
fn unvault(
    vaulted: &Value,
    secret: &Value,
    vault_id: Option<Value>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    if vaulted.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    let password = string_argument(secret, "Secret passed is required to be as string")?;
    let text = string_argument(vaulted, "Vault should be in the form of a string")?;
    let label = label(positional_or_keyword(vault_id, &kwargs, "vault_id")?)?;
    kwargs.assert_all_used()?;
    let ciphertext = session::inline_ciphertext(&text).unwrap_or(text);
    if !ciphertext.starts_with(HEADER) {
        return Ok(Value::from(ciphertext));
    }
    let keyring = Keyring::new(vec![Secret {
        label,
        password: password.into_bytes(),
    }])
    .with_id_match(session::keyring().id_match());
    let cleartext = keyring
        .decrypt(ciphertext.as_bytes())
        .map_err(|_| failure("Unable to decrypt."))?;
    Ok(Value::from(
        String::from_utf8_lossy(&cleartext).into_owned(),
    ))
}

/// `is vault_encrypted`: an inline `!vault` value (vaulted text that is
/// only a string is not, as in Ansible 2.19).
fn vault_encrypted(value: &Value) -> Result<bool, Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    Ok(value
        .as_str()
        .is_some_and(|text| session::inline_ciphertext(text).is_some()))
}

fn string_argument(value: &Value, message: &str) -> Result<String, Error> {
    match value.kind() {
        ValueKind::String | ValueKind::Bytes => Ok(crate::value::text(value)),
        _ => Err(failure(format!(
            "{message}, instead we got <class '{}'>.",
            type_name(value)
        ))),
    }
}

fn positional_or_keyword(
    positional: Option<Value>,
    kwargs: &Kwargs,
    name: &str,
) -> Result<Option<Value>, Error> {
    let value = match positional {
        Some(value) => Some(value),
        None => kwargs.get::<Option<Value>>(name)?,
    };
    Ok(value.filter(|value| !value.is_none() && !value.is_undefined()))
}

/// The vault id the filters label their password with; `;` cannot be in
/// one (it separates the envelope's header fields).
fn label(vault_id: Option<Value>) -> Result<String, Error> {
    let label = vault_id.map_or_else(|| FILTER_LABEL.to_string(), |id| crate::value::text(&id));
    if label.contains(';') {
        return Err(failure(format!(
            "vault id `{label}` cannot contain `;` (it separates the envelope's fields)"
        )));
    }
    Ok(label)
}

#[cfg(test)]
mod tests {
    use crate::template::filters::test_support::{render, render_err};

    #[test]
    fn a_salt_gives_ansibles_own_ciphertext() {
        // `'s3cret' | vault('pw', salt='0123456789abcdef')` as ansible-core 2.19 prints it.
        let body = "\
33303331333233333334333533363337333833393631363236333634363536360a36626330353366
33653039356439633334323761386636343937383861363465646531616536633264623064396561
61663839613061663430396465636339610a31306239346361666665303935303632643031303238
35646335323331646538
";
        assert_eq!(
            render("{{ 's3cret' | vault('pw', salt='0123456789abcdef') }}"),
            format!("$ANSIBLE_VAULT;1.2;AES256;filter_default\n{body}")
        );
        assert_eq!(
            render("{{ 's3cret' | vault('pw', '0123456789abcdef', 'default') }}"),
            format!("$ANSIBLE_VAULT;1.1;AES256\n{body}")
        );
        assert_eq!(
            render("{{ 's3cret' | vault('pw', salt='0123456789abcdef') | unvault('pw') }}"),
            "s3cret"
        );
    }

    #[test]
    fn unvault_passes_plain_text_and_refuses_a_wrong_password() {
        assert_eq!(render("{{ 'plain' | unvault('pw') }}"), "plain");
        let wrong = render_err("{{ 'x' | vault('pw') | unvault('other') }}").to_string();
        assert!(wrong.contains("Unable to decrypt."), "{wrong}");
        let not_text = render_err("{{ 5 | vault('pw') }}").to_string();
        assert!(
            not_text.contains("Can only vault strings, instead we got <class 'int'>."),
            "{not_text}"
        );
        let refused = render_err("{{ 'x' | vault('pw', wrap_object=true) }}").to_string();
        assert!(
            refused.contains("wrap_object=True is not supported"),
            "{refused}"
        );
    }

    #[test]
    fn only_inline_values_are_vault_encrypted() {
        assert_eq!(
            render("{{ ('x' | vault('pw')) is vault_encrypted }}"),
            "False"
        );
        crate::vault::session::remember_inline_value(
            "inline-cleartext-for-the-test",
            "$ANSIBLE_VAULT;1.1;AES256\n00\n",
        );
        assert_eq!(
            render("{{ 'inline-cleartext-for-the-test' is vault_encrypted }}"),
            "True"
        );
    }
}
