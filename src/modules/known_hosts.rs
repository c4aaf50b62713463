//! `known_hosts`: add, replace or remove one host's key in a `known_hosts`
//! file, found with the host's `ssh-keygen -F`. Hashed names (`hash_host`)
//! are made here with HMAC-SHA1, as OpenSSH and Ansible make them.

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};

use super::utils::host::{run_checked, write_file};
use super::utils::probe::Probe;
use super::{ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;

pub(super) struct KnownHosts;

static SPEC: ArgSpec = ArgSpec {
    names: &["name", "key", "path", "hash_host", "state"],
    aliases: &[("host", "name")],
    required: &["name"],
    free_form: FreeForm::KeyValue,
    choices: &[("state", &["absent", "present"])],
    paths: &["path"],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone)]
pub(super) struct Desired {
    host: String,
    /// The line to add, newline-terminated (hashed when `hash_host`).
    key: Option<String>,
    path: String,
    hash_host: bool,
    present: bool,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Observed {
    /// `path` with `~` expanded on the host.
    path: String,
    /// The file's text; `None` when it does not exist.
    text: Option<String>,
    found: bool,
    replace_or_add: bool,
    found_line: Option<usize>,
}

/// A known_hosts line in parts, for comparing keys.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyParts {
    marker: Option<String>,
    host: String,
    kind: String,
    key: String,
}

impl KeyParts {
    fn parse(line: &str) -> Option<Self> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let marked = words.first()?.starts_with('@');
        let at = usize::from(marked);
        Some(Self {
            marker: marked.then(|| words[0].to_string()),
            host: (*words.get(at)?).to_string(),
            kind: (*words.get(at + 1)?).to_string(),
            key: (*words.get(at + 2)?).to_string(),
        })
    }
}

fn hash_host(host: &str, key: &str) -> Result<String, ModuleError> {
    let mut salt = [0u8; 20];
    rand::fill(&mut salt);
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&salt)
        .map_err(|e| ModuleError::failed(format!("cannot hash the host name: {e}")))?;
    mac.update(host.as_bytes());
    let digest = mac.finalize().into_bytes();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut parts: Vec<String> = key.split_whitespace().map(str::to_string).collect();
    let at = usize::from(parts.first().is_some_and(|p| p.starts_with('@')));
    if let Some(slot) = parts.get_mut(at) {
        *slot = format!("|1|{}|{}", b64.encode(salt), b64.encode(digest));
    }
    Ok(parts.join(" "))
}

