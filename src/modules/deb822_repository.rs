//! `deb822_repository`: an apt source in deb822 form,
//! `/etc/apt/sources.list.d/<slug>.sources`, written field for field as
//! Ansible's `deb822_repository` writes it (fields in its sorted argument
//! order, booleans `yes`/`no`, lists space-separated), with `signed_by` as
//! a key file on the host, a URL fetched into `/etc/apt/keyrings`, or the
//! key itself inline.

use sha2::Digest;

use super::utils::host::{read_file, run_checked, write_file};
use super::{ArgSpec, Args, Diff, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct Deb822Repository;

/// The deb822 arguments in Ansible's (sorted) order, and how each is written.
const FIELDS: &[(&str, Kind)] = &[
    ("allow_downgrade_to_insecure", Kind::Bool),
    ("allow_insecure", Kind::Bool),
    ("allow_weak", Kind::Bool),
    ("architectures", Kind::List),
    ("by_hash", Kind::Bool),
    ("check_date", Kind::Bool),
    ("check_valid_until", Kind::Bool),
    ("components", Kind::List),
    ("date_max_future", Kind::Text),
    ("enabled", Kind::Bool),
    ("inrelease_path", Kind::Text),
    ("languages", Kind::List),
    ("name", Kind::Text),
    ("pdiffs", Kind::Bool),
    ("signed_by", Kind::Key),
    ("suites", Kind::List),
    ("targets", Kind::List),
    ("trusted", Kind::Bool),
    ("types", Kind::List),
    ("uris", Kind::List),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    List,
    Text,
    Key,
}

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "allow_downgrade_to_insecure",
        "allow_insecure",
        "allow_weak",
        "architectures",
        "by_hash",
        "check_date",
        "check_valid_until",
        "components",
        "date_max_future",
        "enabled",
        "inrelease_path",
        "languages",
        "name",
        "pdiffs",
        "signed_by",
        "suites",
        "targets",
        "trusted",
        "types",
        "uris",
        "mode",
        "state",
        "install_python_debian",
    ],
    required: &["name"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

const KEYRINGS: &str = "/etc/apt/keyrings";

impl Module for Deb822Repository {
    fn name(&self) -> &'static str {
        "deb822_repository"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let name = args.str("name")?.unwrap_or_default();
        let state = args.str("state")?.unwrap_or_else(|| "present".into());
        if state != "present" && state != "absent" {
            return Err(ModuleError::failed(format!(
                "value of state must be one of: present, absent, got: {state}"
            )));
        }
        let mode = match args.get("mode") {
            None => 0o644,
            Some(value) => super::utils::host::parse_mode(value)
                .and_then(|m| m.resolve(0o644, false))
                .map_err(|e| ModuleError::failed(format!("argument `mode`: {e}")))?,
        };
        let slug = slug(&name);
        let dest = format!("/etc/apt/sources.list.d/{slug}.sources");
        if state == "absent" {
            return absent(ctx, &slug, &dest);
        }
        let mut changed = false;
        let mut key_filename = Value::from(());
        let mut repo = String::new();
        for (field, kind) in FIELDS {
            let mut value = match kind {
                Kind::Bool => match args.has(field) {
                    true => Some(if args.bool(field, false)? { "yes" } else { "no" }.to_string()),
                    false => None,
                },
                Kind::List => {
                    let list = args.str_list(field)?;
                    let list = if *field == "types" {
                        Some(list.unwrap_or_else(|| vec!["deb".into()]))
                    } else {
                        list
                    };
                    if let Some(items) = &list
                        && *field == "types"
                        && let Some(bad) = items.iter().find(|t| *t != "deb" && *t != "deb-src")
                    {
                        return Err(ModuleError::failed(format!(
                            "value of types must be one or more of: deb, deb-src. Got no match for: {bad}"
                        )));
                    }
                    list.map(|items| items.join(" "))
                }
                Kind::Text => args.str(field)?,
                Kind::Key => match args.str(field)? {
                    Some(key) => {
                        let (key_changed, file, text) = signed_by(ctx, &key, &slug)?;
                        changed |= key_changed;
                        if let Some(file) = &file {
                            key_filename = Value::from(file.as_str());
                        }
                        file.or(text)
                    }
                    None => None,
                },
            };
            if let Some(text) = value.take() {
                repo.push_str(&field_line(field, &text));
            }
        }
        let current = read_file(ctx, &dest)?;
        let mut outcome = Outcome::ok()
            .with("repo", repo.as_str())
            .with("dest", dest.as_str())
            .with("key_filename", key_filename);
        let content_changed = current.as_deref() != Some(repo.as_bytes());
        let mode_changed = !content_changed && {
            let output = ctx
                .connection()?
                .run(&format!("stat -c %a {}", shell_quote(&dest)), None)?;
            u32::from_str_radix(output.stdout_text().trim(), 8).ok() != Some(mode)
        };
        if content_changed && ctx.diff {
            let before = current
                .as_deref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            outcome.data.insert(
                "diff".into(),
                Diff::content(&dest, before, repo.clone()).to_value(),
            );
        }
        outcome.changed = changed || content_changed || mode_changed;
        if (content_changed || mode_changed) && !ctx.check_mode {
            write_file(ctx, &dest, repo.as_bytes(), Some(mode))?;
        }
        Ok(outcome)
    }
}

