//! The rest of Ansible's tests: the `is_*` spellings of the path tests,
//! `link_exists`, `same_file`, `mount`, `nan`, `uri`/`url`/`urn`,
//! `timedout`, `started` and `vaulted_file`.

use std::path::Path;

use minijinja::value::ValueKind;
use minijinja::{Environment, Error};

use super::strings::UrlParts;
use super::{failure, text_of};
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_test("is_file", |path: &Value| on_path(path, Path::is_file));
    env.add_test("is_dir", |path: &Value| on_path(path, Path::is_dir));
    env.add_test("is_link", |path: &Value| on_path(path, Path::is_symlink));
    env.add_test("is_abs", |path: &Value| on_path(path, Path::is_absolute));
    env.add_test("link_exists", |path: &Value| {
        on_path(path, |p| p.symlink_metadata().is_ok())
    });
    for name in ["same_file", "is_same_file"] {
        env.add_test(name, same_file);
    }
    for name in ["mount", "is_mount"] {
        env.add_test(name, |path: &Value| on_path(path, is_mount));
    }
    for name in ["nan", "isnan"] {
        env.add_test(name, is_nan);
    }
    env.add_test("issubset", |a: &Value, b: &Value| {
        Ok::<bool, Error>(
            items(a)?
                .iter()
                .all(|x| items(b).is_ok_and(|b| b.contains(x))),
        )
    });
    env.add_test("issuperset", |a: &Value, b: &Value| {
        Ok::<bool, Error>(
            items(b)?
                .iter()
                .all(|x| items(a).is_ok_and(|a| a.contains(x))),
        )
    });
    env.add_test("uri", |value: &Value, schemes: Option<Value>| {
        is_uri(value, schemes.as_ref())
    });
    env.add_test("url", is_url);
    env.add_test("urn", |value: &Value| {
        is_uri(value, Some(&Value::from(vec![Value::from("urn")])))
    });
    env.add_test("timedout", timedout);
    env.add_test("started", |result: &Value| {
        async_flag(result, "started", "started")
    });
    env.add_test("vaulted_file", vaulted_file);
}

fn on_path(path: &Value, check: impl Fn(&Path) -> bool) -> Result<bool, Error> {
    Ok(check(Path::new(&text_of(path)?)))
}

fn items(value: &Value) -> Result<Vec<Value>, Error> {
    Ok(value.try_iter()?.collect())
}

fn same_file(a: &Value, b: &Value) -> Result<bool, Error> {
    use std::os::unix::fs::MetadataExt;
    let (a, b) = (text_of(a)?, text_of(b)?);
    let (Ok(a), Ok(b)) = (std::fs::metadata(&a), std::fs::metadata(&b)) else {
        return Ok(false);
    };
    Ok(a.dev() == b.dev() && a.ino() == b.ino())
}

/// Python's `os.path.ismount`: a directory on another device than its
/// parent, or the same inode as its parent (`/`).
fn is_mount(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = path.symlink_metadata() else {
        return false;
    };
    if meta.file_type().is_symlink() || !meta.is_dir() {
        return false;
    }
    let Ok(parent) = std::fs::symlink_metadata(path.join("..")) else {
        return false;
    };
    meta.dev() != parent.dev() || meta.ino() == parent.ino()
}

fn is_nan(value: &Value) -> bool {
    value.kind() == ValueKind::Number && f64::try_from(value.clone()).is_ok_and(f64::is_nan)
}

fn is_uri(value: &Value, schemes: Option<&Value>) -> Result<bool, Error> {
    let Some(text) = value.as_str() else {
        return Ok(false);
    };
    let parts = UrlParts::parse(text);
    Ok(match schemes.filter(|s| !s.is_none()) {
        None => true,
        Some(schemes) => items(schemes)?
            .iter()
            .any(|s| s.as_str() == Some(parts.scheme())),
    })
}

fn is_url(value: &Value, schemes: Option<Value>) -> Result<bool, Error> {
    if !is_uri(value, schemes.as_ref())? {
        return Ok(false);
    }
    let parts = UrlParts::parse(value.as_str().unwrap_or_default());
    Ok(!parts.netloc().is_empty() || parts.scheme() == "file")
}

fn result_map(result: &Value, test: &str) -> Result<(), Error> {
    if result.kind() != ValueKind::Map {
        return Err(failure(format!("The '{test}' test expects a dictionary")));
    }
    Ok(())
}

fn field(result: &Value, name: &str) -> Option<Value> {
    result.get_attr(name).ok().filter(|v| !v.is_undefined())
}

fn timedout(result: &Value) -> Result<bool, Error> {
    result_map(result, "timedout")?;
    Ok(field(result, "timedout").is_some_and(|t| {
        t.is_true()
            && t.get_attr("period")
                .is_ok_and(|p| !p.is_undefined() && p.is_true())
    }))
}

/// `started`/`finished` of an async result; a result without the key
/// counts as true, as in Ansible.
fn async_flag(result: &Value, key: &str, test: &str) -> Result<bool, Error> {
    result_map(result, test)?;
    Ok(field(result, key).is_none_or(|v| v.is_true()))
}

fn vaulted_file(path: &Value) -> Result<bool, Error> {
    use std::io::Read;
    let path = text_of(path)?;
    let mut head = [0u8; 14];
    let mut file = std::fs::File::open(&path)
        .map_err(|_| failure(format!("Cannot test if the file '{path}' is a vault.")))?;
    let read = file.read(&mut head).unwrap_or(0);
    Ok(head[..read].starts_with(b"$ANSIBLE_VAULT"))
}

#[cfg(test)]
mod tests {
    use crate::template::filters::test_support::render;

    #[test]
    fn tests_as_ansible_answers_them() {
        let cases = [
            ("{{ 1 is nan }}", "False"),
            (
                "{{ 'x' is url }} {{ 'http://x' is url }} {{ 'file:///x' is url }}",
                "False True True",
            ),
            (
                "{{ 'urn:x:y' is urn }} {{ 'x:y' is uri }} {{ 'x:y' is uri(['http']) }}",
                "True True False",
            ),
            (
                "{{ '/' is mount }} {{ '/etc' is mount }} {{ '/etc' is is_dir }}",
                "True False True",
            ),
            (
                "{{ '/etc/passwd' is same_file('/etc/../etc/passwd') }}",
                "True",
            ),
            (
                "{{ [1, 2] is issubset([1, 2, 3]) }} {{ [1] is issuperset([2]) }}",
                "True False",
            ),
            (
                "{{ {'timedout': {'period': 5}} is timedout }} {{ {} is timedout }}",
                "True False",
            ),
            (
                "{{ {'started': 0} is started }} {{ {} is started }}",
                "False True",
            ),
            ("{{ 'x' is vault_encrypted }}", "False"),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }
}
