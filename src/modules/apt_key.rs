//! `apt_key`: a key in apt's keyring, with the host's `apt-key` and `gpg`,
//! as Ansible decides: the key's id is the one given or the first read
//! from the key (`file`, `data`, or `url` fetched on the host), an 8-digit
//! id is compared with short ids and a longer one with long ids, and a key
//! that `apt-key` accepted but does not then list fails the task.
//! The key is read with a throwaway `GNUPGHOME`, so reading it leaves no
//! `~/.gnupg` behind on the host.

use super::utils::http::{download_to_temp, masked};
use super::utils::probe::Probe;
use super::{ArgSpec, Args, Changes, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct AptKey;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "id",
        "url",
        "data",
        "file",
        "keyring",
        "validate_certs",
        "keyserver",
        "state",
    ],
    free_form: FreeForm::KeyValue,
    choices: &[("state", &["absent", "present"])],
    paths: &["file", "keyring"],
    ..ArgSpec::EMPTY
};

/// Where the key comes from when it has to be added.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    File(String),
    Data(String),
    Url(String),
    Keyserver(String),
    Nothing,
}

#[derive(Debug, Clone)]
pub(super) struct Desired {
    id: Option<String>,
    source: Source,
    keyring: Option<String>,
    validate_certs: bool,
    present: bool,
}

/// A key id as Ansible splits it (`parse_key_id`).
#[derive(Debug, Clone, PartialEq)]
struct KeyId {
    /// The last 8 hex digits (what `apt-key del` takes).
    short: String,
    /// The last 16 (what `--keyid-format=long` lists).
    long: String,
    /// All of it, without `0x`, upper case (what `--recv` takes).
    full: String,
}

impl KeyId {
    fn parse(text: &str) -> Option<Self> {
        let upper = text.to_uppercase();
        let digits = upper.strip_prefix("0X").unwrap_or(&upper);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let len = digits.len();
        if len != 8 && len != 16 && len <= 16 {
            return None;
        }
        Some(Self {
            short: digits[len - 8..].to_string(),
            long: digits[len.saturating_sub(16)..].to_string(),
            full: digits.to_string(),
        })
    }

    /// Whether `listed` (ids as [`listed_keys`] reads them: short ones
    /// for an 8-digit id, whose `long` is those 8 digits) has this key.
    fn in_listing(&self, listed: &[String]) -> bool {
        listed.contains(&self.long)
    }

    /// Ansible lists and compares short ids when the id given has 8 digits.
    fn short_format(&self) -> bool {
        self.full.len() == 8
    }
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    /// The id as given, or read from the key.
    given_id: Option<String>,
    key: KeyId,
    /// Key ids `apt-key` lists, as Ansible reads them (8 digits when the
    /// id given has 8).
    before: Vec<String>,
}

/// Ansible's `parse_output_for_keys`: the ids of `pub` and `sub` lines
/// that are not expired, from `apt-key adv --list-public-keys
/// --keyid-format=long` (`pub   rsa3072/ID …`) or `gpg --with-colons`
/// (`pub:-:255:22:ID:…`).
fn listed_keys(output: &str, short: bool) -> Vec<String> {
    let mut found = Vec::new();
    for line in output.lines() {
        if !(line.starts_with("pub") || line.starts_with("sub")) || line.contains("expired") {
            continue;
        }
        let from_words = line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.split_once('/'))
            .filter(|(_, rest)| !rest.contains('/'))
            .map(|(_, id)| id.to_string());
        let id = from_words.or_else(|| line.split(':').nth(4).map(str::to_string));
        if let Some(id) = id {
            found.push(if short && id.len() > 8 {
                id[id.len() - 8..].to_string()
            } else {
                id
            });
        }
    }
    found
}

fn keyring_flag(want: &Desired) -> String {
    want.keyring
        .as_deref()
        .map(|keyring| format!(" --keyring {}", shell_quote(keyring)))
        .unwrap_or_default()
}

