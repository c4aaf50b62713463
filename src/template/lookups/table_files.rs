//! Lookups that read one value out of a controller file: `csvfile` and `ini`
//! (Python's `csv` excel dialect and `configparser` rules).

use super::search::find;
use super::{Options, Scope, flag, text};
use crate::value::Value;

/// Options of a lookup with their defaults, overridden by keyword options
/// and then by `k=v` words inside the term.
fn settings(
    defaults: &[(&str, &str)],
    options: &Options,
    inline: &Options,
) -> Result<Options, String> {
    let mut out: Options = defaults
        .iter()
        .map(|(key, value)| ((*key).to_string(), Value::from(*value)))
        .collect();
    for (key, value) in options.iter().chain(inline) {
        if !out.contains_key(key) && !matches!(key.as_str(), "allow_none") {
            return Err(format!("'{key}' is not a valid option"));
        }
        out.insert(key.clone(), value.clone());
    }
    Ok(out)
}

fn setting(settings: &Options, key: &str) -> String {
    settings.get(key).map(text).unwrap_or_default()
}

fn read(scope: &Scope, name: &str) -> Result<String, String> {
    let path = find(scope, Some("files"), name)
        .ok_or_else(|| format!("Unable to find '{name}' in expected paths"))?;
    std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
}

pub(super) fn csvfile(
    terms: &[Value],
    options: &Options,
    scope: &Scope,
) -> Result<Vec<Value>, String> {
    if terms.is_empty() {
        return Err("Search key is required but was not found".into());
    }
    let defaults = [
        ("col", "1"),
        ("keycol", "0"),
        ("default", ""),
        ("delimiter", "TAB"),
        ("file", "ansible.csv"),
        ("encoding", "utf-8"),
    ];
    let mut out = Vec::new();
    for term in terms {
        let (key, inline) = super::split_inline_options(&text(term));
        if key.is_empty() {
            return Err("Search key is required but was not found".into());
        }
        let settings = settings(&defaults, options, &inline)?;
        let delimiter = match setting(&settings, "delimiter").as_str() {
            "TAB" | "\\t" => b'\t',
            other => *other.as_bytes().first().unwrap_or(&b'\t'),
        };
        let column = |name: &str| {
            setting(&settings, name)
                .parse::<usize>()
                .map_err(|_| format!("{name} must be an integer"))
        };
        let (col, keycol) = (column("col")?, column("keycol")?);
        let contents = read(scope, &setting(&settings, "file"))?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(contents.as_bytes());
        let mut found = None;
        for record in reader.records() {
            let record = record.map_err(|e| e.to_string())?;
            if record.get(keycol) == Some(key.as_str()) {
                let cell = record
                    .get(col)
                    .ok_or_else(|| "list index out of range".to_string())?;
                found = Some(Value::from(cell));
                break;
            }
        }
        out.push(found.unwrap_or_else(|| settings.get("default").cloned().unwrap_or_default()));
    }
    Ok(out)
}

pub(super) fn ini(terms: &[Value], options: &Options, scope: &Scope) -> Result<Vec<Value>, String> {
    let defaults = [
        ("type", "ini"),
        ("file", "ansible.ini"),
        ("section", "global"),
        ("re", "false"),
        ("encoding", "utf-8"),
        ("default", ""),
        ("case_sensitive", "false"),
        ("allow_no_value", "false"),
        ("interpolation", "true"),
    ];
    let mut out = Vec::new();
    for term in terms {
        let (key, inline) = super::split_inline_options(&text(term));
        let settings = settings(&defaults, options, &inline)?;
        let case_sensitive = flag(&settings, "case_sensitive", false)?;
        let properties = setting(&settings, "type") == "properties";
        let file = setting(&settings, "file");
        let mut contents = read(scope, &file)?;
        let section = if properties {
            contents.insert_str(0, "[java_properties]\n");
            "java_properties".to_string()
        } else {
            setting(&settings, "section")
        };
        let parsed = IniFile::parse(&contents, case_sensitive)
            .map_err(|option| format!("Duplicate option in '{file}': {option}"))?;
        let Some(entries) = parsed.section(&section) else {
            return Err(format!("No section '{section}' in '{file}'."));
        };
        let wanted = if case_sensitive {
            key.clone()
        } else {
            key.to_lowercase()
        };
        if flag(&settings, "re", false)? {
            let pattern = regex::Regex::new(&format!("^(?:{key})")).map_err(|e| e.to_string())?;
            out.extend(
                entries
                    .iter()
                    .filter(|(name, _)| pattern.is_match(name))
                    .map(|(_, value)| Value::from(value.as_str())),
            );
        } else {
            match entries.iter().find(|(name, _)| *name == wanted) {
                Some((_, value)) => out.push(Value::from(value.as_str())),
                None => out.push(settings.get("default").cloned().unwrap_or_default()),
            }
        }
    }
    Ok(out)
}

/// An INI file as Python's `configparser` reads it: `[section]` headers,
/// `key = value` or `key: value`, `#`/`;` comment lines, indented
/// continuation lines, `[DEFAULT]` entries visible in every section.
struct IniFile {
    sections: Vec<(String, Vec<(String, String)>)>,
}

impl IniFile {
    fn parse(contents: &str, case_sensitive: bool) -> Result<Self, String> {
        let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for line in contents.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            let continuation = line.starts_with([' ', '\t']);
            if continuation {
                if let Some((_, entries)) = sections.last_mut()
                    && let Some((_, value)) = entries.last_mut()
                {
                    value.push('\n');
                    value.push_str(trimmed);
                }
                continue;
            }
            if let Some(name) = trimmed.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                sections.push((name.to_string(), Vec::new()));
                continue;
            }
            let split = trimmed.find(['=', ':']);
            let (name, value) = match split {
                Some(at) => (trimmed[..at].trim(), trimmed[at + 1..].trim()),
                None => (trimmed, ""),
            };
            let name = if case_sensitive {
                name.to_string()
            } else {
                name.to_lowercase()
            };
            let Some((_, entries)) = sections.last_mut() else {
                continue;
            };
            if entries.iter().any(|(existing, _)| *existing == name) {
                return Err(name);
            }
            entries.push((name, value.to_string()));
        }
        Ok(Self { sections })
    }

    fn section(&self, name: &str) -> Option<Vec<(String, String)>> {
        let mut entries = self
            .sections
            .iter()
            .find(|(section, _)| section == name)?
            .1
            .clone();
        if let Some((_, defaults)) = self.sections.iter().find(|(s, _)| s == "DEFAULT") {
            for (key, value) in defaults {
                if !entries.iter().any(|(k, _)| k == key) {
                    entries.push((key.clone(), value.clone()));
                }
            }
        }
        Some(entries)
    }
}
