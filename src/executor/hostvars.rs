//! `hostvars`: every host's variables, computed only when a template asks.

use std::sync::{Arc, Weak};

use minijinja::value::{Enumerator, Object, ObjectRepr};

use crate::value::Value;

/// Where `hostvars` finds hosts and their variables (the run).
pub(super) trait HostLookup: Send + Sync {
    fn host_names(&self) -> Vec<String>;
    /// `host`'s variables outside any play, or `None` for an unknown host.
    fn host_vars(&self, host: &str) -> Option<Value>;
}

pub(super) struct HostVars {
    // Weak: the run owns the variable views that hold this object, not the reverse.
    run: Weak<dyn HostLookup>,
}

impl std::fmt::Debug for HostVars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("hostvars")
    }
}

impl HostVars {
    pub(super) fn value(run: Weak<dyn HostLookup>) -> Value {
        Value::from_object(Self { run })
    }
}

impl Object for HostVars {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.run.upgrade()?.host_vars(key.as_str()?)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.run.upgrade() {
            Some(run) => {
                Enumerator::Values(run.host_names().into_iter().map(Value::from).collect())
            }
            None => Enumerator::Empty,
        }
    }
}
