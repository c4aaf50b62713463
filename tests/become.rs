//! `become` on a lab over SSH with the real sudo and su: another user from
//! root, root from an unprivileged user with a password, wrong and missing
//! passwords, modules that stream stdin, and the password kept out of every
//! process's argv and environment, the output and the logs.

use std::time::{Duration, Instant};

use crate::support::{Lab, Output, watching_processes};

/// Unique, so finding it anywhere is a leak of this test's password.
fn password() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("Pw{}x{nanos}Zq", std::process::id())
}

/// A lab host with `deploy`, whose sudoers rule asks for its password.
fn lab_with_deploy(password: &str) -> Lab {
    let lab = Lab::up(1);
    lab.project.file(
        "setup.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - shell: id deploy || useradd -M -d /opt/deploy -s /bin/sh deploy
    - shell: chpasswd
      args:
        stdin: "deploy:{{ deploy_password }}"
      no_log: true
    - copy:
        dest: /etc/sudoers.d/deploy
        content: "deploy ALL=(ALL) ALL\n"
        mode: "0440"
    - file:
        path: /opt/deploy
        state: directory
        owner: deploy
"#,
    );
    lab.project
        .file("pw.yml", &format!("deploy_password: \"{password}\"\n"));
    lab.run(&["play", "setup.yml", "-i", "lab", "-e", "@pw.yml"])
        .assert_code(0);
    let_other_users_log_in(&lab);
    lab
}

/// Every lab sshd reads one root-only authorized_keys; sshd reads it as the
/// user logging in, so `deploy` needs to reach and read it.
fn let_other_users_log_in(lab: &Lab) {
    use std::os::unix::fs::PermissionsExt;
    let open = |path: &std::path::Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    open(lab.project.path(), 0o711);
    open(&lab.state_dir(), 0o711);
    open(&lab.state_dir().join("authorized_keys"), 0o644);
}

fn as_deploy(lab: &Lab, playbook: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "play",
        playbook,
        "-i",
        "lab",
        "-e",
        "ansible_user=deploy",
        "-e",
        "@pw.yml",
    ];
    args.extend_from_slice(extra);
    lab.run(&args)
}

#[test]
fn root_becomes_an_unprivileged_user_and_streams_stdin_as_it() {
    let lab = lab_with_deploy(&password());
    lab.project.file(
        "files/who.sh",
        "#!/bin/sh\nid -un > /opt/deploy/script-ran-as\n",
    );
    lab.project.file(
        "site.yml",
        r#"
- hosts: lab
  become: true
  become_user: deploy
  tasks:
    - assert:
        that: ansible_user_id == 'deploy'
    - command: whoami
      register: who
    - assert:
        that: who.stdout == 'deploy'
    - copy:
        dest: /opt/deploy/note
        content: "written through stdin\n"
    - script: files/who.sh
    - block:
        - command: whoami
          register: block_who
          become: false
        - assert:
            that: block_who.stdout == 'root'
      become_user: nobody
"#,
    );
    let output = lab.run(&["play", "site.yml", "-i", "lab"]);
    output.assert_code(0);
    let root = lab.host_root("node1");
    let note = root.join("opt/deploy/note");
    assert_eq!(
        std::fs::read_to_string(&note).expect("note"),
        "written through stdin\n"
    );
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&note).expect("meta"));
    assert_ne!(owner, 0, "copy under become wrote as deploy, not root");
    assert_eq!(
        std::fs::read_to_string(root.join("opt/deploy/script-ran-as")).expect("script ran"),
        "deploy\n"
    );
}

#[test]
fn a_user_becomes_root_with_a_password_that_never_shows() {
    let secret = password();
    let lab = lab_with_deploy(&secret);
    lab.project.file(
        "site.yml",
        r#"
- hosts: lab
  gather_facts: false
  become: true
  vars:
    ansible_become_password: "{{ deploy_password }}"
  tasks:
    - command: whoami
      register: who
    - assert:
        that: who.stdout == 'root'
    - copy:
        dest: /opt/from-deploy
        content: "exact content\n"
    - command: sleep 3
    - command: cat
      args:
        stdin: "data after the password"
      register: fed
    - assert:
        that: fed.stdout == 'data after the password'
"#,
    );
    let (output, leaks) = watching_processes(&secret, || as_deploy(&lab, "site.yml", &["-vvv"]));
    output.assert_code(0);
    let written = lab.host_root("node1").join("opt/from-deploy");
    assert_eq!(
        std::fs::read_to_string(&written).expect("written"),
        "exact content\n",
        "the password line did not reach the module's stdin"
    );
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&written).expect("meta"));
    assert_eq!(owner, 0, "written as root");
    assert!(leaks.is_empty(), "password in a process: {leaks:?}");
    assert!(!output.all().contains(&secret), "{}", output.all());
    let shims = format!("{:?}", lab.shim_calls("node1"));
    assert!(!shims.contains(&secret));
    assert!(files_containing(&lab.state_dir(), &secret).is_empty());
}

