//! Blocks, retries, batches, failure limits, tags and meta — the play and
//! task control that rolling upgrades depend on.

use crate::support::{Lab, Project, Recap, recap};

fn project(playbook: &str) -> Project {
    Project::local_with(playbook)
}

#[test]
fn rescue_catches_a_failure_and_always_runs() {
    let project = project(
        r#"
- hosts: web
  gather_facts: false
  tasks:
    - block:
        - name: may fail
          command: "{{ 'false' if inventory_hostname == 'beta' else 'true' }}"
        - name: after the failure
          command: "true"
      rescue:
        - name: recover
          debug:
            msg: "rescued {{ ansible_failed_task.name }}: rc={{ ansible_failed_result.rc }}"
      always:
        - name: clean up
          command: "true"
    - name: after the block
      command: "true"
"#,
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    let recap = recap(&output);
    assert_eq!(recap["alpha"], Recap::new(4, 4, 0, 0, 0));
    assert_eq!(
        recap["beta"],
        Recap {
            ok: 3,
            changed: 2,
            rescued: 1,
            ..Recap::default()
        }
    );
    assert!(
        output
            .stdout
            .contains("\"msg\": \"rescued may fail: rc=1\""),
        "{}",
        output.all()
    );
}

#[test]
fn without_rescue_always_runs_and_the_host_stays_failed() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - block:\n        - command: \"false\"\n      always:\n        - name: cleanup\n          shell: echo cleaned > {{ playbook_dir }}/cleaned\n    - name: never reached\n      command: \"true\"\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(2);
    assert_eq!(recap(&output)["alpha"], Recap::new(1, 1, 0, 1, 0));
    assert!(project.join("cleaned").exists());
    assert!(!output.stdout.contains("never reached"), "{}", output.all());
}

