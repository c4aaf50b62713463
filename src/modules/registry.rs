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
            alternatives: Stateful(alternatives::Alternatives);
            apt: apt::Apt;
            apt_key: Stateful(apt_key::AptKey);
            apt_repository: apt_repository::AptRepository;
            archive: Stateful(archive::Archive);
            assemble: assemble::Assemble;
            assert: assert::Assert;
            async_status: async_status::AsyncStatus;
            authorized_key: Stateful(authorized_key::AuthorizedKey);
            blockinfile: Stateful(blockinfile::BlockInFile);
            command: command::Command;
            copy: copy::Copy;
            cron: Stateful(cron::Cron);
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
            find: find::Find;
            file: Stateful(file::File);
            get_url: Stateful(get_url::GetUrl);
            getent: getent::Getent;
            git: Stateful(git::Git);
            group: Stateful(group::Group);
            group_by: group_by::GroupBy;
            hostname: Stateful(hostname::Hostname);
            include_vars: include_vars::IncludeVars;
            ini_file: Stateful(ini_file::IniFile);
            known_hosts: Stateful(known_hosts::KnownHosts);
            lineinfile: Stateful(lineinfile::LineInFile);
            modprobe: Stateful(modprobe::Modprobe);
            mount: Stateful(mount::Mount);
            mysql_db: mysql_db::MysqlDb;
            mysql_info: mysql_info::MysqlInfo;
            mysql_query: mysql_query::MysqlQuery;
            mysql_replication: mysql_replication::MysqlReplication;
            mysql_user: mysql_user::MysqlUser;
            package: package::Package;
            pam_limits: Stateful(pam_limits::PamLimits);
            package_facts: package_facts::PackageFacts;
            pause: pause::Pause;
            ping: ping::Ping;
            pip: Stateful(pip::Pip);
            raw: raw::Raw;
            reboot: reboot::Reboot;
            replace: Stateful(replace::Replace);
            rpm_key: Stateful(rpm_key::RpmKey);
            script: script::Script;
            service_facts: service_facts::ServiceFacts;
            set_fact: set_fact::SetFact;
            setup: setup::Setup, setup::GatherFacts;
            shell: shell::Shell;
            slurp: slurp::Slurp;
            stat: stat::Stat;
            synchronize: synchronize::Synchronize;
            sysctl: Stateful(sysctl::Sysctl);
            systemd: Stateful(systemd::Systemd("systemd")),
                Stateful(systemd::Systemd("systemd_service")),
                Stateful(systemd::Systemd("service"));
            template_module: Stateful(template_module::Template);
            tempfile: tempfile::Tempfile;
            timezone: Stateful(timezone::Timezone);
            unarchive: Stateful(unarchive::Unarchive);
            uri: uri::Uri;
            validate_argument_spec: validate_argument_spec::ValidateArgumentSpec;
            user: Stateful(user::User);
            wait_for: wait_for::WaitFor;
            wait_for_connection: wait_for_connection::WaitForConnection;
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
/// resolves only to those (`community.docker.docker_container`). A
/// collection may have several entries (one per family of modules).
const PARTIAL_COLLECTIONS: &[(&str, &[&str])] = &[
    (
        "community.docker.",
        &["docker_container", "docker_image", "docker_compose"],
    ),
    (
        "community.mysql.",
        &[
            "mysql_db",
            "mysql_info",
            "mysql_query",
            "mysql_replication",
            "mysql_user",
        ],
    ),
    (
        "ansible.posix.",
        &["authorized_key", "mount", "synchronize", "sysctl"],
    ),
    (
        "community.general.",
        &[
            "alternatives",
            "ini_file",
            "modprobe",
            "pam_limits",
            "timezone",
        ],
    ),
];

/// The module called `name` (`shell`, `ansible.builtin.shell`).
pub fn lookup(name: &str) -> Option<&'static dyn Module> {
    let mut in_partial_collection = false;
    let mut short = None;
    for (prefix, modules) in PARTIAL_COLLECTIONS {
        if let Some(rest) = name.strip_prefix(prefix) {
            in_partial_collection = true;
            if modules.contains(&rest) {
                short = Some(rest);
            }
        }
    }
    let short = match short {
        Some(short) => short,
        None if in_partial_collection => return None,
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
        assert_eq!(
            lookup("community.mysql.mysql_db").map(|m| m.name()),
            Some("mysql_db")
        );
        assert!(lookup("community.mysql.mysql_role").is_none());
        assert_eq!(
            lookup("ansible.posix.authorized_key").map(|m| m.name()),
            Some("authorized_key")
        );
        assert!(lookup("ansible.posix.shell").is_none());
        assert!(lookup("nope").is_none());
    }
}

include!(concat!(env!("OUT_DIR"), "/module_docs.rs"));

/// Names documented on another module's page.
const SHARED_PAGES: &[(&str, &str)] = &[
    ("systemd_service", "systemd"),
    ("service", "systemd"),
    ("yum", "dnf"),
    ("gather_facts", "setup"),
];

/// The docs page (Markdown, as in docs/modules/) of the module `name`
/// (short or qualified), for `runbook doc`.
pub fn docs_page(name: &str) -> Option<&'static str> {
    let module = lookup(name)?.name();
    let page = SHARED_PAGES
        .iter()
        .find(|(alias, _)| *alias == module)
        .map_or(module, |(_, page)| page);
    MODULE_DOCS
        .iter()
        .find(|(documented, _)| *documented == page)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod docs_tests {
    use std::path::Path;

    use super::{SHARED_PAGES, names};

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

    #[test]
    fn every_module_has_its_page_built_in() {
        for name in names() {
            assert!(
                super::docs_page(name).is_some_and(|page| page.starts_with("# ")),
                "{name}"
            );
        }
        assert_eq!(
            super::docs_page("ansible.builtin.copy"),
            super::docs_page("copy")
        );
    }
}
