//! Lookups that reshape their terms: `items`, `list`, `indexed_items`,
//! `dict`, `nested`/`cartesian`, `together`, `flattened`, `subelements`,
//! `random_choice` and `sequence`.

use minijinja::value::ValueKind;

use super::{Options, Scope, items_of, text};
use crate::template::pyrepr::py_str;
use crate::value::{Value, map_from_pairs};

/// Lists in `terms` contribute their items; anything else itself (one level).
fn flatten_once(terms: &[Value]) -> Vec<Value> {
    terms
        .iter()
        .flat_map(|term| match term.kind() {
            ValueKind::Seq => items_of(term),
            _ => vec![term.clone()],
        })
        .collect()
}

pub(super) fn items(terms: &[Value], _: &Options, _: &Scope) -> Result<Vec<Value>, String> {
    Ok(flatten_once(terms))
}

pub(super) fn list(terms: &[Value], _: &Options, _: &Scope) -> Result<Vec<Value>, String> {
    Ok(terms.to_vec())
}

pub(super) fn indexed_items(terms: &[Value], _: &Options, _: &Scope) -> Result<Vec<Value>, String> {
    Ok(flatten_once(terms)
        .into_iter()
        .enumerate()
        .map(|(index, item)| Value::from(vec![Value::from(index), item]))
        .collect())
}

pub(super) fn dict(terms: &[Value], _: &Options, _: &Scope) -> Result<Vec<Value>, String> {
    let mut pairs = Vec::new();
    for term in terms {
        if term.kind() != ValueKind::Map {
            return Err(format!(
                "the 'dict' lookup plugin expects a dictionary, got '{}' of type <class '{}'>)",
                py_str(term),
                python_type(term)
            ));
        }
        for key in term.try_iter().map_err(|e| e.to_string())? {
            let value = term.get_item(&key).unwrap_or_default();
            pairs.push(map_from_pairs([("key", key), ("value", value)]));
        }
    }
    Ok(pairs)
}

fn python_type(value: &Value) -> &'static str {
    match value.kind() {
        ValueKind::String => "str",
        ValueKind::Number if value.is_integer() => "int",
        ValueKind::Number => "float",
        ValueKind::Bool => "bool",
        ValueKind::None => "NoneType",
        ValueKind::Seq => "list",
        ValueKind::Map => "dict",
        _ => "object",
    }
}

/// A term of `nested`/`together`: a list, or a string as a list of itself.
fn as_list(term: &Value) -> Vec<Value> {
    items_of(term)
}

pub(super) fn nested(terms: &[Value], _: &Options, _: &Scope) -> Result<Vec<Value>, String> {
    let Some((first, rest)) = terms.split_first() else {
        return Err("with_nested requires at least one element in the nested list".into());
    };
    let mut combined: Vec<Value> = as_list(first);
    for term in rest {
        let right = as_list(term);
        let mut next = Vec::with_capacity(combined.len() * right.len());
        for x in &combined {
            for y in &right {
                next.push(Value::from(flatten_once(&[x.clone(), y.clone()])));
            }
        }
        combined = next;
    }
    Ok(combined
        .iter()
        .map(|item| Value::from(flatten_once(&items_of(item))))
        .collect())
}

pub(super) fn together(terms: &[Value], _: &Options, _: &Scope) -> Result<Vec<Value>, String> {
    if terms.is_empty() {
        return Err("with_together requires at least one element in each list".into());
    }
    let lists: Vec<Vec<Value>> = terms.iter().map(as_list).collect();
    let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
    Ok((0..longest)
        .map(|index| {
            let row: Vec<Value> = lists
                .iter()
                .map(|list| list.get(index).cloned().unwrap_or(Value::from(())))
                .collect();
            Value::from(flatten_once(&row))
        })
        .collect())
}

/// `community.general.flattened`: every level flattened; a `'None'` or
/// `'null'` term ends the list.
pub(super) fn flattened(terms: &[Value], _: &Options, _: &Scope) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    flatten_deep(terms, &mut out);
    Ok(out)
}

fn flatten_deep(terms: &[Value], out: &mut Vec<Value>) {
    for term in terms {
        let term = unwrap_single_lists(term);
        if matches!(term.as_str(), Some("None" | "null")) {
            break;
        }
        if term.kind() == ValueKind::Seq {
            flatten_deep(&items_of(&term), out);
        } else {
            out.push(term);
        }
    }
}

fn unwrap_single_lists(term: &Value) -> Value {
    let mut term = term.clone();
    while term.kind() == ValueKind::Seq {
        let items = items_of(&term);
        match items.as_slice() {
            [only] if only.kind() == ValueKind::Seq => term = only.clone(),
            [only] => return only.clone(),
            _ => break,
        }
    }
    term
}

