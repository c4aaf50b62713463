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

/// A web group under prod, a db group and a host in no group, so the order
/// of `all` (depth first, as Ansible walks groups) shows.
const LISTED: &str = "loose\n[web]\nw1\nw2\n[db]\nd1\n[prod:children]\nweb\n";

#[test]
fn list_hosts_prints_the_matched_hosts_as_ansible_and_touches_none() {
    let project = Project::new();
    project.file("hosts.ini", LISTED);
    let cases: &[&[&str]] = &[
        &["all"],
        &["web:nomatch"],
        &["nomatch"],
        &["all", "-l", "w2:d1"],
        &["db", "-l", "w1"],
        &["all", "-l", "nomatch"],
        &["web", "-l", "w2:nomatch2"],
    ];
    let warnings = |stderr: &str| -> Vec<String> {
        stderr
            .lines()
            .filter(|line| line.starts_with("[WARNING]"))
            .map(str::to_string)
            .collect()
    };
    for case in cases {
        let mut args = vec!["run", case[0], "-i", "hosts.ini", "--list-hosts"];
        args.extend_from_slice(&case[1..]);
        let ours = project.run(&args);
        let theirs = crate::support::ansible_adhoc(project.path(), &args[1..]);
        assert_eq!(
            ours.code,
            theirs.code,
            "{case:?}\n{}\n{}",
            ours.all(),
            theirs.all()
        );
        assert_eq!(
            ours.stdout,
            theirs.stdout,
            "{case:?}\n{}\n{}",
            ours.all(),
            theirs.all()
        );
        assert_eq!(
            warnings(&ours.stderr),
            warnings(&theirs.stderr),
            "{case:?}\n{}\n{}",
            ours.all(),
            theirs.all()
        );
    }
    let all = project.run(&["run", "all", "-i", "hosts.ini", "--list-hosts"]);
    assert_eq!(
        crate::support::transcript(&all),
        "exit code: 0\n----- stdout -----\n  hosts (4):\n    loose\n    d1\n    w1\n    w2\n----- stderr -----\n"
    );
    let none = project.run(&[
        "run",
        "web:nomatch*",
        "-i",
        "hosts.ini",
        "--list-hosts",
        "-m",
        "nosuchmodule",
    ]);
    assert_eq!(
        crate::support::transcript(&none),
        "exit code: 0\n----- stdout -----\n  hosts (2):\n    w1\n    w2\n----- stderr -----\n[WARNING]: Could not match supplied host pattern, ignoring: nomatch*\n"
    );
    let limited = project.run(&["run", "db", "-i", "hosts.ini", "-l", "w1", "--list-hosts"]);
    assert_eq!(
        crate::support::transcript(&limited),
        "exit code: 1\n----- stdout -----\n----- stderr -----\nERROR! Specified inventory, host pattern and/or --limit leaves us with no hosts to target.\n"
    );
    // Running, not listing, is refused the same way, before any host.
    let running = project.run(&[
        "run",
        "db",
        "-i",
        "hosts.ini",
        "-l",
        "w1",
        "-c",
        "local",
        "-a",
        "touch touched",
    ]);
    assert_eq!(
        crate::support::transcript(&running),
        crate::support::transcript(&limited)
    );
    assert!(!project.join("touched").exists());
}

#[test]
fn list_hosts_under_json_output_is_one_listing_line() {
    let project = Project::new();
    project.file("hosts.ini", LISTED);
    let output = project.run(&[
        "run",
        "web",
        "-i",
        "hosts.ini",
        "--list-hosts",
        "--output",
        "json",
    ]);
    output.assert_code(0);
    assert_eq!(
        output.stdout,
        "{\"event\":\"listing\",\"hosts\":[\"w1\",\"w2\"],\"listing\":\"hosts\"}\n",
        "{}",
        output.all()
    );
}

#[test]
fn one_line_condenses_each_result_to_a_line() {
    let project = project();
    project.file("down.ini", "gone ansible_host=127.0.0.1 ansible_port=1\n");
    let output = project.run(&[
        "run",
        "db*:!db03",
        "-i",
        "local",
        "-f",
        "1",
        "-o",
        "-m",
        "shell",
        "-a",
        "echo 'a b'; echo err >&2",
    ]);
    assert_eq!(
        crate::support::transcript(&output),
        "exit code: 0\n----- stdout -----\n\
         db01 | CHANGED | rc=0 | (stdout) a b (stderr) err\n\
         db02 | CHANGED | rc=0 | (stdout) a b (stderr) err\n\
         ----- stderr -----\n"
    );
    let output = project.run(&[
        "run",
        "db01",
        "-i",
        "local",
        "--one-line",
        "-m",
        "debug",
        "-a",
        "msg=hi",
    ]);
    assert_eq!(
        crate::support::transcript(&output),
        "exit code: 0\n----- stdout -----\n\
         db01 | SUCCESS => {    \"changed\": false,    \"msg\": \"hi\"}\n\
         ----- stderr -----\n"
    );
    let output = project.run(&[
        "run", "gone", "-i", "down.ini", "-o", "-m", "ping", "-T", "2",
    ]);
    assert_eq!(
        crate::support::transcript(&output),
        "exit code: 4\n----- stdout -----\n\
         gone | UNREACHABLE!: cannot connect to 127.0.0.1:1: Connection refused (os error 111)\n\
         ----- stderr -----\n"
    );
}