#[test]
fn block_keywords_apply_to_every_task_inside() {
    let project = project(
        "- hosts: web\n  gather_facts: false\n  tasks:\n    - block:\n        - debug: msg={{ greeting }}\n        - debug: msg=second\n      when: inventory_hostname == 'alpha'\n      vars:\n        greeting: hi\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    assert_eq!(recap(&output)["beta"], Recap::new(0, 0, 0, 0, 2));
    assert!(
        output.stdout.contains("\"msg\": \"hi\""),
        "{}",
        output.all()
    );
}

#[test]
fn until_retries_with_ansibles_counts() {
    let project = project(
        r#"
- hosts: alpha
  gather_facts: false
  tasks:
    - name: count up
      shell: "n=$(cat {{ playbook_dir }}/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > {{ playbook_dir }}/n; echo $n"
      register: counter
      until: counter.stdout == '3'
      retries: 5
      delay: 0
    - assert:
        that: counter.attempts == 3
    - name: never true
      command: "true"
      register: never
      until: false
      retries: 2
      delay: 0
"#,
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(2);
    assert!(
        output
            .stdout
            .contains("FAILED - RETRYING: [alpha]: count up (5 retries left)."),
        "{}",
        output.all()
    );
    assert!(
        output
            .stdout
            .contains("FAILED - RETRYING: [alpha]: count up (4 retries left)."),
        "{}",
        output.all()
    );
    assert!(
        output
            .stdout
            .contains("FAILED - RETRYING: [alpha]: never true (1 retries left)."),
        "{}",
        output.all()
    );
    assert!(
        output.stdout.contains("\"attempts\": 2"),
        "{}",
        output.all()
    );
    assert_eq!(recap(&output)["alpha"], Recap::new(2, 1, 0, 1, 0));
}

#[test]
fn serial_runs_batches_through_the_whole_play() {
    let project = Project::new();
    let hosts: String = (1..=5)
        .map(|i| format!("h{i} ansible_connection=local\n"))
        .collect();
    project.file("inventories/local", &format!("[many]\n{hosts}")).file(
        "site.yml",
        "- hosts: many\n  gather_facts: false\n  serial: [1, \"50%\"]\n  tasks:\n    - shell: echo \"{{ ansible_play_batch | join(',') }}\" >> {{ playbook_dir }}/batches\n      run_once: true\n",
    );
    project
        .run(&["play", "site.yml", "-i", "local"])
        .assert_code(0);
    assert_eq!(project.read("batches"), "h1\nh2,h3\nh4,h5\n");
}

#[test]
fn max_fail_percentage_zero_stops_the_rollout() {
    let project = Project::new();
    let hosts: String = (1..=4)
        .map(|i| format!("h{i} ansible_connection=local\n"))
        .collect();
    project.file("inventories/local", &format!("[many]\n{hosts}")).file(
        "site.yml",
        "- hosts: many\n  gather_facts: false\n  serial: 1\n  max_fail_percentage: 0\n  tasks:\n    - command: \"{{ 'false' if inventory_hostname == 'h2' else 'true' }}\"\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(2);
    let recap = recap(&output);
    assert_eq!(recap["h1"], Recap::new(1, 1, 0, 0, 0));
    assert_eq!(recap["h2"], Recap::new(0, 0, 0, 1, 0));
    // As in Ansible, hosts that never ran a task are not in the recap.
    assert!(!recap.contains_key("h3"), "h3 untouched");
    assert!(!recap.contains_key("h4"), "h4 untouched");
}

#[test]
fn any_errors_fatal_ends_the_play_for_everyone() {
    let project = project(
        "- hosts: web\n  gather_facts: false\n  any_errors_fatal: true\n  tasks:\n    - command: \"{{ 'false' if inventory_hostname == 'beta' else 'true' }}\"\n    - name: second\n      command: \"true\"\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(2);
    assert!(!output.stdout.contains("TASK [second]"), "{}", output.all());
}

#[test]
fn tags_select_tasks_as_ansible_does() {
    let project = project(
        r#"
- hosts: alpha
  gather_facts: false
  tasks:
    - name: tagged db
      debug: msg=db
      tags: db
    - name: tagged web
      debug: msg=web
      tags: [web]
    - name: untagged
      debug: msg=plain
    - name: always
      debug: msg=always
      tags: always
    - name: only when asked
      debug: msg=never
      tags: [never, debug]
"#,
    );
    let names = |args: &[&str]| {
        let mut full = vec!["play", "site.yml", "-i", "local"];
        full.extend_from_slice(args);
        let output = project.run(&full);
        output.assert_code(0);
        output
            .stdout
            .lines()
            .filter_map(|l| l.strip_prefix("TASK [").and_then(|l| l.split(']').next()))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&[]),
        ["tagged db", "tagged web", "untagged", "always"]
    );
    assert_eq!(names(&["--tags", "db"]), ["tagged db", "always"]);
    assert_eq!(names(&["--tags", "debug"]), ["always", "only when asked"]);
    assert_eq!(
        names(&["--skip-tags", "web,always"]),
        ["tagged db", "untagged"]
    );
    assert_eq!(names(&["--tags", "untagged"]), ["untagged", "always"]);
    let listed = project.run(&["play", "site.yml", "--list-tags", "-i", "local"]);
    assert!(
        listed
            .stdout
            .contains("TASK TAGS: [always, db, debug, never, web]"),
        "{}",
        listed.all()
    );
}

#[test]
fn meta_flush_handlers_and_end_host() {
    let project = project(
        r#"
- hosts: web
  gather_facts: false
  tasks:
    - command: echo change
      notify: note
    - meta: flush_handlers
    - shell: echo after-flush >> {{ playbook_dir }}/log-{{ inventory_hostname }}
    - meta: end_host
      when: inventory_hostname == 'beta'
    - shell: echo last >> {{ playbook_dir }}/log-{{ inventory_hostname }}
  handlers:
    - name: note
      shell: echo handler >> {{ playbook_dir }}/log-{{ inventory_hostname }}
"#,
    );
    project
        .run(&["play", "site.yml", "-i", "local"])
        .assert_code(0);
    assert_eq!(project.read("log-alpha"), "handler\nafter-flush\nlast\n");
    assert_eq!(project.read("log-beta"), "handler\nafter-flush\n");
}

#[test]
fn force_handlers_run_on_failed_hosts() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  force_handlers: true\n  tasks:\n    - command: echo change\n      notify: note\n    - command: \"false\"\n  handlers:\n    - name: note\n      shell: touch {{ playbook_dir }}/handled\n",
    );
    project
        .run(&["play", "site.yml", "-i", "local"])
        .assert_code(2);
    assert!(project.join("handled").exists());
}

/// The rolling upgrade the control-flow issue asks for: five nodes one at a
/// time, a health gate on each, the third node's upgrade fails, its rescue
/// restores it, the rollout stops, and no two nodes were ever down at once.
#[test]
fn a_rolling_upgrade_stops_at_the_first_failure_with_one_node_down_at_most() {
    let lab = Lab::up(5);
    lab.project.file(
        "rolling.yml",
        r#"
- name: rolling KWDB upgrade
  hosts: lab
  gather_facts: false
  serial: 1
  max_fail_percentage: 0
  tasks:
    - name: stop, upgrade, start one node
      block:
        - command: systemctl stop kaiwudb
        - name: upgrade
          shell: "{{ 'exit 1' if inventory_hostname == 'node3' else 'echo upgraded' }}"
        - command: systemctl start kaiwudb
        - name: health gate
          command: systemctl is-active kaiwudb
          register: health
          until: health.stdout == 'active'
          retries: 3
          delay: 0
      rescue:
        - name: bring the node back on the old version
          command: systemctl start kaiwudb
        - name: stop the rollout
          fail:
            msg: "upgrade failed on {{ inventory_hostname }}; restored"
"#,
    );
    for host in &lab.hosts {
        lab.run(&["run", host, "-i", "lab", "-a", "systemctl start kaiwudb"])
            .assert_code(0);
    }
    let output = lab.run(&["play", "rolling.yml", "-i", "lab"]);
    output.assert_code(2);
    let recap = recap(&output);
    assert_eq!(recap["node1"], Recap::new(4, 4, 0, 0, 0));
    assert_eq!(recap["node2"], Recap::new(4, 4, 0, 0, 0));
    assert_eq!(
        recap["node3"],
        Recap {
            ok: 2,
            changed: 2,
            failed: 1,
            rescued: 1,
            ..Recap::default()
        }
    );
    assert!(!recap.contains_key("node4"), "node4 untouched");
    assert!(!recap.contains_key("node5"), "node5 untouched");
    for untouched in ["node4", "node5"] {
        assert!(
            lab.shim_calls(untouched)
                .iter()
                .all(|(_, argv)| !argv.starts_with("stop")),
            "{untouched} never stopped"
        );
    }
    lab.assert_one_down_at_most("kaiwudb");
}

#[test]
fn throttle_limits_a_task_below_forks() {
    let project = Project::new();
    let hosts: String = (1..=4)
        .map(|i| format!("h{i} ansible_connection=local\n"))
        .collect();
    project.file("inventories/local", &format!("[many]\n{hosts}")).file(
        "site.yml",
        "- hosts: many\n  gather_facts: false\n  tasks:\n    - shell: \"mkdir {{ playbook_dir }}/slot && sleep 0.2 && rmdir {{ playbook_dir }}/slot\"\n      throttle: 1\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local", "-f", "4"]);
    output.assert_code(0);
    assert!(
        recap(&output).values().all(|r| r.changed == 1),
        "{}",
        output.all()
    );
}

