//! The linter on hostile input: lines built from the traps it looks for at
//! random indentation, and arbitrary text. It must never panic, and every
//! finding must point into a file.

use proptest::prelude::*;

use super::{LintOptions, check};

const WORDS: &[&str] = &[
    "- hosts: all",
    "- name: x",
    "tasks:",
    "handlers:",
    "block:",
    "rescue:",
    "vars:",
    "a: 1",
    "a: 2",
    "- file: path=/tmp/x",
    "- file:",
    "path: /tmp/x",
    "mode: 644",
    "mode: 0644",
    "line: no",
    "value: on",
    "- lineinfile:",
    "- include: x.yml",
    "sudo: yes",
    "- shell: echo {{ x }}",
    "msg: {{ y }}",
    "msg: \"{{ y\"",
    "msg: \"{{ undefined_thing }}\"",
    "when: \"{{ x }}\"",
    "notify: h",
    "notify: [a, \"{{ b }}\"]",
    "listen: h",
    "register: r",
    "- set_fact: { z: 1 }",
    "- include_tasks: \"{{ f }}\"",
    "- import_playbook: other.yml",
    "&a [1, 2]",
    "*a",
    "'",
    ":",
    "-",
];

fn yaml_text() -> impl Strategy<Value = String> {
    let line = (0usize..6, proptest::sample::select(WORDS))
        .prop_map(|(indent, word)| format!("{}{word}", "  ".repeat(indent)));
    prop_oneof![
        proptest::collection::vec(line, 0..16).prop_map(|lines| lines.join("\n")),
        "\\PC{0,200}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn the_linter_never_panics_and_every_finding_has_a_file(text in yaml_text()) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let path = dir.path().join("play.yml");
        std::fs::write(&path, &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let options = LintOptions { cwd: dir.path().to_path_buf(), ..LintOptions::default() };
        let report = check(&[path], &options);
        for finding in &report.findings {
            prop_assert!(finding.file.is_some(), "no file: {finding:?}\n---\n{text}");
        }
    }
}
