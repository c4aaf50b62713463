//! List and dict filters from Ansible: `combine`, `dict2items`,
//! `items2dict`, `flatten`, the set operations (`union`, `intersect`,
//! `difference`, `symmetric_difference`), `zip_longest` and `extract`.
//! Results keep the input's order, as Ansible's do.

use indexmap::IndexMap;
use minijinja::value::{Kwargs, Rest, ValueKind};
use minijinja::{Environment, Error, ErrorKind};

use super::failure;
use crate::template::filters::core::type_name;
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("combine", combine);
    env.add_filter("dict2items", dict2items);
    env.add_filter("items2dict", items2dict);
    env.add_filter("flatten", flatten);
    env.add_filter("union", union);
    env.add_filter("intersect", intersect);
    env.add_filter("difference", difference);
    env.add_filter("symmetric_difference", symmetric_difference);
    env.add_filter("zip_longest", zip_longest);
    env.add_filter("extract", extract);
}

type Map = IndexMap<Value, Value>;

fn as_map(value: &Value, filter: &str) -> Result<Map, Error> {
    if value.kind() != ValueKind::Map {
        return Err(failure(format!(
            "{filter} expects dictionaries, got {}",
            type_name(value)
        )));
    }
    Ok(value
        .try_iter()?
        .map(|key| {
            let item = value.get_item(&key).unwrap_or_default();
            (key, item)
        })
        .collect())
}

fn as_list(value: &Value, filter: &str) -> Result<Vec<Value>, Error> {
    match value.kind() {
        ValueKind::Seq | ValueKind::Iterable => Ok(value.try_iter()?.collect()),
        ValueKind::Undefined => Err(Error::from(ErrorKind::UndefinedError)),
        _ => Err(failure(format!(
            "{filter} expects a list, got {}",
            type_name(value)
        ))),
    }
}

/// How `combine` merges two lists found under the same key.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ListMerge {
    Replace,
    Keep,
    Append,
    Prepend,
    AppendRp,
    PrependRp,
}

impl ListMerge {
    fn parse(text: &str) -> Result<Self, Error> {
        Ok(match text {
            "replace" => Self::Replace,
            "keep" => Self::Keep,
            "append" => Self::Append,
            "prepend" => Self::Prepend,
            "append_rp" => Self::AppendRp,
            "prepend_rp" => Self::PrependRp,
            other => {
                return Err(failure(format!(
                    "merge_hash: 'list_merge' accepts only 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp', not '{other}'"
                )));
            }
        })
    }

    fn merge(self, low: &[Value], high: &[Value]) -> Vec<Value> {
        let low_not_in_high = || low.iter().filter(|v| !high.contains(v)).cloned();
        match self {
            Self::Replace => high.to_vec(),
            Self::Keep => low.to_vec(),
            Self::Append => low.iter().chain(high).cloned().collect(),
            Self::Prepend => high.iter().chain(low).cloned().collect(),
            Self::AppendRp => low_not_in_high().chain(high.iter().cloned()).collect(),
            Self::PrependRp => high.iter().cloned().chain(low_not_in_high()).collect(),
        }
    }
}

/// `combine(*dicts, recursive=False, list_merge='replace')`: later dicts
/// win; arguments may also be lists of dicts.
fn combine(value: &Value, others: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let recursive = kwargs.get::<Option<bool>>("recursive")?.unwrap_or(false);
    let list_merge = ListMerge::parse(
        kwargs
            .get::<Option<&str>>("list_merge")?
            .unwrap_or("replace"),
    )?;
    kwargs.assert_all_used()?;
    let mut dicts = Vec::new();
    for term in std::iter::once(value).chain(others.iter()) {
        match term.kind() {
            ValueKind::Seq | ValueKind::Iterable => {
                for item in term.try_iter()? {
                    dicts.push(as_map(&item, "combine")?);
                }
            }
            _ => dicts.push(as_map(term, "combine")?),
        }
    }
    let mut high_to_low = dicts.into_iter().rev();
    let Some(mut result) = high_to_low.next() else {
        return Ok(Value::from(Map::new()));
    };
    for lower in high_to_low {
        result = merge_hash(lower, &result, recursive, list_merge)?;
    }
    Ok(Value::from(result))
}

/// Ansible's `merge_hash(x, y)`: `y` wins over `x`.
fn merge_hash(
    mut low: Map,
    high: &Map,
    recursive: bool,
    list_merge: ListMerge,
) -> Result<Map, Error> {
    for (key, high_value) in high {
        let merged = match low.get(key) {
            Some(low_value) => merge_values(low_value, high_value, recursive, list_merge)?,
            None => high_value.clone(),
        };
        low.insert(key.clone(), merged);
    }
    Ok(low)
}