#[test]
fn vars_prompt_asks_on_the_terminal_or_takes_extra_vars_or_the_default() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  vars_prompt:\n    - name: version\n      prompt: Which version\n      private: false\n    - name: region\n      default: eu\n  tasks:\n    - debug:\n        msg: \"{{ version }}-{{ region }}\"\n",
    );
    let refused = project.run(&["play", "site.yml", "-i", "local"]);
    refused.assert_code(1);
    assert!(
        refused
            .stderr
            .contains("there is no terminal to ask on; give it with -e version=..."),
        "{}",
        refused.all()
    );
    let given = project.run(&["play", "site.yml", "-i", "local", "-e", "version=2.2.1"]);
    given.assert_code(0);
    assert!(
        given.stdout.contains("\"msg\": \"2.2.1-eu\""),
        "{}",
        given.all()
    );

    let command = format!("{} play site.yml -i local", env!("CARGO_BIN_EXE_runbook"));
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script");
    use std::io::Write;
    let mut stdin = child.stdin.take().expect("stdin");
    std::thread::sleep(std::time::Duration::from_millis(500));
    stdin.write_all(b"3.0\n").expect("type");
    std::thread::sleep(std::time::Duration::from_millis(300));
    stdin.write_all(b"\n").expect("type");
    drop(stdin);
    let output = child.wait_with_output().expect("wait");
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(shown.contains("Which version: "), "{shown}");
    assert!(shown.contains("\"msg\": \"3.0-eu\""), "{shown}");
}

#[test]
fn a_task_timeout_kills_the_command_and_fails_the_task() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - shell: \"sleep 30; touch {{ playbook_dir }}/finished\"\n      timeout: 1\n",
    );
    let started = std::time::Instant::now();
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(2);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "killed, not waited for"
    );
    assert!(
        output
            .stdout
            .contains("\"msg\": \"Task failed: Timed out after 1 second(s).\", \"timedout\": {\"frame\": \"Configure `DISPLAY_TRACEBACK` to see a traceback on timeout errors.\", \"period\": 1}}"),
        "{}",
        output.all()
    );
    assert!(!project.join("finished").exists());
}

#[test]
fn refresh_inventory_shows_later_plays_the_inventory_as_it_is_now() {
    let project = project(
        r#"
- hosts: alpha
  gather_facts: false
  tasks:
    - name: add a host to the inventory file
      shell: "printf '[late]\ngamma ansible_connection=local\n' >> {{ playbook_dir }}/inventories/local"
    - meta: refresh_inventory
- hosts: late
  gather_facts: false
  tasks:
    - shell: echo {{ inventory_hostname }} > {{ playbook_dir }}/late
"#,
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    assert_eq!(project.read("late"), "gamma\n");
    assert!(recap(&output).contains_key("gamma"), "{}", output.all());
}
