//! Ansible's lookup plugins, run on the controller: `lookup()`, `query()`
//! and `q()` in templates, and the `with_<lookup>` loops.
//!
//! A lookup takes its terms and keyword options and returns a list; what a
//! template receives from it follows Ansible 2.19 (`wantlist`, `errors`,
//! one item unwrapped, several strings joined with commas).

mod controller;
mod files;
mod lists;
mod password;
mod search;
mod table_files;
#[cfg(test)]
mod tests;

use indexmap::IndexMap;
use minijinja::value::{Kwargs, Rest, ValueKind};
use minijinja::{Environment, Error, State};

use crate::value::Value;

thread_local! {
    /// Warnings of `errors='warn'` lookups rendered on this thread, until
    /// the executor reports them.
    static WARNINGS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The warnings lookups with `errors='warn'` gave on this thread since the
/// last call.
pub fn take_warnings() -> Vec<String> {
    WARNINGS.with(|warnings| std::mem::take(&mut *warnings.borrow_mut()))
}

/// Keyword options given to a lookup, in the order written.
pub(crate) type Options = IndexMap<String, Value>;

/// Where a lookup reads variables and renders templates.
pub(crate) struct Scope<'a> {
    env: &'a Environment<'a>,
    vars: Vars<'a>,
    /// The task's action when the lookup runs as `with_<name>` (first_found
    /// then searches the directory the action reads from).
    with_action: Option<&'a str>,
}

enum Vars<'a> {
    State(&'a State<'a, 'a>),
    Value(&'a Value),
}

impl<'a> Scope<'a> {
    /// The scope of a `with_<name>` loop over the task's variables.
    pub(crate) fn for_loop(env: &'a Environment<'a>, vars: &'a Value, action: &'a str) -> Self {
        Self {
            env,
            vars: Vars::Value(vars),
            with_action: Some(action),
        }
    }

    /// A variable, `None` when it is not defined.
    pub(crate) fn var(&self, name: &str) -> Option<Value> {
        let value = match &self.vars {
            Vars::State(state) => state.lookup(name)?,
            Vars::Value(vars) => vars.get_attr(name).ok()?,
        };
        (!value.is_undefined()).then_some(value)
    }

    /// Every variable name the task sees.
    pub(crate) fn var_names(&self) -> Vec<String> {
        match &self.vars {
            Vars::State(state) => state
                .known_variables()
                .into_iter()
                .map(|name| name.into_owned())
                .collect(),
            Vars::Value(vars) => vars
                .try_iter()
                .map(|keys| keys.map(|key| crate::value::text(&key)).collect())
                .unwrap_or_default(),
        }
    }

    /// Render `source` with the task's variables and `extra` on top.
    pub(crate) fn render(&self, source: &str, extra: &Options) -> Result<String, String> {
        let base = match &self.vars {
            Vars::State(_) => {
                let names = self.var_names();
                crate::value::map_from_pairs(
                    names
                        .into_iter()
                        .filter_map(|name| self.var(&name).map(|value| (name, value))),
                )
            }
            Vars::Value(vars) => (*vars).clone(),
        };
        let context = if extra.is_empty() {
            base
        } else {
            let extra = crate::value::map_from_pairs(extra.clone());
            minijinja::context! { ..extra, ..base }
        };
        self.env
            .render_str(source, context)
            .map_err(|err| err.to_string())
    }
}

/// What one lookup plugin does: terms and options in, a list out.
type Plugin = fn(&[Value], &Options, &Scope) -> Result<Vec<Value>, String>;

/// Every lookup runbook runs, by its short name.
const PLUGINS: &[(&str, Plugin)] = &[
    ("config", controller::config),
    ("csvfile", table_files::csvfile),
    ("dict", lists::dict),
    ("env", controller::env),
    ("file", files::file),
    ("fileglob", files::fileglob),
    ("first_found", files::first_found),
    ("flattened", lists::flattened),
    ("indexed_items", lists::indexed_items),
    ("ini", table_files::ini),
    ("inventory_hostnames", controller::inventory_hostnames),
    ("items", lists::items),
    ("lines", controller::lines),
    ("list", lists::list),
    ("nested", lists::nested),
    ("cartesian", lists::nested),
    ("password", password::password),
    ("pipe", controller::pipe),
    ("random_choice", lists::random_choice),
    ("sequence", lists::sequence),
    ("subelements", lists::subelements),
    ("template", files::template),
    ("together", lists::together),
    ("url", controller::url),
    ("vars", controller::vars),
    ("varnames", controller::varnames),
];

/// The names `with_<name>` and `lookup('<name>')` accept.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    PLUGINS.iter().map(|(name, _)| *name)
}

/// The short name of `ansible.builtin.file`, `community.general.cartesian`...
fn short_name(name: &str) -> &str {
    for prefix in ["ansible.builtin.", "ansible.legacy.", "community.general."] {
        if let Some(short) = name.strip_prefix(prefix) {
            return short;
        }
    }
    name
}

pub(crate) fn is_known(name: &str) -> bool {
    static_name(name).is_some()
}

/// The plugin's own name for `name` (`ansible.builtin.items` → `items`).
pub(crate) fn static_name(name: &str) -> Option<&'static str> {
    let short = short_name(name);
    PLUGINS
        .iter()
        .find(|(known, _)| *known == short)
        .map(|(known, _)| *known)
}

