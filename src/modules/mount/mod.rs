//! `mount` (ansible.posix): a filesystem's line in fstab and its place in
//! the mount table, with the host's `mount` and `umount` (util-linux or
//! busybox) and nothing else. Decisions are Ansible's, quirks included: a
//! matching fstab line with 4 or 5 fields is rewritten with all 6, removal
//! only takes lines of exactly 6 fields, `mounted` remounts an entry whose
//! line changed, and a failed mount puts fstab back and removes the
//! directories it made. Linux hosts only.

use std::collections::BTreeMap;

use super::utils::host::{backup_file, run_checked, write_file};
use super::utils::probe::Probe;
use super::{ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;
use crate::value::Value;

mod fstab;
mod mountinfo;

use fstab::{set_entry, unset_entry};
use mountinfo::{Mounted, parse_mountinfo};

pub(super) struct Mount;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "path",
        "src",
        "fstype",
        "opts",
        "opts_no_log",
        "dump",
        "passno",
        "fstab",
        "boot",
        "backup",
        "state",
    ],
    aliases: &[("name", "path")],
    required: &["path", "state"],
    free_form: FreeForm::KeyValue,
    choices: &[(
        "state",
        &[
            "absent",
            "absent_from_fstab",
            "mounted",
            "present",
            "unmounted",
            "remounted",
            "ephemeral",
        ],
    )],
    paths: &["path", "src"],
    ..ArgSpec::EMPTY
};

const DEFAULT_FSTAB: &str = "/etc/fstab";
/// What Ansible prints in place of a value marked `no_log`.
const MASK: &str = "********";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Absent,
    AbsentFromFstab,
    Mounted,
    Present,
    Unmounted,
    Remounted,
    Ephemeral,
}

impl State {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "absent" => Self::Absent,
            "absent_from_fstab" => Self::AbsentFromFstab,
            "mounted" => Self::Mounted,
            "present" => Self::Present,
            "unmounted" => Self::Unmounted,
            "remounted" => Self::Remounted,
            "ephemeral" => Self::Ephemeral,
            _ => return None,
        })
    }

    fn uses_fstab(self) -> bool {
        self != Self::Ephemeral
    }
}

#[derive(Debug, Clone)]
pub(super) struct Desired {
    state: State,
    path: String,
    src: Option<String>,
    fstype: Option<String>,
    /// With `noauto` added when `boot` is false, as Ansible adds it.
    opts: String,
    dump: String,
    passno: String,
    fstab: String,
    boot: bool,
    backup: bool,
    opts_no_log: bool,
    warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    /// The fstab's text; `None` when the file does not exist.
    fstab: Option<String>,
    /// Mounts by mount point (the last one listed wins, as in Ansible).
    mounts: BTreeMap<String, Mounted>,
    path_exists: bool,
    /// `path` is a mount point by `stat` (device or inode of `path/..`).
    is_mount_point: bool,
}

impl Observed {
    /// Ansible's `ismount(path) or is_bind_mounted(path)`.
    fn mounted(&self, path: &str) -> bool {
        self.is_mount_point || self.mounts.contains_key(path)
    }
}

/// What the host needs after the fstab, decided once for `diff` and `apply`.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Nothing,
    Mount,
    Remount,
    Unmount,
    /// `absent`: unmount (when mounted) and remove the mount point (when it exists).
    Remove { unmount: bool, rmdir: bool },
}

#[derive(Debug, Clone, PartialEq)]
struct Plan {
    changed: bool,
    /// The new fstab, when it differs from the old.
    fstab: Option<String>,
    action: Action,
}

