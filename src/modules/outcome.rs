//! What a module reports: Ansible's result vocabulary as plain data.

use crate::value::{Value, VarMap};

/// What a module did on one host, in Ansible's result vocabulary.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub changed: bool,
    pub failed: bool,
    pub skipped: bool,
    pub msg: Option<String>,
    /// Module-specific result keys (`rc`, `stdout`, `checksum`...).
    pub data: VarMap,
    /// Facts to set on the host (`set_fact`): data, never rendered again.
    pub facts: VarMap,
    /// Variables read from the playbook author's files (`include_vars`):
    /// trusted like play vars, so their templates render when used.
    pub file_vars: VarMap,
}

impl Outcome {
    pub fn ok() -> Self {
        Self::default()
    }

    pub fn changed() -> Self {
        Self {
            changed: true,
            ..Self::default()
        }
    }

    pub fn failed(msg: impl Into<String>) -> Self {
        Self {
            failed: true,
            msg: Some(msg.into()),
            ..Self::default()
        }
    }

    pub fn skipped(msg: impl Into<String>) -> Self {
        Self {
            skipped: true,
            msg: Some(msg.into()),
            ..Self::default()
        }
    }

    pub fn with_msg(mut self, msg: impl Into<String>) -> Self {
        self.msg = Some(msg.into());
        self
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.data.insert(key.to_string(), value.into());
        self
    }
}
