//! SQL text built from names and values the task gives: identifiers in
//! backticks, strings as escaped literals, and PyMySQL's `%s` /
//! `%(name)s` argument substitution for `mysql_query`.

use minijinja::value::ValueKind;

use crate::value::Value;

/// `` `name` `` with inner backticks doubled: safe in every `sql_mode`.
pub(crate) fn quote_identifier(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// `'text'` escaped as PyMySQL's `escape_string` does.
pub(crate) fn quote_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('\'');
    for c in text.chars() {
        match c {
            '\0' => quoted.push_str("\\0"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\u{1a}' => quoted.push_str("\\Z"),
            '\'' => quoted.push_str("\\'"),
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c => quoted.push(c),
        }
    }
    quoted.push('\'');
    quoted
}

/// A value as a SQL literal, as PyMySQL writes it.
fn literal(value: &Value) -> String {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => "NULL".into(),
        ValueKind::Bool => if value.is_true() { "1" } else { "0" }.into(),
        ValueKind::Number => value.to_string(),
        ValueKind::Seq => {
            let items: Vec<String> = value
                .try_iter()
                .map(|items| items.map(|item| literal(&item)).collect())
                .unwrap_or_default();
            format!("({})", items.join(","))
        }
        _ => quote_string(
            &value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string),
        ),
    }
}

/// The arguments of `mysql_query`: by position or by name.
pub(crate) enum QueryArgs<'a> {
    Positional(&'a [Value]),
    Named(&'a crate::value::VarMap),
}

/// `query % args` as PyMySQL's cursor does: `%s` (or `%(name)s`) takes
/// the next (or the named) argument as a literal, `%%` is `%`.
pub(crate) fn format_query(query: &str, args: &QueryArgs) -> Result<String, String> {
    let mut out = String::with_capacity(query.len());
    let mut next = 0;
    let mut rest = query;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('s') {
            let QueryArgs::Positional(values) = args else {
                return Err("format requires a mapping".into());
            };
            let value = values
                .get(next)
                .ok_or("not enough arguments for format string")?;
            out.push_str(&literal(value));
            next += 1;
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('(') {
            let QueryArgs::Named(values) = args else {
                return Err("format requires a mapping".into());
            };
            let close = tail.find(')').ok_or("incomplete format key")?;
            let name = &tail[..close];
            let tail = tail[close + 1..]
                .strip_prefix('s')
                .ok_or("only %(name)s placeholders are supported")?;
            let value = values
                .get(name)
                .ok_or_else(|| format!("missing argument '{name}'"))?;
            out.push_str(&literal(value));
            rest = tail;
        } else {
            return Err(format!(
                "unsupported format character in {:?} (use %s, %(name)s or %%)",
                &rest[at..rest.len().min(at + 2)]
            ));
        }
    }
    out.push_str(rest);
    if let QueryArgs::Positional(values) = args
        && next < values.len()
    {
        return Err("not all arguments converted during string formatting".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quotes_names_and_values() {
        assert_eq!(quote_identifier("a`b"), "`a``b`");
        assert_eq!(quote_string("it's \\ \"x\"\n"), r#"'it\'s \\ \"x\"\n'"#);
    }

    #[test]
    fn substitutes_arguments_like_pymysql() {
        let values = [Value::from("O'Brien"), Value::from(3), Value::from(())];
        assert_eq!(
            format_query(
                "SELECT %s, %s, %s, '100%%'",
                &QueryArgs::Positional(&values)
            )
            .unwrap(),
            r"SELECT 'O\'Brien', 3, NULL, '100%'"
        );
        let named: crate::value::VarMap =
            [("id".to_string(), Value::from(7))].into_iter().collect();
        assert_eq!(
            format_query("DELETE FROM t WHERE id = %(id)s", &QueryArgs::Named(&named)).unwrap(),
            "DELETE FROM t WHERE id = 7"
        );
        assert!(format_query("SELECT %s", &QueryArgs::Positional(&[])).is_err());
        assert!(format_query("SELECT %d", &QueryArgs::Positional(&values)).is_err());
    }

    proptest! {
        /// Whatever a value holds, its literal is one string token: no quote
        /// ends it early, so nothing after it is read as SQL.
        #[test]
        fn a_quoted_string_is_one_token(text in "\\PC*") {
            let quoted = quote_string(&text);
            let inner = &quoted[1..quoted.len() - 1];
            let mut escaped = false;
            for c in inner.chars() {
                prop_assert!(escaped || c != '\'', "unescaped quote in {quoted}");
                escaped = !escaped && c == '\\';
            }
            prop_assert!(!escaped);
        }

        #[test]
        fn a_quoted_identifier_has_only_doubled_backticks(name in "\\PC*") {
            let quoted = quote_identifier(&name);
            let inner = &quoted[1..quoted.len() - 1];
            prop_assert_eq!(inner.replace("``", ""), name.replace('`', ""));
        }

        #[test]
        fn formatting_never_panics(query in "[a-z %()s]*", value in "\\PC*") {
            let values = [Value::from(value)];
            let _ = format_query(&query, &QueryArgs::Positional(&values));
        }
    }
}
