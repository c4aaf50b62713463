//! `runbook inventory`: show hosts, groups and variables as runbook reads them.

use serde_json::{Map, Value as Json, json};

use crate::cli::settings::{self, InventorySettings, InventoryView};
use crate::cli::{Failure, Outcome};
use crate::inventory::Inventory;
use crate::report::{GroupTree, Listing, Reporter};
use crate::source::Diagnostic;

pub(super) fn inventory(
    settings: &InventorySettings,
    reporter: &mut dyn Reporter,
) -> Result<Outcome, Failure> {
    let inventory = settings::inventory(&settings.sources, &settings.cwd)?;
    let listing = match &settings.view {
        InventoryView::Host(host) if !inventory.hosts.contains_key(host) => {
            return Err(Diagnostic::runtime(format!("host {host} is not in the inventory")).into());
        }
        InventoryView::Host(host) => Listing::Inventory {
            inventory: vars_json(&inventory, host),
        },
        InventoryView::Graph => Listing::InventoryGraph {
            root: tree(&inventory, "all"),
        },
        InventoryView::List => Listing::Inventory {
            inventory: list(&inventory),
        },
    };
    reporter.listing(&listing);
    Ok(Outcome::Success)
}

fn vars_json(inventory: &Inventory, host: &str) -> Json {
    serde_json::to_value(crate::value::map_value(inventory.host_vars(host))).unwrap_or(Json::Null)
}

/// `ansible-inventory --list`'s shape: the groups reachable from `all`
/// (those with neither hosts nor children left out), and the variables of
/// each host that has some, without the ones Ansible computes.
fn list(inventory: &Inventory) -> Json {
    let mut root = Map::new();
    add_group(inventory, "all", &mut root);
    let hostvars: Map<String, Json> = inventory
        .hosts
        .keys()
        .filter_map(|host| {
            let mut vars = inventory.host_vars(host);
            vars.retain(|key, _| !COMPUTED_VARS.contains(&key.as_str()));
            (!vars.is_empty()).then(|| {
                let json =
                    serde_json::to_value(crate::value::map_value(vars)).unwrap_or(Json::Null);
                (host.clone(), json)
            })
        })
        .collect();
    root.insert(
        "_meta".into(),
        json!({ "hostvars": hostvars, "profile": "inventory_legacy" }),
    );
    Json::Object(root)
}

/// Variables ansible-inventory leaves out of its listing.
const COMPUTED_VARS: &[&str] = &["inventory_dir", "inventory_file"];

fn add_group(inventory: &Inventory, name: &str, out: &mut Map<String, Json>) {
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
    if !entry.is_empty() {
        out.insert(name.to_string(), Json::Object(entry));
    }
    for child in &group.children {
        if !out.contains_key(child) {
            add_group(inventory, child, out);
        }
    }
}

/// The group tree below `group`, for `--graph`.
fn tree(inventory: &Inventory, group: &str) -> GroupTree {
    let entry = inventory.groups.get(group);
    GroupTree {
        name: group.to_string(),
        children: entry
            .map(|e| e.children.iter().map(|c| tree(inventory, c)).collect())
            .unwrap_or_default(),
        hosts: entry.map(|e| e.hosts.clone()).unwrap_or_default(),
    }
}
