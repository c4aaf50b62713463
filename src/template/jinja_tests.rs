//! Ansible's Jinja tests (`x is version('2.0', '>=')`, `result is failed`,
//! `path is directory`...), plus Jinja2 tests whose minijinja versions
//! differ from Jinja2 (`sequence`).

use std::path::Path;

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind};

use super::filters::parse_bool_word;
use super::filters::regex::{Flags, compile};
use super::filters::{failure, text_of};
use super::version::{compare_loose, compare_semver, compare_strict, operator_holds};
use crate::value::Value;

/// Register every test runbook adds or overrides.
pub(super) fn register(env: &mut Environment<'static>) {
    env.add_test("version", version);
    env.add_test("version_compare", version);
    env.add_test("match", regex_match);
    env.add_test("search", regex_search);
    env.add_test("regex", regex_test);
    for name in ["succeeded", "success"] {
        env.add_test(name, succeeded);
    }
    for name in ["failed", "failure"] {
        env.add_test(name, failed);
    }
    for name in ["changed", "change"] {
        env.add_test(name, changed);
    }
    for name in ["skipped", "skip"] {
        env.add_test(name, skipped);
    }
    env.add_test("unreachable", unreachable);
    env.add_test("reachable", reachable);
    env.add_test("finished", finished);
    env.add_test("file", |path: &Value| path_check(path, Path::is_file));
    env.add_test("directory", |path: &Value| path_check(path, Path::is_dir));
    env.add_test("exists", |path: &Value| path_check(path, Path::exists));
    env.add_test("link", |path: &Value| path_check(path, Path::is_symlink));
    env.add_test("abs", |path: &Value| path_check(path, Path::is_absolute));
    env.add_test("contains", contains);
    env.add_test("subset", subset);
    env.add_test("superset", superset);
    env.add_test("truthy", truthy);
    env.add_test("falsy", falsy);
    env.add_test("any", any);
    env.add_test("all", all);
    env.add_test("sequence", sequence);
}

/// `version(version, operator='eq', strict=False, version_type=None)`.
fn version(
    value: &Value,
    other: &Value,
    operator: Option<String>,
    kwargs: Kwargs,
) -> Result<bool, Error> {
    let operator = match operator {
        Some(op) => op,
        None => kwargs
            .get::<Option<String>>("operator")?
            .unwrap_or_else(|| "eq".into()),
    };
    let strict = kwargs.get::<Option<bool>>("strict")?.unwrap_or(false);
    let version_type = kwargs.get::<Option<String>>("version_type")?;
    kwargs.assert_all_used()?;
    let (value, other) = (text_of(value)?, text_of(other)?);
    if value.is_empty() {
        return Err(failure("Input version value cannot be empty"));
    }
    if other.is_empty() {
        return Err(failure(
            "Version parameter to compare against cannot be empty",
        ));
    }
    let compare = match (strict, version_type.as_deref()) {
        (true, Some(_)) => return Err(failure("Cannot specify both 'strict' and 'version_type'")),
        (true, None) | (false, Some("strict")) => compare_strict,
        (false, None | Some("loose")) => compare_loose,
        (false, Some("semver" | "semantic")) => compare_semver,
        (false, Some(other)) => {
            return Err(failure(format!(
                "Invalid version type ({other}). Must be one of loose, strict, semver, semantic"
            )));
        }
    };
    let ordering = compare(&value, &other)
        .map_err(|err| failure(format!("Version comparison failed: {err}")))?;
    operator_holds(&operator, ordering).map_err(failure)
}

#[derive(Clone, Copy)]
enum MatchType {
    Match,
    Search,
    FullMatch,
}

fn regex_check(
    value: &Value,
    pattern: &str,
    flags: Flags,
    match_type: MatchType,
) -> Result<bool, Error> {
    let text = text_of(value)?;
    let anchored = match match_type {
        MatchType::Search => pattern.to_string(),
        MatchType::Match => format!(r"\A(?:{pattern})"),
        MatchType::FullMatch => format!(r"\A(?:{pattern})\z"),
    };
    Ok(compile(&anchored, flags)?.is_match(&text))
}

/// `match`: Python's `re.match`, anchored at the start only.
fn regex_match(value: &Value, pattern: String, kwargs: Kwargs) -> Result<bool, Error> {
    let flags = Flags::from_kwargs(&kwargs)?;
    kwargs.assert_all_used()?;
    regex_check(value, &pattern, flags, MatchType::Match)
}

fn regex_search(value: &Value, pattern: String, kwargs: Kwargs) -> Result<bool, Error> {
    let flags = Flags::from_kwargs(&kwargs)?;
    kwargs.assert_all_used()?;
    regex_check(value, &pattern, flags, MatchType::Search)
}

