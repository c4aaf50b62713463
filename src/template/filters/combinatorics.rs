//! Python's itertools as Ansible exposes them (`zip`, `product`,
//! `permutations`, `combinations`), and the list reshaping filters
//! `subelements`, `rekey_on_member`, `random` and `shuffle`.
//! Tuples come out as lists, as Ansible 2.19 returns them.

use minijinja::value::{Kwargs, Rest, ValueKind};
use minijinja::{Environment, Error, ErrorKind};

use super::failure;
use crate::template::pyrandom::{PyRandom, Seed};
use crate::template::pyrepr::py_str;
use crate::value::{Value, map_from_pairs};

/// Results past this many items are refused rather than built.
const MAX_ITEMS: usize = 1_000_000;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("zip", zip);
    env.add_filter("product", product);
    env.add_filter("permutations", permutations);
    env.add_filter("combinations", combinations);
    env.add_filter("subelements", subelements);
    env.add_filter("rekey_on_member", rekey_on_member);
    env.add_filter("random", random);
    env.add_filter("shuffle", shuffle);
}

fn items(value: &Value) -> Result<Vec<Value>, Error> {
    match value.kind() {
        ValueKind::Undefined => Err(Error::from(ErrorKind::UndefinedError)),
        ValueKind::Seq | ValueKind::Iterable | ValueKind::Map | ValueKind::String => {
            Ok(value.try_iter()?.collect())
        }
        _ => Err(failure(format!(
            "'{}' object is not iterable",
            super::core::type_name(value)
        ))),
    }
}

fn too_many(count: usize) -> Result<(), Error> {
    if count > MAX_ITEMS {
        return Err(failure(format!(
            "the result would have {count} items, more than runbook builds ({MAX_ITEMS})"
        )));
    }
    Ok(())
}

/// `zip(*lists)`: as long as the shortest.
pub(crate) fn zip(value: &Value, others: Rest<Value>) -> Result<Value, Error> {
    let lists = std::iter::once(value)
        .chain(others.iter())
        .map(items)
        .collect::<Result<Vec<_>, _>>()?;
    let shortest = lists.iter().map(Vec::len).min().unwrap_or(0);
    Ok(Value::from(
        (0..shortest)
            .map(|i| Value::from(lists.iter().map(|l| l[i].clone()).collect::<Vec<_>>()))
            .collect::<Vec<_>>(),
    ))
}

/// `product(*lists, repeat=1)`.
pub(crate) fn product(value: &Value, others: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let repeat: usize = kwargs.get::<Option<usize>>("repeat")?.unwrap_or(1);
    kwargs.assert_all_used()?;
    let lists = std::iter::once(value)
        .chain(others.iter())
        .map(items)
        .collect::<Result<Vec<_>, _>>()?;
    let pools: Vec<&Vec<Value>> = (0..repeat).flat_map(|_| lists.iter()).collect();
    let count = pools
        .iter()
        .try_fold(1usize, |acc, pool| acc.checked_mul(pool.len()))
        .unwrap_or(usize::MAX);
    too_many(count)?;
    let mut rows: Vec<Vec<Value>> = vec![Vec::new()];
    for pool in pools {
        rows = rows
            .into_iter()
            .flat_map(|row| {
                pool.iter().map(move |item| {
                    let mut next = row.clone();
                    next.push(item.clone());
                    next
                })
            })
            .collect();
    }
    Ok(Value::from(
        rows.into_iter().map(Value::from).collect::<Vec<_>>(),
    ))
}

/// `permutations(r=None)`, in itertools' order.
pub(crate) fn permutations(value: &Value, r: Option<usize>) -> Result<Value, Error> {
    let pool = items(value)?;
    let r = r.unwrap_or(pool.len());
    if r > pool.len() {
        return Ok(Value::from(Vec::<Value>::new()));
    }
    let count = (pool.len() - r + 1..=pool.len()).try_fold(1usize, |acc, n| acc.checked_mul(n));
    too_many(count.unwrap_or(usize::MAX))?;
    let mut out = Vec::new();
    let mut chosen = Vec::with_capacity(r);
    let mut used = vec![false; pool.len()];
    permute(&pool, r, &mut chosen, &mut used, &mut out);
    Ok(Value::from(out))
}

