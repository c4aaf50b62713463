//! `ping`: prove the host answers and can run `sh`.

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};

pub(super) struct Ping;

static SPEC: ArgSpec = ArgSpec {
    names: &["data"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

impl Module for Ping {
    fn name(&self) -> &'static str {
        "ping"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let data = args
            .str("data")
            .ok()
            .flatten()
            .unwrap_or_else(|| "pong".into());
        if data == "crash" {
            return Ok(Outcome::failed("boom").with("exception", "Exception: boom"));
        }
        let output = ctx.connection()?.run("echo pong", None)?;
        if output.rc != 0 || output.stdout_text().trim() != "pong" {
            return Ok(Outcome::failed(format!(
                "the host's shell did not answer: rc={} {}",
                output.rc,
                output.stderr_text().trim()
            )));
        }
        Ok(Outcome::ok().with("ping", data))
    }
}
