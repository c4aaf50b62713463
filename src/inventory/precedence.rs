//! Which inventory variable wins for a host.
//!
//! From lowest to highest, as Ansible's `VariableManager` applies them with
//! the default `VARIABLE_PRECEDENCE` (items 3–10 of "Understanding variable
//! precedence"):
//!
//! 1. `all` group vars from inventory files (`[all:vars]`, `all: vars:`).
//! 2. Other group vars from inventory files, for every group the host is in
//!    (directly or through a parent), ordered by depth below `all` (parents
//!    before children), then `ansible_group_priority` (default 1, higher
//!    wins), then group name; later groups override earlier ones.
//! 3. `group_vars/all` beside the inventory sources (sources in `-i` order).
//! 4. `group_vars/all` beside the playbook.
//! 5. `group_vars/<group>` beside the inventory sources, for each source in
//!    order, groups in the order of step 2.
//! 6. `group_vars/<group>` beside the playbook, groups in the same order.
//! 7. Host vars from inventory files (inline `k=v`, `hosts:` entries; a
//!    `host:port` sets `ansible_port`), after `inventory_file` and
//!    `inventory_dir`.
//! 8. `host_vars/<host>` beside the inventory sources.
//! 9. `host_vars/<host>` beside the playbook.
//!
//! So every inventory-file group variable, however deep its group, loses
//! to any `group_vars/` file, and a child group's `group_vars/` file beats
//! its parent's. Mappings are replaced, not merged (`hash_behaviour=replace`).
//!
//! An implicit `localhost` (named in a pattern but not in the inventory) is
//! in no group: it gets steps 1, 3 and 4, `ansible_connection: local`, and
//! steps 8 and 9.

use std::cmp::Ordering;

use super::Inventory;
use super::graph::ALL;
use super::model::LOCALHOST_NAMES;
use super::vars_dirs::VarsDir;
use crate::value::{Value, VarMap, overlay};

impl Inventory {
    pub(crate) fn vars_for(&self, host: &str) -> VarMap {
        let implicit = self.is_implicit_localhost(host);
        if !implicit && !self.hosts.contains_key(host) {
            return VarMap::new();
        }
        let groups = if implicit {
            Vec::new()
        } else {
            self.groups_by_precedence(host)
        };
        let mut vars = VarMap::new();
        if let Some(all) = self.groups.get(ALL) {
            overlay(&mut vars, &all.vars);
        }
        for group in &groups {
            if let Some(group) = self.groups.get(*group) {
                overlay(&mut vars, &group.vars);
            }
        }
        let dirs = [&self.inventory_vars, &self.playbook_vars];
        for layer in dirs {
            overlay_each(&mut vars, layer, |dir| dir.groups.get(ALL));
        }
        for layer in dirs {
            for dir in layer {
                for group in &groups {
                    if let Some(found) = dir.groups.get(*group) {
                        overlay(&mut vars, found);
                    }
                }
            }
        }
        overlay(&mut vars, &self.own_host_vars(host, implicit));
        for layer in dirs {
            overlay_each(&mut vars, layer, |dir| dir.hosts.get(host));
        }
        vars
    }

    /// A group's own variables: from inventory files, then `group_vars/`
    /// (what `ansible-inventory --export` and `--graph --vars` show).
    pub fn group_vars(&self, group: &str) -> VarMap {
        let mut vars = self
            .groups
            .get(group)
            .map(|entry| entry.vars.clone())
            .unwrap_or_default();
        for layer in [&self.inventory_vars, &self.playbook_vars] {
            overlay_each(&mut vars, layer, |dir| dir.groups.get(group));
        }
        vars
    }

    /// A host's own variables, without what its groups give it: from
    /// inventory files, then `host_vars/`.
    pub fn own_vars(&self, host: &str) -> VarMap {
        let mut vars = self.own_host_vars(host, self.is_implicit_localhost(host));
        for layer in [&self.inventory_vars, &self.playbook_vars] {
            overlay_each(&mut vars, layer, |dir| dir.hosts.get(host));
        }
        vars
    }

    /// Whether `name` would be Ansible's implicit localhost.
    pub fn is_implicit_localhost(&self, name: &str) -> bool {
        LOCALHOST_NAMES.contains(&name) && !self.hosts.contains_key(name)
    }

    fn own_host_vars(&self, host: &str, implicit: bool) -> VarMap {
        let mut vars = VarMap::new();
        if implicit {
            vars.insert("ansible_connection".into(), Value::from("local"));
            return vars;
        }
        let Some(entry) = self.hosts.get(host) else {
            return vars;
        };
        let file = entry.source.as_ref().map(|p| p.display().to_string());
        let dir = entry
            .source
            .as_ref()
            .and_then(|p| p.parent())
            .map(|p| p.display().to_string());
        vars.insert(
            "inventory_file".into(),
            file.map_or(Value::from(()), Value::from),
        );
        vars.insert(
            "inventory_dir".into(),
            dir.map_or(Value::from(()), Value::from),
        );
        overlay(&mut vars, &entry.vars);
        vars
    }

    /// The host's groups except `all`, lowest precedence first (Ansible's
    /// `sort_groups`: depth, then priority, then name).
    pub(crate) fn groups_by_precedence(&self, host: &str) -> Vec<&str> {
        let mut groups: Vec<&str> = self
            .index
            .host_groups
            .get(host)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(|g| *g != ALL)
            .collect();
        groups.sort_by(|a, b| self.compare_groups(a, b));
        groups
    }

    fn compare_groups(&self, a: &str, b: &str) -> Ordering {
        let key = |name: &str| {
            let depth = self.index.depth.get(name).copied().unwrap_or(0);
            let priority = self.groups.get(name).map_or(1, |g| g.priority);
            (depth, priority)
        };
        key(a).cmp(&key(b)).then_with(|| a.cmp(b))
    }
}

fn overlay_each<'a>(
    vars: &mut VarMap,
    dirs: &'a [VarsDir],
    pick: impl Fn(&'a VarsDir) -> Option<&'a VarMap>,
) {
    for found in dirs.iter().filter_map(pick) {
        overlay(vars, found);
    }
}
