//! Playbooks on hosts with `ansible_connection=local`: the language, the
//! modules of the runner core, results, recap and exit codes — no SSH needed.

use crate::support::{Project, Recap, recap};

fn project(playbook: &str) -> Project {
    Project::local_with(playbook)
}

#[test]
fn commands_register_and_conditions_give_ansibles_recap() {
    let project = project(
        r#"
- hosts: web
  gather_facts: false
  tasks:
    - name: say hello
      command: echo hello {{ inventory_hostname }}
      register: hello
    - name: only on alpha
      shell: echo "{{ hello.stdout }}" > out-{{ inventory_hostname }}.txt
      args:
        chdir: "{{ playbook_dir }}"
      when: inventory_hostname == 'alpha'
    - name: check what was registered
      assert:
        that:
          - hello.rc == 0
          - hello.stdout == 'hello ' ~ inventory_hostname
          - hello.stdout_lines | length == 1
          - hello is changed
    - debug:
        msg: "{{ role }} {{ hello.stdout }}"
"#,
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    let recap = recap(&output);
    assert_eq!(recap["alpha"], Recap::new(4, 2, 0, 0, 0));
    assert_eq!(recap["beta"], Recap::new(3, 1, 0, 0, 1));
    assert_eq!(project.read("out-alpha.txt"), "hello alpha\n");
    assert!(!project.join("out-beta.txt").exists());
    assert!(
        output.stdout.contains("\"msg\": \"frontend hello beta\""),
        "{}",
        output.all()
    );
    assert!(
        output.stdout.contains("skipping: [beta]"),
        "{}",
        output.all()
    );
}

#[test]
fn a_failed_host_leaves_the_play_and_the_run_exits_2() {
    let project = project(
        r#"
- hosts: web
  gather_facts: false
  tasks:
    - shell: "if [ {{ inventory_hostname }} = beta ]; then echo broken >&2; exit 3; fi"
    - name: after
      command: "true"
"#,
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(2);
    let recap = recap(&output);
    assert_eq!(recap["alpha"], Recap::new(2, 2, 0, 0, 0));
    assert_eq!(recap["beta"], Recap::new(0, 0, 0, 1, 0));
    assert!(
        output.stdout.contains("fatal: [beta]: FAILED! =>"),
        "{}",
        output.all()
    );
    assert!(output.stdout.contains("\"rc\": 3"), "{}", output.all());
    assert!(
        output.stdout.contains("STDERR:\n\nbroken"),
        "stderr shown as text\n{}",
        output.all()
    );
}

#[test]
fn ignore_errors_counts_as_ignored_and_goes_on() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - command: \"false\"\n      ignore_errors: yes\n    - command: \"true\"\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    assert!(output.stdout.contains("...ignoring"), "{}", output.all());
    assert_eq!(
        recap(&output)["alpha"],
        Recap {
            ok: 2,
            changed: 2,
            ignored: 1,
            ..Recap::default()
        }
    );
}

#[test]
fn changed_when_and_failed_when_override_the_module() {
    let project = project(
        r#"
- hosts: alpha
  gather_facts: false
  tasks:
    - command: "echo nothing to do"
      register: probe
      changed_when: "'changed' in probe.stdout"
    - shell: "exit 1"
      register: grep
      failed_when: grep.rc > 1
      changed_when: false
"#,
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    assert_eq!(recap(&output)["alpha"], Recap::new(2, 0, 0, 0, 0));
}

#[test]
fn undefined_variables_name_the_variable_the_task_and_its_line() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - name: use it\n      debug:\n        msg: \"{{ not_there }}\"\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(2);
    assert!(output.stdout.contains("not_there"), "{}", output.all());
    assert!(output.stdout.contains("undefined"), "{}", output.all());
    assert!(output.stdout.contains("site.yml:4:7"), "{}", output.all());
    assert!(output.stdout.contains("use it"), "{}", output.all());
}

#[test]
fn default_and_is_defined_work_with_undefined_variables() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - assert:\n        that:\n          - (missing | default('x')) == 'x'\n          - missing is not defined\n          - \"'yes' | bool\"\n          - not ('off' | bool)\n",
    );
    project
        .run(&["play", "site.yml", "-i", "local"])
        .assert_code(0);
}

