use crate::connection::shell_quote;
use crate::modules::{ModuleContext, ModuleError};

use super::run_checked;

/// A file's content, or `None` when it does not exist.
pub fn read_file(ctx: &mut ModuleContext, path: &str) -> Result<Option<Vec<u8>>, ModuleError> {
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
pub fn write_file(
    ctx: &mut ModuleContext,
    path: &str,
    content: &[u8],
    mode: Option<u32>,
) -> Result<(), ModuleError> {
    let quoted = shell_quote(path);
    let chmod = match mode {
        Some(mode) => format!("chmod {mode:o} \"$tmp\""),
        None => format!(
            "if [ -e {quoted} ]; then chmod \"$(stat -c %a -- {quoted})\" \"$tmp\" && chown \"$(stat -c %u:%g -- {quoted})\" \"$tmp\"; else chmod \"$(printf '%o' $(( 0666 & ~$(umask) )))\" \"$tmp\"; fi"
        ),
    };
    let script = format!(
        "dir=$(dirname -- {quoted})\ntmp=$(mktemp \"$dir/.runbook.XXXXXX\") || exit 1\ntrap 'rm -f \"$tmp\"' EXIT\ncat > \"$tmp\" && {chmod} && mv -f \"$tmp\" {quoted} && trap - EXIT"
    );
    run_checked(ctx, &format!("writing {path}"), &script, Some(content)).map(|_| ())
}

/// Copy `path` to `path.<pid>.<time>~` as Ansible's `backup: yes` names it,
/// keeping its attributes; returns the backup's path.
pub fn backup_file(ctx: &mut ModuleContext, path: &str) -> Result<String, ModuleError> {
    let quoted = shell_quote(path);
    let script = format!(
        "b={quoted}.$$.$(date +%Y-%m-%d@%H:%M:%S)~\ncp -p -- {quoted} \"$b\" && printf '%s' \"$b\""
    );
    let output = run_checked(ctx, &format!("backing up {path}"), &script, None)?;
    Ok(output.stdout_text())
}
