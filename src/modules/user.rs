//! `user`: create, change and remove local accounts with the host's
//! `useradd`, `usermod`, `userdel` and `chage`, and generate an SSH key.
//! One probe reads the account (`getent passwd/shadow/group`), its home and
//! key; the commands are the ones Ansible's `user` module runs on Linux, so
//! the resulting `/etc/passwd` line is the same.

#[path = "user_plan.rs"]
mod plan;

use std::collections::BTreeSet;

use self::plan::plan;

use super::utils::accounts::{GroupEntry, PasswdEntry, ShadowEntry};
use super::utils::host::run_checked;
use super::utils::probe::{Answers, Probe};
use super::{ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct User;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "state",
        "uid",
        "non_unique",
        "group",
        "groups",
        "append",
        "comment",
        "home",
        "shell",
        "password",
        "update_password",
        "password_lock",
        "password_expire_max",
        "password_expire_min",
        "password_expire_warn",
        "password_expire_account_disable",
        "expires",
        "create_home",
        "skeleton",
        "umask",
        "system",
        "move_home",
        "force",
        "remove",
        "uid_min",
        "uid_max",
        "generate_ssh_key",
        "ssh_key_bits",
        "ssh_key_type",
        "ssh_key_file",
        "ssh_key_comment",
    ],
    aliases: &[("user", "name"), ("createhome", "create_home")],
    required: &["name"],
    free_form: FreeForm::KeyValue,
    choices: &[("state", &["absent", "present"]), ("update_password", &["always", "on_create"])],
    paths: &["home", "ssh_key_file"],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone, Default)]
pub(super) struct Desired {
    name: String,
    present: bool,
    uid: Option<u32>,
    non_unique: bool,
    group: Option<String>,
    /// `None`: not managed; `Some(empty)`: no supplementary groups.
    groups: Option<Vec<String>>,
    append: bool,
    comment: Option<String>,
    home: Option<String>,
    shell: Option<String>,
    password: Option<String>,
    update_always: bool,
    password_lock: Option<bool>,
    expire_max: Option<i64>,
    expire_min: Option<i64>,
    expire_warn: Option<i64>,
    inactive: Option<i64>,
    /// Days since the epoch; negative: never.
    expires: Option<i64>,
    create_home: bool,
    skeleton: Option<String>,
    umask: Option<String>,
    system: bool,
    move_home: bool,
    force: bool,
    remove: bool,
    uid_min: Option<i64>,
    uid_max: Option<i64>,
    ssh_key: Option<SshKey>,
}

#[derive(Debug, Clone, Default)]
struct SshKey {
    bits: i64,
    kind: String,
    file: String,
    comment: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Observed {
    account: Option<PasswdEntry>,
    shadow: ShadowEntry,
    groups: Vec<GroupEntry>,
    home_exists: bool,
    home_parent_exists: bool,
    private_key_exists: bool,
    public_key_exists: bool,
    /// An existing key's file, fingerprint and public half (Ansible reports
    /// them whether or not it generated the key).
    existing_key: Option<(String, String, String)>,
    hostname: String,
}

impl Observed {
    fn group(&self, name_or_gid: &str) -> Option<&GroupEntry> {
        self.groups
            .iter()
            .find(|g| g.name == name_or_gid)
            .or_else(|| {
                let gid: u32 = name_or_gid.parse().ok()?;
                self.groups.iter().find(|g| g.gid == gid)
            })
    }

    fn member_of(&self, user: &str) -> BTreeSet<String> {
        self.groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m == user))
            .map(|g| g.name.clone())
            .collect()
    }
}

fn int(args: &Args, name: &str) -> Result<Option<i64>, ModuleError> {
    match args.f64(name)? {
        Some(value) if value.fract() == 0.0 => Ok(Some(value as i64)),
        Some(value) => Err(ModuleError::failed(format!(
            "argument `{name}`: expected an integer, got {value}"
        ))),
        None => Ok(None),
    }
}