#[test]
fn tree_writes_each_hosts_result_as_json_and_skips_nothing_else() {
    let project = project();
    let output = project.run(&[
        "run",
        "db*",
        "-i",
        "local",
        "-m",
        "debug",
        "-a",
        "msg={{ inventory_hostname }}",
        "-t",
        "out/tree",
    ]);
    output.assert_code(0);
    assert_eq!(
        project.read("out/tree/db01"),
        "{\n    \"changed\": false,\n    \"msg\": \"db01\"\n}"
    );
    let output = project.run(&[
        "run", "db01", "-i", "local", "-m", "ping", "--tree", "out/tree",
    ]);
    output.assert_code(0);
    assert_eq!(
        project.read("out/tree/db01"),
        r#"{"changed": false, "ping": "pong"}"#
    );
    assert_eq!(
        project.read("out/tree/db03"),
        "{\n    \"changed\": false,\n    \"msg\": \"db03\"\n}",
        "other hosts' files are left as they were"
    );
    // A directory that cannot be made is a warning; the run goes on.
    project.file("blocker", "");
    let output = project.run(&[
        "run",
        "db01",
        "-i",
        "local",
        "-m",
        "ping",
        "-t",
        "blocker/tree",
    ]);
    output.assert_code(0);
    assert!(
        output.stderr.starts_with(&format!(
            "[WARNING]: Unable to access or create the configured directory '{}': ",
            project.join("blocker/tree").display()
        )),
        "{}",
        output.all()
    );
}

#[test]
fn ask_pass_without_a_terminal_or_input_is_a_clear_error_before_any_host() {
    let project = project();
    for command in [
        &["run", "db01", "-i", "local", "-k", "-a", "touch touched"][..],
        &["play", "site.yml", "-i", "local", "--ask-pass"],
    ] {
        project.file(
            "site.yml",
            "- hosts: db01\n  gather_facts: false\n  tasks:\n    - command: touch touched\n",
        );
        let output = project.run_without_terminal(command);
        assert_eq!(
            crate::support::transcript(&output),
            "exit code: 5\n----- stdout -----\n----- stderr -----\n\
             Warning: Password input may be echoed.\nSSH password: \n\
             ERROR! -k/--ask-pass: no terminal to ask on, and stdin ended before a password line; set ansible_password (e.g. in a vault) instead\n",
            "{command:?}"
        );
        assert!(
            !project.join("touched").exists(),
            "{command:?} touched a host"
        );
    }
    let listed =
        project.run_without_terminal(&["run", "db01", "-i", "local", "-k", "--list-hosts"]);
    assert_eq!(
        listed.stdout,
        "  hosts (1):\n    db01\n",
        "{}",
        listed.all()
    );
}

/// `-k` and `-K` on a terminal: the SSH password is asked first, and an
/// empty answer to the become prompt means the same password, as in Ansible.
#[test]
fn ask_pass_asks_once_on_the_terminal_then_runs() {
    let project = project();
    let shown = project.run_on_terminal(
        &["run", "db01", "-i", "local", "-k", "-K", "-a", "echo ran"],
        &["typed secret", ""],
    );
    assert_eq!(
        shown,
        "SSH password: \nBECOME password[defaults to SSH password]: \ndb01 | CHANGED | rc=0 >>\nran\n"
    );
}

/// An unreachable host, with `-o` and `-t`, against ansible: the same exit
/// code, line up to the message, and tree file but for the message (ssh's
/// words are not runbook's).
#[test]
fn unreachable_one_line_and_tree_as_in_ansible() {
    let project = Project::new();
    project.file("down.ini", "gone ansible_host=127.0.0.1 ansible_port=1\n");
    let args = ["gone", "-i", "down.ini", "-o", "-m", "ping", "-T", "3"];
    let ours = project.run(&[&["run"][..], &args, &["-t", "ours"]].concat());
    let theirs =
        crate::support::ansible_adhoc(project.path(), &[&args[..], &["-t", "theirs"]].concat());
    let both = format!("--- runbook\n{}\n--- ansible\n{}", ours.all(), theirs.all());
    assert_eq!(ours.code, theirs.code, "{both}");
    let head = |stdout: &str| stdout.split_once(": ").map(|(head, _)| head.to_string());
    assert_eq!(
        head(&ours.stdout),
        Some("gone | UNREACHABLE!".into()),
        "{both}"
    );
    assert_eq!(head(&ours.stdout), head(&theirs.stdout), "{both}");
    let file = |dir: &str| {
        let mut json: serde_json::Value =
            serde_json::from_str(&project.read(&format!("{dir}/gone"))).expect("JSON");
        let message = json.as_object_mut().and_then(|map| map.remove("msg"));
        assert!(message.is_some_and(|m| m.is_string()), "{dir}: a message");
        json
    };
    assert_eq!(file("ours"), file("theirs"), "{both}");
}

#[test]
fn a_template_error_in_the_arguments_is_shown_under_the_text_as_typed() {
    let output = project().run(&[
        "run",
        "db01",
        "-i",
        "local",
        "-a",
        "echo {{ inventory_hostnme }}",
    ]);
    output.assert_code(2);
    assert_eq!(
        output.stdout,
        "\
ERROR! 'inventory_hostnme' is undefined
  --> <command line>:2:11
  |
2 |   echo {{ inventory_hostnme }}
  |           ^^^^^^^^^^^^^^^^^
  = help: did you mean `inventory_hostname`?
db01 | FAILED! => {
    \"changed\": false,
    \"msg\": \"The task includes an option with an undefined variable or a template error. The error was: 'inventory_hostnme' is undefined\\n\\nThe error appears to be in '<command line>:1:1' (task 'command')\"
}
",
        "{}",
        output.all()
    );
}
