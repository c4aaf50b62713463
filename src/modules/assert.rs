//! `assert`: check conditions and fail the host when one is false.

use super::fail::display_text;
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::value::Value;

pub(super) struct Assert;

static SPEC: ArgSpec = ArgSpec {
    names: &["that", "fail_msg", "msg", "success_msg", "quiet"],
    required: &["that"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

impl Module for Assert {
    fn name(&self) -> &'static str {
        "assert"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let conditions = conditions(args);
        for condition in &conditions {
            match ctx.templar.eval_condition(condition, ctx.vars) {
                Ok(true) => {}
                Ok(false) => return Ok(assertion_failed(args, condition)),
                Err(e) => {
                    return Ok(Outcome::failed(format!(
                        "The conditional check '{condition}' failed. The error was: {e}"
                    )));
                }
            }
        }
        let msg = args
            .get("success_msg")
            .map_or_else(|| "All assertions passed".to_string(), display_text);
        Ok(shown_unless_quiet(Outcome::ok().with_msg(msg), args))
    }
}

fn conditions(args: &Args) -> Vec<String> {
    match args.get("that") {
        Some(value) if value.kind() == minijinja::value::ValueKind::Seq => value
            .try_iter()
            .map(|items| items.map(|item| condition_text(&item)).collect())
            .unwrap_or_default(),
        Some(value) => vec![condition_text(value)],
        None => Vec::new(),
    }
}

/// A condition as text; YAML may have turned `that: true` into a boolean.
fn condition_text(value: &Value) -> String {
    display_text(value)
}

fn assertion_failed(args: &Args, condition: &str) -> Outcome {
    let msg = args
        .get("fail_msg")
        .or_else(|| args.get("msg"))
        .map_or_else(|| "Assertion failed".to_string(), display_text);
    let outcome = Outcome::failed(msg)
        .with("assertion", condition)
        .with("evaluated_to", false);
    shown_unless_quiet(outcome, args)
}

/// Ansible shows an assertion's result in full unless `quiet` is set.
fn shown_unless_quiet(outcome: Outcome, args: &Args) -> Outcome {
    let quiet = args.bool("quiet", false).unwrap_or(false);
    outcome.with("_ansible_verbose_always", !quiet)
}
