//! Ansible's everyday syntax: `k=v` arguments for every module (playbooks
//! and ad-hoc `-a`, also as JSON), FQCN and `ansible.legacy.` names for the
//! actions the loader handles, and YAML traps refused at their position.

use crate::support::{Project, Recap, recap, task_banners};

fn syntax_check(playbook: &str) -> crate::support::Output {
    let project = Project::new();
    project.file("site.yml", playbook);
    project.run(&["play", "site.yml", "--syntax-check"])
}

#[track_caller]
fn assert_refused(playbook: &str, message: &str, position: &str) {
    let output = syntax_check(playbook);
    output.assert_code(4);
    assert!(output.stderr.contains(message), "{}", output.all());
    assert!(
        output.stderr.contains(&format!("site.yml:{position}")),
        "{}",
        output.all()
    );
}

#[test]
fn file_modules_take_key_value_arguments() {
    let project = Project::local_with(
        r#"
- hosts: alpha
  gather_facts: false
  tasks:
    - ansible.builtin.file: path={{ playbook_dir }}/out state=directory mode=0750
    - copy: content="a = 'b'\n" dest={{ playbook_dir }}/out/c.txt
    - ansible.builtin.template: src=t.j2 dest="{{ playbook_dir }}/out/t.txt"
    - lineinfile: path={{ playbook_dir }}/out/l.txt line="x={{ 1 + 1 }}" create=yes
    - copy: dest={{ playbook_dir }}/out/args.txt content=inline
      args:
        content: ignored
        mode: "0600"
"#,
    );
    project.file("templates/t.j2", "host {{ inventory_hostname }}\n");
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    assert_eq!(recap(&output)["alpha"], Recap::new(5, 5, 0, 0, 0));
    assert_eq!(project.read("out/c.txt"), "a = 'b'\n");
    assert_eq!(project.read("out/l.txt"), "x=2\n");
    assert_eq!(project.read("out/t.txt"), "host alpha\n");
    assert_eq!(project.read("out/args.txt"), "inline");
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |p: &str| std::fs::metadata(project.join(p)).map_or(0, |m| m.permissions().mode() & 0o777);
    assert_eq!(mode("out"), 0o750);
    assert_eq!(mode("out/args.txt"), 0o600);
    let again = project.run(&["play", "site.yml", "-i", "local"]);
    assert_eq!(
        recap(&again)["alpha"],
        Recap::new(5, 0, 0, 0, 0),
        "{}",
        again.all()
    );
}

#[test]
fn fqcn_and_legacy_names_load_like_short_names() {
    let project = Project::local_with(
        r#"
- hosts: alpha
  gather_facts: false
  tasks:
    - ansible.builtin.include_tasks: inc.yml
    - ansible.legacy.import_tasks: inc.yml
    - ansible.builtin.include_role:
        name: r
    - ansible.builtin.import_role:
        name: r
    - ansible.builtin.meta: noop
    - ansible.builtin.set_fact: fact=value
    - ansible.legacy.debug: msg="{{ fact }}"
- ansible.builtin.import_playbook: other.yml
"#,
    );
    project.file("inc.yml", "- name: from inc\n  debug: msg=inc\n");
    project.file(
        "roles/r/tasks/main.yml",
        "- name: from role\n  debug: msg=role\n",
    );
    project.file(
        "other.yml",
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - name: imported play\n      debug: msg=other\n",
    );
    let output = project.run(&["play", "site.yml", "-i", "local"]);
    output.assert_code(0);
    let banners = task_banners(&output);
    for expected in ["from inc", "from role", "imported play"] {
        assert!(
            banners.iter().any(|b| b.contains(expected)),
            "{expected}: {banners:?}\n{}",
            output.all()
        );
    }
    assert!(
        output.stdout.contains("\"msg\": \"value\""),
        "{}",
        output.all()
    );
}

#[test]
fn an_unquoted_template_starting_a_value_is_an_error_with_the_quoting_hint() {
    assert_refused(
        "- hosts: all\n  tasks:\n    - debug:\n        msg: {{ x }}\n",
        "Always quote template expression brackets when they start a value",
        "4:14",
    );
    assert_refused(
        "- hosts: all\n  tasks:\n    - debug:\n        msg: {{ x }} and more\n",
        "Always quote template expression brackets when they start a value",
        "4:",
    );
}

#[test]
fn keywords_of_the_wrong_type_are_errors_naming_the_keyword() {
    let cases = [
        (
            "retries: lots",
            "`retries` must be a whole number (or a template), found `lots`",
            "5:16",
        ),
        (
            "delay: [1]",
            "`delay` must be a whole number (or a template), found a list",
            "5:14",
        ),
        (
            "ignore_errors: maybe",
            "`ignore_errors` must be a boolean (yes/no, true/false), found `maybe`",
            "5:22",
        ),
        (
            "when: {a: 1}",
            "`when` must be a condition or a list of conditions, found a mapping",
            "5:13",
        ),
        ("loop: 5", "`loop` requires a list", "5:13"),
        (
            "environment: [a]",
            "`environment` must be a mapping",
            "5:20",
        ),
    ];
    for (keyword, message, position) in cases {
        assert_refused(
            &format!(
                "- hosts: all\n  tasks:\n    - debug: msg=hi\n      register: r\n      {keyword}\n"
            ),
            message,
            position,
        );
    }
    assert_refused(
        "- hosts: all\n  serial: [a]\n  tasks: []\n",
        "`serial` takes a number of hosts or a percentage, found `a`",
        "2:12",
    );
    assert_refused(
        "- hosts: all\n  tasks:\n    - block:\n        - debug: msg=hi\n      ignore_errors: maybe\n",
        "`ignore_errors` must be a boolean",
        "5:22",
    );
    let templated = syntax_check(
        "- hosts: all\n  tasks:\n    - debug: msg=hi\n      retries: \"{{ n }}\"\n      delay: '5'\n      until: r is success\n      register: r\n      ignore_errors: \"{{ flag }}\"\n      loop: \"{{ items }}\"\n",
    );
    templated.assert_code(0);
}

#[test]
fn broken_key_value_text_is_an_error_at_the_value() {
    assert_refused(
        "- hosts: all\n  tasks:\n    - file: path='/x state=directory\n",
        "failed at splitting arguments, either an unbalanced jinja2 block or quotes",
        "3:13",
    );
    assert_refused(
        "- hosts: all\n  tasks:\n    - file: path=/x directory\n",
        "expected key=value arguments, found `directory`",
        "3:13",
    );
    assert_refused(
        "- hosts: all\n  tasks:\n    - file: path=/x stat=directory\n",
        "`file` has no argument `stat`",
        "3:7",
    );
}

#[test]
fn adhoc_arguments_are_key_values_or_json() {
    let project = Project::local();
    let dir = project.join("made");
    let kv = format!("path={} state=directory mode=0700", dir.display());
    let output = project.run(&[
        "run",
        "alpha",
        "-i",
        "local",
        "-m",
        "ansible.builtin.file",
        "-a",
        &kv,
    ]);
    output.assert_code(0);
    assert!(dir.is_dir(), "{}", output.all());
    let json = format!(r#"{{"path": "{}/f.txt", "state": "touch"}}"#, dir.display());
    let output = project.run(&["run", "alpha", "-i", "local", "-m", "file", "-a", &json]);
    output.assert_code(0);
    assert!(dir.join("f.txt").is_file(), "{}", output.all());
}
