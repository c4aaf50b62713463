//! Arguments written as one string: `file: path=/x state=directory`,
//! `shell: echo hi chdir=/tmp` or `debug: msg="hello there"`, read as
//! Ansible's `parse_kv` reads them: words from [`split_args`], escapes
//! decoded, the first unescaped `=` splits key from value, one level of
//! quotes is removed from the value, and values stay strings (the module's
//! argument spec converts them). A command keeps its own text.

use super::split_args::split_args;
use crate::modules::{ArgSpec, FreeForm};
use crate::value::{Value, VarMap};

const RAW_PARAMS: &str = "_raw_params";

/// Split `text` into module arguments. Errors name the word that could not be used.
pub fn parse_free_form(text: &str, spec: &ArgSpec) -> Result<VarMap, String> {
    let words = split_args(text)?;
    let mut args = VarMap::new();
    let mut raw_words = Vec::new();
    for word in &words {
        let original = &text[word.clone()];
        let decoded = decode_escapes(original);
        match key_value(&decoded) {
            Ok((key, value)) if takes_key(spec, key) => {
                args.insert(key.to_string(), Value::from(unquote(value)));
            }
            Err(unescaped) if spec.free_form != FreeForm::Command => {
                return Err(format!("expected key=value arguments, found `{unescaped}`"));
            }
            _ => raw_words.push(word.clone()),
        }
    }
    if let Some(key) = args.keys().find(|k| k.starts_with("_ansible_")) {
        return Err(format!(
            "`{key}`: arguments starting with `_ansible_` are internal to Ansible and cannot be set"
        ));
    }
    if !raw_words.is_empty() {
        args.insert(
            RAW_PARAMS.to_string(),
            Value::from(raw_text(text, &raw_words, words.len())),
        );
    }
    Ok(args)
}

