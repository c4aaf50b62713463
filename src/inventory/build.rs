//! The edits parsers make while reading sources, with the rules Ansible's
//! `InventoryData` enforces: a host keeps the port and source it was first
//! seen with, groups cannot contain themselves or form loops, and
//! `ansible_group_priority` sets a priority rather than a variable.

use std::path::Path;

use thiserror::Error;

use super::Inventory;
use super::model::{Group, Host};
use crate::value::Value;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GraphError {
    #[error("group `{0}` cannot be a child of itself")]
    SelfChild(String),
    #[error("adding group `{child}` as a child of `{parent}` creates a loop")]
    Loop { parent: String, child: String },
    #[error("`ansible_group_priority` of group `{group}` must be an integer, found `{value}`")]
    Priority { group: String, value: String },
}

impl Inventory {
    pub(crate) fn add_group(&mut self, name: &str) {
        if !self.groups.contains_key(name) {
            self.groups.insert(name.to_string(), Group::new(name));
        }
    }

    /// Add `name` (to `group` if given). The port and source only count
    /// when the host is new, as in Ansible.
    pub(crate) fn add_host(
        &mut self,
        name: &str,
        group: Option<&str>,
        port: Option<u64>,
        source: Option<&Path>,
    ) {
        if !self.hosts.contains_key(name) {
            let mut host = Host::new(name);
            host.source = source.map(Path::to_path_buf);
            if let Some(port) = port {
                host.vars.insert("ansible_port".into(), Value::from(port));
            }
            self.hosts.insert(name.to_string(), host);
        }
        if let Some(group) = group {
            self.add_group(group);
            if let Some(group) = self.groups.get_mut(group)
                && !group.hosts.contains(name)
            {
                group.hosts.insert(name.to_string());
            }
        }
    }

    pub(crate) fn add_child_group(&mut self, parent: &str, child: &str) -> Result<(), GraphError> {
        if parent == child {
            return Err(GraphError::SelfChild(child.to_string()));
        }
        if self.is_descendant(parent, child) {
            return Err(GraphError::Loop {
                parent: parent.to_string(),
                child: child.to_string(),
            });
        }
        self.add_group(parent);
        self.add_group(child);
        if let Some(group) = self.groups.get_mut(parent)
            && !group.children.iter().any(|c| c == child)
        {
            group.children.push(child.to_string());
        }
        Ok(())
    }

    /// Whether `candidate` is `root` or below it.
    fn is_descendant(&self, candidate: &str, root: &str) -> bool {
        let mut stack = vec![root];
        let mut seen = std::collections::HashSet::new();
        while let Some(name) = stack.pop() {
            if name == candidate {
                return true;
            }
            if seen.insert(name)
                && let Some(group) = self.groups.get(name)
            {
                stack.extend(group.children.iter().map(String::as_str));
            }
        }
        false
    }

    pub(crate) fn set_group_var(
        &mut self,
        group: &str,
        key: &str,
        value: Value,
    ) -> Result<(), GraphError> {
        self.add_group(group);
        let Some(entry) = self.groups.get_mut(group) else {
            return Ok(());
        };
        if key == "ansible_group_priority" {
            entry.priority = priority_of(&value).ok_or_else(|| GraphError::Priority {
                group: group.to_string(),
                value: value.to_string(),
            })?;
        } else {
            entry.vars.insert(key.to_string(), value);
        }
        Ok(())
    }

    pub(crate) fn set_host_var(&mut self, host: &str, key: &str, value: Value) {
        if let Some(entry) = self.hosts.get_mut(host) {
            entry.vars.insert(key.to_string(), value);
        }
    }
}

/// Python's `int(value)`: integers, and strings holding one.
fn priority_of(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}
