//! The inventory's nouns: hosts, groups and the result of a host pattern.

use std::path::PathBuf;

use indexmap::IndexSet;

use crate::value::VarMap;

/// One host as the inventory defines it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Host {
    pub name: String,
    /// Variables set on the host in inventory files (inline, `hosts:`
    /// entries). `host_vars/` files are kept apart; see `precedence`.
    pub vars: VarMap,
    /// The inventory file that first defined the host (`inventory_file`);
    /// `None` for hosts from a comma list.
    pub source: Option<PathBuf>,
}

impl Host {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }
}

/// Ansible's default `ansible_group_priority`.
pub const DEFAULT_GROUP_PRIORITY: i64 = 1;

/// One group: its direct hosts and child groups, and its own variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    /// Variables set on the group in inventory files (`[g:vars]`, `vars:`).
    pub vars: VarMap,
    /// In the order they were added; a set, so adding a host to a group of
    /// 100k hosts does not compare it with every one of them.
    pub hosts: IndexSet<String>,
    pub children: Vec<String>,
    /// `ansible_group_priority`: among groups of the same depth, the higher
    /// priority's variables win. It is not a variable itself, as in Ansible.
    pub priority: i64,
}

impl Group {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            vars: VarMap::new(),
            hosts: IndexSet::new(),
            children: Vec::new(),
            priority: DEFAULT_GROUP_PRIORITY,
        }
    }
}

impl Default for Group {
    fn default() -> Self {
        Self::new("")
    }
}

/// The result of matching a host pattern.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// Matching hosts in inventory order.
    pub hosts: Vec<String>,
    /// Names in the pattern that matched nothing (Ansible warns about them:
    /// "Could not match supplied host pattern, ignoring: NAME").
    pub warnings: Vec<String>,
}

/// Names Ansible treats as the control machine (`C.LOCALHOST`).
pub const LOCALHOST_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