#[test]
fn variable_precedence_follows_ansible() {
    let project = Project::new();
    project
        .file("inventories/local", "[all:vars]\nlevel=all\nfrom_all=all\n[parent:children]\nchild\n[parent:vars]\nlevel=parent\n[child]\nalpha ansible_connection=local\n[child:vars]\nlevel=child\nfrom_child=child\n")
        .file("vars/common.yml", "from_file: file\nplay_or_file: file\n")
        .file(
            "site.yml",
            r#"
- hosts: alpha
  gather_facts: false
  vars:
    play_or_file: play
    play_var: play
    overridden_by_extra: play
  vars_files:
    - vars/common.yml
  tasks:
    - assert:
        that:
          - level == 'child'
          - from_all == 'all'
          - from_child == 'child'
          - play_or_file == 'file'
          - task_var == 'task'
          - overridden_by_extra == 'extra'
      vars:
        task_var: task
    - set_fact:
        play_var: fact
    - assert:
        that:
          - play_var == 'fact'
          - overridden_by_extra == 'extra'
"#,
        );
    let output = project.run(&[
        "play",
        "site.yml",
        "-i",
        "local",
        "-e",
        "overridden_by_extra=extra",
    ]);
    output.assert_code(0);
}

#[test]
fn variables_are_templated_lazily_when_used() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  vars:\n    greeting: \"hello {{ who }}\"\n    who: \"{{ inventory_hostname }}\"\n  tasks:\n    - assert:\n        that: greeting == 'hello alpha'\n",
    );
    project
        .run(&["play", "site.yml", "-i", "local"])
        .assert_code(0);
}

#[test]
fn loops_in_every_shape() {
    let project = project(
        r#"
- hosts: alpha
  gather_facts: false
  tasks:
    - command: echo {{ item }}
      loop: [a, b]
      register: looped
    - shell: echo {{ pkg.key }}={{ pkg.value }}
      with_dict: {x: 1, y: 2}
      loop_control:
        loop_var: pkg
        label: "{{ pkg.key }}"
    - debug: msg={{ item }}
      with_items: [[1, 2], 3]
    - debug: msg="{{ idx }} {{ item }}"
      with_sequence: start=1 end=3 format=node%02d
      loop_control:
        index_var: idx
      when: item != 'node02'
    - assert:
        that:
          - looped.results | length == 2
          - looped.results[1].stdout == 'b'
          - looped.results[0].item == 'a'
          - looped is changed
"#,
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    assert!(
        output.stdout.contains("changed: [alpha] => (item=a)"),
        "{}",
        output.all()
    );
    assert!(
        output.stdout.contains("changed: [alpha] => (item=y)"),
        "label used\n{}",
        output.all()
    );
    assert!(
        output.stdout.contains("skipping: [alpha] => (item=node02)"),
        "{}",
        output.all()
    );
    assert!(
        output.stdout.contains("\"msg\": \"2 node03\""),
        "{}",
        output.all()
    );
    assert_eq!(recap(&output)["alpha"], Recap::new(5, 2, 0, 0, 0));
}

#[test]
fn creates_and_removes_make_commands_idempotent() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - command: touch marker creates=marker chdir={{ playbook_dir }}\n    - command: rm marker removes={{ playbook_dir }}/gone\n",
    );
    let first = project.run(&["play", "site.yml", "-i", "local"]);
    first.assert_code(0);
    assert_eq!(recap(&first)["alpha"], Recap::new(2, 1, 0, 0, 0));
    let second = project.run(&["play", "site.yml", "-i", "local"]);
    assert_eq!(recap(&second)["alpha"], Recap::new(2, 0, 0, 0, 0));
    assert!(project.join("marker").exists());
}

#[test]
fn check_mode_skips_commands_without_creates() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - command: touch {{ playbook_dir }}/never\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local", "--check"]);
    output.assert_code(0);
    assert_eq!(recap(&output)["alpha"], Recap::new(0, 0, 0, 0, 1));
    assert!(!project.join("never").exists());
}

#[test]
fn scripts_are_copied_run_and_removed() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - script: files/report.sh one 'two words'\n      register: out\n    - assert:\n        that: out.stdout == 'args=2 second=two words'\n",
    );
    project.file("files/report.sh", "#!/bin/sh\necho \"args=$# second=$2\"\n");
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
}

#[test]
fn environment_reaches_commands() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  environment:\n    STAGE: play\n  tasks:\n    - shell: echo $STAGE-$EXTRA\n      environment:\n        EXTRA: task\n      register: env\n    - assert:\n        that: env.stdout == 'play-task'\n",
    );
    project
        .run(&["play", "site.yml", "-i", "local"])
        .assert_code(0);
}