fn permute(
    pool: &[Value],
    r: usize,
    chosen: &mut Vec<Value>,
    used: &mut [bool],
    out: &mut Vec<Value>,
) {
    if chosen.len() == r {
        out.push(Value::from(chosen.clone()));
        return;
    }
    for i in 0..pool.len() {
        if used[i] {
            continue;
        }
        used[i] = true;
        chosen.push(pool[i].clone());
        permute(pool, r, chosen, used, out);
        chosen.pop();
        used[i] = false;
    }
}

/// `combinations(r)`, in itertools' order.
pub(crate) fn combinations(value: &Value, r: usize) -> Result<Value, Error> {
    let pool = items(value)?;
    if r > pool.len() {
        return Ok(Value::from(Vec::<Value>::new()));
    }
    too_many(binomial(pool.len(), r))?;
    let mut out = Vec::new();
    let mut indices: Vec<usize> = (0..r).collect();
    loop {
        out.push(Value::from(
            indices.iter().map(|&i| pool[i].clone()).collect::<Vec<_>>(),
        ));
        let Some(i) = (0..r).rev().find(|&i| indices[i] != i + pool.len() - r) else {
            break;
        };
        indices[i] += 1;
        for j in i + 1..r {
            indices[j] = indices[j - 1] + 1;
        }
    }
    Ok(Value::from(out))
}

pub(crate) fn binomial(n: usize, k: usize) -> usize {
    let k = k.min(n - k);
    (0..k).fold(1usize, |acc, i| acc.saturating_mul(n - i) / (i + 1))
}

/// `subelements(obj, 'a.b', skip_missing=False)`: `[element, value]` for
/// every value of the list under the key path of each element.
fn subelements(
    value: &Value,
    path: &Value,
    skip_missing: Option<bool>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let skip_missing = match skip_missing {
        Some(flag) => flag,
        None => kwargs.get::<Option<bool>>("skip_missing")?.unwrap_or(false),
    };
    kwargs.assert_all_used()?;
    let elements: Vec<Value> = match value.kind() {
        ValueKind::Map => value
            .try_iter()?
            .map(|key| value.get_item(&key).unwrap_or_default())
            .collect(),
        ValueKind::Seq => value.try_iter()?.collect(),
        _ => return Err(failure("obj must be a list of dicts or a nested dict")),
    };
    let keys: Vec<Value> = match path.kind() {
        ValueKind::Seq => path.try_iter()?.collect(),
        ValueKind::String => path
            .as_str()
            .unwrap_or_default()
            .split('.')
            .map(Value::from)
            .collect(),
        _ => return Err(failure("subelements must be a list or a string")),
    };
    let mut out = Vec::new();
    for element in elements {
        let mut current = element.clone();
        let mut last_key = Value::from(());
        for key in &keys {
            last_key = key.clone();
            if current.kind() != ValueKind::Map && current.kind() != ValueKind::Seq {
                return Err(failure(format!(
                    "the key {} should point to a dictionary, got '{}'",
                    py_str(key),
                    py_str(&current)
                )));
            }
            match current.get_item(key) {
                Ok(next) if !next.is_undefined() => current = next,
                _ if skip_missing => {
                    current = Value::from(Vec::<Value>::new());
                    break;
                }
                _ => {
                    return Err(failure(format!(
                        "could not find {} key in iterated item {}",
                        repr(key),
                        repr(&current)
                    )));
                }
            }
        }
        if current.kind() != ValueKind::Seq {
            return Err(failure(format!(
                "the key {} should point to a list, got {}",
                repr(&last_key),
                repr(&current)
            )));
        }
        for item in current.try_iter()? {
            out.push(Value::from(vec![element.clone(), item]));
        }
    }
    Ok(Value::from(out))
}

/// Python's `%r` of a value (strings quoted).
fn repr(value: &Value) -> String {
    if let Some(text) = value.as_str() {
        return format!("'{text}'");
    }
    py_str(value)
}

