//! `script`: copy a local script to the host, run it there, remove it.

use std::path::Path;

use super::spec::RAW_PARAMS;
use super::utils::exec::{CommandRun, command_line, run_command};
use super::utils::local_source::find_local;
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct Script;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        RAW_PARAMS,
        "cmd",
        "chdir",
        "creates",
        "removes",
        "executable",
        "decrypt",
    ],
    one_of: &[&[RAW_PARAMS, "cmd"]],
    free_form: FreeForm::Command,
    ..ArgSpec::EMPTY
};

impl Module for Script {
    fn name(&self) -> &'static str {
        "script"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let run = script_run(args, ctx.search_dirs).map_err(ModuleError::Failed)?;
        run_command(&run, ctx)
    }
}

fn script_run(args: &Args, search_dirs: &[std::path::PathBuf]) -> Result<CommandRun, String> {
    let line = command_line(args)?;
    let words = shell_words::split(&line).map_err(|e| format!("cannot split {line:?}: {e}"))?;
    let Some((path, script_args)) = words.split_first() else {
        return Err("no script given".into());
    };
    let local = find_local("script", path, search_dirs, "files", Path::is_file)?;
    let content =
        std::fs::read(&local).map_err(|e| format!("cannot read {}: {e}", local.display()))?;
    // `decrypt: true` (the default): a vaulted script is decrypted in memory.
    let content = if args.bool("decrypt", true).map_err(|e| e.to_string())? {
        crate::vault::session::cleartext_of_file(content)
            .map_err(|e| format!("{}: {e}", local.display()))?
    } else {
        content
    };
    let executable = args.str("executable").map_err(|e| e.to_string())?;
    let mut run = CommandRun::from_args(
        args,
        Value::from(line.as_str()),
        upload_and_run(executable.as_deref(), script_args),
    )?;
    run.stdin = Some(content);
    Ok(run)
}

/// The script arrives on stdin, is written to a private temporary file, run,
/// and removed whatever its outcome — one round trip.
fn upload_and_run(executable: Option<&str>, script_args: &[String]) -> String {
    let runner = executable
        .map(|e| format!("{} ", shell_quote(e)))
        .unwrap_or_default();
    let quoted_args: String = script_args
        .iter()
        .map(|a| format!(" {}", shell_quote(a)))
        .collect();
    format!(
        "runbook_script=$(mktemp) || exit 1\n\
         cat > \"$runbook_script\" && chmod 700 \"$runbook_script\" || {{ rm -f \"$runbook_script\"; exit 1; }}\n\
         {runner}\"$runbook_script\"{quoted_args} </dev/null\n\
         runbook_rc=$?\n\
         rm -f \"$runbook_script\"\n\
         exit $runbook_rc"
    )
}
