//! `authorized_key` (ansible.posix): add or remove SSH keys in a user's
//! `authorized_keys`, with options, comments and `exclusive`. The edit and
//! the written text follow Ansible's (see `utils/authorized_keys.rs`).

use indexmap::IndexMap;

use super::utils::accounts::PasswdEntry;
use super::utils::authorized_keys::{Entry, parse_file, parse_line, parse_options, render};
use super::utils::host::{run_checked, write_file};
use super::utils::probe::Probe;
use super::{ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct AuthorizedKey;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "user",
        "key",
        "path",
        "manage_dir",
        "state",
        "key_options",
        "exclusive",
        "comment",
        "validate_certs",
        "follow",
    ],
    required: &["user", "key"],
    free_form: FreeForm::KeyValue,
    choices: &[("state", &["absent", "present"])],
    paths: &["path"],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone)]
pub(super) struct Desired {
    user: String,
    key: String,
    path: Option<String>,
    manage_dir: bool,
    present: bool,
    key_options: Option<String>,
    exclusive: bool,
    comment: Option<String>,
    validate_certs: bool,
    follow: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    account: Option<PasswdEntry>,
    /// The keys file (after `follow`), and its text ('' when missing).
    keyfile: String,
    text: String,
}

impl StateModule for AuthorizedKey {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "authorized_key"
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
        let key = args.str("key")?.unwrap_or_default();
        if key.starts_with("http") || key.starts_with("file") {
            return Err(ModuleError::failed(format!(
                "runbook's authorized_key takes the key text itself, not a URL ({key}); read it with a lookup first"
            )));
        }
        Ok(Desired {
            user: args.str("user")?.unwrap_or_default(),
            key,
            path: args.str("path")?,
            manage_dir: args.bool("manage_dir", true)?,
            present,
            key_options: args.str("key_options")?,
            exclusive: args.bool("exclusive", false)?,
            comment: args.str("comment")?,
            validate_certs: args.bool("validate_certs", true)?,
            follow: args.bool("follow", false)?,
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let user = shell_quote(&want.user);
        let path = match &want.path {
            Some(path) => shell_quote(path),
            None => "\"$(getent passwd {user} | cut -d: -f6)/.ssh/authorized_keys\""
                .replace("{user}", &user),
        };
        let resolve = if want.follow {
            format!("f={path}; f=$(readlink -f \"$f\" || printf '%s' \"$f\")")
        } else {
            format!("f={path}")
        };
        let answers = Probe::new()
            .require(&["getent"])
            .ask("passwd", &format!("getent passwd {user}"))
            .ask("keyfile", &format!("{resolve}; printf '%s\\n' \"$f\""))
            .ask("text", &format!("{resolve}; [ -f \"$f\" ] && cat -- \"$f\""))
            .run(ctx, "authorized_key")?;
        let account = PasswdEntry::parse(answers.line("passwd"));
        if account.is_none() && !(ctx.check_mode && want.path.is_some()) {
            if ctx.check_mode {
                return Err(ModuleError::failed(
                    "Either user must exist or you must provide full path to key file in check mode",
                ));
            }
            return Err(ModuleError::failed(format!(
                "Failed to lookup user {0}: \"getpwnam(): name not found: '{0}'\"",
                want.user
            )));
        }
        Ok(Observed {
            account,
            keyfile: answers
                .text("keyfile")
                .trim_end_matches('\n')
                .to_string(),
            text: answers.text("text").to_string(),
        })
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        if let Some(after) = edit(want, have)? {
            changes.add(
                "authorized keys",
                Some(Diff::content(&have.keyfile, have.text.clone(), after)),
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
        let Some(after) = edit(want, have)? else {
            return Ok(Outcome::ok());
        };
        let Some(account) = &have.account else {
            return Err(ModuleError::failed(format!("Failed to lookup user {}", want.user)));
        };
        let file = shell_quote(&have.keyfile);
        let owner = format!("{}:{}", account.uid, account.gid);
        let mut script = String::new();
        if want.manage_dir {
            let dir = match &want.path {
                Some(path) => std::path::Path::new(path)
                    .parent()
                    .map_or("/".into(), |p| p.display().to_string()),
                None => format!("{}/.ssh", account.home),
            };
            let dir = shell_quote(&dir);
            script.push_str(&format!(
                "[ -d {dir} ] || mkdir -m 0700 {dir} || exit 1\nchown {owner} {dir} && chmod 0700 {dir} || exit 1\n"
            ));
        }
        script.push_str(&format!(
            "[ -e {file} ] || {{ mkdir -p \"$(dirname {file})\" && : > {file}; }} || exit 1\nchown {owner} {file} 2>/dev/null; chmod 0600 {file} 2>/dev/null; exit 0\n"
        ));
        run_checked(ctx, "preparing the keys file", &script, None)?;
        write_file(ctx, &have.keyfile, after.as_bytes(), None)?;
        Ok(Outcome::ok())
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        let optional = |value: &Option<String>| value.as_deref().map_or(Value::from(()), Value::from);
        Outcome::ok()
            .with("user", want.user.as_str())
            .with("key", want.key.as_str())
            .with("path", optional(&want.path))
            .with("manage_dir", want.manage_dir)
            .with("state", if want.present { "present" } else { "absent" })
            .with("key_options", optional(&want.key_options))
            .with("exclusive", want.exclusive)
            .with("comment", optional(&want.comment))
            .with("validate_certs", want.validate_certs)
            .with("follow", want.follow)
            .with("keyfile", have.keyfile.as_str())
    }
}

/// The file's new text, or `None` when it stays as it is.
fn edit(want: &Desired, have: &Observed) -> Result<Option<String>, ModuleError> {
    let mut existing: IndexMap<String, Entry> = parse_file(&have.text);
    let base_rank = existing.len();
    let mut keep: Vec<String> = Vec::new();
    let mut write = false;
    let lines = want
        .key
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'));
    for (rank, line) in lines.enumerate() {
        let Some(mut entry) = parse_line(line, rank) else {
            return Err(ModuleError::failed(format!("invalid key specified: {line}")));
        };
        if let Entry::Key {
            options, comment, ..
        } = &mut entry
        {
            if let Some(text) = &want.key_options {
                *options = parse_options(text);
            }
            if let Some(text) = &want.comment {
                *comment = text.clone();
            }
        }
        let id = entry.id().to_string();
        let matched = match existing.get(&id) {
            Some(found) if !found.same(&entry) && want.present => {
                existing.shift_remove(&id);
                write = true;
                false
            }
            Some(_) => true,
            None => false,
        };
        if want.present {
            keep.push(id.clone());
            if !matched {
                existing.insert(id, entry.with_rank(base_rank + rank));
                write = true;
            }
        } else if matched {
            existing.shift_remove(&id);
            write = true;
        }
    }
    if want.present && want.exclusive {
        let before = existing.len();
        existing.retain(|id, _| keep.contains(id));
        write |= existing.len() != before;
    }
    Ok(write.then(|| render(&existing)))
}
