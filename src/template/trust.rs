//! Ansible 2.19's trust model: only templates the playbook author wrote are
//! rendered. Strings that came from hosts (registered results, facts,
//! `add_host` variables) or that are themselves the result of templating are
//! data: `{{` inside them is text, never code (docs/security.md).
//!
//! Most untrusted values live in layers the executor never renders (facts,
//! registered results, loop items). Where data has to sit beside trusted
//! values in one map — `add_host` variables merged into the inventory — each
//! of its strings carries a mark: minijinja's "safe string" flag. runbook
//! never auto-escapes (its formatter prints every string as is), so the flag
//! means nothing else here; filters that produce safe strings only ever make
//! a value *less* trusted, which is the harmless direction.

use minijinja::value::{Value, ValueKind};

use crate::value::map_from_pairs;

/// `value` with every string inside (map keys included) marked as data.
pub fn as_data(value: &Value) -> Value {
    match value.kind() {
        ValueKind::String => match value.as_str() {
            Some(text) if !value.is_safe() => Value::from_safe_string(text.to_string()),
            _ => value.clone(),
        },
        ValueKind::Seq => match value.try_iter() {
            Ok(items) => Value::from(items.map(|item| as_data(&item)).collect::<Vec<_>>()),
            Err(_) => value.clone(),
        },
        ValueKind::Map => match value.try_iter() {
            Ok(keys) => map_from_pairs(
                keys.map(|key| {
                    let item = value.get_item(&key).unwrap_or_default();
                    (as_data(&key), as_data(&item))
                })
                .collect::<Vec<_>>(),
            ),
            Err(_) => value.clone(),
        },
        _ => value.clone(),
    }
}

/// Whether `value` is a string marked as data by [`as_data`].
pub fn is_data(value: &Value) -> bool {
    value.kind() == ValueKind::String && value.is_safe()
}

#[cfg(test)]
mod tests {
    use super::{as_data, is_data};
    use minijinja::Value;

    #[test]
    fn marks_every_string_inside_and_keeps_the_rest() {
        let value = minijinja::context! {
            k => minijinja::context! {
                inner => "{{ secret }}", n => 1, list => vec![Value::from("{{ a }}"), Value::from(true)]
            }
        };
        let data = as_data(&value);
        assert_eq!(data, value, "marking changes no content");
        let k = data.get_attr("k").unwrap_or_default();
        assert!(is_data(&k.get_attr("inner").unwrap_or_default()));
        let list = k.get_attr("list").unwrap_or_default();
        assert!(is_data(&list.get_item_by_index(0).unwrap_or_default()));
        assert!(!is_data(&k.get_attr("n").unwrap_or_default()));
        let key = data.try_iter().ok().and_then(|mut keys| keys.next());
        assert!(key.is_some_and(|key| is_data(&key)));
        assert!(!is_data(&Value::from("{{ plain }}")));
    }
}
