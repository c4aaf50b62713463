use crate::connection::shell_quote;
use crate::modules::{ModuleContext, ModuleError};

use super::run_checked;

/// A file's content, or `None` when it does not exist.
pub(crate) fn read_file(
    ctx: &mut ModuleContext,
    path: &str,
) -> Result<Option<Vec<u8>>, ModuleError> {
    let quoted = shell_quote(path);
    let output = ctx
        .connection()?
        .run(&format!("[ -e {quoted} ] || exit 3\ncat -- {quoted}"), None)?;
    match output.rc {
        0 => Ok(Some(output.stdout)),
        3 => Ok(None),
        rc => Err(ModuleError::failed(format!(
            "cannot read {path} (rc={rc}): {}",
            output.stderr_text().trim()
        ))),
    }
}

/// Write `content` to `path` atomically: a temporary file in the same
/// directory, then a rename, so readers never see half a file. An existing
/// file's mode and ownership are kept; a new file gets `0666 & ~umask`.
/// `mode` (when given) is applied to the temporary file before the rename.
pub(crate) fn write_file(
    ctx: &mut ModuleContext,
    path: &str,
    content: &[u8],
    mode: Option<u32>,
) -> Result<(), ModuleError> {
    write_file_with(
        ctx,
        path,
        Fill::Content(content),
        &WriteOptions {
            mode,
            validate: None,
        },
    )
}

/// Where the new content of a file comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fill<'a> {
    /// Bytes sent from the controller.
    Content(&'a [u8]),
    /// A file already on the host (`copy` with `remote_src`).
    HostFile(&'a str),
}

/// How [`write_file_with`] finishes the temporary file before the rename.
#[derive(Debug, Clone, Default)]
pub(crate) struct WriteOptions {
    /// Mode bits for the file; `None` keeps an existing file's mode and owner.
    pub mode: Option<u32>,
    /// A command that must accept the new file before it replaces the old
    /// one; `%s` stands for the temporary file (Ansible's `validate`).
    pub validate: Option<String>,
}

/// [`write_file`] with the content from the controller or from the host,
/// and an optional validation of the new file before it takes the place
/// of the old one.
pub(crate) fn write_file_with(
    ctx: &mut ModuleContext,
    path: &str,
    fill: Fill,
    options: &WriteOptions,
) -> Result<(), ModuleError> {
    let quoted = shell_quote(path);
    let chmod = match options.mode {
        Some(mode) => format!("chmod {mode:o} \"$tmp\""),
        None => format!(
            "if [ -e {quoted} ]; then chmod \"$(stat -c %a -- {quoted})\" \"$tmp\" && chown \"$(stat -c %u:%g -- {quoted})\" \"$tmp\"; else chmod \"$(printf '%o' $(( 0666 & ~$(umask) )))\" \"$tmp\"; fi"
        ),
    };
    let (fill_command, stdin) = match fill {
        Fill::Content(content) => ("cat > \"$tmp\"".to_string(), Some(content)),
        Fill::HostFile(source) => (format!("cat -- {} > \"$tmp\"", shell_quote(source)), None),
    };
    let validate = match &options.validate {
        Some(command) => format!(
            " && {{ {} >&2 || {{ echo 'failed to validate' >&2; exit 5; }}; }}",
            command.replace("%s", "\"$tmp\"")
        ),
        None => String::new(),
    };
    let script = format!(
        "dir=$(dirname -- {quoted})\ntmp=$(mktemp \"$dir/.runbook.XXXXXX\") || exit 1\ntrap 'rm -f \"$tmp\"' EXIT\n{fill_command} && {chmod}{validate} && mv -f \"$tmp\" {quoted} && trap - EXIT"
    );
    run_checked(ctx, &format!("writing {path}"), &script, stdin).map(|_| ())
}

/// Copy `path` to `path.<pid>.<time>~` as Ansible's `backup: yes` names it,
/// keeping its attributes; returns the backup's path.
pub(crate) fn backup_file(ctx: &mut ModuleContext, path: &str) -> Result<String, ModuleError> {
    let quoted = shell_quote(path);
    let script = format!(
        "b={quoted}.$$.$(date +%Y-%m-%d@%H:%M:%S)~\ncp -p -- {quoted} \"$b\" && printf '%s' \"$b\""
    );
    let output = run_checked(ctx, &format!("backing up {path}"), &script, None)?;
    Ok(output.stdout_text())
}
