//! `pip` over SSH on lab hosts, offline: the test writes tiny wheels to a
//! directory under /tmp (which lab hosts share with this machine) and every
//! play installs from it with `--no-index --find-links`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Lab, Output, recap};

/// A wheel directory under /tmp holding `rbdemo` 1.0 and 1.1.
fn wheels() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("runbook-pip-wheels")
        .tempdir_in("/tmp")
        .expect("temp dir under /tmp");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pip/make_wheels.py");
    let status = Command::new("python3")
        .arg(script)
        .arg(dir.path())
        .args(["rbdemo==1.0", "rbdemo==1.1"])
        .status()
        .expect("python3 runs on the controller");
    assert!(status.success(), "building wheels failed");
    dir
}

fn play(lab: &Lab, playbook: &str, extra: &[&str]) -> Output {
    let mut args = vec!["play", playbook, "-i", "lab"];
    args.extend_from_slice(extra);
    lab.run(&args)
}

/// A play with one `pip` task on `rbdemo` into /opt/venv.
fn pip_play(wheels: &Path, name: &str, state: &str) -> String {
    format!(
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - pip:
        name: "{name}"
        state: {state}
        virtualenv: /opt/venv
        {extra_args}
      register: result
    - assert:
        that:
          - result.virtualenv == '/opt/venv'
          - result.state == '{state}'
          - result.name == ['{name}']
          - "'{state_verb}' in result.cmd"
"#,
        // `pip uninstall` takes no index options, as in Ansible.
        extra_args = if state == "absent" {
            String::new()
        } else {
            format!(
                "extra_args: \"--no-index --find-links {}\"",
                wheels.display()
            )
        },
        state_verb = if state == "absent" {
            "uninstall"
        } else {
            "install"
        },
    )
}

/// The version of `rbdemo` the host's virtualenv holds, read from its files.
fn installed_version(lab: &Lab, host: &str) -> Option<String> {
    let lib = lab.host_root(host).join("opt/venv/lib");
    let python = std::fs::read_dir(&lib).ok()?.flatten().next()?.path();
    let module: PathBuf = python.join("site-packages/rbdemo/__init__.py");
    let text = std::fs::read_to_string(module).ok()?;
    Some(
        text.trim()
            .trim_start_matches("VERSION = ")
            .trim_matches('\'')
            .to_string(),
    )
}

fn changed(output: &Output) -> u32 {
    output.assert_code(0);
    recap(output)["node1"].changed
}

/// Run `playbook` in check mode: reported changed, host untouched.
fn check_predicts_change(lab: &Lab, playbook: &str) -> Output {
    let before = lab.snapshot("node1");
    let checked = play(lab, playbook, &["--check", "--diff"]);
    assert_eq!(changed(&checked), 1, "{}", checked.all());
    assert!(before == lab.snapshot("node1"), "--check changed the host");
    checked
}

#[test]
fn pip_installs_pins_upgrades_and_removes_idempotently() {
    let wheels = wheels();
    let lab = Lab::up(1);
    lab.project.file(
        "pin10.yml",
        &pip_play(wheels.path(), "rbdemo==1.0", "present"),
    );
    lab.project.file(
        "pin11.yml",
        &pip_play(wheels.path(), "RBDemo>=1.1", "present"),
    );
    lab.project
        .file("latest.yml", &pip_play(wheels.path(), "rbdemo", "latest"));
    lab.project
        .file("absent.yml", &pip_play(wheels.path(), "rbdemo", "absent"));

    let checked = check_predicts_change(&lab, "pin10.yml");
    assert!(
        checked.stdout.contains("virtualenv: absent"),
        "{}",
        checked.all()
    );
    let first = play(&lab, "pin10.yml", &[]);
    assert_eq!(changed(&first), 1, "{}", first.all());
    assert_eq!(installed_version(&lab, "node1").as_deref(), Some("1.0"));
    let again = play(&lab, "pin10.yml", &[]);
    assert_eq!(changed(&again), 0, "{}", again.all());

    let checked = check_predicts_change(&lab, "pin11.yml");
    assert!(checked.stdout.contains("RBDemo: 1.0"), "{}", checked.all());
    assert!(
        checked.stdout.contains("RBDemo: >=1.1"),
        "{}",
        checked.all()
    );
    assert_eq!(changed(&play(&lab, "pin11.yml", &[])), 1);
    assert_eq!(installed_version(&lab, "node1").as_deref(), Some("1.1"));
    assert_eq!(changed(&play(&lab, "pin11.yml", &[])), 0);

    // Back to 1.0, then `latest` asks pip, which finds 1.1.
    assert_eq!(
        changed(&play(&lab, "pin10.yml", &[])),
        1,
        "==1.0 downgrades"
    );
    assert_eq!(installed_version(&lab, "node1").as_deref(), Some("1.0"));
    let checked = check_predicts_change(&lab, "latest.yml");
    assert!(checked.stdout.contains("rbdemo: 1.1"), "{}", checked.all());
    assert_eq!(changed(&play(&lab, "latest.yml", &[])), 1);
    assert_eq!(installed_version(&lab, "node1").as_deref(), Some("1.1"));
    assert_eq!(
        changed(&play(&lab, "latest.yml", &[])),
        0,
        "1.1 is the latest"
    );

    check_predicts_change(&lab, "absent.yml");
    assert_eq!(changed(&play(&lab, "absent.yml", &[])), 1);
    assert_eq!(installed_version(&lab, "node1"), None);
    assert_eq!(changed(&play(&lab, "absent.yml", &[])), 0);
}

