//! `add_host`: put a host (new or known) into groups of the running
//! inventory, with variables, for the rest of the run. It runs once per
//! task (per loop item), not once per host, as Ansible's `BYPASS_HOST_LOOP`
//! actions do; the executor applies the change and decides `changed`.

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::value::{Value, VarMap, map_from_pairs, map_value};

pub(super) struct AddHost;

static SPEC: ArgSpec = ArgSpec {
    free_form: FreeForm::KeyValue,
    any_name: true,
    ..ArgSpec::EMPTY
};

const NAME: &[&str] = &["name", "hostname", "host"];
const GROUPS: &[&str] = &["groups", "groupname", "group"];

impl Module for AddHost {
    fn name(&self) -> &'static str {
        "add_host"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, _ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let Some(written) = first_text(args, NAME) else {
            return Ok(Outcome::failed(
                "name, host or hostname needs to be provided",
            ));
        };
        let address = crate::inventory::split_port(&written);
        let mut vars: VarMap = args
            .values()
            .iter()
            .filter(|(key, _)| !NAME.contains(&key.as_str()) && !GROUPS.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        if let Some(port) = address.port {
            vars.insert("ansible_ssh_port".into(), Value::from(port));
        }
        let mut groups: Vec<String> = Vec::new();
        if let Some(key) = GROUPS.iter().find(|key| args.has(key)) {
            let Ok(Some(names)) = args.str_list(key) else {
                return Ok(Outcome::failed("Groups must be specified as a list."));
            };
            for name in names.iter().map(|name| name.trim().to_string()) {
                if !name.is_empty() && !groups.contains(&name) {
                    groups.push(name);
                }
            }
        }
        let request = map_from_pairs([
            ("host_name", Value::from(address.host)),
            ("groups", groups.into_iter().map(Value::from).collect()),
            ("host_vars", map_value(vars)),
        ]);
        Ok(Outcome::ok().with("add_host", request))
    }
}

fn first_text(args: &Args, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        args.get(name).map(crate::value::text)
    })
}
