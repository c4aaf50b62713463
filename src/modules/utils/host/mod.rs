//! What state modules need to know and do on a host, built from POSIX `sh`
//! and coreutils: file facts in one round trip, atomic writes, backups,
//! modes and ownership, and a clear error when a tool is missing.

mod attributes;
mod builtin_read;
mod conditional_write;
mod file_info;
mod files;
mod mode;
mod settle_link;
mod settle_path;
mod tools;

pub(crate) use attributes::{
    Attributes, FILE_ATTRIBUTES, apply_attributes, apply_attributes_and_stat, attribute_changes,
};
pub(crate) use conditional_write::{Settled, WantedFile, write_if_differs};
pub(crate) use file_info::{
    FACTS_AFTER, FileInfo, FileKind, facts_after, file_info, file_info_and_content,
    file_info_and_parent, file_info_then, then_stat,
};
pub(crate) use files::{
    Fill, WriteOptions, backup_file, read_file, write_file, write_file_and_stat,
};
pub(crate) use mode::{Mode, parse_mode};
pub(crate) use settle_link::settle_link;
pub(crate) use settle_path::{PathWant, settle_path};
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
    checked(what, output)
}

/// [`run_checked`] with stdin read from `stream` as it is sent (a large
/// local file: the controller never holds it whole).
pub(crate) fn run_checked_streaming(
    ctx: &mut crate::modules::ModuleContext,
    what: &str,
    script: &str,
    stream: &mut dyn std::io::Read,
) -> Result<ExecOutput, ModuleError> {
    let output = ctx.connection()?.run_streaming(script, &[], stream)?;
    checked(what, output)
}

fn checked(what: &str, output: ExecOutput) -> Result<ExecOutput, ModuleError> {
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
