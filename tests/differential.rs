//! The contract with Ansible: the same playbook on twin labs gives the same
//! PLAY RECAP with runbook and with ansible-playbook. CI installs
//! ansible-core (scripts/setup); without it these tests fail and say so.

use std::path::Path;
use std::process::Command;

use crate::support::{Lab, recap};

/// ansible-playbook from PATH, or from the venv scripts/setup makes.
fn ansible_playbook_program() -> std::path::PathBuf {
    let venv =
        std::env::var("RUNBOOK_ANSIBLE_VENV").unwrap_or_else(|_| "/opt/runbook-ansible".into());
    let in_venv = Path::new(&venv).join("bin/ansible-playbook");
    if in_venv.is_file() {
        in_venv
    } else {
        "ansible-playbook".into()
    }
}

fn ansible_playbook(lab: &Lab, playbook: &Path) -> crate::support::Output {
    let output = Command::new(ansible_playbook_program())
        .arg(playbook)
        .args(["-i", "inventories/lab"])
        .current_dir(lab.project.path())
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_PYTHON_INTERPRETER", "/usr/bin/python3")
        .env("ANSIBLE_LOCAL_TEMP", lab.project.join(".ansible-local"))
        .env("ANSIBLE_REMOTE_TEMP", "/tmp/.ansible-runbook-differential")
        .output()
        .unwrap_or_else(|e| panic!("ansible-playbook is needed for the differential tests (scripts/setup installs ansible-core): {e}"));
    crate::support::Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

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
    let ansible = ansible_playbook(&theirs, &playbook);
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
}
