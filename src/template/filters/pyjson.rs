//! JSON written exactly as Python's `json.dumps` writes it (Ansible's
//! `to_json`/`to_nice_json`): `", "`/`": "` separators without indent, `","`
//! with one, ASCII-only output with `\uXXXX` escapes, Python float spelling,
//! and keys turned into strings. Configuration files and checksums compare
//! against this output byte for byte.

use std::fmt::Write;

use minijinja::value::ValueKind;

use crate::template::pyrepr::{py_float, py_str};
use crate::value::Value;

/// How to lay the JSON out.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct JsonStyle {
    pub indent: Option<usize>,
    pub sort_keys: bool,
}

/// Python's `json.dumps(value, indent=..., sort_keys=...)`.
pub(crate) fn dumps(value: &Value, style: JsonStyle) -> String {
    let mut out = String::new();
    write_value(&mut out, value, style, 0);
    out
}

fn write_value(out: &mut String, value: &Value, style: JsonStyle, depth: usize) {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => out.push_str("null"),
        ValueKind::Bool if value.is_true() => out.push_str("true"),
        ValueKind::Bool => out.push_str("false"),
        ValueKind::Number => write_number(out, value),
        ValueKind::String => write_string(out, value.as_str().unwrap_or_default()),
        ValueKind::Map => write_map(out, value, style, depth),
        ValueKind::Seq | ValueKind::Iterable => write_seq(out, value, style, depth),
        _ => write_string(out, &py_str(value)),
    }
}

fn write_number(out: &mut String, value: &Value) {
    if value.is_integer() {
        let _ = write!(out, "{value}");
        return;
    }
    match f64::try_from(value.clone()) {
        Ok(f) if f.is_nan() => out.push_str("NaN"),
        Ok(f) if f.is_infinite() => out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" }),
        Ok(f) => out.push_str(&py_float(f)),
        Err(_) => {
            let _ = write!(out, "{value}");
        }
    }
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Keys as Python's encoder turns them into JSON object keys.
fn key_text(key: &Value) -> String {
    match key.kind() {
        ValueKind::None => "null".into(),
        ValueKind::Bool if key.is_true() => "true".into(),
        ValueKind::Bool => "false".into(),
        _ => py_str(key),
    }
}

fn write_map(out: &mut String, value: &Value, style: JsonStyle, depth: usize) {
    let mut entries: Vec<(String, Value)> = value
        .try_iter()
        .map(|keys| {
            keys.map(|key| (key_text(&key), value.get_item(&key).unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    if style.sort_keys {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
    }
    if entries.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push('{');
    for (index, (key, item)) in entries.iter().enumerate() {
        separate(out, index, style, depth + 1);
        write_string(out, key);
        out.push_str(": ");
        write_value(out, item, style, depth + 1);
    }
    close(out, style, depth);
    out.push('}');
}

fn write_seq(out: &mut String, value: &Value, style: JsonStyle, depth: usize) {
    let items: Vec<Value> = value.try_iter().map(Iterator::collect).unwrap_or_default();
    if items.is_empty() {
        out.push_str("[]");
        return;
    }
    out.push('[');
    for (index, item) in items.iter().enumerate() {
        separate(out, index, style, depth + 1);
        write_value(out, item, style, depth + 1);
    }
    close(out, style, depth);
    out.push(']');
}

/// The separator before an item and, when indenting, its line break.
fn separate(out: &mut String, index: usize, style: JsonStyle, depth: usize) {
    match style.indent {
        Some(indent) => {
            if index > 0 {
                out.push(',');
            }
            out.push('\n');
            out.push_str(&" ".repeat(indent * depth));
        }
        None if index > 0 => out.push_str(", "),
        None => {}
    }
}

fn close(out: &mut String, style: JsonStyle, depth: usize) {
    if let Some(indent) = style.indent {
        out.push('\n');
        out.push_str(&" ".repeat(indent * depth));
    }
}

#[cfg(test)]
mod tests {
    use super::{JsonStyle, dumps};
    use crate::value::{Value, map_from_pairs};

    fn sample() -> Value {
        map_from_pairs([
            ("b", Value::from(vec![Value::from(1), Value::from(2.5)])),
            ("a", Value::from("é\"x")),
            ("c", Value::from(())),
            ("d", Value::from(true)),
        ])
    }

    #[test]
    fn compact_matches_python_json_dumps() {
        assert_eq!(
            dumps(&sample(), JsonStyle::default()),
            r#"{"b": [1, 2.5], "a": "\u00e9\"x", "c": null, "d": true}"#
        );
    }

    #[test]
    fn nice_matches_python_indent_4_sort_keys() {
        let style = JsonStyle {
            indent: Some(4),
            sort_keys: true,
        };
        let expected = "{\n    \"a\": \"\\u00e9\\\"x\",\n    \"b\": [\n        1,\n        2.5\n    ],\n    \"c\": null,\n    \"d\": true\n}";
        assert_eq!(dumps(&sample(), style), expected);
    }

    #[test]
    fn empty_containers_and_astral_characters() {
        let value = Value::from(vec![
            Value::from(Vec::<Value>::new()),
            map_from_pairs(Vec::<(&str, Value)>::new()),
            Value::from("😀"),
        ]);
        let style = JsonStyle {
            indent: Some(2),
            sort_keys: false,
        };
        assert_eq!(
            dumps(&value, style),
            "[\n  [],\n  {},\n  \"\\ud83d\\ude00\"\n]"
        );
    }
}
