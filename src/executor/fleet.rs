//! The hosts a run knows: the inventory, an entry (variables, connection
//! settings, open connections) per host with its magic variables (`groups`...). `meta:
//! refresh_inventory` builds a new fleet from the same sources; hosts whose
//! connection settings did not change keep their open connections.

use std::sync::Arc;

use indexmap::IndexMap;

use super::RunOptions;
use super::context::{Context, layer};
use super::host_entry::HostEntry;
use crate::connection::ConnectionSpec;
use crate::inventory::Inventory;
use crate::source::Diagnostic;
use crate::template::Templar;
use crate::value::{Value, VarMap, map_value};

pub(super) struct Fleet {
    pub inventory: Arc<Inventory>,
    pub hosts: IndexMap<String, Arc<HostEntry>>,
    /// `groups` and `inventory_dir`: the same for every host.
    pub magic: Arc<VarMap>,
}

impl Fleet {
    /// No hosts yet: what a run holds until its fleet is built.
    pub(super) fn empty(inventory: Arc<Inventory>) -> Self {
        Self {
            inventory,
            hosts: IndexMap::new(),
            magic: Arc::default(),
        }
    }

    /// Every inventory host (and the implicit `localhost`), reusing the
    /// connections of `previous` where a host's settings are unchanged.
    pub(super) fn build(
        inventory: Arc<Inventory>,
        templar: &Arc<Templar>,
        options: &RunOptions,
        previous: Option<&Fleet>,
    ) -> Result<Self, Diagnostic> {
        let mut names: Vec<String> = inventory.hosts.keys().cloned().collect();
        if !inventory.hosts.contains_key("localhost") {
            names.push("localhost".into());
        }
        let mut fleet = Self {
            magic: fleet_magic(&inventory),
            inventory,
            hosts: IndexMap::new(),
        };
        for name in names {
            let old = previous.and_then(|previous| previous.hosts.get(&name));
            let entry = fleet.entry(&name, old, templar, options)?;
            fleet.hosts.insert(name, entry);
        }
        Ok(fleet)
    }

    /// This fleet with `inventory` changed at run time (`add_host`,
    /// `group_by`): only the entries of `changed` hosts are built again.
    pub(super) fn with_changes(
        &self,
        inventory: Arc<Inventory>,
        changed: &[&str],
        templar: &Arc<Templar>,
        options: &RunOptions,
    ) -> Result<Self, Diagnostic> {
        let mut fleet = Self {
            magic: fleet_magic(&inventory),
            inventory,
            hosts: self.hosts.clone(),
        };
        for name in changed {
            let entry = fleet.entry(name, self.hosts.get(*name), templar, options)?;
            fleet.hosts.insert(name.to_string(), entry);
        }
        Ok(fleet)
    }

    /// `name`'s entry, keeping `old`'s connections if its settings did not change.
    fn entry(
        &self,
        name: &str,
        old: Option<&Arc<HostEntry>>,
        templar: &Arc<Templar>,
        options: &RunOptions,
    ) -> Result<Arc<HostEntry>, Diagnostic> {
        let (vars, spec) = host_settings(&self.inventory, name, templar, options)?;
        let group_names: Value = self
            .inventory
            .group_names(name)
            .into_iter()
            .map(Value::from)
            .collect();
        let magic = layer([
            ("inventory_hostname", Value::from(name)),
            (
                "inventory_hostname_short",
                Value::from(name.split('.').next().unwrap_or(name)),
            ),
            ("group_names", group_names),
        ]);
        let entry = match old.filter(|old| old.spec == spec) {
            Some(old) => HostEntry::keeping_connections(old, vars, magic),
            None => HostEntry::new(vars, magic, spec),
        };
        Ok(Arc::new(entry))
    }
}

fn fleet_magic(inventory: &Inventory) -> Arc<VarMap> {
    let groups = map_value(
        inventory
            .groups_map()
            .into_iter()
            .map(|(name, members)| (name, members.into_iter().map(Value::from).collect()))
            .collect(),
    );
    let inventory_dir = inventory
        .dir
        .as_ref()
        .map(|dir| Value::from(dir.display().to_string()))
        .unwrap_or_default();
    layer([("groups", groups), ("inventory_dir", inventory_dir)])
}

/// A host's inventory variables and its connection settings.
fn host_settings(
    inventory: &Inventory,
    name: &str,
    templar: &Arc<Templar>,
    options: &RunOptions,
) -> Result<(VarMap, ConnectionSpec), Diagnostic> {
    let mut vars = inventory.host_vars(name);
    if name == "localhost" && !inventory.hosts.contains_key(name) {
        vars.entry("ansible_connection".into())
            .or_insert_with(|| Value::from("local"));
    }
    let mut connection_vars = vars.clone();
    crate::value::overlay(&mut connection_vars, &options.extra_vars);
    let connection_vars = render_connection_vars(name, connection_vars, templar);
    let spec = ConnectionSpec::from_vars(name, &connection_vars, &options.connection)
        .map_err(Diagnostic::connection)?;
    Ok((vars, spec))
}

/// `ansible_host: "{{ inventory_hostname }}.example.com"` and the like.
fn render_connection_vars(name: &str, vars: VarMap, templar: &Arc<Templar>) -> VarMap {
    let context = Context::new(templar.clone())
        .with_data_layer(layer([("inventory_hostname", Value::from(name))]))
        .with_layer(Arc::new(vars.clone()));
    let value = context.value();
    vars.into_iter()
        .map(|(key, raw)| {
            let rendered = if key.starts_with("ansible_") {
                value.get_attr(&key).unwrap_or(raw)
            } else {
                raw
            };
            (key, rendered)
        })
        .collect()
}
