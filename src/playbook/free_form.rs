//! Arguments written as one string: `shell: echo hi chdir=/tmp` or
//! `debug: msg="hello there"`, split as Ansible's `parse_kv` does — quotes and
//! `{{ }}` blocks hold together, and a command keeps its own spacing.

use crate::modules::{ArgSpec, FreeForm};
use crate::value::{Value, VarMap};

const RAW_PARAMS: &str = "_raw_params";

/// A word of the free-form string and where it sits in it.
struct Word<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

/// Split `text` into module arguments. Errors name the word that could not be used.
pub fn parse_free_form(text: &str, spec: &ArgSpec) -> Result<VarMap, String> {
    let words = split_words(text);
    let mut args = VarMap::new();
    let mut raw_ranges = Vec::new();
    for word in &words {
        match key_value(word.text) {
            Some((key, value)) if takes_key(spec, key) => {
                args.insert(key.to_string(), Value::from(unquote(value)));
            }
            _ if spec.free_form == FreeForm::KeyValue => {
                return Err(format!(
                    "expected key=value arguments, found `{}`",
                    word.text
                ));
            }
            _ => raw_ranges.push(word.start..word.end),
        }
    }
    if spec.free_form == FreeForm::Command {
        let raw = match (raw_ranges.first(), raw_ranges.last()) {
            (Some(first), Some(last)) if raw_ranges.len() == words.len() => {
                text[first.start..last.end].to_string()
            }
            _ => raw_ranges
                .iter()
                .map(|r| &text[r.clone()])
                .collect::<Vec<_>>()
                .join(" "),
        };
        if !raw.is_empty() {
            args.insert(RAW_PARAMS.to_string(), Value::from(raw));
        }
    }
    Ok(args)
}

fn takes_key(spec: &ArgSpec, key: &str) -> bool {
    match spec.free_form {
        FreeForm::Command => key != RAW_PARAMS && spec.canonical(key).is_some(),
        _ => true,
    }
}

/// `key=value` when the word starts with an identifier followed by `=`.
fn key_value(word: &str) -> Option<(&str, &str)> {
    let (key, value) = word.split_once('=')?;
    let mut chars = key.chars();
    let first = chars.next()?;
    let identifier = (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    identifier.then_some((key, value))
}

/// Remove one level of matching quotes, resolving `\"` and `\\` inside double quotes.
fn unquote(value: &str) -> String {
    let bytes = value.as_bytes();
    if bytes.len() >= 2
        && bytes[0] == bytes[bytes.len() - 1]
        && (bytes[0] == b'"' || bytes[0] == b'\'')
    {
        let inner = &value[1..value.len() - 1];
        return if bytes[0] == b'"' {
            inner.replace("\\\"", "\"").replace("\\\\", "\\")
        } else {
            inner.to_string()
        };
    }
    value.to_string()
}

/// Words separated by whitespace outside quotes and `{{ }}`/`{% %}`/`{# #}` blocks.
fn split_words(text: &str) -> Vec<Word<'_>> {
    let mut words = Vec::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|(_, n)| *n);
        if start.is_none() && !c.is_whitespace() {
            start = Some(i);
        }
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some(_), _) => {}
            (None, '\'' | '"') if depth == 0 => quote = Some(c),
            (None, '{') if matches!(next, Some('{' | '%' | '#')) => {
                depth += 1;
                chars.next();
            }
            (None, '}' | '%' | '#') if depth > 0 && next == Some('}') => {
                depth -= 1;
                chars.next();
            }
            (None, c) if c.is_whitespace() && depth == 0 => {
                if let Some(s) = start.take() {
                    words.push(Word {
                        text: &text[s..i],
                        start: s,
                        end: i,
                    });
                }
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(Word {
            text: &text[s..],
            start: s,
            end: text.len(),
        });
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modules::registry;

    fn parse(module: &str, text: &str) -> Result<Vec<(String, String)>, String> {
        let spec = registry::lookup(module).expect("module").spec();
        Ok(parse_free_form(text, spec)?
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map(str::to_string).unwrap_or_default()))
            .collect())
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn commands_keep_their_text_and_give_up_known_keys() {
        assert_eq!(
            parse("shell", "echo 'a  b' > /tmp/x chdir=/opt creates=/tmp/x"),
            Ok(pairs(&[
                ("chdir", "/opt"),
                ("creates", "/tmp/x"),
                ("_raw_params", "echo 'a  b' > /tmp/x")
            ]))
        );
        assert_eq!(
            parse("shell", "for i in 1 2; do\n  echo $i\ndone\n"),
            Ok(pairs(&[(
                "_raw_params",
                "for i in 1 2; do\n  echo $i\ndone"
            )]))
        );
        assert_eq!(
            parse("command", "env FOO=bar printenv FOO"),
            Ok(pairs(&[("_raw_params", "env FOO=bar printenv FOO")]))
        );
    }

    #[test]
    fn key_values_unquote_and_keep_templates_whole() {
        assert_eq!(
            parse("debug", r#"msg="hello {{ name | default('x y') }}""#),
            Ok(pairs(&[("msg", "hello {{ name | default('x y') }}")]))
        );
        assert_eq!(
            parse("debug", "msg={{ a }} {{ b }}").map(|p| p.len()),
            Err("expected key=value arguments, found `{{ b }}`".into())
        );
        assert_eq!(
            parse("set_fact", "a=1 b='two words'"),
            Ok(pairs(&[("a", "1"), ("b", "two words")]))
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,80}") {
            for module in ["shell", "debug", "command", "set_fact"] {
                let spec = registry::lookup(module).expect("module").spec();
                let _ = parse_free_form(&text, spec);
            }
        }
    }
}
