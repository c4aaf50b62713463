//! Ansible's regular-expression filters with Python `re` semantics on top of
//! the `regex` crate: Python replacement syntax (`\1`, `\g<name>`), `findall`
//! group rules, and `re.escape`'s character set. Patterns are cached because
//! the same one is applied for every host.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use minijinja::value::{Kwargs, Rest};
use minijinja::{Environment, Error};
use regex::{Captures, Regex, RegexBuilder};

use super::{failure, text_of};
use crate::value::Value;

pub(crate) fn register(env: &mut Environment<'static>) {
    env.add_filter("regex_replace", regex_replace);
    env.add_filter("regex_search", regex_search);
    env.add_filter("regex_findall", regex_findall);
    env.add_filter("regex_escape", regex_escape);
}

/// Pattern flags as Ansible's filters and tests take them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Flags {
    pub ignorecase: bool,
    pub multiline: bool,
}

impl Flags {
    pub(crate) fn from_kwargs(kwargs: &Kwargs) -> Result<Self, Error> {
        Ok(Self {
            ignorecase: kwargs.get::<Option<bool>>("ignorecase")?.unwrap_or(false),
            multiline: kwargs.get::<Option<bool>>("multiline")?.unwrap_or(false),
        })
    }
}

const CACHE_LIMIT: usize = 512;

static CACHE: LazyLock<Mutex<HashMap<(String, Flags), Regex>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Compile (or fetch from the cache) a pattern written for Python's `re`.
pub(crate) fn compile(pattern: &str, flags: Flags) -> Result<Regex, Error> {
    let key = (pattern.to_string(), flags);
    if let Some(regex) = CACHE.lock().ok().and_then(|cache| cache.get(&key).cloned()) {
        return Ok(regex);
    }
    let regex = RegexBuilder::new(pattern)
        .case_insensitive(flags.ignorecase)
        .multi_line(flags.multiline)
        .build()
        .map_err(|err| failure(format!("invalid regular expression '{pattern}': {err}")))?;
    if let Ok(mut cache) = CACHE.lock() {
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(key, regex.clone());
    }
    Ok(regex)
}

/// `regex_replace(pattern, replacement='', ignorecase=, multiline=, count=0,
/// mandatory_count=0)` as Python's `re.sub`.
fn regex_replace(
    value: &Value,
    pattern: Option<String>,
    replacement: Option<String>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let flags = Flags::from_kwargs(&kwargs)?;
    let count = kwargs.get::<Option<usize>>("count")?.unwrap_or(0);
    let mandatory_count = kwargs.get::<Option<usize>>("mandatory_count")?.unwrap_or(0);
    kwargs.assert_all_used()?;
    let text = text_of(value)?;
    let regex = compile(pattern.as_deref().unwrap_or_default(), flags)?;
    let template = parse_replacement(replacement.as_deref().unwrap_or_default())?;
    let found = regex.find_iter(&text).count();
    if mandatory_count > 0 && found != mandatory_count {
        return Err(failure(format!(
            "regex_replace: expected {mandatory_count} matches, found {found}"
        )));
    }
    let replaced = regex.replacen(&text, count, |caps: &Captures| expand(&template, caps));
    Ok(replaced.into_owned())
}

/// One piece of a Python replacement string.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Literal(String),
    Group(GroupRef),
}

#[derive(Debug, Clone, PartialEq)]
enum GroupRef {
    Index(usize),
    Name(String),
}

/// Parse Python's replacement syntax: `\1`..`\99`, `\g<1>`, `\g<name>`,
/// and the usual character escapes.
fn parse_replacement(text: &str) -> Result<Vec<Piece>, Error> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            literal.push(c);
            continue;
        }
        let group = match chars.next() {
            Some(d @ '0'..='9') => {
                let mut digits = d.to_string();
                if let Some(next) = chars.next_if(char::is_ascii_digit) {
                    digits.push(next);
                }
                GroupRef::Index(digits.parse().unwrap_or_default())
            }
            Some('g') => named_group(&mut chars)?,
            Some(escaped) => {
                literal.push_str(&char_escape(escaped));
                continue;
            }
            None => return Err(failure("bad escape (end of pattern) in replacement")),
        };
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
        }
        pieces.push(Piece::Group(group));
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

