//! Lookups that read controller files: `file`, `fileglob`, `first_found`
//! and `template`.

use minijinja::value::ValueKind;

use super::search::{find, search_dirs};
use super::{Options, Scope, flag, items_of, text};
use crate::value::Value;

pub(super) fn file(
    terms: &[Value],
    options: &Options,
    scope: &Scope,
) -> Result<Vec<Value>, String> {
    let lstrip = flag(options, "lstrip", false)?;
    let rstrip = flag(options, "rstrip", true)?;
    let mut out = Vec::new();
    for term in terms {
        let name = text(term);
        let unable = |why: &str| format!("Unable to access the file '{name}': {why}");
        let path = find(scope, Some("files"), &name)
            .ok_or_else(|| unable("File not found. Use -vvvvv to see paths searched."))?;
        let mut contents = std::fs::read_to_string(&path).map_err(|e| unable(&e.to_string()))?;
        if lstrip {
            contents = contents.trim_start().to_string();
        }
        if rstrip {
            contents = contents.trim_end().to_string();
        }
        out.push(Value::from(contents));
    }
    Ok(out)
}

/// Files (not directories) matching a glob in one directory, searched in
/// `files/` and each search directory; the first directory with a match wins.
pub(super) fn fileglob(terms: &[Value], _: &Options, scope: &Scope) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for term in terms {
        let term = text(term);
        let (dir, pattern) = match term.rsplit_once('/') {
            Some((dir, pattern)) => (Some(if dir.is_empty() { "/" } else { dir }), pattern),
            None => (None, term.as_str()),
        };
        let dirs: Vec<std::path::PathBuf> = match dir {
            Some(dir) => find(scope, Some("files"), dir).into_iter().collect(),
            None => search_dirs(scope)
                .into_iter()
                .flat_map(|d| [d.join("files"), d])
                .collect(),
        };
        let matcher = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| e.to_string())?
            .compile_matcher();
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let found: Vec<String> = entries
                .filter_map(Result::ok)
                .filter(|entry| {
                    let name = entry.file_name();
                    let name = name.to_string_lossy();
                    // Python's glob leaves out hidden files unless asked.
                    (!name.starts_with('.') || pattern.starts_with('.'))
                        && matcher.is_match(name.as_ref())
                        && entry.path().is_file()
                })
                .map(|entry| entry.path().display().to_string())
                .collect();
            // Python's glob keeps the directory's own order.
            if !found.is_empty() {
                out.extend(found.into_iter().map(Value::from));
                break;
            }
        }
    }
    Ok(out)
}

/// The first file that exists of a list of names (and `paths`).
pub(super) fn first_found(
    terms: &[Value],
    options: &Options,
    scope: &Scope,
) -> Result<Vec<Value>, String> {
    let subdir = scope.with_action.map(|action| {
        ["template", "var", "file"]
            .into_iter()
            .find(|dir| action.contains(dir))
            .map_or("files".to_string(), |dir| format!("{dir}s"))
    });
    let mut skip = flag(options, "skip", false)?;
    let mut candidates = Vec::new();
    let terms: Vec<Value> = if terms.is_empty() {
        options.get("files").map(items_of).unwrap_or_default()
    } else {
        terms.to_vec()
    };
    collect_candidates(&terms, options, &mut candidates, &mut skip)?;
    for candidate in candidates {
        if let Some(path) = find(scope, subdir.as_deref(), &candidate) {
            return Ok(vec![Value::from(path.display().to_string())]);
        }
    }
    if skip {
        return Ok(Vec::new());
    }
    Err("No file was found when using first_found.".into())
}

fn collect_candidates(
    terms: &[Value],
    options: &Options,
    out: &mut Vec<String>,
    skip: &mut bool,
) -> Result<(), String> {
    for term in terms {
        match term.kind() {
            ValueKind::Map => {
                let option = |name: &str| {
                    term.get_attr(name)
                        .ok()
                        .filter(|v| !v.is_undefined())
                        .or_else(|| options.get(name).cloned())
                };
                if let Some(value) = option("skip") {
                    *skip =
                        value.is_true() || crate::value::parse_bool(&text(&value)) == Some(true);
                }
                let files = split_all(option("files").as_ref(), &[',', ';']);
                let paths = split_all(option("paths").as_ref(), &[',', ':', ';']);
                push_combined(out, &files, &paths);
            }
            ValueKind::String => {
                let paths = split_all(options.get("paths"), &[',', ':', ';']);
                push_combined(out, &[text(term)], &paths);
            }
            ValueKind::Seq => collect_candidates(&items_of(term), options, out, skip)?,
            ValueKind::Undefined | ValueKind::None => {}
            _ => {
                return Err(format!(
                    "Invalid term supplied. A string, dict or list is required, not '{}').",
                    term.kind()
                ));
            }
        }
    }
    Ok(())
}

fn push_combined(out: &mut Vec<String>, files: &[String], paths: &[String]) {
    if paths.is_empty() {
        out.extend(files.iter().cloned());
        return;
    }
    for path in paths {
        for file in files {
            out.push(format!("{}/{file}", path.trim_end_matches('/')));
        }
    }
}

/// A list option (or a string Ansible still splits on `separators`).
fn split_all(value: Option<&Value>, separators: &[char]) -> Vec<String> {
    let Some(value) = value else {
        return Vec::new();
    };
    items_of(value)
        .iter()
        .flat_map(|item| {
            text(item)
                .split(separators)
                .filter(|part| !part.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A template from `templates/`, rendered with the task's variables and
/// `template_vars`.
pub(super) fn template(
    terms: &[Value],
    options: &Options,
    scope: &Scope,
) -> Result<Vec<Value>, String> {
    for refused in [
        "variable_start_string",
        "variable_end_string",
        "comment_start_string",
        "comment_end_string",
    ] {
        if options.contains_key(refused) {
            return Err(format!(
                "the template lookup's {refused} option is not supported by runbook"
            ));
        }
    }
    let mut extra = super::Options::new();
    if let Some(vars) = options.get("template_vars") {
        for key in vars.try_iter().map_err(|e| e.to_string())? {
            let value = vars.get_item(&key).unwrap_or_default();
            extra.insert(text(&key), value);
        }
    }
    let mut out = Vec::new();
    for term in terms {
        let name = text(term);
        let path = find(scope, Some("templates"), &name)
            .ok_or_else(|| format!("the template file {name} could not be found for the lookup"))?;
        let source = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        let mut vars = extra.clone();
        vars.entry("template_path".into())
            .or_insert_with(|| Value::from(name.as_str()));
        vars.entry("template_fullpath".into())
            .or_insert_with(|| Value::from(path.display().to_string()));
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        vars.entry("template_destpath".into())
            .or_insert_with(|| Value::from(()));
        vars.entry("template_basename".into())
            .or_insert_with(|| Value::from(file_name.unwrap_or_default()));
        out.push(Value::from(scope.render(&source, &vars)?));
    }
    Ok(out)
}
