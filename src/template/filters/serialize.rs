//! `to_json`, `to_nice_json`, `from_json`, `to_yaml`, `to_nice_yaml`,
//! `from_yaml`: data in and out of the text formats Ansible playbooks
//! template into files and read back from command output.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;
use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::pyjson::{JsonStyle, dumps};
use super::{failure, text_of};
use crate::source::SourceFile;
use crate::template::pyrepr::py_str;
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("to_json", to_json);
    env.add_filter("to_nice_json", to_nice_json);
    env.add_filter("from_json", from_json);
    env.add_filter("to_yaml", to_yaml);
    env.add_filter("to_nice_yaml", to_nice_yaml);
    env.add_filter("from_yaml", from_yaml);
}

fn to_json(value: &Value, kwargs: Kwargs) -> Result<String, Error> {
    let style = JsonStyle {
        indent: kwargs.get("indent")?,
        sort_keys: kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(false),
    };
    kwargs.assert_all_used()?;
    Ok(dumps(value, style))
}

fn to_nice_json(value: &Value, indent: Option<usize>, kwargs: Kwargs) -> Result<String, Error> {
    let indent = match indent {
        Some(i) => i,
        None => kwargs.get::<Option<usize>>("indent")?.unwrap_or(4),
    };
    let style = JsonStyle {
        indent: Some(indent),
        sort_keys: kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(true),
    };
    kwargs.assert_all_used()?;
    Ok(dumps(value, style))
}

/// Parse JSON keeping the document's key order (Python's `json.loads`
/// does).
fn from_json(value: &Value) -> Result<Value, Error> {
    let text = text_of(value)?;
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    let parsed = OrderedJson::deserialize(&mut deserializer)
        .and_then(|parsed| deserializer.end().map(|()| parsed))
        .map_err(|err| failure(format!("from_json: {err}")))?;
    Ok(parsed.0)
}

/// A minijinja value read from JSON with maps in document order.
struct OrderedJson(Value);

impl<'de> Deserialize<'de> for OrderedJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedJsonVisitor)
    }
}

struct OrderedJsonVisitor;

