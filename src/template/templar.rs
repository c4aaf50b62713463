//! The template engine the executor shares between all workers: renders
//! strings (keeping native types for a lone `{{ expr }}`), whole values,
//! bare expressions and `when:`-style conditions.

use minijinja::value::ValueKind;

use super::cache::CachingEnvironment;
use super::condition::{split_constant_templates, truth_of};
use super::environment::ansible_environment;
use super::error::TemplateError;
use super::native::{TemplateShape, shape};
use super::trust::is_data;
use crate::value::{Value, map_from_pairs};

/// The template engine shared by every worker (`Send + Sync`).
pub struct Templar {
    engine: CachingEnvironment,
}

impl Default for Templar {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Templar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templar").finish_non_exhaustive()
    }
}

impl Templar {
    pub fn new() -> Self {
        Self {
            engine: CachingEnvironment::new(ansible_environment()),
        }
    }

    /// Every filter name (for an unknown filter) or test name (for an
    /// unknown test), for "did you mean …?".
    pub fn known_names(&self, unknown: &super::Unknown) -> Vec<String> {
        self.engine
            .with_env(|env| super::known_names::of(env, unknown))
    }

    /// Render a string. Text without template markers comes back as-is
    /// (unparsed); a string that is one `{{ expression }}` and nothing else
    /// yields the expression's own value (a list stays a list), as Ansible
    /// 2.19 does; anything else renders to a string.
    pub fn render_str(&self, text: &str, vars: &Value) -> Result<Value, TemplateError> {
        // Jinja drops one trailing newline of the source, so `{{ x }}\n` is
        // a single expression with a native result; Ansible then gives a
        // string result back the newlines it lost.
        if let Some(body) = text.strip_suffix('\n')
            && let TemplateShape::SingleExpression(expr) =
                shape(body.strip_suffix('\r').unwrap_or(body))
        {
            let value = self.eval_defined(expr, vars)?;
            return Ok(match value.as_str() {
                Some(rendered) if value.kind() == ValueKind::String => {
                    let lost = trailing_newlines(text).saturating_sub(trailing_newlines(rendered));
                    Value::from(format!("{rendered}{}", "\n".repeat(lost)))
                }
                _ => value,
            });
        }
        match shape(text) {
            TemplateShape::Plain => Ok(Value::from(text)),
            TemplateShape::SingleExpression(expr) => self.eval_defined(expr, vars),
            TemplateShape::Text => self
                .render_text(text, vars)
                .map(|rendered| Value::from(rendered.replace(super::OMIT, ""))),
        }
    }

    /// Render every string inside `value`, map keys included. Other
    /// scalars, and strings marked as data ([`super::trust`]), are returned
    /// unchanged.
    pub fn render_value(&self, value: &Value, vars: &Value) -> Result<Value, TemplateError> {
        match value.kind() {
            ValueKind::String if is_data(value) => Ok(value.clone()),
            ValueKind::String => match value.as_str() {
                Some(text) => self.render_str(text, vars),
                None => Ok(value.clone()),
            },
            ValueKind::Seq | ValueKind::Iterable => self.render_seq(value, vars),
            ValueKind::Map => self.render_map(value, vars),
            _ => Ok(value.clone()),
        }
    }

    /// Evaluate a bare expression (`debug: var=`); `{{ expr }}` is accepted
    /// too. An expression that is undefined is an error naming it.
    pub fn eval_expr(&self, expr: &str, vars: &Value) -> Result<Value, TemplateError> {
        match shape(expr.trim()) {
            TemplateShape::SingleExpression(inner) => self.eval_defined(inner, vars),
            _ => self.eval_defined(expr, vars),
        }
    }

