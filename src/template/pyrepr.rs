//! Values printed the way Python prints them. Ansible renders through
//! Python's `str()`, so `"enabled={{ flag }}"` yields `enabled=True` and a
//! list in text shows as `['a', 'b']`; playbooks and the files they template
//! depend on that spelling.

use std::fmt::Write;

use minijinja::value::ValueKind;

use crate::value::Value;

/// Python's `str(value)`.
pub fn py_str(value: &Value) -> String {
    match value.kind() {
        ValueKind::String => value.as_str().unwrap_or_default().to_string(),
        ValueKind::Undefined => String::new(),
        _ => py_repr(value),
    }
}

/// Python's `repr(value)`.
pub fn py_repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(&mut out, value);
    out
}

fn write_repr(out: &mut String, value: &Value) {
    match value.kind() {
        ValueKind::Undefined => {}
        ValueKind::None => out.push_str("None"),
        ValueKind::Bool if value.is_true() => out.push_str("True"),
        ValueKind::Bool => out.push_str("False"),
        ValueKind::Number => write_number(out, value),
        ValueKind::String => write_str_repr(out, value.as_str().unwrap_or_default()),
        ValueKind::Map => write_map(out, value),
        ValueKind::Seq | ValueKind::Iterable => write_seq(out, value),
        _ => {
            let _ = write!(out, "{value}");
        }
    }
}

fn write_number(out: &mut String, value: &Value) {
    match f64::try_from(value.clone()) {
        Ok(float) if !value.is_integer() => out.push_str(&py_float(float)),
        _ => {
            let _ = write!(out, "{value}");
        }
    }
}

/// Python's `repr(float)`: shortest round-trip digits, an exponent outside
/// 1e-4..1e16, and always a `.0` on integral values.
pub(super) fn py_float(value: f64) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.into();
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..16).contains(&exponent) {
        let positional = format!("{value}");
        if positional.contains('.') {
            positional
        } else {
            format!("{positional}.0")
        }
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    }
}

fn write_str_repr(out: &mut String, text: &str) {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

fn write_seq(out: &mut String, value: &Value) {
    out.push('[');
    if let Ok(items) = value.try_iter() {
        for (index, item) in items.enumerate() {
            if index > 0 {
                out.push_str(", ");
            }
            write_repr(out, &item);
        }
    }
    out.push(']');
}

fn write_map(out: &mut String, value: &Value) {
    out.push('{');
    if let Ok(keys) = value.try_iter() {
        for (index, key) in keys.enumerate() {
            if index > 0 {
                out.push_str(", ");
            }
            write_repr(out, &key);
            out.push_str(": ");
            write_repr(out, &value.get_item(&key).unwrap_or_default());
        }
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::{py_float, py_repr, py_str};
    use crate::value::Value;

    #[test]
    fn prints_like_python_str() {
        let cases = [
            (Value::from(true), "True"),
            (Value::from(false), "False"),
            (Value::from(()), "None"),
            (Value::from(42), "42"),
            (Value::from(-7), "-7"),
            (Value::from(1.5), "1.5"),
            (Value::from(2.0), "2.0"),
            (Value::from("text"), "text"),
            (Value::from(vec!["a", "b"]), "['a', 'b']"),
            (
                Value::from(vec![Value::from(1), Value::from(())]),
                "[1, None]",
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(py_str(&value), expected, "str of {value:?}");
        }
    }

    #[test]
    fn quotes_strings_like_python_repr() {
        assert_eq!(py_repr(&Value::from("it's")), "\"it's\"");
        assert_eq!(py_repr(&Value::from("a'b\"c")), "'a\\'b\"c'");
        assert_eq!(py_repr(&Value::from("line\n")), "'line\\n'");
    }

    #[test]
    fn maps_keep_order() {
        let map = crate::value::map_from_pairs([("b", Value::from(1)), ("a", Value::from("x"))]);
        assert_eq!(py_str(&map), "{'b': 1, 'a': 'x'}");
    }

    #[test]
    fn floats_use_python_notation() {
        let cases = [
            (0.1, "0.1"),
            (1e20, "1e+20"),
            (1.5e-7, "1.5e-07"),
            (123456.0, "123456.0"),
            (1e16, "1e+16"),
            (0.0001, "0.0001"),
            (f64::INFINITY, "inf"),
        ];
        for (value, expected) in cases {
            assert_eq!(py_float(value), expected, "repr of {value}");
        }
    }
}
