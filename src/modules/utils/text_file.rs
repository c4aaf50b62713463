//! What `lineinfile`, `blockinfile` and `replace` share on the host side:
//! the path argument and its aliases, reading the file with its facts,
//! writing the edited bytes (backup, parent directories, `validate`,
//! attributes) and Ansible's message when attributes changed too.

use super::host::{
    Attributes, FileInfo, FileKind, Fill, Settled, WantedFile, WriteOptions, apply_attributes,
    attribute_changes, backup_file, file_info, file_info_and_content, run_checked, write_file,
    write_file_and_stat, write_if_differs,
};
use super::text_edit::Edited;
use crate::connection::shell_quote;
use crate::modules::{Args, Changes, Diff, ModuleContext, ModuleError, Outcome};

/// Ansible's aliases of `path` in these modules.
const PATH_NAMES: &[&str] = &["path", "dest", "destfile", "name"];

/// What Ansible adds to `msg` when mode or ownership changed.
const ATTRIBUTES_CHANGED: &str = "ownership, perms or SE linux context changed";

/// The arguments every text-editing module takes besides its own.
#[derive(Debug, Clone)]
pub(crate) struct FileArgs {
    pub path: String,
    pub backup: bool,
    pub attributes: Attributes,
    pub validate: Option<String>,
}

impl FileArgs {
    pub(crate) fn from_args(args: &Args) -> Result<Self, ModuleError> {
        let mut path = None;
        for name in PATH_NAMES {
            if let Some(given) = args.str(name)? {
                path = Some(given);
                break;
            }
        }
        let path = path.ok_or_else(|| ModuleError::failed("missing required arguments: path"))?;
        let validate = args.str("validate")?;
        if let Some(command) = &validate
            && !command.contains("%s")
        {
            return Err(ModuleError::failed(format!(
                "validate must contain %s: {command}"
            )));
        }
        Ok(Self {
            path,
            backup: args.bool("backup", false)?,
            attributes: Attributes::from_args(args)?,
            validate,
        })
    }
}

/// The file as found: its facts and, for a regular file, its bytes.
#[derive(Debug, Clone)]
pub(crate) struct TextFile {
    pub info: FileInfo,
    pub content: Option<Vec<u8>>,
    /// Whether the file's directory exists (a file that is there has one).
    pub parent_exists: bool,
}

/// Read the file (following a symlink, as Ansible edits the link's target)
/// with its facts, in one round trip.
pub(crate) fn inspect(ctx: &mut ModuleContext, path: &str) -> Result<TextFile, ModuleError> {
    let found = file_info_and_content(ctx, path, parent_of(path))?;
    if found.info.kind == FileKind::Directory {
        return Err(ModuleError::failed(format!("Path {path} is a directory !")));
    }
    Ok(TextFile {
        info: found.info,
        content: found.content,
        parent_exists: found.parent_exists,
    })
}

/// What [`create_or_read`] found.
pub(crate) enum Created {
    /// The file was missing and now has the content sent.
    New(TextFile),
    /// The file is there (and was left alone), with its content.
    Found(TextFile),
}

/// Create the file with `content` when it is missing, else read it, in
/// one round trip; `None` when that cannot be (the content cannot go
/// inside a script, or the file's directory is missing): inspect instead.
pub(crate) fn create_or_read(
    ctx: &mut ModuleContext,
    path: &str,
    content: &[u8],
) -> Result<Option<Created>, ModuleError> {
    let checksum = crate::modules::utils::placement::sha1_hex(content);
    let wanted = WantedFile {
        dest: path,
        name: None,
        content,
        checksum: &checksum,
        mode: None,
        force: false,
        read_existing: true,
    };
    match write_if_differs(ctx, &wanted)? {
        None | Some(Settled::NoParent { .. }) => Ok(None),
        Some(Settled::Directory { .. } | Settled::IntoDirectoryWithoutName) => {
            Err(ModuleError::failed(format!("Path {path} is a directory !")))
        }
        Some(Settled::Done {
            before,
            after: Some(_),
            ..
        }) => Ok(Some(Created::New(TextFile {
            info: *before,
            content: None,
            parent_exists: true,
        }))),
        Some(Settled::Done {
            before, existing, ..
        }) => Ok(Some(Created::Found(TextFile {
            info: *before,
            content: existing,
            parent_exists: true,
        }))),
    }
}

/// The directory a new file goes into; `None` for a name without one, or
/// right under `/`.
fn parent_of(path: &str) -> Option<&str> {
    path.rsplit_once('/')
        .map(|(parent, _)| parent)
        .filter(|parent| !parent.is_empty())
}

/// Attribute changes wanted on an existing file, for `diff`.
pub(crate) fn attribute_diff(want: &FileArgs, have: &TextFile) -> Result<Changes, ModuleError> {
    attribute_changes(&want.attributes, &have.info)
}

/// A content change as Ansible reports it (`path (content)` headers).
pub(crate) fn content_diff(header: &str, before: &[u8], after: &[u8]) -> Diff {
    Diff {
        before_header: header.to_string(),
        after_header: header.to_string(),
        before: String::from_utf8_lossy(before).into_owned(),
        after: String::from_utf8_lossy(after).into_owned(),
    }
}

/// Ansible's `msg`: the edit's message, joined with the attributes note.
pub(crate) fn message(edit_msg: &str, attributes_changed: bool) -> String {
    match (edit_msg.is_empty(), attributes_changed) {
        (_, false) => edit_msg.to_string(),
        (true, true) => ATTRIBUTES_CHANGED.to_string(),
        (false, true) => format!("{edit_msg} and {ATTRIBUTES_CHANGED}"),
    }
}

