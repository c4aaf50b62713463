//! `package`: the generic package module. It runs the host's own package
//! module (`apt`, `dnf`, `yum`...), chosen by `use` or the `ansible_pkg_mgr`
//! fact; without the fact it asks the host which manager it has, as
//! Ansible gathers that one fact.

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome, registry};
use crate::value::VarMap;

pub(super) struct Package;

static SPEC: ArgSpec = ArgSpec {
    names: &["name", "state", "use"],
    required: &["name", "state"],
    free_form: FreeForm::KeyValue,
    // The chosen module checks its own arguments (`update_cache` for apt).
    any_name: true,
    ..ArgSpec::EMPTY
};

/// Ansible's detection order: the first manager whose tool the host has.
const DETECTION: &[(&str, &str)] = &[
    ("dnf", "dnf"),
    ("yum", "yum"),
    ("apt-get", "apt"),
    ("zypper", "zypper"),
    ("apk", "apk"),
    ("pacman", "pacman"),
];

impl Module for Package {
    fn name(&self) -> &'static str {
        "package"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let chosen = match args.str("use")?.filter(|u| u != "auto") {
            Some(manager) => manager,
            None => match fact(ctx) {
                Some(manager) => manager,
                None => detect(ctx)?,
            },
        };
        let module = registry::lookup(&chosen)
            .filter(|m| m.name() != "package")
            .ok_or_else(|| ModuleError::failed(format!("Could not find a module for {chosen}.")))?;
        let mut passed = VarMap::new();
        for (name, value) in args.values() {
            if name == "use" {
                continue;
            }
            if module.spec().canonical(name).is_none() {
                return Err(ModuleError::failed(format!(
                    "Unsupported parameters for ({chosen}) module: {name}"
                )));
            }
            passed.insert(name.clone(), value.clone());
        }
        module.run(&Args::new(passed), ctx)
    }
}

/// `ansible_pkg_mgr` (or `ansible_facts.pkg_mgr`) when facts were gathered.
fn fact(ctx: &ModuleContext) -> Option<String> {
    let named = |value: minijinja::Value| value.as_str().map(str::to_string);
    ctx.vars
        .get_attr("ansible_pkg_mgr")
        .ok()
        .and_then(named)
        .or_else(|| {
            ctx.vars
                .get_attr("ansible_facts")
                .ok()?
                .get_attr("pkg_mgr")
                .ok()
                .and_then(named)
        })
        .filter(|m| !m.is_empty() && m != "unknown")
}

fn detect(ctx: &mut ModuleContext) -> Result<String, ModuleError> {
    let checks: Vec<String> = DETECTION
        .iter()
        .map(|(tool, manager)| format!("command -v {tool} >/dev/null 2>&1 && {{ echo {manager}; exit 0; }}"))
        .collect();
    // Like Ansible's fact, the distribution decides first: a Debian host is
    // apt even where an rpm tool is installed too.
    let script = format!(
        "[ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1 && {{ echo apt; exit 0; }}\n{}\necho unknown",
        checks.join("\n")
    );
    let found = ctx.connection()?.run(&script, None)?.stdout_text();
    let found = found.trim();
    if found == "unknown" || found.is_empty() {
        return Err(ModuleError::failed(format!(
            "Could not detect which package manager to use on {}. Try gathering facts or setting the \"use\" option.",
            ctx.host
        )));
    }
    Ok(found.to_string())
}