impl StateModule for User {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "user"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let name = args.str("name")?.unwrap_or_default();
        if name.is_empty() {
            return Err(ModuleError::failed("missing required arguments: name"));
        }
        let present = match args.str("state")?.as_deref() {
            None | Some("present") => true,
            Some("absent") => false,
            Some(other) => {
                return Err(ModuleError::failed(format!(
                    "value of state must be one of: absent, present, got: {other}"
                )));
            }
        };
        let update_always = match args.str("update_password")?.as_deref() {
            None | Some("always") => true,
            Some("on_create") => false,
            Some(other) => {
                return Err(ModuleError::failed(format!(
                    "value of update_password must be one of: always, on_create, got: {other}"
                )));
            }
        };
        let uid = int(args, "uid")?
            .map(|uid| {
                u32::try_from(uid)
                    .map_err(|_| ModuleError::failed(format!("uid {uid} is out of range")))
            })
            .transpose()?;
        let groups = args.str_list("groups")?.map(|list| {
            list.iter()
                .flat_map(|g| g.split(','))
                .map(|g| g.trim().to_string())
                .filter(|g| !g.is_empty())
                .collect()
        });
        let ssh_key = args
            .bool("generate_ssh_key", false)?
            .then(|| -> Result<SshKey, ModuleError> {
                Ok(SshKey {
                    bits: int(args, "ssh_key_bits")?.unwrap_or(0),
                    kind: args.str("ssh_key_type")?.unwrap_or_else(|| "rsa".into()),
                    file: args
                        .str("ssh_key_file")?
                        .unwrap_or_else(|| ".ssh/id_rsa".into()),
                    comment: args.str("ssh_key_comment")?,
                })
            })
            .transpose()?;
        Ok(Desired {
            name,
            present,
            uid,
            non_unique: args.bool("non_unique", false)?,
            group: args.str("group")?,
            groups,
            append: args.bool("append", false)?,
            comment: args.str("comment")?,
            home: args.str("home")?,
            shell: args.str("shell")?,
            password: args.str("password")?,
            update_always,
            password_lock: if args.has("password_lock") {
                Some(args.bool("password_lock", false)?)
            } else {
                None
            },
            expire_max: int(args, "password_expire_max")?,
            expire_min: int(args, "password_expire_min")?,
            expire_warn: int(args, "password_expire_warn")?,
            inactive: int(args, "password_expire_account_disable")?,
            expires: args
                .f64("expires")?
                .map(|seconds| {
                    // Past year 9999 a date cannot be written for useradd.
                    if seconds.is_finite() && seconds < 253_402_300_800.0 {
                        Ok((seconds / 86_400.0).floor() as i64)
                    } else {
                        Err(ModuleError::failed(format!(
                            "argument `expires`: {seconds} is not a time runbook can set"
                        )))
                    }
                })
                .transpose()?,
            create_home: args.bool("create_home", true)?,
            skeleton: args.str("skeleton")?,
            umask: args.str("umask")?,
            system: args.bool("system", false)?,
            move_home: args.bool("move_home", false)?,
            force: args.bool("force", false)?,
            remove: args.bool("remove", false)?,
            uid_min: int(args, "uid_min")?,
            uid_max: int(args, "uid_max")?,
            ssh_key,
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let user = shell_quote(&want.name);
        let mut probe = Probe::new();
        probe.require(&["getent"]);
        probe.require(if want.present {
            &["useradd", "usermod"]
        } else {
            &["userdel"]
        });
        probe
            .ask("passwd", &format!("getent passwd {user}"))
            .ask("shadow", &format!("getent shadow {user}"))
            .ask("groups", "getent group")
            .ask("hostname", "uname -n");
        // The home the account has, or will have: asked about in the same trip.
        let home = format!(
            "home=$(getent passwd {user} | cut -d: -f6); home=${{home:-{}}}",
            shell_quote(want.home.as_deref().unwrap_or(""))
        );
        if let Some(path) = &want.home {
            probe.ask(
                "home_parent",
                &format!("[ -d \"$(dirname {})\" ] && echo yes", shell_quote(path)),
            );
        }
        let wanted_home = want
            .home
            .as_ref()
            .map_or(home.clone(), |path| format!("home={}", shell_quote(path)));
        probe.ask(
            "home",
            &format!("{wanted_home}; [ -n \"$home\" ] && [ -d \"$home\" ] && echo yes"),
        );
        if let Some(key) = &want.ssh_key {
            let file = key_path_sh(&key.file);
            probe
                .ask("key", &format!("{home}; f={file}; [ -e \"$f\" ] && echo yes"))
                .ask(
                    "pub",
                    &format!("{home}; f={file}; [ -e \"$f.pub\" ] && echo yes"),
                )
                .ask("key_file", &format!("{home}; printf '%s\\n' {file}"))
                .ask(
                    "fingerprint",
                    &format!("{home}; f={file}; [ -e \"$f\" ] && ssh-keygen -l -f \"$f\""),
                )
                .ask(
                    "public_key",
                    &format!("{home}; f={file}; [ -e \"$f.pub\" ] && cat -- \"$f.pub\""),
                );
        }
        let answers = probe.run(ctx, "user")?;
        Ok(observed(&answers))
    }

    /// A new account is only announced: Ansible checks its groups when it
    /// creates it, so `--check` reports `changed` even before they exist.
    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        if want.present && have.account.is_none() {
            let mut changes = Changes::none();
            changes.add(
                "created",
                Some(Diff::attribute(&want.name, "state", "absent", "present")),
            );
            return Ok(changes);
        }
        Ok(plan(want, have)?.changes)
    }

