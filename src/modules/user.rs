//! `user`: create, change and remove local accounts with the host's
//! `useradd`, `usermod`, `userdel` and `chage`, and generate an SSH key.
//! One probe reads the account (`getent passwd/shadow/group`), its home and
//! key; the commands are the ones Ansible's `user` module runs on Linux, so
//! the resulting `/etc/passwd` line is the same.

use std::collections::BTreeSet;

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

/// One command to run, and what to call it when it fails.
struct Step {
    what: &'static str,
    script: String,
    stdin: Option<Vec<u8>>,
}

struct Plan {
    steps: Vec<Step>,
    changes: Changes,
}

impl Plan {
    fn run(&mut self, what: &'static str, argv: &[String]) {
        let script: Vec<String> = argv.iter().map(|word| shell_quote(word)).collect();
        self.steps.push(Step {
            what,
            script: script.join(" "),
            stdin: None,
        });
    }

    fn sh(&mut self, what: &'static str, script: String) {
        self.steps.push(Step {
            what,
            script,
            stdin: None,
        });
    }
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| (*w).to_string()).collect()
}

/// `YYYY-MM-DD` of a day counted from the epoch (proleptic Gregorian).
fn civil_date(days: i64) -> String {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn expires_words(days: i64) -> Vec<String> {
    vec![
        "-e".into(),
        if days < 0 { String::new() } else { civil_date(days) },
    ]
}

fn plan(want: &Desired, have: &Observed) -> Result<Plan, ModuleError> {
    let mut plan = Plan {
        steps: Vec::new(),
        changes: Changes::none(),
    };
    let name = want.name.as_str();
    match (&have.account, want.present) {
        (None, false) => {}
        (Some(_), false) => {
            let mut argv = words(&["userdel"]);
            if want.force {
                argv.push("-f".into());
            }
            if want.remove {
                argv.push("-r".into());
            }
            argv.push(name.into());
            plan.run("userdel", &argv);
            plan.changes.add(
                "removed",
                Some(Diff::attribute(name, "state", "present", "absent")),
            );
        }
        (None, true) => create(want, have, &mut plan)?,
        (Some(entry), true) => modify(want, have, entry, &mut plan)?,
    }
    if want.present {
        after_account(want, have, &mut plan);
    }
    Ok(plan)
}

fn create(want: &Desired, have: &Observed, plan: &mut Plan) -> Result<(), ModuleError> {
    let mut argv = words(&["useradd"]);
    if let Some(uid) = want.uid {
        argv.extend(["-u".into(), uid.to_string()]);
        if want.non_unique {
            argv.push("-o".into());
        }
    }
    if let Some(group) = &want.group {
        if have.group(group).is_none() {
            return Err(ModuleError::failed(format!("Group {group} does not exist")));
        }
        argv.extend(["-g".into(), group.clone()]);
    } else if have.group(&want.name).is_some() {
        // A group named like the user exists: useradd would fail creating it.
        argv.push("-N".into());
    }
    if let Some(groups) = &want.groups
        && !groups.is_empty()
    {
        for group in groups {
            if have.group(group).is_none() {
                return Err(ModuleError::failed(format!("Group {group} does not exist")));
            }
        }
        argv.extend(["-G".into(), groups.join(",")]);
    }
    if let Some(comment) = &want.comment {
        argv.extend(["-c".into(), comment.clone()]);
    }
    if let Some(home) = &want.home {
        if want.create_home && !have.home_parent_exists {
            let parent = std::path::Path::new(home)
                .parent()
                .map_or("/".to_string(), |p| p.display().to_string());
            plan.sh("mkdir", format!("mkdir -p {}", shell_quote(&parent)));
        }
        argv.extend(["-d".into(), home.clone()]);
    }
    if let Some(shell) = &want.shell {
        argv.extend(["-s".into(), shell.clone()]);
    }
    if let Some(days) = want.expires {
        argv.extend(expires_words(days));
    }
    if let Some(inactive) = want.inactive {
        argv.extend(["-f".into(), inactive.to_string()]);
    }
    if let Some(password) = &want.password {
        let hash = if want.password_lock == Some(true) {
            format!("!{password}")
        } else {
            password.clone()
        };
        argv.extend(["-p".into(), hash]);
    }
    if want.create_home {
        argv.push("-m".into());
        if let Some(skeleton) = &want.skeleton {
            argv.extend(["-k".into(), skeleton.clone()]);
        }
        if let Some(umask) = &want.umask {
            argv.extend(["-K".into(), format!("UMASK={umask}")]);
        }
    } else {
        argv.push("-M".into());
    }
    if want.system {
        argv.push("-r".into());
    }
    if let Some(min) = want.uid_min {
        argv.extend(["-K".into(), format!("UID_MIN={min}")]);
    }
    if let Some(max) = want.uid_max {
        argv.extend(["-K".into(), format!("UID_MAX={max}")]);
    }
    argv.push(want.name.clone());
    plan.run("useradd", &argv);
    plan.changes.add(
        "created",
        Some(Diff::attribute(&want.name, "state", "absent", "present")),
    );
    Ok(())
}

fn modify(
    want: &Desired,
    have: &Observed,
    entry: &PasswdEntry,
    plan: &mut Plan,
) -> Result<(), ModuleError> {
    let name = want.name.as_str();
    let mut argv = words(&["usermod"]);
    let changed = |plan: &mut Plan, field: &str, before: String, after: String| {
        plan.changes.add(
            format!("{field} {before} -> {after}"),
            Some(Diff::attribute(name, field, &before, &after)),
        );
    };
    if let Some(uid) = want.uid
        && uid != entry.uid
    {
        argv.extend(["-u".into(), uid.to_string()]);
        if want.non_unique {
            argv.push("-o".into());
        }
        changed(plan, "uid", entry.uid.to_string(), uid.to_string());
    }
    if let Some(group) = &want.group {
        let Some(found) = have.group(group) else {
            return Err(ModuleError::failed(format!("Group {group} does not exist")));
        };
        if found.gid != entry.gid {
            argv.extend(["-g".into(), found.gid.to_string()]);
            changed(plan, "group", entry.gid.to_string(), found.gid.to_string());
        }
    }
    if let Some(groups) = &want.groups {
        let current = have.member_of(name);
        let mut wanted = BTreeSet::new();
        for group in groups {
            let Some(found) = have.group(group) else {
                return Err(ModuleError::failed(format!("Group {group} does not exist")));
            };
            wanted.insert(found.name.clone());
        }
        let needs = if wanted.is_empty() {
            !current.is_empty() && !want.append
        } else if want.append {
            wanted.iter().any(|g| !current.contains(g))
        } else {
            wanted != current
        };
        if needs {
            if want.append && !wanted.is_empty() {
                argv.push("-a".into());
            }
            let list: Vec<String> = wanted.iter().cloned().collect();
            argv.extend(["-G".into(), list.join(",")]);
            let before: Vec<String> = current.iter().cloned().collect();
            let after: BTreeSet<String> = if want.append {
                current.union(&wanted).cloned().collect()
            } else {
                wanted.clone()
            };
            let after: Vec<String> = after.into_iter().collect();
            changed(plan, "groups", before.join(","), after.join(","));
        }
    }
    if let Some(comment) = &want.comment
        && *comment != entry.comment
    {
        argv.extend(["-c".into(), comment.clone()]);
        changed(plan, "comment", entry.comment.clone(), comment.clone());
    }
    if let Some(home) = &want.home
        && *home != entry.home
    {
        argv.extend(["-d".into(), home.clone()]);
        if want.move_home {
            argv.push("-m".into());
        }
        changed(plan, "home", entry.home.clone(), home.clone());
    }
    if let Some(shell) = &want.shell
        && *shell != entry.shell
    {
        argv.extend(["-s".into(), shell.clone()]);
        changed(plan, "shell", entry.shell.clone(), shell.clone());
    }
    if let Some(days) = want.expires {
        let current = have.shadow.expire.unwrap_or(-1);
        let differs = if days < 0 {
            current >= 0
        } else {
            current < 0 || current != days
        };
        if differs {
            argv.extend(expires_words(days));
            let show = |d: i64| if d < 0 { "never".to_string() } else { civil_date(d) };
            changed(plan, "expires", show(current), show(days));
        }
    }
    if let Some(inactive) = want.inactive {
        argv.extend(["-f".into(), inactive.to_string()]);
    }
    let locked = have.shadow.hash.starts_with('!');
    match want.password_lock {
        Some(true) if !locked => {
            argv.push("-L".into());
            changed(plan, "password_lock", "no".into(), "yes".into());
        }
        Some(false) if locked => {
            argv.push("-U".into());
            changed(plan, "password_lock", "yes".into(), "no".into());
        }
        _ => {}
    }
    if want.update_always
        && let Some(password) = &want.password
        && have.shadow.hash.trim_start_matches('!') != password.trim_start_matches('!')
    {
        argv.retain(|word| word != "-L" && word != "-U");
        let hash = if want.password_lock == Some(true) {
            format!("!{password}")
        } else {
            password.clone()
        };
        argv.extend(["-p".into(), hash]);
        plan.changes.add("password", None);
    }
    if argv.len() > 1 {
        argv.push(name.into());
        plan.run("usermod", &argv);
        if want.inactive.is_some() && plan.changes.is_empty() {
            // Ansible passes -f on every run, so the task always reports changed.
            plan.changes.add("password_expire_account_disable", None);
        }
    }
    Ok(())
}

/// What Ansible does once the account exists: a missing home, password
/// ageing (`chage`) and the SSH key.
fn after_account(want: &Desired, have: &Observed, plan: &mut Plan) {
    let name = want.name.as_str();
    let exists = have.account.is_some();
    if exists && want.create_home && !have.home_exists {
        let home = want
            .home
            .clone()
            .or_else(|| have.account.as_ref().map(|a| a.home.clone()))
            .unwrap_or_default();
        if !home.is_empty() {
            let quoted = shell_quote(&home);
            plan.sh(
                "creating the home directory",
                format!(
                    "mkdir -p {quoted} && {{ [ ! -d /etc/skel ] || cp -a /etc/skel/. {quoted}; }} && chown -R {user}: {quoted}",
                    user = shell_quote(name)
                ),
            );
            plan.changes.add(
                "home created",
                Some(Diff::attribute(&home, "state", "absent", "directory")),
            );
        }
    }
    let mut chage = words(&["chage"]);
    let shadow = &have.shadow;
    for (flag, want_days, have_days) in [
        ("-M", want.expire_max, shadow.max),
        ("-m", want.expire_min, shadow.min),
        ("-W", want.expire_warn, shadow.warn),
    ] {
        if let Some(days) = want_days
            && (!exists || have_days != Some(days))
        {
            chage.extend([flag.into(), days.to_string()]);
        }
    }
    if chage.len() > 1 {
        chage.push(name.into());
        plan.run("chage", &chage);
        plan.changes.add("password ageing", None);
    }
    if let Some(key) = &want.ssh_key
        && !have.private_key_exists
        && !have.public_key_exists
    {
        let user = shell_quote(name);
        let mut argv = vec![
            "ssh-keygen".to_string(),
            "-q".into(),
            "-t".into(),
            key.kind.clone(),
        ];
        if key.bits > 0 {
            argv.extend(["-b".into(), key.bits.to_string()]);
        }
        let comment = key
            .comment
            .clone()
            .unwrap_or_else(|| format!("ansible-generated on {}", have.hostname));
        argv.extend(["-C".into(), comment, "-N".into(), String::new(), "-f".into()]);
        let keygen: Vec<String> = argv.iter().map(|w| shell_quote(w)).collect();
        // The home is known only once the account exists: read it on the host.
        let script = format!(
            "home=$(getent passwd {user} | cut -d: -f6)\n\
             case {file} in /*) ;; *) [ -n \"$home\" ] && [ -d \"$home\" ] || {{ echo \"User {name} home directory does not exist\" >&2; exit 1; }} ;; esac\n\
             f={path}; d=$(dirname \"$f\")\n\
             [ -d \"$d\" ] || {{ mkdir -m 0700 \"$d\" && chown {user}: \"$d\"; }} || exit 1\n\
             {keygen} \"$f\" </dev/null >/dev/null || exit 1\n\
             chown {user}: \"$f\" \"$f.pub\"\n",
            file = shell_quote(&key.file),
            path = key_path_sh(&key.file),
            keygen = keygen.join(" "),
        );
        plan.sh("ssh-keygen", script);
        let shown = match &have.account {
            Some(account) => key_file(&key.file, want.home.as_deref().unwrap_or(&account.home)),
            None => key_file(&key.file, &format!("~{name}")),
        };
        plan.changes.add(
            "ssh key",
            Some(Diff::attribute(&shown, "state", "absent", "file")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_723), "2024-01-01");
        assert_eq!(civil_date(-1), "1969-12-31");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }

    fn entry() -> PasswdEntry {
        PasswdEntry::parse("alice:x:1001:1001::/home/alice:/bin/sh").expect("reads")
    }

    fn observed_alice(groups: &str) -> Observed {
        Observed {
            account: Some(entry()),
            shadow: ShadowEntry::parse("alice:!:19000:0:99999:7:::").unwrap_or_default(),
            groups: GroupEntry::parse_all(groups),
            home_exists: true,
            ..Observed::default()
        }
    }

    #[test]
    fn an_account_as_wanted_needs_nothing() {
        let want = Desired {
            name: "alice".into(),
            present: true,
            shell: Some("/bin/sh".into()),
            groups: Some(vec!["ops".into()]),
            create_home: true,
            ..Desired::default()
        };
        let have = observed_alice("alice:x:1001:\nops:x:2000:alice\n");
        assert!(plan(&want, &have).expect("plans").changes.is_empty());
    }

    #[test]
    fn append_adds_only_missing_groups() {
        let want = Desired {
            name: "alice".into(),
            present: true,
            groups: Some(vec!["dev".into()]),
            append: true,
            ..Desired::default()
        };
        let have = observed_alice("ops:x:2000:alice\ndev:x:2001:\n");
        let planned = plan(&want, &have).expect("plans");
        assert_eq!(planned.steps.len(), 1);
        assert_eq!(planned.steps[0].script, "usermod -a -G dev alice");
        let missing = Desired {
            groups: Some(vec!["nope".into()]),
            ..want
        };
        assert!(plan(&missing, &have).is_err());
    }
}
