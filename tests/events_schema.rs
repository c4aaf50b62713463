//! docs/events.schema.json is the contract of `--output json` and of the
//! run journal: every line a representative lab run writes, every event
//! kind it has, must validate against it, and lines the schema does not
//! describe must not.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{Lab, Project};

/// ok, changed, failed, skipped, unreachable, rescued, a loop, an include,
/// an `until` retry, an async job polled (it outlives its first polls, so
/// one sees it running), a play with no hosts.
const PLAYBOOK: &str = r#"
- hosts: lab
  gather_facts: false
  tasks:
    - name: reach every host
      ping:
    - name: write a file
      copy:
        dest: /opt/events
        content: "on {{ inventory_hostname }}\n"
      when: inventory_hostname == 'node2'
    - name: fail on purpose
      fail:
        msg: node3 was told to fail
      when: inventory_hostname == 'node3'
    - name: recover
      block:
        - command: "false"
          when: inventory_hostname == 'node1'
      rescue:
        - debug:
            msg: rescued
    - name: loop
      debug:
        msg: "item {{ item }}"
      loop: [one, two]
      when: inventory_hostname == 'node1'
    - name: include
      include_tasks: included.yml
      when: inventory_hostname == 'node1'
    - name: until
      shell: "test -e /opt/tried || { touch /opt/tried; exit 1; }"
      register: tried
      until: tried.rc == 0
      retries: 2
      delay: 0
      when: inventory_hostname == 'node1'
    - name: in the background
      command: sleep 3
      async: 10
      poll: 1
      when: inventory_hostname == 'node1'
    - name: a template error
      debug:
        msg: "{{ nowhere }}"
      when: inventory_hostname == 'node2'
      ignore_errors: true
- hosts: nobody
  tasks: []
"#;

fn schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/events.schema.json");
    let text = std::fs::read_to_string(&path).expect("docs/events.schema.json");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

/// Every line of `text` validated; the kinds of line seen (`event`, or
/// `journal_line` and the journaled event's kind).
fn validate_lines(validator: &jsonschema::Validator, text: &str, what: &str) -> BTreeSet<String> {
    let mut kinds = BTreeSet::new();
    for line in text.lines() {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {line}"));
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|error| format!("{error} at {}", error.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{what}: {line}\n{}", errors.join("\n"));
        let kind = value
            .get("event")
            .and_then(|event| event.as_str().or_else(|| event.get("event")?.as_str()))
            .or_else(|| value.get("journal_line")?.as_str())
            .unwrap_or("?");
        kinds.insert(kind.to_string());
    }
    kinds
}

#[test]
fn every_event_of_a_lab_run_and_its_journal_validates_against_the_schema() {
    let validator = schema();
    let lab = Lab::up(4);
    lab.stop_host("node4");
    for host in ["node1", "node2"] {
        std::fs::create_dir_all(lab.host_root(host).join("opt")).expect("mkdir /opt");
    }
    lab.project.file("site.yml", PLAYBOOK);
    lab.project.file(
        "included.yml",
        "- debug:\n    msg: \"included on {{ inventory_hostname }}\"\n",
    );
    lab.project
        .file("ansible.cfg", "[defaults]\nretry_files_enabled = True\n");
    let output = lab.run(&[
        "play", "site.yml", "-i", "lab", "-f", "1", "-T", "3", "-vvvv", "--output", "json",
    ]);
    output.assert_code(4);
    let seen = validate_lines(&validator, &output.stdout, "--output json");
    let expected = [
        "play_start",
        "task_start",
        "host_result",
        "item_result",
        "included",
        "retry",
        "async_poll",
        "async_end",
        "no_hosts_matched",
        "retry_file",
        "session_opened",
        "command_sent",
        "traffic",
        "recap",
    ];
    for kind in expected {
        assert!(seen.contains(kind), "no {kind} event in\n{}", output.stdout);
    }
    assert!(
        output.stdout.contains(
            r#""error":{"help":null,"location":"site.yml:45:18","message":"'nowhere' is undefined""#
        ),
        "the template error is explained\n{}",
        output.stdout
    );

    let journals = lab.project.join(".state/runbook/runs");
    let journal: String = std::fs::read_dir(&journals)
        .expect("journal dir")
        .map(|entry| std::fs::read_to_string(entry.expect("entry").path()).expect("read"))
        .collect();
    let journaled = validate_lines(&validator, &journal, "journal");
    for kind in expected.iter().chain(&["header", "footer"]) {
        assert!(
            journaled.contains(*kind),
            "no {kind} line in the journal\n{journal}"
        );
    }
}

/// Lines from outside a run: a listing, and an error.
#[test]
fn listings_and_errors_validate_against_the_schema() {
    let validator = schema();
    let project = Project::local_with("- hosts: web\n  tasks:\n    - debug: msg=hi\n");
    let listed = project.run(&[
        "play",
        "site.yml",
        "-i",
        "local",
        "--syntax-check",
        "--output",
        "json",
    ]);
    listed.assert_code(0);
    assert_eq!(
        validate_lines(&validator, &listed.stdout, "listing"),
        BTreeSet::from(["listing".to_string()])
    );
    project.file("site.yml", "- hosts: web\n  tasks:\n    - shel: echo\n");
    let refused = project.run(&["play", "site.yml", "-i", "local", "--output", "json"]);
    refused.assert_code(4);
    assert_eq!(
        validate_lines(&validator, &refused.stdout, "error"),
        BTreeSet::from(["error".to_string()])
    );
}

/// The schema is strict: a field it does not name, a missing one or an
/// unknown event kind is refused (so a new field cannot slip past it).
#[test]
fn the_schema_refuses_what_it_does_not_describe() {
    let validator = schema();
    for line in [
        r#"{"event":"warning","message":"m","extra":1}"#,
        r#"{"event":"task_start","name":"t","location":"a:1:1"}"#,
        r#"{"event":"no_such_event"}"#,
        r#"{"journal_line":"footer","finished":"now"}"#,
    ] {
        let value: serde_json::Value = serde_json::from_str(line).expect("json");
        assert!(!validator.is_valid(&value), "accepted: {line}");
    }
}
