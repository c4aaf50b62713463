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
#[derive(Debug)]
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

    /// Render every string inside `value`.
    pub fn render_value(&self, value: &Value, vars: &Value) -> Result<Value, TemplateError> {
        match value.as_str() {
            Some(text) => self.render_str(text, vars),
            None => Ok(value.clone()),
        }
    }

    /// Evaluate a bare expression (`x is defined and y`).
    pub fn eval_expr(&self, expr: &str, vars: &Value) -> Result<Value, TemplateError> {
        let compiled = self
            .env
            .compile_expression(expr)
            .map_err(|e| TemplateError {
                kind: TemplateErrorKind::Syntax,
                message: e.to_string(),
            })?;
        compiled.eval(vars).map_err(|e| TemplateError {
            kind: TemplateErrorKind::Evaluation,
            message: e.to_string(),
        })
    }

    /// Evaluate a condition (`when`, `failed_when`...).
    pub fn eval_condition(&self, expr: &str, vars: &Value) -> Result<bool, TemplateError> {
        Ok(self.eval_expr(expr, vars)?.is_true())
    }
}
