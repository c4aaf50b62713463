//! `sysctl` (ansible.posix): keep a kernel parameter in a sysctl file and,
//! with `sysctl_set`, in the running kernel (`sysctl -w`); `reload` applies
//! the file with `sysctl -p FILE`. The file is rewritten as Ansible does
//! (one `key=value` per setting, first occurrence kept).

use super::utils::host::write_file;
use super::utils::probe::Probe;
use super::{ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;

pub(super) struct Sysctl;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "value",
        "state",
        "reload",
        "sysctl_set",
        "ignoreerrors",
        "sysctl_file",
    ],
    aliases: &[("key", "name"), ("val", "value")],
    required: &["name"],
    free_form: FreeForm::KeyValue,
    choices: &[("state", &["present", "absent"])],
    paths: &["sysctl_file"],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone)]
pub(super) struct Desired {
    name: String,
    value: String,
    present: bool,
    reload: bool,
    set: bool,
    ignore_errors: bool,
    file: String,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    /// What `sysctl -n` printed; `None` when the key cannot be read.
    running: Option<String>,
    /// The file's lines, trimmed; `None` when it does not exist.
    lines: Option<Vec<String>>,
    /// The file's path once symlinks are followed.
    real_file: String,
}

/// What to do, decided once for `diff` and `apply` (Ansible's flags).
struct Plan {
    changed: bool,
    write_file: bool,
    set_running: bool,
    text: String,
}

fn sysctl_value(text: &str) -> String {
    match text.to_lowercase().as_str() {
        "y" | "yes" | "on" | "1" | "true" | "1.0" | "t" => "1".into(),
        "n" | "no" | "off" | "0" | "false" | "0.0" | "f" => "0".into(),
        _ => text.trim().to_string(),
    }
}

fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

fn is_setting(line: &str) -> bool {
    let line = line.trim();
    !(line.is_empty() || line.starts_with('#') || line.starts_with(';') || !line.contains('='))
}

fn split_setting(line: &str) -> (String, String) {
    let (key, value) = line.trim().split_once('=').unwrap_or((line, ""));
    (key.trim().to_string(), value.trim().to_string())
}

fn plan(want: &Desired, have: &Observed) -> Plan {
    let lines = have.lines.clone().unwrap_or_default();
    let mut in_file: Option<String> = None;
    for line in &lines {
        if is_setting(line) {
            let (key, value) = split_setting(line);
            if key == want.name {
                in_file = Some(value);
            }
        }
    }
    let mut fixed: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for line in &lines {
        if !is_setting(line) {
            fixed.push(line.clone());
            continue;
        }
        let (key, value) = split_setting(line);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key.clone());
        if key == want.name {
            if want.present {
                fixed.push(format!("{key}={}", want.value));
            }
        } else {
            fixed.push(format!("{key}={value}"));
        }
    }
    if !seen.contains(&want.name) && want.present {
        fixed.push(format!("{}={}", want.name, want.value));
    }
    let mut changed = false;
    let mut write_file = false;
    let mut set_running = false;
    match (&in_file, want.present) {
        (None, true) => (changed, write_file) = (true, true),
        (None, false) => {}
        (Some(value), false) if !value.is_empty() => (changed, write_file) = (true, true),
        (Some(value), _) if *value != want.value => (changed, write_file) = (true, true),
        _ if want.reload => {
            changed = have
                .running
                .as_deref()
                .is_none_or(|running| !same_words(running, &want.value));
        }
        _ => {}
    }
    if want.set && want.present {
        match have.running.as_deref() {
            None => changed = true,
            Some(running) if !same_words(running, &want.value) => {
                changed = true;
                set_running = true;
            }
            Some(_) => {}
        }
    }
    let text: String = fixed.iter().map(|l| format!("{}\n", l.trim())).collect();
    Plan {
        changed,
        write_file,
        set_running,
        text,
    }
}

