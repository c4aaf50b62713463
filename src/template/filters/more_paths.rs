//! More `os.path` filters: `normpath`, `relpath`, `commonpath`, the
//! `fileglob` filter. Refused by name: the `win_*` filters (runbook manages
//! POSIX hosts only).

use minijinja::value::ValueKind;
use minijinja::{Environment, Error};

use super::{failure, text_of};
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("normpath", normpath);
    env.add_filter("relpath", relpath);
    env.add_filter("commonpath", commonpath);
    env.add_filter("fileglob", fileglob);
    for name in ["win_basename", "win_dirname", "win_splitdrive"] {
        env.add_filter(name, move |_: &Value| -> Result<Value, Error> {
            Err(failure(format!(
                "the {name} filter is not supported by runbook (it manages POSIX hosts only)"
            )))
        });
    }
}

/// Python's `posixpath.normpath`.
pub(crate) fn normalize(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    // POSIX keeps exactly two leading slashes; three or more are one.
    let leading = if path.starts_with("//") && !path.starts_with("///") {
        "//"
    } else if path.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if leading.is_empty() {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = format!("{leading}{}", parts.join("/"));
    if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

fn normpath(value: &Value) -> Result<String, Error> {
    Ok(normalize(&text_of(value)?))
}

/// Absolute form of `path` against the controller's working directory.
fn absolute(path: &str) -> String {
    if path.starts_with('/') {
        normalize(path)
    } else {
        let cwd = std::env::current_dir().unwrap_or_default();
        normalize(&format!("{}/{path}", cwd.display()))
    }
}

fn components(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// `relpath(start='.')`: `path` relative to `start`.
fn relpath(value: &Value, start: Option<String>) -> Result<String, Error> {
    let path = text_of(value)?;
    if path.is_empty() {
        return Err(failure("no path specified"));
    }
    let start = start.unwrap_or_else(|| ".".into());
    let to = components(&absolute(&path));
    let from = components(&absolute(&start));
    let common = to.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(to[common..].iter().cloned());
    Ok(if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    })
}

/// `commonpath`: the longest shared leading directory of a list of paths.
fn commonpath(value: &Value) -> Result<String, Error> {
    if !matches!(value.kind(), ValueKind::Seq | ValueKind::Iterable) {
        return Err(failure(format!(
            "|commonpath expects sequence, got {} instead.",
            super::core::type_name(value)
        )));
    }
    let paths: Vec<String> = value.try_iter()?.map(|p| crate::value::text(&p)).collect();
    let Some(first) = paths.first() else {
        return Err(failure("commonpath() arg is an empty sequence"));
    };
    let absolute = first.starts_with('/');
    if paths.iter().any(|p| p.starts_with('/') != absolute) {
        return Err(failure("Can't mix absolute and relative paths"));
    }
    let split: Vec<Vec<&str>> = paths
        .iter()
        .map(|p| {
            p.split('/')
                .filter(|c| !c.is_empty() && *c != ".")
                .collect()
        })
        .collect();
    let shortest = split.iter().map(Vec::len).min().unwrap_or(0);
    let common = (0..shortest)
        .take_while(|&i| split.iter().all(|parts| parts[i] == split[0][i]))
        .count();
    let joined = split[0][..common].join("/");
    Ok(if absolute {
        format!("/{joined}")
    } else {
        joined
    })
}

/// The `fileglob` filter: regular files matching a glob on the controller.
fn fileglob(value: &Value) -> Result<Value, Error> {
    let pattern = text_of(value)?;
    let (dir, name) = match pattern.rsplit_once('/') {
        Some((dir, name)) => (if dir.is_empty() { "/" } else { dir }, name),
        None => (".", pattern.as_str()),
    };
    if dir.contains(['*', '?', '[']) {
        return Err(failure(
            "the fileglob filter matches files of one directory; runbook does not expand wildcards in directory names",
        ));
    }
    let matcher = globset::GlobBuilder::new(name)
        .literal_separator(true)
        .build()
        .map_err(|e| failure(e.to_string()))?
        .compile_matcher();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Value::from(Vec::<Value>::new()));
    };
    // Python's glob keeps the directory's own order.
    let found: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| {
            let file = entry.file_name().to_string_lossy().into_owned();
            (!file.starts_with('.') || name.starts_with('.'))
                && matcher.is_match(&file)
                && entry.path().is_file()
        })
        .map(|entry| {
            let file = entry.file_name().to_string_lossy().into_owned();
            if pattern.contains('/') {
                format!("{}/{file}", pattern.rsplit_once('/').map_or("", |(d, _)| d))
            } else {
                file
            }
        })
        .collect();
    Ok(Value::from(found))
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use crate::template::filters::test_support::{render, render_err};

    #[test]
    fn paths_as_python_writes_them() {
        assert_eq!(normalize("/a/./b/../c/"), "/a/c");
        assert_eq!(normalize("a/../../b"), "../b");
        assert_eq!(normalize("/../a"), "/a");
        assert_eq!(normalize(""), ".");
        assert_eq!(render("{{ '/a/b/c' | relpath('/a/d') }}"), "../b/c");
        assert_eq!(render("{{ '/a' | relpath('/a') }}"), ".");
        assert_eq!(render("{{ ['/a/b/c', '/a/b/d'] | commonpath }}"), "/a/b");
        assert_eq!(render("{{ ['a/b', 'a/c'] | commonpath }}"), "a");
        let message = render_err("{{ 'x' | win_basename }}").to_string();
        assert!(message.contains("not supported by runbook"), "{message}");
    }
}
