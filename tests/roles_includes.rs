//! Roles, imports and includes, and the command-line controls around them.

use crate::support::{Lab, Project, Recap, recap};

fn project() -> Project {
    Project::local()
}

#[test]
fn roles_bring_tasks_handlers_defaults_vars_templates_and_dependencies() {
    let project = project();
    project
        .file("roles/base/tasks/main.yml", "- name: base marker\n  shell: echo base >> {{ playbook_dir }}/order-{{ inventory_hostname }}\n")
        .file("roles/app/meta/main.yml", "dependencies:\n  - base\n")
        .file("roles/app/defaults/main.yml", "app_port: 80\napp_name: default-name\n")
        .file("roles/app/vars/main.yml", "app_user: svc\n")
        .file("roles/app/templates/app.conf.j2", "port={{ app_port }} name={{ app_name }} user={{ app_user }}\n")
        .file(
            "roles/app/tasks/main.yml",
            "- name: render config\n  template:\n    src: app.conf.j2\n    dest: \"{{ playbook_dir }}/app-{{ inventory_hostname }}.conf\"\n  notify: restart app\n- name: app marker\n  shell: echo app >> {{ playbook_dir }}/order-{{ inventory_hostname }}\n",
        )
        .file("roles/app/handlers/main.yml", "- name: restart app\n  shell: echo restarted >> {{ playbook_dir }}/order-{{ inventory_hostname }}\n")
        .file(
            "site.yml",
            "- hosts: web\n  gather_facts: false\n  vars:\n    app_name: from-play\n  roles:\n    - role: app\n      app_port: 8080\n  tasks:\n    - name: after roles\n      shell: echo task >> {{ playbook_dir }}/order-{{ inventory_hostname }}\n",
        );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    assert_eq!(
        project.read("app-alpha.conf"),
        "port=8080 name=from-play user=svc\n",
        "role param > play var > role default"
    );
    assert_eq!(
        project.read("order-alpha"),
        "base\napp\ntask\nrestarted\n",
        "dependency, role, tasks, then handlers"
    );
    assert!(
        output
            .stdout
            .contains("RUNNING HANDLER [app : restart app]"),
        "{}",
        output.all()
    );
}

#[test]
fn a_missing_role_is_an_error_before_running() {
    let project = project();
    project.file("site.yml", "- hosts: web\n  roles:\n    - nowhere\n");
    let output = project.run(&["play", "site.yml", "--syntax-check"]);
    output.assert_code(4);
    assert!(
        output.stderr.contains("the role `nowhere` was not found"),
        "{}",
        output.all()
    );
    assert!(output.stderr.contains("site.yml:3:7"), "{}", output.all());
}

#[test]
fn imports_and_includes_pass_their_keywords_down() {
    let project = project();
    project
        .file("tasks/common.yml", "- name: common\n  shell: echo \"{{ label }}\" >> {{ playbook_dir }}/seen-{{ inventory_hostname }}\n- import_tasks: nested.yml\n")
        .file("tasks/nested.yml", "- name: nested\n  shell: echo nested-{{ label }} >> {{ playbook_dir }}/seen-{{ inventory_hostname }}\n")
        .file("roles/extra/tasks/special.yml", "- name: special\n  shell: echo special >> {{ playbook_dir }}/seen-{{ inventory_hostname }}\n")
        .file(
            "site.yml",
            r#"
- hosts: web
  gather_facts: false
  tasks:
    - import_tasks: tasks/common.yml
      vars:
        label: imported
    - include_tasks:
        file: tasks/common.yml
        apply:
          tags: [included]
      vars:
        label: included
      when: inventory_hostname == 'alpha'
    - include_role:
        name: extra
        tasks_from: special
"#,
        );
    project
        .run(&["play", "site.yml", "-i", "local"])
        .assert_code(0);
    assert_eq!(
        project.read("seen-alpha"),
        "imported\nnested-imported\nincluded\nnested-included\nspecial\n"
    );
    assert_eq!(
        project.read("seen-beta"),
        "imported\nnested-imported\nspecial\n"
    );
}

#[test]
fn import_playbook_runs_the_imported_plays_in_place() {
    let project = project();
    project
        .file("first.yml", "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - shell: echo first >> {{ playbook_dir }}/plays\n")
        .file("site.yml", "- import_playbook: first.yml\n- hosts: beta\n  gather_facts: false\n  tasks:\n    - shell: echo second >> {{ playbook_dir }}/plays\n");
    project
        .run(&["play", "site.yml", "-i", "local"])
        .assert_code(0);
    assert_eq!(project.read("plays"), "first\nsecond\n");
}

