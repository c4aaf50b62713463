//! `runbook run`: Ansible's ad-hoc output and exit codes.

use crate::support::Project;

fn project() -> Project {
    let project = Project::new();
    project.file("inventories/local", "[db]\ndb01 ansible_connection=local\ndb02 ansible_connection=local\ndb03 ansible_connection=local\n");
    project
}

#[test]
fn commands_print_ansibles_blocks() {
    let output = project().run(&["run", "db*:!db03", "-i", "local", "-a", "echo hello"]);
    output.assert_code(0);
    assert!(
        output.stdout.contains("db01 | CHANGED | rc=0 >>\nhello"),
        "{}",
        output.all()
    );
    assert!(
        output.stdout.contains("db02 | CHANGED | rc=0 >>\nhello"),
        "{}",
        output.all()
    );
    assert!(!output.stdout.contains("db03"), "{}", output.all());
}

#[test]
fn failures_show_output_and_exit_2() {
    let output = project().run(&[
        "run",
        "db01",
        "-i",
        "local",
        "-m",
        "shell",
        "-a",
        "echo out; echo err >&2; exit 4",
    ]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("db01 | FAILED | rc=4 >>\nout\nerr"),
        "{}",
        output.all()
    );
}

#[test]
fn other_modules_print_json() {
    let output = project().run(&["run", "db02", "-i", "local", "-m", "ping"]);
    output.assert_code(0);
    assert!(
        output.stdout.contains("db02 | SUCCESS => {"),
        "{}",
        output.all()
    );
    assert!(
        output.stdout.contains("\"ping\": \"pong\""),
        "{}",
        output.all()
    );
}

#[test]
fn unknown_modules_and_arguments_are_refused_before_running() {
    let project = project();
    let output = project.run(&["run", "all", "-i", "local", "-m", "shel", "-a", "true"]);
    output.assert_code(5);
    assert!(
        output.stderr.contains("did you mean `shell`?"),
        "{}",
        output.all()
    );
    let output = project.run(&["run", "all", "-i", "local", "-m", "debug", "-a", "mgs=hi"]);
    output.assert_code(5);
    assert!(
        output.stderr.contains("`debug` has no argument `mgs`"),
        "{}",
        output.all()
    );
}

#[test]
fn patterns_that_match_nothing_warn() {
    let output = project().run(&["run", "web*", "-i", "local", "-a", "true"]);
    output.assert_code(0);
    assert!(
        output
            .stderr
            .contains("Could not match supplied host pattern, ignoring: web*"),
        "{}",
        output.all()
    );
}

#[test]
fn dash_c_picks_the_connection_where_the_inventory_names_none() {
    let project = Project::new();
    let output = project.run(&[
        "run",
        "all",
        "-i",
        "web1.invalid,web2.invalid,",
        "-c",
        "local",
        "-f",
        "1",
        "-a",
        "echo here",
    ]);
    output.assert_code(0);
    assert_eq!(
        output.stdout,
        "web1.invalid | CHANGED | rc=0 >>\nhere\nweb2.invalid | CHANGED | rc=0 >>\nhere\n",
        "{}",
        output.all()
    );
}
