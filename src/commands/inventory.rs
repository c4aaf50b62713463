//! `runbook inventory`: show hosts, groups and variables as runbook reads them.

use serde_json::{Map, Value as Json, json};

use crate::cli::ExitCode;
use crate::cli::args::InventoryArgs;
use crate::cli::settings;
use crate::inventory::Inventory;
use crate::report::{HumanReporter, Reporter};

pub fn inventory(args: &InventoryArgs) -> ExitCode {
    let inventory = match settings::inventory(&args.inventory, &super::cwd()) {
        Ok(inventory) => inventory,
        Err(e) => {
            HumanReporter::new(0).error(&e);
            return ExitCode::ParseError;
        }
    };
    if let Some(host) = &args.host {
        if !inventory.hosts.contains_key(host) {
            HumanReporter::new(0).error(&crate::source::Diagnostic::new(format!(
                "host {host} is not in the inventory"
            )));
            return ExitCode::Error;
        }
        println!("{}", pretty(&vars_json(&inventory, host)));
    } else if args.graph {
        print!("{}", graph(&inventory, "all", 0));
    } else {
        println!("{}", pretty(&list(&inventory)));
    }
    ExitCode::Ok
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

/// `ansible-inventory --graph`'s tree.
fn graph(inventory: &Inventory, group: &str, depth: usize) -> String {
    let indent = "  |".repeat(depth);
    let mut out = format!(
        "{}@{group}:\n",
        if depth == 0 {
            String::new()
        } else {
            format!("{indent}--")
        }
    );
    let Some(entry) = inventory.groups.get(group) else {
        return out;
    };
    for child in &entry.children {
        out.push_str(&graph(inventory, child, depth + 1));
    }
    for host in &entry.hosts {
        out.push_str(&format!("{}  |--{host}\n", "  |".repeat(depth)));
    }
    out
}

fn pretty(value: &Json) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
