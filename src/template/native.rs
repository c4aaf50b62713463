//! How Ansible (2.19+) decides what a templated string becomes: text without
//! template markers is left alone, a string that is exactly one `{{ expr }}`
//! becomes the expression's own value (a list stays a list, an int an int),
//! and anything else renders to a string.

/// What kind of template a string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateShape<'a> {
    /// No `{{`, `{%` or `{#`: the string is used as-is.
    Plain,
    /// Exactly one `{{ expr }}` and nothing around it; carries `expr`.
    SingleExpression(&'a str),
    /// Anything else: rendered to a string.
    Text,
}

/// Classify `text` without parsing it.
pub fn shape(text: &str) -> TemplateShape<'_> {
    if !has_template_markers(text) {
        return TemplateShape::Plain;
    }
    match single_expression(text) {
        Some(expr) => TemplateShape::SingleExpression(expr),
        None => TemplateShape::Text,
    }
}

/// Whether `text` contains anything Jinja would treat as template syntax.
pub fn has_template_markers(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|pair| matches!(pair, b"{{" | b"{%" | b"{#"))
}

/// The inner expression of a string that is one `{{ expr }}` block.
/// Whitespace control markers (`{{- x -}}`) are allowed. As in Jinja's
/// lexer, a `}}` inside a string literal or an open `(`, `[` or `{` does not
/// end the block, so `{{ a | combine({'b': {'c': 1}}) }}` is one expression.
fn single_expression(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("{{")?;
    let inner = inner.strip_prefix(['-', '+']).unwrap_or(inner);
    let end = expression_end(inner)?;
    let rest = &inner[end..];
    if rest != "}}" && rest != "-}}" && rest != "+}}" {
        return None;
    }
    let expr = inner[..end].trim();
    (!expr.is_empty()).then_some(expr)
}

/// Where the expression at the start of `text` ends: the byte offset of the
/// `}}` (or `-}}`/`+}}`) that closes it, outside string literals and brackets.
fn expression_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut quote = None;
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        match quote {
            Some(open) => {
                if byte == b'\\' {
                    index += 1;
                } else if byte == open {
                    quote = None;
                }
            }
            None => match byte {
                b'\'' | b'"' => quote = Some(byte),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' => depth = depth.saturating_sub(1),
                b'}' if depth > 0 => depth -= 1,
                b'}' if bytes[index..].starts_with(b"}}") => return Some(index),
                b'-' | b'+' if depth == 0 && bytes[index + 1..].starts_with(b"}}") => {
                    return Some(index);
                }
                _ => {}
            },
        }
        index += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{TemplateShape, shape};

    #[test]
    fn classifies_strings_like_ansible() {
        let cases = [
            ("plain text", TemplateShape::Plain),
            ("", TemplateShape::Plain),
            ("{ not: jinja }", TemplateShape::Plain),
            ("{{ x }}", TemplateShape::SingleExpression("x")),
            (
                "{{x|default([])}}",
                TemplateShape::SingleExpression("x|default([])"),
            ),
            ("{{- x -}}", TemplateShape::SingleExpression("x")),
            ("{{ a }} {{ b }}", TemplateShape::Text),
            ("{{ a }}{{ b }}", TemplateShape::Text),
            (" {{ x }}", TemplateShape::Text),
            ("{{ x }}\n", TemplateShape::Text),
            ("x={{ x }}", TemplateShape::Text),
            ("{% if a %}y{% endif %}", TemplateShape::Text),
            ("{# note #}", TemplateShape::Text),
            ("{{ '}}' }}", TemplateShape::SingleExpression("'}}'")),
            (
                "{{ a | combine({'b': {'c': 1}}) }}",
                TemplateShape::SingleExpression("a | combine({'b': {'c': 1}})"),
            ),
            (
                "{{ {'a': 1} }}",
                TemplateShape::SingleExpression("{'a': 1}"),
            ),
            ("{{ a }} x {{ b }}", TemplateShape::Text),
            ("{{ a - 1 }}", TemplateShape::SingleExpression("a - 1")),
            ("{{ x }", TemplateShape::Text),
            ("{{  }}", TemplateShape::Text),
        ];
        for (text, expected) in cases {
            assert_eq!(shape(text), expected, "shape of {text:?}");
        }
    }
}