#[test]
fn start_at_task_skips_what_comes_before() {
    let project = project();
    project.file(
        "site.yml",
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - name: one\n      debug: msg=1\n    - name: two\n      debug: msg=2\n    - name: three\n      debug: msg=3\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local", "--start-at-task", "two"]);
    output.assert_code(0);
    assert!(!output.stdout.contains("TASK [one]"), "{}", output.all());
    assert!(
        output.stdout.contains("TASK [two]") && output.stdout.contains("TASK [three]"),
        "{}",
        output.all()
    );
}

#[test]
fn force_handlers_from_the_command_line() {
    let project = project();
    project.file(
        "site.yml",
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - command: echo change\n      notify: note\n    - command: \"false\"\n  handlers:\n    - name: note\n      shell: touch {{ playbook_dir }}/handled\n",
    );
    project
        .run(&["play", "site.yml", "-i", "local"])
        .assert_code(2);
    assert!(!project.join("handled").exists());
    project
        .run(&["play", "site.yml", "-i", "local", "--force-handlers"])
        .assert_code(2);
    assert!(project.join("handled").exists());
}

#[test]
fn delegate_facts_and_ignore_unreachable() {
    let lab = Lab::up(2);
    lab.stop_host("node2");
    lab.project.file(
        "site.yml",
        r#"
- hosts: node1
  gather_facts: false
  tasks:
    - name: facts for node2, gathered from node1
      set_fact:
        given: from-node1
      delegate_to: node2
      delegate_facts: true
    - assert:
        that:
          - hostvars['node2'].given == 'from-node1'
          - given is not defined
- hosts: lab
  gather_facts: false
  tasks:
    - name: reach everyone
      command: "true"
      ignore_unreachable: true
    - name: afterwards
      debug: msg="still here"
"#,
    );
    let output = lab.run(&["play", "site.yml", "-i", "lab", "-T", "3"]);
    output.assert_code(0);
    let recap = recap(&output);
    assert_eq!(
        recap["node2"],
        Recap {
            ok: 2,
            ignored: 1,
            ..Recap::default()
        }
    );
    assert!(
        output.stdout.contains("ok: [node2] =>"),
        "node2 stayed in the play\n{}",
        output.all()
    );
}

#[test]
fn include_tasks_loops_with_the_item_set() {
    let project = project();
    project
        .file("tasks/service.yml", "- name: configure {{ svc }}\n  shell: echo \"{{ svc }}:{{ i }}\" >> {{ playbook_dir }}/services-{{ inventory_hostname }}\n")
        .file(
            "site.yml",
            "- hosts: web\n  gather_facts: false\n  tasks:\n    - include_tasks: tasks/service.yml\n      loop: [api, worker, cron]\n      loop_control:\n        loop_var: svc\n        index_var: i\n      when: svc != 'cron' or inventory_hostname == 'alpha'\n",
        );
    project
        .run(&["play", "site.yml", "-i", "local"])
        .assert_code(0);
    assert_eq!(project.read("services-alpha"), "api:0\nworker:1\ncron:2\n");
    assert_eq!(project.read("services-beta"), "api:0\nworker:1\n");
}

#[test]
fn step_asks_before_each_task() {
    let project = project();
    project.file(
        "site.yml",
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - name: first\n      debug: msg=one\n    - name: second\n      debug: msg=two\n    - name: third\n      debug: msg=three\n    - name: fourth\n      debug: msg=four\n",
    );
    let no_terminal = std::process::Command::new("setsid")
        .args([
            "-w",
            env!("CARGO_BIN_EXE_runbook"),
            "play",
            "site.yml",
            "-i",
            "local",
            "--step",
        ])
        .current_dir(project.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("setsid");
    assert_eq!(
        no_terminal.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&no_terminal.stderr)
    );

    let command = format!(
        "{} play site.yml -i local --step",
        env!("CARGO_BIN_EXE_runbook")
    );
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
    for answer in ["y\n", "n\n", "c\n"] {
        std::thread::sleep(std::time::Duration::from_millis(400));
        stdin.write_all(answer.as_bytes()).expect("type");
    }
    drop(stdin);
    let output = child.wait_with_output().expect("wait");
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(
        shown.contains("Perform task: TASK: first (N)o/(y)es/(c)ontinue:"),
        "{shown}"
    );
    assert!(shown.contains("\"msg\": \"one\""), "{shown}");
    let first_result = shown.find("\"msg\": \"one\"");
    let second_question = shown.find("Perform task: TASK: second");
    assert!(
        first_result.is_some() && first_result < second_question,
        "a question waits for the output before it: {shown}"
    );
    assert!(!shown.contains("\"msg\": \"two\""), "answered no: {shown}");
    assert!(
        shown.contains("\"msg\": \"three\"") && shown.contains("\"msg\": \"four\""),
        "continue runs the rest: {shown}"
    );
    assert!(
        !shown.contains("TASK: fourth (N)o"),
        "no more questions after continue: {shown}"
    );
}

#[test]
fn include_tasks_with_a_templated_file_name_loads_per_host() {
    let project = project();
    project
        .file("tasks/os-alpha.yml", "- name: alpha's own\n  shell: echo alpha-{{ step }} >> {{ playbook_dir }}/os-{{ inventory_hostname }}\n")
        .file("tasks/os-beta.yml", "- name: beta's own\n  shell: echo beta-{{ step }} >> {{ playbook_dir }}/os-{{ inventory_hostname }}\n")
        .file(
            "site.yml",
            "- hosts: web\n  gather_facts: false\n  tasks:\n    - include_tasks: \"tasks/os-{{ inventory_hostname }}.yml\"\n      loop: [1, 2]\n      loop_control:\n        loop_var: step\n    - include_tasks: \"tasks/{{ missing_file | default('nope') }}.yml\"\n      when: inventory_hostname == 'beta'\n",
        );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(2);
    assert_eq!(project.read("os-alpha"), "alpha-1\nalpha-2\n");
    assert_eq!(project.read("os-beta"), "beta-1\nbeta-2\n");
    assert!(
        output
            .stdout
            .contains("the tasks file tasks/nope.yml was not found"),
        "{}",
        output.all()
    );
    let recap = recap(&output);
    assert_eq!(recap["beta"].failed, 1, "{}", output.all());
    assert_eq!(recap["alpha"].failed, 0, "{}", output.all());
}
