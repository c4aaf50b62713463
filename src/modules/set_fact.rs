//! `set_fact`: set variables on the host for the rest of the run.

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::value::map_value;

pub(super) struct SetFact;

static SPEC: ArgSpec = ArgSpec {
    free_form: FreeForm::KeyValue,
    any_name: true,
    ..ArgSpec::EMPTY
};

/// Arguments of `set_fact` that are not facts.
const OPTIONS: &[&str] = &["cacheable"];

impl Module for SetFact {
    fn name(&self) -> &'static str {
        "set_fact"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, _ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let facts: crate::value::VarMap = args
            .values()
            .iter()
            .filter(|(name, _)| !OPTIONS.contains(&name.as_str()))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        if facts.is_empty() {
            return Ok(Outcome::failed(
                "No key/value pairs provided, at least one is required for this action to succeed",
            ));
        }
        let mut outcome = Outcome::ok().with("ansible_facts", map_value(facts.clone()));
        outcome.facts = facts;
        Ok(outcome)
    }
}