pub(super) fn random_choice(terms: &[Value], _: &Options, _: &Scope) -> Result<Vec<Value>, String> {
    use rand::RngExt;
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let index = rand::rng().random_range(0..terms.len());
    Ok(vec![terms[index].clone()])
}

/// `subelements`: `[list or dict, 'key.path', {skip_missing: bool}]`.
pub(super) fn subelements(terms: &[Value], _: &Options, _: &Scope) -> Result<Vec<Value>, String> {
    let expects = "subelements lookup expects a list of two or three items, ";
    if !(2..=3).contains(&terms.len()) {
        return Err(expects.into());
    }
    let (source, path) = (&terms[0], &terms[1]);
    if !matches!(source.kind(), ValueKind::Seq | ValueKind::Map) || path.kind() != ValueKind::String
    {
        return Err(format!(
            "{expects}first a dict or a list, second a string pointing to the subkey"
        ));
    }
    let keys: Vec<String> = text(path).split('.').map(str::to_string).collect();
    let elements = if source.kind() == ValueKind::Map {
        if is_skipped(source) {
            return Ok(Vec::new());
        }
        source
            .try_iter()
            .map_err(|e| e.to_string())?
            .map(|key| source.get_item(&key).unwrap_or_default())
            .collect()
    } else {
        items_of(source)
    };
    let skip_missing = match terms.get(2) {
        None => false,
        Some(flags) if flags.kind() == ValueKind::Map => flags
            .get_attr("skip_missing")
            .ok()
            .filter(|v| !v.is_undefined())
            .is_some_and(|v| v.is_true() || crate::value::parse_bool(&text(&v)) == Some(true)),
        Some(_) => {
            return Err(format!(
                "{expects}the optional third item must be a dict with flags ['skip_missing']"
            ));
        }
    };
    let mut pairs = Vec::new();
    for element in elements {
        if element.kind() != ValueKind::Map {
            return Err(format!(
                "subelements lookup expects a dictionary, got '{}'",
                py_str(&element)
            ));
        }
        if is_skipped(&element) {
            continue;
        }
        let Some(sublist) = sublist_of(&element, &keys, skip_missing)? else {
            continue;
        };
        let parent = without_key(&element, &keys);
        for item in sublist {
            pairs.push(Value::from(vec![parent.clone(), item]));
        }
    }
    Ok(pairs)
}

fn is_skipped(value: &Value) -> bool {
    value
        .get_attr("skipped")
        .is_ok_and(|v| !v.is_undefined() && (v.kind() != ValueKind::Bool || v.is_true()))
}

fn sublist_of(
    element: &Value,
    keys: &[String],
    skip_missing: bool,
) -> Result<Option<Vec<Value>>, String> {
    let mut current = element.clone();
    for (position, key) in keys.iter().enumerate() {
        let last = position + 1 == keys.len();
        let child = current
            .get_item(&Value::from(key.as_str()))
            .ok()
            .filter(|v| !v.is_undefined());
        let Some(child) = child else {
            if skip_missing {
                return Ok(None);
            }
            return Err(format!(
                "could not find '{key}' key in iterated item '{}'",
                py_str(&current)
            ));
        };
        if last {
            if child.kind() != ValueKind::Seq {
                return Err(format!(
                    "the key {key} should point to a list, got '{}'",
                    py_str(&child)
                ));
            }
            return Ok(Some(items_of(&child)));
        }
        if child.kind() != ValueKind::Map {
            if skip_missing {
                return Ok(None);
            }
            return Err(format!(
                "the key {key} should point to a dictionary, got '{}'",
                py_str(&child)
            ));
        }
        current = child;
    }
    Ok(None)
}

/// Ansible pops the list out of the parent item it returns.
fn without_key(element: &Value, keys: &[String]) -> Value {
    let Some((first, rest)) = keys.split_first() else {
        return element.clone();
    };
    let Ok(names) = element.try_iter() else {
        return element.clone();
    };
    let pairs: Vec<(Value, Value)> = names
        .filter_map(|name| {
            let value = element.get_item(&name).unwrap_or_default();
            if name.as_str() == Some(first.as_str()) {
                if rest.is_empty() {
                    return None;
                }
                return Some((name, without_key(&value, rest)));
            }
            Some((name, value))
        })
        .collect();
    map_from_pairs(pairs)
}

/// `sequence`: `start=1 end=5 stride=1 format=web%02d`, `count=3`, or the
/// short form `[start-]end[/stride][:format]`.
pub(super) fn sequence(
    terms: &[Value],
    options: &Options,
    _: &Scope,
) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    for term in terms {
        let spec = SequenceSpec::parse(&text(term), options)?;
        spec.extend(&mut items)?;
    }
    Ok(items)
}

