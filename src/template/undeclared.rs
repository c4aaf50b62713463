//! The variables a template reads without defining them itself, found by
//! parsing it, never rendering it (`runbook check`).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use minijinja::Environment;
use minijinja::syntax::SyntaxConfig;

use super::environment::ansible_environment;
use super::native::{TemplateShape, shape};

/// The names of `text`, a string that may hold `{{ }}`/`{% %}` (a module
/// argument, a name). A string without template markers reads nothing.
pub fn template_variables(text: &str) -> Result<BTreeSet<String>, String> {
    match shape(text) {
        TemplateShape::Plain => Ok(BTreeSet::new()),
        TemplateShape::SingleExpression(expr) => expression_variables(expr),
        TemplateShape::Text => {
            let env = parsing_environment();
            let template = env.template_from_str(text).map_err(|e| describe(&e))?;
            Ok(without_globals(template.undeclared_variables(false)))
        }
    }
}

/// The names of a bare expression (`when:`, `that:`, `debug: var=`);
/// a `{{ }}`-wrapped one too.
pub fn condition_variables(text: &str) -> Result<BTreeSet<String>, String> {
    let text = text.trim();
    match shape(text) {
        TemplateShape::Plain => expression_variables(text),
        TemplateShape::SingleExpression(expr) => expression_variables(expr),
        TemplateShape::Text => template_variables(text),
    }
}

fn expression_variables(expr: &str) -> Result<BTreeSet<String>, String> {
    let env = parsing_environment();
    let expression = env.compile_expression(expr).map_err(|e| describe(&e))?;
    Ok(without_globals(expression.undeclared_variables(false)))
}

/// Only the syntax matters for parsing: Ansible's, without the filters.
fn parsing_environment<'source>() -> Environment<'source> {
    let mut env = Environment::empty();
    if let Ok(syntax) = SyntaxConfig::builder()
        .trim_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env
}

fn describe(error: &minijinja::Error) -> String {
    match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    }
}

/// Functions and globals every template has (`lookup`, `range`, `omit`…).
fn without_globals(names: std::collections::HashSet<String>) -> BTreeSet<String> {
    static GLOBALS: OnceLock<BTreeSet<String>> = OnceLock::new();
    let globals = GLOBALS.get_or_init(|| {
        ansible_environment()
            .globals()
            .map(|(name, _)| name.to_string())
            .collect()
    });
    names
        .into_iter()
        .filter(|name| !globals.contains(name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(found: Result<BTreeSet<String>, String>) -> Vec<String> {
        found.expect("parses").into_iter().collect()
    }

    #[test]
    fn names_read_but_not_set_in_the_template() {
        assert_eq!(
            names(template_variables(
                "{% for x in items %}{{ x.a }}{{ other | default(1) }}{% endfor %}"
            )),
            ["items", "other"]
        );
        assert_eq!(
            names(template_variables("{{ lookup('env', 'HOME') }}")),
            Vec::<String>::new()
        );
        assert_eq!(
            names(template_variables("plain text")),
            Vec::<String>::new()
        );
        assert_eq!(
            names(condition_variables("a.rc != 0 and b is defined")),
            ["a", "b"]
        );
        assert!(template_variables("{{ a + }}").is_err());
    }
}
