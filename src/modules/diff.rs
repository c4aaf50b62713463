//! What a state module would change, as data: the reporter renders it with
//! `--diff`, the JSON output carries it, and `register` keeps it under
//! `diff` as Ansible does.

use serde::Serialize;

use crate::value::{Value, map_from_pairs};

/// One before/after pair: file content, or an attribute rendered as text
/// (`mode: 0644` → `mode: 0600`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub before_header: String,
    pub after_header: String,
    pub before: String,
    pub after: String,
}

impl Diff {
    /// A content change of the file at `path`.
    pub fn content(path: &str, before: impl Into<String>, after: impl Into<String>) -> Self {
        Self {
            before_header: path.to_string(),
            after_header: path.to_string(),
            before: before.into(),
            after: after.into(),
        }
    }

    /// An attribute change, shown as `name: before` → `name: after` lines.
    pub fn attribute(path: &str, name: &str, before: &str, after: &str) -> Self {
        Self {
            before_header: format!("{path} ({name})"),
            after_header: format!("{path} ({name})"),
            before: format!("{name}: {before}\n"),
            after: format!("{name}: {after}\n"),
        }
    }

    /// Ansible's result shape: `{before, after, before_header, after_header}`.
    pub fn to_value(&self) -> Value {
        map_from_pairs([
            ("before", Value::from(self.before.as_str())),
            ("after", Value::from(self.after.as_str())),
            ("before_header", Value::from(self.before_header.as_str())),
            ("after_header", Value::from(self.after_header.as_str())),
        ])
    }
}

/// What `diff` decided: nothing, or these changes (each with an optional
/// before/after to show).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Short descriptions (`"content"`, `"mode 0644 -> 0600"`), for messages.
    pub what: Vec<String>,
    pub diffs: Vec<Diff>,
}

impl Changes {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.what.is_empty()
    }

    pub fn add(&mut self, what: impl Into<String>, diff: Option<Diff>) {
        self.what.push(what.into());
        self.diffs.extend(diff);
    }

    pub fn extend(&mut self, other: Changes) {
        self.what.extend(other.what);
        self.diffs.extend(other.diffs);
    }
}
