//! The playbook loader on hostile input: lines built from playbook words
//! at random indentation, and arbitrary text. It must never panic, and every
//! error it reports must point into the file.

use proptest::prelude::*;

use super::{LoadOptions, load};

const WORDS: &[&str] = &[
    "- hosts: all",
    "- name: x",
    "hosts: [web, db]",
    "tasks:",
    "handlers:",
    "pre_tasks:",
    "block:",
    "rescue:",
    "always:",
    "roles: [r]",
    "vars:",
    "a: 1",
    "- shell: echo {{ x }}",
    "- command: ls",
    "- debug: msg=\"{{ y\"",
    "- copy: src=a dest=/tmp/b mode=0644",
    "- include_tasks: other.yml",
    "- import_playbook: other.yml",
    "when: x is defined",
    "loop: \"{{ items }}\"",
    "become: yes",
    "notify: h",
    "- meta: flush_handlers",
    "register: r",
    "serial: 0",
    "strategy: free",
    "&a [1, 2]",
    "*a",
    "- { shell: x, args: { chdir: / } }",
    "!vault |",
    "'",
    "\"",
    ":",
    "-",
];

fn playbook_text() -> impl Strategy<Value = String> {
    let line = (0usize..5, proptest::sample::select(WORDS))
        .prop_map(|(indent, word)| format!("{}{word}", "  ".repeat(indent)));
    prop_oneof![
        proptest::collection::vec(line, 0..14).prop_map(|lines| lines.join("\n")),
        "\\PC{0,200}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn the_loader_never_panics_and_every_error_has_a_position(text in playbook_text()) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let path = dir.path().join("play.yml");
        std::fs::write(&path, &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Err(errors) = load(&path, &LoadOptions::default()) {
            prop_assert!(!errors.is_empty());
            for error in errors {
                prop_assert!(error.span.is_some(), "no position: {error}\n---\n{text}");
            }
        }
    }
}
