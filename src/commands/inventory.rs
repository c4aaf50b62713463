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

/// `ansible-inventory --list`'s shape.
fn list(inventory: &Inventory) -> Json {
    let mut root = Map::new();
    let hostvars: Map<String, Json> = inventory
        .hosts
        .keys()
        .map(|h| (h.clone(), vars_json(inventory, h)))
        .collect();
    root.insert("_meta".into(), json!({ "hostvars": hostvars }));
    for (name, group) in &inventory.groups {
        let mut entry = Map::new();
        if !group.hosts.is_empty() {
            entry.insert("hosts".into(), json!(group.hosts));
        }
        if !group.children.is_empty() {
            entry.insert("children".into(), json!(group.children));
        }
        root.insert(name.clone(), Json::Object(entry));
    }
    Json::Object(root)
}

/// The group tree below `group`, for `--graph`.
fn tree(inventory: &Inventory, group: &str) -> GroupTree {
    let entry = inventory.groups.get(group);
    GroupTree {
        name: group.to_string(),
        children: entry
            .map(|e| e.children.iter().map(|c| tree(inventory, c)).collect())
            .unwrap_or_default(),
        hosts: entry
            .map(|e| e.hosts.iter().cloned().collect())
            .unwrap_or_default(),
    }
}
