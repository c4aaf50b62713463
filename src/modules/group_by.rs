//! `group_by`: put each host into a group named from its variables
//! (`key: "os_{{ ansible_distribution }}"`), under `parents`, for the rest
//! of the run. The executor applies the change and decides `changed`.

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::value::Value;

pub(super) struct GroupBy;

static SPEC: ArgSpec = ArgSpec {
    names: &["key", "parents"],
    required: &["key"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

impl Module for GroupBy {
    fn name(&self) -> &'static str {
        "group_by"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, _ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let key = match args.str("key") {
            Ok(Some(key)) => key,
            _ => {
                return Ok(Outcome::failed(
                    "the 'key' param is required when using group_by",
                ));
            }
        };
        let parents = match args.str_list("parents") {
            Ok(Some(parents)) => parents,
            Ok(None) => vec!["all".to_string()],
            Err(error) => return Ok(Outcome::failed(error.to_string())),
        };
        // Ansible turns spaces into dashes so the name is a usable group name.
        let group = key.replace(' ', "-");
        let parents: Value = parents
            .iter()
            .map(|parent| Value::from(parent.replace(' ', "-")))
            .collect();
        Ok(Outcome::ok()
            .with("add_group", Value::from(group))
            .with("parent_groups", parents))
    }
}
