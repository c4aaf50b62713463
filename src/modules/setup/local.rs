//! `ansible_local`: the `*.fact` files of `fact_path` (default
//! `/etc/ansible/facts.d`), JSON or INI, an executable one by what it
//! prints — keyed by file name without `.fact`, as Ansible reads them.

use crate::value::{Value, VarMap, map_value};

const FACT_MARK: &str = "--runbook-fact-- ";

pub(super) const DEFAULT_FACT_PATH: &str = "/etc/ansible/facts.d";

pub(super) fn local_facts(text: &str) -> Value {
    let mut facts = VarMap::new();
    for chunk in text.split(FACT_MARK).skip(1) {
        let (file, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
        let name = file.trim().trim_end_matches(".fact");
        facts.insert(name.to_string(), parse(body, file.trim()));
    }
    map_value(facts)
}

/// JSON first, INI second; neither gives Ansible's error text as the value.
fn parse(body: &str, file: &str) -> Value {
    let body = body.strip_suffix('\n').unwrap_or(body);
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(body) {
        return Value::from(minijinja::value::Serde(json));
    }
    match ini(body) {
        Some(sections) => map_value(sections),
        None => Value::from(format!(
            "error loading facts as JSON or ini - please check content: {file}"
        )),
    }
}

/// `[section]` and `key=value` (or `key: value`) lines; `None` when a line
/// is neither, or a key comes before any section, as Python's configparser
/// refuses them.
fn ini(body: &str) -> Option<VarMap> {
    let mut sections = VarMap::new();
    let mut current: Option<(String, VarMap)> = None;
    for line in body.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if let Some((name, values)) = current.take() {
                sections.insert(name, map_value(values));
            }
            current = Some((name.to_string(), VarMap::new()));
            continue;
        }
        let (key, value) = line.split_once('=').or_else(|| line.split_once(':'))?;
        let (_, values) = current.as_mut()?;
        values.insert(key.trim().to_lowercase(), Value::from(value.trim()));
    }
    if let Some((name, values)) = current {
        sections.insert(name, map_value(values));
    }
    (!sections.is_empty() || body.trim().is_empty()).then_some(sections)
}

#[cfg(test)]
mod tests {
    use super::local_facts;

    #[test]
    fn json_ini_and_broken_files() {
        let text = "--runbook-fact-- app.fact\n{\"version\": \"1.2\", \"ports\": [80]}\n\
                    --runbook-fact-- db.fact\n[main]\nRole = primary\n\n\
                    --runbook-fact-- bad.fact\nnot a fact\n";
        let facts = local_facts(text);
        let get = |path: &[&str]| {
            let mut value = facts.clone();
            for key in path {
                value = value.get_attr(key).unwrap_or_default();
            }
            value.to_string()
        };
        assert_eq!(get(&["app", "version"]), "1.2");
        assert_eq!(get(&["db", "main", "role"]), "primary");
        assert_eq!(
            get(&["bad"]),
            "error loading facts as JSON or ini - please check content: bad.fact"
        );
    }
}
