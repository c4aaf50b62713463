//! `shell`: run a command line through `/bin/sh` (or `executable`).

use super::async_job::{self, Job};
use super::spec::RAW_PARAMS;
use super::utils::exec::{CommandRun, command_line, run_command};
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct Shell;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        RAW_PARAMS,
        "cmd",
        "chdir",
        "creates",
        "removes",
        "stdin",
        "stdin_add_newline",
        "strip_empty_ends",
        "executable",
    ],
    one_of: &[&[RAW_PARAMS, "cmd"]],
    free_form: FreeForm::Command,
    paths: &["chdir", "creates", "removes"],
    ..ArgSpec::EMPTY
};

impl Module for Shell {
    fn name(&self) -> &'static str {
        "shell"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        run_command(&shell_run(args).map_err(ModuleError::Failed)?, ctx)
    }

    fn start_in_background(
        &self,
        args: &Args,
        ctx: &mut ModuleContext,
        limit: u64,
    ) -> Option<Result<Job, ModuleError>> {
        async_job::start_built(shell_run(args), ctx, limit)
    }
}

fn shell_run(args: &Args) -> Result<CommandRun, String> {
    let line = command_line(args)?;
    if line.trim().is_empty() {
        return Err("no command given".into());
    }
    let executable = args.str("executable").map_err(|e| e.to_string())?;
    // `exec` of /bin/sh, which is always there: one process on the host
    // instead of two. A given executable may be missing, and `exec` would
    // change the shell's message about that.
    let script = match executable.as_deref() {
        None => format!("exec {}", wrap_in_shell(&line, None)),
        Some(executable) => wrap_in_shell(&line, Some(executable)),
    };
    CommandRun::from_args(args, Value::from(line), script)
}

/// Run `line` as Ansible does: `/bin/sh -c LINE`, or `EXECUTABLE -c LINE`.
pub(super) fn wrap_in_shell(line: &str, executable: Option<&str>) -> String {
    format!(
        "{} -c {}",
        shell_quote(executable.unwrap_or("/bin/sh")),
        shell_quote(line)
    )
}