#[test]
fn a_wrong_or_missing_password_fails_the_task_without_hanging() {
    let lab = lab_with_deploy(&password());
    lab.project.file(
        "site.yml",
        r#"
- hosts: lab
  gather_facts: false
  become: true
  tasks:
    - copy:
        dest: /opt/never
        content: "stdin that sudo must not eat\n"
"#,
    );
    let started = Instant::now();
    let wrong = as_deploy(&lab, "site.yml", &["-e", "ansible_become_password=not-it"]);
    wrong.assert_code(2);
    assert!(
        wrong.stdout.contains("Incorrect sudo password"),
        "{}",
        wrong.all()
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    let missing = as_deploy(&lab, "site.yml", &[]);
    missing.assert_code(2);
    assert!(
        missing.stdout.contains("Missing sudo password"),
        "{}",
        missing.all()
    );
    assert!(!lab.host_root("node1").join("opt/never").exists());
}

#[test]
fn su_works_from_root_and_is_refused_clearly_otherwise() {
    let lab = lab_with_deploy(&password());
    lab.project.file(
        "site.yml",
        r#"
- hosts: lab
  gather_facts: false
  become: true
  become_method: su
  become_user: deploy
  tasks:
    - command: whoami
      register: who
    - assert:
        that: who.stdout == 'deploy'
"#,
    );
    lab.run(&["play", "site.yml", "-i", "lab"]).assert_code(0);
    let refused = as_deploy(&lab, "site.yml", &[]);
    refused.assert_code(2);
    assert!(
        refused
            .stdout
            .contains("su works only when connected as root"),
        "{}",
        refused.all()
    );
}

#[test]
fn ask_become_pass_without_a_terminal_is_a_clear_error() {
    let project = crate::support::Project::new();
    project.file(
        "site.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks: []\n",
    );
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_runbook"));
    command
        .args(["play", "site.yml", "-K"])
        .current_dir(project.path())
        .stdin(std::process::Stdio::null());
    // setsid: no controlling terminal, whatever runs the tests.
    use std::os::unix::process::CommandExt;
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let output = command.output().expect("runbook runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert_eq!(
        stderr,
        "Warning: Password input may be echoed.\nBECOME password: \n\
         ERROR! -K/--ask-become-pass: no terminal to ask on, and stdin ended before a password line; set ansible_become_password (e.g. in a vault) instead\n"
    );
}

fn files_containing(dir: &std::path::Path, secret: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                pending.push(path);
            } else if meta.is_file()
                && String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default())
                    .contains(secret)
            {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

#[test]
fn an_unsupported_method_is_refused_before_any_host_is_touched() {
    let project = crate::support::Project::new();
    project.file(
        "site.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - command: \"true\"\n      become: true\n      become_method: sudu\n",
    );
    let output = project.run(&["play", "site.yml"]);
    output.assert_code(4);
    assert!(output.stderr.contains("site.yml:6:22"), "{}", output.all());
    assert!(output.stderr.contains("sudo"), "{}", output.all());
}

/// Under become, nothing of a task reaches a command line: the script is on
/// sudo's stdin, `uri`'s password in a here-document curl reads. A scan of
/// every process's argv and environment (sudo's `SUDO_COMMAND` included)
/// while a `no_log` edit and a slow authenticated request run finds nothing.
#[test]
fn a_secret_in_a_become_task_is_in_no_command_line_or_environment() {
    let secret = password();
    let lab = lab_with_deploy(&password());
    // Accepts and never answers: curl waits for its --max-time.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = silent.local_addr().expect("addr").port();
    lab.project.file(
        "secret.yml",
        &format!(
            r#"
- hosts: lab
  gather_facts: false
  become: true
  vars:
    ansible_become_password: "{{{{ deploy_password }}}}"
  tasks:
    - name: a secret line
      lineinfile:
        path: /opt/secret-line
        line: "token={secret}"
        create: true
      no_log: true
    - name: a slow authenticated request
      uri:
        url: "http://127.0.0.1:{port}/"
        url_username: api
        url_password: "{secret}"
        headers:
          X-Token: "{secret}"
        timeout: 3
      no_log: true
      ignore_errors: true
    - name: a long no_log script
      shell: "sleep 2; echo done"
      environment:
        NOT_THE_SECRET: plain
      no_log: true
"#
        ),
    );
    let (output, leaks) = watching_processes(&secret, || as_deploy(&lab, "secret.yml", &[]));
    drop(silent);
    output.assert_code(0);
    assert!(leaks.is_empty(), "a task's secret in a process: {leaks:?}");
    assert!(!output.all().contains(&secret), "{}", output.all());
    let line = std::fs::read_to_string(lab.host_root("node1").join("opt/secret-line"))
        .expect("the line was written");
    assert_eq!(line, format!("token={secret}\n"));
    let elsewhere: Vec<String> = files_containing(&lab.state_dir(), &secret)
        .into_iter()
        .filter(|path| !path.ends_with("opt/secret-line"))
        .collect();
    assert!(elsewhere.is_empty(), "in logs or files: {elsewhere:?}");
}
