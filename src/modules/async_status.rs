//! `async_status`: how a background job (`async:` with `poll: 0`) stands,
//! or (`mode: cleanup`) remove its job file.

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome, async_job};

pub(super) struct AsyncStatus;

static SPEC: ArgSpec = ArgSpec {
    names: &["jid", "mode"],
    required: &["jid"],
    choices: &[("mode", &["status", "cleanup"])],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

impl Module for AsyncStatus {
    fn name(&self) -> &'static str {
        "async_status"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let jid = args.str("jid")?.unwrap_or_default();
        match args.str("mode")?.as_deref() {
            Some("cleanup") => async_job::cleanup(ctx, &jid),
            _ => async_job::status(ctx, &jid, 0),
        }
    }
}
