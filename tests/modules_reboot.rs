//! `reboot` on lab hosts, whose init really ends every process, keeps the
//! host unreachable for a while and starts sshd again with a new boot id.

use insta::assert_snapshot;

use crate::support::{Lab, Output, snapshot_settings, transcript};

fn play(lab: &Lab, playbook: &str, extra: &[&str]) -> Output {
    let mut args = vec!["play", playbook, "-i", "lab", "--forks", "1"];
    args.extend_from_slice(extra);
    lab.run(&args)
}

fn snapshot(lab: &Lab, name: &str, output: &Output) {
    snapshot_settings(lab.project.path(), Some(&lab.name))
        .bind(|| assert_snapshot!(name, transcript(output)));
}

fn boot_id(lab: &Lab, host: &str) -> String {
    let path = lab.state_dir().join("sshd").join(host).join("boot_id");
    std::fs::read_to_string(path).expect("the host's boot id")
}

const REBOOT: &str = r#"
- hosts: lab
  gather_facts: false
  tasks:
    - name: boot id before
      command: cat /proc/sys/kernel/random/boot_id
      register: before
      changed_when: false
    - name: a process of this boot
      shell: setsid sleep 600 < /dev/null > /dev/null 2>&1 & echo $! > /opt/old-pid
      changed_when: false
    - name: reboot
      reboot:
      register: rebooted
    - name: boot id after
      command: cat /proc/sys/kernel/random/boot_id
      register: after
      changed_when: false
    - name: the old boot's processes are gone
      shell: "! kill -0 $(cat /opt/old-pid) 2>/dev/null"
      changed_when: false
    - name: check
      assert:
        quiet: true
        that:
          - before.stdout != after.stdout
          - after.stdout | length == 36
          - rebooted is changed
          - rebooted.rebooted
          - rebooted.elapsed >= 2
"#;

const REBOOT_CHECKED: &str = r#"
- hosts: lab
  gather_facts: false
  tasks:
    - name: reboot
      reboot:
      register: rebooted
    - name: what check mode reports
      debug:
        var: rebooted
"#;

#[test]
fn reboot_waits_for_a_new_boot_and_the_next_tasks_run_on_it() {
    let lab = Lab::up(2);
    lab.project.file("reboot.yml", REBOOT);
    let first_boot: Vec<String> = lab.hosts.iter().map(|host| boot_id(&lab, host)).collect();

    lab.project.file("check.yml", REBOOT_CHECKED);
    let checked = play(&lab, "check.yml", &["--check"]);
    snapshot(&lab, "reboot_check", &checked);
    for (host, boot) in lab.hosts.iter().zip(&first_boot) {
        assert_eq!(lab.calls_of(host, "shutdown"), Vec::<String>::new());
        assert_eq!(&boot_id(&lab, host), boot, "--check rebooted {host}");
    }

    let output = play(&lab, "reboot.yml", &[]);
    snapshot(&lab, "reboot_run", &output);
    for (host, boot) in lab.hosts.iter().zip(&first_boot) {
        assert_eq!(
            lab.calls_of(host, "shutdown"),
            vec!["-r 0 'Reboot initiated by Ansible'".to_string()]
        );
        assert_ne!(&boot_id(&lab, host), boot, "{host} has a new boot id");
    }
}

const REBOOT_IF_REQUIRED: &str = r#"
- hosts: lab
  gather_facts: false
  tasks:
    - name: is a reboot required
      stat:
        path: /opt/reboot-required
      register: required
    - name: reboot
      reboot:
        msg: kernel upgrade
        reboot_timeout: 60
      when: required.stat.exists
    - name: done
      file:
        path: /opt/reboot-required
        state: absent
"#;

#[test]
fn reboot_guarded_by_when_runs_once() {
    let lab = Lab::up(2);
    lab.project.file("site.yml", REBOOT_IF_REQUIRED);
    std::fs::write(lab.host_root("node1").join("opt/reboot-required"), "").expect("flag");
    let node2_boot = boot_id(&lab, "node2");

    let first = play(&lab, "site.yml", &[]);
    snapshot(&lab, "reboot_when_first", &first);
    let second = play(&lab, "site.yml", &[]);
    snapshot(&lab, "reboot_when_second", &second);

    assert_eq!(
        lab.calls_of("node1", "shutdown"),
        vec!["-r 0 'kernel upgrade'".to_string()]
    );
    assert_eq!(lab.calls_of("node2", "shutdown"), Vec::<String>::new());
    assert_eq!(boot_id(&lab, "node2"), node2_boot);
}

const REBOOT_AND_GO_ON: &str = r#"
- hosts: lab
  gather_facts: false
  tasks:
    - name: reboot
      reboot:
        reboot_timeout: 10
        boot_time_command: "{{ 'echo unchanged' if inventory_hostname == 'node3' else 'cat /proc/sys/kernel/random/boot_id' }}"
    - name: after
      command: "true"
      changed_when: false
"#;

/// node2 never comes back: unreachable, as with ansible-playbook (see
/// docs/modules/reboot.md); node3 comes back with the same "boot id": failed
/// after `reboot_timeout`; node1 runs on.
#[test]
fn hosts_that_do_not_come_back_new_fail_alone_after_reboot_timeout() {
    let lab = Lab::up(3);
    lab.project.file("site.yml", REBOOT_AND_GO_ON);
    let knobs = lab
        .host_root("node2")
        .join("var/lib/runbook-shims/power/knobs");
    std::fs::create_dir_all(&knobs).expect("knobs");
    std::fs::write(knobs.join("stays_down"), "").expect("knob");

    let output = play(&lab, "site.yml", &[]);
    snapshot(&lab, "reboot_timeout", &output);
    for host in &lab.hosts {
        assert_eq!(
            lab.calls_of(host, "shutdown"),
            vec!["-r 0 'Reboot initiated by Ansible'".to_string()]
        );
    }
}

#[test]
fn reboot_arguments_are_checked_before_connecting() {
    let lab = Lab::up(1);
    lab.project.file(
        "bad.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - reboot:\n        reboot_timout: 5\n",
    );
    let output = play(&lab, "bad.yml", &[]);
    snapshot(&lab, "reboot_bad_argument", &output);
    assert_eq!(lab.calls_of("node1", "shutdown"), Vec::<String>::new());
}
