//! Whole-output snapshots of a representative lab run and of each error
//! class, so a change to what the user sees shows up as a reviewable diff
//! (tests/snapshots/*.snap) instead of slipping past a fragment assertion.

use insta::assert_snapshot;

use crate::support::{Lab, Output, Project, snapshot_settings, transcript};

/// One host per situation, chosen with `when: inventory_hostname == ...`.
const REPRESENTATIVE: &str = r#"
- hosts: lab
  gather_facts: false
  tasks:
    - name: reach every host
      ping:
    - name: write the motd
      copy:
        dest: /opt/motd
        content: "welcome to {{ inventory_hostname }}\n"
      when: inventory_hostname == 'node2'
      notify: announce
    - name: never runs
      debug:
        msg: skipped everywhere
      when: false
    - name: fail on purpose
      fail:
        msg: node3 was told to fail
      when: inventory_hostname == 'node3'
    - name: recover
      block:
        - name: break
          command: "false"
          when: inventory_hostname == 'node5'
      rescue:
        - name: rescue
          debug:
            msg: "rescued {{ inventory_hostname }}"
    - name: loop
      debug:
        msg: "item {{ item }}"
      loop: [one, two]
      when: inventory_hostname == 'node1'
    - name: include
      include_tasks: included.yml
      when: inventory_hostname == 'node1'
  handlers:
    - name: announce
      debug:
        msg: motd changed
"#;

const INCLUDED: &str = r#"
- name: included task
  debug:
    msg: "included on {{ inventory_hostname }}"
"#;

fn snapshot_lab(lab: &Lab, name: &str, output: &Output) {
    snapshot_settings(lab.project.path(), Some(&lab.name))
        .bind(|| assert_snapshot!(name, transcript(output)));
}

fn snapshot_local(project: &Project, name: &str, output: &Output) {
    snapshot_settings(project.path(), None).bind(|| assert_snapshot!(name, transcript(output)));
}

/// ok (node1), changed with a diff and a handler (node2), failed (node3),
/// unreachable (node4), rescued (node5), a skipped task, a loop, an include
/// and the recap; then a connection error on its own.
#[test]
fn representative_lab_run() {
    let lab = Lab::up(5);
    lab.stop_host("node4");
    let opt = lab.host_root("node2").join("opt");
    std::fs::create_dir_all(&opt).expect("mkdir /opt");
    std::fs::write(opt.join("motd"), "old motd\n").expect("write motd");
    lab.project.file("site.yml", REPRESENTATIVE);
    lab.project.file("included.yml", INCLUDED);
    let output = lab.run(&[
        "play", "site.yml", "-i", "lab", "-f", "1", "--diff", "-T", "3",
    ]);
    snapshot_lab(&lab, "representative_run", &output);

    lab.project.file(
        "unreachable.yml",
        "- hosts: node4\n  gather_facts: false\n  tasks:\n    - command: \"true\"\n",
    );
    let output = lab.run(&["play", "unreachable.yml", "-i", "lab", "-T", "3"]);
    snapshot_lab(&lab, "error_connection", &output);
}

#[test]
fn error_parse() {
    let project =
        Project::local_with("- hosts: web\n  tasks:\n    - debug:\n        msg: [unclosed\n");
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    snapshot_local(&project, "error_parse", &output);
}

#[test]
fn error_options() {
    let project = Project::local_with("- hosts: web\n  tasks: []\n");
    let output = project.run(&["play", "site.yml", "-i", "local", "--forks", "many"]);
    snapshot_local(&project, "error_options", &output);
}

#[test]
fn error_unknown_module() {
    let project =
        Project::local_with("- hosts: web\n  tasks:\n    - name: greet\n      shel: echo hi\n");
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    snapshot_local(&project, "error_unknown_module", &output);
}

#[test]
fn error_runtime() {
    let project = Project::local_with(
        "- hosts: web\n  gather_facts: false\n  tasks:\n    - debug:\n        msg: \"{{ nowhere }}\"\n",
    );
    let output = project.run(&[
        "play", "site.yml", "-i", "local", "-f", "1", "--output", "human",
    ]);
    snapshot_local(&project, "error_runtime", &output);
}

