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

/// The arguments a module accepts.
#[derive(Debug)]
pub struct ArgSpec {
    /// Every accepted argument name, aliases included.
    pub names: &'static [&'static str],
    /// Aliases: (alias, canonical name).
    pub aliases: &'static [(&'static str, &'static str)],
    /// Arguments that must be present.
    pub required: &'static [&'static str],
    /// Groups of which exactly one must be present (e.g. `cmd`/`argv`/free form).
    pub one_of: &'static [&'static [&'static str]],
    pub free_form: FreeForm,
    /// Any argument name is accepted (`set_fact`).
    pub any_name: bool,
}

impl ArgSpec {
    /// No arguments; the base that every module's spec starts from.
    pub const EMPTY: ArgSpec = ArgSpec {
        names: &[],
        aliases: &[],
        required: &[],
        one_of: &[],
        free_form: FreeForm::None,
        any_name: false,
    };

    /// The canonical name of `name`, if the module accepts it.
    pub fn canonical(&self, name: &str) -> Option<&'static str> {
        if let Some((_, canonical)) = self.aliases.iter().find(|(alias, _)| *alias == name) {
            return Some(canonical);
        }
        self.names.iter().copied().find(|known| *known == name)
    }
}

/// The name under which a free-form string is stored, as in Ansible.
pub const RAW_PARAMS: &str = "_raw_params";