/// Run lookup `name` and return its list, or Ansible's message for why not.
pub(crate) fn run(
    name: &str,
    terms: &[Value],
    options: &Options,
    scope: &Scope,
) -> Result<Vec<Value>, String> {
    let short = short_name(name);
    let Some((_, plugin)) = PLUGINS.iter().find(|(known, _)| *known == short) else {
        return Err(format!("The lookup plugin '{name}' was not found."));
    };
    plugin(terms, options, scope)
        .map_err(|cause| format!("The lookup plugin '{name}' failed: {cause}"))
}

/// `with_<name>` over `terms`: the lookup's list as it is.
pub(crate) fn run_for_loop(
    name: &str,
    terms: &[Value],
    vars: &Value,
    action: &str,
    env: &Environment<'_>,
) -> Result<Vec<Value>, String> {
    let scope = Scope::for_loop(env, vars, action);
    run(name, terms, &Options::new(), &scope)
}

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_function("lookup", lookup);
    env.add_function("query", query);
    env.add_function("q", query);
}

fn lookup(state: &State, name: String, terms: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    invoke(state, &name, &terms, kwargs, false)
}

fn query(state: &State, name: String, terms: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    invoke(state, &name, &terms, kwargs, true)
}

fn invoke(
    state: &State,
    name: &str,
    terms: &[Value],
    kwargs: Kwargs,
    forced_list: bool,
) -> Result<Value, Error> {
    let mut options = Options::new();
    for key in kwargs.args() {
        options.insert(key.to_string(), kwargs.get::<Value>(key)?);
    }
    let wantlist = forced_list
        || options
            .shift_remove("wantlist")
            .is_some_and(|value| value.is_true());
    options.shift_remove("wantlist");
    let errors = options
        .shift_remove("errors")
        .map_or_else(|| "strict".to_string(), |value| crate::value::text(&value));
    if !matches!(errors.as_str(), "strict" | "warn" | "ignore") {
        return Err(super::filters::failure(format!(
            "errors must be one of strict, warn or ignore, not {errors:?}"
        )));
    }
    if let Some(undefined) = terms.iter().find(|term| term.is_undefined()) {
        return Ok(undefined.clone());
    }
    if !is_known(name) {
        return Err(super::filters::failure(format!(
            "The lookup plugin '{name}' was not found."
        )));
    }
    let scope = Scope {
        env: state.env(),
        vars: Vars::State(state),
        with_action: None,
    };
    match run(name, terms, &options, &scope) {
        Ok(list) => Ok(shaped(list, wantlist)),
        Err(message) if errors == "strict" => Err(super::filters::failure(message)),
        // `warn` and `ignore` give nothing and the template goes on; `warn`
        // shows Ansible's warning.
        Err(message) => {
            if errors == "warn" {
                let cause = message
                    .split_once("' failed: ")
                    .map_or(message.as_str(), |(_, cause)| cause);
                let warning =
                    format!("An error occurred while running the lookup plugin '{name}': {cause}");
                WARNINGS.with(|warnings| warnings.borrow_mut().push(warning));
            }
            Ok(if wantlist {
                Value::from(Vec::<Value>::new())
            } else {
                Value::from(())
            })
        }
    }
}

/// What `lookup()` returns for a plugin's list: one item unwrapped, several
/// strings joined with commas, anything else as the list.
fn shaped(list: Vec<Value>, wantlist: bool) -> Value {
    if wantlist || list.is_empty() {
        return Value::from(list);
    }
    if list.len() == 1 {
        return list.into_iter().next().unwrap_or_default();
    }
    if list.iter().all(|item| item.kind() == ValueKind::String) {
        let joined: Vec<String> = list.iter().map(crate::value::text).collect();
        return Value::from(joined.join(","));
    }
    Value::from(list)
}

/// The text of a term or option (Python's `str()`).
pub(crate) fn text(value: &Value) -> String {
    crate::value::text(value)
}

/// A boolean option as Ansible's `boolean()` reads it.
pub(crate) fn flag(options: &Options, name: &str, default: bool) -> Result<bool, String> {
    match options.get(name) {
        None => Ok(default),
        Some(value) if value.kind() == ValueKind::Bool => Ok(value.is_true()),
        Some(value) => crate::value::parse_bool(&text(value))
            .ok_or_else(|| format!("Invalid value for option '{name}': {value} is not a boolean")),
    }
}

/// The items of a list value; anything else is one item.
pub(crate) fn items_of(value: &Value) -> Vec<Value> {
    match value.kind() {
        ValueKind::Seq | ValueKind::Iterable => {
            value.try_iter().map(Iterator::collect).unwrap_or_default()
        }
        _ => vec![value.clone()],
    }
}

/// Split `k=v k2=v2` (Ansible's `parse_kv`) from the term's first word.
pub(crate) fn split_inline_options(term: &str) -> (String, Options) {
    let mut words = shell_words::split(term)
        .unwrap_or_else(|_| term.split_whitespace().map(str::to_string).collect())
        .into_iter();
    let mut positional = Vec::new();
    let mut options = Options::new();
    for word in words.by_ref() {
        match word.split_once('=') {
            Some((key, value)) if !key.is_empty() && !key.contains('/') => {
                options.insert(key.to_string(), Value::from(value));
            }
            _ => positional.push(word),
        }
    }
    (positional.join(" "), options)
}
