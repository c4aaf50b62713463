//! `setup` (and `gather_facts`): facts about the host in one round trip,
//! from POSIX tools only — no Python on the host — named and shaped as
//! Ansible's Linux collectors name them, narrowed by `gather_subset` and
//! `filter` as Ansible narrows them.

mod hardware;
mod local;
mod network;
mod platform;
mod script;

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::value::{Value, VarMap, map_value};
use script::Sections;

pub(super) struct Setup;

static SPEC: ArgSpec = ArgSpec {
    names: &["gather_subset", "gather_timeout", "filter", "fact_path"],
    free_form: FreeForm::KeyValue,
    paths: &["fact_path"],
    ..ArgSpec::EMPTY
};

/// `gather_facts` as a task: Ansible's action runs `setup` with the task's
/// arguments; `parallel` (several fact modules at once) has nothing to
/// change here, where one module gathers everything.
pub(super) struct GatherFacts;

static GATHER_FACTS_SPEC: ArgSpec = ArgSpec {
    names: &["gather_subset", "gather_timeout", "filter", "fact_path", "parallel"],
    free_form: FreeForm::KeyValue,
    paths: &["fact_path"],
    ..ArgSpec::EMPTY
};

impl Module for GatherFacts {
    fn name(&self) -> &'static str {
        "gather_facts"
    }

    fn spec(&self) -> &'static ArgSpec {
        &GATHER_FACTS_SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        args.bool("parallel", false)?;
        let mut values = args.values().clone();
        values.shift_remove("parallel");
        Setup.run(&Args::new(values), ctx)
    }
}

/// Ansible's mark of a host whose facts were gathered (`gathering = smart`
/// reads it).
pub const FACTS_GATHERED: &str = "module_setup";

/// The subsets `gather_subset` can name beyond `all` and `min`; `loadavg`
/// is a collector of its own in Ansible (`all` runs it, `!hardware` keeps it).
const SUBSETS: [&str; 4] = ["hardware", "network", "virtual", "loadavg"];

impl Module for Setup {
    fn name(&self) -> &'static str {
        "setup"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let requested = args
            .str_list("gather_subset")?
            .unwrap_or_else(|| vec!["all".to_string()]);
        let subsets = subsets(&requested)?;
        let filter = filter(args.str_list("filter")?.unwrap_or_default())?;
        let fact_path = args
            .str("fact_path")?
            .unwrap_or_else(|| local::DEFAULT_FACT_PATH.to_string());
        let script = format!(
            "set -- {}\n{}",
            crate::connection::shell_quote(&fact_path),
            script::SCRIPT
        );
        let output = ctx.connection()?.run(&script, None)?;
        if output.rc != 0 {
            return Ok(Outcome::failed(format!(
                "gathering facts failed: {}",
                output.stderr_text().trim()
            )));
        }
        let stdout = output.stdout_text();
        let mut facts = collect(&Sections::parse(&stdout), &subsets);
        facts.insert(
            "gather_subset".into(),
            requested.iter().map(|s| Value::from(s.as_str())).collect(),
        );
        facts.insert(FACTS_GATHERED.into(), Value::from(true));
        if let Some(filter) = &filter {
            facts.retain(|name, _| filter.is_match(format!("ansible_{name}")));
        }
        // The result names them as the module returns them, with the prefix;
        // the host's `ansible_facts` variable holds them without it.
        let mut outcome = Outcome::ok().with(
            "ansible_facts",
            crate::value::map_from_pairs(facts.iter().map(|(name, value)| {
                let prefixed = if matches!(name.as_str(), "gather_subset" | FACTS_GATHERED)
                    || name.starts_with("ansible_")
                {
                    name.clone()
                } else {
                    format!("ansible_{name}")
                };
                (prefixed, value.clone())
            })),
        );
        outcome
            .facts
            .insert("ansible_facts".into(), map_value(facts.clone()));
        for (name, value) in facts {
            if name == FACTS_GATHERED || name.starts_with("ansible_") {
                outcome.facts.insert(name, value);
            } else {
                outcome.facts.insert(format!("ansible_{name}"), value);
            }
        }
        outcome.facts.insert(FACTS_GATHERED.into(), Value::from(true));
        Ok(outcome)
    }
}

