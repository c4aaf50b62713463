//! What follows from the group graph once every source is read, computed
//! once (Ansible's `reconcile_inventory`): every group hangs below `all`,
//! hosts in no group are `ungrouped`, each group's depth below `all`, the
//! groups each host is in (directly or through parents), and each group's
//! hosts in inventory order.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use super::Inventory;

pub(super) const ALL: &str = "all";
pub(super) const UNGROUPED: &str = "ungrouped";

/// Derived lookups, rebuilt by `Inventory::reconcile`.
#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    /// Longest path from `all` (which is 0).
    pub depth: HashMap<String, usize>,
    /// Every group a host is in, directly or through a parent, `all` included.
    pub host_groups: HashMap<String, Vec<String>>,
    /// Each group's hosts, its own first, then its children's, breadth first.
    pub group_hosts: IndexMap<String, Vec<String>>,
}

impl Inventory {
    /// Apply Ansible's inventory rules after sources were read or hosts and
    /// groups were changed by hand: `all` and `ungrouped` exist, parentless
    /// groups become children of `all`, and hosts that are in no group but
    /// `all` are `ungrouped` (and only those).
    pub fn reconcile(&mut self) {
        self.add_group(ALL);
        self.add_group(UNGROUPED);
        let parents = self.parents();
        let orphans: Vec<String> = self
            .groups
            .keys()
            .filter(|name| *name != ALL && !parents.contains_key(*name))
            .cloned()
            .collect();
        if let Some(all) = self.groups.get_mut(ALL) {
            for orphan in orphans {
                if !all.children.contains(&orphan) {
                    all.children.push(orphan);
                }
            }
        }
        self.settle_ungrouped();
        self.index = self.build_index();
    }

    fn parents(&self) -> HashMap<String, Vec<String>> {
        let mut parents: HashMap<String, Vec<String>> = HashMap::new();
        for group in self.groups.values() {
            for child in &group.children {
                parents
                    .entry(child.clone())
                    .or_default()
                    .push(group.name.clone());
            }
        }
        parents
    }

    fn settle_ungrouped(&mut self) {
        let mut grouped: HashSet<String> = HashSet::new();
        for group in self.groups.values() {
            if group.name != ALL && group.name != UNGROUPED {
                grouped.extend(group.hosts.iter().cloned());
            }
        }
        // Children of `ungrouped` would make their hosts grouped too.
        let ungrouped_children = self
            .groups
            .get(UNGROUPED)
            .is_some_and(|g| !g.children.is_empty());
        let hosts: Vec<String> = self.hosts.keys().cloned().collect();
        let Some(ungrouped) = self.groups.get_mut(UNGROUPED) else {
            return;
        };
        ungrouped.hosts.retain(|h| !grouped.contains(h));
        if !ungrouped_children {
            for host in hosts {
                if !grouped.contains(&host) && !ungrouped.hosts.contains(&host) {
                    ungrouped.hosts.insert(host);
                }
            }
        }
    }

    fn build_index(&self) -> Index {
        let parents = self.parents();
        let mut depth = HashMap::new();
        for name in self.groups.keys() {
            depth_of(name, &parents, &mut depth);
        }
        let group_hosts: IndexMap<String, Vec<String>> = self
            .groups
            .keys()
            .map(|name| (name.clone(), self.hosts_below(name)))
            .collect();
        let mut host_groups: HashMap<String, Vec<String>> = HashMap::new();
        for (group, hosts) in &group_hosts {
            for host in hosts {
                host_groups
                    .entry(host.clone())
                    .or_default()
                    .push(group.clone());
            }
        }
        Index {
            depth,
            host_groups,
            group_hosts,
        }
    }

    /// Ansible's `Group.get_hosts()`: the group itself, its direct children,
    /// then deeper levels, each group's hosts in file order, no repeats.
    fn hosts_below(&self, name: &str) -> Vec<String> {
        let mut seen_groups: HashSet<&str> = HashSet::from([name]);
        let mut level = vec![name];
        let mut hosts = Vec::new();
        let mut seen_hosts: HashSet<&str> = HashSet::new();
        while !level.is_empty() {
            let mut next = Vec::new();
            for group in level.iter().filter_map(|g| self.groups.get(*g)) {
                for host in &group.hosts {
                    if seen_hosts.insert(host) {
                        hosts.push(host.clone());
                    }
                }
                for child in &group.children {
                    if seen_groups.insert(child) {
                        next.push(child.as_str());
                    }
                }
            }
            level = next;
        }
        hosts
    }
}

fn depth_of(
    name: &str,
    parents: &HashMap<String, Vec<String>>,
    memo: &mut HashMap<String, usize>,
) -> usize {
    if let Some(depth) = memo.get(name) {
        return *depth;
    }
    // Loops are refused when children are added, so this terminates; the
    // provisional 0 only guards against a hand-made loop.
    memo.insert(name.to_string(), 0);
    let depth = match parents.get(name) {
        Some(list) if name != ALL => list
            .iter()
            .map(|parent| depth_of(parent, parents, memo) + 1)
            .max()
            .unwrap_or(1),
        _ if name == ALL => 0,
        _ => 1,
    };
    memo.insert(name.to_string(), depth);
    depth
}