/// `regex(pattern, ignorecase=, multiline=, match_type='search')`.
fn regex_test(value: &Value, pattern: String, kwargs: Kwargs) -> Result<bool, Error> {
    let flags = Flags::from_kwargs(&kwargs)?;
    let match_type = match kwargs
        .get::<Option<&str>>("match_type")?
        .unwrap_or("search")
    {
        "search" => MatchType::Search,
        "match" => MatchType::Match,
        "fullmatch" => MatchType::FullMatch,
        other => return Err(failure(format!("regex: unknown match_type '{other}'"))),
    };
    kwargs.assert_all_used()?;
    regex_check(value, &pattern, flags, match_type)
}

/// A field of a registered task result, read as a boolean.
fn result_flag(result: &Value, test: &str, key: &str, default: bool) -> Result<bool, Error> {
    if result.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    if result.kind() != ValueKind::Map {
        return Err(failure(format!("The '{test}' test expects a dictionary")));
    }
    let flag = result.get_attr(key).unwrap_or_default();
    Ok(match flag.kind() {
        ValueKind::Undefined => default,
        ValueKind::String => parse_bool_word(flag.as_str().unwrap_or_default()).unwrap_or(true),
        _ => flag.is_true(),
    })
}

fn failed(result: &Value) -> Result<bool, Error> {
    result_flag(result, "failed", "failed", false)
}

fn succeeded(result: &Value) -> Result<bool, Error> {
    result_flag(result, "succeeded", "failed", false).map(|failed| !failed)
}

