//! Playbooks and ad-hoc commands over real SSH, on a lab of sshd hosts that
//! each have their own filesystem and hostname.

use crate::support::{Lab, Recap, recap};

#[test]
fn a_playbook_runs_on_every_host_over_ssh() {
    let lab = Lab::up(3);
    lab.project.file(
        "site.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - command: hostname
      register: name
    - assert:
        that: name.stdout == inventory_hostname
    - shell: echo "{{ inventory_hostname }}" > /opt/whoami
      args:
        creates: /opt/whoami
    - command: cat
      args:
        stdin: "fed through stdin"
      register: fed
    - assert:
        that: fed.stdout == 'fed through stdin'
"#,
    );
    let output = lab.run(&["play", "site.yml", "-i", "lab"]);
    output.assert_code(0);
    for host in &lab.hosts {
        assert_eq!(
            recap(&output)[host],
            Recap::new(5, 3, 0, 0, 0),
            "{}",
            output.all()
        );
        let written = std::fs::read_to_string(lab.host_root(host).join("opt/whoami"))
            .expect("file on the host");
        assert_eq!(written, format!("{host}\n"), "each host has its own /opt");
    }
    let again = lab.run(&["play", "site.yml", "-i", "lab"]);
    assert_eq!(
        recap(&again)["node1"],
        Recap::new(5, 2, 0, 0, 0),
        "creates made the write idempotent\n{}",
        again.all()
    );
}

#[test]
fn an_unreachable_host_is_reported_and_the_others_go_on() {
    let lab = Lab::up(3);
    lab.stop_host("node2");
    lab.project.file("site.yml", "- hosts: lab\n  gather_facts: false\n  tasks:\n    - command: \"true\"\n    - command: \"true\"\n");
    let output = lab.run(&["play", "site.yml", "-i", "lab", "-T", "3"]);
    output.assert_code(4);
    let recap = recap(&output);
    assert_eq!(recap["node2"], Recap::new(0, 0, 1, 0, 0));
    assert_eq!(recap["node1"], Recap::new(2, 2, 0, 0, 0));
    assert_eq!(recap["node3"], Recap::new(2, 2, 0, 0, 0));
    assert!(
        output.stdout.contains("fatal: [node2]: UNREACHABLE!"),
        "{}",
        output.all()
    );
}

#[test]
fn an_unknown_host_key_is_refused_until_accepted() {
    let lab = Lab::up(1);
    let empty_known_hosts = lab.project.join("known_hosts");
    std::fs::write(&empty_known_hosts, "").expect("write");
    let extra = format!(
        "ansible_ssh_common_args='-o UserKnownHostsFile={}'",
        empty_known_hosts.display()
    );
    lab.project.file(
        "site.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - command: \"true\"\n",
    );
    let refused = lab.run(&["play", "site.yml", "-i", "lab", "-e", &extra]);
    refused.assert_code(4);
    assert!(refused.stdout.contains("is not known"), "{}", refused.all());
    assert!(
        refused.stdout.contains("SHA256:"),
        "fingerprint shown\n{}",
        refused.all()
    );
    assert_eq!(
        std::fs::read_to_string(&empty_known_hosts).expect("read"),
        "",
        "nothing recorded without consent"
    );

    let accepted = lab.run(&[
        "play",
        "site.yml",
        "-i",
        "lab",
        "-e",
        &extra,
        "--accept-new-host-keys",
    ]);
    accepted.assert_code(0);
    assert!(
        !std::fs::read_to_string(&empty_known_hosts)
            .expect("read")
            .is_empty(),
        "key recorded"
    );
    lab.run(&["play", "site.yml", "-i", "lab", "-e", &extra])
        .assert_code(0);
}

#[test]
fn a_changed_host_key_is_always_refused() {
    let lab = Lab::up(1);
    let known_hosts = lab.project.join("known_hosts");
    let accepted = lab.run(&[
        "run",
        "lab",
        "-i",
        "lab",
        "-a",
        "true",
        "--accept-new-host-keys",
        "-e",
        &format!(
            "ansible_ssh_common_args='-o UserKnownHostsFile={}'",
            known_hosts.display()
        ),
    ]);
    accepted.assert_code(0);
    // Replace the recorded key with another one of the same type.
    let recorded = std::fs::read_to_string(&known_hosts).expect("read");
    let other_key = tempfile::tempdir().expect("dir");
    let key_path = other_key.path().join("k");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key_path)
        .status()
        .expect("ssh-keygen");
    assert!(status.success());
    let other_public = std::fs::read_to_string(key_path.with_extension("pub")).expect("pub key");
    let host_field = recorded.split_whitespace().next().expect("host field");
    let other_body: Vec<&str> = other_public.split_whitespace().take(2).collect();
    std::fs::write(
        &known_hosts,
        format!("{host_field} {}\n", other_body.join(" ")),
    )
    .expect("write");
    for flag in [None, Some("--accept-new-host-keys")] {
        let mut args = vec!["run", "lab", "-i", "lab", "-a", "true", "-e"];
        let extra = format!(
            "ansible_ssh_common_args='-o UserKnownHostsFile={}'",
            known_hosts.display()
        );
        args.push(&extra);
        args.extend(flag);
        let output = lab.run(&args);
        output.assert_code(4);
        assert!(output.stdout.contains("HAS CHANGED"), "{}", output.all());
    }
}

