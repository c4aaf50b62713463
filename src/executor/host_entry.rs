//! A host as the inventory describes it: variables, connection settings,
//! the magic variables that follow from them, and its open connections.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::connection::{ConnectionSpec, Traffic};
use crate::modules::ConnectionSlot;
use crate::value::VarMap;

/// A host's connections, locked by the one worker running a task on it.
pub(super) struct Connections {
    pub own: ConnectionSlot,
    /// Connections opened for `delegate_to` from this host, by target name.
    /// Kept per delegating host so two hosts delegating to each other never
    /// wait on each other's lock.
    pub delegated: HashMap<String, ConnectionSlot>,
}

impl Connections {
    pub(super) fn close(&mut self) {
        self.own.close();
        self.delegated.values_mut().for_each(ConnectionSlot::close);
    }

    /// The cost of the host's own connection and those it delegated through.
    pub(super) fn traffic(&self) -> Traffic {
        self.delegated
            .values()
            .map(ConnectionSlot::traffic)
            .fold(self.own.traffic(), |total, slot| total + slot)
    }
}

pub(super) struct HostEntry {
    /// Inventory variables, precedence already applied.
    pub inventory_vars: Arc<VarMap>,
    /// `inventory_hostname`, `group_names`, `groups`... for this host.
    pub magic: Arc<VarMap>,
    pub spec: ConnectionSpec,
    /// Shared with the entry that replaces this one on `refresh_inventory`.
    pub connections: Arc<Mutex<Connections>>,
}

impl HostEntry {
    pub(super) fn new(inventory_vars: VarMap, magic: Arc<VarMap>, spec: ConnectionSpec) -> Self {
        Self {
            inventory_vars: Arc::new(inventory_vars),
            magic,
            connections: Arc::new(Mutex::new(Connections {
                own: ConnectionSlot::new(spec.clone()),
                delegated: HashMap::new(),
            })),
            spec,
        }
    }

    /// New variables for a host whose connection settings did not change:
    /// its open connections stay.
    pub(super) fn keeping_connections(
        old: &HostEntry,
        inventory_vars: VarMap,
        magic: Arc<VarMap>,
    ) -> Self {
        Self {
            inventory_vars: Arc::new(inventory_vars),
            magic,
            connections: old.connections.clone(),
            spec: old.spec.clone(),
        }
    }
}