fn plan(want: &Desired, have: &Observed) -> Result<Plan, ModuleError> {
    let fstab = have.fstab.as_deref().unwrap_or("");
    let mounted = have.mounted(&want.path);
    let with_fstab = |(text, changed): (String, bool)| changed.then_some(text);
    let plan = match want.state {
        State::AbsentFromFstab => {
            let new = with_fstab(unset_entry(want, fstab));
            Plan {
                changed: new.is_some(),
                fstab: new,
                action: Action::Nothing,
            }
        }
        State::Absent => {
            let new = with_fstab(unset_entry(want, fstab));
            let action = if new.is_some() {
                Action::Remove {
                    unmount: mounted,
                    rmdir: have.path_exists,
                }
            } else {
                Action::Nothing
            };
            Plan {
                changed: new.is_some(),
                fstab: new,
                action,
            }
        }
        State::Unmounted => Plan {
            changed: mounted,
            fstab: None,
            action: if mounted { Action::Unmount } else { Action::Nothing },
        },
        State::Present => {
            let new = with_fstab(set_entry(want, fstab));
            Plan {
                changed: new.is_some(),
                fstab: new,
                action: Action::Nothing,
            }
        }
        State::Remounted => Plan {
            changed: true,
            fstab: None,
            action: Action::Remount,
        },
        State::Mounted => {
            let new = with_fstab(set_entry(want, fstab));
            let is_mounted = have.is_mount_point
                || have
                    .mounts
                    .get(&want.path)
                    .is_some_and(|mount| mount.src == want.src_or_empty());
            let action = match (is_mounted, new.is_some()) {
                (false, _) => Action::Mount,
                (true, true) => Action::Remount,
                (true, false) => Action::Nothing,
            };
            Plan {
                changed: action != Action::Nothing || new.is_some(),
                fstab: new,
                action,
            }
        }
        State::Ephemeral => {
            let src = want.src_or_empty();
            let action = if have.is_mount_point
                || have.mounts.get(&want.path).is_some_and(|mount| mount.src == src)
            {
                let same_source = have
                    .mounts
                    .get(&want.path)
                    .is_some_and(|mount| mount.src == src || mount.device == src);
                if !same_source {
                    return Err(ModuleError::failed(
                        "Ephemeral mount point is already mounted with a different source than \
                         the specified one. Failing in order to prevent an unwanted unmount or \
                         override operation. Try replacing this command with a \"state: unmounted\" \
                         followed by a \"state: ephemeral\", or use a different destination path.",
                    ));
                }
                Action::Remount
            } else {
                Action::Mount
            };
            Plan {
                changed: true,
                fstab: None,
                action,
            }
        }
    };
    Ok(plan)
}

