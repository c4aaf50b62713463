//! `debug`: show a message or a variable's value.

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};

pub(super) struct Debug;

static SPEC: ArgSpec = ArgSpec {
    names: &["msg", "var", "verbosity"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

impl Module for Debug {
    fn name(&self) -> &'static str {
        "debug"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        if args.has("msg") && args.has("var") {
            return Ok(Outcome::failed("'msg' and 'var' are incompatible options"));
        }
        let Some(var) = args.str("var").ok().flatten() else {
            let msg = args
                .get("msg")
                .cloned()
                .unwrap_or_else(|| "Hello world!".into());
            return Ok(shown_in_full(Outcome::ok().with("msg", msg)));
        };
        // `var` names a variable or an expression; an undefined one is shown
        // as Ansible shows it rather than failing the task.
        let value = ctx
            .templar
            .eval_expr(&var, ctx.vars)
            .unwrap_or_else(|_| "VARIABLE IS NOT DEFINED!".into());
        Ok(shown_in_full(Outcome::ok().with(&var, value)))
    }
}

/// Ansible's `debug` asks for its result to be shown in full
/// (`_ansible_verbose_always`), whatever the verbosity.
fn shown_in_full(outcome: Outcome) -> Outcome {
    outcome.with("_ansible_verbose_always", true)
}
