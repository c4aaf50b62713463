//! `runbook inventory`: show hosts, groups and variables as runbook reads them.

use serde_json::{Map, Value as Json, json};

use crate::cli::settings::{self, InventorySettings, InventoryView};
use crate::cli::{Failure, Outcome};
use crate::inventory::Inventory;
use crate::report::{GraphHost, GroupTree, Listing, Reporter};
use crate::source::Diagnostic;

pub(super) fn inventory(
    settings: &InventorySettings,
    reporter: &mut dyn Reporter,
) -> Result<Outcome, Failure> {
    let inventory = settings::inventory(&settings.sources, &settings.cwd)?;
    super::warn_inventory(&inventory, reporter);
    let listing = match &settings.view {
        InventoryView::Host(host) if !inventory.hosts.contains_key(host) => {
            return Err(Diagnostic::runtime(format!("host {host} is not in the inventory")).into());
        }
        InventoryView::Host(host) if settings.yaml => Listing::InventoryYaml {
            inventory: vars_json(&inventory, host),
        },
        InventoryView::Host(host) => Listing::Inventory {
            inventory: vars_json(&inventory, host),
        },
        InventoryView::Graph { group, .. } if !inventory.groups.contains_key(group) => {
            return Err(Diagnostic::options(format!(
                "--graph {group}: there is no group `{group}` in the inventory"
            ))
            .suggesting(group, inventory.groups.keys().map(String::as_str))
            .into());
        }
        InventoryView::Graph { group, vars } => Listing::InventoryGraph {
            root: tree(&inventory, group, *vars),
        },
        InventoryView::List { export } if settings.yaml => Listing::InventoryYaml {
            inventory: yaml_list(&inventory, *export),
        },
        InventoryView::List { export } => Listing::Inventory {
            inventory: list(&inventory, *export),
        },
    };
    reporter.listing(&listing);
    Ok(Outcome::Success)
}

/// `--host`: the host's variables without the ones Ansible computes.
fn vars_json(inventory: &Inventory, host: &str) -> Json {
    to_json(shown_host_vars(inventory, host, false))
}

/// `ansible-inventory --list`'s shape: the groups reachable from `all`
/// (those with neither hosts nor children left out), and the variables of
/// each host that has some, without the ones Ansible computes. With
/// `export`, as `--export`: each group's own variables under `vars`, and
/// only each host's own variables.
fn list(inventory: &Inventory, export: bool) -> Json {
    let mut root = Map::new();
    add_group(inventory, "all", export, &mut root);
    let hostvars: Map<String, Json> = inventory
        .hosts
        .keys()
        .filter_map(|host| {
            let vars = shown_host_vars(inventory, host, export);
            (!vars.is_empty()).then(|| (host.clone(), to_json(vars)))
        })
        .collect();
    root.insert(
        "_meta".into(),
        json!({ "hostvars": hostvars, "profile": "inventory_legacy" }),
    );
    Json::Object(root)
}

/// `ansible-inventory --list --yaml`'s shape, which is not --list's: the
/// tree from `all`, each group with `children` and `hosts` mappings, each
/// host's variables under its first group only (`{}` elsewhere), a group
/// met again as `{}`, and empty groups left out.
fn yaml_list(inventory: &Inventory, export: bool) -> Json {
    let mut seen = YamlSeen::default();
    Json::Object(yaml_group(inventory, "all", export, &mut seen))
}

#[derive(Default)]
struct YamlSeen {
    groups: std::collections::HashSet<String>,
    hosts: std::collections::HashSet<String>,
}