/// `changed`: the result's own flag, or for a loop result whether any item
/// changed.
fn changed(result: &Value) -> Result<bool, Error> {
    if result_flag(result, "changed", "changed", false)? {
        return Ok(true);
    }
    let has_own_flag = !result
        .get_attr("changed")
        .unwrap_or_default()
        .is_undefined();
    let items = result.get_attr("results").unwrap_or_default();
    if has_own_flag || items.kind() != ValueKind::Seq {
        return Ok(false);
    }
    for item in items.try_iter()? {
        if item.kind() == ValueKind::Map && result_flag(&item, "changed", "changed", false)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn skipped(result: &Value) -> Result<bool, Error> {
    result_flag(result, "skipped", "skipped", false)
}

fn unreachable(result: &Value) -> Result<bool, Error> {
    result_flag(result, "unreachable", "unreachable", false)
}

fn reachable(result: &Value) -> Result<bool, Error> {
    unreachable(result).map(|unreachable| !unreachable)
}

fn finished(result: &Value) -> Result<bool, Error> {
    result_flag(result, "finished", "finished", true)
}

/// File tests look at the controller's filesystem, as Ansible's do.
fn path_check(path: &Value, check: fn(&Path) -> bool) -> Result<bool, Error> {
    let path = text_of(path)?;
    Ok(check(Path::new(&path)))
}

fn items_of(value: &Value) -> Result<Vec<Value>, Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    Ok(value.try_iter()?.collect())
}

/// `seq is contains(item)`.
fn contains(seq: &Value, item: &Value) -> Result<bool, Error> {
    Ok(items_of(seq)?.contains(item))
}

fn subset(a: &Value, b: &Value) -> Result<bool, Error> {
    let b = items_of(b)?;
    Ok(items_of(a)?.iter().all(|x| b.contains(x)))
}

fn superset(a: &Value, b: &Value) -> Result<bool, Error> {
    subset(b, a)
}

/// `truthy(convert_bool=False)`: Python truthiness, reading boolean words
/// first when asked to.
fn truthy(value: &Value, kwargs: Kwargs) -> Result<bool, Error> {
    let convert_bool = kwargs.get::<Option<bool>>("convert_bool")?.unwrap_or(false);
    kwargs.assert_all_used()?;
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    if convert_bool && let Some(word) = value.as_str().and_then(parse_bool_word) {
        return Ok(word);
    }
    Ok(value.is_true())
}

fn falsy(value: &Value, kwargs: Kwargs) -> Result<bool, Error> {
    truthy(value, kwargs).map(|truth| !truth)
}

fn any(value: &Value) -> Result<bool, Error> {
    Ok(items_of(value)?.iter().any(Value::is_true))
}

fn all(value: &Value) -> Result<bool, Error> {
    Ok(items_of(value)?.iter().all(Value::is_true))
}

/// Jinja2's `sequence`: anything with a length and items, strings and
/// dicts included.
fn sequence(value: &Value) -> bool {
    matches!(
        value.kind(),
        ValueKind::Seq | ValueKind::Map | ValueKind::String | ValueKind::Bytes
    )
}

#[cfg(test)]
mod tests {
    use crate::template::filters::test_support::{render, render_err};

    fn check(cases: &[(&str, bool)]) {
        for (expr, expected) in cases {
            let rendered = render(&format!("{{{{ {expr} }}}}"));
            let expected = if *expected { "True" } else { "False" };
            assert_eq!(rendered, expected, "{expr}");
        }
    }

    #[test]
    fn version_test_compares_loose_strict_and_semver() {
        check(&[
            ("'1.4.4' is version('1.4.4', '==')", true),
            ("'2.0' is version('1.9', '>=')", true),
            ("'1.10' is version('1.9', 'gt')", true),
            ("'1.2' is version('1.2.0', 'lt')", true),
            ("'2.1.0-rc1' is version('2.1.0', '>')", true),
            ("'1.0' is version('1.0', 'ne')", false),
            ("'1.0' is version('1.1')", false),
            ("'1.0' is version_compare('1.0', 'eq')", true),
            ("'1.0a1' is version('1.0', '<', strict=true)", true),
            (
                "'1.0.0-beta' is version('1.0.0', 'lt', version_type='semver')",
                true,
            ),
            ("'3.10' is version('3.9', operator='<=')", false),
        ]);
        assert!(
            render_err("{{ '1.0' is version('1.0', 'bigger') }}")
                .message
                .contains("Invalid operator type (bigger)")
        );
        assert!(
            render_err("{{ '' is version('1.0') }}")
                .message
                .contains("cannot be empty")
        );
        assert!(
            render_err("{{ '1.a' is version('1.1', '<') }}")
                .message
                .contains("Version comparison failed")
        );
    }

    #[test]
    fn regex_tests_anchor_like_python() {
        check(&[
            (
                "'http://example.com/users/foo' is match('http://example.com/users/.*/resources')",
                false,
            ),
            (
                "'http://example.com/users/foo/resources/bar' is match('http://example.com/users/.*/resources')",
                true,
            ),
            (
                "'http://example.com/users/foo/resources/bar' is search('users/.*/resources/.*')",
                true,
            ),
            ("'bar/users/x' is match('users')", false),
            ("'bar/users/x' is search('users')", true),
            ("'Users' is search('users', ignorecase=true)", true),
            ("'a\\nb' is match('^b', multiline=true)", false),
            ("'a\\nb' is search('^b', multiline=true)", true),
            ("'abc' is regex('b')", true),
            ("'abc' is regex('b', match_type='match')", false),
            ("'abc' is regex('abc', match_type='fullmatch')", true),
            ("'abcd' is regex('abc', match_type='fullmatch')", false),
        ]);
    }

    #[test]
    fn result_tests_read_registered_results() {
        check(&[
            ("{'failed': true} is failed", true),
            ("{'failed': false} is failed", false),
            ("{'rc': 0} is failed", false),
            ("{'rc': 0} is succeeded", true),
            ("{'failed': true} is success", false),
            ("{'changed': true} is changed", true),
            ("{'changed': false} is change", false),
            (
                "{'results': [{'changed': false}, {'changed': true}]} is changed",
                true,
            ),
            ("{'results': [{'changed': false}]} is changed", false),
            ("{'skipped': true} is skipped", true),
            ("{} is skip", false),
            ("{'unreachable': true} is unreachable", true),
            ("{} is reachable", true),
            ("{} is finished", true),
        ]);
        assert!(
            render_err("{{ 'x' is failed }}")
                .message
                .contains("The 'failed' test expects a dictionary")
        );
    }

    #[test]
    fn path_tests_check_the_controller_filesystem() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("f.txt");
        std::fs::write(&file, "x").expect("write");
        let link = dir.path().join("l");
        std::os::unix::fs::symlink(&file, &link).expect("symlink");
        let (d, f, l) = (dir.path().display(), file.display(), link.display());
        check(&[
            (&format!("'{d}' is directory"), true),
            (&format!("'{f}' is directory"), false),
            (&format!("'{f}' is file"), true),
            (&format!("'{d}' is file"), false),
            (&format!("'{f}' is exists"), true),
            (&format!("'{d}/nope' is exists"), false),
            (&format!("'{l}' is link"), true),
            (&format!("'{f}' is link"), false),
            ("'/etc' is abs", true),
            ("'etc/x' is abs", false),
        ]);
    }

    #[test]
    fn membership_and_type_tests() {
        check(&[
            ("[1, 2] is contains(2)", true),
            ("[1, 2] is contains(3)", false),
            ("2 is in([1, 2])", true),
            ("[1, 2] is subset([1, 2, 3])", true),
            ("[1, 4] is subset([1, 2, 3])", false),
            ("[1, 2, 3] is superset([3, 1])", true),
            ("'yes' is truthy", true),
            ("'' is truthy", false),
            ("'no' is truthy", true),
            ("'no' is truthy(convert_bool=true)", false),
            ("0 is falsy", true),
            ("[0, 1] is any", true),
            ("[0, 1] is all", false),
            ("'abc' is string", true),
            ("5 is number", true),
            ("'5' is number", false),
            ("{} is mapping", true),
            ("[] is mapping", false),
            ("[] is sequence", true),
            ("'abc' is sequence", true),
            ("5 is sequence", false),
            ("[] is iterable", true),
            ("none is none", true),
            ("nothing is none", true),
            ("missing is defined", false),
            ("missing is undefined", true),
            ("name is defined", true),
            ("config.db.host is defined", true),
            ("config.db.user is defined", false),
        ]);
    }
}
