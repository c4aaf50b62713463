//! The hosts a run knows: the inventory, an entry (variables, connection
//! settings, open connections) per host, and `groups`. `meta:
//! refresh_inventory` builds a new fleet from the same sources; hosts whose
//! connection settings did not change keep their open connections.

use std::sync::Arc;

use indexmap::IndexMap;

use super::RunOptions;
use super::context::{Context, layer};
use super::host_state::HostEntry;
use crate::connection::ConnectionSpec;
use crate::inventory::Inventory;
use crate::source::Diagnostic;
use crate::template::Templar;
use crate::value::{Value, VarMap, map_value};

pub struct Fleet {
    pub inventory: Arc<Inventory>,
    pub hosts: IndexMap<String, Arc<HostEntry>>,
    pub groups: Value,
}

impl Fleet {
    /// Every inventory host (and the implicit `localhost`), reusing the
    /// connections of `previous` where a host's settings are unchanged.
    pub fn build(
        inventory: Arc<Inventory>,
        templar: &Arc<Templar>,
        options: &RunOptions,
        previous: Option<&Fleet>,
    ) -> Result<Self, Diagnostic> {
        let mut names: Vec<String> = inventory.hosts.keys().cloned().collect();
        if !inventory.hosts.contains_key("localhost") {
            names.push("localhost".into());
        }
        let mut hosts = IndexMap::new();
        for name in names {
            let (vars, spec) = host_settings(&inventory, &name, templar, options)?;
            let group_names = inventory.group_names(&name);
            let entry = match previous
                .and_then(|fleet| fleet.hosts.get(&name))
                .filter(|old| old.spec == spec)
            {
                Some(old) => HostEntry::keeping_connections(old, vars, group_names),
                None => HostEntry::new(vars, group_names, spec),
            };
            hosts.insert(name, Arc::new(entry));
        }
        let groups = map_value(
            inventory
                .groups_map()
                .into_iter()
                .map(|(name, members)| (name, members.into_iter().map(Value::from).collect()))
                .collect(),
        );
        Ok(Self {
            inventory,
            hosts,
            groups,
        })
    }
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
    let mut spec = ConnectionSpec::from_vars(name, &connection_vars, options.connect_timeout)
        .map_err(Diagnostic::connection)?;
    spec.accept_new_host_keys = options.accept_new_host_keys;
    Ok((vars, spec))
}

/// `ansible_host: "{{ inventory_hostname }}.example.com"` and the like.
fn render_connection_vars(name: &str, vars: VarMap, templar: &Arc<Templar>) -> VarMap {
    let context = Context::new(templar.clone())
        .with_layer(layer([("inventory_hostname", Value::from(name))]))
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