#[test]
fn handlers_run_once_after_the_tasks_and_only_when_notified() {
    let project = project(
        r#"
- hosts: web
  gather_facts: false
  tasks:
    - command: echo changed
      notify: restart app
    - command: echo again
      notify: restart app
    - command: echo quiet
      changed_when: false
      notify: never run
  handlers:
    - name: restart app
      shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/restarts
    - name: never run
      shell: echo bad >> {{ playbook_dir }}/restarts
"#,
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    let mut restarts: Vec<String> = project
        .read("restarts")
        .lines()
        .map(str::to_string)
        .collect();
    restarts.sort();
    assert_eq!(restarts, ["alpha", "beta"]);
    assert!(
        output.stdout.contains("RUNNING HANDLER [restart app]"),
        "{}",
        output.all()
    );
}

#[test]
fn forks_bound_how_many_hosts_work_at_once() {
    let project = Project::new();
    let hosts: String = (1..=4)
        .map(|i| format!("h{i} ansible_connection=local\n"))
        .collect();
    project.file("inventories/local", &format!("[many]\n{hosts}")).file(
        "site.yml",
        "- hosts: many\n  gather_facts: false\n  tasks:\n    - shell: \"mkdir {{ playbook_dir }}/slot && sleep 0.3 && rmdir {{ playbook_dir }}/slot\"\n",
    );
    // With one fork, the hosts take turns: the lock directory is never contended.
    project
        .run(&["play", "site.yml", "-i", "local", "-f", "1"])
        .assert_code(0);
    // With four, they run at once: all but one find the lock taken.
    let output = project.run(&["play", "site.yml", "-i", "local", "-f", "4"]);
    output.assert_code(2);
    assert!(
        recap(&output).values().filter(|r| r.failed == 1).count() >= 1,
        "{}",
        output.all()
    );
}

#[test]
fn free_strategy_lets_fast_hosts_run_ahead() {
    let project = project(
        r#"
- hosts: web
  gather_facts: false
  strategy: free
  tasks:
    - shell: "if [ {{ inventory_hostname }} = beta ]; then sleep 1; fi"
    - name: second
      shell: "true"
"#,
    );
    let output = project.run(&["play", "site.yml", "-i", "local", "--output", "json"]);
    output.assert_code(0);
    let order: Vec<String> = output
        .events()
        .iter()
        .filter(|e| e["event"] == "host_result")
        .map(|e| {
            format!(
                "{}:{}",
                e["host"].as_str().unwrap_or(""),
                e["task"].as_str().unwrap_or("")
            )
        })
        .collect();
    let alpha_second = order
        .iter()
        .position(|e| e == "alpha:second")
        .expect("alpha ran second");
    let beta_first = order
        .iter()
        .position(|e| e.starts_with("beta:") && !e.ends_with("second"))
        .expect("beta ran first");
    assert!(
        alpha_second < beta_first,
        "alpha finished before beta's first task: {order:?}"
    );
}

#[test]
fn json_output_is_one_event_per_line() {
    let project =
        project("- hosts: web\n  gather_facts: false\n  tasks:\n    - command: echo hi\n");
    let output = project.run(&["play", "site.yml", "-i", "local", "--output", "json"]);
    output.assert_code(0);
    let events = output.events();
    assert_eq!(events[0]["event"], "play_start");
    let results: Vec<_> = events
        .iter()
        .filter(|e| e["event"] == "host_result")
        .collect();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["result"]["stdout"], "hi");
    let recap_event = events.last().expect("events");
    assert_eq!(recap_event["event"], "recap");
}

#[test]
fn no_log_hides_results_but_register_keeps_them() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - command: echo s3cr3t\n      no_log: true\n      register: secret\n    - assert:\n        that: secret.stdout == 's3cr3t'\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local", "-v"]);
    output.assert_code(0);
    assert!(!output.stdout.contains("s3cr3t"), "{}", output.all());
    assert!(output.stdout.contains("censored"), "{}", output.all());
}

#[test]
fn list_hosts_and_tasks() {
    let project = project(
        "- hosts: web:!beta\n  name: first\n  gather_facts: false\n  tasks:\n    - name: step one\n      command: echo\n",
    );
    let output = project.run(&[
        "play",
        "site.yml",
        "-i",
        "local",
        "--list-hosts",
        "--list-tasks",
    ]);
    output.assert_code(0);
    assert!(
        output.stdout.contains("hosts (1):\n      alpha"),
        "{}",
        output.all()
    );
    assert!(output.stdout.contains("step one"), "{}", output.all());
}

#[test]
fn facts_are_gathered_in_one_task_unless_turned_off() {
    let project = project(
        "- hosts: alpha\n  tasks:\n    - assert:\n        that:\n          - ansible_hostname | length > 0\n          - ansible_facts.kernel == ansible_kernel\n          - ansible_processor_vcpus >= 1\n          - ansible_env.PATH is defined\n          - ansible_date_time.year | int > 2000\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    assert!(
        output.stdout.contains("TASK [Gathering Facts]"),
        "{}",
        output.all()
    );
    assert_eq!(recap(&output)["alpha"], Recap::new(2, 0, 0, 0, 0));
}

