//! `synchronize` (ansible.posix): the real rsync between the controller
//! (or the `delegate_to` host) and the host, over SSH built from the
//! host's resolved connection settings. rsync decides what changes:
//! `changed` when its `--itemize-changes` output names anything, as in
//! Ansible's module; `--check` is `rsync --dry-run`.

use std::path::PathBuf;

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::{ConnectionKind, ConnectionSpec, shell_quote};
use crate::value::Value;

pub(super) struct Synchronize;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "src",
        "dest",
        "mode",
        "dest_port",
        "delete",
        "private_key",
        "rsync_path",
        "archive",
        "checksum",
        "compress",
        "existing_only",
        "dirs",
        "recursive",
        "links",
        "copy_links",
        "perms",
        "times",
        "owner",
        "group",
        "set_remote_user",
        "rsync_timeout",
        "rsync_opts",
        "use_ssh_args",
        "ssh_connection_multiplexing",
        "partial",
        "verify_host",
        "delay_updates",
        "link_dest",
    ],
    free_form: FreeForm::KeyValue,
    required: &["src", "dest"],
    choices: &[("mode", &["push", "pull"])],
    ..ArgSpec::EMPTY
};

/// Ansible's marker before each itemized line (`--out-format`).
const CHANGED_MARKER: &str = "<<CHANGED>>";

/// Where rsync runs, and which side is the host.
struct Sides {
    /// rsync runs on the delegate (over the task's connection), not here.
    on_delegate: bool,
    /// The delegate is the host itself: both paths are local to it.
    local_only: bool,
}

impl Module for Synchronize {
    fn name(&self) -> &'static str {
        "synchronize"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let sides = sides(ctx);
        let command = command_line(args, ctx, &sides)?;
        let (rc, stdout, stderr) = if sides.on_delegate {
            let output = ctx.connection()?.run(&command, None)?;
            (output.rc, output.stdout_text(), output.stderr_text())
        } else {
            run_here(&command, ctx)?
        };
        if rc == 127 || (rc != 0 && stderr.contains("rsync: not found")) {
            let place = if sides.on_delegate {
                ctx.connection.spec().name.clone()
            } else {
                "the controller".to_string()
            };
            return Err(ModuleError::failed(format!(
                "synchronize needs rsync on {place}, which is not installed there"
            )));
        }
        if rc != 0 {
            let mut outcome = Outcome::failed(stderr);
            outcome.data.insert("rc".into(), Value::from(rc));
            outcome.data.insert("cmd".into(), Value::from(command));
            return Ok(outcome);
        }
        let changed = if args.has("link_dest") {
            !stdout.contains(&format!("{CHANGED_MARKER}."))
        } else {
            stdout.contains(CHANGED_MARKER)
        };
        let clean = stdout.replace(CHANGED_MARKER, "");
        let lines: Vec<Value> = clean
            .split('\n')
            .filter(|l| !l.is_empty())
            .map(Value::from)
            .collect();
        let mut outcome = Outcome {
            changed,
            ..Outcome::ok()
        }
        .with_msg(clean.clone())
        .with("rc", rc)
        .with("cmd", command.as_str())
        .with("stdout_lines", Value::from(lines));
        if ctx.diff {
            let mut diff = crate::value::VarMap::new();
            diff.insert("prepared".into(), Value::from(clean));
            outcome
                .data
                .insert("diff".into(), crate::value::map_value(diff));
        }
        Ok(outcome)
    }
}

/// Ansible's rules: rsync runs on the controller unless the task is
/// delegated; a task delegated to the host itself syncs two local paths.
fn sides(ctx: &ModuleContext) -> Sides {
    let via = ctx.connection.spec();
    let target = ctx.target;
    let delegated = ctx.delegate_to.is_some();
    let local_only = match ctx.delegate_to {
        Some(name) => {
            name == target.name || name == target.address || via.address == target.address
        }
        None => target.kind == ConnectionKind::Local,
    };
    Sides {
        on_delegate: delegated,
        local_only,
    }
}

