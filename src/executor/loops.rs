//! Loop items from `loop:` and the `with_*` keywords.

use crate::playbook::LoopKind;
use crate::value::{Value, map_from_pairs};
use minijinja::value::ValueKind;

/// The items to iterate over, from the rendered `loop`/`with_*` value.
pub(super) fn loop_items(kind: LoopKind, rendered: Value) -> Result<Vec<Value>, String> {
    match kind {
        LoopKind::Loop | LoopKind::List => as_list(&rendered, kind),
        LoopKind::Items => Ok(as_list(&rendered, kind)?
            .into_iter()
            .flat_map(flatten_once)
            .collect()),
        LoopKind::Dict => dict_items(&rendered),
        LoopKind::Sequence => sequence(&rendered),
    }
}

fn as_list(value: &Value, kind: LoopKind) -> Result<Vec<Value>, String> {
    match value.kind() {
        ValueKind::Seq | ValueKind::Iterable => {
            Ok(value.try_iter().map_err(|e| e.to_string())?.collect())
        }
        // `with_items: "{{ one_string }}"` loops once over it, as Ansible does.
        _ if kind == LoopKind::Items && !value.is_undefined() => Ok(vec![value.clone()]),
        _ => Err(format!(
            "Invalid data passed to 'loop', it requires a list, got this instead: {value}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup."
        )),
    }
}

fn flatten_once(item: Value) -> Vec<Value> {
    if item.kind() == ValueKind::Seq {
        item.try_iter().map(Iterator::collect).unwrap_or_default()
    } else {
        vec![item]
    }
}

fn dict_items(value: &Value) -> Result<Vec<Value>, String> {
    if value.kind() != ValueKind::Map {
        return Err(format!("with_dict expects a dict, got {value}"));
    }
    let keys = value.try_iter().map_err(|e| e.to_string())?;
    Ok(keys
        .map(|key| {
            let item = value.get_item(&key).unwrap_or_default();
            map_from_pairs([("key", key), ("value", item)])
        })
        .collect())
}

/// `with_sequence: start=1 end=5 stride=1 format=node%d` or `count=3`.
fn sequence(value: &Value) -> Result<Vec<Value>, String> {
    let spec = crate::value::text(value);
    let mut start = 1i64;
    let mut end: Option<i64> = None;
    let mut count: Option<i64> = None;
    let mut stride = 1i64;
    let mut format = "%d".to_string();
    for word in spec.split_whitespace() {
        let (key, val) = word
            .split_once('=')
            .ok_or_else(|| format!("with_sequence: cannot read `{word}` (expected key=value)"))?;
        let number =
            || parse_int(val).ok_or_else(|| format!("with_sequence: {key}={val} is not a number"));
        match key {
            "start" => start = number()?,
            "end" => end = Some(number()?),
            "count" => count = Some(number()?),
            "stride" => stride = number()?,
            "format" => format = val.to_string(),
            _ => return Err(format!("with_sequence: unknown option `{key}`")),
        }
    }
    let end = match (end, count) {
        (Some(_), Some(_)) => return Err("with_sequence: use either end or count, not both".into()),
        (Some(end), None) => end,
        (None, Some(count)) => start + (count - 1) * stride,
        (None, None) => return Err("with_sequence: give end or count".into()),
    };
    if stride == 0 {
        return Err("with_sequence: stride must not be 0".into());
    }
    let mut items = Vec::new();
    let mut i = start;
    while (stride > 0 && i <= end) || (stride < 0 && i >= end) {
        items.push(Value::from(printf_int(&format, i)));
        i += stride;
        if items.len() > 100_000 {
            return Err("with_sequence: more than 100000 items".into());
        }
    }
    Ok(items)
}

fn parse_int(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    text.parse().ok()
}

/// The subset of printf that `with_sequence` formats use: `%d`, `%02d`, `%x`, `%o`.
fn printf_int(format: &str, value: i64) -> String {
    let Some(percent) = format.find('%') else {
        return format.to_string();
    };
    let rest = &format[percent + 1..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let Some(conversion) = rest[digits.len()..].chars().next() else {
        return format.to_string();
    };
    let width: usize = digits.parse().unwrap_or(0);
    let zero = digits.starts_with('0');
    let body = match conversion {
        'd' | 'i' => value.to_string(),
        'x' => format!("{value:x}"),
        'X' => format!("{value:X}"),
        'o' => format!("{value:o}"),
        _ => return format.to_string(),
    };
    let padded = if zero {
        format!("{body:0>width$}")
    } else {
        format!("{body:>width$}")
    };
    let tail = &rest[digits.len() + conversion.len_utf8()..];
    format!("{}{padded}{tail}", &format[..percent])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: Vec<Value>) -> Vec<String> {
        items.into_iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn sequences_as_ansible_writes_them() {
        let items = loop_items(
            LoopKind::Sequence,
            Value::from("start=1 end=3 format=db%02d"),
        )
        .expect("valid");
        assert_eq!(strings(items), ["db01", "db02", "db03"]);
        let items = loop_items(LoopKind::Sequence, Value::from("start=10 count=3 stride=5"))
            .expect("valid");
        assert_eq!(strings(items), ["10", "15", "20"]);
        assert!(loop_items(LoopKind::Sequence, Value::from("start=1")).is_err());
    }

    #[test]
    fn with_items_flattens_one_level() {
        let nested = Value::from(minijinja::value::Serde(serde_json::json!([1, [2, [3]], 4])));
        assert_eq!(
            strings(loop_items(LoopKind::Items, nested).expect("list")),
            ["1", "2", "[3]", "4"]
        );
    }

    #[test]
    fn with_dict_gives_key_value_items() {
        let dict = Value::from(minijinja::value::Serde(serde_json::json!({"a": 1})));
        let items = loop_items(LoopKind::Dict, dict).expect("dict");
        assert_eq!(
            items[0].get_attr("key").map(|v| v.to_string()).ok(),
            Some("a".into())
        );
    }

    #[test]
    fn loop_rejects_non_lists() {
        assert!(loop_items(LoopKind::Loop, Value::from("text")).is_err());
    }
}