/// `rekey_on_member(key, duplicates='error')`: a dict of the items by
/// their `key`.
fn rekey_on_member(
    value: &Value,
    key: &Value,
    duplicates: Option<String>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let duplicates = match duplicates {
        Some(d) => d,
        None => kwargs
            .get::<Option<String>>("duplicates")?
            .unwrap_or_else(|| "error".into()),
    };
    kwargs.assert_all_used()?;
    if duplicates != "error" && duplicates != "overwrite" {
        return Err(failure(format!(
            "duplicates parameter to rekey_on_member has unknown value '{duplicates}'"
        )));
    }
    let items: Vec<Value> = match value.kind() {
        ValueKind::Map => value
            .try_iter()?
            .map(|k| value.get_item(&k).unwrap_or_default())
            .collect(),
        ValueKind::Seq | ValueKind::Iterable => value.try_iter()?.collect(),
        _ => return Err(failure("Type is not a valid list, set, or dict")),
    };
    let mut out: indexmap::IndexMap<Value, Value> = indexmap::IndexMap::new();
    for item in items {
        if item.kind() != ValueKind::Map {
            return Err(failure("List item is not a valid dict"));
        }
        let member = item
            .get_item(key)
            .ok()
            .filter(|v| !v.is_undefined())
            .ok_or_else(|| failure(format!("Key {} was not found.", repr(key))))?;
        if out.contains_key(&member) && duplicates == "error" {
            return Err(failure(format!(
                "Key {} is not unique, cannot convert to dict.",
                repr(&member)
            )));
        }
        out.insert(member, item);
    }
    Ok(map_from_pairs(out))
}

/// `random(start=None, step=None, seed=None)`: a number below an integer,
/// or an item of a list.
fn random(
    value: &Value,
    start: Option<i64>,
    step: Option<i64>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    use rand::RngExt;
    let start = match start {
        Some(s) => Some(s),
        None => kwargs.get::<Option<i64>>("start")?,
    };
    let step = match step {
        Some(s) => Some(s),
        None => kwargs.get::<Option<i64>>("step")?,
    };
    let seed = kwargs.get::<Option<Value>>("seed")?;
    kwargs.assert_all_used()?;
    let mut seeded = seed.filter(|s| !s.is_none()).map(|seed| seeded(&seed));
    let mut below = |n: usize| match &mut seeded {
        Some(random) => random.below(n as u64) as usize,
        None => rand::rng().random_range(0..n),
    };
    if value.is_integer() {
        let end = i64::try_from(value.clone()).map_err(|e| failure(e.to_string()))?;
        let start = start.filter(|s| *s != 0).unwrap_or(0);
        let step = step.filter(|s| *s != 0).unwrap_or(1);
        let count = if step > 0 {
            (end - start + step - 1).div_euclid(step)
        } else {
            (start - end - step - 1).div_euclid(-step)
        };
        if count <= 0 {
            return Err(failure(format!(
                "empty range in randrange({start}, {end}, {step})"
            )));
        }
        let count = usize::try_from(count).map_err(|e| failure(e.to_string()))?;
        return Ok(Value::from(start + step * below(count) as i64));
    }
    if start.is_some() || step.is_some() {
        return Err(failure(
            "start and step can only be used with integer values",
        ));
    }
    match value.kind() {
        ValueKind::Seq | ValueKind::String | ValueKind::Map | ValueKind::Iterable => {
            let pool: Vec<Value> = value.try_iter()?.collect();
            if pool.is_empty() {
                return Err(failure("Cannot choose from an empty sequence"));
            }
            Ok(pool[below(pool.len())].clone())
        }
        _ => Err(failure("random can only be used on sequences and integers")),
    }
}

/// Python's `Random(seed)`: integers seed as numbers, anything else as its text.
fn seeded(seed: &Value) -> PyRandom {
    match seed.kind() {
        ValueKind::Bool => PyRandom::new(Seed::Int(i64::from(seed.is_true()))),
        _ => match i64::try_from(seed.clone()) {
            Ok(number) if seed.is_integer() => PyRandom::new(Seed::Int(number)),
            _ => PyRandom::new(Seed::Text(&py_str(seed))),
        },
    }
}