impl StateModule for Mount {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "mount"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let state_text = args.str("state")?.unwrap_or_default();
        let state = State::parse(&state_text).ok_or_else(|| {
            ModuleError::failed(format!(
                "value of state must be one of: absent, absent_from_fstab, mounted, present, \
                 unmounted, remounted, ephemeral, got: {state_text}"
            ))
        })?;
        let src = args.str("src")?;
        let fstype = args.str("fstype")?;
        if matches!(state, State::Mounted | State::Present | State::Ephemeral) {
            let missing: Vec<&str> = [("src", &src), ("fstype", &fstype)]
                .into_iter()
                .filter(|(_, value)| value.is_none())
                .map(|(name, _)| name)
                .collect();
            if !missing.is_empty() {
                return Err(ModuleError::failed(format!(
                    "state is {state_text} but all of the following are missing: {}",
                    missing.join(", ")
                )));
            }
        }
        let boot = args.bool("boot", true)?;
        let mut opts = args.str("opts")?.unwrap_or_else(|| "defaults".into());
        let mut warnings = Vec::new();
        let listed: Vec<&str> = opts.split(',').collect();
        if boot && listed.contains(&"noauto") {
            warnings.push("Ignore the 'boot' due to 'opts' contains 'noauto'.".to_string());
        } else if !boot {
            opts.push_str(",noauto");
        }
        Ok(Desired {
            state,
            path: args.str("path")?.unwrap_or_default(),
            src,
            fstype,
            opts,
            dump: args.str("dump")?.unwrap_or_else(|| "0".into()),
            passno: args.str("passno")?.unwrap_or_else(|| "0".into()),
            fstab: args.str("fstab")?.unwrap_or_else(|| DEFAULT_FSTAB.into()),
            boot,
            backup: args.bool("backup", false)?,
            opts_no_log: args.bool("opts_no_log", false)?,
            warnings,
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let path = shell_quote(&want.path);
        let fstab = shell_quote(&want.fstab);
        let mut probe = Probe::new();
        if matches!(
            want.state,
            State::Mounted | State::Ephemeral | State::Remounted
        ) {
            probe.require(&["mount", "umount"]);
        }
        if matches!(want.state, State::Absent | State::Unmounted) {
            probe.require(&["umount"]);
        }
        let answers = probe
            .ask("system", "uname -s")
            .ask("fstab", &format!("[ -f {fstab} ] && echo yes && cat -- {fstab}"))
            .ask("mountinfo", "cat /proc/self/mountinfo")
            .ask("exists", &format!("{{ [ -e {path} ] || [ -L {path} ]; }} && echo yes"))
            .ask(
                "mount_point",
                &format!(
                    "[ ! -L {path} ] && [ -e {path} ] && set -- $(stat -c '%d %i' -- {path}) \
                     $(stat -L -c '%d %i' -- {path}/..) && \
                     {{ [ \"$1\" != \"$3\" ] || [ \"$2\" = \"$4\" ]; }} && echo yes"
                ),
            )
            .run(ctx, "mount")?;
        let system = answers.line("system");
        if system != "Linux" {
            return Err(ModuleError::failed(format!(
                "runbook's mount manages Linux hosts; {} runs {}",
                ctx.host,
                if system.is_empty() { "an unknown system" } else { system }
            )));
        }
        let fstab_answer = answers.text("fstab");
        Ok(Observed {
            fstab: fstab_answer.strip_prefix("yes\n").map(str::to_string),
            mounts: parse_mountinfo(answers.text("mountinfo")),
            path_exists: answers.yes("exists"),
            is_mount_point: answers.yes("mount_point"),
        })
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let plan = plan(want, have)?;
        let mut changes = Changes::none();
        if !plan.changed {
            return Ok(changes);
        }
        if let Some(after) = &plan.fstab {
            let diff = (!want.opts_no_log)
                .then(|| Diff::content(&want.fstab, have.fstab.clone().unwrap_or_default(), after.clone()));
            changes.add(format!("{} in {}", want.path, want.fstab), diff);
        }
        let what = match plan.action {
            Action::Nothing => None,
            Action::Mount => Some("mount"),
            Action::Remount => Some("remount"),
            Action::Unmount | Action::Remove { unmount: true, .. } => Some("unmount"),
            Action::Remove { unmount: false, .. } => None,
        };
        if let Some(what) = what {
            changes.add(format!("{what} {}", want.path), None);
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
        let plan = plan(want, have)?;
        let mut outcome = Outcome::ok();
        let mut created = Vec::new();
        if matches!(want.state, State::Mounted | State::Ephemeral) && !have.path_exists {
            created = make_mount_point(ctx, &want.path)?;
        }
        if let Some(fstab) = &plan.fstab {
            if want.backup && have.fstab.is_some() {
                let backup = backup_file(ctx, &want.fstab)?;
                outcome = outcome.with("backup_file", Value::from(backup));
            }
            if have.fstab.is_none() {
                let dir = std::path::Path::new(&want.fstab)
                    .parent()
                    .map_or_else(|| ".".to_string(), |dir| dir.display().to_string());
                run_checked(ctx, &format!("creating {dir}"), &format!("mkdir -p -- {}", shell_quote(&dir)), None)?;
            }
            write_file(ctx, &want.fstab, fstab.as_bytes(), None)?;
        }
        let path = shell_quote(&want.path);
        let failure = match plan.action {
            Action::Nothing => None,
            Action::Mount => run_mount(ctx, &mount_command(want, None))?.err(),
            Action::Remount => remount(ctx, want)?.err(),
            Action::Unmount => {
                return unmount(ctx, &want.path).map(|()| outcome);
            }
            Action::Remove { unmount: umount, rmdir } => {
                if umount {
                    unmount(ctx, &want.path)?;
                }
                if rmdir {
                    let script = format!("rmdir -- {path}");
                    let output = ctx.connection()?.run(&script, None)?;
                    if output.rc != 0 {
                        return Err(ModuleError::failed(format!(
                            "Error rmdir {}: {}",
                            want.path,
                            output.stderr_text().trim()
                        )));
                    }
                }
                None
            }
        };
        let Some(message) = failure else {
            return Ok(outcome);
        };
        if want.state == State::Remounted {
            return Err(ModuleError::failed(format!(
                "Error remounting {}: {message}",
                want.path
            )));
        }
        // A line that does not mount may stop the host booting: put the
        // old fstab back and take away the directories made for it.
        if plan.fstab.is_some() {
            write_file(ctx, &want.fstab, have.fstab.as_deref().unwrap_or("").as_bytes(), None)?;
        }
        if !created.is_empty() {
            let dirs: Vec<String> = created.iter().rev().map(|dir| shell_quote(dir)).collect();
            ctx.connection()?
                .run(&format!("rmdir -- {} 2>/dev/null", dirs.join(" ")), None)?;
        }
        Err(ModuleError::failed(format!(
            "Error mounting {}: {message}",
            want.path
        )))
    }

    fn describe(&self, want: &Desired, _have: &Observed) -> Outcome {
        let opts = if want.opts_no_log { MASK } else { want.opts.as_str() };
        let mut outcome = Outcome::ok()
            .with("name", Value::from(want.path.as_str()))
            .with("opts", Value::from(opts))
            .with("dump", Value::from(want.dump.as_str()))
            .with("passno", Value::from(want.passno.as_str()))
            .with("fstab", Value::from(want.fstab.as_str()))
            .with("boot", Value::from(if want.boot { "yes" } else { "no" }))
            .with("backup_file", Value::from(""));
        if let Some(src) = &want.src {
            outcome = outcome.with("src", Value::from(src.as_str()));
        }
        if let Some(fstype) = &want.fstype {
            outcome = outcome.with("fstype", Value::from(fstype.as_str()));
        }
        if !want.warnings.is_empty() {
            let warnings: Vec<Value> = want.warnings.iter().map(|w| Value::from(w.as_str())).collect();
            outcome = outcome.with("warnings", Value::from(warnings));
        }
        outcome
    }
}

/// `mkdir` each missing directory down to `path`; returns those made, so a
/// failed mount can take them away again.
fn make_mount_point(ctx: &mut ModuleContext, path: &str) -> Result<Vec<String>, ModuleError> {
    let mut prefixes = Vec::new();
    let mut current = String::new();
    for part in path.trim_matches('/').split('/').filter(|part| !part.is_empty()) {
        if path.starts_with('/') || !current.is_empty() {
            current.push('/');
        }
        current.push_str(part);
        prefixes.push(shell_quote(&current));
    }
    let script = format!(
        "for dir in {}; do\n  [ -e \"$dir\" ] && continue\n  mkdir -- \"$dir\" 2>/dev/null || [ -d \"$dir\" ] || {{ mkdir -- \"$dir\"; exit 1; }}\n  printf '%s\\n' \"$dir\"\ndone",
        prefixes.join(" ")
    );
    let output = ctx.connection()?.run(&script, None)?;
    if output.rc != 0 {
        return Err(ModuleError::failed(format!(
            "Error making dir {path}: {}",
            output.stderr_text().trim()
        )));
    }
    Ok(output.stdout_text().lines().map(str::to_string).collect())
}

/// `-T FILE` when the fstab is not the system's.
fn fstab_flag(want: &Desired) -> String {
    if want.state.uses_fstab() && want.fstab != DEFAULT_FSTAB {
        format!(" -T {}", shell_quote(&want.fstab))
    } else {
        String::new()
    }
}

/// What mounts `path`: from its fstab line, or (`ephemeral`) from the
/// arguments; `-o OPTIONS` first when given (a remount).
fn mount_command(want: &Desired, options: Option<&str>) -> String {
    let mut command = String::from("mount");
    if let Some(options) = options {
        command.push_str(&format!(" -o {}", shell_quote(options)));
    }
    command.push_str(&fstab_flag(want));
    if want.state == State::Ephemeral {
        command.push_str(&format!(
            " -t {}",
            shell_quote(want.fstype.as_deref().unwrap_or(""))
        ));
        if want.opts != "defaults" {
            command.push_str(&format!(" -o {}", shell_quote(&want.opts)));
        }
        command.push_str(&format!(" {}", shell_quote(want.src_or_empty())));
    }
    format!("{command} {}", shell_quote(&want.path))
}

/// Run a mount command; its output is the failure message.
fn run_mount(ctx: &mut ModuleContext, command: &str) -> Result<Result<(), String>, ModuleError> {
    let output = ctx.connection()?.run(&format!("LANG=C LC_ALL=C {command}"), None)?;
    Ok(if output.rc == 0 {
        Ok(())
    } else {
        Err(format!("{}{}", output.stdout_text(), output.stderr_text()))
    })
}

/// `mount -o remount`, falling back (as Ansible does) to `umount` and `mount`.
fn remount(ctx: &mut ModuleContext, want: &Desired) -> Result<Result<(), String>, ModuleError> {
    let options = if want.state == State::Remounted && want.opts != "defaults" {
        format!("remount,{}", want.opts)
    } else {
        "remount".to_string()
    };
    if run_mount(ctx, &mount_command(want, Some(&options)))?.is_ok() {
        return Ok(Ok(()));
    }
    if want.state == State::Remounted && want.opts != "defaults" {
        return Err(ModuleError::failed(
            "Options were specified with remounted, but the remount command failed. Failing in \
             order to prevent an unexpected mount result. Try replacing this command with a \
             \"state: unmounted\" followed by a \"state: mounted\" using the full desired mount \
             options instead.",
        ));
    }
    if let Err(message) = run_mount(ctx, &format!("umount {}", shell_quote(&want.path)))? {
        return Ok(Err(message));
    }
    run_mount(ctx, &mount_command(want, None))
}

fn unmount(ctx: &mut ModuleContext, path: &str) -> Result<(), ModuleError> {
    run_mount(ctx, &format!("umount {}", shell_quote(path)))?
        .map_err(|message| ModuleError::failed(format!("Error unmounting {path}: {message}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want(state: State) -> Desired {
        Desired {
            state,
            path: "/srv/data".into(),
            src: Some("tmpfs".into()),
            fstype: Some("tmpfs".into()),
            opts: "size=8m".into(),
            dump: "0".into(),
            passno: "0".into(),
            fstab: DEFAULT_FSTAB.into(),
            boot: true,
            backup: false,
            opts_no_log: false,
            warnings: Vec::new(),
        }
    }

    /// A host whose `/srv/data` is a mount point when `mountinfo` lists it.
    fn host(fstab: &str, mountinfo: &str) -> Observed {
        let mounts = parse_mountinfo(mountinfo);
        Observed {
            fstab: Some(fstab.into()),
            is_mount_point: mounts.contains_key("/srv/data"),
            mounts,
            path_exists: true,
        }
    }

    #[test]
    fn a_short_matching_line_is_rewritten_whole_and_others_kept() {
        let fstab = "# static\nUUID=1 / ext4 defaults 0 1\ntmpfs /srv/data tmpfs size=8m\n\nbad line\n";
        let (text, changed) = set_entry(&want(State::Present), fstab);
        assert!(changed);
        assert_eq!(
            text,
            "# static\nUUID=1 / ext4 defaults 0 1\ntmpfs /srv/data tmpfs size=8m 0 0\n\nbad line\n"
        );
        assert_eq!(set_entry(&want(State::Present), &text), (text.clone(), false));
    }

    #[test]
    fn a_new_line_escapes_spaces_and_removal_takes_only_six_field_lines() {
        let mut spaced = want(State::Present);
        spaced.path = "/srv/my dir".into();
        let (text, changed) = set_entry(&spaced, "");
        assert!(changed);
        assert_eq!(text, "tmpfs /srv/my\\040dir tmpfs size=8m 0 0\n");
        let fstab = "tmpfs /srv/data tmpfs size=8m\ntmpfs /srv/data tmpfs size=8m 0 0\n";
        assert_eq!(
            unset_entry(&want(State::Absent), fstab),
            ("tmpfs /srv/data tmpfs size=8m\n".to_string(), true)
        );
    }

    #[test]
    fn swap_lines_belong_to_their_source() {
        let mut swap = want(State::Present);
        swap.path = "none".into();
        swap.src = Some("/dev/sdb1".into());
        swap.fstype = Some("swap".into());
        swap.opts = "sw".into();
        let fstab = "/dev/sda2 none swap sw 0 0\n";
        let (text, changed) = set_entry(&swap, fstab);
        assert!(changed);
        assert_eq!(text, "/dev/sda2 none swap sw 0 0\n/dev/sdb1 none swap sw 0 0\n");
    }

    #[test]
    fn mounted_mounts_remounts_on_a_changed_line_and_then_rests() {
        let fresh = plan(&want(State::Mounted), &host("", "")).expect("plan");
        assert_eq!(fresh.action, Action::Mount);
        assert!(fresh.changed && fresh.fstab.is_some());
        let line = "tmpfs /srv/data tmpfs size=8m 0 0\n";
        let mounted = "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n90 22 0:50 / /srv/data rw - tmpfs tmpfs rw\n";
        let settled = plan(&want(State::Mounted), &host(line, mounted)).expect("plan");
        assert_eq!((settled.changed, settled.action), (false, Action::Nothing));
        let mut bigger = want(State::Mounted);
        bigger.opts = "size=16m".into();
        let changed = plan(&bigger, &host(line, mounted)).expect("plan");
        assert_eq!(changed.action, Action::Remount);
        let ephemeral = plan(&want(State::Ephemeral), &host("", mounted)).expect("plan");
        assert_eq!((ephemeral.changed, ephemeral.action), (true, Action::Remount));
        let mut other = want(State::Ephemeral);
        other.src = Some("/dev/sdc1".into());
        assert!(plan(&other, &host("", mounted)).is_err());
    }

    #[test]
    fn absent_only_acts_on_a_path_fstab_names() {
        let mounted = "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n90 22 0:50 / /srv/data rw - tmpfs tmpfs rw\n";
        let unlisted = plan(&want(State::Absent), &host("", mounted)).expect("plan");
        assert_eq!((unlisted.changed, unlisted.action), (false, Action::Nothing));
        let listed = plan(&want(State::Absent), &host("tmpfs /srv/data tmpfs size=8m 0 0\n", mounted)).expect("plan");
        assert_eq!(
            listed.action,
            Action::Remove {
                unmount: true,
                rmdir: true
            }
        );
        assert_eq!(listed.fstab.as_deref(), Some(""));
    }

    proptest::proptest! {
        #[test]
        fn a_planned_fstab_is_then_as_wanted(
            lines in proptest::collection::vec("[a-z/ #=0-9]{0,24}", 0..6),
            opts in "[a-z=0-9]{1,8}",
        ) {
            let fstab: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let mut wanted = want(State::Present);
            wanted.opts = opts;
            let (after, _) = set_entry(&wanted, &fstab);
            proptest::prop_assert_eq!(set_entry(&wanted, &after), (after.clone(), false));
            let (removed, _) = unset_entry(&want(State::Absent), &after);
            proptest::prop_assert!(!unset_entry(&want(State::Absent), &removed).1);
            let _ = parse_mountinfo(&fstab);
        }
    }
}
