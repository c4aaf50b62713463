//! Helpers for the table-driven filter and test tests: render a template
//! against a small fixed set of variables.

use std::sync::LazyLock;

use crate::template::{Templar, TemplateError};
use crate::value::Value;

static TEMPLAR: LazyLock<Templar> = LazyLock::new(Templar::new);

pub(crate) fn vars() -> Value {
    minijinja::context! {
        name => "web01",
        port => 8080,
        items => vec![1, 2, 3],
        empty => "",
        nothing => (),
        config => minijinja::context! { db => minijinja::context! { host => "db1", port => 5432 } },
    }
}

/// Render `template` to the string a user would see.
pub(crate) fn render(template: &str) -> String {
    match TEMPLAR.render_text(template, &vars()) {
        Ok(text) => text,
        Err(err) => panic!("{template} failed: {err}"),
    }
}

pub(crate) fn render_err(template: &str) -> TemplateError {
    match TEMPLAR.render_text(template, &vars()) {
        Ok(text) => panic!("{template} rendered {text:?} instead of failing"),
        Err(err) => err,
    }
}

/// Evaluate `expr` to its native value.
pub(crate) fn eval(expr: &str) -> Value {
    match TEMPLAR.eval_expr(expr, &vars()) {
        Ok(value) => value,
        Err(err) => panic!("{expr} failed: {err}"),
    }
}