fn run_here(command: &str, ctx: &ModuleContext) -> Result<(i32, String, String), ModuleError> {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(ctx.playbook_dir)
        .envs(ctx.environment.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| ModuleError::failed(format!("cannot run rsync on the controller: {e}")))?;
    Ok((
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

fn flag(args: &Args, name: &str) -> Result<Option<bool>, ModuleError> {
    match args.get(name) {
        Some(value) if !value.is_none() => Ok(Some(args.bool(name, false)?)),
        _ => Ok(None),
    }
}

/// The rsync command line, in the order Ansible's module builds it.
fn command_line(args: &Args, ctx: &ModuleContext, sides: &Sides) -> Result<String, ModuleError> {
    let pull = args.str("mode")?.as_deref() == Some("pull");
    let mut cmd: Vec<String> = vec!["rsync".into()];
    if args.bool("delay_updates", true)? {
        cmd.extend(["--delay-updates".into(), "-F".into()]);
    }
    if args.bool("compress", true)? {
        cmd.push("--compress".into());
    }
    if let Some(timeout) = args.f64("rsync_timeout")?.filter(|t| *t != 0.0) {
        cmd.push(format!("--timeout={}", timeout as i64));
    }
    if ctx.check_mode {
        cmd.push("--dry-run".into());
    }
    for (name, option) in [
        ("delete", "--delete-after"),
        ("existing_only", "--existing"),
        ("checksum", "--checksum"),
        ("copy_links", "--copy-links"),
    ] {
        if args.bool(name, false)? {
            cmd.push(option.into());
        }
    }
    let tuned = ["recursive", "links", "perms", "times", "owner", "group"];
    if args.bool("archive", true)? {
        cmd.push("--archive".into());
        for name in tuned {
            if flag(args, name)? == Some(false) {
                cmd.push(format!("--no-{name}"));
            }
        }
    } else {
        for name in tuned {
            if flag(args, name)? == Some(true) {
                cmd.push(format!("--{name}"));
            }
        }
    }
    if args.bool("dirs", false)? {
        cmd.push("--dirs".into());
    }
    let rsync_opts = args.str_list("rsync_opts")?.unwrap_or_default();
    let src = args.str("src")?.unwrap_or_default();
    let dest = args.str("dest")?.unwrap_or_default();
    let (src, dest) = if sides.local_only {
        (local_path(&src, ctx), local_path(&dest, ctx))
    } else {
        let remote = remote_prefix(args, ctx)?;
        if pull {
            (format!("{remote}{src}"), origin_path(&dest, ctx, sides))
        } else {
            (origin_path(&src, ctx, sides), format!("{remote}{dest}"))
        }
    };
    if !sides.local_only && !rsync_opts.iter().any(|o| o.contains("--rsh")) {
        cmd.push(format!("--rsh={}", shell_quote(&ssh_command(args, ctx)?)));
    }
    if let Some(path) = args.str("rsync_path")? {
        cmd.push(format!("--rsync-path={}", shell_quote(&path)));
    }
    cmd.extend(rsync_opts);
    if args.bool("partial", false)? {
        cmd.push("--partial".into());
    }
    if let Some(links) = args.str_list("link_dest")? {
        cmd.extend(["-H".into(), "-vv".into()]);
        for link in links {
            cmd.push(format!("--link-dest={link}"));
        }
    }
    cmd.push(format!(
        "--out-format={}",
        shell_quote(&format!("{CHANGED_MARKER}%i %n%L"))
    ));
    cmd.push(shell_quote(&src));
    cmd.push(shell_quote(&dest));
    Ok(cmd.join(" "))
}

/// `user@host:` for the host's side (`[addr]` for IPv6 addresses).
fn remote_prefix(args: &Args, ctx: &ModuleContext) -> Result<String, ModuleError> {
    let target = ctx.target;
    let host = if target.address.contains(':') {
        format!("[{}]", target.address)
    } else {
        target.address.clone()
    };
    let user = if args.bool("set_remote_user", true)? {
        remote_user(ctx)
    } else {
        None
    };
    Ok(match user {
        Some(user) => format!("{user}@{host}:"),
        None => format!("{host}:"),
    })
}

/// Delegated, Ansible takes the delegate's `ansible_user` first.
fn remote_user(ctx: &ModuleContext) -> Option<String> {
    ctx.connection
        .spec()
        .user
        .clone()
        .or_else(|| ctx.target.user.clone())
}

/// The ssh command rsync runs: Ansible's options, then the host's own
/// resolved settings (key, port, `ansible_ssh_common_args`/`extra_args`
/// such as `-o ProxyJump=…`), so rsync reaches the host as runbook does.
fn ssh_command(args: &Args, ctx: &ModuleContext) -> Result<String, ModuleError> {
    let spec: &ConnectionSpec = ctx.target;
    let mut ssh: Vec<String> = vec!["ssh".into()];
    if !args.bool("ssh_connection_multiplexing", false)? {
        ssh.extend(["-S".into(), "none".into()]);
    }
    let key = args.str("private_key")?.or_else(|| {
        ctx.connection
            .spec()
            .private_key_file
            .as_ref()
            .map(|p| p.display().to_string())
    });
    if let Some(key) = key {
        ssh.extend(["-i".into(), key]);
    }
    let port = match args.f64("dest_port")? {
        Some(port) => Some(port as u16),
        None => spec.port,
    };
    if let Some(port) = port {
        ssh.extend(["-o".into(), format!("Port={port}")]);
    }
    if !args.bool("verify_host", false)? {
        ssh.extend([
            "-o".into(),
            "StrictHostKeyChecking=no".into(),
            "-o".into(),
            "UserKnownHostsFile=/dev/null".into(),
        ]);
    }
    ssh.extend(spec.ssh_args.iter().cloned());
    Ok(ssh
        .iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" "))
}

/// The side rsync runs on: on the controller a relative path is found as
/// Ansible finds it (`files/` first); on a delegate it is used as given.
fn origin_path(path: &str, ctx: &ModuleContext, sides: &Sides) -> String {
    if sides.on_delegate {
        path.to_string()
    } else {
        local_path(path, ctx)
    }
}

fn local_path(path: &str, ctx: &ModuleContext) -> String {
    if path.starts_with('/') || path.starts_with("rsync://") {
        return path.to_string();
    }
    let trimmed = path.trim_end_matches('/');
    let found: PathBuf = ctx
        .search_dirs
        .iter()
        .map(|dir| dir.join("files").join(trimmed))
        .find(|candidate| candidate.exists())
        .unwrap_or_else(|| ctx.playbook_dir.join(trimmed));
    let mut text = found.display().to_string();
    if path.ends_with('/') && !text.ends_with('/') {
        text.push('/');
    }
    text
}
