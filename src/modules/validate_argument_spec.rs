//! `validate_argument_spec`: check variables against an argument spec, as
//! Ansible does for a role with `meta/argument_specs.yml` (the task runbook
//! puts before the role's tasks) or as a task of its own. The values are
//! the task's variables of the spec's names, rendered, with
//! `provided_arguments` (a role's parameters) over them.

use super::utils::argument_spec::validate;
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::value::{Value, VarMap, map_value, to_var_map};

pub(super) struct ValidateArgumentSpec;

static SPEC: ArgSpec = ArgSpec {
    names: &["argument_spec", "provided_arguments", "validate_args_context"],
    required: &["argument_spec"],
    free_form: FreeForm::None,
    ..ArgSpec::EMPTY
};

impl Module for ValidateArgumentSpec {
    fn name(&self) -> &'static str {
        "validate_argument_spec"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let spec = args.get("argument_spec").cloned().unwrap_or_default();
        if spec.kind() != minijinja::value::ValueKind::Map {
            return Err(ModuleError::failed(format!(
                "Incorrect type for argument_spec, expected dict and got {}",
                spec.kind()
            )));
        }
        let provided = match args.get("provided_arguments") {
            None => VarMap::new(),
            Some(value) if value.kind() == minijinja::value::ValueKind::Map => to_var_map(value),
            Some(value) => {
                return Err(ModuleError::failed(format!(
                    "Incorrect type for provided_arguments, expected dict and got {}",
                    value.kind()
                )));
            }
        };
        let mut values = VarMap::new();
        for (name, _) in to_var_map(&spec) {
            let defined = ctx
                .vars
                .get_attr(&name)
                .is_ok_and(|value| !value.is_undefined());
            if !defined {
                continue;
            }
            let value = ctx
                .templar
                .eval_expr(&name, ctx.vars)
                .map_err(|error| ModuleError::failed(error.to_string()))?;
            values.insert(name, value);
        }
        values.extend(provided);
        let context = args
            .get("validate_args_context")
            .cloned()
            .unwrap_or_else(|| map_value(VarMap::new()));
        let errors = validate(&spec, &values);
        if errors.is_empty() {
            return Ok(Outcome::ok()
                .with_msg("The arg spec validation passed")
                .with("validate_args_context", context));
        }
        let mut outcome = Outcome::failed(format!(
            "Validation of arguments failed:\n{}",
            errors.join("\n")
        ));
        outcome = outcome
            .with("argument_errors", Value::from(errors.iter().map(|e| Value::from(e.as_str())).collect::<Vec<_>>()))
            .with("argument_spec_data", spec)
            .with("validate_args_context", context);
        Ok(outcome)
    }
}
