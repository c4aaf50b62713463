use super::{FileInfo, FileKind, Mode, run_checked};
use crate::connection::shell_quote;
use crate::modules::{Args, Changes, Diff, ModuleContext, ModuleError};

/// `mode`, `owner` and `group` as a task asks for them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    pub mode: Option<Mode>,
    pub owner: Option<String>,
    pub group: Option<String>,
}

impl Attributes {
    /// `owner:group` (or `owner`, or `:group`) for chown, when either is given.
    pub fn chown_spec(&self) -> Option<String> {
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

    pub fn from_args(args: &Args) -> Result<Self, ModuleError> {
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
pub fn attribute_changes(want: &Attributes, have: &FileInfo) -> Result<Changes, ModuleError> {
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
pub fn apply_attributes(
    ctx: &mut ModuleContext,
    path: &str,
    want: &Attributes,
    current: &FileInfo,
) -> Result<(), ModuleError> {
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
    if script.is_empty() {
        return Ok(());
    }
    run_checked(
        ctx,
        &format!("setting attributes of {path}"),
        &script.join(" && "),
        None,
    )
    .map(|_| ())
}
