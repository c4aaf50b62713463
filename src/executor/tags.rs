//! `--tags` and `--skip-tags`, with Ansible's special tags: `always` runs
//! unless skipped by name, `never` only when asked for by name, `tagged` and
//! `untagged` select by whether a task has tags, `all` is everything.

/// Which tasks a run selects by tag.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TagFilter {
    /// `--tags` (empty: `all`).
    pub only: Vec<String>,
    /// `--skip-tags`.
    pub skip: Vec<String>,
}

impl TagFilter {
    /// Ansible's `evaluate_tags` for a task with `tags` (its own and inherited).
    pub fn selects(&self, tags: &[String]) -> bool {
        let untagged = tags.is_empty();
        let has = |name: &str| tags.iter().any(|t| t == name) || (untagged && name == "untagged");
        let only_all = self.only.is_empty() || self.only.iter().any(|t| t == "all");
        let wanted = has("always")
            || (only_all && !has("never"))
            || self.only.iter().any(|t| has(t))
            || (self.only.iter().any(|t| t == "tagged") && !untagged && !has("never"));
        if !wanted {
            return false;
        }
        if self.skip.iter().any(|t| t == "all") {
            return has("always") && !self.skip.iter().any(|t| t == "always");
        }
        !(self.skip.iter().any(|t| has(t))
            || (self.skip.iter().any(|t| t == "tagged") && !untagged))
    }
}

#[cfg(test)]
mod tests {
    use super::TagFilter;

    fn filter(only: &[&str], skip: &[&str]) -> TagFilter {
        TagFilter {
            only: only.iter().map(|s| s.to_string()).collect(),
            skip: skip.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn tags(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ansibles_tag_rules() {
        let everything = filter(&[], &[]);
        assert!(everything.selects(&tags(&[])));
        assert!(everything.selects(&tags(&["db"])));
        assert!(!everything.selects(&tags(&["never"])));
        assert!(everything.selects(&tags(&["always"])));

        let db = filter(&["db"], &[]);
        assert!(db.selects(&tags(&["db", "web"])));
        assert!(!db.selects(&tags(&["web"])));
        assert!(!db.selects(&tags(&[])));
        assert!(db.selects(&tags(&["always"])));
        assert!(
            db.selects(&tags(&["never", "db"])),
            "never runs when its other tag is asked for"
        );

        assert!(filter(&["untagged"], &[]).selects(&tags(&[])));
        assert!(!filter(&["untagged"], &[]).selects(&tags(&["db"])));
        assert!(filter(&["tagged"], &[]).selects(&tags(&["db"])));
        assert!(!filter(&["tagged"], &[]).selects(&tags(&[])));

        let skip_db = filter(&[], &["db"]);
        assert!(!skip_db.selects(&tags(&["db"])));
        assert!(skip_db.selects(&tags(&["web"])));
        assert!(!filter(&[], &["always"]).selects(&tags(&["always"])));
        assert!(filter(&[], &["all"]).selects(&tags(&["always"])));
        assert!(!filter(&[], &["all"]).selects(&tags(&["db"])));
    }
}
