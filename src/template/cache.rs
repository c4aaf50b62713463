//! Compiled templates kept between renders. The executor renders the same
//! task strings for every host; compiling dominates rendering (measured
//! 3-5x), so templates are compiled once, keyed by their source text.
//!
//! minijinja's own template store does the thread-safe caching: a loader
//! maps the name `"\0" + source` back to the source, so
//! `Environment::get_template` compiles on first use and shares the result.
//! Expressions are cached the same way as `{% set result = (expr) %}`
//! templates whose `result` is read back from the finished render.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use minijinja::Environment;

use super::error::TemplateError;
use crate::value::Value;

/// Names starting with this are template sources, not file names, so an
/// `{% include "x" %}` can never be served from the cache.
const SOURCE_PREFIX: char = '\0';
const RESULT_VAR: &str = "__runbook_result";
/// Distinct sources kept before the cache starts over, bounding memory
/// when templates are generated per host.
const CAPACITY: usize = 4096;

/// An environment whose templates and expressions are compiled once.
pub(super) struct CachingEnvironment {
    env: RwLock<Environment<'static>>,
    compiled: Arc<AtomicUsize>,
}

impl CachingEnvironment {
    pub(super) fn new(mut env: Environment<'static>) -> Self {
        let compiled = Arc::new(AtomicUsize::new(0));
        let counter = compiled.clone();
        env.set_loader(move |name| {
            let source = name.strip_prefix(SOURCE_PREFIX).map(str::to_string);
            if source.is_some() {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            Ok(source)
        });
        Self {
            env: RwLock::new(env),
            compiled,
        }
    }

    /// Render `text` as a template.
    pub(super) fn render(&self, text: &str, vars: &Value) -> Result<String, TemplateError> {
        let _evaluation = super::inner_error::Evaluation::begin();
        let result = {
            let env = self.env.read().unwrap_or_else(PoisonError::into_inner);
            env.get_template(&cache_key(text))
                .and_then(|template| template.render(vars))
        };
        self.trim();
        result.map_err(|err| TemplateError::from_minijinja(&err, text))
    }

    /// Evaluate a Jinja expression to its value (undefined included).
    pub(super) fn eval(&self, expr: &str, vars: &Value) -> Result<Value, TemplateError> {
        let _evaluation = super::inner_error::Evaluation::begin();
        if expr.contains("%}") {
            // Cannot be wrapped in a `{% set %}` block; compile it directly.
            let env = self.env.read().unwrap_or_else(PoisonError::into_inner);
            return env
                .compile_expression(expr)
                .and_then(|compiled| compiled.eval(vars))
                .map_err(|err| TemplateError::from_minijinja(&err, expr));
        }
        let source = format!("{{% set {RESULT_VAR} = ({expr}) %}}");
        let result = {
            let env = self.env.read().unwrap_or_else(PoisonError::into_inner);
            env.get_template(&cache_key(&source))
                .and_then(|template| template.render_captured(vars))
                .map(|captured| captured.state().lookup(RESULT_VAR).unwrap_or_default())
        };
        self.trim();
        result.map_err(|err| TemplateError::from_minijinja(&err, &source))
    }

    /// Run `work` with the environment (lookups render with it).
    pub(super) fn with_env<R>(&self, work: impl FnOnce(&Environment<'static>) -> R) -> R {
        let env = self.env.read().unwrap_or_else(PoisonError::into_inner);
        work(&env)
    }

    /// Start the cache over once it holds too many templates.
    fn trim(&self) {
        if self.compiled.load(Ordering::Relaxed) <= CAPACITY {
            return;
        }
        let mut env = self.env.write().unwrap_or_else(PoisonError::into_inner);
        if self.compiled.load(Ordering::Relaxed) > CAPACITY {
            env.clear_templates();
            self.compiled.store(0, Ordering::Relaxed);
        }
    }
}

fn cache_key(source: &str) -> String {
    let mut key = String::with_capacity(source.len() + 1);
    key.push(SOURCE_PREFIX);
    key.push_str(source);
    key
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{CAPACITY, CachingEnvironment};
    use crate::template::environment::ansible_environment;
    use crate::template::filters::test_support::vars;
    use crate::value::Value;

    #[test]
    fn cached_renders_give_the_same_results() {
        let cache = CachingEnvironment::new(ansible_environment());
        for _ in 0..3 {
            assert_eq!(
                cache
                    .render("{{ name }}:{{ port }}", &vars())
                    .ok()
                    .as_deref(),
                Some("web01:8080")
            );
            assert_eq!(
                cache.eval("port + 1", &vars()).ok(),
                Some(Value::from(8081))
            );
            assert_eq!(
                cache.eval("'%}' ~ name", &vars()).ok(),
                Some(Value::from("%}web01"))
            );
        }
    }

    #[test]
    fn include_cannot_reach_cached_sources() {
        let cache = CachingEnvironment::new(ansible_environment());
        let err = cache
            .render("{% include 'x' %}", &vars())
            .expect_err("no such template");
        assert!(
            err.message.contains("not found") || err.message.contains("x"),
            "{}",
            err.message
        );
    }

    #[test]
    fn cache_starts_over_past_capacity() {
        let cache = CachingEnvironment::new(ansible_environment());
        for i in 0..=CAPACITY + 1 {
            let text = format!("{{{{ name }}}}{i}");
            assert_eq!(cache.render(&text, &vars()).ok(), Some(format!("web01{i}")));
        }
        assert!(cache.compiled.load(std::sync::atomic::Ordering::Relaxed) <= CAPACITY);
    }

    /// Not a correctness test: run with `--ignored --nocapture` to see
    /// what caching buys.
    #[test]
    #[ignore]
    #[allow(clippy::print_stdout)] // the measurement is the output
    fn measure_cache_benefit() {
        let cache = CachingEnvironment::new(ansible_environment());
        let env = ansible_environment();
        let vars = vars();
        let text = "http://{{ name }}:{{ port }}/{% for i in items %}{{ i }}{% endfor %}";
        let n = 20_000;
        let time = |f: &dyn Fn()| -> Duration {
            let start = Instant::now();
            for _ in 0..n {
                f();
            }
            start.elapsed() / n
        };
        let uncached = time(&|| {
            let rendered = env.template_from_str(text).and_then(|t| t.render(&vars));
            std::hint::black_box(rendered.ok());
        });
        let cached = time(&|| {
            std::hint::black_box(cache.render(text, &vars).ok());
        });
        let expr = "config.db.port > 5000 and name is defined";
        let expr_uncached = time(&|| {
            let value = env.compile_expression(expr).and_then(|e| e.eval(&vars));
            std::hint::black_box(value.ok());
        });
        let expr_cached = time(&|| {
            std::hint::black_box(cache.eval(expr, &vars).ok());
        });
        println!("template: uncached {uncached:?}, cached {cached:?}");
        println!("expression: uncached {expr_uncached:?}, cached {expr_cached:?}");
    }
}
