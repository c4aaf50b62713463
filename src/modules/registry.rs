//! Every module runbook knows, by name.
//!
//! ## Adding a module
//!
//! 1. Write `src/modules/<file>.rs`: a type implementing [`Module`] (or,
//!    for a module that manages state, [`StateModule`](super::StateModule)
//!    wrapped in `Stateful`), with a static [`ArgSpec`](super::ArgSpec)
//!    (compose shared groups such as `FILE_ATTRIBUTES` through `groups`).
//!    Return [`ModuleError::Failed`](super::ModuleError) to fail the task;
//!    `?` on connection errors does the right thing. Helpers shared by
//!    several modules go in `src/modules/utils/`.
//! 2. Add one line to the list in `every_module!` below:
//!    `<file>: <the module value>;` (several values for aliases, as
//!    `systemd` has). That line also declares the file: nothing else
//!    in `src/` changes.
//! 3. Write `docs/modules/<name>.md` (arguments, results, check mode,
//!    differences from Ansible) and link it from `docs/modules/README.md`;
//!    a test fails until every registered name has its page.

use super::*;

/// The list: each module file and the modules it serves. Expanded twice,
/// in `modules/mod.rs` to declare the files and here to build `MODULES`.
macro_rules! every_module {
    ($then:ident) => {
        $then! {
            add_host: add_host::AddHost;
            apt: apt::Apt;
            apt_repository: apt_repository::AptRepository;
            archive: Stateful(archive::Archive);
            assert: assert::Assert;
            blockinfile: Stateful(blockinfile::BlockInFile);
            command: command::Command;
            copy: Stateful(copy::Copy);
            deb822_repository: deb822_repository::Deb822Repository;
            debconf: debconf::Debconf;
            debug: debug::Debug;
            dpkg_selections: dpkg_selections::DpkgSelections;
            dnf: dnf::Dnf("dnf"), dnf::Dnf("yum");
            docker_compose: Stateful(docker_compose::DockerCompose);
            docker_container: Stateful(docker_container::DockerContainer);
            docker_image: Stateful(docker_image::DockerImage);
            fail: fail::Fail;
            fetch: Stateful(fetch::Fetch);
            file: Stateful(file::File);
            get_url: Stateful(get_url::GetUrl);
            git: Stateful(git::Git);
            group_by: group_by::GroupBy;
            include_vars: include_vars::IncludeVars;
            lineinfile: Stateful(lineinfile::LineInFile);
            package: package::Package;
            package_facts: package_facts::PackageFacts;
            pause: pause::Pause;
            ping: ping::Ping;
            pip: Stateful(pip::Pip);
            raw: raw::Raw;
            replace: Stateful(replace::Replace);
            script: script::Script;
            set_fact: set_fact::SetFact;
            setup: setup::Setup;
            shell: shell::Shell;
            slurp: slurp::Slurp;
            stat: stat::Stat;
            systemd: Stateful(systemd::Systemd("systemd")),
                Stateful(systemd::Systemd("systemd_service")),
                Stateful(systemd::Systemd("service"));
            template_module: Stateful(template_module::Template);
            unarchive: Stateful(unarchive::Unarchive);
            uri: uri::Uri;
            wait_for: wait_for::WaitFor;
            yum_repository: yum_repository::YumRepository;
        }
    };
}

macro_rules! module_list {
    ($($file:ident: $($module:expr),+;)*) => {
        static MODULES: &[&dyn Module] = &[$($(&$module),+),*];
    };
}
every_module!(module_list);

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
    &setup::Setup
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

#[cfg(test)]
mod docs_tests {
    use std::path::Path;

    use super::names;

    /// Names documented on another module's page.
    const SHARED_PAGES: &[(&str, &str)] = &[
        ("systemd_service", "systemd"),
        ("service", "systemd"),
        ("yum", "dnf"),
    ];

    #[test]
    fn every_module_has_a_docs_page_linked_from_the_index() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/modules");
        let index = std::fs::read_to_string(docs.join("README.md")).unwrap_or_default();
        let mut missing = Vec::new();
        for name in names() {
            let page = SHARED_PAGES
                .iter()
                .find(|(alias, _)| *alias == name)
                .map_or(name, |(_, page)| page);
            if !docs.join(format!("{page}.md")).is_file() {
                missing.push(format!("{name}: no docs/modules/{page}.md"));
            }
            if !index.contains(&format!("]({page}.md)")) {
                missing.push(format!(
                    "{name}: docs/modules/README.md does not link {page}.md"
                ));
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }
}
