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

const UNIT_SETUP: &str = r#"
- hosts: lab
  gather_facts: false
  tasks:
    - shell: mkdir -p /etc/systemd/system && printf '[Service]\nExecStart=/bin/true\n' > /etc/systemd/system/demo.service
"#;

const DEMO_STARTED: &str = r#"
- hosts: lab
  gather_facts: false
  tasks:
    - systemd:
        name: demo
        state: started
        enabled: true
        daemon_reload: true
      register: demo
    - assert:
        that:
          - demo.name == 'demo'
          - demo.state == 'started'
          - demo.enabled
          - demo.status.LoadState == 'loaded'
"#;

/// The host's files, less the directories the systemctl shim creates for a
/// unit it is merely asked about (its bookkeeping, not a change to the host).
fn host_state(lab: &Lab, host: &str) -> BTreeMap<String, String> {
    lab.snapshot(host)
        .into_iter()
        .filter(|(path, facts)| {
            !(path.starts_with("var/lib/runbook-shims/systemd/") && facts.ends_with(" dir"))
        })
        .collect()
}

fn systemctl_calls(lab: &Lab, host: &str) -> Vec<String> {
    lab.shim_calls(host)
        .into_iter()
        .filter(|(shim, _)| shim == "systemctl")
        .map(|(_, argv)| argv)
        .collect()
}

#[test]
fn systemd_starts_and_enables_once_and_check_mode_only_reads() {
    let lab = Lab::up(1);
    lab.project.file("setup.yml", UNIT_SETUP);
    lab.project.file("demo.yml", DEMO_STARTED);
    play(&lab, "setup.yml", &[]).assert_code(0);

    let before = host_state(&lab, "node1");
    let checked = play(&lab, "demo.yml", &["--check", "--diff"]);
    checked.assert_code(0);
    assert_eq!(recap(&checked)["node1"].changed, 1, "{}", checked.all());
    assert!(
        checked.stdout.contains("state: inactive"),
        "{}",
        checked.all()
    );
    assert!(checked.stdout.contains("enabled: no"), "{}", checked.all());
    assert_eq!(
        before,
        host_state(&lab, "node1"),
        "--check changed the host"
    );
    let calls = systemctl_calls(&lab, "node1");
    assert!(
        calls
            .iter()
            .all(|c| !c.starts_with("start") && !c.starts_with("enable")),
        "check mode only reads: {calls:?}"
    );

    let first = play(&lab, "demo.yml", &[]);
    first.assert_code(0);
    assert_eq!(recap(&first)["node1"].changed, 1, "{}", first.all());
    let calls = systemctl_calls(&lab, "node1");
    assert!(calls.iter().any(|c| c == "start demo"), "{calls:?}");
    assert!(calls.iter().any(|c| c == "enable demo"), "{calls:?}");

    let second = play(&lab, "demo.yml", &[]);
    second.assert_code(0);
    assert_eq!(recap(&second)["node1"].changed, 0, "{}", second.all());
    let starts = systemctl_calls(&lab, "node1")
        .iter()
        .filter(|c| c.starts_with("start"))
        .count();
    assert_eq!(starts, 1, "a running unit is not started again");
}

#[test]
fn service_restarts_always_and_stops_once() {
    let lab = Lab::up(1);
    lab.project.file("setup.yml", UNIT_SETUP);
    lab.project.file(
        "cycle.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - service: name=demo state=started
    - ansible.builtin.service:
        name: demo
        state: restarted
    - systemd_service:
        name: demo.service
        state: stopped
        enabled: false
"#,
    );
    play(&lab, "setup.yml", &[]).assert_code(0);
    let first = play(&lab, "cycle.yml", &[]);
    first.assert_code(0);
    assert_eq!(recap(&first)["node1"].changed, 3, "{}", first.all());
    let again = play(&lab, "cycle.yml", &[]);
    again.assert_code(0);
    // The play ends stopped, so the next run starts again; restarted always acts.
    assert_eq!(recap(&again)["node1"].changed, 3, "{}", again.all());
    let calls = systemctl_calls(&lab, "node1");
    assert!(calls.iter().any(|c| c == "restart demo"), "{calls:?}");
    assert!(calls.iter().any(|c| c == "stop demo.service"), "{calls:?}");
}

#[test]
fn systemd_fails_on_a_unit_that_does_not_exist_and_checks_arguments() {
    let lab = Lab::up(1);
    lab.project.file(
        "missing.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - systemd: name=nothere state=started\n",
    );
    let missing = play(&lab, "missing.yml", &[]);
    missing.assert_code(2);
    assert!(
        missing
            .stdout
            .contains("Could not find the requested service nothere"),
        "{}",
        missing.all()
    );
    lab.project.file(
        "bad.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - systemd:\n        name: demo\n        stat: started\n",
    );
    let bad = play(&lab, "bad.yml", &["--syntax-check"]);
    bad.assert_code(4);
    assert!(bad.all().contains("bad.yml:6:9"), "{}", bad.all());
}