/// `{name: {children, hosts, vars}}`, or nothing for an empty group.
fn yaml_group(
    inventory: &Inventory,
    name: &str,
    export: bool,
    seen: &mut YamlSeen,
) -> Map<String, Json> {
    let mut out = Map::new();
    let Some(group) = inventory.groups.get(name) else {
        return out;
    };
    let mut children = Map::new();
    for child in group.children.iter().filter(|child| *child != "all") {
        if seen.groups.contains(child) {
            children.insert(child.clone(), json!({}));
        } else {
            children.extend(yaml_group(inventory, child, export, seen));
            seen.groups.insert(child.clone());
        }
    }
    let mut hosts = Map::new();
    if name != "all" {
        for host in &group.hosts {
            let vars = if seen.hosts.insert(host.clone()) {
                to_json(shown_host_vars(inventory, host, export))
            } else {
                json!({})
            };
            hosts.insert(host.clone(), vars);
        }
    }
    let mut entry = Map::new();
    for (key, value) in [("children", children), ("hosts", hosts)] {
        if !value.is_empty() {
            entry.insert(key.into(), Json::Object(value));
        }
    }
    if export {
        add_export_vars(inventory, name, &mut entry);
    }
    if !entry.is_empty() {
        out.insert(name.to_string(), Json::Object(entry));
    }
    out
}

/// `--export`: the group's own variables under `vars`, when it has some.
fn add_export_vars(inventory: &Inventory, group: &str, entry: &mut Map<String, Json>) {
    let vars = inventory.group_vars(group);
    if !vars.is_empty() {
        entry.insert("vars".into(), to_json(vars));
    }
}

/// Variables ansible-inventory leaves out of its listing.
const COMPUTED_VARS: &[&str] = &["inventory_dir", "inventory_file"];

/// A host's variables as ansible-inventory shows them (computed ones out).
fn shown_host_vars(inventory: &Inventory, host: &str, own_only: bool) -> crate::value::VarMap {
    let mut vars = if own_only {
        inventory.own_vars(host)
    } else {
        inventory.host_vars(host)
    };
    vars.retain(|key, _| !COMPUTED_VARS.contains(&key.as_str()));
    vars
}

fn to_json(vars: crate::value::VarMap) -> Json {
    serde_json::to_value(crate::value::map_value(vars)).unwrap_or(Json::Null)
}

fn add_group(inventory: &Inventory, name: &str, export: bool, out: &mut Map<String, Json>) {
    let Some(group) = inventory.groups.get(name) else {
        return;
    };
    let mut entry = Map::new();
    if name != "all" && !group.hosts.is_empty() {
        entry.insert("hosts".into(), json!(group.hosts));
    }
    if !group.children.is_empty() {
        entry.insert("children".into(), json!(group.children));
    }
    if export {
        add_export_vars(inventory, name, &mut entry);
    }
    if !entry.is_empty() {
        out.insert(name.to_string(), Json::Object(entry));
    }
    for child in &group.children {
        if !out.contains_key(child) {
            add_group(inventory, child, export, out);
        }
    }
}

/// The group tree below `group`, for `--graph` (with `--vars`, each
/// host's and group's variables, sorted by name, as Python prints them).
fn tree(inventory: &Inventory, group: &str, with_vars: bool) -> GroupTree {
    let entry = inventory.groups.get(group);
    let shown = |vars: crate::value::VarMap| -> Vec<String> {
        if !with_vars {
            return Vec::new();
        }
        let mut lines: Vec<String> = vars
            .iter()
            .map(|(key, value)| format!("{key} = {}", crate::template::py_str(value)))
            .collect();
        lines.sort();
        lines
    };
    let hosts = match entry {
        Some(entry) if group != "all" => entry
            .hosts
            .iter()
            .map(|host| GraphHost {
                name: host.clone(),
                vars: shown(shown_host_vars(inventory, host, false)),
            })
            .collect(),
        _ => Vec::new(),
    };
    GroupTree {
        name: group.to_string(),
        children: entry
            .map(|e| {
                e.children
                    .iter()
                    .map(|c| tree(inventory, c, with_vars))
                    .collect()
            })
            .unwrap_or_default(),
        hosts,
        vars: shown(inventory.group_vars(group)),
    }
}
