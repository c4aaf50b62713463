//! Every module runbook knows, by name.

use super::Module;

static MODULES: &[&dyn Module] = &[
    &super::assert::Assert,
    &super::command::Command,
    &super::debug::Debug,
    &super::fail::Fail,
    &super::state::Stateful(super::git::Git),
    &super::include_vars::IncludeVars,
    &super::pause::Pause,
    &super::ping::Ping,
    &super::raw::Raw,
    &super::script::Script,
    &super::set_fact::SetFact,
    &super::setup::Setup,
    &super::shell::Shell,
    &super::stat::Stat,
    &super::state::Stateful(super::systemd::Systemd("systemd")),
    &super::state::Stateful(super::systemd::Systemd("systemd_service")),
    &super::state::Stateful(super::systemd::Systemd("service")),
    &super::wait_for::WaitFor,
];

/// Collections whose modules we implement under their short names.
const COLLECTION_PREFIXES: &[&str] = &["ansible.builtin.", "ansible.legacy."];

/// The module called `name` (`shell`, `ansible.builtin.shell`).
pub fn lookup(name: &str) -> Option<&'static dyn Module> {
    let short = COLLECTION_PREFIXES
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))
        .unwrap_or(name);
    MODULES
        .iter()
        .copied()
        .find(|module| module.name() == short)
}

/// The module behind `gather_facts`.
pub fn setup() -> &'static dyn Module {
    &super::setup::Setup
}

/// Every module name, for "did you mean" hints.
pub fn names() -> impl Iterator<Item = &'static str> {
    MODULES.iter().map(|module| module.name())
}

pub use super::args::parse_bool;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_short_and_qualified_names() {
        assert_eq!(lookup("shell").map(|m| m.name()), Some("shell"));
        assert_eq!(
            lookup("ansible.builtin.command").map(|m| m.name()),
            Some("command")
        );
        assert!(lookup("community.general.shell").is_none());
        assert!(lookup("nope").is_none());
    }
}
