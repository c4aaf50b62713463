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
    let playbook = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/differential")
        .join(name);
    let ours = Lab::up(hosts);
    let theirs = Lab::up(hosts);
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