impl<'de> Visitor<'de> for OrderedJsonVisitor {
    type Value = OrderedJson;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<OrderedJson, E> {
        Ok(OrderedJson(Value::from(())))
    }
    fn visit_bool<E>(self, v: bool) -> Result<OrderedJson, E> {
        Ok(OrderedJson(Value::from(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<OrderedJson, E> {
        Ok(OrderedJson(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<OrderedJson, E> {
        Ok(OrderedJson(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<OrderedJson, E> {
        Ok(OrderedJson(Value::from(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<OrderedJson, E> {
        Ok(OrderedJson(Value::from(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OrderedJson, A::Error> {
        let mut items = Vec::new();
        while let Some(OrderedJson(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(OrderedJson(Value::from(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedJson, A::Error> {
        let mut entries = IndexMap::new();
        while let Some((key, OrderedJson(item))) = map.next_entry::<String, OrderedJson>()? {
            entries.insert(Value::from(key), item);
        }
        Ok(OrderedJson(Value::from(entries)))
    }
}

/// Ansible's `to_yaml`; keys sorted as PyYAML's `dump` does.
fn to_yaml(value: &Value, kwargs: Kwargs) -> Result<String, Error> {
    let indent = kwargs.get::<Option<usize>>("indent")?.unwrap_or(2);
    let sort_keys = kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(true);
    kwargs.assert_all_used()?;
    yaml_text(value, indent, sort_keys)
}

/// Ansible's `to_nice_yaml(indent=4, sort_keys=True)`.
fn to_nice_yaml(value: &Value, indent: Option<usize>, kwargs: Kwargs) -> Result<String, Error> {
    let indent = match indent {
        Some(i) => i,
        None => kwargs.get::<Option<usize>>("indent")?.unwrap_or(4),
    };
    let sort_keys = kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(true);
    kwargs.assert_all_used()?;
    yaml_text(value, indent, sort_keys)
}

fn yaml_text(value: &Value, indent: usize, sort_keys: bool) -> Result<String, Error> {
    if !(1..=64).contains(&indent) {
        return Err(failure(format!(
            "YAML indent must be 1 to 64, not {indent}"
        )));
    }
    let data = to_serde(value, sort_keys);
    let options = serde_saphyr::ser_options! { indent_step: indent };
    serde_saphyr::to_string_with_options(&data, options)
        .map_err(|err| failure(format!("to_yaml: {err}")))
}

/// A serde view of a value for the YAML serializer (minijinja is built
/// without its serde feature).
fn to_serde(value: &Value, sort_keys: bool) -> serde_json::Value {
    use serde_json::Value as J;
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => J::Null,
        ValueKind::Bool => J::Bool(value.is_true()),
        ValueKind::Number => number_to_serde(value),
        ValueKind::String => J::String(value.as_str().unwrap_or_default().to_string()),
        ValueKind::Seq | ValueKind::Iterable => J::Array(
            value
                .try_iter()
                .map(|items| items.map(|item| to_serde(&item, sort_keys)).collect())
                .unwrap_or_default(),
        ),
        ValueKind::Map => {
            let mut entries: Vec<(String, serde_json::Value)> = value
                .try_iter()
                .map(|keys| {
                    keys.map(|key| {
                        let item = value.get_item(&key).unwrap_or_default();
                        (py_str(&key), to_serde(&item, sort_keys))
                    })
                    .collect()
                })
                .unwrap_or_default();
            if sort_keys {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
            }
            J::Object(entries.into_iter().collect())
        }
        _ => J::String(py_str(value)),
    }
}

fn number_to_serde(value: &Value) -> serde_json::Value {
    if let Ok(i) = i64::try_from(value.clone())
        && value.is_integer()
    {
        return serde_json::Value::from(i);
    }
    f64::try_from(value.clone())
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(
            || serde_json::Value::String(py_str(value)),
            serde_json::Value::Number,
        )
}

/// Parse YAML the way playbooks are parsed (YAML 1.1, as PyYAML).
fn from_yaml(value: &Value) -> Result<Value, Error> {
    let text = text_of(value)?;
    let file: Arc<SourceFile> = SourceFile::new("<from_yaml>", text);
    crate::yaml::parse_str(file)
        .map(|node| node.to_value())
        .map_err(|diag| failure(format!("from_yaml: {}", diag.message)))
}

#[cfg(test)]
mod tests {
    use crate::template::filters::test_support::{eval, render, render_err};
    use crate::value::Value;

    #[test]
    fn to_json_is_compact_and_keeps_order() {
        assert_eq!(
            render("{{ {'b': 1, 'a': [true, none, 'x']} | to_json }}"),
            r#"{"b": 1, "a": [true, null, "x"]}"#
        );
        assert_eq!(
            render("{{ {'b': 1, 'a': 2} | to_json(sort_keys=true) }}"),
            r#"{"a": 2, "b": 1}"#
        );
    }

    #[test]
    fn to_nice_json_indents_four_and_sorts() {
        assert_eq!(
            render("{{ {'b': 1, 'a': {'c': 'd'}} | to_nice_json }}"),
            "{\n    \"a\": {\n        \"c\": \"d\"\n    },\n    \"b\": 1\n}"
        );
        assert_eq!(render("{{ [1] | to_nice_json(indent=2) }}"), "[\n  1\n]");
    }

    #[test]
    fn from_json_gives_native_values_in_document_order() {
        let value = eval(r#"'{"z": 1, "a": [1.5, null, false]}' | from_json"#);
        let keys: Vec<String> = value
            .try_iter()
            .expect("a map")
            .map(|k| k.to_string())
            .collect();
        assert_eq!(keys, ["z", "a"]);
        assert_eq!(
            render(r#"{{ ('{"z": 1, "a": [1.5, null]}' | from_json).a }}"#),
            "[1.5, None]"
        );
        assert!(
            render_err("{{ '{bad' | from_json }}")
                .message
                .contains("from_json")
        );
    }

    #[test]
    fn to_yaml_round_trips_through_from_yaml() {
        let original = eval("{'name': 'web', 'ports': [80, 443], 'enabled': 'yes', 'ratio': 0.5}");
        let yaml =
            eval("{'name': 'web', 'ports': [80, 443], 'enabled': 'yes', 'ratio': 0.5} | to_yaml");
        let text = yaml.as_str().expect("yaml text").to_string();
        let back = crate::template::Templar::new()
            .eval_expr("text | from_yaml", &minijinja::context! { text })
            .expect("parses back");
        for key in ["name", "ports", "enabled", "ratio"] {
            assert_eq!(
                back.get_attr(key).ok(),
                original.get_attr(key).ok(),
                "{key}"
            );
        }
    }

    #[test]
    fn to_nice_yaml_sorts_keys_and_indents_four() {
        let text = render("{{ {'b': {'x': 1}, 'a': 2} | to_nice_yaml }}");
        assert_eq!(text, "a: 2\nb:\n    x: 1\n");
    }

    #[test]
    fn from_yaml_reads_yaml_1_1_like_ansible() {
        let value = eval("'a: yes\\nb: 0755\\nc: [1, two]' | from_yaml");
        assert_eq!(value.get_attr("a").ok(), Some(Value::from(true)));
        assert_eq!(value.get_attr("b").ok(), Some(Value::from(493)));
        assert_eq!(
            render("{{ ('a: yes\\nc: [1, two]' | from_yaml).c }}"),
            "[1, 'two']"
        );
    }
}
