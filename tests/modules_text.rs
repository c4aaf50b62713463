//! lineinfile, blockinfile and replace over SSH on a lab: changed then ok,
//! `--check` leaves hosts untouched, `--diff` shows the edit, bad arguments
//! stop the run before any host is contacted, and the differential test
//! against ansible-playbook on twin labs.

use std::path::{Path, PathBuf};

use crate::support::{Lab, Project, Recap, ansible_playbook, recap};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/text")
        .join(name)
}

/// Every file under /opt/text on `host`: relative path → (mode, bytes).
fn text_files(lab: &Lab, host: &str) -> Vec<(String, u32, Vec<u8>)> {
    use std::os::unix::fs::PermissionsExt;
    let root = lab.host_root(host).join("opt/text");
    let mut files = Vec::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable dir").flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(&root)
                .expect("below")
                .display()
                .to_string();
            files.push((
                relative,
                meta.permissions().mode() & 0o7777,
                std::fs::read(&path).expect("readable file"),
            ));
        }
    }
    files.sort();
    files
}

#[test]
fn edits_match_ansible_byte_for_byte() {
    let playbook = fixture("differential.yml");
    let ours = Lab::up(1);
    let theirs = Lab::up(1);
    let runbook = ours.run(&["play", playbook.to_str().expect("utf8"), "-i", "lab"]);
    let ansible = ansible_playbook(&theirs, &playbook, &[]);
    assert_eq!(
        recap(&runbook)["node1"],
        Recap::new(23, 18, 0, 0, 0),
        "every edit ran, the repeated ones were ok\n{}",
        runbook.all()
    );
    assert_eq!(
        recap(&runbook),
        recap(&ansible),
        "recaps differ\n--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    let (mine, reference) = (text_files(&ours, "node1"), text_files(&theirs, "node1"));
    for (m, r) in mine.iter().zip(&reference) {
        assert_eq!(
            (m.0.as_str(), m.1, String::from_utf8_lossy(&m.2)),
            (r.0.as_str(), r.1, String::from_utf8_lossy(&r.2)),
            "runbook (left) and Ansible (right) differ"
        );
    }
    assert_eq!(mine.len(), reference.len(), "same files");
}

const EDITS: &str = r#"
- hosts: lab
  gather_facts: false
  tasks:
    - lineinfile: {path: /opt/app.conf, regexp: '^port=', line: port=8080}
    - blockinfile: {path: /opt/app.conf, block: "a=1\nb=2"}
    - replace: {path: /opt/app.conf, regexp: '^name=(\w+)$', replace: 'name=\1-prod'}
"#;

fn lab_with_config() -> Lab {
    let lab = Lab::up(1);
    let opt = lab.host_root("node1").join("opt");
    std::fs::create_dir_all(&opt).expect("opt");
    std::fs::write(opt.join("app.conf"), "name=web\nport=80\n").expect("write");
    lab.project.file("site.yml", EDITS);
    lab
}

#[test]
fn first_run_changes_second_run_is_ok() {
    let lab = lab_with_config();
    let first = lab.run(&["play", "site.yml", "-i", "lab"]);
    first.assert_code(0);
    assert_eq!(
        recap(&first)["node1"],
        Recap::new(3, 3, 0, 0, 0),
        "{}",
        first.all()
    );
    let written =
        std::fs::read_to_string(lab.host_root("node1").join("opt/app.conf")).expect("edited file");
    assert_eq!(
        written,
        "name=web-prod\nport=8080\n# BEGIN ANSIBLE MANAGED BLOCK\na=1\nb=2\n# END ANSIBLE MANAGED BLOCK\n"
    );
    let second = lab.run(&["play", "site.yml", "-i", "lab"]);
    assert_eq!(
        recap(&second)["node1"],
        Recap::new(3, 0, 0, 0, 0),
        "{}",
        second.all()
    );
}

#[test]
fn check_mode_reports_changes_and_touches_nothing() {
    let lab = lab_with_config();
    let before = lab.snapshot("node1");
    let output = lab.run(&["play", "site.yml", "-i", "lab", "--check", "--diff"]);
    output.assert_code(0);
    assert_eq!(
        recap(&output)["node1"],
        Recap::new(3, 3, 0, 0, 0),
        "{}",
        output.all()
    );
    assert_eq!(before, lab.snapshot("node1"), "--check changed a file");
    for expected in [
        "-port=80",
        "+port=8080",
        "+# BEGIN ANSIBLE MANAGED BLOCK",
        "+name=web-prod",
    ] {
        assert!(
            output.stdout.contains(expected),
            "no {expected:?} in\n{}",
            output.all()
        );
    }
}

#[test]
fn bad_arguments_fail_before_any_host_is_contacted() {
    let project = Project::new();
    for (task, expected) in [
        ("lineinfile: {path: /x, lien: y}", "did you mean"),
        ("blockinfile: {path: /x, blok: y}", "did you mean"),
        ("replace: {path: /x}", "regexp"),
        ("lineinfile: {line: y}", "path"),
    ] {
        project.file(
            "site.yml",
            &format!("- hosts: localhost\n  gather_facts: false\n  tasks:\n    - {task}\n"),
        );
        let output = project.run(&["play", "site.yml", "--syntax-check"]);
        output.assert_code(4);
        assert!(output.all().contains(expected), "{task}: {}", output.all());
        assert!(
            output.all().contains("site.yml:4:"),
            "{task}: {}",
            output.all()
        );
    }
}