    /// Evaluate a `when:`/`failed_when:`/`changed_when:`/`until:` condition.
    /// It is a bare expression; a `{{ }}`-wrapped one is accepted. Anything
    /// else with template markers is refused, as Ansible 2.19 does: the text
    /// it renders to is the result of templating (it may hold host output),
    /// and that is never evaluated as code.
    pub fn eval_condition(&self, expr: &str, vars: &Value) -> Result<bool, TemplateError> {
        let expr = expr.trim();
        let value = match shape(expr) {
            TemplateShape::Plain => self.eval_defined(expr, vars)?,
            TemplateShape::SingleExpression(inner) => self.eval_defined(inner, vars)?,
            TemplateShape::Text if is_all_template(expr) => return Err(untrusted_error()),
            TemplateShape::Text => self.eval_with_constant_templates(expr, vars)?,
        };
        truth_of(&value, expr)
    }

    /// Run lookup `name` for a `with_<name>` loop of a task doing `action`.
    pub fn loop_lookup(
        &self,
        name: &str,
        terms: &[Value],
        vars: &Value,
        action: &str,
    ) -> Result<Vec<Value>, String> {
        self.engine
            .with_env(|env| super::lookups::run_for_loop(name, terms, vars, action, env))
    }

    /// An expression whose string constants hold templates: each constant
    /// is rendered and bound to a name, so what it renders to is a string in
    /// the expression, never part of the expression's code.
    fn eval_with_constant_templates(
        &self,
        expr: &str,
        vars: &Value,
    ) -> Result<Value, TemplateError> {
        let split = split_constant_templates(expr)?;
        let mut constants = Vec::new();
        for (name, template) in &split.templates {
            constants.push((
                name.as_str(),
                Value::from(self.render_text(template, vars)?),
            ));
        }
        let locals = map_from_pairs(constants);
        let vars = minijinja::value::merge_maps([locals, vars.clone()]);
        self.eval_defined(&split.expression, &vars)
    }

    /// Render `text` as a template to a string.
    pub fn render_text(&self, text: &str, vars: &Value) -> Result<String, TemplateError> {
        self.engine.render(text, vars)
    }

    /// Evaluate an expression whose result must not be undefined.
    fn eval_defined(&self, expr: &str, vars: &Value) -> Result<Value, TemplateError> {
        let value = self.engine.eval(expr, vars)?;
        if value.is_undefined() {
            return Err(self.undefined_error(expr, vars));
        }
        Ok(value)
    }

    /// The error for an expression that evaluated to undefined: printing it
    /// makes minijinja name the undefined part (`a.b` in `a.b | upper`).
    fn undefined_error(&self, expr: &str, vars: &Value) -> TemplateError {
        let source = format!("{{{{ {expr} }}}}");
        match self.render_text(&source, vars) {
            Err(err) => err,
            Ok(_) => TemplateError::undefined(expr),
        }
    }

    fn render_seq(&self, value: &Value, vars: &Value) -> Result<Value, TemplateError> {
        let items = value
            .try_iter()
            .map_err(|err| TemplateError::evaluation(err.to_string()))?;
        items
            .map(|item| self.render_value(&item, vars))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::from)
    }

    fn render_map(&self, value: &Value, vars: &Value) -> Result<Value, TemplateError> {
        let keys = value
            .try_iter()
            .map_err(|err| TemplateError::evaluation(err.to_string()))?;
        let mut pairs = Vec::new();
        for key in keys {
            let item = value.get_item(&key).unwrap_or_default();
            pairs.push((
                self.render_value(&key, vars)?,
                self.render_value(&item, vars)?,
            ));
        }
        Ok(map_from_pairs(pairs))
    }
}

/// Whether a condition looks like nothing but templates (Ansible's
/// `is_possibly_all_template`): what it renders to would be evaluated as an
/// expression, and rendered text is never trusted as code.
fn is_all_template(expr: &str) -> bool {
    ["{{", "{%", "{#"].iter().any(|open| expr.starts_with(open))
        && ["}}", "%}", "#}"].iter().any(|close| expr.ends_with(close))
}

fn untrusted_error() -> TemplateError {
    TemplateError::evaluation(
        "Encountered untrusted template or expression. Templates and expressions must be \
         defined by trusted sources such as playbooks or roles, not untrusted sources such \
         as module results.",
    )
}

fn trailing_newlines(text: &str) -> usize {
    text.bytes().rev().take_while(|b| *b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::Templar;

    #[test]
    fn templar_is_shareable_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Templar>();
    }
}
