//! The system family over SSH on lab hosts: `stat`, `systemd`/`service`,
//! `wait_for`, `include_vars` and `git`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{Lab, Output, ansible_playbook, recap};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/system")
        .join(name)
}

fn play(lab: &Lab, playbook: &str, extra: &[&str]) -> Output {
    let mut args = vec!["play", playbook, "-i", "lab"];
    args.extend_from_slice(extra);
    lab.run(&args)
}

/// Files under `prefix` on a host, with mode and checksum, as the host has them.
fn files_under(lab: &Lab, host: &str, prefix: &str) -> BTreeMap<String, String> {
    lab.snapshot(host)
        .into_iter()
        .filter(|(path, _)| path.starts_with(prefix))
        .map(|(path, facts)| {
            // uid:gid differ between a root run and an Ansible run only by who
            // ran it; mode and content are what the contract compares.
            let mut words = facts.split(' ');
            let mode = words.next().unwrap_or_default().to_string();
            let content = words.nth(1).unwrap_or_default().to_string();
            (path, format!("{mode} {content}"))
        })
        .collect()
}

/// The same playbook on twin labs: same exit code, same recap, same files.
fn differential(playbook: &str, compared_prefix: &str) {
    let playbook = fixture(playbook);
    let ours = Lab::up(2);
    let theirs = Lab::up(2);
    let runbook = ours.run(&["play", playbook.to_str().expect("utf8"), "-i", "lab"]);
    let ansible = ansible_playbook(&theirs, &playbook, &[]);
    let both = format!(
        "--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(runbook.code, ansible.code, "exit codes differ\n{both}");
    assert_eq!(recap(&runbook), recap(&ansible), "recaps differ\n{both}");
    for host in &ours.hosts {
        assert_eq!(
            files_under(&ours, host, compared_prefix),
            files_under(&theirs, host, compared_prefix),
            "files on {host} differ\n{both}"
        );
    }
}

#[test]
fn stat_reports_as_ansible_does() {
    differential("stat.yml", "opt/st");
}

#[test]
fn stat_arguments_are_checked_before_connecting() {
    let lab = Lab::up(1);
    lab.project.file(
        "bad.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - stat:\n        path: /etc\n        get_cheksum: false\n",
    );
    let output = play(&lab, "bad.yml", &["--syntax-check"]);
    output.assert_code(4);
    assert!(output.all().contains("get_checksum"), "{}", output.all());
    assert!(output.all().contains("bad.yml:6:9"), "{}", output.all());
}
