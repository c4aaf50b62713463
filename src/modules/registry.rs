//! Every module runbook knows, by name.

use super::Module;

static MODULES: &[&dyn Module] = &[
    &super::add_host::AddHost,
    &super::state::Stateful(super::archive::Archive),
    &super::assert::Assert,
    &super::state::Stateful(super::blockinfile::BlockInFile),
    &super::command::Command,
    &super::state::Stateful(super::copy::Copy),
    &super::debug::Debug,
    &super::state::Stateful(super::docker_container::DockerContainer),
    &super::state::Stateful(super::docker_image::DockerImage),
    &super::state::Stateful(super::docker_compose::DockerCompose),
    &super::fail::Fail,
    &super::state::Stateful(super::file::File),
    &super::state::Stateful(super::fetch::Fetch),
    &super::state::Stateful(super::get_url::GetUrl),
    &super::group_by::GroupBy,
    &super::state::Stateful(super::lineinfile::LineInFile),
    &super::state::Stateful(super::git::Git),
    &super::include_vars::IncludeVars,
    &super::pause::Pause,
    &super::ping::Ping,
    &super::state::Stateful(super::pip::Pip),
    &super::raw::Raw,
    &super::state::Stateful(super::replace::Replace),
    &super::script::Script,
    &super::set_fact::SetFact,
    &super::setup::Setup,
    &super::shell::Shell,
    &super::state::Stateful(super::template_module::Template),
    &super::slurp::Slurp,
    &super::state::Stateful(super::unarchive::Unarchive),
    &super::uri::Uri,
    &super::stat::Stat,
    &super::state::Stateful(super::systemd::Systemd("systemd")),
    &super::state::Stateful(super::systemd::Systemd("systemd_service")),
    &super::state::Stateful(super::systemd::Systemd("service")),
    &super::wait_for::WaitFor,
];

/// Collections whose modules we implement under their short names.
const COLLECTION_PREFIXES: &[&str] = &["ansible.builtin.", "ansible.legacy."];

/// Collections of which we implement only some modules: a qualified name
/// resolves only to those (`community.docker.docker_container`).
const PARTIAL_COLLECTIONS: &[(&str, &[&str])] = &[(
    "community.docker.",
    &["docker_container", "docker_image", "docker_compose"],
)];

/// The module called `name` (`shell`, `ansible.builtin.shell`).
pub fn lookup(name: &str) -> Option<&'static dyn Module> {
    let partial = PARTIAL_COLLECTIONS.iter().find_map(|(prefix, modules)| {
        let short = name.strip_prefix(prefix)?;
        Some(modules.contains(&short).then_some(short))
    });
    let short = match partial {
        Some(Some(short)) => short,
        Some(None) => return None,
        None => COLLECTION_PREFIXES
            .iter()
            .find_map(|prefix| name.strip_prefix(prefix))
            .unwrap_or(name),
    };
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
        assert_eq!(
            lookup("community.docker.docker_container").map(|m| m.name()),
            Some("docker_container")
        );
        assert!(lookup("community.docker.shell").is_none());
        assert!(lookup("nope").is_none());
    }
}