#[test]
fn a_limit_that_matches_nothing_is_an_error() {
    let project =
        project("- hosts: web\n  gather_facts: false\n  tasks:\n    - command: \"true\"\n");
    let output = project.run(&["play", "site.yml", "-i", "local", "-l", "gamma"]);
    output.assert_code(1);
    assert!(
        output
            .stderr
            .contains("--limit gamma leaves no hosts to target"),
        "{}",
        output.all()
    );
    let output = project.run(&["play", "site.yml", "-i", "local", "-l", "beta"]);
    output.assert_code(0);
    assert!(!recap(&output).contains_key("alpha"), "{}", output.all());
}

#[test]
fn a_missing_vars_file_is_an_error_exit_1() {
    let project = project(
        "- hosts: web\n  gather_facts: false\n  vars_files:\n    - vars/nope.yml\n  tasks:\n    - command: \"true\"\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(1);
    assert!(
        output.stderr.contains("vars/nope.yml was not found"),
        "{}",
        output.all()
    );
    assert!(output.stderr.contains("site.yml:4:7"), "{}", output.all());
}

#[test]
fn ctrl_c_exits_99() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - pause:\n        seconds: 30\n",
    );
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_runbook"))
        .args(["play", "site.yml", "-i", "local"])
        .current_dir(project.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(99));
    assert!(String::from_utf8_lossy(&output.stderr).contains("User interrupted execution"));
}

#[test]
fn very_verbose_shows_where_each_task_is() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - name: step\n      command: \"true\"\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local", "-vv"]);
    output.assert_code(0);
    assert!(output.stdout.contains("task path: "), "{}", output.all());
    assert!(output.stdout.contains("site.yml:4:7"), "{}", output.all());
}

#[test]
fn hostvars_show_other_hosts_variables() {
    let project = project(
        "- hosts: web\n  gather_facts: false\n  tasks:\n    - set_fact:\n        mine: \"{{ inventory_hostname }}-fact\"\n    - debug:\n        var: hostvars['beta'].mine\n    - assert:\n        that:\n          - hostvars['alpha'].role == 'frontend'\n          - hostvars['beta'].mine == 'beta-fact'\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    assert!(
        output
            .stdout
            .contains("\"hostvars['beta'].mine\": \"beta-fact\""),
        "{}",
        output.all()
    );
}

#[test]
fn no_log_keeps_secrets_out_of_diffs() {
    let project = project(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - copy:\n        content: \"password=hunter2\\n\"\n        dest: \"{{ playbook_dir }}/secret.conf\"\n      no_log: true\n    - copy:\n        content: \"visible=1\\n\"\n        dest: \"{{ playbook_dir }}/plain.conf\"\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local", "--diff", "-v"]);
    output.assert_code(0);
    assert!(!output.stdout.contains("hunter2"), "{}", output.all());
    assert!(
        output.stdout.contains("+visible=1"),
        "diffs are shown otherwise\n{}",
        output.all()
    );
    assert_eq!(project.read("secret.conf"), "password=hunter2\n");
}

/// `include_vars` files are the author's: their templates render for each
/// host that uses them; `run_once` loads them for every host; a `set_fact`
/// stays above them, as in Ansible.
#[test]
fn include_vars_render_for_every_host_and_stay_below_set_fact() {
    let project = project(
        r#"
- hosts: web
  gather_facts: false
  tasks:
    - set_fact: x=from-set-fact
    - include_vars: v.yml
      run_once: true
    - copy:
        content: "{{ x }} {{ tpl }}"
        dest: "{{ playbook_dir }}/out-{{ inventory_hostname }}"
"#,
    );
    project.file(
        "vars/v.yml",
        "x: from-file\ntpl: \"rendered {{ inventory_hostname }}\"\n",
    );
    project
        .run(&["play", "site.yml", "-i", "local"])
        .assert_code(0);
    for host in ["alpha", "beta"] {
        assert_eq!(
            project.read(&format!("out-{host}")),
            format!("from-set-fact rendered {host}")
        );
    }
}

#[test]
fn tasks_of_the_same_name_each_get_their_banner_under_both_strategies() {
    let project = project(
        r#"
- hosts: alpha
  gather_facts: false
  tasks:
    - name: same
      command: "true"
    - name: same
      command: "true"
- hosts: alpha
  gather_facts: false
  strategy: free
  tasks:
    - name: same
      command: "true"
    - name: same
      command: "true"
"#,
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    assert_eq!(
        crate::support::task_banners(&output),
        [
            "PLAY [alpha]",
            "TASK [same]",
            "TASK [same]",
            "PLAY [alpha]",
            "TASK [same]",
            "TASK [same]"
        ],
        "{}",
        output.all()
    );
}
