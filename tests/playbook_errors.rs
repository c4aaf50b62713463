//! A broken or unsupported playbook is refused before any host is touched,
//! with `file:line:col`, the line itself, and a hint.

use crate::support::Project;

fn syntax_check(playbook: &str) -> crate::support::Output {
    let project = Project::new();
    project.file("site.yml", playbook);
    project.run(&["play", "site.yml", "--syntax-check"])
}

#[test]
fn unknown_module_points_at_it_and_suggests_the_nearest() {
    let output = syntax_check("- hosts: all\n  tasks:\n    - name: greet\n      shel: echo hi\n");
    output.assert_code(4);
    assert!(
        output
            .stderr
            .contains("`shel` is neither a task keyword nor a module"),
        "{}",
        output.all()
    );
    assert!(output.stderr.contains("site.yml:4:7"), "{}", output.all());
    assert!(
        output.stderr.contains("4 |       shel: echo hi"),
        "{}",
        output.all()
    );
    assert!(
        output.stderr.contains("did you mean `shell`?"),
        "{}",
        output.all()
    );
}

#[test]
fn unknown_argument_is_named_with_its_position() {
    let output = syntax_check(
        "- hosts: all\n  tasks:\n    - command:\n        cmd: ls\n        chdri: /tmp\n",
    );
    output.assert_code(4);
    assert!(
        output.stderr.contains("`command` has no argument `chdri`"),
        "{}",
        output.all()
    );
    assert!(output.stderr.contains("site.yml:5:9"), "{}", output.all());
    assert!(
        output.stderr.contains("did you mean `chdir`?"),
        "{}",
        output.all()
    );
}

#[test]
fn keywords_we_do_not_run_yet_are_errors_not_silent_skips() {
    let output = syntax_check(
        "- hosts: all\n  debugger: always\n  tasks:\n    - shell: echo\n      debugger: never\n",
    );
    output.assert_code(4);
    assert!(
        output
            .stderr
            .contains("the play keyword `debugger` is not supported by runbook yet"),
        "{}",
        output.all()
    );
    assert!(output.stderr.contains("site.yml:2:3"), "{}", output.all());
    assert!(
        output
            .stderr
            .contains("the task keyword `debugger` is not supported by runbook yet"),
        "{}",
        output.all()
    );
    assert!(output.stderr.contains("site.yml:5:7"), "{}", output.all());
}

#[test]
fn async_and_poll_take_whole_seconds() {
    let output = syntax_check(
        "- hosts: all\n  tasks:\n    - shell: echo\n      async: soon\n    - shell: echo\n      poll: -1\n",
    );
    output.assert_code(4);
    for (message, at) in [
        (
            "`async` must be a whole number of seconds, found `soon`",
            "site.yml:4:14",
        ),
        (
            "`poll` must be a whole number of seconds, found `-1`",
            "site.yml:6:13",
        ),
    ] {
        assert!(output.stderr.contains(message), "{}", output.all());
        assert!(output.stderr.contains(at), "{}", output.all());
    }
}

#[test]
fn module_defaults_take_module_names_and_mappings() {
    let output = syntax_check(
        "- hosts: all\n  module_defaults: [file]\n  tasks: []\n- hosts: all\n  tasks:\n    - shell: echo\n      module_defaults:\n        file: [owner]\n",
    );
    output.assert_code(4);
    for (message, at) in [
        (
            "`module_defaults` takes a mapping (or a list of mappings)",
            "site.yml:2:21",
        ),
        (
            "the defaults for `file` must be a mapping of its arguments",
            "site.yml:8:15",
        ),
    ] {
        assert!(output.stderr.contains(message), "{}", output.all());
        assert!(output.stderr.contains(at), "{}", output.all());
    }
}

#[test]
fn every_error_in_the_file_is_reported_at_once() {
    let output = syntax_check(
        "- hosts: all\n  tasks:\n    - nope: 1\n    - debug: msg=hi\n    - also_nope: 2\n",
    );
    output.assert_code(4);
    assert!(output.stderr.contains("site.yml:3:7"), "{}", output.all());
    assert!(output.stderr.contains("site.yml:5:7"), "{}", output.all());
}

#[test]
fn yaml_syntax_errors_have_positions() {
    let output = syntax_check("- hosts: all\n  tasks: [\n    - debug: msg=hi\n");
    output.assert_code(4);
    assert!(
        output.stderr.contains("YAML syntax error"),
        "{}",
        output.all()
    );
    assert!(output.stderr.contains("site.yml:"), "{}", output.all());
}

#[test]
fn a_play_without_hosts_is_refused() {
    let output = syntax_check("- name: no hosts here\n  tasks:\n    - debug: msg=hi\n");
    output.assert_code(4);
    assert!(
        output.stderr.contains("this play has no `hosts:`"),
        "{}",
        output.all()
    );
}

