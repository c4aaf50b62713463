//! Path filters with Python `os.path` semantics: `basename`, `dirname`,
//! `expanduser`, `realpath`, `splitext`, `path_join`. They work on the
//! controller's paths, as Ansible's do.

use std::path::Path;

use minijinja::{Environment, Error};

use super::text_of;
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("basename", basename);
    env.add_filter("dirname", dirname);
    env.add_filter("expanduser", expanduser);
    env.add_filter("realpath", realpath);
    env.add_filter("splitext", splitext);
    env.add_filter("path_join", path_join);
}

/// `os.path.basename`: everything after the last `/` (empty for `a/`).
fn basename(value: &Value) -> Result<String, Error> {
    let path = text_of(value)?;
    Ok(path.rsplit('/').next().unwrap_or_default().to_string())
}

/// `os.path.dirname`: everything before the last `/`, without trailing
/// slashes unless it is all slashes (`/`).
fn dirname(value: &Value) -> Result<String, Error> {
    let path = text_of(value)?;
    let head = path.rfind('/').map_or("", |i| &path[..=i]);
    let trimmed = head.trim_end_matches('/');
    Ok(if trimmed.is_empty() { head } else { trimmed }.to_string())
}

/// `os.path.expanduser` for `~` and `~/...` (the controller's `$HOME`).
fn expanduser(value: &Value) -> Result<String, Error> {
    let path = text_of(value)?;
    let Some(rest) = path.strip_prefix('~') else {
        return Ok(path);
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return Ok(path);
    }
    match std::env::var("HOME") {
        Ok(home) => Ok(format!("{}{rest}", home.trim_end_matches('/'))),
        Err(_) => Ok(path),
    }
}

/// `os.path.realpath`: symlinks resolved; a path that does not exist is
/// made absolute and normalised instead of failing, as Python does.
fn realpath(value: &Value) -> Result<String, Error> {
    let path = text_of(value)?;
    if let Ok(resolved) = std::fs::canonicalize(&path) {
        return Ok(resolved.to_string_lossy().into_owned());
    }
    let absolute =
        std::path::absolute(Path::new(&path)).unwrap_or_else(|_| Path::new(&path).into());
    Ok(normalise(&absolute.to_string_lossy()))
}

fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `os.path.splitext` as a two-item list `[root, ext]`; leading dots of
/// the file name do not start an extension (`.bashrc` has none).
fn splitext(value: &Value) -> Result<Value, Error> {
    let path = text_of(value)?;
    let name_start = path.rfind('/').map_or(0, |i| i + 1);
    let name = &path[name_start..];
    let dots = name.len() - name.trim_start_matches('.').len();
    let split = name[dots..].rfind('.').map(|i| name_start + dots + i);
    let (root, ext) = match split {
        Some(at) => (&path[..at], &path[at..]),
        None => (path.as_str(), ""),
    };
    Ok(Value::from(vec![root.to_string(), ext.to_string()]))
}

/// `path_join`: `os.path.join` of a list; an absolute part restarts it.
fn path_join(value: &Value) -> Result<String, Error> {
    let parts: Vec<String> = match value.as_str() {
        Some(single) => vec![single.to_string()],
        None => value
            .try_iter()?
            .map(|part| text_of(&part))
            .collect::<Result<_, _>>()?,
    };
    let mut joined = String::new();
    for part in parts {
        if part.starts_with('/') {
            joined = part;
        } else if joined.is_empty() || joined.ends_with('/') {
            joined.push_str(&part);
        } else {
            joined.push('/');
            joined.push_str(&part);
        }
    }
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use crate::template::filters::test_support::render;

    #[test]
    fn path_filters_match_os_path() {
        let cases = [
            ("{{ '/etc/asdf/foo.txt' | basename }}", "foo.txt"),
            ("{{ '/etc/asdf/' | basename }}", ""),
            ("{{ 'foo.txt' | basename }}", "foo.txt"),
            ("{{ '/etc/asdf/foo.txt' | dirname }}", "/etc/asdf"),
            ("{{ '/etc' | dirname }}", "/"),
            ("{{ 'foo.txt' | dirname }}", ""),
            ("{{ '/etc/asdf/' | dirname }}", "/etc/asdf"),
            ("{{ 'nginx.conf' | splitext }}", "['nginx', '.conf']"),
            ("{{ '/etc/my.d/nginx.conf' | splitext | last }}", ".conf"),
            ("{{ 'archive.tar.gz' | splitext | first }}", "archive.tar"),
            (
                "{{ '/home/u/.bashrc' | splitext }}",
                "['/home/u/.bashrc', '']",
            ),
            ("{{ '/a.b/c' | splitext }}", "['/a.b/c', '']"),
            (
                "{{ ['/etc', 'apt', 'sources.list'] | path_join }}",
                "/etc/apt/sources.list",
            ),
            ("{{ ['a', '/abs', 'b'] | path_join }}", "/abs/b"),
            ("{{ '/no/such/../dir/./x' | realpath }}", "/no/dir/x"),
            ("{{ '/plain/path' | expanduser }}", "/plain/path"),
            ("{{ '~other/x' | expanduser }}", "~other/x"),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }

    #[test]
    fn expanduser_uses_home() {
        let home = std::env::var("HOME").unwrap_or_default();
        if !home.is_empty() {
            assert_eq!(
                render("{{ '~/.ssh' | expanduser }}"),
                format!("{}/.ssh", home.trim_end_matches('/'))
            );
        }
    }
}
