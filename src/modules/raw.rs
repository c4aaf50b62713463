//! `raw`: send a command line to the host's shell as it is — no `chdir`, no
//! `creates`, nothing added.

use std::time::SystemTime;

use super::shell::wrap_in_shell;
use super::spec::RAW_PARAMS;
use super::utils::exec::{lines, run_bounded, timestamp, with_dropped};
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};

pub(super) struct Raw;

static SPEC: ArgSpec = ArgSpec {
    names: &[RAW_PARAMS, "executable"],
    required: &[RAW_PARAMS],
    free_form: FreeForm::Command,
    ..ArgSpec::EMPTY
};

impl Module for Raw {
    fn name(&self) -> &'static str {
        "raw"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let (line, executable) = match (args.str(RAW_PARAMS), args.str("executable")) {
            (Ok(line), Ok(executable)) => (line.unwrap_or_default(), executable),
            (Err(e), _) | (_, Err(e)) => return Ok(Outcome::failed(e.to_string())),
        };
        if ctx.check_mode {
            return Ok(Outcome::skipped("raw does not support check mode"));
        }
        let script = match executable {
            Some(shell) => wrap_in_shell(&line, Some(&shell)),
            None => line,
        };
        let started = SystemTime::now();
        let (output, dropped) = run_bounded(ctx, &script, None)?;
        let stdout: std::sync::Arc<str> = output.stdout_text().into();
        let stderr: std::sync::Arc<str> = output.stderr_text().into();
        let mut outcome = Outcome::changed()
            .with("rc", output.rc)
            .with("stdout_lines", lines(&stdout))
            .with("stdout", stdout)
            .with("stderr_lines", lines(&stderr))
            .with("stderr", stderr)
            .with("start", timestamp(started));
        if output.rc != 0 {
            outcome.failed = true;
            outcome.msg = Some("non-zero return code".into());
        }
        Ok(with_dropped(outcome, dropped))
    }
}
