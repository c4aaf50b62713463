//! One error contract: each class of error has its exit code, and what the
//! user sees goes through the reporter (JSON under `--output json`, a quiet
//! end when stdout's reader goes away).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::Project;

const PLAYBOOK: &str = "- name: first\n  hosts: web\n  gather_facts: false\n  tags: [p]\n  tasks:\n    - name: one\n      command: \"true\"\n      tags: [a]\n    - debug: msg=hi\n";

#[test]
fn each_error_class_exits_with_its_code() {
    let project = Project::local_with(PLAYBOOK);
    project
        .file("broken.yml", "- hosts: all\n  tasks:\n    - shel: x\n")
        .file(
            "unknown_var.yml",
            "- hosts: \"{{ nowhere.x }}\"\n  gather_facts: false\n  tasks: []\n",
        )
        .file(
            "no_vars_file.yml",
            "- hosts: web\n  gather_facts: false\n  vars_files: [nope.yml]\n  tasks: []\n",
        )
        .file(
            "fails.yml",
            "- hosts: web\n  gather_facts: false\n  tasks:\n    - command: \"false\"\n",
        )
        .file("inventories/bad_port", "alpha ansible_port=abc\n")
        .file(
            "inventories/closed",
            "alpha ansible_host=127.0.0.1 ansible_port=1 ansible_user=nobody\n",
        );
    let cases: &[(&str, &[&str], i32)] = &[
        ("success", &["play", "site.yml", "-i", "local"], 0),
        (
            "runtime: --limit matches nothing",
            &["play", "site.yml", "-i", "local", "-l", "gamma"],
            1,
        ),
        (
            "runtime: hosts cannot be templated",
            &["play", "unknown_var.yml", "-i", "local"],
            1,
        ),
        (
            "runtime: a vars_files entry is missing",
            &["play", "no_vars_file.yml", "-i", "local"],
            1,
        ),
        (
            "runtime: host not in the inventory",
            &["inventory", "-i", "local", "--host", "gamma"],
            1,
        ),
        ("a host failed", &["play", "fails.yml", "-i", "local"], 2),
        (
            "connection: unusable connection vars",
            &["play", "site.yml", "-i", "bad_port", "-l", "alpha"],
            4,
        ),
        (
            "connection: unreachable host",
            &["run", "alpha", "-i", "closed", "-m", "ping", "-T", "2"],
            4,
        ),
        (
            "parse: playbook",
            &["play", "broken.yml", "--syntax-check"],
            4,
        ),
        (
            "parse: inventory",
            &["play", "site.yml", "-i", "nowhere"],
            4,
        ),
        (
            "options: unknown flag",
            &["play", "site.yml", "--no-such-flag"],
            5,
        ),
        ("options: --forks 0", &["play", "site.yml", "-f", "0"], 5),
        (
            "options: unreadable --limit file",
            &["play", "site.yml", "-i", "local", "-l", "@nofile"],
            5,
        ),
        (
            "options: unreadable -e file",
            &["play", "site.yml", "-e", "@nofile.yml"],
            5,
        ),
        (
            "options: unknown ad-hoc module",
            &["run", "all", "-i", "local", "-m", "shel"],
            5,
        ),
        (
            "options: bad ad-hoc pattern",
            &["run", "web[5]", "-i", "local", "-a", "true"],
            5,
        ),
    ];
    for (class, args, code) in cases {
        let output = project.run(args);
        assert_eq!(
            output.code,
            *code,
            "{class}: runbook {args:?}\n{}",
            output.all()
        );
    }
}

#[test]
fn run_warnings_are_json_lines_under_output_json() {
    let project = Project::local();
    let json = project.run(&[
        "run", "gamma", "-i", "local", "-a", "true", "--output", "json",
    ]);
    json.assert_code(0);
    assert_eq!(
        json.stdout,
        "{\"event\":\"warning\",\"message\":\"Could not match supplied host pattern, ignoring: gamma\"}\n\
         {\"event\":\"warning\",\"message\":\"No hosts matched, nothing to do\"}\n",
        "{}",
        json.all()
    );
    assert_eq!(json.stderr, "", "{}", json.all());

    let human = project.run(&["run", "gamma", "-i", "local", "-a", "true"]);
    human.assert_code(0);
    assert_eq!(human.stdout, "", "{}", human.all());
    assert_eq!(
        human.stderr,
        "[WARNING]: Could not match supplied host pattern, ignoring: gamma\n\
         [WARNING]: No hosts matched, nothing to do\n",
        "{}",
        human.all()
    );
}

#[test]
fn listings_are_json_lines_under_output_json() {
    let project = Project::local_with(PLAYBOOK);
    let syntax = project.run(&["play", "site.yml", "--syntax-check", "--output", "json"]);
    syntax.assert_code(0);
    assert_eq!(
        syntax.stdout,
        "{\"event\":\"listing\",\"listing\":\"syntax_checked\",\"playbooks\":[\"site.yml\"]}\n",
        "{}",
        syntax.all()
    );
    let list = project.run(&[
        "play",
        "site.yml",
        "-i",
        "local",
        "--list-hosts",
        "--list-tasks",
        "--list-tags",
        "-l",
        "alpha",
        "--output",
        "json",
    ]);
    list.assert_code(0);
    assert_eq!(
        list.stdout,
        concat!(
            r#"{"event":"listing","listing":"playbooks","playbooks":[{"path":"site.yml","plays":[{"#,
            r#""hosts":["alpha"],"name":"first","pattern":"web","tags":["p"],"task_tags":["a","p"],"#,
            r#""tasks":[{"name":"one","tags":["a","p"]},{"name":"debug","tags":["p"]}]}]}]}"#,
            "\n"
        ),
        "{}",
        list.all()
    );
    assert_eq!(list.stderr, "", "{}", list.all());
}

#[test]
fn listings_keep_ansible_playbooks_layout() {
    let project = Project::local_with(PLAYBOOK);
    let list = project.run(&[
        "play",
        "site.yml",
        "-i",
        "local",
        "--list-hosts",
        "--list-tasks",
        "--list-tags",
    ]);
    list.assert_code(0);
    assert_eq!(
        list.stdout,
        "\nplaybook: site.yml\n\n  play #1 (web): first\tTAGS: [p]\n    pattern: ['web']\n    hosts (2):\n      alpha\n      beta\n      TASK TAGS: [a, p]\n    tasks:\n      one\tTAGS: [a, p]\n      debug\tTAGS: [p]\n",
        "{}",
        list.all()
    );
    let syntax = project.run(&["play", "site.yml", "--syntax-check"]);
    assert_eq!(syntax.stdout, "\nplaybook: site.yml\n", "{}", syntax.all());
}

#[test]
fn inventory_graph_into_a_closed_pipe_ends_quietly() {
    let project = Project::new();
    // Far more than a pipe holds, so the writes after the reader left fail.
    project.file(
        "inventories/big",
        "[big]\nhost-with-a-long-name-[00001:20000]\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_runbook"))
        .args(["inventory", "-i", "big", "--graph"])
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run runbook");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("read a line");
    // As `| head -1`: the reader is dropped, the pipe closes.
    let output = child.wait_with_output().expect("wait for runbook");
    assert_eq!(first, "@all:\n");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