#[test]
fn pip_arguments_are_checked_before_connecting() {
    let lab = Lab::up(1);
    lab.project.file(
        "typo.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - pip:\n        name: rbdemo\n        virtualenv_pyhton: python3\n",
    );
    let typo = play(&lab, "typo.yml", &["--syntax-check"]);
    typo.assert_code(4);
    assert!(typo.all().contains("virtualenv_python"), "{}", typo.all());
    assert!(typo.all().contains("typo.yml:6:9"), "{}", typo.all());

    lab.project.file(
        "both.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - pip:\n        name: rbdemo\n        requirements: /tmp/r.txt\n",
    );
    let both = play(&lab, "both.yml", &["--syntax-check"]);
    both.assert_code(4);
    assert!(
        both.all().contains("only one of: name, requirements"),
        "{}",
        both.all()
    );
}

#[test]
fn a_host_without_that_pip_gets_a_clear_error() {
    let lab = Lab::up(1);
    lab.project.file(
        "nopip.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - pip:\n        name: rbdemo\n        executable: /nonexistent/pip3\n",
    );
    let output = play(&lab, "nopip.yml", &[]);
    assert_ne!(output.code, 0, "{}", output.all());
    assert_eq!(recap(&output)["node1"].failed, 1, "{}", output.all());
    assert!(
        output
            .all()
            .contains("pip needs /nonexistent/pip3 on node1"),
        "{}",
        output.all()
    );
}

#[test]
fn pip_follows_a_requirements_file_in_chdir() {
    let wheels = wheels();
    std::fs::write(
        wheels.path().join("requirements.txt"),
        "# pinned\nrbdemo==1.0\n",
    )
    .expect("requirements written");
    let lab = Lab::up(1);
    let task = |state: &str, extra: &str| {
        format!(
            "- hosts: lab\n  gather_facts: false\n  tasks:\n    - pip:\n        requirements: requirements.txt\n        chdir: {dir}\n        virtualenv: /opt/venv\n        state: {state}\n{extra}",
            dir = wheels.path().display()
        )
    };
    lab.project.file(
        "install.yml",
        &task("present", "        extra_args: --no-index --find-links .\n"),
    );
    lab.project.file("remove.yml", &task("absent", ""));

    assert_eq!(changed(&play(&lab, "install.yml", &[])), 1);
    assert_eq!(installed_version(&lab, "node1").as_deref(), Some("1.0"));
    let again = play(&lab, "install.yml", &[]);
    assert_eq!(
        changed(&again),
        0,
        "pip's dry run finds nothing to do\n{}",
        again.all()
    );

    check_predicts_change(&lab, "remove.yml");
    assert_eq!(changed(&play(&lab, "remove.yml", &[])), 1);
    assert_eq!(installed_version(&lab, "node1"), None);
    assert_eq!(changed(&play(&lab, "remove.yml", &[])), 0);
}