fn merge_values(
    low: &Value,
    high: &Value,
    recursive: bool,
    list_merge: ListMerge,
) -> Result<Value, Error> {
    let both = |kind: ValueKind| low.kind() == kind && high.kind() == kind;
    if both(ValueKind::Map) {
        if !recursive {
            return Ok(high.clone());
        }
        let merged = merge_hash(
            as_map(low, "combine")?,
            &as_map(high, "combine")?,
            recursive,
            list_merge,
        )?;
        return Ok(Value::from(merged));
    }
    if both(ValueKind::Seq) {
        let (low, high) = (as_list(low, "combine")?, as_list(high, "combine")?);
        return Ok(Value::from(list_merge.merge(&low, &high)));
    }
    Ok(high.clone())
}

/// `dict2items(key_name='key', value_name='value')`.
fn dict2items(
    value: &Value,
    key_name: Option<String>,
    value_name: Option<String>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let key_name = named(key_name, &kwargs, "key_name", "key")?;
    let value_name = named(value_name, &kwargs, "value_name", "value")?;
    kwargs.assert_all_used()?;
    if value.kind() != ValueKind::Map {
        return Err(failure(format!(
            "dict2items requires a dictionary, got {} instead.",
            type_name(value)
        )));
    }
    let items = as_map(value, "dict2items")?
        .into_iter()
        .map(|(k, v)| {
            Value::from(Map::from([
                (Value::from(key_name.as_str()), k),
                (Value::from(value_name.as_str()), v),
            ]))
        })
        .collect::<Vec<_>>();
    Ok(Value::from(items))
}

fn named(
    positional: Option<String>,
    kwargs: &Kwargs,
    name: &str,
    default: &str,
) -> Result<String, Error> {
    match positional {
        Some(value) => Ok(value),
        None => Ok(kwargs
            .get::<Option<String>>(name)?
            .unwrap_or_else(|| default.to_string())),
    }
}

/// `items2dict(key_name='key', value_name='value')`.
fn items2dict(
    value: &Value,
    key_name: Option<String>,
    value_name: Option<String>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let key_name = named(key_name, &kwargs, "key_name", "key")?;
    let value_name = named(value_name, &kwargs, "value_name", "value")?;
    kwargs.assert_all_used()?;
    let mut result = Map::new();
    for item in as_list(value, "items2dict")? {
        if item.kind() != ValueKind::Map {
            return Err(failure(format!(
                "items2dict requires a list of dictionaries, got {} in the list.",
                type_name(&item)
            )));
        }
        let field = |name: &str| {
            item.get_attr(name)
                .ok()
                .filter(|v| !v.is_undefined())
                .ok_or_else(|| failure(format!("items2dict: an item has no '{name}' key: {item}")))
        };
        result.insert(field(&key_name)?, field(&value_name)?);
    }
    Ok(Value::from(result))
}

/// `flatten(levels=None, skip_nulls=True)`.
fn flatten(value: &Value, levels: Option<usize>, kwargs: Kwargs) -> Result<Value, Error> {
    let levels = match levels {
        Some(l) => Some(l),
        None => kwargs.get::<Option<usize>>("levels")?,
    };
    let skip_nulls = kwargs.get::<Option<bool>>("skip_nulls")?.unwrap_or(true);
    kwargs.assert_all_used()?;
    let mut out = Vec::new();
    flatten_into(&mut out, &as_list(value, "flatten")?, levels, skip_nulls)?;
    Ok(Value::from(out))
}

fn flatten_into(
    out: &mut Vec<Value>,
    items: &[Value],
    levels: Option<usize>,
    skip_nulls: bool,
) -> Result<(), Error> {
    for item in items {
        let is_null = item.is_none() || matches!(item.as_str(), Some("None" | "null"));
        if skip_nulls && is_null {
            continue;
        }
        match (item.kind(), levels) {
            (ValueKind::Seq, None) => {
                flatten_into(out, &as_list(item, "flatten")?, None, skip_nulls)?
            }
            (ValueKind::Seq, Some(l)) if l >= 1 => {
                flatten_into(out, &as_list(item, "flatten")?, Some(l - 1), skip_nulls)?;
            }
            _ => out.push(item.clone()),
        }
    }
    Ok(())
}