#[test]
fn include_vars_loads_from_vars_beside_the_playbook() {
    let lab = Lab::up(1);
    lab.project
        .file("vars/app.yml", "app_port: 8080\napp:\n  name: shop\n")
        .file("vars/env/10-base.yml", "tier: base\nregion: eu\n")
        .file("vars/env/20-prod.yml", "tier: prod\n")
        .file(
            "site.yml",
            r#"
- hosts: lab
  gather_facts: false
  tasks:
    - include_vars: app.yml
      register: loaded
    - include_vars:
        dir: env
        name: env
    - shell: echo "{{ app.name }}:{{ app_port }}:{{ env.tier }}:{{ env.region }}" > /opt/vars
    - assert:
        that:
          - loaded is not changed
          - loaded.ansible_included_var_files | length == 1
          - loaded.ansible_facts.app_port == 8080
"#,
        );
    let output = play(&lab, "site.yml", &[]);
    output.assert_code(0);
    let written =
        std::fs::read_to_string(lab.host_root("node1").join("opt/vars")).expect("written");
    assert_eq!(written, "shop:8080:prod:eu\n");
    lab.project.file(
        "bad.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - include_vars:\n        files: app.yml\n",
    );
    let bad = play(&lab, "bad.yml", &["--syntax-check"]);
    bad.assert_code(4);
    assert!(bad.all().contains("bad.yml:5:9"), "{}", bad.all());
}

#[test]
fn wait_for_ports_and_files_in_one_round_trip() {
    let lab = Lab::up(1);
    lab.project.file(
        "site.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - name: the host's own sshd is listening
      wait_for:
        port: "{{ ansible_port | default(22) }}"
        timeout: 5
      register: ssh
    - name: nothing listens on port 1
      wait_for: port=1 state=stopped timeout=2
    - name: a file written in the background while we wait
      shell: (sleep 1; echo 'ready on port=8080' > /opt/ready) >/dev/null 2>&1 &
    - wait_for:
        path: /opt/ready
        search_regex: 'port=(\d+)'
        timeout: 10
      register: ready
    - assert:
        that:
          - ssh is not changed
          - ready.match_groups == ['8080']
          - ready.elapsed >= 0
    - name: a port that never opens times out with Ansible's message
      wait_for: port=1 timeout=2
      ignore_errors: true
      register: closed
    - assert:
        that:
          - closed is failed
          - closed.msg == 'Timeout when waiting for 127.0.0.1:1'
          - closed.elapsed >= 2
"#,
    );
    let output = play(&lab, "site.yml", &[]);
    output.assert_code(0);
    assert_eq!(recap(&output)["node1"].changed, 1, "{}", output.all());
    lab.project.file(
        "bad.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - wait_for:\n        port: 22\n        timout: 3\n",
    );
    let bad = play(&lab, "bad.yml", &["--syntax-check"]);
    bad.assert_code(4);
    assert!(bad.all().contains("bad.yml:6:9"), "{}", bad.all());
}

const GIT_REPO_SETUP: &str = r#"
- hosts: lab
  gather_facts: false
  tasks:
    - shell: |
        set -e
        rm -rf /srv/work /srv/app.git
        git init -q --bare /srv/app.git
        git clone -q /srv/app.git /srv/work
        cd /srv/work
        echo one > README
        git add README
        git -c user.name=t -c user.email=t@t commit -q -m one
        git branch -M main
        git tag v1
        git push -q origin main v1
        git --git-dir=/srv/app.git symbolic-ref HEAD refs/heads/main
"#;

const GIT_CHECKOUT: &str = r#"
- hosts: lab
  gather_facts: false
  tasks:
    - git:
        repo: /srv/app.git
        dest: /opt/app
        version: main
      register: checkout
    - assert:
        that:
          - checkout.after | length == 40
"#;

#[test]
fn git_clones_once_updates_and_refuses_to_discard_local_changes() {
    let lab = Lab::up(1);
    lab.project.file("setup.yml", GIT_REPO_SETUP);
    lab.project.file("checkout.yml", GIT_CHECKOUT);
    play(&lab, "setup.yml", &[]).assert_code(0);
    let app = lab.host_root("node1").join("opt/app");

    let checked = play(&lab, "checkout.yml", &["--check", "--diff"]);
    checked.assert_code(0);
    assert_eq!(recap(&checked)["node1"].changed, 1, "{}", checked.all());
    assert!(!app.exists(), "--check cloned nothing");

    let first = play(&lab, "checkout.yml", &[]);
    first.assert_code(0);
    assert_eq!(recap(&first)["node1"].changed, 1, "{}", first.all());
    assert_eq!(
        std::fs::read_to_string(app.join("README")).expect("cloned"),
        "one\n"
    );
    let again = play(&lab, "checkout.yml", &[]);
    assert_eq!(recap(&again)["node1"].changed, 0, "{}", again.all());

    lab.project.file(
        "push.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - shell: cd /srv/work && date +%s%N >> CHANGES && git add CHANGES && git -c user.name=t -c user.email=t@t commit -qm more && git push -q origin main\n",
    );
    play(&lab, "push.yml", &[]).assert_code(0);
    let updated = play(&lab, "checkout.yml", &["--diff"]);
    updated.assert_code(0);
    assert_eq!(recap(&updated)["node1"].changed, 1, "{}", updated.all());
    assert!(
        app.join("CHANGES").exists(),
        "the new commit is checked out"
    );

    std::fs::write(app.join("README"), "local edit\n").expect("edit");
    play(&lab, "push.yml", &[]).assert_code(0);
    let refused = play(&lab, "checkout.yml", &[]);
    refused.assert_code(2);
    assert!(
        refused.stdout.contains("Local modifications exist"),
        "{}",
        refused.all()
    );
    assert!(
        refused.stdout.contains("README"),
        "the message names the file\n{}",
        refused.all()
    );
    assert_eq!(
        std::fs::read_to_string(app.join("README")).expect("kept"),
        "local edit\n"
    );

    lab.project.file(
        "bad.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - git:\n        repo: /srv/app.git\n        dst: /opt/app\n",
    );
    let bad = play(&lab, "bad.yml", &["--syntax-check"]);
    bad.assert_code(4);
    assert!(bad.all().contains("bad.yml:6:9"), "{}", bad.all());
}
