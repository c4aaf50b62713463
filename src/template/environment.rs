//! The one minijinja environment configuration runbook uses: Jinja2 syntax
//! and whitespace handling as Ansible sets it up, strict undefined
//! variables, Python string/dict methods, and Ansible's filters and tests.

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior};

use super::pyrepr::py_str;
use super::{filters, jinja_tests};

/// A fresh environment with everything registered.
pub(super) fn ansible_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Ansible's environment sets trim_blocks; its templar keeps the
    // trailing newline of a template.
    if let Ok(syntax) = SyntaxConfig::builder()
        .trim_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    // Debug mode is what makes minijinja remember which expression produced
    // an undefined value, so errors can name the variable (release builds
    // would otherwise turn it off).
    env.set_debug(true);
    env.set_formatter(|out, _state, value| {
        // Ansible's finalize writes None as nothing (`a{{ none }}b` is `ab`).
        if value.is_none() {
            return Ok(());
        }
        out.write_str(&py_str(value)).map_err(|err| {
            minijinja::Error::new(minijinja::ErrorKind::WriteFailure, err.to_string())
        })
    });
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    add_jinja2_builtins_from_contrib(&mut env);
    filters::register(&mut env);
    jinja_tests::register(&mut env);
    super::lookups::register(&mut env);
    env
}

/// Jinja2 filters minijinja leaves to its contrib crate. Only those whose
/// behaviour matches Jinja2's are taken; contrib's non-Jinja2 extras
/// (`pluralize`, `datetimeformat`) are left out so playbooks stay portable.
fn add_jinja2_builtins_from_contrib(env: &mut Environment<'static>) {
    use minijinja_contrib::filters as contrib;
    env.add_filter("filesizeformat", contrib::filesizeformat);
    env.add_filter("striptags", contrib::striptags);
}