struct SequenceSpec {
    start: i64,
    end: i64,
    stride: i64,
    format: String,
}

impl SequenceSpec {
    fn parse(term: &str, options: &Options) -> Result<Self, String> {
        let mut start = 1i64;
        let mut end: Option<i64> = None;
        let mut count: Option<i64> = None;
        let mut stride = 1i64;
        let mut format = "%d".to_string();
        let mut settings: Vec<(String, String)> = options
            .iter()
            .map(|(key, value)| (key.clone(), text(value)))
            .collect();
        let (shortcut, inline) = super::split_inline_options(term);
        settings.extend(inline.iter().map(|(key, value)| (key.clone(), text(value))));
        if !shortcut.is_empty() {
            let (range, shortcut_format) = match shortcut.split_once(':') {
                Some((range, format)) => (range, Some(format)),
                None => (shortcut.as_str(), None),
            };
            let (range, shortcut_stride) = match range.split_once('/') {
                Some((range, stride)) => (range, Some(stride)),
                None => (range, None),
            };
            let (first, last) = match range.split_once('-') {
                Some((first, last)) => (Some(first), last),
                None => (None, range),
            };
            let bad = || format!("can't parse arg={shortcut:?} as an integer");
            if let Some(first) = first {
                start = parse_int(first).ok_or_else(bad)?;
            }
            end = Some(parse_int(last).ok_or_else(bad)?);
            if let Some(value) = shortcut_stride {
                stride = parse_int(value).ok_or_else(bad)?;
            }
            if let Some(value) = shortcut_format {
                format = value.to_string();
            }
        }
        for (key, value) in settings {
            let number =
                || parse_int(&value).ok_or_else(|| format!("can't parse {key}={value} as integer"));
            match key.as_str() {
                "start" => start = number()?,
                "end" => end = Some(number()?),
                "count" => count = Some(number()?),
                "stride" => stride = number()?,
                "format" => format = value,
                _ => {
                    return Err(format!(
                        "unrecognized arguments to with_sequence: ['{key}']"
                    ));
                }
            }
        }
        let end = match (end, count) {
            (Some(_), Some(_)) => {
                return Err("can't specify both count and end in with_sequence".into());
            }
            (Some(end), None) => end,
            (None, Some(0)) => return Ok(Self::empty()),
            (None, Some(count)) => start + (count - 1) * stride,
            (None, None) => return Err("must specify count or end in with_sequence".into()),
        };
        if stride > 0 && end < start {
            return Err("to count backwards make stride negative".into());
        }
        if stride < 0 && end > start {
            return Err("to count forward don't make stride negative".into());
        }
        if format.matches('%').count() != 1 {
            return Err(format!("bad formatting string: {format}"));
        }
        Ok(Self {
            start,
            end,
            stride,
            format,
        })
    }

    fn empty() -> Self {
        Self {
            start: 1,
            end: 0,
            stride: 1,
            format: "%d".into(),
        }
    }

    fn extend(&self, items: &mut Vec<Value>) -> Result<(), String> {
        if self.stride == 0 {
            return Ok(());
        }
        let mut i = self.start;
        while (self.stride > 0 && i <= self.end) || (self.stride < 0 && i >= self.end) {
            items.push(Value::from(printf_int(&self.format, i)));
            i += self.stride;
            if items.len() > 1_000_000 {
                return Err("with_sequence: more than 1000000 items".into());
            }
        }
        Ok(())
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    if let Some(octal) = text.strip_prefix("0o") {
        return i64::from_str_radix(octal, 8).ok();
    }
    text.parse().ok()
}

/// The subset of printf that sequence formats use: `%d`, `%02d`, `%x`, `%o`, `%s`.
fn printf_int(format: &str, value: i64) -> String {
    let Some(percent) = format.find('%') else {
        return format.to_string();
    };
    let rest = &format[percent + 1..];
    let flags: String = rest
        .chars()
        .take_while(|c| *c == '-' || *c == '0')
        .collect();
    let after_flags = &rest[flags.len()..];
    let digits: String = after_flags
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let Some(conversion) = after_flags[digits.len()..].chars().next() else {
        return format.to_string();
    };
    let width: usize = digits.parse().unwrap_or(0);
    let body = match conversion {
        'd' | 'i' | 's' | 'u' => value.to_string(),
        'x' => format!("{value:x}"),
        'X' => format!("{value:X}"),
        'o' => format!("{value:o}"),
        _ => return format.to_string(),
    };
    let padded = if flags.contains('-') {
        format!("{body:<width$}")
    } else if flags.contains('0') {
        format!("{body:0>width$}")
    } else {
        format!("{body:>width$}")
    };
    let tail = &after_flags[digits.len() + conversion.len_utf8()..];
    format!("{}{padded}{tail}", &format[..percent])
}
