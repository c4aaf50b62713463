//! Which of the actions that the loader handles itself (includes, imports,
//! `meta`) a task key names, whether written
//! short (`include_tasks`), as `ansible.builtin.include_tasks` or as
//! `ansible.legacy.include_tasks`: one place decides, for every caller.

use crate::yaml::Node;

/// An action the loader handles instead of a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BuiltinAction {
    ImportTasks,
    IncludeTasks,
    ImportRole,
    IncludeRole,
    ImportPlaybook,
    Meta,
}

const PREFIXES: [&str; 2] = ["ansible.builtin.", "ansible.legacy."];

impl BuiltinAction {
    /// The action named `written`, if the loader handles it.
    pub(super) fn named(written: &str) -> Option<Self> {
        let short = PREFIXES
            .iter()
            .find_map(|prefix| written.strip_prefix(prefix))
            .unwrap_or(written);
        match short {
            "import_tasks" => Some(Self::ImportTasks),
            "include_tasks" => Some(Self::IncludeTasks),
            "import_role" => Some(Self::ImportRole),
            "include_role" => Some(Self::IncludeRole),
            "import_playbook" => Some(Self::ImportPlaybook),
            "meta" => Some(Self::Meta),
            _ => None,
        }
    }

    /// The first key of the mapping `node` naming a loader action: the
    /// action, the key as written, and its value.
    pub(super) fn find_in(node: &Node) -> Option<(Self, &Node, &Node)> {
        node.as_map()?.iter().find_map(|(key, value)| {
            let action = Self::named(key.as_str()?)?;
            Some((action, key, value))
        })
    }
}

/// Whether the key `written` names `action` (`meta`, `ansible.builtin.meta`).
pub(super) fn is(written: &str, action: BuiltinAction) -> bool {
    BuiltinAction::named(written) == Some(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_builtin_and_legacy_names_are_the_same_action() {
        for name in [
            "include_tasks",
            "ansible.builtin.include_tasks",
            "ansible.legacy.include_tasks",
        ] {
            assert_eq!(
                BuiltinAction::named(name),
                Some(BuiltinAction::IncludeTasks)
            );
        }
        assert_eq!(
            BuiltinAction::named("ansible.builtin.add_host"),
            None,
            "a module"
        );
        assert_eq!(BuiltinAction::named("community.general.meta"), None);
        assert_eq!(BuiltinAction::named("shell"), None);
    }
}