/// Facts, named as in `ansible_facts` (without the `ansible_` prefix), of
/// each of `subsets` (`min` among them).
fn collect(sections: &Sections, subsets: &[&str]) -> VarMap {
    let mut facts = VarMap::new();
    if subsets.contains(&"min") {
        minimal(sections, &mut facts);
    }
    if subsets.contains(&"hardware") {
        hardware::hardware(sections, &mut facts);
    }
    if subsets.contains(&"network") {
        network::network(sections, &mut facts);
    }
    if subsets.contains(&"virtual") {
        platform::virtualization(sections, &mut facts);
    }
    if subsets.contains(&"loadavg") {
        hardware::loadavg(sections, &mut facts);
    }
    facts
}

fn minimal(sections: &Sections, facts: &mut VarMap) {
    platform::platform(sections, facts);
    platform::distribution(sections, facts);
    platform::user(sections, facts);
    platform::date_time(sections, facts);
    platform::cmdline(sections, facts);
    platform::security(sections, facts);
    network::dns(sections, facts);
    // Ansible names this one with its prefix inside `ansible_facts` too.
    facts.insert("ansible_local".into(), local::local_facts(sections.text("local_facts")));
    facts.insert(
        "env".into(),
        crate::value::map_from_pairs(
            script::Pairs::parse(sections.text("env"), '=')
                .iter()
                .filter(|(key, _)| key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .map(|(k, v)| (k.to_string(), Value::from(v))),
        ),
    );
}

/// Which subsets `gather_subset` asks for, as Ansible resolves it: `min`
/// comes first and always, `all` (the default) adds every subset, `!name`
/// takes one away unless it is also named explicitly, `!all` takes away all
/// but `min`, and `!min` takes away the minimal facts.
fn subsets(requested: &[String]) -> Result<Vec<&'static str>, ModuleError> {
    let mut wanted: Vec<&'static str> = vec!["min"];
    let mut excluded: Vec<&'static str> = Vec::new();
    let mut explicit: Vec<&'static str> = Vec::new();
    for item in requested {
        let item = item.trim();
        match item {
            "all" => wanted.extend(SUBSETS),
            "min" => {}
            "!all" => excluded.extend(SUBSETS),
            "!min" => excluded.push("min"),
            _ => {
                let (negated, name) = match item.strip_prefix('!') {
                    Some(name) => (true, name),
                    None => (false, item),
                };
                if negated {
                    // Excluding a fact id (`!mounts`) or an unknown name
                    // leaves its collector running, as in Ansible.
                    if let Some(subset) = SUBSETS.iter().copied().find(|s| *s == name) {
                        excluded.push(subset);
                    }
                    continue;
                }
                let Some(subset) = gathered_by(name) else {
                    let allowed: Vec<&str> = COLLECTOR_NAMES.iter().map(|(n, _)| *n).collect();
                    return Err(ModuleError::failed(format!(
                        "Bad subset '{name}' given to Ansible. gather_subset options allowed: all, {}",
                        allowed.join(", ")
                    )));
                };
                // The minimal collectors are gathered as one.
                if subset != "min" {
                    explicit.push(subset);
                    wanted.push(subset);
                }
            }
        }
    }
    wanted.retain(|subset| !excluded.contains(subset) || explicit.contains(subset));
    let mut unique = Vec::new();
    for subset in wanted {
        if !unique.contains(&subset) {
            unique.push(subset);
        }
    }
    Ok(unique)
}

