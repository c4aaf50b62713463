//! What a condition's value means as a yes/no answer. Ansible 2.19 wants
//! conditions to be booleans; strings that plainly spell one (`"True"` from
//! an old-style `"{{ x == 1 }}"`, `"yes"` from an inventory file) are read
//! as that boolean rather than as "non-empty string, so true", which was the
//! classic trap of `when: "{{ flag }}"` with `flag: "false"`.

use minijinja::value::ValueKind;

use super::error::TemplateError;
use super::filters::parse_bool_word;
use crate::value::Value;

/// The truth of a condition's result; `expr` is only for the error message.
pub(super) fn truth_of(value: &Value, expr: &str) -> Result<bool, TemplateError> {
    match value.kind() {
        ValueKind::Undefined => Err(TemplateError::undefined(expr)),
        ValueKind::String => {
            let text = value.as_str().unwrap_or_default();
            if text.trim().is_empty() {
                return Ok(false);
            }
            parse_bool_word(text).ok_or_else(|| {
                TemplateError::evaluation(format!(
                    "conditional '{expr}' gave the string '{text}', which is not a boolean"
                ))
            })
        }
        _ => Ok(value.is_true()),
    }
}

/// A condition written as an expression whose string constants hold
/// templates (`'{{ name }}' == 'web01'`), split into an expression that
/// names each such constant (`__runbook_const_0 == 'web01'`) and the
/// constants' template sources. Ansible 2.19 renders such constants (with a
/// deprecation warning) and uses the *result* as a string, so whatever they
/// render to stays data. Template delimiters outside string constants are a
/// syntax error, as there.
pub(super) struct ConstantTemplates {
    pub expression: String,
    pub templates: Vec<(String, String)>,
}

pub(super) fn split_constant_templates(expr: &str) -> Result<ConstantTemplates, TemplateError> {
    let mut expression = String::with_capacity(expr.len());
    let mut templates = Vec::new();
    let mut rest = expr;
    while let Some(start) = rest.find(['\'', '"', '{']) {
        let (before, from) = rest.split_at(start);
        expression.push_str(before);
        let first = from.chars().next().unwrap_or('{');
        if first == '{' {
            if from.starts_with("{{") || from.starts_with("{%") || from.starts_with("{#") {
                return Err(TemplateError::evaluation(
                    "Syntax error in expression. Template delimiters are not supported in expressions.",
                ));
            }
            expression.push('{');
            rest = &from[1..];
            continue;
        }
        let Some(length) = quoted_length(from, first) else {
            // An unterminated string: let the expression parser report it.
            expression.push_str(from);
            rest = "";
            break;
        };
        let literal = &from[..length];
        let body = &literal[1..length - 1];
        if super::native::has_template_markers(body) {
            let name = format!("__runbook_const_{}", templates.len());
            expression.push_str(&name);
            templates.push((name, unescape(body)));
        } else {
            expression.push_str(literal);
        }
        rest = &from[length..];
    }
    expression.push_str(rest);
    Ok(ConstantTemplates {
        expression,
        templates,
    })
}

/// The byte length of the string literal at the start of `text` (quotes
/// included), `None` if it never ends.
fn quoted_length(text: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (index, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            _ if c == quote => return Some(index + c.len_utf8()),
            _ => {}
        }
    }
    None
}

/// A string literal's body with Jinja's backslash escapes resolved.
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::split_constant_templates;
    use proptest::prelude::*;

    #[test]
    fn constants_holding_templates_become_names() {
        let split = split_constant_templates(r#"'{{ name }}' == "web" and x != '\'{{ y }}'"#);
        let split = split.ok().map(|s| (s.expression, s.templates));
        assert_eq!(
            split,
            Some((
                "__runbook_const_0 == \"web\" and x != __runbook_const_1".to_string(),
                vec![
                    ("__runbook_const_0".to_string(), "{{ name }}".to_string()),
                    ("__runbook_const_1".to_string(), "'{{ y }}".to_string()),
                ]
            ))
        );
    }

    #[test]
    fn delimiters_outside_constants_are_refused() {
        for expr in ["{{ port }} == 8080", "a and {% if b %}", "x {# c #}"] {
            assert!(split_constant_templates(expr).is_err(), "{expr}");
        }
        let dict = split_constant_templates("{'a': 1} == x").ok();
        assert_eq!(dict.map(|s| s.expression), Some("{'a': 1} == x".into()));
    }

    proptest! {
        #[test]
        fn never_panics_and_keeps_plain_expressions(text in "[ -~]{0,64}") {
            if let Ok(split) = split_constant_templates(&text)
                && split.templates.is_empty()
            {
                prop_assert_eq!(split.expression, text);
            }
        }
    }
}
