//! `rpm_key`: a GPG key in the rpm database, with the host's `rpm` and
//! `gpg`, as Ansible decides: `key` is a URL (fetched on the host), a key
//! id (8 hex digits or more) or a key file on the host; a key counts as
//! imported when the id is part of the id of a `gpg-pubkey` package's key;
//! `fingerprint` must be among the key file's before it is imported.
//! Keys are read with a throwaway `GNUPGHOME`, so no `~/.gnupg` is left.

use std::collections::BTreeSet;

use super::utils::http::{download_to_temp, masked};
use super::utils::probe::Probe;
use super::{ArgSpec, Args, Changes, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;

pub(super) struct RpmKey;

static SPEC: ArgSpec = ArgSpec {
    names: &["key", "state", "fingerprint", "validate_certs"],
    required: &["key"],
    free_form: FreeForm::KeyValue,
    choices: &[("state", &["absent", "present"])],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone, PartialEq)]
enum Key {
    Url(String),
    Id(String),
    File(String),
}

#[derive(Debug, Clone)]
pub(super) struct Desired {
    key: String,
    fingerprints: BTreeSet<String>,
    validate_certs: bool,
    present: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    /// Where the key is, when there is a file to import.
    source: Option<Key>,
    /// The key id, upper case, without `0x`.
    key_id: String,
    imported: bool,
}

/// Ansible's `is_keyid`: starts with 8 hex digits (an optional `0x` first).
fn is_key_id(text: &str) -> bool {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    digits.len() >= 8 && digits[..8].chars().all(|c| c.is_ascii_hexdigit())
}

fn normalize_key_id(text: &str) -> String {
    let upper = text.trim().to_uppercase();
    upper.strip_prefix("0X").unwrap_or(&upper).to_string()
}

/// The key id of the first `pub:` line of `gpg --with-colons` output.
fn first_pub_id(output: &str) -> Option<String> {
    output
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("pub:"))
        .and_then(|line| line.split(':').nth(4))
        .map(str::to_string)
}

/// The `fpr:` fingerprints of `gpg --with-colons` output.
fn fingerprints_of(output: &str) -> BTreeSet<String> {
    output
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("fpr:"))
        .filter_map(|line| line.split(':').nth(9).map(str::to_string))
        .collect()
}

/// `gpg` reading keys from `from`, with a throwaway home.
fn gpg_show(from: &str) -> String {
    format!(
        "home=$(mktemp -d) && LANG=C LC_ALL=C GNUPGHOME=\"$home\" gpg --no-tty --batch --with-colons --fixed-list-mode --show-keys {from}; gpg_rc=$?; rm -rf \"$home\"; [ $gpg_rc = 0 ]"
    )
}

