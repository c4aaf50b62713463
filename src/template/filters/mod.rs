//! Ansible's filters, where minijinja's builtins differ from Jinja2/Ansible
//! or do not exist. Each file holds one family of filters.

#[cfg(test)]
mod builtins_check;
mod collections;
mod combinatorics;
mod core;
mod crypt;
mod datetime;
mod encoding;
mod human;
mod json_query;
mod math;
mod more_paths;
mod paths;
mod predicates;
pub(super) mod pyjson;
pub(super) mod regex;
mod serialize;
mod strings;
#[cfg(test)]
pub(super) mod test_support;
mod text;
mod vault;

use minijinja::{Environment, Error, ErrorKind};

pub(super) use self::core::{MANDATORY_MARKER, parse_bool_word};
use super::pyrepr::py_str;
use crate::value::Value;

/// Register every filter runbook adds or overrides.
pub(super) fn register(env: &mut Environment<'static>) {
    core::register(env);
    regex::register(env);
    serialize::register(env);
    encoding::register(env);
    paths::register(env);
    collections::register(env);
    math::register(env);
    text::register(env);
    combinatorics::register(env);
    human::register(env);
    strings::register(env);
    more_paths::register(env);
    datetime::register(env);
    crypt::register(env);
    json_query::register(env);
    predicates::register(env);
    vault::register(env);
}

/// A filter failure with the filter's own message.
pub(crate) fn failure(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

/// A value as the text a string filter works on (Python's `str()`);
/// undefined is an error rather than an empty string.
pub(crate) fn text_of(value: &Value) -> Result<String, Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    Ok(py_str(value))
}
