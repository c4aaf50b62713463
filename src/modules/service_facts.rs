//! `service_facts`: the host's services as `ansible_facts.services`, read
//! from systemd as Ansible's module reads it — `systemctl list-units` for
//! state and status, then `systemctl list-unit-files` for the unit files'
//! status (and `systemctl show` for units that are not loaded). Read-only.

use indexmap::IndexMap;

use super::utils::probe::Probe;
use super::{ArgSpec, Args, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::{Value, map_from_pairs, map_value, to_var_map};

pub(super) struct ServiceFacts;

static SPEC: ArgSpec = ArgSpec::EMPTY;

/// States that win over what `list-unit-files` says.
const BAD_STATES: &[&str] = &["not-found", "masked", "failed"];

#[derive(Debug, Clone, PartialEq)]
struct Service {
    state: String,
    status: String,
}

/// `list-units --plain` lines: (name, state, status) as Ansible reads them.
fn from_units(text: &str, services: &mut IndexMap<String, Service>) {
    for line in text.lines().filter(|line| line.contains(".service")) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 4 {
            continue;
        }
        let before_description = &fields[..fields.len() - 1];
        let status = BAD_STATES
            .iter()
            .find(|bad| before_description.contains(bad))
            .map_or(fields[2], |bad| *bad);
        let state = if fields[3] == "running" { "running" } else { "stopped" };
        services.insert(
            fields[0].to_string(),
            Service {
                state: state.into(),
                status: status.into(),
            },
        );
    }
}

/// `list-unit-files` lines: (name, file status); the names not yet known.
fn from_unit_files(text: &str, services: &mut IndexMap<String, Service>) -> Vec<(String, String)> {
    let mut unloaded = Vec::new();
    for line in text.lines().filter(|line| line.contains(".service")) {
        let mut fields = line.split_whitespace();
        let (Some(name), Some(status)) = (fields.next(), fields.next()) else {
            continue;
        };
        match services.get_mut(name) {
            None => unloaded.push((name.to_string(), status.to_string())),
            Some(known) if !BAD_STATES.contains(&known.status.as_str()) => {
                known.status = status.to_string();
            }
            Some(_) => {}
        }
    }
    unloaded
}

impl Module for ServiceFacts {
    fn name(&self) -> &'static str {
        "service_facts"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, _args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let answers = Probe::new()
            .ask("systemctl", "command -v systemctl")
            .ask(
                "units",
                "LC_ALL=C systemctl list-units --no-pager --type service --all --plain",
            )
            .ask(
                "files",
                "LC_ALL=C systemctl list-unit-files --no-pager --type service --all",
            )
            .run(ctx, "service_facts")?;
        let mut services = IndexMap::new();
        if !answers.line("systemctl").is_empty() {
            from_units(answers.text("units"), &mut services);
            let unloaded = from_unit_files(answers.text("files"), &mut services);
            if !unloaded.is_empty() {
                let mut probe = Probe::new();
                for (index, (name, _)) in unloaded.iter().enumerate() {
                    probe.ask(
                        &format!("show{index}"),
                        &format!("systemctl show {} --property=ActiveState", shell_quote(name)),
                    );
                }
                let shown = probe.run(ctx, "service_facts")?;
                for (index, (name, status)) in unloaded.into_iter().enumerate() {
                    let line = shown.line(&format!("show{index}"));
                    let state = match line.strip_prefix("ActiveState=") {
                        Some(state) => state.trim_end().to_string(),
                        None if !line.is_empty() => line.trim_end().to_string(),
                        None => "unknown".into(),
                    };
                    services.insert(name, Service { state, status });
                }
            }
        }
        if services.is_empty() {
            return Ok(Outcome::skipped(
                "Failed to find any services. This can be due to privileges or some other configuration issue.",
            ));
        }
        let services = map_from_pairs(services.into_iter().map(|(name, service)| {
            let fields = vec![
                ("name".to_string(), Value::from(name.as_str())),
                ("state".to_string(), Value::from(service.state)),
                ("status".to_string(), Value::from(service.status)),
                ("source".to_string(), Value::from("systemd")),
            ];
            (name, map_from_pairs(fields))
        }));
        // The host's `ansible_facts` keep what earlier tasks gathered.
        let mut all_facts = ctx
            .vars
            .get_attr("ansible_facts")
            .map(|facts| to_var_map(&facts))
            .unwrap_or_default();
        all_facts.insert("services".into(), services.clone());
        let mut outcome = Outcome::ok().with(
            "ansible_facts",
            map_from_pairs([("services", services.clone())]),
        );
        outcome.facts.insert("ansible_facts".into(), map_value(all_facts));
        outcome.facts.insert("services".into(), services);
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_then_unit_files_give_ansibles_state_and_status() {
        let mut services = IndexMap::new();
        from_units(
            "UNIT LOAD ACTIVE SUB DESCRIPTION\n\
             cron.service loaded active running Regular background program\n\
             nginx.service loaded failed failed A web server\n\
             gone.service not-found inactive dead gone.service\n\n3 loaded units listed.\n",
            &mut services,
        );
        let unloaded = from_unit_files(
            "UNIT FILE STATE PRESET\ncron.service enabled enabled\nnginx.service disabled enabled\nssh.service masked enabled\n\n3 unit files listed.\n",
            &mut services,
        );
        let status = |name: &str| services.get(name).map(|s| (s.state.as_str(), s.status.as_str()));
        assert_eq!(status("cron.service"), Some(("running", "enabled")));
        assert_eq!(status("nginx.service"), Some(("stopped", "failed")));
        assert_eq!(status("gone.service"), Some(("stopped", "not-found")));
        assert_eq!(unloaded, [("ssh.service".to_string(), "masked".to_string())]);
    }

    proptest::proptest! {
        #[test]
        fn any_listing_parses_without_panicking(text in "[a-z. \\n-]{0,80}") {
            let mut services = IndexMap::new();
            from_units(&text, &mut services);
            let _ = from_unit_files(&text, &mut services);
        }
    }
}