/// `shuffle(seed=None)`: the items in a random order.
fn shuffle(value: &Value, kwargs: Kwargs) -> Result<Value, Error> {
    use rand::seq::SliceRandom;
    let seed = kwargs.get::<Option<Value>>("seed")?;
    kwargs.assert_all_used()?;
    let Ok(iter) = value.try_iter() else {
        return Ok(value.clone());
    };
    let mut list: Vec<Value> = iter.collect();
    match seed.filter(|s| s.is_true()) {
        Some(seed) => seeded(&seed).shuffle(&mut list),
        None => list.shuffle(&mut rand::rng()),
    }
    Ok(Value::from(list))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::binomial;
    use crate::template::filters::test_support::render;

    fn list_of(len: usize) -> String {
        let items: Vec<String> = (0..len).map(|i| i.to_string()).collect();
        format!("[{}]", items.join(", "))
    }

    #[test]
    fn itertools_order() {
        let cases = [
            (
                "{{ [1, 2] | product(['a', 'b']) }}",
                "[[1, 'a'], [1, 'b'], [2, 'a'], [2, 'b']]",
            ),
            ("{{ [0, 1] | product(repeat=2) | length }}", "4"),
            (
                "{{ [1, 2, 3] | permutations(2) }}",
                "[[1, 2], [1, 3], [2, 1], [2, 3], [3, 1], [3, 2]]",
            ),
            ("{{ [1, 2, 3] | permutations | length }}", "6"),
            (
                "{{ [1, 2, 3] | combinations(2) }}",
                "[[1, 2], [1, 3], [2, 3]]",
            ),
            ("{{ [1, 2] | combinations(3) }}", "[]"),
            ("{{ [1, 2, 3] | zip(['a', 'b']) }}", "[[1, 'a'], [2, 'b']]"),
            (
                "{{ [{'n': 'a'}, {'n': 'b'}] | rekey_on_member('n') }}",
                "{'a': {'n': 'a'}, 'b': {'n': 'b'}}",
            ),
            (
                "{{ [{'k': [1, 2]}] | subelements('k') }}",
                "[[{'k': [1, 2]}, 1], [{'k': [1, 2]}, 2]]",
            ),
            (
                "{{ [{'x': 1}] | subelements('k', skip_missing=True) }}",
                "[]",
            ),
            ("{{ [5] | random }} {{ 1 | random }}", "5 0"),
            ("{{ [1, 2, 3] | shuffle(seed='x') | sort }}", "[1, 2, 3]"),
            // Seeded draws are Python's, as Ansible's are.
            ("{{ 59 | random(seed='web01') }}", "22"),
            ("{{ ['a', 'b', 'c'] | random(seed=42) }}", "c"),
            (
                "{{ [1, 2, 3, 4, 5] | shuffle(seed='k') }}",
                "[2, 3, 5, 4, 1]",
            ),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn lengths_follow_the_formulas(a in 0usize..6, b in 0usize..6, r in 0usize..4) {
            let (la, lb) = (list_of(a), list_of(b));
            prop_assert_eq!(render(&format!("{{{{ {la} | zip({lb}) | length }}}}")), a.min(b).to_string());
            prop_assert_eq!(render(&format!("{{{{ {la} | zip_longest({lb}) | length }}}}")), a.max(b).to_string());
            prop_assert_eq!(render(&format!("{{{{ {la} | product({lb}) | length }}}}")), (a * b).to_string());
            let combinations = if r > a { 0 } else { binomial(a, r) };
            prop_assert_eq!(render(&format!("{{{{ {la} | combinations({r}) | length }}}}")), combinations.to_string());
            let permutations: usize = if r > a { 0 } else { (a - r + 1..=a).product() };
            prop_assert_eq!(render(&format!("{{{{ {la} | permutations({r}) | length }}}}")), permutations.to_string());
        }

        #[test]
        fn random_stays_in_range(end in 1i64..1000, start in 0i64..10, step in 1i64..5) {
            prop_assume!(start < end);
            let out: i64 = render(&format!("{{{{ {end} | random(start={start}, step={step}) }}}}"))
                .parse()
                .expect("number");
            prop_assert!(out >= start && out < end && (out - start) % step == 0);
        }
    }
}