/// Order-preserving de-duplication (Ansible calls `unique` with
/// `case_sensitive=True` inside its set filters).
fn dedup(items: impl IntoIterator<Item = Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn union(a: &Value, b: &Value) -> Result<Value, Error> {
    let (a, b) = (as_list(a, "union")?, as_list(b, "union")?);
    Ok(Value::from(dedup(a.into_iter().chain(b))))
}

fn intersect(a: &Value, b: &Value) -> Result<Value, Error> {
    let (a, b) = (as_list(a, "intersect")?, as_list(b, "intersect")?);
    Ok(Value::from(dedup(a.into_iter().filter(|x| b.contains(x)))))
}

fn difference(a: &Value, b: &Value) -> Result<Value, Error> {
    let (a, b) = (as_list(a, "difference")?, as_list(b, "difference")?);
    Ok(Value::from(dedup(a.into_iter().filter(|x| !b.contains(x)))))
}

fn symmetric_difference(a: &Value, b: &Value) -> Result<Value, Error> {
    let (a, b) = (
        as_list(a, "symmetric_difference")?,
        as_list(b, "symmetric_difference")?,
    );
    let both: Vec<Value> = a.iter().filter(|x| b.contains(x)).cloned().collect();
    let all = dedup(a.into_iter().chain(b));
    Ok(Value::from(
        all.into_iter()
            .filter(|x| !both.contains(x))
            .collect::<Vec<_>>(),
    ))
}

/// `zip_longest(*lists, fillvalue=None)`.
fn zip_longest(value: &Value, others: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let fill = kwargs
        .get::<Option<Value>>("fillvalue")?
        .unwrap_or(Value::from(()));
    kwargs.assert_all_used()?;
    let lists = std::iter::once(value)
        .chain(others.iter())
        .map(|list| as_list(list, "zip_longest"))
        .collect::<Result<Vec<_>, _>>()?;
    let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
    let rows = (0..longest)
        .map(|i| {
            let row: Vec<Value> = lists
                .iter()
                .map(|list| list.get(i).cloned().unwrap_or_else(|| fill.clone()))
                .collect();
            Value::from(row)
        })
        .collect::<Vec<_>>();
    Ok(Value::from(rows))
}

/// `extract(container, morekeys=None)`: `container[item]`, then deeper by
/// `morekeys` (one key or a list). Used as `map('extract', hostvars, 'x')`.
/// A key that is not there gives an undefined value, as Jinja's `getitem`
/// does: `default` then replaces it, and using it fails as any undefined does.
fn extract(item: &Value, container: &Value, morekeys: Option<Value>) -> Result<Value, Error> {
    let mut current = container.get_item(item)?;
    let keys: Vec<Value> = match morekeys {
        None => Vec::new(),
        Some(keys) if keys.kind() == ValueKind::Seq => keys.try_iter()?.collect(),
        Some(key) => vec![key],
    };
    for key in keys {
        if current.is_undefined() {
            break;
        }
        current = current.get_item(&key)?;
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use crate::template::filters::test_support::{render, render_err};

    #[test]
    fn combine_merges_like_ansible() {
        let cases = [
            (
                "{{ {'a': 1, 'b': 2} | combine({'b': 3, 'c': 4}) }}",
                "{'a': 1, 'b': 3, 'c': 4}",
            ),
            (
                "{{ {'a': {'x': 1, 'y': 2}} | combine({'a': {'y': 3}}) }}",
                "{'a': {'y': 3}}",
            ),
            (
                "{{ {'a': {'x': 1, 'y': 2}} | combine({'a': {'y': 3}}, recursive=true) }}",
                "{'a': {'x': 1, 'y': 3}}",
            ),
            ("{{ {'a': 1} | combine({'a': 2}, {'a': 3}) }}", "{'a': 3}"),
            ("{{ [{'a': 1}, {'b': 2}] | combine }}", "{'a': 1, 'b': 2}"),
            (
                "{{ {'a': 1} | combine([{'b': 2}, {'a': 3}]) }}",
                "{'a': 3, 'b': 2}",
            ),
            (
                "{{ {'l': [1, 2]} | combine({'l': [2, 3]}) }}",
                "{'l': [2, 3]}",
            ),
            (
                "{{ {'l': [1, 2]} | combine({'l': [2, 3]}, list_merge='keep') }}",
                "{'l': [1, 2]}",
            ),
            (
                "{{ {'l': [1, 2]} | combine({'l': [2, 3]}, list_merge='append') }}",
                "{'l': [1, 2, 2, 3]}",
            ),
            (
                "{{ {'l': [1, 2]} | combine({'l': [2, 3]}, list_merge='prepend') }}",
                "{'l': [2, 3, 1, 2]}",
            ),
            (
                "{{ {'l': [1, 2]} | combine({'l': [2, 3]}, list_merge='append_rp') }}",
                "{'l': [1, 2, 3]}",
            ),
            (
                "{{ {'l': [1, 2]} | combine({'l': [2, 3]}, list_merge='prepend_rp') }}",
                "{'l': [2, 3, 1]}",
            ),
            (
                "{{ {'a': {'l': [1]}} | combine({'a': {'l': [2]}}, recursive=true, list_merge='append') }}",
                "{'a': {'l': [1, 2]}}",
            ),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
        assert!(
            render_err("{{ {'a': 1} | combine(5) }}")
                .message
                .contains("combine expects dictionaries, got int")
        );
        assert!(
            render_err("{{ {} | combine({}, list_merge='x') }}")
                .message
                .contains("list_merge")
        );
    }

    #[test]
    fn dict2items_and_back() {
        let cases = [
            (
                "{{ {'a': 1, 'b': 2} | dict2items }}",
                "[{'key': 'a', 'value': 1}, {'key': 'b', 'value': 2}]",
            ),
            (
                "{{ {'a': 1} | dict2items(key_name='k', value_name='v') }}",
                "[{'k': 'a', 'v': 1}]",
            ),
            (
                "{{ {'a': 1, 'b': 2} | dict2items | items2dict }}",
                "{'a': 1, 'b': 2}",
            ),
            (
                "{{ [{'fruit': 'apple', 'color': 'red'}] | items2dict(key_name='fruit', value_name='color') }}",
                "{'apple': 'red'}",
            ),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
        assert!(
            render_err("{{ [1] | dict2items }}")
                .message
                .contains("dict2items requires a dictionary, got list")
        );
        assert!(
            render_err("{{ [{'key': 1}] | items2dict }}")
                .message
                .contains("no 'value' key")
        );
    }

    #[test]
    fn flatten_honours_levels_and_nulls() {
        let cases = [
            ("{{ [1, [2, [3, [4]]]] | flatten }}", "[1, 2, 3, 4]"),
            (
                "{{ [1, [2, [3, [4]]]] | flatten(levels=1) }}",
                "[1, 2, [3, [4]]]",
            ),
            ("{{ [1, [2, [3]]] | flatten(1) }}", "[1, 2, [3]]"),
            ("{{ [1, none, [2, 'None']] | flatten }}", "[1, 2]"),
            ("{{ [1, none] | flatten(skip_nulls=false) }}", "[1, None]"),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }

    #[test]
    fn set_operations_keep_order_and_dedupe() {
        let cases = [
            (
                "{{ [1, 2, 5, 1, 3, 4, 10] | unique }}",
                "[1, 2, 5, 3, 4, 10]",
            ),
            (
                "{{ [1, 2, 5, 1, 3, 4, 10] | union([1, 2, 3, 4, 5, 11, 99]) }}",
                "[1, 2, 5, 3, 4, 10, 11, 99]",
            ),
            (
                "{{ [1, 2, 5, 1, 3, 4, 10] | intersect([1, 2, 3, 4, 5, 11, 99]) }}",
                "[1, 2, 5, 3, 4]",
            ),
            (
                "{{ [1, 2, 5, 1, 3, 4, 10] | difference([1, 2, 3, 4, 5, 11, 99]) }}",
                "[10]",
            ),
            (
                "{{ [1, 2, 5, 1, 3, 4, 10] | symmetric_difference([1, 2, 3, 4, 5, 11, 99]) }}",
                "[10, 11, 99]",
            ),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }

    #[test]
    fn zip_and_extract() {
        let cases = [
            (
                "{{ [1, 2, 3] | zip(['a', 'b', 'c']) | list }}",
                "[[1, 'a'], [2, 'b'], [3, 'c']]",
            ),
            ("{{ [1, 2] | zip(['a']) | list }}", "[[1, 'a']]"),
            ("{{ [1, 2] | zip_longest(['a']) }}", "[[1, 'a'], [2, None]]"),
            (
                "{{ [1, 2] | zip_longest(['a'], fillvalue='x') }}",
                "[[1, 'a'], [2, 'x']]",
            ),
            (
                "{{ [0, 2] | map('extract', ['x', 'y', 'z']) | list }}",
                "['x', 'z']",
            ),
            (
                "{{ ['db'] | map('extract', config, 'host') | list }}",
                "['db1']",
            ),
            (
                "{{ ['db'] | map('extract', config, ['port']) | list }}",
                "[5432]",
            ),
            (
                "{{ ['db', 'cache'] | map('extract', config) | map('default', 'none') | map('type_debug') | list }}",
                "['dict', 'str']",
            ),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }
}