/// The keys listed; a keyring that does not exist lists none (`apt-key`
/// would create it, also under `--check`).
fn list_command(want: &Desired) -> String {
    let list = format!(
        "apt-key{} adv --list-public-keys --keyid-format=long",
        keyring_flag(want)
    );
    match &want.keyring {
        Some(keyring) => format!("{{ [ ! -e {} ] || {list}; }}", shell_quote(keyring)),
        None => list,
    }
}

fn error_no_error(what: &str) -> String {
    format!("apt-key did not return an error, but {what} (check that the id is correct and *not* a subkey)")
}

impl StateModule for AptKey {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "apt_key"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let sources: Vec<Source> = [
            args.str("data")?.map(Source::Data),
            args.str("file")?.map(Source::File),
            args.str("keyserver")?.map(Source::Keyserver),
            args.str("url")?.map(Source::Url),
        ]
        .into_iter()
        .flatten()
        .collect();
        if sources.len() > 1 {
            return Err(ModuleError::failed(
                "parameters are mutually exclusive: data|file|keyserver|url",
            ));
        }
        let id = args.str("id")?.filter(|id| !id.is_empty());
        if id.as_deref().is_some_and(|id| KeyId::parse(id).is_none()) {
            return Err(ModuleError::failed("Invalid key_id"));
        }
        let source = sources.into_iter().next().unwrap_or(Source::Nothing);
        if id.is_none() && matches!(source, Source::Keyserver(_)) {
            return Err(ModuleError::failed("Missing key_id, required with keyserver."));
        }
        Ok(Desired {
            id,
            source,
            keyring: args.str("keyring")?,
            validate_certs: args.bool("validate_certs", true)?,
            present: args.str("state")?.as_deref() != Some("absent"),
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let mut probe = Probe::new();
        probe.require(&["apt-key", "gpg"]);
        let mut stdin = None;
        let read_key = |from: &str| {
            format!(
                "home=$(mktemp -d) && LANG=C LC_ALL=C GNUPGHOME=\"$home\" gpg --batch --with-colons --show-keys {from} 2>&1; key_rc=$?; rm -rf \"$home\"; echo \"@rc=$key_rc\""
            )
        };
        if want.id.is_none() {
            match &want.source {
                Source::Url(url) => {
                    probe.ask(
                        "download",
                        &format!(
                            "{} 2>&1; download_rc=$?; echo \"@rc=$download_rc\"",
                            download_to_temp("key", url, want.validate_certs)
                        ),
                    );
                    probe.ask("key", &read_key("\"$key\""));
                }
                Source::File(file) => {
                    probe.ask("key", &read_key(&format!("-- {}", shell_quote(file))));
                }
                Source::Data(data) => {
                    stdin = Some(data.as_bytes().to_vec());
                    probe.ask("key", &read_key(""));
                }
                Source::Keyserver(_) | Source::Nothing => {}
            }
        }
        probe.ask(
            "listing",
            // Not when the key could not be read: listing a keyring creates it.
            &format!(
                "[ \"${{download_rc:-0}}${{key_rc:-0}}\" = 00 ] || exit 0\nexport LANG=C LC_ALL=C\n{} 2>&1; echo \"@rc=$?\"",
                list_command(want)
            ),
        );
        let answers = probe.run_with_input(ctx, "apt_key", stdin.as_deref())?;
        let mut given_id = want.id.clone();
        if given_id.is_none() {
            if let Source::Url(url) = &want.source {
                let (output, rc) = answers.with_rc("download");
                if rc != 0 {
                    return Err(ModuleError::failed(format!(
                        "Failed to download key at {}: {}",
                        masked(url),
                        output.trim()
                    )));
                }
            }
            if !matches!(want.source, Source::Nothing) {
                let (output, rc) = answers.with_rc("key");
                if rc != 0 {
                    let what = match &want.source {
                        Source::File(file) => file.clone(),
                        Source::Url(_) | Source::Data(_) => "inline data".to_string(),
                        Source::Keyserver(_) | Source::Nothing => String::new(),
                    };
                    return Err(ModuleError::failed(format!(
                        "Unable to extract key from '{what}': {}",
                        output.trim()
                    )));
                }
                given_id = listed_keys(&output, false).into_iter().next();
            }
        }
        let key = given_id
            .as_deref()
            .and_then(KeyId::parse)
            .ok_or_else(|| ModuleError::failed("Invalid key_id"))?;
        let (listing, rc) = answers.with_rc("listing");
        if rc != 0 {
            return Err(ModuleError::failed(format!(
                "Unable to list public keys: {}",
                listing.trim()
            )));
        }
        Ok(Observed {
            before: listed_keys(&listing, key.short_format()),
            given_id,
            key,
        })
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let listed = have.key.in_listing(&have.before);
        let mut changes = Changes::none();
        if want.present && !listed {
            changes.add(format!("add key {}", have.key.long), None);
        } else if !want.present && listed {
            changes.add(format!("remove key {}", have.key.long), None);
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
        let keyring = keyring_flag(want);
        let mut stdin = None;
        let (script, what) = if want.present {
            match &want.source {
                Source::File(file) => (
                    format!("apt-key{keyring} add {}", shell_quote(file)),
                    format!("Unable to add a key from file {file}"),
                ),
                Source::Data(data) => {
                    stdin = Some(data.as_bytes());
                    (
                        format!("apt-key{keyring} add -"),
                        "Unable to add a key from binary data".to_string(),
                    )
                }
                Source::Url(url) => (
                    format!(
                        "{}\nif [ $? -ne 0 ]; then echo {} >&2; exit 1; fi\napt-key{keyring} add \"$key\"",
                        download_to_temp("key", url, want.validate_certs),
                        shell_quote(&format!("Failed to download key at {}", masked(url)))
                    ),
                    "Unable to add a key from binary data".to_string(),
                ),
                Source::Keyserver(keyserver) => (
                    format!(
                        "proxy=${{HTTPS_PROXY:-${{https_proxy:-${{HTTP_PROXY:-${{http_proxy:-}}}}}}}}\n\
                         rc=1\nfor try in 1 2 3 4 5; do\n\
                         apt-key{keyring} adv --no-tty --keyserver {} ${{proxy:+--keyserver-options http-proxy=\"$proxy\"}} --recv {} && exit 0\n\
                         rc=$?\ndone\nexit $rc",
                        shell_quote(keyserver),
                        have.key.full
                    ),
                    format!(
                        "Error fetching key {} from keyserver: {keyserver}",
                        have.key.full
                    ),
                ),
                Source::Nothing => {
                    return Err(ModuleError::failed("No key to add ... how did i get here?!?!"));
                }
            }
        } else {
            (
                format!("apt-key{keyring} del {}", have.key.short),
                format!("Unable to remove a key with id {}", have.key.short),
            )
        };
        let output = ctx
            .connection()?
            .run(&format!("export LANG=C LC_ALL=C\n{script}"), stdin)?;
        if output.rc != 0 {
            let text = format!("{}{}", output.stdout_text(), output.stderr_text());
            let what = if matches!(want.source, Source::Keyserver(_))
                && output.rc == 2
                && text.contains("not found on keyserver")
            {
                format!(
                    "Key {} not found on keyserver {}",
                    have.key.full,
                    match &want.source {
                        Source::Keyserver(keyserver) => keyserver.as_str(),
                        _ => "",
                    }
                )
            } else {
                what
            };
            return Err(ModuleError::failed(format!("{what}: {}", text.trim())));
        }
        let listing = ctx
            .connection()?
            .run(&format!("export LANG=C LC_ALL=C\n{}", list_command(want)), None)?;
        if listing.rc != 0 {
            return Err(ModuleError::failed(format!(
                "Unable to list public keys: {}",
                listing.stderr_text().trim()
            )));
        }
        let after = listed_keys(&listing.stdout_text(), have.key.short_format());
        if want.present && !have.key.in_listing(&after) {
            return Err(ModuleError::failed(error_no_error("failed to add the key")));
        }
        if !want.present && have.key.in_listing(&after) {
            return Err(ModuleError::failed(error_no_error("the key was not removed")));
        }
        Ok(Outcome::ok().with("after", ids(&after)))
    }

    fn describe(&self, _want: &Desired, have: &Observed) -> Outcome {
        Outcome::ok()
            .with(
                "id",
                have.given_id.as_deref().map_or(Value::from(()), Value::from),
            )
            .with("short_id", Value::from(have.key.short.as_str()))
            .with("fp", Value::from(have.key.long.as_str()))
            .with("key_id", Value::from(have.key.full.as_str()))
            .with("before", ids(&have.before))
    }
}

fn ids(keys: &[String]) -> Value {
    Value::from(keys.iter().map(|key| Value::from(key.as_str())).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTING: &str = "\
Executing: /tmp/apt-key-gpghome.YroeInbCt9/gpg.1.sh --list-public-keys --keyid-format=long
/etc/apt/trusted.gpg
--------------------
pub   ed25519/86EF07D42E2088F7 2026-12-04 [SC]
      5A77AE36E36D9BC1EF8B5A8B86EF07D42E2088F7
uid                 [ unknown] Lab Key <lab@example.com>
sub   rsa4096/1111222233334444 2020-01-01 [E]
pub   rsa2048/AAAABBBBCCCCDDDD 2019-01-01 [SC] [expired: 2021-01-01]
";

    #[test]
    fn listed_keys_are_read_as_ansible_reads_them() {
        assert_eq!(listed_keys(LISTING, false), ["86EF07D42E2088F7", "1111222233334444"]);
        assert_eq!(listed_keys(LISTING, true), ["2E2088F7", "33334444"]);
        let colons = "pub:-:255:22:86EF07D42E2088F7:1796415836:::-:::scSC:::::ed25519:::0:\nfpr:::::::::5A77AE36E36D9BC1EF8B5A8B86EF07D42E2088F7:\n";
        assert_eq!(listed_keys(colons, false), ["86EF07D42E2088F7"]);
    }

    #[test]
    fn key_ids_split_as_ansible_splits_them() {
        let full = KeyId::parse("5a77ae36e36d9bc1ef8b5a8b86ef07d42e2088f7").expect("id");
        assert_eq!(full.short, "2E2088F7");
        assert_eq!(full.long, "86EF07D42E2088F7");
        assert!(full.in_listing(&listed_keys(LISTING, false)));
        let short = KeyId::parse("0x2E2088F7").expect("id");
        assert_eq!((short.short.as_str(), short.long.as_str()), ("2E2088F7", "2E2088F7"));
        assert!(short.in_listing(&listed_keys(LISTING, true)));
        assert!(KeyId::parse("12345").is_none());
        assert!(KeyId::parse("0x123456789").is_none());
        assert!(KeyId::parse("zz2E2088").is_none());
        assert!(KeyId::parse("").is_none());
    }

    #[test]
    fn a_password_in_a_url_is_masked() {
        assert_eq!(
            masked("https://bob:secret@keys.example.com/k.asc"),
            "https://bob:********@keys.example.com/k.asc"
        );
        assert_eq!(masked("https://keys.example.com/a@b"), "https://keys.example.com/a@b");
    }

    proptest::proptest! {
        #[test]
        fn any_listing_is_read_without_panicking(text in "(pub|sub|uid|[ -~]){0,6}[ -~\n]{0,80}") {
            let _ = listed_keys(&text, true);
            let _ = listed_keys(&text, false);
            let _ = KeyId::parse(&text);
        }
    }
}
