//! `runbook plan`, `runbook show` and `runbook play --plan` on a lab: the
//! plan's content, its Markdown for a pull request, applying it, and the
//! refusals when a host or the playbook changed after the plan was made.

use crate::support::{Lab, snapshot_settings, transcript};

const SETUP: &str = "\
- hosts: all
  gather_facts: false
  tasks:
    - file: {path: /opt/app, state: directory, mode: '0755'}
    - copy: {dest: /opt/app/limits.conf, content: \"port=80\\nuser=app\\n\"}
";

const SITE: &str = "\
- hosts: all
  gather_facts: false
  vars:
    app_port: 8080
  tasks:
    - name: base config
      copy: {dest: /opt/app/base.conf, content: \"name={{ inventory_hostname }}\\n\"}
    - name: rendered config
      template: {src: app.conf.j2, dest: /opt/app/app.conf}
    - name: port line
      lineinfile: {path: /opt/app/limits.conf, regexp: '^port=', line: 'port={{ app_port }}'}
    - name: users
      lineinfile: {path: /opt/app/limits.conf, line: '{{ item }}'}
      loop: [user=app, group=app]
    - name: secret file
      copy: {dest: /opt/app/token, content: \"token={{ token }}\\n\", mode: '0600'}
      no_log: true
    - name: nothing to do
      file: {path: /opt/app, state: directory}
";

const TEMPLATE: &str = "host={{ inventory_hostname }}\nport={{ app_port }}\n";

const SECRET: &str = "hunter2-plan-secret";

fn git(lab: &Lab, args: &[&str]) {
    let output = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t", "-C"])
        .arg(lab.project.path())
        .args(args)
        .output()
        .expect("git");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn plan_settings(lab: &Lab) -> insta::Settings {
    let mut settings = snapshot_settings(lab.project.path(), Some(&lab.name));
    settings.add_filter(r"\b[0-9a-f]{40}\b", "[COMMIT]");
    settings.add_filter(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", "[TIMESTAMP]");
    settings.add_filter(
        &format!(r"\b{}\b", regex_escape(env!("CARGO_PKG_VERSION"))),
        "[VERSION]",
    );
    settings
}

fn regex_escape(text: &str) -> String {
    text.replace('.', r"\.")
}

/// The tasks a journaled run reported `changed` on `host`.
fn changed_in_journal(journal: &str, host: &str) -> Vec<String> {
    journal
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|line| line.get("event").cloned())
        .filter(|event| {
            event["event"] == "host_result" && event["host"] == host && event["status"] == "changed"
        })
        .map(|event| event["task"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn planned_changes(plan: &serde_json::Value, host: &str) -> Vec<String> {
    plan["hosts"]
        .as_array()
        .expect("hosts")
        .iter()
        .find(|h| h["host"] == host)
        .expect("host in the plan")["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter(|task| task["status"] == "changed")
        .map(|task| task["task"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_plan_is_reviewed_applied_and_refused_where_hosts_drifted() {
    let lab = Lab::up(2);
    lab.project
        .file("setup.yml", SETUP)
        .file("site.yml", SITE)
        .file("templates/app.conf.j2", TEMPLATE);
    git(&lab, &["init", "-q"]);
    git(&lab, &["add", "site.yml", "templates"]);
    git(&lab, &["commit", "-qm", "site"]);
    lab.run(&["play", "setup.yml", "-i", "lab"]).assert_code(0);

    let token = format!("token={SECRET}");
    let planned = lab.run(&[
        "plan",
        "site.yml",
        "-i",
        "lab",
        "-e",
        &token,
        "-o",
        "plan.json",
    ]);
    planned.assert_code(0);
    assert!(
        planned
            .stdout
            .ends_with("Plan written to plan.json: 10 changes on 2 of 2 hosts\n"),
        "{}",
        planned.all()
    );
    let plan_text = lab.project.read("plan.json");
    let markdown = lab.run(&["show", "plan.json", "--format", "markdown"]);
    markdown.assert_code(0);
    let text = lab.run(&["show", "plan.json"]);
    text.assert_code(0);
    for shown in [&plan_text, &markdown.stdout, &text.stdout, &planned.stdout] {
        assert!(
            !shown.contains(SECRET),
            "the no_log secret leaked:\n{shown}"
        );
    }
    plan_settings(&lab).bind(|| {
        insta::assert_snapshot!("plan_json", plan_text);
        insta::assert_snapshot!("plan_markdown", markdown.stdout);
    });
    assert!(
        text.stdout
            .contains("node1: 5 to change, 1 ok, 0 skipped, 0 failed\n"),
        "{}",
        text.stdout
    );
    let plan: serde_json::Value = serde_json::from_str(&plan_text).expect("plan JSON");
    let normalised = lab.run(&["show", "plan.json", "--format", "json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&normalised.stdout).expect("JSON"),
        plan
    );

    // A playbook edited after the plan: refused before any host is touched.
    let before = [lab.snapshot("node1"), lab.snapshot("node2")];
    lab.project.file("site.yml", &format!("{SITE}# edited\n"));
    let edited = lab.run(&[
        "play",
        "site.yml",
        "-i",
        "lab",
        "-e",
        &token,
        "--plan",
        "plan.json",
    ]);
    edited.assert_code(4);
    assert!(
        edited
            .stderr
            .contains("site.yml is not the playbook the plan plan.json was made from")
            && edited.stderr.contains("no host was touched"),
        "{}",
        edited.all()
    );
    assert!(!edited.stdout.contains("PLAY ["), "{}", edited.all());
    assert_eq!(before, [lab.snapshot("node1"), lab.snapshot("node2")]);
    lab.project.file("site.yml", SITE);

    // node2's port is set out of band: its plan no longer holds.
    let limits = lab.host_root("node2").join("opt/app/limits.conf");
    std::fs::write(&limits, "port=9090\nuser=app\n").expect("drift node2");
    let node2_before = lab.snapshot("node2");
    let applied = lab.run(&[
        "play",
        "site.yml",
        "-i",
        "lab",
        "-e",
        &token,
        "--plan",
        "plan.json",
    ]);
    applied.assert_code(2);
    plan_settings(&lab).bind(|| insta::assert_snapshot!("plan_apply_drift", transcript(&applied)));
    assert_eq!(
        node2_before,
        lab.snapshot("node2"),
        "the drifted host is untouched"
    );
    let node1 = lab.host_root("node1").join("opt/app");
    assert_eq!(
        std::fs::read_to_string(node1.join("app.conf")).expect("app.conf"),
        "host=node1\nport=8080\n"
    );
    assert_eq!(
        std::fs::read_to_string(node1.join("limits.conf")).expect("limits.conf"),
        "port=8080\nuser=app\ngroup=app\n"
    );
    let journals = lab.project.join(".state/runbook/runs");
    let journal = std::fs::read_dir(&journals)
        .expect("journals")
        .map(|entry| std::fs::read_to_string(entry.expect("entry").path()).expect("read"))
        .find(|text| text.contains("check the plan"))
        .expect("the journal of the run with --plan");
    assert_eq!(
        changed_in_journal(&journal, "node1"),
        planned_changes(&plan, "node1"),
        "node1 changed what the plan showed"
    );
    assert!(!journal.contains(SECRET));

    let forced = lab.run(&[
        "play",
        "site.yml",
        "-i",
        "lab",
        "-e",
        &token,
        "--plan",
        "plan.json",
        "--force",
    ]);
    forced.assert_code(0);
    assert!(
        forced.stderr.contains(
            "node2 no longer matches the plan plan.json: task `port line` (site.yml:10) would now make a different change than the plan shows; applying anyway (--force)"
        ),
        "{}",
        forced.all()
    );
    assert_eq!(
        std::fs::read_to_string(&limits).expect("limits.conf"),
        "port=8080\nuser=app\ngroup=app\n"
    );
}

#[test]
fn files_that_are_not_plans_are_refused_as_bad_options() {
    let project = crate::support::Project::local_with(
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: {msg: hi}\n",
    );
    project.file("other.json", "{\"hosts\": []}");
    let shown = project.run(&["show", "other.json"]);
    shown.assert_code(5);
    assert!(
        shown
            .stderr
            .contains("other.json is not a runbook plan (it has no `format`)"),
        "{}",
        shown.all()
    );
    project.file("future.json", "{\"format\": 2}");
    let applied = project.run(&["play", "site.yml", "-i", "local", "--plan", "future.json"]);
    applied.assert_code(5);
    assert!(
        applied
            .stderr
            .contains("future.json is a plan in format 2; this runbook reads format 1"),
        "{}",
        applied.all()
    );
    let missing = project.run(&["play", "site.yml", "-i", "local", "--plan", "none.json"]);
    missing.assert_code(5);
    assert!(!missing.stdout.contains("PLAY ["), "{}", missing.all());
}

#[test]
fn a_plan_writes_its_check_mode_run_as_junit_for_the_review() {
    let lab = Lab::up(2);
    lab.project.file(
        "site.yml",
        "\
- name: deploy
  hosts: all
  gather_facts: false
  tasks:
    - name: config
      copy: {dest: /opt/planned.conf, content: \"x=1\\n\"}
    - name: refuse node2
      fail: {msg: node2 is not ready}
      when: inventory_hostname == 'node2'
",
    );
    let planned = lab.run(&[
        "plan",
        "site.yml",
        "-i",
        "lab",
        "-o",
        "plan.json",
        "--junit",
        "plan.xml",
    ]);
    planned.assert_code(2);
    assert!(
        !lab.host_root("node1").join("opt/planned.conf").exists(),
        "a plan changes nothing"
    );
    let xml = lab.project.read("plan.xml");
    let document = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(
        ["tests", "failures", "skipped"].map(|name| root.attribute(name)),
        [Some("4"), Some("1"), Some("1")],
        "{xml}"
    );
    let mut cases: Vec<String> = document
        .descendants()
        .filter(|node| node.has_tag_name("testcase"))
        .map(|case| {
            let result = case.first_element_child().expect("a result element");
            let detail = if result.has_tag_name("system-out") {
                None
            } else {
                result.attribute("message").or(result.text())
            };
            format!(
                "{} | {} {}",
                case.attribute("name").unwrap_or_default(),
                result.tag_name().name(),
                detail.unwrap_or_default()
            )
        })
        .collect();
    cases.sort();
    assert_eq!(
        cases,
        [
            "[node1] deploy: config | system-out ",
            "[node1] deploy: refuse node2 | skipped Conditional result was False",
            "[node2] deploy: config | system-out ",
            "[node2] deploy: refuse node2 | failure node2 is not ready",
        ],
        "{xml}"
    );
    assert!(lab.project.read("plan.json").contains("\"node2\""));
}
