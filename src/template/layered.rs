//! A variable context made of layers (play vars, host vars, task vars,
//! registered results...) that is looked up, not merged: building a task's
//! context costs one `Vec` of cheap value clones however many variables the
//! layers hold, which matters when thousands of hosts each get one.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr};

use crate::value::Value;

/// A context whose later layers shadow earlier ones. Layers that are not
/// maps contribute no names.
pub fn layered(layers: Vec<Value>) -> Value {
    Value::from_object(Layered { layers })
}

#[derive(Debug)]
struct Layered {
    layers: Vec<Value>,
}

impl Layered {
    fn lookup(&self, key: &Value) -> Option<Value> {
        self.layers.iter().rev().find_map(|layer| {
            let found = layer.get_item(key).ok()?;
            (!found.is_undefined()).then_some(found)
        })
    }

    /// Every name once, at the position of its first definition.
    fn keys(&self) -> Vec<Value> {
        let mut seen = HashSet::new();
        self.layers
            .iter()
            .filter(|layer| layer.kind() == minijinja::value::ValueKind::Map)
            .filter_map(|layer| layer.try_iter().ok())
            .flatten()
            .filter(|key| seen.insert(key.clone()))
            .collect()
    }
}

impl Object for Layered {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.lookup(key)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.keys())
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.layers.iter().any(Value::is_true)
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result
    where
        Self: Sized + 'static,
    {
        let this = self.clone();
        let pairs = this.keys().into_iter().filter_map(|key| {
            let value = this.lookup(&key)?;
            Some((key, value))
        });
        write!(f, "{}", Value::from_iter(pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::layered;
    use crate::value::{Value, map_from_pairs};

    fn map(pairs: &[(&str, Value)]) -> Value {
        map_from_pairs(pairs.iter().map(|(k, v)| (*k, v.clone())))
    }

    #[test]
    fn later_layers_win() {
        let play = map(&[("port", Value::from(80)), ("name", Value::from("web"))]);
        let host = map(&[("port", Value::from(8080))]);
        let ctx = layered(vec![play, host]);
        assert_eq!(ctx.get_attr("port").ok(), Some(Value::from(8080)));
        assert_eq!(ctx.get_attr("name").ok(), Some(Value::from("web")));
        assert!(ctx.get_attr("missing").is_ok_and(|v| v.is_undefined()));
    }

    #[test]
    fn enumerates_each_name_once_in_first_seen_order() {
        let a = map(&[("x", Value::from(1)), ("y", Value::from(2))]);
        let b = map(&[("z", Value::from(3)), ("x", Value::from(4))]);
        let ctx = layered(vec![a, b]);
        let keys: Vec<String> = ctx
            .try_iter()
            .expect("map iterates")
            .map(|k| k.to_string())
            .collect();
        assert_eq!(keys, ["x", "y", "z"]);
        assert_eq!(ctx.len(), Some(3));
    }

    #[test]
    fn non_map_layers_are_ignored() {
        let ctx = layered(vec![Value::from(5), map(&[("a", Value::from(1))])]);
        assert_eq!(ctx.get_attr("a").ok(), Some(Value::from(1)));
        assert_eq!(ctx.len(), Some(1));
    }

    #[test]
    fn nested_layered_contexts_compose() {
        let inner = layered(vec![map(&[("a", Value::from(1))])]);
        let ctx = layered(vec![inner, map(&[("b", Value::from(2))])]);
        assert_eq!(ctx.get_attr("a").ok(), Some(Value::from(1)));
        assert_eq!(ctx.get_attr("b").ok(), Some(Value::from(2)));
    }
}
