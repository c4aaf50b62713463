//! Variables as templates see them. Values are minijinja values (cheap to
//! clone, shared between hosts); a set of variables keeps its order.

use indexmap::IndexMap;
pub use minijinja::Value;

/// Named variables in the order they were defined.
pub type VarMap = IndexMap<String, Value>;

/// Overlay `top` on `base`: keys in `top` win. Mappings are replaced, not
/// merged, as Ansible does with its default `hash_behaviour=replace`.
pub fn overlay(base: &mut VarMap, top: &VarMap) {
    for (key, value) in top {
        base.insert(key.clone(), value.clone());
    }
}

/// A map value built from variables.
pub fn map_value(vars: VarMap) -> Value {
    map_from_pairs(vars)
}

/// A map value from `(name, value)` pairs, keeping their order.
pub fn map_from_pairs<K: Into<Value>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
    Value::from(
        pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v))
            .collect::<IndexMap<Value, Value>>(),
    )
}

/// The variables of a map value (empty for anything that is not a map).
pub fn to_var_map(value: &Value) -> VarMap {
    let Ok(keys) = value.try_iter() else {
        return VarMap::new();
    };
    if value.kind() != minijinja::value::ValueKind::Map {
        return VarMap::new();
    }
    keys.filter_map(|key| {
        let item = value.get_item(&key).ok()?;
        Some((text(&key), item))
    })
    .collect()
}

/// Ansible's boolean spellings, case-insensitive (`yes`/`no`, `on`/`off`,
/// `true`/`false`, `y`/`n`, `t`/`f`, `1`/`0`; the empty string is false).
/// A value as text: a string as it is, anything else as it prints.
pub fn text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}

pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "on" | "1" | "true" | "t" => Some(true),
        "n" | "no" | "off" | "0" | "false" | "f" | "" => Some(false),
        _ => None,
    }
}