impl StateModule for KnownHosts {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "known_hosts"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let present = match args.str("state")?.as_deref() {
            None | Some("present") => true,
            Some("absent") => false,
            Some(other) => {
                return Err(ModuleError::failed(format!(
                    "value of state must be one of: absent, present, got: {other}"
                )));
            }
        };
        let host = args.str("name")?.unwrap_or_default().to_lowercase();
        let hash = args.bool("hash_host", false)?;
        let mut key = args.str("key")?.filter(|k| !k.is_empty());
        if key.is_none() && present {
            return Err(ModuleError::failed("No key specified when adding a host"));
        }
        if let Some(text) = &key {
            if KeyParts::parse(text).is_none() {
                return Err(ModuleError::failed(format!("invalid key specified: {text}")));
            }
            let mut line = if hash { hash_host(&host, text)? } else { text.clone() };
            if !line.ends_with('\n') {
                line.push('\n');
            }
            key = Some(line);
        }
        if key.is_some() && regex_like_comma_list(&host) {
            return Err(ModuleError::failed(
                "Comma separated list of names is not supported. Please pass a single name to lookup in the known_hosts file.",
            ));
        }
        Ok(Desired {
            host,
            key,
            path: args.str("path")?.unwrap_or_else(|| "~/.ssh/known_hosts".into()),
            hash_host: hash,
            present,
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let path = expand_home(&want.path);
        let host = shell_quote(&want.host);
        let mut probe = Probe::new();
        probe
            .require(&["ssh-keygen"])
            .ask("path", &format!("printf '%s\\n' {path}"));
        if want.key.is_some() {
            probe.ask(
                "sanity",
                &format!(
                    "t=$(mktemp) && cat > \"$t\" && ssh-keygen -F {host} -f \"$t\"; rm -f \"$t\""
                ),
            );
        }
        probe
            .ask("exists", &format!("[ -e {path} ] && echo yes"))
            .ask(
                "search",
                &format!(
                    "[ -e {path} ] && {{ ssh-keygen -F {host} -f {path} 2>&1; echo \"@rc=$?\"; }}"
                ),
            )
            .ask("text", &format!("[ -f {path} ] && cat -- {path}"));
        let answers = probe.run_with_input(ctx, "known_hosts", want.key.as_deref().map(str::as_bytes))?;
        if want.key.is_some() && answers.text("sanity").is_empty() {
            return Err(ModuleError::failed(
                "Host parameter does not match hashed host field in supplied key",
            ));
        }
        let mut have = Observed {
            path: answers.line("path").to_string(),
            text: answers.yes("exists").then(|| answers.text("text").to_string()),
            ..Observed::default()
        };
        if have.text.is_some() {
            search(want, answers.text("search"), &mut have)?;
        }
        Ok(have)
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        let unchanged = !want.present && want.key.is_some() && have.found_line.is_none();
        if !unchanged && (have.replace_or_add || want.present != have.found) {
            let before_header = if have.text.is_some() {
                have.path.clone()
            } else {
                "/dev/null".into()
            };
            changes.add(
                "known hosts",
                Some(Diff {
                    before_header,
                    after_header: have.path.clone(),
                    before: have.text.clone().unwrap_or_default(),
                    after: new_text(want, have),
                }),
            );
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
        if !want.present && want.key.is_none() {
            run_checked(
                ctx,
                "ssh-keygen -R",
                &format!(
                    "ssh-keygen -R {} -f {}",
                    shell_quote(&want.host),
                    shell_quote(&have.path)
                ),
                None,
            )?;
            return Ok(Outcome::ok());
        }
        let dir = std::path::Path::new(&have.path)
            .parent()
            .map_or("/".into(), |p| p.display().to_string());
        let exists = run_checked(
            ctx,
            "known_hosts",
            &format!("[ -d {} ] && echo yes; :", shell_quote(&dir)),
            None,
        )?;
        if exists.stdout_text().trim() != "yes" {
            return Err(ModuleError::failed(format!(
                "Failed to write to file {}: [Errno 2] No such file or directory: '{dir}'",
                have.path
            )));
        }
        write_file(ctx, &have.path, new_text(want, have).as_bytes(), None)?;
        Ok(Outcome::ok())
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        Outcome::ok()
            .with("name", want.host.as_str())
            .with(
                "key",
                want.key
                    .as_deref()
                    .map_or(crate::value::Value::from(()), |k| k.trim_end().into()),
            )
            .with("path", have.path.as_str())
            .with("hash_host", want.hash_host)
            .with("state", if want.present { "present" } else { "absent" })
    }
}

/// A name list such as `a, b`, which `ssh-keygen -F` cannot look up.
fn regex_like_comma_list(host: &str) -> bool {
    host.trim_start().find(',').is_some_and(|at| {
        host[..at]
            .trim_end()
            .chars()
            .any(|c| !c.is_whitespace())
    })
}

/// `~` and `~/x` as the host's `$HOME`, for `sh`.
fn expand_home(path: &str) -> String {
    if path == "~" {
        "\"$HOME\"".into()
    } else if let Some(rest) = path.strip_prefix("~/") {
        format!("\"$HOME\"/{}", shell_quote(rest))
    } else {
        shell_quote(path)
    }
}

/// Read `ssh-keygen -F` output as Ansible does: where the host is and
/// whether a key of the same type differs.
fn search(want: &Desired, output: &str, have: &mut Observed) -> Result<(), ModuleError> {
    let (body, rc) = match output.rsplit_once("@rc=") {
        Some((body, rc)) => (body, rc.trim().parse::<i32>().unwrap_or(-1)),
        None => (output, -1),
    };
    if body.trim().is_empty() && (rc == 0 || rc == 1) {
        return Ok(());
    }
    if rc != 0 {
        return Err(ModuleError::failed(format!(
            "ssh-keygen failed (rc={rc}, stdout='{}',stderr='')",
            body.trim()
        )));
    }
    have.found = true;
    let Some(key) = &want.key else {
        return Ok(());
    };
    let Some(mut wanted) = KeyParts::parse(key) else {
        return Ok(());
    };
    let mut found_line = None;
    for line in body.split('\n') {
        if line.is_empty() {
            continue;
        }
        if line.starts_with('#') {
            found_line = line
                .split("found: line ")
                .nth(1)
                .and_then(|n| n.trim().parse::<usize>().ok());
            continue;
        }
        let Some(found) = KeyParts::parse(line) else {
            continue;
        };
        let marked = found
            .marker
            .as_deref()
            .is_some_and(|m| m.starts_with("@cert-authority") || m.starts_with("@revoke"));
        if marked {
            if wanted == found {
                have.found_line = found_line;
                return Ok(());
            }
            continue;
        }
        if wanted.host.starts_with("|1|") && found.host.starts_with("|1|") {
            wanted.host = found.host.clone();
        }
        if wanted == found {
            have.found_line = found_line;
            return Ok(());
        }
        if wanted.kind == found.kind {
            have.replace_or_add = true;
            have.found_line = found_line;
            return Ok(());
        }
    }
    have.replace_or_add = true;
    have.found_line = None;
    Ok(())
}

fn new_text(want: &Desired, have: &Observed) -> String {
    let before = have.text.clone().unwrap_or_default();
    let mut lines: Vec<&str> = before.split_inclusive('\n').collect();
    if (have.replace_or_add || !want.present)
        && let Some(line) = have.found_line
        && (1..=lines.len()).contains(&line)
    {
        lines.remove(line - 1);
    }
    let mut text: String = lines.concat();
    if want.present
        && (have.replace_or_add || have.found_line.is_none())
        && let Some(key) = &want.key
    {
        text.push_str(key);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want(key: &str) -> Desired {
        Desired {
            host: "node2".into(),
            key: Some(format!("{key}\n")),
            path: "/k".into(),
            hash_host: false,
            present: true,
        }
    }

    #[test]
    fn the_same_key_is_found_and_another_of_its_type_replaced() {
        let output = "# Host node2 found: line 2\nnode2 ssh-ed25519 AAAA\n@rc=0\n";
        let mut have = Observed::default();
        search(&want("node2 ssh-ed25519 AAAA"), output, &mut have).expect("reads");
        assert!(have.found && !have.replace_or_add);
        let mut have = Observed {
            text: Some("a ssh-rsa X\nnode2 ssh-ed25519 AAAA\n".into()),
            ..Observed::default()
        };
        let changed = want("node2 ssh-ed25519 BBBB");
        search(&changed, output, &mut have).expect("reads");
        assert_eq!((have.replace_or_add, have.found_line), (true, Some(2)));
        assert_eq!(new_text(&changed, &have), "a ssh-rsa X\nnode2 ssh-ed25519 BBBB\n");
    }

    #[test]
    fn hashed_names_are_openssh_hashes() {
        let line = hash_host("node2", "node2 ssh-ed25519 AAAA").expect("hashes");
        assert!(line.starts_with("|1|"), "{line}");
        assert!(line.ends_with(" ssh-ed25519 AAAA"), "{line}");
    }

    proptest::proptest! {
        #[test]
        fn any_search_output_reads(output in "[#a-z0-9 :\n@=|]{0,80}") {
            let mut have = Observed::default();
            let _ = search(&want("node2 ssh-ed25519 AAAA"), &output, &mut have);
        }
    }
}