    fn apply(
        &self,
        want: &Desired,
        have: &Observed,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let plan = plan(want, have)?;
        let mut stdout = String::new();
        let mut stderr = String::new();
        for step in &plan.steps {
            let output = ctx.connection()?.run(&step.script, step.stdin.as_deref())?;
            stdout.push_str(&output.stdout_text());
            stderr.push_str(&output.stderr_text());
            if output.rc != 0 {
                return Err(ModuleError::failed(format!(
                    "{} failed on {} (rc={}): {}",
                    step.what,
                    ctx.host,
                    output.rc,
                    output.stderr_text().trim()
                )));
            }
        }
        let mut outcome = Outcome::ok();
        if !want.present {
            return Ok(outcome);
        }
        let user = shell_quote(&want.name);
        let account = run_checked(ctx, "getent passwd", &format!("getent passwd {user}"), None)?;
        if let Some(entry) = PasswdEntry::parse(account.stdout_text().lines().next().unwrap_or("")) {
            outcome.data.extend(account_keys(&entry));
            if let Some(key) = &want.ssh_key {
                let file = key_file(&key.file, &entry.home);
                let facts = ctx.connection()?.run(
                    &format!(
                        "ssh-keygen -l -f {0}; echo '@@'; cat {0}.pub",
                        shell_quote(&file)
                    ),
                    None,
                )?;
                let text = facts.stdout_text();
                let (fingerprint, public) = text.split_once("@@\n").unwrap_or((&text, ""));
                outcome.data.insert("ssh_key_file".into(), file.into());
                outcome
                    .data
                    .insert("ssh_fingerprint".into(), fingerprint.trim().into());
                outcome
                    .data
                    .insert("ssh_public_key".into(), public.trim().into());
            }
        }
        if !stdout.is_empty() {
            outcome.data.insert("stdout".into(), stdout.into());
        }
        if !stderr.is_empty() {
            outcome.data.insert("stderr".into(), stderr.into());
        }
        Ok(outcome)
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        let mut outcome = Outcome::ok()
            .with("name", want.name.as_str())
            .with("state", if want.present { "present" } else { "absent" });
        match (&have.account, want.present) {
            (Some(entry), true) => {
                outcome.data.extend(account_keys(entry));
                outcome = outcome
                    .with("append", want.append)
                    .with("move_home", want.move_home);
                if let Some(groups) = &want.groups {
                    outcome = outcome.with("groups", groups.join(","));
                }
                if let Some((file, fingerprint, public)) = &have.existing_key {
                    outcome = outcome
                        .with("ssh_key_file", file.as_str())
                        .with("ssh_fingerprint", fingerprint.as_str())
                        .with("ssh_public_key", public.as_str());
                }
            }
            (None, true) => {
                outcome = outcome
                    .with("system", want.system)
                    .with("create_home", want.create_home);
                if let Some(groups) = &want.groups {
                    outcome = outcome.with("groups", groups.join(","));
                }
            }
            (Some(_), false) => {
                outcome = outcome
                    .with("force", want.force)
                    .with("remove", want.remove);
            }
            (None, false) => {}
        }
        if want.password.is_some() && want.present {
            outcome = outcome.with("password", "NOT_LOGGING_PASSWORD");
        }
        outcome
    }
}

fn account_keys(entry: &PasswdEntry) -> Vec<(String, Value)> {
    vec![
        ("uid".into(), Value::from(entry.uid)),
        ("group".into(), Value::from(entry.gid)),
        ("comment".into(), Value::from(entry.comment.as_str())),
        ("home".into(), Value::from(entry.home.as_str())),
        ("shell".into(), Value::from(entry.shell.as_str())),
    ]
}

/// `sh` for the key file: absolute, or relative to `$home`.
fn key_path_sh(file: &str) -> String {
    if file.starts_with('/') {
        shell_quote(file)
    } else {
        format!("\"$home\"/{}", shell_quote(file))
    }
}

fn key_file(file: &str, home: &str) -> String {
    if file.starts_with('/') {
        file.to_string()
    } else {
        format!("{}/{file}", home.trim_end_matches('/'))
    }
}

fn observed(answers: &Answers) -> Observed {
    Observed {
        account: PasswdEntry::parse(answers.line("passwd")),
        shadow: ShadowEntry::parse(answers.line("shadow")).unwrap_or_default(),
        groups: GroupEntry::parse_all(answers.text("groups")),
        home_exists: answers.yes("home"),
        home_parent_exists: answers.yes("home_parent"),
        private_key_exists: answers.yes("key"),
        public_key_exists: answers.yes("pub"),
        existing_key: answers.yes("key").then(|| {
            (
                answers.line("key_file").to_string(),
                answers.line("fingerprint").to_string(),
                answers.line("public_key").to_string(),
            )
        }),
        hostname: answers.line("hostname").to_string(),
    }
}