impl StateModule for Sysctl {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "sysctl"
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
                    "value of state must be one of: present, absent, got: {other}"
                )));
            }
        };
        let name = args.str("name")?.unwrap_or_default().trim().to_string();
        if name.is_empty() {
            return Err(ModuleError::failed("name cannot be blank"));
        }
        let value = args.str("value")?;
        if present {
            match value.as_deref() {
                None => {
                    return Err(ModuleError::failed(
                        "state is present but all of the following are missing: value",
                    ));
                }
                Some("") => return Err(ModuleError::failed("value cannot be blank")),
                Some(_) => {}
            }
        }
        Ok(Desired {
            name,
            value: value.as_deref().map(sysctl_value).unwrap_or_default(),
            present,
            reload: args.bool("reload", true)?,
            set: args.bool("sysctl_set", false)?,
            ignore_errors: args.bool("ignoreerrors", false)?,
            file: args
                .str("sysctl_file")?
                .unwrap_or_else(|| "/etc/sysctl.conf".into()),
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let file = shell_quote(&want.file);
        let answers = Probe::new()
            .require(&["sysctl"])
            .ask(
                "running",
                &format!(
                    "LANG=C LC_ALL=C sysctl -e -n {} && echo '@ok'",
                    shell_quote(&want.name)
                ),
            )
            .ask("exists", &format!("[ -f {file} ] && echo yes"))
            .ask("text", &format!("[ -f {file} ] && cat -- {file}"))
            .ask("real", &format!("readlink -f -- {file} || printf '%s\\n' {file}"))
            .run(ctx, "sysctl")?;
        let running = answers
            .text("running")
            .strip_suffix("@ok\n")
            .map(str::to_string);
        let real = answers.line("real");
        Ok(Observed {
            running,
            lines: answers
                .yes("exists")
                .then(|| answers.text("text").lines().map(|l| l.trim().to_string()).collect()),
            real_file: if real.is_empty() {
                want.file.clone()
            } else {
                real.to_string()
            },
        })
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let plan = plan(want, have);
        let mut changes = Changes::none();
        if plan.write_file {
            let before: String = have
                .lines
                .iter()
                .flatten()
                .map(|l| format!("{l}\n"))
                .collect();
            changes.add(
                "sysctl file",
                Some(Diff::content(&want.file, before, plan.text.clone())),
            );
        }
        if plan.changed {
            let running = have.running.as_deref().unwrap_or("").trim().to_string();
            let diff = (want.set && want.present && !same_words(&running, &want.value))
                .then(|| Diff::attribute(&want.name, "value", &running, &want.value));
            changes.add(format!("{} = {}", want.name, want.value), diff);
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
        let plan = plan(want, have);
        let ignore = if want.ignore_errors { "-e " } else { "" };
        if plan.set_running {
            let value = if want.value.split_whitespace().next().is_some() {
                format!("\"{}\"", want.value)
            } else {
                want.value.clone()
            };
            let assignment = shell_quote(&format!("{}={value}", want.name));
            sysctl_run(
                ctx,
                &format!("setting {} failed", want.name),
                &format!("LANG=C LC_ALL=C sysctl {ignore}-w {assignment}"),
            )?;
        }
        if plan.write_file {
            write_file(ctx, &have.real_file, plan.text.as_bytes(), None)?;
        }
        if plan.changed && want.reload {
            sysctl_run(
                ctx,
                "Failed to reload sysctl",
                &format!("LANG=C LC_ALL=C sysctl {ignore}-p {}", shell_quote(&want.file)),
            )?;
        }
        Ok(Outcome::ok())
    }
}

/// `sysctl` fails when it exits non-zero or reports an invalid or read-only key.
fn sysctl_run(ctx: &mut ModuleContext, what: &str, script: &str) -> Result<(), ModuleError> {
    let output = ctx.connection()?.run(script, None)?;
    let stderr = output.stderr_text();
    let refused = stderr.lines().any(|line| {
        line.starts_with("sysctl: setting key \"")
            && (line.ends_with("\": Invalid argument") || line.ends_with("\": Read-only file system"))
    });
    if output.rc != 0 || refused {
        return Err(ModuleError::failed(format!(
            "{what}: {}{stderr}",
            output.stdout_text()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want(value: &str) -> Desired {
        Desired {
            name: "kernel.domainname".into(),
            value: value.into(),
            present: true,
            reload: false,
            set: true,
            ignore_errors: false,
            file: "/etc/sysctl.d/90-lab.conf".into(),
        }
    }

    #[test]
    fn the_file_keeps_the_first_setting_and_the_new_value() {
        let have = Observed {
            running: Some("(none)\n".into()),
            lines: Some(vec!["# lab".into(), "kernel.domainname = a".into(), "kernel.domainname=b".into(), "x=1".into()]),
            real_file: "/etc/sysctl.d/90-lab.conf".into(),
        };
        let planned = plan(&want("lab.example"), &have);
        assert!(planned.changed && planned.write_file && planned.set_running);
        assert_eq!(planned.text, "# lab\nkernel.domainname=lab.example\nx=1\n");
        assert_eq!(sysctl_value("yes"), "1");
    }

    proptest::proptest! {
        #[test]
        fn a_planned_file_is_then_as_wanted(lines in proptest::collection::vec("[a-z. =#;0-9]{0,16}", 0..6), value in "[a-z0-9]{1,6}") {
            let have = Observed { running: Some(format!("{value}\n")), lines: Some(lines), real_file: "/f".into() };
            let first = plan(&want(&value), &have);
            let again = Observed { lines: Some(first.text.lines().map(str::to_string).collect()), ..have };
            proptest::prop_assert!(!plan(&want(&value), &again).changed);
        }
    }
}
