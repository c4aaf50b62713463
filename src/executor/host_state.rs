//! What the run keeps per host: its connection(s) and its recap counters.

use std::collections::HashMap;
use std::sync::Arc;

use crate::connection::ConnectionSpec;
use crate::modules::ConnectionSlot;
use crate::value::{Value, VarMap};

/// A host's mutable state, locked by the one worker running it.
pub struct HostState {
    pub connection: ConnectionSlot,
    /// Connections opened for `delegate_to` from this host, by target name.
    /// Kept per delegating host so two hosts delegating to each other never
    /// wait on each other's lock.
    pub delegated: HashMap<String, ConnectionSlot>,
}

/// A host as the run sees it: fixed facts plus its locked state.
pub struct HostEntry {
    /// Inventory variables, precedence already applied.
    pub inventory_vars: Arc<VarMap>,
    pub group_names: Value,
    pub spec: ConnectionSpec,
    /// Shared with the entry that replaces this one on `refresh_inventory`.
    pub state: Arc<std::sync::Mutex<HostState>>,
}

impl HostEntry {
    pub fn new(inventory_vars: VarMap, group_names: Vec<String>, spec: ConnectionSpec) -> Self {
        Self {
            inventory_vars: Arc::new(inventory_vars),
            group_names: group_names.into_iter().map(Value::from).collect(),
            state: Arc::new(std::sync::Mutex::new(HostState {
                connection: ConnectionSlot::new(spec.clone()),
                delegated: HashMap::new(),
            })),
            spec,
        }
    }

    /// New variables for a host whose connection settings did not change:
    /// its open connections stay.
    pub fn keeping_connections(
        old: &HostEntry,
        inventory_vars: VarMap,
        group_names: Vec<String>,
    ) -> Self {
        Self {
            inventory_vars: Arc::new(inventory_vars),
            group_names: group_names.into_iter().map(Value::from).collect(),
            state: old.state.clone(),
            spec: old.spec.clone(),
        }
    }
}
