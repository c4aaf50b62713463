//! What arguments a module accepts, declared as static data so a playbook
//! is checked before any host is touched.

/// How a module reads a string given instead of a mapping (`shell: echo hi`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreeForm {
    /// Only a mapping is accepted.
    None,
    /// The string is a command (`_raw_params`); only the listed `k=v` words
    /// that are also arguments (`chdir=/tmp`) are taken out of it.
    Command,
    /// The string is `k=v` pairs (`msg="hi there"`).
    KeyValue,
}

/// Arguments several modules take alike, declared once and named in each
/// module's [`ArgSpec::groups`] (Ansible's `FILE_COMMON_ARGUMENTS`).
#[derive(Debug)]
pub struct ArgGroup {
    pub names: &'static [&'static str],
    /// Aliases: (alias, canonical name).
    pub aliases: &'static [(&'static str, &'static str)],
}

/// The arguments a module accepts.
#[derive(Debug)]
pub struct ArgSpec {
    /// The module's own argument names, aliases included.
    pub names: &'static [&'static str],
    /// Aliases: (alias, canonical name).
    pub aliases: &'static [(&'static str, &'static str)],
    /// Shared argument groups the module also accepts.
    pub groups: &'static [&'static ArgGroup],
    /// Arguments that must be present.
    pub required: &'static [&'static str],
    /// Groups of which exactly one must be present (e.g. `cmd`/`argv`/free form).
    pub one_of: &'static [&'static [&'static str]],
    pub free_form: FreeForm,
    /// Arguments that take one of a few words (`state: present|absent`): a
    /// literal value outside them is refused at load time.
    pub choices: &'static [(&'static str, &'static [&'static str])],
    /// Any argument name is accepted (`set_fact`).
    pub any_name: bool,
    /// Arguments that name paths on the host (Ansible's `type='path'`):
    /// a leading `~` is expanded there before the module runs.
    pub paths: &'static [&'static str],
}

impl ArgSpec {
    /// No arguments; the base that every module's spec starts from.
    pub const EMPTY: ArgSpec = ArgSpec {
        names: &[],
        aliases: &[],
        groups: &[],
        required: &[],
        one_of: &[],
        free_form: FreeForm::None,
        choices: &[],
        any_name: false,
        paths: &[],
    };

    /// The canonical name of `name`, if the module accepts it.
    pub fn canonical(&self, name: &str) -> Option<&'static str> {
        let aliases = self
            .aliases
            .iter()
            .chain(self.groups.iter().flat_map(|group| group.aliases));
        if let Some((_, canonical)) = aliases.clone().find(|(alias, _)| *alias == name) {
            return Some(canonical);
        }
        self.known_names().find(|known| *known == name)
    }

    /// Every accepted name, the groups' included, for "did you mean" hints.
    pub fn known_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        let grouped = self.groups.iter().flat_map(|group| group.names.iter());
        self.names.iter().chain(grouped).copied()
    }
}

/// A value outside an argument's choices (`state: presnt`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceViolation {
    /// The name as written (maybe an alias).
    pub written: String,
    pub canonical: &'static str,
    /// The value as Ansible reads a choice: a string (`yes` is `True`).
    pub text: String,
    pub allowed: &'static [&'static str],
}

impl ChoiceViolation {
    /// Ansible's message for it.
    pub fn message(&self) -> String {
        format!(
            "value of {} must be one of: {}, got: {}",
            self.canonical,
            self.allowed.join(", "),
            self.text
        )
    }
}

impl ArgSpec {
    /// The first argument of `args` whose value is outside its choices;
    /// values that `skip` (a template not yet rendered) are not judged.
    pub fn choice_violation(
        &self,
        args: &crate::value::VarMap,
        skip: impl Fn(&str) -> bool,
    ) -> Option<ChoiceViolation> {
        use minijinja::value::ValueKind;
        for (written, value) in args {
            let Some(canonical) = self.canonical(written) else {
                continue;
            };
            let Some((_, allowed)) = self.choices.iter().find(|(name, _)| *name == canonical)
            else {
                continue;
            };
            let text = match value.kind() {
                ValueKind::String => value.as_str().unwrap_or_default().to_string(),
                ValueKind::Bool if value.is_true() => "True".to_string(),
                ValueKind::Bool => "False".to_string(),
                ValueKind::Number => value.to_string(),
                _ => continue,
            };
            if skip(&text) || allowed.contains(&text.as_str()) {
                continue;
            }
            return Some(ChoiceViolation {
                written: written.clone(),
                canonical,
                text,
                allowed,
            });
        }
        None
    }
}

/// The name under which a free-form string is stored, as in Ansible.
pub(super) const RAW_PARAMS: &str = "_raw_params";

#[cfg(test)]
mod tests {
    use super::*;

    static SHARED: ArgGroup = ArgGroup {
        names: &["mode", "attributes"],
        aliases: &[("attr", "attributes")],
    };

    static SPEC: ArgSpec = ArgSpec {
        names: &["path"],
        aliases: &[("dest", "path")],
        groups: &[&SHARED],
        ..ArgSpec::EMPTY
    };

    #[test]
    fn a_spec_accepts_its_groups_names_and_aliases() {
        assert_eq!(SPEC.canonical("dest"), Some("path"));
        assert_eq!(SPEC.canonical("mode"), Some("mode"));
        assert_eq!(SPEC.canonical("attr"), Some("attributes"));
        assert_eq!(SPEC.canonical("owner"), None);
        let names: Vec<&str> = SPEC.known_names().collect();
        assert_eq!(names, ["path", "mode", "attributes"]);
    }
}