impl StateModule for RpmKey {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "rpm_key"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        Ok(Desired {
            key: args.str("key")?.unwrap_or_default(),
            fingerprints: args
                .str_list("fingerprint")?
                .unwrap_or_default()
                .iter()
                .map(|fingerprint| fingerprint.replace(' ', "").to_uppercase())
                .collect(),
            validate_certs: args.bool("validate_certs", true)?,
            present: args.str("state")?.as_deref() != Some("absent"),
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let mut probe = Probe::new();
        probe.require(&["rpm", "gpg"]);
        let key = shell_quote(&want.key);
        let source = if want.key.contains("://") {
            probe.ask(
                "fetch",
                &format!(
                    "{} 2>&1; fetch_rc=$?; \
                     [ $fetch_rc != 0 ] || grep -q -e '-----BEGIN PGP PUBLIC KEY BLOCK-----' \"$keyfile\" || fetch_rc=90; \
                     echo \"@rc=$fetch_rc\"",
                    download_to_temp("keyfile", &want.key, want.validate_certs)
                ),
            );
            Key::Url(want.key.clone())
        } else if is_key_id(&want.key) {
            Key::Id(want.key.clone())
        } else {
            probe.ask("is_file", &format!("[ -f {key} ] && echo yes"));
            Key::File(want.key.clone())
        };
        let file = match &source {
            Key::Url(_) => Some("\"$keyfile\"".to_string()),
            Key::File(_) => Some(format!("-- {key}")),
            Key::Id(_) => None,
        };
        if let Some(file) = &file {
            probe.ask(
                "key",
                &format!(
                    "[ \"${{fetch_rc:-0}}\" = 0 ] || exit 0\n{{ {}; }} 2>&1; echo \"@rc=$?\"",
                    gpg_show(file)
                ),
            );
        }
        // Ansible's is_key_imported: the ids of every imported key.
        probe.ask(
            "imported",
            &format!(
                "[ \"${{fetch_rc:-0}}\" = 0 ] || exit 0\n\
                 if rpm -q gpg-pubkey >/dev/null 2>&1; then rpm -q gpg-pubkey --qf '%{{description}}' | {{ {}; }} 2>&1; echo \"@rc=$?\"; else echo '@rc=none'; fi",
                gpg_show("-")
            ),
        );
        let answers = probe.run(ctx, "rpm_key")?;
        if let Key::File(path) = &source
            && !answers.yes("is_file")
        {
            return Err(ModuleError::failed(format!("Not a valid key {path}")));
        }
        if let Key::Url(url) = &source {
            let (output, rc) = answers.with_rc("fetch");
            match rc {
                0 => {}
                90 => return Err(ModuleError::failed(format!("Not a public key: {}", masked(url)))),
                _ => {
                    return Err(ModuleError::failed(format!(
                        "failed to fetch key at {} , error was: {}",
                        masked(url),
                        output.trim()
                    )));
                }
            }
        }
        let mut file_fingerprints = BTreeSet::new();
        let key_id = match &source {
            Key::Id(id) => id.clone(),
            Key::Url(_) | Key::File(_) => {
                let (output, rc) = answers.with_rc("key");
                if rc != 0 {
                    return Err(ModuleError::failed(output.trim().to_string()));
                }
                file_fingerprints = fingerprints_of(&output);
                first_pub_id(&output).ok_or_else(|| ModuleError::failed("Unexpected gpg output"))?
            }
        };
        let key_id = normalize_key_id(&key_id);
        let imported_answer = answers.text("imported");
        let imported = if imported_answer.trim_end().ends_with("@rc=none") {
            false
        } else {
            let (output, rc) = answers.with_rc("imported");
            if rc != 0 {
                return Err(ModuleError::failed(output.trim().to_string()));
            }
            output
                .lines()
                .filter_map(|line| line.split(':').nth(4))
                .any(|id| id.contains(&key_id))
        };
        if want.present && !imported {
            if matches!(source, Key::Id(_)) {
                return Err(ModuleError::failed(
                    "When importing a key, a valid file must be given",
                ));
            }
            if !want.fingerprints.is_empty() {
                if file_fingerprints.is_empty() {
                    return Err(ModuleError::failed("Unexpected gpg output"));
                }
                if !want.fingerprints.is_subset(&file_fingerprints) {
                    return Err(ModuleError::failed(format!(
                        "The specified fingerprint, '{}', does not match any key fingerprints in '{}'",
                        python_set(&want.fingerprints),
                        python_set(&file_fingerprints)
                    )));
                }
            }
        }
        Ok(Observed {
            source: (!matches!(source, Key::Id(_))).then_some(source),
            key_id,
            imported,
        })
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        match (want.present, have.imported) {
            (true, false) => changes.add(format!("import key {}", have.key_id), None),
            (false, true) => changes.add(format!("erase key {}", have.key_id), None),
            _ => {}
        }
        Ok(changes)
    }

    fn apply(
        &self,
        want: &Desired,
        have: &Observed,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let script = if want.present {
            match &have.source {
                Some(Key::Url(url)) => format!(
                    "{} || exit 1\nrpm --import \"$keyfile\"",
                    download_to_temp("keyfile", url, want.validate_certs)
                ),
                Some(Key::File(path)) => format!("rpm --import {}", shell_quote(path)),
                Some(Key::Id(_)) | None => {
                    return Err(ModuleError::failed(
                        "When importing a key, a valid file must be given",
                    ));
                }
            }
        } else {
            let short = &have.key_id[have.key_id.len().saturating_sub(8)..];
            format!(
                "rpm --erase --allmatches {}",
                shell_quote(&format!("gpg-pubkey-{}", short.to_lowercase()))
            )
        };
        let output = ctx
            .connection()?
            .run(&format!("export LANG=C LC_ALL=C\n{script}"), None)?;
        if output.rc != 0 {
            return Err(ModuleError::failed(output.stderr_text().trim().to_string()));
        }
        Ok(Outcome::ok())
    }
}

/// A set as Python prints it (`{'A', 'B'}`), for Ansible's message.
fn python_set(items: &BTreeSet<String>) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("'{item}'")).collect();
    format!("{{{}}}", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_are_recognised_and_normalised_as_ansible_does() {
        assert!(is_key_id("0x2E2088F7"));
        assert!(is_key_id("2e2088f7"));
        assert!(is_key_id("86EF07D42E2088F7"));
        assert!(!is_key_id("/etc/pki/key.asc"));
        assert!(!is_key_id("2e2088"));
        assert_eq!(normalize_key_id(" 0x2e2088f7 "), "2E2088F7");
    }

    #[test]
    fn gpg_output_gives_the_first_id_and_every_fingerprint() {
        let output = "pub:-:255:22:86EF07D42E2088F7:1796415836:::-:::scSC:::::ed25519:::0:\nfpr:::::::::5A77AE36E36D9BC1EF8B5A8B86EF07D42E2088F7:\nuid:-::::1796415836::3A7C::Lab Key::::::::::0:\nsub:-:255:18:1111222233334444:1796415836::::::e:::::cv25519::\nfpr:::::::::AAAA1111222233334444:\n";
        assert_eq!(first_pub_id(output).as_deref(), Some("86EF07D42E2088F7"));
        assert_eq!(
            fingerprints_of(output),
            BTreeSet::from(["5A77AE36E36D9BC1EF8B5A8B86EF07D42E2088F7".to_string(), "AAAA1111222233334444".to_string()])
        );
        assert_eq!(python_set(&fingerprints_of(output)), "{'5A77AE36E36D9BC1EF8B5A8B86EF07D42E2088F7', 'AAAA1111222233334444'}");
    }
}
