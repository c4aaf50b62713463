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
/// Whitespace control markers (`{{- x -}}`) are allowed. A `}}` or `{{`
/// inside the expression (only possible in a string literal) makes the
/// string plain text so it is rendered rather than mis-split.
fn single_expression(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("{{")?.strip_suffix("}}")?;
    let inner = inner.strip_prefix(['-', '+']).unwrap_or(inner);
    let inner = inner.strip_suffix(['-', '+']).unwrap_or(inner);
    let expr = inner.trim();
    let nested = expr.contains("}}") || has_template_markers(expr);
    (!expr.is_empty() && !nested).then_some(expr)
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
            ("{{ '}}' }}", TemplateShape::Text),
            ("{{  }}", TemplateShape::Text),
        ];
        for (text, expected) in cases {
            assert_eq!(shape(text), expected, "shape of {text:?}");
        }
    }
}