#[test]
fn adhoc_commands_drive_the_hosts_shims() {
    let lab = Lab::up(2);
    let inactive = lab.run(&[
        "run",
        "lab",
        "-i",
        "lab",
        "-a",
        "systemctl is-active kaiwudb",
    ]);
    inactive.assert_code(2);
    assert!(
        inactive
            .stdout
            .contains("node1 | FAILED | rc=3 >>\ninactive"),
        "{}",
        inactive.all()
    );

    let started = lab.run(&[
        "run",
        "node2",
        "-i",
        "lab",
        "-m",
        "shell",
        "-a",
        "systemctl start kaiwudb && systemctl is-active kaiwudb",
    ]);
    started.assert_code(0);
    assert!(
        started.stdout.contains("node2 | CHANGED | rc=0 >>\nactive"),
        "{}",
        started.all()
    );
    let calls: Vec<String> = lab
        .shim_calls("node2")
        .into_iter()
        .map(|(shim, argv)| format!("{shim} {argv}"))
        .collect();
    let start = calls
        .iter()
        .position(|c| c.contains("start kaiwudb"))
        .expect("start recorded");
    let last_check = calls
        .iter()
        .rposition(|c| c.contains("is-active kaiwudb"))
        .expect("check recorded");
    assert!(start < last_check, "{calls:?}");
    assert!(
        lab.shim_calls("node1")
            .iter()
            .all(|(_, argv)| !argv.contains("start")),
        "node1 untouched"
    );
}

#[test]
fn large_output_and_many_commands_on_one_connection() {
    let lab = Lab::up(1);
    lab.project.file(
        "site.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - shell: "head -c 3000000 /dev/zero | tr '\\0' a; head -c 1000000 /dev/zero | tr '\\0' b >&2"
      register: big
    - assert:
        that:
          - big.stdout | length == 3000000
          - big.stderr | length == 1000000
    - command: "echo {{ item }}"
      loop: "{{ range(100) | list }}"
      register: many
    - assert:
        that: many.results | map(attribute='stdout') | list | last == '99'
"#,
    );
    lab.run(&["play", "site.yml", "-i", "lab"]).assert_code(0);
}

#[test]
fn an_encrypted_key_is_unlocked_from_the_environment_or_the_terminal() {
    let lab = Lab::up(1);
    let key = lab.project.join("locked_key");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "s3cret", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen");
    assert!(status.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).expect("pub");
    let authorized = lab.state_dir().join("authorized_keys");
    let mut keys = std::fs::read_to_string(&authorized).expect("authorized_keys");
    keys.push_str(&public);
    std::fs::write(&authorized, keys).expect("write");
    let key_var = format!("ansible_ssh_private_key_file={}", key.display());

    let locked = lab.run(&["run", "lab", "-i", "lab", "-a", "true", "-e", &key_var]);
    locked.assert_code(4);
    assert!(
        locked.stdout.contains("RUNBOOK_SSH_KEY_PASSPHRASE"),
        "says how to unlock\n{}",
        locked.all()
    );

    let unlocked = lab.project.run_with_env(
        &["run", "lab", "-i", "lab", "-a", "true", "-e", &key_var],
        &[("RUNBOOK_SSH_KEY_PASSPHRASE", "s3cret")],
    );
    unlocked.assert_code(0);

    // On a terminal, runbook asks once (script(1) gives it one).
    let command = format!(
        "{} run lab -i lab -a true -e {key_var}",
        env!("CARGO_BIN_EXE_runbook")
    );
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(lab.project.path())
        .env("NO_COLOR", "1")
        .env_remove("SSH_AUTH_SOCK")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script");
    use std::io::Write;
    std::thread::sleep(std::time::Duration::from_millis(800));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"s3cret\n")
        .expect("type");
    let output = child.wait_with_output().expect("wait");
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(shown.contains("Enter passphrase for key"), "{shown}");
    assert!(shown.contains("node1 | CHANGED | rc=0"), "{shown}");
    assert!(
        !shown.contains("s3cret"),
        "the passphrase is not echoed: {shown}"
    );
}

#[test]
fn meta_reset_connection_opens_a_new_session() {
    let lab = Lab::up(2);
    lab.project.file(
        "site.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    # The session id of a command: sshd starts one per connection.
    - shell: awk '{ print $6 }' /proc/self/stat
      register: first
    - shell: awk '{ print $6 }' /proc/self/stat
      register: same_session
    - meta: reset_connection
      when: inventory_hostname == 'node1'
    - shell: awk '{ print $6 }' /proc/self/stat
      register: new_session
    - assert:
        that:
          - same_session.stdout == first.stdout
          - new_session.stdout != first.stdout
"#,
    );
    let output = lab.run(&["play", "site.yml", "-i", "lab"]);
    output.assert_code(0);
    assert!(
        output
            .stderr
            .contains("reset_connection task does not support when conditional"),
        "as in Ansible, `when` is ignored with a warning\n{}",
        output.all()
    );
    for host in &lab.hosts {
        assert_eq!(
            recap(&output)[host],
            Recap::new(4, 3, 0, 0, 0),
            "{}",
            output.all()
        );
    }
}