/// The command left once known `k=v` words are taken out: the original text
/// when every word is part of it, else the words joined by single spaces.
fn raw_text(text: &str, raw_words: &[std::ops::Range<usize>], word_count: usize) -> String {
    match (raw_words.first(), raw_words.last()) {
        (Some(first), Some(last)) if raw_words.len() == word_count => {
            text[first.start..last.end].to_string()
        }
        _ => raw_words
            .iter()
            .map(|r| &text[r.clone()])
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A command module gives up only the words naming one of its arguments
/// (`chdir=/tmp`); `FOO=bar` stays part of the command.
fn takes_key(spec: &ArgSpec, key: &str) -> bool {
    match spec.free_form {
        FreeForm::Command => key != RAW_PARAMS && spec.canonical(key).is_some(),
        FreeForm::KeyValue | FreeForm::None => true,
    }
}

/// Key and value around the first `=` (not the first character, not
/// escaped as `\=`); without one, the word with `\=` unescaped.
fn key_value(word: &str) -> Result<(&str, &str), String> {
    let bytes = word.as_bytes();
    let split = (1..bytes.len()).find(|&i| bytes[i] == b'=' && bytes[i - 1] != b'\\');
    match split {
        Some(at) => Ok((word[..at].trim(), word[at + 1..].trim())),
        None => Err(word.replace("\\=", "=")),
    }
}

/// One level of matching quotes removed, unless the closing one is escaped.
fn unquote(value: &str) -> String {
    let bytes = value.as_bytes();
    let quoted = bytes.len() > 1
        && bytes[0] == bytes[bytes.len() - 1]
        && (bytes[0] == b'"' || bytes[0] == b'\'')
        && bytes[bytes.len() - 2] != b'\\';
    if quoted {
        value[1..value.len() - 1].to_string()
    } else {
        value.to_string()
    }
}

/// Python's string escapes that Ansible decodes in each word before
/// splitting it: `\\ \' \" \a \b \f \n \r \t \v`, `\xHH`, `\uHHHH`,
/// `\UHHHHHHHH`. Anything else (`\=`, `\d`) is kept as written.
fn decode_escapes(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match escape(after) {
            Some((decoded, used)) => {
                out.push(decoded);
                rest = &after[used..];
            }
            None => {
                out.push('\\');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character an escape stands for and how many bytes after the `\` it used.
fn escape(after: &str) -> Option<(char, usize)> {
    let first = after.chars().next()?;
    let single = match first {
        '\\' | '\'' | '"' => Some(first),
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        _ => None,
    };
    if let Some(c) = single {
        return Some((c, 1));
    }
    let digits = match first {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        _ => return None,
    };
    let hex = after.get(1..1 + digits)?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let code = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(code)?, 1 + digits))
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

    #[test]
    fn every_module_takes_key_values_as_strings() {
        assert_eq!(
            parse("file", "path=/x state=directory mode=0755"),
            Ok(pairs(&[
                ("path", "/x"),
                ("state", "directory"),
                ("mode", "0755")
            ]))
        );
        assert_eq!(
            parse(
                "lineinfile",
                r#"path=/etc/x line='a = b' regexp="^a\s" create=yes"#
            ),
            Ok(pairs(&[
                ("path", "/etc/x"),
                ("line", "a = b"),
                ("regexp", "^a\\s"),
                ("create", "yes")
            ]))
        );
        assert_eq!(
            parse("copy", r#"content="x={{ y }}\n" dest=/tmp/a"#),
            Ok(pairs(&[("content", "x={{ y }}\n"), ("dest", "/tmp/a")]))
        );
    }

    #[test]
    fn escapes_and_equals_follow_ansible() {
        assert_eq!(
            parse("debug", r#"msg="say \"hi\"""#),
            Ok(pairs(&[("msg", "say \"hi\"")]))
        );
        assert_eq!(
            parse("debug", r"msg=a\tb\x41\u00e9"),
            Ok(pairs(&[("msg", "a\tbA\u{e9}")]))
        );
        assert_eq!(parse("debug", "msg=a=b"), Ok(pairs(&[("msg", "a=b")])));
        assert_eq!(
            parse("debug", r"a\=b"),
            Err("expected key=value arguments, found `a=b`".into())
        );
        assert_eq!(
            parse("shell", r"echo a\=b"),
            Ok(pairs(&[("_raw_params", r"echo a\=b")]))
        );
        assert_eq!(
            parse("debug", "msg='unclosed"),
            Err("failed at splitting arguments, either an unbalanced jinja2 block or quotes: msg='unclosed".into())
        );
        assert!(parse("file", "path=/x _ansible_check_mode=1").is_err());
    }

    fn key() -> impl proptest::strategy::Strategy<Value = String> {
        "[a-z_][a-z0-9_]{0,8}"
    }

    fn value() -> impl proptest::strategy::Strategy<Value = String> {
        "[a-zA-Z0-9/._ =-]{0,12}"
    }

    /// `text` parsed as `set_fact` arguments, back into name/value pairs.
    fn split_back(
        text: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, proptest::test_runner::TestCaseError>
    {
        let spec = registry::lookup("set_fact").expect("module").spec();
        let parsed =
            parse_free_form(text, spec).map_err(proptest::test_runner::TestCaseError::fail)?;
        Ok(parsed
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map(str::to_string).unwrap_or_default()))
            .collect())
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,80}") {
            for module in ["shell", "debug", "command", "set_fact", "file"] {
                let spec = registry::lookup(module).expect("module").spec();
                let _ = parse_free_form(&text, spec);
            }
        }

        #[test]
        fn joined_pairs_split_back(
            items in proptest::collection::btree_map(key(), value(), 1..6),
            quote in proptest::sample::select(vec!["'", "\""]),
        ) {
            let text = items
                .iter()
                .map(|(k, v)| format!("{k}={quote}{v}{quote}"))
                .collect::<Vec<_>>()
                .join(" ");
            proptest::prop_assert_eq!(split_back(&text)?, items);
        }

        #[test]
        fn unquoted_words_split_back(items in proptest::collection::btree_map(key(), "[a-zA-Z0-9/._-]{1,12}", 1..6)) {
            let text = items.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("  ");
            proptest::prop_assert_eq!(split_back(&text)?, items);
        }
    }
}
