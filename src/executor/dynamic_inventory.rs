//! `add_host` and `group_by` results change the running inventory: later
//! tasks, plays, `groups` and `hostvars` see the new hosts and groups.
//! Changes are applied one at a time (workers run `group_by` on many hosts
//! at once), and only the hosts whose groups changed get new entries.

use std::sync::Arc;

use super::result::TaskResult;
use super::run::Run;
use crate::inventory::Inventory;
use crate::value::{Value, VarMap, text, to_var_map};

/// One change `add_host` or `group_by` made, kept so that `meta:
/// refresh_inventory` can make it again on the inventory it reads.
#[derive(Debug, Clone)]
pub(super) enum InventoryChange {
    AddHost {
        name: String,
        groups: Vec<String>,
        vars: VarMap,
    },
    AddGroup {
        host: String,
        group: String,
        parents: Vec<String>,
    },
}

impl InventoryChange {
    /// Make the change on `inventory`; whether it changed anything.
    pub(super) fn apply(&self, inventory: &mut Inventory) -> Result<bool, String> {
        match self {
            Self::AddHost { name, groups, vars } => {
                Ok(inventory.add_dynamic_host(name, groups, vars))
            }
            Self::AddGroup {
                host,
                group,
                parents,
            } => inventory
                .add_dynamic_group(host, group, parents)
                .map_err(|error| error.message),
        }
    }

    fn from_result(host: &str, result: &TaskResult) -> Option<Self> {
        if let Some(request) = result.fields.get("add_host") {
            let field = |name: &str| request.get_attr(name).unwrap_or_default();
            return Some(Self::AddHost {
                name: text(&field("host_name")),
                groups: texts(&field("groups")),
                // Rendered task arguments: data beside the inventory's own
                // (trusted) variables, so each string is marked.
                vars: to_var_map(&crate::template::as_data(&field("host_vars"))),
            });
        }
        let group = result.fields.get("add_group")?;
        Some(Self::AddGroup {
            host: host.to_string(),
            group: text(group),
            parents: texts(
                result
                    .fields
                    .get("parent_groups")
                    .unwrap_or(&Value::UNDEFINED),
            ),
        })
    }
}

impl Run {
    /// Apply the inventory change a result asks for (none for most
    /// modules); `Some(changed)` when it was one, `Err` when it is wrong.
    pub(super) fn apply_inventory_change(
        &self,
        host: &str,
        result: &TaskResult,
    ) -> Option<Result<bool, String>> {
        let change = InventoryChange::from_result(host, result)?;
        let _one_at_a_time = self
            .inventory_edits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let fleet = self.fleet();
        let mut inventory = (*fleet.inventory).clone();
        let changed = match change.apply(&mut inventory) {
            Ok(changed) => changed,
            Err(message) => return Some(Err(message)),
        };
        let touched = match &change {
            InventoryChange::AddHost { name, .. } => Some(name.clone()),
            InventoryChange::AddGroup { .. } => None,
        };
        if !changed {
            return Some(Ok(false));
        }
        self.remember_inventory_change(change);
        let mut rebuilt: Vec<String> = inventory
            .hosts
            .keys()
            .filter(|name| fleet.inventory.group_names(name) != inventory.group_names(name))
            .cloned()
            .collect();
        rebuilt.extend(touched);
        let rebuilt: Vec<&str> = rebuilt.iter().map(String::as_str).collect();
        let new = fleet.with_changes(Arc::new(inventory), &rebuilt, &self.templar, &self.options);
        Some(match new {
            Ok(new) => {
                self.replace_fleet(new);
                Ok(true)
            }
            Err(error) => Err(error.message),
        })
    }
}

fn texts(value: &Value) -> Vec<String> {
    value
        .try_iter()
        .map(|items| items.map(|item| text(&item)).collect())
        .unwrap_or_default()
}
