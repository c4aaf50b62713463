//! The contract with Ansible: the same playbook on twin labs gives the same
//! PLAY RECAP with runbook and with ansible-playbook. CI installs
//! ansible-core (scripts/setup); without it these tests fail and say so.

use std::path::Path;

use crate::support::{Lab, ansible_playbook, recap, task_banners};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/differential")
        .join(name)
}

#[test]
fn core_modules_and_keywords_recap_as_ansible_does() {
    let playbook = fixture("core.yml");
    let ours = Lab::up(2);
    let theirs = Lab::up(2);
    let runbook = ours.run(&["play", playbook.to_str().expect("utf8"), "-i", "lab"]);
    let ansible = ansible_playbook(&theirs, &playbook, &[]);
    assert_eq!(
        runbook.code,
        ansible.code,
        "exit codes differ\n--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(
        recap(&runbook),
        recap(&ansible),
        "recaps differ\n--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(
        task_banners(&runbook),
        task_banners(&ansible),
        "tasks ran in another order\n--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
}

#[test]
fn control_flow_recaps_as_ansible_does() {
    let playbook = fixture("control.yml");
    let ours = Lab::up(3);
    let theirs = Lab::up(3);
    let runbook = ours.run(&[
        "play",
        playbook.to_str().expect("utf8"),
        "-i",
        "lab",
        "--skip-tags",
        "skipme",
    ]);
    let ansible = ansible_playbook(&theirs, &playbook, &["--skip-tags", "skipme"]);
    assert_eq!(
        runbook.code,
        ansible.code,
        "exit codes differ\n--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(
        recap(&runbook),
        recap(&ansible),
        "recaps differ\n--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(
        task_banners(&runbook),
        task_banners(&ansible),
        "tasks ran in another order\n--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
}

#[test]
fn roles_includes_and_delegation_recap_as_ansible_does() {
    let playbook = fixture("structure.yml");
    let ours = Lab::up(2);
    let theirs = Lab::up(2);
    let runbook = ours.run(&["play", playbook.to_str().expect("utf8"), "-i", "lab"]);
    let ansible = ansible_playbook(&theirs, &playbook, &[]);
    assert_eq!(
        runbook.code,
        ansible.code,
        "exit codes differ\n--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(
        recap(&runbook),
        recap(&ansible),
        "recaps differ\n--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(
        task_banners(&runbook),
        task_banners(&ansible),
        "tasks ran in another order\n--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    for host in ["node1", "node2"] {
        let ours =
            std::fs::read_to_string(ours.host_root(host).join("opt/site.conf")).expect("ours");
        let theirs =
            std::fs::read_to_string(theirs.host_root(host).join("opt/site.conf")).expect("theirs");
        assert_eq!(ours, theirs, "{host}: the role's template renders the same");
    }
}