/// Ansible's slug of `name`: lowercased, runs of `_` and spaces as `-`,
/// then only `a-z`, `0-9` and `-` kept.
fn slug(name: &str) -> String {
    let mut dashed = String::new();
    let mut in_run = false;
    for c in name.to_lowercase().chars() {
        if c == '_' || c.is_whitespace() {
            if !in_run {
                dashed.push('-');
            }
            in_run = true;
        } else {
            dashed.push(c);
            in_run = false;
        }
    }
    dashed
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
        .collect()
}

/// `Field: value`, a multi-line value indented with blank lines as `.`.
fn field_line(field: &str, value: &str) -> String {
    let name = match field {
        "name" => "X-Repolib-Name".to_string(),
        "uris" => "URIs".to_string(),
        other => other
            .split('_')
            .map(|word| {
                let mut chars = word.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_uppercase().collect::<String>() + chars.as_str()
                })
            })
            .collect::<Vec<_>>()
            .join("-"),
    };
    if !value.contains('\n') {
        return format!("{name}: {value}\n");
    }
    let lines: Vec<String> = value
        .trim()
        .lines()
        .map(|l| match l.trim() {
            "" => "    .".to_string(),
            text => format!("    {text}"),
        })
        .collect();
    format!("{name}:\n{}\n", lines.join("\n"))
}

/// `signed_by` as Ansible resolves it: a file on the host stays a path, a
/// URL is fetched into the keyrings directory, anything else is the key.
fn signed_by(
    ctx: &mut ModuleContext,
    value: &str,
    slug: &str,
) -> Result<(bool, Option<String>, Option<String>), ModuleError> {
    let is_file = ctx
        .connection()?
        .run(&format!("[ -f {} ]", shell_quote(value)), None)?
        .rc
        == 0;
    if is_file {
        return Ok((false, Some(value.to_string()), None));
    }
    let Some((scheme, _)) = value.split_once("://") else {
        return Ok((false, None, Some(value.to_string())));
    };
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)) {
        return Ok((false, None, Some(value.to_string())));
    }
    let fetch = format!(
        "if command -v curl >/dev/null 2>&1; then curl -fsSL {url}; elif command -v wget >/dev/null 2>&1; then wget -q -O - {url}; else exit 3; fi",
        url = shell_quote(value)
    );
    let output = ctx.connection()?.run(&fetch, None)?;
    match output.rc {
        0 => {}
        3 => {
            return Err(ModuleError::failed(format!(
                "deb822_repository needs curl or wget on {} to fetch {value}, and neither is installed there",
                ctx.host
            )));
        }
        _ => {
            return Err(ModuleError::failed(format!(
                "Could not fetch signed_by key: {}",
                output.stderr_text().trim()
            )));
        }
    }
    let data = output.stdout;
    let armored = String::from_utf8_lossy(&data).contains("-----BEGIN PGP PUBLIC KEY BLOCK-----");
    let file = format!("{KEYRINGS}/{slug}.{}", if armored { "asc" } else { "gpg" });
    let current = read_file(ctx, &file)?;
    let same = current
        .as_deref()
        .is_some_and(|c| sha2::Sha256::digest(c) == sha2::Sha256::digest(&data));
    if !same && !ctx.check_mode {
        run_checked(ctx, "creating the keyrings directory", &format!("mkdir -p -m 0755 {KEYRINGS}"), None)?;
        write_file(ctx, &file, &data, Some(0o644))?;
    }
    Ok((!same, Some(file), None))
}

fn absent(ctx: &mut ModuleContext, slug: &str, dest: &str) -> Result<Outcome, ModuleError> {
    let asc = format!("{KEYRINGS}/{slug}.asc");
    let gpg = format!("{KEYRINGS}/{slug}.gpg");
    let mut changed = false;
    // As Ansible's: the last keyring file it looked for.
    let key_filename = gpg.clone();
    for path in [dest, asc.as_str(), gpg.as_str()] {
        let exists = ctx
            .connection()?
            .run(&format!("[ -e {} ]", shell_quote(path)), None)?
            .rc
            == 0;
        if exists {
            changed = true;
            if !ctx.check_mode {
                run_checked(ctx, &format!("removing {path}"), &format!("rm -f {}", shell_quote(path)), None)?;
            }
        }
    }
    let mut outcome = Outcome::ok()
        .with("repo", Value::from(()))
        .with("dest", dest)
        .with("key_filename", key_filename);
    outcome.changed = changed;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_fields_as_ansible_writes_them() {
        assert_eq!(slug("Docker CE_stable repo!"), "docker-ce-stable-repo");
        assert_eq!(field_line("uris", "https://a/"), "URIs: https://a/\n");
        assert_eq!(field_line("check_valid_until", "no"), "Check-Valid-Until: no\n");
        assert_eq!(field_line("name", "x"), "X-Repolib-Name: x\n");
        assert_eq!(
            field_line("signed_by", "-----BEGIN\n\nabc\n-----END\n"),
            "Signed-By:\n    -----BEGIN\n    .\n    abc\n    -----END\n"
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,100}") {
            let _ = slug(&text);
            let _ = field_line("signed_by", &text);
        }
    }
}
