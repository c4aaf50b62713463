//! `fail`: stop this host with a message.

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};

pub(super) struct Fail;

static SPEC: ArgSpec = ArgSpec {
    names: &["msg"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

impl Module for Fail {
    fn name(&self) -> &'static str {
        "fail"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, _ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let msg = args
            .get("msg")
            .map_or_else(|| "Failed as requested from task".to_string(), display_text);
        Ok(Outcome::failed(msg))
    }
}

/// A value as text: strings as they are, anything else as JSON-ish text.
pub(super) fn display_text(value: &crate::value::Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}