/// Ansible's collector names and fact ids for Linux, each with the subset
/// of ours that gathers it (`None`: a collector runbook does not run).
const COLLECTOR_NAMES: &[(&str, Option<&str>)] = &[
    ("all_ipv4_addresses", Some("network")),
    ("all_ipv6_addresses", Some("network")),
    ("apparmor", Some("min")),
    ("architecture", Some("min")),
    ("caps", None),
    ("chroot", Some("min")),
    ("cmdline", Some("min")),
    ("date_time", Some("min")),
    ("default_ipv4", Some("network")),
    ("default_ipv6", Some("network")),
    ("devices", Some("hardware")),
    ("distribution", Some("min")),
    ("distribution_major_version", Some("min")),
    ("distribution_release", Some("min")),
    ("distribution_version", Some("min")),
    ("dns", Some("min")),
    ("effective_group_ids", Some("min")),
    ("effective_user_id", Some("min")),
    ("env", Some("min")),
    ("facter", None),
    ("fibre_channel_wwn", None),
    ("fips", Some("min")),
    ("hardware", Some("hardware")),
    ("interfaces", Some("network")),
    ("is_chroot", Some("min")),
    ("iscsi", None),
    ("kernel", Some("min")),
    ("kernel_version", Some("min")),
    ("loadavg", Some("loadavg")),
    ("local", Some("min")),
    ("lsb", Some("min")),
    ("machine", Some("min")),
    ("machine_id", Some("min")),
    ("mounts", Some("hardware")),
    ("network", Some("network")),
    ("nvme", None),
    ("ohai", None),
    ("os_family", Some("min")),
    ("pkg_mgr", Some("min")),
    ("platform", Some("min")),
    ("processor", Some("hardware")),
    ("processor_cores", Some("hardware")),
    ("processor_count", Some("hardware")),
    ("python", Some("min")),
    ("python_version", Some("min")),
    ("real_user_id", Some("min")),
    ("selinux", Some("min")),
    ("service_mgr", Some("min")),
    ("ssh_host_key_dsa_public", Some("min")),
    ("ssh_host_key_ecdsa_public", Some("min")),
    ("ssh_host_key_ed25519_public", Some("min")),
    ("ssh_host_key_rsa_public", Some("min")),
    ("ssh_host_pub_keys", Some("min")),
    ("ssh_pub_keys", Some("min")),
    ("system", Some("min")),
    ("system_capabilities", None),
    ("system_capabilities_enforced", None),
    ("systemd", None),
    ("user", Some("min")),
    ("user_dir", Some("min")),
    ("user_gecos", Some("min")),
    ("user_gid", Some("min")),
    ("user_id", Some("min")),
    ("user_shell", Some("min")),
    ("user_uid", Some("min")),
    ("virtual", Some("virtual")),
    ("virtualization_role", Some("virtual")),
    ("virtualization_tech_guest", Some("virtual")),
    ("virtualization_tech_host", Some("virtual")),
    ("virtualization_type", Some("virtual")),
];

/// The subset of ours that gathers a collector or fact id Ansible knows
/// (`min` for those gathered with the minimal facts or not at all).
fn gathered_by(name: &str) -> Option<&'static str> {
    let (_, subset) = COLLECTOR_NAMES.iter().find(|(known, _)| *known == name)?;
    let subset = subset.unwrap_or("min");
    SUBSETS.iter().chain(&["min"]).copied().find(|s| *s == subset)
}

/// `filter`: shell globs over fact names (`ansible_eth*`); none means all.
fn filter(patterns: Vec<String>) -> Result<Option<GlobSet>, ModuleError> {
    let patterns: Vec<String> = patterns.into_iter().filter(|p| !p.is_empty()).collect();
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in &patterns {
        let glob = Glob::new(pattern)
            .map_err(|e| ModuleError::failed(format!("filter `{pattern}`: {e}")))?;
        builder.add(glob);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| ModuleError::failed(e.to_string()))
}

#[cfg(test)]
mod tests;