/// Write `content` when it differs, then set the attributes. Returns the
/// backup's path (when one was made) and whether attributes changed.
pub(crate) fn write(
    ctx: &mut ModuleContext,
    want: &FileArgs,
    have: &TextFile,
    content: Option<&[u8]>,
) -> Result<(Option<String>, bool), ModuleError> {
    let path = want.path.as_str();
    let mut backup = None;
    // What inspecting saw holds until something is written.
    let mut now = Some(have.info.clone());
    if let Some(content) = content {
        if have.content.is_none() {
            if !have.parent_exists {
                make_parent(ctx, path)?;
            }
        } else if want.backup {
            backup = Some(backup_file(ctx, path)?);
        }
        now = match &want.validate {
            Some(command) => {
                write_validated(ctx, path, content, command)?;
                None
            }
            None => Some(write_file_and_stat(
                ctx,
                path,
                Fill::Content(content),
                &WriteOptions::default(),
            )?),
        };
    }
    if want.attributes == Attributes::default() {
        return Ok((backup, false));
    }
    let now = match now {
        Some(now) => now,
        None => file_info(ctx, path, true, false)?,
    };
    let changed = !attribute_changes(&want.attributes, &now)?.is_empty();
    if changed {
        apply_attributes(ctx, path, &want.attributes, &now)?;
    }
    Ok((backup, changed))
}

fn make_parent(ctx: &mut ModuleContext, path: &str) -> Result<(), ModuleError> {
    let Some(parent) = parent_of(path) else {
        return Ok(());
    };
    let script = format!("mkdir -p -- {}", shell_quote(parent));
    run_checked(ctx, &format!("creating {parent}"), &script, None).map(|_| ())
}

/// Write beside the file, run the `validate` command on that copy, and
/// only then put it in place.
fn write_validated(
    ctx: &mut ModuleContext,
    path: &str,
    content: &[u8],
    command: &str,
) -> Result<(), ModuleError> {
    let quoted = shell_quote(path);
    let made = run_checked(
        ctx,
        &format!("preparing {path}"),
        &format!("mktemp \"$(dirname -- {quoted})/.runbook-validate.XXXXXX\""),
        None,
    )?;
    let temp = made.stdout_text().trim().to_string();
    let result = validate_then_move(ctx, path, &temp, content, command);
    if result.is_err() {
        let _ = ctx
            .connection()?
            .run(&format!("rm -f -- {}", shell_quote(&temp)), None);
    }
    result
}

fn validate_then_move(
    ctx: &mut ModuleContext,
    path: &str,
    temp: &str,
    content: &[u8],
    command: &str,
) -> Result<(), ModuleError> {
    write_file(ctx, temp, content, None)?;
    let check = command.replace("%s", &shell_quote(temp));
    let output = ctx.connection()?.run(&check, None)?;
    if output.rc != 0 {
        return Err(ModuleError::failed(format!(
            "failed to validate: rc:{} error:{}",
            output.rc,
            output.stderr_text()
        )));
    }
    let (quoted, temp) = (shell_quote(path), shell_quote(temp));
    let script = format!(
        "if [ -e {quoted} ]; then chmod \"$(stat -c %a -- {quoted})\" {temp} && chown \"$(stat -c %u:%g -- {quoted})\" {temp}; fi && mv -f {temp} {quoted}"
    );
    run_checked(ctx, &format!("writing {path}"), &script, None).map(|_| ())
}

/// What an edit would change: the content (with its diff) and the attributes.
pub(crate) fn edit_changes(
    want: &FileArgs,
    have: &TextFile,
    edit: &Edited,
) -> Result<Changes, ModuleError> {
    let mut changes = Changes::none();
    if edit.changed {
        let before = have.content.as_deref().unwrap_or_default();
        let header = format!("{} (content)", want.path);
        changes.add(
            edit.msg.clone(),
            Some(content_diff(&header, before, &edit.content)),
        );
    }
    changes.extend(attribute_diff(want, have)?);
    Ok(changes)
}

/// Write an edit (content and attributes): the outcome with Ansible's
/// message for what changed and, when a backup was made, its path under
/// `backup_key` (`backup_file`; `lineinfile` says `backup`).
pub(crate) fn apply_edit(
    ctx: &mut ModuleContext,
    want: &FileArgs,
    have: &TextFile,
    edit: &Edited,
    backup_key: &str,
) -> Result<Outcome, ModuleError> {
    let content = edit.changed.then_some(edit.content.as_slice());
    let (backup, attributes_changed) = write(ctx, want, have, content)?;
    let outcome = Outcome::ok().with_msg(message(&edit.msg, attributes_changed));
    Ok(match backup {
        Some(backup) => outcome.with(backup_key, backup),
        None => outcome,
    })
}

/// The message reported whether or not anything changes.
pub(crate) fn edit_message(want: &FileArgs, have: &TextFile, edit: &Edited) -> String {
    let attributes_changed = attribute_diff(want, have).is_ok_and(|changes| !changes.is_empty());
    message(&edit.msg, attributes_changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_has_ansible_aliases() {
        for alias in PATH_NAMES {
            let read = FileArgs::from_args(&Args::of(&[(alias, "/etc/x")])).expect("valid");
            assert_eq!(read.path, "/etc/x");
        }
        assert!(FileArgs::from_args(&Args::default()).is_err());
        let bad = FileArgs::from_args(&Args::of(&[("path", "/x"), ("validate", "visudo -c")]));
        assert!(bad.is_err_and(|e| e.to_string().contains("%s")));
    }

    #[test]
    fn messages_join_as_ansible_joins_them() {
        assert_eq!(message("line added", false), "line added");
        assert_eq!(
            message("line added", true),
            "line added and ownership, perms or SE linux context changed"
        );
        assert_eq!(message("", true), ATTRIBUTES_CHANGED);
    }
}
