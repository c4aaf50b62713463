//! The contract with Ansible: the same playbook on twin labs gives the same
//! exit code, the same PLAY RECAP and the same order of tasks with runbook
//! and with ansible-playbook. CI installs ansible-core (scripts/setup);
//! without it these tests fail and say so.

use std::path::Path;

use crate::support::{Lab, ansible_playbook, recap, task_banners};

/// Run fixture `name` with runbook on one lab and ansible-playbook on its
/// twin (`hosts` hosts each, the same names), assert they agree, and return
/// the labs for further checks.
fn twin_run(name: &str, hosts: usize, args: &[&str]) -> (Lab, Lab) {
    twin_run_after(name, hosts, args, |_| {})
}

/// [`twin_run`] after `prepare` ran on both labs (stopping a host...).
fn twin_run_after(name: &str, hosts: usize, args: &[&str], prepare: impl Fn(&Lab)) -> (Lab, Lab) {
    let playbook = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/differential")
        .join(name);
    let ours = Lab::up(hosts);
    let theirs = Lab::up(hosts);
    prepare(&ours);
    prepare(&theirs);
    let mut runbook_args = vec!["play", playbook.to_str().expect("utf8"), "-i", "lab"];
    runbook_args.extend_from_slice(args);
    let runbook = ours.run(&runbook_args);
    let ansible = ansible_playbook(&theirs, &playbook, args);
    let both = format!(
        "--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(runbook.code, ansible.code, "exit codes differ\n{both}");
    assert_eq!(recap(&runbook), recap(&ansible), "recaps differ\n{both}");
    assert_eq!(
        task_banners(&runbook),
        task_banners(&ansible),
        "tasks ran in another order\n{both}"
    );
    (ours, theirs)
}

#[test]
fn core_modules_and_keywords_behave_as_in_ansible() {
    twin_run("core.yml", 2, &[]);
}

#[test]
fn control_flow_behaves_as_in_ansible() {
    twin_run("control.yml", 3, &["--skip-tags", "skipme"]);
}

#[test]
fn roles_includes_and_delegation_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("structure.yml", 2, &[]);
    for host in ["node1", "node2"] {
        let ours =
            std::fs::read_to_string(ours.host_root(host).join("opt/site.conf")).expect("ours");
        let theirs =
            std::fs::read_to_string(theirs.host_root(host).join("opt/site.conf")).expect("theirs");
        assert_eq!(ours, theirs, "{host}: the role's template renders the same");
    }
}

#[test]
fn a_fatal_failure_spreads_as_in_ansible() {
    twin_run("fatal.yml", 3, &[]);
}

#[test]
fn a_failing_handler_in_a_fatal_play_fails_every_host_as_in_ansible() {
    twin_run("handler-fatal.yml", 3, &[]);
}

#[test]
fn batch_wide_metas_read_their_condition_on_the_first_host_as_in_ansible() {
    twin_run("metas.yml", 3, &[]);
}

#[test]
fn max_fail_percentage_ends_the_playbook_as_in_ansible() {
    twin_run("max-fail.yml", 5, &[]);
}

#[test]
fn unreachable_and_failed_hosts_end_as_in_ansible() {
    twin_run_after("unreachable.yml", 3, &[], |lab| lab.stop_host("node2"));
}

#[test]
fn add_host_and_group_by_change_the_inventory_as_in_ansible() {
    let (ours, theirs) = twin_run("dynamic.yml", 3, &[]);
    for (host, file) in [
        ("node1", "opt/groups"),
        ("node2", "opt/groups"),
        ("node1", "opt/half"),
        ("node3", "opt/half"),
        ("node1", "opt/alias"),
    ] {
        let read = |lab: &Lab| std::fs::read_to_string(lab.host_root(host).join(file));
        let (ours, theirs) = (read(&ours), read(&theirs));
        assert!(theirs.is_ok(), "ansible wrote {host}:/{file}");
        assert_eq!(ours.ok(), theirs.ok(), "{host}:/{file}");
    }
    assert!(!ours.host_root("node2").join("opt/half").exists());
}

#[test]
fn key_value_arguments_and_fqcn_actions_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("kv.yml", 2, &[]);
    for host in ["node1", "node2"] {
        for file in ["opt/kv/content", "opt/kv/conf", "opt/kv/mixed"] {
            let read = |lab: &Lab| {
                std::fs::read_to_string(lab.host_root(host).join(file))
                    .unwrap_or_else(|e| panic!("{host}:{file}: {e}"))
            };
            assert_eq!(read(&ours), read(&theirs), "{host}:{file}");
        }
    }
    let conf = std::fs::read_to_string(ours.host_root("node1").join("opt/kv/conf")).expect("conf");
    assert_eq!(
        conf,
        "host=node1\nport=8080\nmode = \"fast\"\nincluded=node1\n"
    );
}

#[test]
fn templated_keywords_names_and_magic_variables_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("keywords.yml", 2, &[]);
    for host in ["node1", "node2"] {
        let touched = |lab: &Lab| lab.host_root(host).join("opt/once-block").exists();
        assert_eq!(touched(&ours), touched(&theirs), "{host}:/opt/once-block");
        let handled = |lab: &Lab| lab.host_root(host).join("opt/block-handler").exists();
        assert_eq!(
            handled(&ours),
            handled(&theirs),
            "{host}:/opt/block-handler"
        );
        assert!(handled(&ours), "{host}: the block's notify ran its handler");
    }
    assert!(ours.host_root("node1").join("opt/once-block").exists());
    assert!(!ours.host_root("node2").join("opt/once-block").exists());
}

#[test]
fn import_playbook_tags_and_vars_and_imported_handlers_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("import-tags.yml", 2, &["--tags", "imported"]);
    for host in ["node1", "node2"] {
        for file in ["opt/outside", "opt/marker", "opt/handled"] {
            let read = |lab: &Lab| std::fs::read_to_string(lab.host_root(host).join(file)).ok();
            assert_eq!(read(&ours), read(&theirs), "{host}:/{file}");
        }
    }
    let marker = std::fs::read_to_string(ours.host_root("node1").join("opt/marker"));
    assert_eq!(marker.ok().as_deref(), Some("from-import\n"));
    assert!(ours.host_root("node2").join("opt/handled").exists());
}

#[test]
fn connection_keywords_yield_to_the_inventory_as_in_ansible() {
    twin_run("connection.yml", 2, &[]);
}