#[test]
fn a_task_with_two_modules_is_refused() {
    let output =
        syntax_check("- hosts: all\n  tasks:\n    - shell: echo a\n      command: echo b\n");
    output.assert_code(4);
    assert!(
        output
            .stderr
            .contains("conflicting action statements: `shell` and `command`"),
        "{}",
        output.all()
    );
}

#[test]
fn missing_required_arguments_are_caught_before_running() {
    let output = syntax_check("- hosts: all\n  tasks:\n    - assert: {}\n    - command: {}\n");
    output.assert_code(4);
    assert!(
        output.stderr.contains("`assert` needs that"),
        "{}",
        output.all()
    );
    assert!(
        output
            .stderr
            .contains("`command` needs one of: a free-form command, cmd, argv"),
        "{}",
        output.all()
    );
}

#[test]
fn fully_qualified_names_and_free_form_arguments_are_accepted() {
    let output = syntax_check(
        "- hosts: all\n  tasks:\n    - ansible.builtin.shell: echo hi chdir=/tmp\n    - ansible.builtin.debug: msg=\"a b\"\n    - action: command ls\n",
    );
    output.assert_code(0);
    assert!(
        output.stdout.contains("playbook: site.yml"),
        "{}",
        output.all()
    );
}

#[test]
fn bad_command_line_options_exit_5() {
    let project = Project::new();
    project.file("site.yml", "- hosts: all\n  tasks: []\n");
    project
        .run(&["play", "site.yml", "--no-such-flag"])
        .assert_code(5);
    project.run(&["play", "site.yml", "-f", "0"]).assert_code(5);
}
#[test]
fn a_loop_over_a_lookup_runbook_lacks_is_refused_at_its_position() {
    let output = syntax_check(
        "- hosts: all\n  tasks:\n    - debug: var=item\n      with_nosuch: [a]\n    - debug: var=item\n      with_subelements: [[], k]\n",
    );
    output.assert_code(4);
    assert!(
        output
            .stderr
            .contains("`with_nosuch`: the lookup plugin 'nosuch' was not found"),
        "{}",
        output.all()
    );
    assert!(output.stderr.contains("site.yml:4:7"), "{}", output.all());
    assert!(
        !output.stderr.contains("with_subelements"),
        "{}",
        output.all()
    );
}

#[test]
fn a_keyword_of_the_wrong_type_is_an_error_at_its_position() {
    let output = syntax_check(
        "- hosts: all\n  port: lots\n  connection: winrm\n  serial: many\n  tasks:\n    - command: echo\n      retries: lots\n    - command: echo\n      run_once: maybe\n",
    );
    output.assert_code(4);
    for (message, at) in [
        ("`port` must be a port number, found `lots`", "site.yml:2:9"),
        (
            "the connection `winrm` is not supported (runbook has ssh and local)",
            "site.yml:3:15",
        ),
        (
            "`serial` takes a number of hosts or a percentage, found `many`",
            "site.yml:4:11",
        ),
        (
            "`retries` must be a whole number (or a template), found `lots`",
            "site.yml:7:16",
        ),
        (
            "`run_once` must be a boolean (yes/no, true/false), found `maybe`",
            "site.yml:9:17",
        ),
    ] {
        assert!(
            output.stderr.contains(message),
            "{message}\n{}",
            output.all()
        );
        assert!(output.stderr.contains(at), "{at}\n{}", output.all());
    }
}

#[test]
fn end_role_outside_a_role_or_in_a_handler_is_refused_as_in_ansible() {
    let outside = syntax_check("- hosts: all\n  tasks:\n    - meta: end_role\n");
    outside.assert_code(4);
    assert!(
        outside
            .stderr
            .contains("Cannot execute 'end_role' from outside of a role"),
        "{}",
        outside.all()
    );
    assert!(
        outside.stderr.contains("site.yml:3:13"),
        "{}",
        outside.all()
    );

    let project = Project::new();
    project.file("roles/r/tasks/main.yml", "- debug: msg=hi\n");
    project.file("roles/r/handlers/main.yml", "- name: h\n  meta: end_role\n");
    project.file("site.yml", "- hosts: all\n  roles: [r]\n");
    let in_handler = project.run(&["play", "site.yml", "--syntax-check"]);
    in_handler.assert_code(4);
    assert!(
        in_handler
            .stderr
            .contains("Cannot execute 'end_role' from a handler"),
        "{}",
        in_handler.all()
    );
    assert!(
        in_handler.stderr.contains("handlers/main.yml:2:9"),
        "{}",
        in_handler.all()
    );
}