fn named_group(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<GroupRef, Error> {
    if chars.next() != Some('<') {
        return Err(failure("missing < in \\g group reference"));
    }
    let name: String = chars.by_ref().take_while(|&c| c != '>').collect();
    Ok(match name.parse() {
        Ok(index) => GroupRef::Index(index),
        Err(_) => GroupRef::Name(name),
    })
}

fn char_escape(c: char) -> String {
    match c {
        'n' => "\n".into(),
        't' => "\t".into(),
        'r' => "\r".into(),
        'f' => "\x0c".into(),
        'v' => "\x0b".into(),
        'a' => "\x07".into(),
        '\\' => "\\".into(),
        // Python keeps unknown ASCII-letter escapes as an error; other
        // characters are kept with their backslash.
        other => format!("\\{other}"),
    }
}

fn expand(template: &[Piece], caps: &Captures) -> String {
    let mut out = String::new();
    for piece in template {
        match piece {
            Piece::Literal(text) => out.push_str(text),
            Piece::Group(GroupRef::Index(i)) => {
                out.push_str(caps.get(*i).map_or("", |m| m.as_str()));
            }
            Piece::Group(GroupRef::Name(name)) => {
                out.push_str(caps.name(name).map_or("", |m| m.as_str()));
            }
        }
    }
    out
}

/// `regex_search(pattern, *groups, ignorecase=, multiline=)`: the first
/// match (or none); with group arguments (`'\\1'`, `'\\g<name>'`) the list
/// of those groups.
fn regex_search(
    value: &Value,
    pattern: String,
    groups: Rest<String>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let flags = Flags::from_kwargs(&kwargs)?;
    kwargs.assert_all_used()?;
    let text = text_of(value)?;
    let regex = compile(&pattern, flags)?;
    let Some(caps) = regex.captures(&text) else {
        return Ok(Value::from(()));
    };
    if groups.is_empty() {
        return Ok(Value::from(caps.get(0).map_or("", |m| m.as_str())));
    }
    groups
        .iter()
        .map(|group| {
            let reference = parse_group_arg(group)?;
            let found = match &reference {
                GroupRef::Index(i) => caps.get(*i),
                GroupRef::Name(name) => caps.name(name),
            };
            Ok(found.map_or(Value::from(()), |m| Value::from(m.as_str())))
        })
        .collect::<Result<Vec<Value>, Error>>()
        .map(Value::from)
}

fn parse_group_arg(arg: &str) -> Result<GroupRef, Error> {
    match parse_replacement(arg)?.as_slice() {
        [Piece::Group(group)] => Ok(group.clone()),
        _ => Err(failure(format!("Unknown argument '{arg}' to regex_search"))),
    }
}

/// `regex_findall(pattern, ignorecase=, multiline=)` as Python's
/// `re.findall`: whole matches without groups, the group with one, a list
/// of groups with several.
fn regex_findall(value: &Value, pattern: String, kwargs: Kwargs) -> Result<Value, Error> {
    let flags = Flags::from_kwargs(&kwargs)?;
    kwargs.assert_all_used()?;
    let text = text_of(value)?;
    let regex = compile(&pattern, flags)?;
    let group_count = regex.captures_len() - 1;
    let group_text = |caps: &Captures, i: usize| caps.get(i).map_or("", |m| m.as_str()).to_string();
    let found: Vec<Value> = regex
        .captures_iter(&text)
        .map(|caps| match group_count {
            0 => Value::from(group_text(&caps, 0)),
            1 => Value::from(group_text(&caps, 1)),
            n => Value::from((1..=n).map(|i| group_text(&caps, i)).collect::<Vec<_>>()),
        })
        .collect();
    Ok(Value::from(found))
}

/// Python's `re.escape` (3.7+).
fn regex_escape(value: &Value, re_type: Option<String>) -> Result<String, Error> {
    match re_type.as_deref().unwrap_or("python") {
        "python" => {}
        "posix_basic" => return Ok(posix_basic_escape(&text_of(value)?)),
        other => return Err(failure(format!("Regex type ({other}) not yet implemented"))),
    }
    let text = text_of(value)?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}

fn posix_basic_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "[]$.^*\\".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::template::filters::test_support::{render, render_err};

    #[test]
    fn regex_replace_uses_python_replacement_syntax() {
        let cases = [
            (
                r#"{{ 'ansible' | regex_replace('^a.*i(.*)$', 'a\\1') }}"#,
                "able",
            ),
            (
                r#"{{ 'foobar' | regex_replace('^f.*o(.*)$', '\\1') }}"#,
                "bar",
            ),
            (
                r#"{{ 'localhost:80' | regex_replace('^(?P<host>.+):(?P<port>\\d+)$', '\\g<host>, \\g<port>') }}"#,
                "localhost, 80",
            ),
            (
                r#"{{ 'localhost:80' | regex_replace(':80') }}"#,
                "localhost",
            ),
            (
                r#"{{ 'a-b-c' | regex_replace('-', '+', count=1) }}"#,
                "a+b-c",
            ),
            (
                r#"{{ 'ABC' | regex_replace('b', 'x', ignorecase=true) }}"#,
                "AxC",
            ),
            (
                r#"{{ 'cost $5' | regex_replace('\\$(\\d)', '\\1 dollars') }}"#,
                "cost 5 dollars",
            ),
            (
                r#"{{ 'a\nb' | regex_replace('^', '# ', multiline=true) }}"#,
                "# a\n# b",
            ),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }

    #[test]
    fn regex_replace_mandatory_count_fails_when_unmet() {
        let err = render_err(r#"{{ 'aaa' | regex_replace('a', 'b', mandatory_count=2) }}"#);
        assert!(err.message.contains("expected 2 matches, found 3"), "{err}");
    }

    #[test]
    fn regex_search_returns_match_groups_or_none() {
        let cases = [
            (
                r#"{{ 'server1/database42' | regex_search('database[0-9]+') }}"#,
                "database42",
            ),
            (r#"{{ 'foo' | regex_search('bar') is none }}"#, "True"),
            (
                r#"{{ 'ex1/DATABASE42' | regex_search('database', ignorecase=true) }}"#,
                "DATABASE",
            ),
            (
                r#"{{ 'server1/database42' | regex_search('server([0-9]+)/database([0-9]+)', '\\1', '\\2') }}"#,
                "['1', '42']",
            ),
            (
                r#"{{ 'a=1' | regex_search('(?P<k>\\w)=(?P<v>\\d)', '\\g<v>') }}"#,
                "['1']",
            ),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }

    #[test]
    fn regex_findall_follows_python_group_rules() {
        let cases = [
            (
                r#"{{ 'Some DNS servers are 8.8.8.8 and 8.8.4.4' | regex_findall('\\b(?:[0-9]{1,3}\\.){3}[0-9]{1,3}\\b') }}"#,
                "['8.8.8.8', '8.8.4.4']",
            ),
            (
                r#"{{ 'k1=v1 k2=v2' | regex_findall('(\\w+)=\\w+') }}"#,
                "['k1', 'k2']",
            ),
            (
                r#"{{ 'k1=v1 k2=v2' | regex_findall('(\\w+)=(\\w+)') }}"#,
                "[['k1', 'v1'], ['k2', 'v2']]",
            ),
            (r#"{{ 'abc' | regex_findall('z') }}"#, "[]"),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }

    #[test]
    fn regex_escape_matches_python_re_escape() {
        assert_eq!(
            render(r#"{{ '^f.*o(.*)$' | regex_escape }}"#),
            r"\^f\.\*o\(\.\*\)\$"
        );
        assert_eq!(render(r#"{{ 'a b-c' | regex_escape }}"#), r"a\ b\-c");
        assert_eq!(
            render(r#"{{ '^f.*o(.*)$' | regex_escape('posix_basic') }}"#),
            r"\^f\.\*o(\.\*)\$"
        );
    }

    #[test]
    fn invalid_patterns_are_reported() {
        let err = render_err(r#"{{ 'x' | regex_search('(') }}"#);
        assert!(
            err.message.contains("invalid regular expression '('"),
            "{err}"
        );
    }
}
