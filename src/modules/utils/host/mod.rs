//! What state modules need to know and do on a host, built from POSIX `sh`
//! and coreutils: file facts in one round trip, atomic writes, backups,
//! modes and ownership, and a clear error when a tool is missing.

mod attributes;
mod file_info;
mod files;
mod mode;
mod tools;

pub(crate) use attributes::{Attributes, FILE_ATTRIBUTES, apply_attributes, attribute_changes};
pub(crate) use file_info::{FileInfo, FileKind, file_info};
pub(crate) use files::{Fill, WriteOptions, backup_file, read_file, write_file, write_file_with};
pub(crate) use mode::{Mode, parse_mode};
pub(crate) use tools::require_tools;

use crate::connection::ExecOutput;
use crate::modules::ModuleError;

/// A command that must succeed, or the task fails with its stderr.
pub(crate) fn run_checked(
    ctx: &mut crate::modules::ModuleContext,
    what: &str,
    script: &str,
    stdin: Option<&[u8]>,
) -> Result<ExecOutput, ModuleError> {
    let output = ctx.connection()?.run(script, stdin)?;
    if output.rc == 0 {
        Ok(output)
    } else {
        let detail = output.stderr_text();
        let detail = if detail.trim().is_empty() {
            output.stdout_text()
        } else {
            detail
        };
        Err(ModuleError::failed(format!(
            "{what} failed (rc={}): {}",
            output.rc,
            detail.trim()
        )))
    }
}
