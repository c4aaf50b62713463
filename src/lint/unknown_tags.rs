//! `--tags`/`--skip-tags` values that no play, role, block or task of the
//! playbooks has: `play --tags deploi` runs nothing and exits 0, a green CI
//! run that did nothing (Ansible 2.19 says nothing about it either).

use std::collections::BTreeSet;

use super::finding::{Code, Finding, Severity};
use super::model_walk::{Item, has_dynamic_includes, items};
use crate::playbook::Playbook;

/// Tags with a meaning of their own, whatever the playbooks say.
const SPECIAL: [&str; 5] = ["all", "tagged", "untagged", "always", "never"];

/// The tags written in the playbooks, and whether some tasks are only
/// known when the playbook runs (their tags are out of sight).
#[derive(Debug, Default)]
pub(super) struct TagsSeen {
    tags: BTreeSet<String>,
    partly_dynamic: bool,
}

impl TagsSeen {
    pub(super) fn add(&mut self, book: &Playbook) {
        for play in &book.plays {
            self.tags.extend(play.tags.iter().cloned());
            self.partly_dynamic |= has_dynamic_includes(play);
            for item in items(play) {
                let tags = match item {
                    Item::Task(task) | Item::Handler(task) => &task.tags,
                    Item::Include(include) => &include.tags,
                    Item::Block(_) | Item::Meta(_) => continue,
                };
                self.tags.extend(tags.iter().cloned());
            }
        }
    }
}

/// One finding per value of `--tags` (`flag`) that nothing has; an error,
/// or a warning when dynamically included files may have it.
pub(super) fn check(
    seen: &TagsSeen,
    flag: &str,
    values: &[String],
    playbook: &str,
    findings: &mut Vec<Finding>,
) {
    for tag in values {
        if SPECIAL.contains(&tag.as_str()) || seen.tags.contains(tag) {
            continue;
        }
        let (severity, unseen) = if seen.partly_dynamic {
            (
                Severity::Warning,
                " (a file included by a template name, read only when it runs, may have it)",
            )
        } else {
            (Severity::Error, "")
        };
        let mut finding = Finding::new(
            Code::UnknownTag,
            severity,
            format!(
                "`{flag} {tag}`: no play, role, block or task of the playbooks has this tag{unseen}"
            ),
        );
        let known = seen.tags.iter().map(String::as_str);
        finding.help = Some(match crate::source::suggest(tag, known) {
            Some(close) => format!("did you mean `{close}`?"),
            None if seen.tags.is_empty() => "the playbooks have no tags".to_string(),
            None => format!(
                "the playbooks' tags: {}",
                seen.tags.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        });
        finding.file = Some(playbook.to_string());
        findings.push(finding);
    }
}
