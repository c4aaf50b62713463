//! `hostvars`: every host's variables, computed only when a template asks.

use std::sync::{Arc, Weak};

use minijinja::value::{Enumerator, Object, ObjectRepr};

use super::run::RunShared;
use crate::value::Value;

#[derive(Debug)]
pub struct HostVars {
    // Weak: the run owns the contexts that hold this object, not the reverse.
    run: Weak<RunShared>,
}

impl HostVars {
    pub fn value(run: &Arc<RunShared>) -> Value {
        Value::from_object(Self {
            run: Arc::downgrade(run),
        })
    }
}

impl Object for HostVars {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let run = self.run.upgrade()?;
        let host = key.as_str()?;
        run.fleet()
            .hosts
            .contains_key(host)
            .then(|| run.host_context(host).value())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.run.upgrade() {
            Some(run) => Enumerator::Values(
                run.fleet()
                    .hosts
                    .keys()
                    .map(|h| Value::from(h.as_str()))
                    .collect(),
            ),
            None => Enumerator::Empty,
        }
    }
}
