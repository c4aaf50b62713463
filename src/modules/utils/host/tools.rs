use crate::modules::{ModuleContext, ModuleError};

/// Fail with a clear message when the host lacks a command a module needs
/// (hosts need only POSIX `sh` and coreutils; some modules need more).
pub(crate) fn require_tools(
    ctx: &mut ModuleContext,
    module: &str,
    tools: &[&str],
) -> Result<(), ModuleError> {
    let checks: Vec<String> = tools
        .iter()
        .map(|t| format!("command -v {t} >/dev/null 2>&1 || echo {t}"))
        .collect();
    let output = ctx.connection()?.run(&checks.join("\n"), None)?;
    let missing: Vec<String> = output
        .stdout_text()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ModuleError::failed(format!(
            "{module} needs {} on {}, which is not installed there",
            missing.join(", "),
            ctx.host
        )))
    }
}
