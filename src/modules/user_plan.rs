//! The commands `user` runs for a change, planned from what is wanted and
//! what the host has: `userdel`, `useradd` or `usermod`, then `chage`,
//! the home directory and the SSH key, each with the change it reports.

use std::collections::BTreeSet;

use super::{Desired, Observed, key_file, key_path_sh};
use crate::modules::utils::accounts::PasswdEntry;
use crate::connection::shell_quote;
use crate::modules::{Changes, Diff, ModuleError};

/// One command to run, and what to call it when it fails.
pub(super) struct Step {
    pub(super) what: &'static str,
    pub(super) script: String,
    pub(super) stdin: Option<Vec<u8>>,
}

/// The steps in order, and the changes they make.
pub(super) struct Plan {
    pub(super) steps: Vec<Step>,
    pub(super) changes: Changes,
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

pub(super) fn plan(want: &Desired, have: &Observed) -> Result<Plan, ModuleError> {
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
    use crate::modules::utils::accounts::{GroupEntry, ShadowEntry};

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