/// Template errors at run time, each at its expression with a caret and,
/// where a close name exists, "did you mean …?": an undefined variable, an
/// unknown filter, a syntax error, a type error, a failing filter, an
/// unknown test in a template and in `when`.
#[test]
fn runtime_template_errors() {
    let project = Project::local_with(
        r#"- hosts: alpha
  gather_facts: false
  vars:
    app_port: 80
  tasks:
    - name: undefined
      debug:
        msg: "{{ app_prot }}"
      ignore_errors: true
    - name: unknown filter
      debug:
        msg: "port {{ app_port | to_jsn }}"
      ignore_errors: true
    - name: syntax
      debug:
        msg: "{{ app_port | int( }}"
      ignore_errors: true
    - name: type
      debug:
        msg: "{{ 'a' + 1 }}"
      ignore_errors: true
    - name: filter error
      debug:
        msg: "{{ 'x' | from_json }}"
      ignore_errors: true
    - name: unknown test
      debug:
        msg: "{{ app_port is evn }}"
      ignore_errors: true
    - name: in a condition
      debug: msg=hi
      when: app_port is evn
"#,
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    snapshot_local(&project, "error_runtime_templates", &output);
}

/// A vaulted value that the password given does not open: the error at
/// the value, before any host is touched.
#[test]
fn error_vault_password() {
    let indented: String = include_str!("../src/vault/test_vector.txt")
        .lines()
        .map(|line| format!("      {line}\n"))
        .collect();
    let project = Project::local_with(&format!(
        "- hosts: web\n  vars:\n    token: !vault |\n{indented}  tasks:\n    - debug: var=token\n"
    ));
    project.file("wrong-password", "not the password\n");
    let output = project.run(&[
        "play",
        "site.yml",
        "-i",
        "local",
        "--vault-password-file",
        "wrong-password",
    ]);
    snapshot_local(&project, "error_vault_password", &output);
}

#[test]
fn json_output_of_a_small_run() {
    let project = Project::local_with(
        "- hosts: web\n  gather_facts: false\n  tasks:\n    - name: say\n      debug:\n        msg: \"hi {{ inventory_hostname }}\"\n    - name: skip\n      debug: {msg: never}\n      when: false\n",
    );
    let output = project.run(&[
        "play", "site.yml", "-i", "local", "-f", "1", "--output", "json",
    ]);
    snapshot_local(&project, "json_output", &output);
}

/// A template error that `| default(...)` recovered from must not resurface
/// in a later, unrelated error on the same worker thread (`-f 1`).
#[test]
fn a_recovered_template_error_does_not_leak_into_a_later_one() {
    let project = Project::local_with(
        r#"
- hosts: alpha
  gather_facts: false
  vars:
    missing_a: "{{ undefined_thing }}"
  tasks:
    - debug:
        msg: "{{ missing_a | default('x') }}"
    - debug:
        msg: "{{ other_missing }}"
"#,
    );
    let output = project.run(&["play", "site.yml", "-i", "local", "-f", "1"]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("'other_missing' is undefined"),
        "{}",
        output.all()
    );
    assert!(
        !output.stdout.contains("undefined_thing"),
        "an earlier, recovered error leaked\n{}",
        output.all()
    );
}

/// The leak Ansible 2.19's trust model closes: `alpha` prints a template
/// naming `beta`'s become password; writing the output back must write the
/// text, not the password. `no_log` loop items are censored in every view.
#[test]
fn host_output_is_never_rendered_and_no_log_items_are_censored() {
    const PASSWORD: &str = "pw-beta-5e1f";
    let project = Project::new();
    project.file(
        "inventories/local",
        &format!(
            "[web]\nalpha ansible_connection=local\nbeta ansible_connection=local ansible_become_password={PASSWORD}\n"
        ),
    );
    project.file(
        "site.yml",
        r#"- hosts: web
  gather_facts: false
  tasks:
    - name: a host prints a template
      command: printf '%s' "{{ '{{' }} hostvars['beta']['ansible_become_password'] {{ '}}' }}"
      register: printed
    - name: show it
      debug: var=printed.stdout
    - name: write it back
      copy: content="{{ printed.stdout }}" dest="{{ out }}/{{ inventory_hostname }}"
    - name: secret items
      command: echo {{ item }}
      loop: [NoLogSecret-77c1]
      no_log: true
    - name: a failing secret item
      command: "false {{ item }}"
      loop: [NoLogSecret-99e3]
      no_log: true
      ignore_errors: true
"#,
    );
    std::fs::create_dir_all(project.join("out")).expect("out dir");
    let out = format!("out={}", project.join("out").display());
    let run = |extra: &[&str]| {
        let mut args = vec!["play", "site.yml", "-i", "local", "-f", "1", "-e", &out];
        args.extend_from_slice(extra);
        let output = project.run(&args);
        output.assert_code(0);
        for secret in [PASSWORD, "NoLogSecret"] {
            assert!(
                !output.all().contains(secret),
                "{secret} shown\n{}",
                output.all()
            );
        }
        output
    };
    snapshot_local(&project, "trust_leak_human", &run(&[]));
    snapshot_local(&project, "trust_leak_json", &run(&["--output", "json"]));
    run(&["-vvv"]);
    for host in ["alpha", "beta"] {
        assert_eq!(
            project.read(&format!("out/{host}")),
            "{{ hostvars['beta']['ansible_become_password'] }}",
            "{host} got its own output back"
        );
    }
}
