//! `module_defaults:` on plays, blocks, roles and tasks: arguments a module
//! gets where its task does not set them. As in Ansible the lists nest
//! outer first and an inner entry for the same module (or group) replaces
//! the outer one whole; a group's defaults come before the module's own,
//! and the task's arguments win over both.

use super::conditions::is_template;
use crate::modules::{Module, registry};
use crate::source::Diagnostic;
use crate::value::Value;
use crate::yaml::Node;

/// The entries in force, outermost first: `(module or group/NAME, defaults)`,
/// the defaults a mapping or a template that renders to one.
#[derive(Debug, Clone, Default)]
pub struct ModuleDefaults(Vec<(String, Value)>);

/// The action groups of the collections whose modules runbook implements.
const GROUPS: &[(&str, &[&str])] = &[(
    "community.docker.docker",
    &["docker_container", "docker_image", "docker_compose"],
)];

impl ModuleDefaults {
    /// A mapping, or a list of mappings, of module or `group/` names to
    /// their defaults.
    pub(super) fn load(node: &Node) -> Result<Self, Diagnostic> {
        let maps = match node.as_seq() {
            Some(items) => items.iter().collect(),
            None => vec![node],
        };
        let mut entries = Vec::new();
        for map in maps {
            let pairs = map.as_map().ok_or_else(|| {
                map.error(
                    "`module_defaults` takes a mapping (or a list of mappings) of module names \
                     to their arguments, e.g. `{ansible.builtin.file: {owner: app}}`",
                )
            })?;
            for (key, defaults) in pairs {
                let name = key.key_text();
                if is_template(key) {
                    return Err(key.error(
                        "the keys of `module_defaults` must be module or group names; only \
                         the values may be templates",
                    ));
                }
                if defaults.as_map().is_none() && !is_template(defaults) {
                    return Err(defaults.error(format!(
                        "the defaults for `{name}` must be a mapping of its arguments \
                         (or a template that renders to one)"
                    )));
                }
                entries.push((canonical_key(&name), defaults.to_value()));
            }
        }
        Ok(Self(entries))
    }

    /// `inner`'s entries after these: what a block's task sees.
    pub(super) fn then(&self, inner: &Self) -> Self {
        Self(self.0.iter().chain(&inner.0).cloned().collect())
    }

    /// The defaults that apply to `module`, in the order they apply: its
    /// groups' and then its own (each the innermost entry for that key).
    pub fn for_module(&self, module: &dyn Module) -> Vec<&Value> {
        let mut merged: indexmap::IndexMap<&str, &Value> = indexmap::IndexMap::new();
        for (key, defaults) in &self.0 {
            merged.insert(key.as_str(), defaults);
        }
        let in_group = |group: &str| {
            GROUPS
                .iter()
                .any(|(name, members)| *name == group && members.contains(&module.name()))
        };
        let groups = merged
            .iter()
            .filter(|(key, _)| key.strip_prefix("group/").is_some_and(in_group))
            .map(|(_, defaults)| *defaults);
        groups.chain(merged.get(module.name()).copied()).collect()
    }
}

/// A module name as runbook knows it (`ansible.builtin.file` and `file` are
/// one key); a group by its collection's full name (`group/docker` is
/// community.docker's). A name runbook does not implement is kept as
/// written: no task can use that module, so its defaults apply to nothing.
fn canonical_key(name: &str) -> String {
    if let Some(group) = name.strip_prefix("group/") {
        let full = GROUPS
            .iter()
            .find(|(full, _)| *full == group || full.rsplit('.').next() == Some(group))
            .map_or(group, |(full, _)| full);
        return format!("group/{full}");
    }
    registry::lookup(name).map_or_else(|| name.to_string(), |module| module.name().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(yaml: &str) -> Node {
        crate::yaml::parse_str(crate::source::SourceFile::new("test.yml", yaml)).expect("YAML")
    }

    fn loaded(yaml: &str) -> ModuleDefaults {
        ModuleDefaults::load(&node(yaml)).expect("module_defaults")
    }

    fn applied(defaults: &ModuleDefaults, module: &str) -> Vec<String> {
        let module = registry::lookup(module).expect("a module");
        defaults
            .for_module(module)
            .into_iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn names_in_any_spelling_are_one_key_and_the_inner_entry_wins_whole() {
        let outer =
            loaded("ansible.builtin.file: {owner: app, mode: '0640'}\nshell: {chdir: /opt}\n");
        let inner = loaded("- file: {owner: web}\n");
        let both = outer.then(&inner);
        assert_eq!(applied(&both, "file"), ["{'owner': 'web'}"]);
        assert_eq!(
            applied(&both, "ansible.legacy.shell"),
            ["{'chdir': '/opt'}"]
        );
        assert!(applied(&both, "copy").is_empty());
    }

    #[test]
    fn a_group_comes_before_the_module_itself() {
        let defaults =
            loaded("docker_image: {source: pull}\ngroup/docker: {docker_host: tcp://h:2375}\n");
        assert_eq!(
            applied(&defaults, "community.docker.docker_image"),
            ["{'docker_host': 'tcp://h:2375'}", "{'source': 'pull'}"]
        );
        assert_eq!(
            applied(&defaults, "docker_container"),
            ["{'docker_host': 'tcp://h:2375'}"]
        );
    }

    #[test]
    fn templates_only_as_values() {
        assert_eq!(
            applied(&loaded("uri: \"{{ uri_defaults }}\"\n"), "uri"),
            ["{{ uri_defaults }}"]
        );
        assert!(ModuleDefaults::load(&node("file: [owner]\n")).is_err());
    }
}
