//! Changes a playbook makes to the inventory while it runs: `add_host`
//! (a host, new or known, joins groups and gets variables) and `group_by`
//! (a host joins a group made from its facts), with the rules of Ansible's
//! `add_dynamic_host`/`add_dynamic_group`. Each says whether anything changed,
//! which is what the task reports.

use super::Inventory;
use super::graph::ALL;
use crate::source::Diagnostic;
use crate::value::VarMap;

impl Inventory {
    /// `add_host`: `name` joins `groups` (created when missing) with `vars`
    /// on top of its own.
    pub fn add_dynamic_host(&mut self, name: &str, groups: &[String], vars: &VarMap) -> bool {
        let mut changed = false;
        if !self.hosts.contains_key(name) {
            self.add_host(name, Some(ALL), None, None);
            changed = true;
        }
        if let Some(host) = self.hosts.get_mut(name) {
            for (key, value) in vars {
                if host.vars.get(key) != Some(value) {
                    host.vars.insert(key.clone(), value.clone());
                    changed = true;
                }
            }
        }
        for group in groups {
            changed |= self.join_group(name, group);
        }
        if changed {
            self.reconcile();
        }
        changed
    }

    /// `group_by`: `host` joins `group`, which becomes a child of each of `parents`.
    pub fn add_dynamic_group(
        &mut self,
        host: &str,
        group: &str,
        parents: &[String],
    ) -> Result<bool, Diagnostic> {
        if !self.hosts.contains_key(host) {
            return Err(Diagnostic::new(format!(
                "group_by: {host} cannot be matched in inventory"
            )));
        }
        let mut changed = false;
        for parent in parents {
            changed |= !self.groups.contains_key(parent);
            let known = self
                .groups
                .get(parent)
                .is_some_and(|p| p.children.iter().any(|c| c == group));
            self.add_child_group(parent, group)
                .map_err(|e| Diagnostic::new(format!("group_by: {e}")))?;
            changed |= !known;
        }
        changed |= self.join_group(host, group);
        if changed {
            self.reconcile();
        }
        Ok(changed)
    }

    /// Put `host` directly in `group`; true if it was not there. Members
    /// stay in inventory order, however the workers' results interleave.
    fn join_group(&mut self, host: &str, group: &str) -> bool {
        self.add_group(group);
        let order = |name: &str| self.hosts.get_index_of(name).unwrap_or(usize::MAX);
        let rank = order(host);
        let Some(members) = self.groups.get(group).map(|g| &g.hosts) else {
            return false;
        };
        if members.iter().any(|h| h == host) {
            return false;
        }
        let at = members
            .iter()
            .position(|member| order(member) > rank)
            .unwrap_or(members.len());
        if let Some(group) = self.groups.get_mut(group) {
            group.hosts.shift_insert(at, host.to_string());
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn inventory() -> Inventory {
        let mut inventory =
            Inventory::from_ini(std::path::Path::new("hosts"), "[web]\nweb1\nweb2\n").expect("ini");
        inventory.reconcile();
        inventory
    }

    #[test]
    fn add_host_adds_a_host_to_groups_once() {
        let mut inventory = inventory();
        let vars = VarMap::from_iter([("role".to_string(), Value::from("db"))]);
        let groups = vec!["db".to_string()];
        assert!(inventory.add_dynamic_host("db1", &groups, &vars));
        assert_eq!(inventory.groups_map()["db"], ["db1"]);
        assert_eq!(inventory.host_vars("db1")["role"], Value::from("db"));
        assert!(
            !inventory.add_dynamic_host("db1", &groups, &vars),
            "the second time changes nothing"
        );
        assert!(inventory.group_names("db1").contains(&"db".to_string()));
    }

    #[test]
    fn group_by_nests_the_group_under_its_parents() {
        let mut inventory = inventory();
        let parents = vec!["os".to_string()];
        assert_eq!(
            inventory.add_dynamic_group("web1", "debian", &parents),
            Ok(true)
        );
        assert_eq!(
            inventory.add_dynamic_group("web1", "debian", &parents),
            Ok(false)
        );
        assert_eq!(inventory.groups_map()["os"], ["web1"]);
        assert_eq!(inventory.group_names("web1"), ["debian", "os", "web"]);
        assert!(
            inventory
                .add_dynamic_group("nope", "debian", &parents)
                .is_err()
        );
    }
}
