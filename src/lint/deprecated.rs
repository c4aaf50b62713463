//! Keywords Ansible removed, with what replaced them. Ansible 2.19 refuses
//! them all; the finding says what to write instead.

use super::finding::{Code, Finding};
use super::structure::Entry;

/// (keyword, since, what to write instead), for tasks and blocks.
const TASK_KEYWORDS: [(&str, &str, &str); 10] = [
    (
        "include",
        "2.16",
        "use `import_tasks` (read when the playbook loads) or `include_tasks` (read when the task runs)",
    ),
    (
        "ansible.builtin.include",
        "2.16",
        "use `import_tasks` (read when the playbook loads) or `include_tasks` (read when the task runs)",
    ),
    ("sudo", "2.9", "use `become: true`"),
    ("sudo_user", "2.9", "use `become_user`"),
    (
        "sudo_pass",
        "2.9",
        "set `ansible_become_password` (in a vault)",
    ),
    ("su", "2.9", "use `become: true` with `become_method: su`"),
    (
        "su_user",
        "2.9",
        "use `become_user` with `become_method: su`",
    ),
    (
        "su_pass",
        "2.9",
        "set `ansible_become_password` (in a vault)",
    ),
    ("always_run", "2.4", "use `check_mode: false`"),
    (
        "static",
        "2.12",
        "use `import_tasks` for a static include, `include_tasks` for a dynamic one",
    ),
];

/// (keyword, since, what to write instead), for plays.
const PLAY_KEYWORDS: [(&str, &str, &str); 5] = [
    ("include", "2.16", "use `import_playbook`"),
    ("sudo", "2.9", "use `become: true`"),
    ("sudo_user", "2.9", "use `become_user`"),
    ("su", "2.9", "use `become: true` with `become_method: su`"),
    (
        "su_user",
        "2.9",
        "use `become_user` with `become_method: su`",
    ),
];

pub(super) fn check(entries: &[Entry], findings: &mut Vec<Finding>) {
    for entry in entries {
        let table: &[(&str, &str, &str)] = match entry {
            Entry::Play(_) => &PLAY_KEYWORDS,
            Entry::Task(_) | Entry::Block(_) => &TASK_KEYWORDS,
        };
        let what = match entry {
            Entry::Play(_) => "play",
            Entry::Task(_) => "task",
            Entry::Block(_) => "block",
        };
        for (key, _) in entry.node().as_map().unwrap_or_default() {
            let Some(name) = key.as_str() else { continue };
            let Some((_, since, instead)) = table.iter().find(|(keyword, _, _)| *keyword == name)
            else {
                continue;
            };
            findings.push(
                Finding::error(
                    Code::DeprecatedKeyword,
                    format!("the {what} keyword `{name}` was removed in Ansible {since}"),
                    &key.span,
                )
                .with_help(*instead),
            );
        }
    }
}
