//! File attributes: the shared argument group every file-writing module
//! takes, what differs on the host, and setting mode and ownership.

use super::{FileInfo, FileKind, Mode, run_checked};
use crate::connection::shell_quote;
use crate::modules::spec::ArgGroup;
use crate::modules::{Args, Changes, Diff, ModuleContext, ModuleError};

/// Ansible's `FILE_COMMON_ARGUMENTS`, taken by every module that writes a
/// file; [`Attributes::from_args`] reads them.
pub(crate) static FILE_ATTRIBUTES: ArgGroup = ArgGroup {
    names: &[
        "mode",
        "owner",
        "group",
        "seuser",
        "serole",
        "setype",
        "selevel",
        "unsafe_writes",
        "attributes",
    ],
    aliases: &[("attr", "attributes")],
};

/// `mode`, `owner` and `group` as a task asks for them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Attributes {
    pub mode: Option<Mode>,
    pub owner: Option<String>,
    pub group: Option<String>,
}

impl Attributes {
    /// `owner:group` (or `owner`, or `:group`) for chown, when either is given.
    pub(crate) fn chown_spec(&self) -> Option<String> {
        if self.owner.is_none() && self.group.is_none() {
            return None;
        }
        let group = self
            .group
            .as_ref()
            .map(|g| format!(":{g}"))
            .unwrap_or_default();
        Some(format!("{}{group}", self.owner.clone().unwrap_or_default()))
    }

    /// The [`FILE_ATTRIBUTES`] of a task. SELinux contexts are accepted and
    /// left alone (as Ansible leaves them on a host without SELinux), and
    /// `unsafe_writes` too (runbook always writes atomically); `attributes`
    /// (chattr flags) fail the task rather than be silently not set.
    pub(crate) fn from_args(args: &Args) -> Result<Self, ModuleError> {
        if let Some(flags) = args
            .str("attributes")?
            .filter(|f| !f.is_empty())
            .or(args.str("attr")?.filter(|f| !f.is_empty()))
        {
            return Err(ModuleError::failed(format!(
                "attributes ({flags}): chattr flags are not supported by runbook"
            )));
        }
        let mode = match args.get("mode") {
            Some(value) => Some(super::parse_mode(value).map_err(ModuleError::failed)?),
            None => None,
        };
        Ok(Self {
            mode,
            owner: args.str("owner")?,
            group: args.str("group")?,
        })
    }
}

/// What differs between `want` and the file as found.
pub(crate) fn attribute_changes(
    want: &Attributes,
    have: &FileInfo,
) -> Result<Changes, ModuleError> {
    let mut changes = Changes::none();
    if !have.exists() {
        return Ok(changes);
    }
    if let Some(mode) = &want.mode {
        let target = mode
            .resolve(have.mode, have.kind == FileKind::Directory)
            .map_err(ModuleError::failed)?;
        if target != have.mode {
            let (before, after) = (have.mode_text(), format!("{target:04o}"));
            changes.add(
                format!("mode {before} -> {after}"),
                Some(Diff::attribute(&have.path, "mode", &before, &after)),
            );
        }
    }
    for (name, wanted, found_name, found_id) in [
        ("owner", &want.owner, &have.owner, have.uid),
        ("group", &want.group, &have.group, have.gid),
    ] {
        if let Some(wanted) = wanted
            && wanted != found_name
            && *wanted != found_id.to_string()
        {
            changes.add(
                format!("{name} {found_name} -> {wanted}"),
                Some(Diff::attribute(&have.path, name, found_name, wanted)),
            );
        }
    }
    Ok(changes)
}

/// Set mode, owner and group on `path` (only those given).
pub(crate) fn apply_attributes(
    ctx: &mut ModuleContext,
    path: &str,
    want: &Attributes,
    current: &FileInfo,
) -> Result<(), ModuleError> {
    let Some(script) = attributes_script(path, want, current)? else {
        return Ok(());
    };
    run_checked(ctx, &format!("setting attributes of {path}"), &script, None).map(|_| ())
}

/// [`apply_attributes`], and the path's facts afterwards (following a link
/// when `follow`) from the same round trip.
pub(crate) fn apply_attributes_and_stat(
    ctx: &mut ModuleContext,
    path: &str,
    want: &Attributes,
    current: &FileInfo,
    follow: bool,
) -> Result<FileInfo, ModuleError> {
    let Some(script) = attributes_script(path, want, current)? else {
        return super::file_info(ctx, path, follow, false);
    };
    let script = format!("{script}{}", super::file_info::then_stat(path, follow));
    let output = run_checked(ctx, &format!("setting attributes of {path}"), &script, None)?;
    super::file_info::facts_after(path, &output, ctx.host)
}

/// The `chown`/`chmod` that give `path` the attributes `want` asks for.
fn attributes_script(
    path: &str,
    want: &Attributes,
    current: &FileInfo,
) -> Result<Option<String>, ModuleError> {
    let quoted = shell_quote(path);
    let mut script = Vec::new();
    if let Some(spec) = want.chown_spec() {
        script.push(format!("chown -h {} -- {quoted}", shell_quote(&spec)));
    }
    if let Some(mode) = &want.mode {
        let target = mode
            .resolve(current.mode, current.kind == FileKind::Directory)
            .map_err(ModuleError::failed)?;
        script.push(format!("chmod {target:o} -- {quoted}"));
    }
    Ok((!script.is_empty()).then(|| script.join(" && ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selinux_contexts_are_left_alone_and_chattr_flags_refused() {
        let read = Attributes::from_args(&Args::of(&[("owner", "app"), ("setype", "httpd_t")]));
        assert_eq!(read.ok().and_then(|a| a.owner).as_deref(), Some("app"));
        for name in ["attributes", "attr"] {
            let refused = Attributes::from_args(&Args::of(&[(name, "+i")]));
            assert!(refused.is_err_and(|e| e.to_string().contains("chattr")));
        }
        assert!(Attributes::from_args(&Args::of(&[("attributes", "")])).is_ok());
    }
}
