//! A module's arguments after templating, read through typed accessors so
//! a wrong type fails the task with a message that names the argument.

use std::fmt::Write;

use minijinja::value::ValueKind;

use crate::value::{Value, VarMap, parse_bool};

/// A module's arguments after templating, with typed accessors whose
/// errors name the argument.
#[derive(Debug, Clone, Default)]
pub struct Args {
    values: VarMap,
}

/// An argument of the wrong type; the task fails with this message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("argument `{name}`: {problem}")]
pub struct ArgError {
    pub name: String,
    pub problem: String,
}

/// Arguments that travel as data on stdin, where a NUL byte is just a byte;
/// every other string reaches a command line or a script, where a NUL would
/// silently cut it short, so it is refused.
const CARRIES_NUL: &[&str] = &["content", "stdin"];

impl Args {
    pub fn new(values: VarMap) -> Self {
        Self { values }
    }

    /// The same arguments under their canonical names (an alias such as
    /// `master_host` read as `primary_host`), for modules that read only those.
    pub fn canonical(&self, spec: &super::ArgSpec) -> Self {
        Self::new(
            self.values
                .iter()
                .map(|(name, value)| {
                    let canonical = spec.canonical(name).unwrap_or(name);
                    (canonical.to_string(), value.clone())
                })
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values
            .get(name)
            .filter(|v| !v.is_none() && !v.is_undefined())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn values(&self) -> &VarMap {
        &self.values
    }

    /// A string argument; numbers and booleans are written as text, as
    /// Ansible converts them.
    pub fn str(&self, name: &str) -> Result<Option<String>, ArgError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let text = match value.kind() {
            ValueKind::String => value.as_str().map(str::to_string),
            ValueKind::Number | ValueKind::Bool => Some(value.to_string()),
            other => return Err(self.wrong(name, "a string", other)),
        };
        match text {
            Some(text) if text.contains('\0') && !CARRIES_NUL.contains(&name) => Err(ArgError {
                name: name.to_string(),
                problem: "contains a NUL byte, which no command, path or file name can hold".into(),
            }),
            text => Ok(text),
        }
    }

    /// A boolean argument with Ansible's spellings (`yes`, `no`, `on`, `1`...).
    pub fn bool(&self, name: &str, default: bool) -> Result<bool, ArgError> {
        let Some(value) = self.get(name) else {
            return Ok(default);
        };
        if let Some(b) = value.as_str().and_then(parse_bool) {
            return Ok(b);
        }
        match value.kind() {
            ValueKind::Bool => Ok(value.is_true()),
            ValueKind::Number => Ok(value.as_i64() == Some(1)),
            other => Err(self.wrong(name, "a boolean", other)),
        }
    }

    /// A number argument (integers or floats, or text that reads as one).
    pub fn f64(&self, name: &str) -> Result<Option<f64>, ArgError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        if let Some(text) = value.as_str() {
            return text.trim().parse().map(Some).map_err(|_| ArgError {
                name: name.to_string(),
                problem: format!("expected a number, got {text:?}"),
            });
        }
        f64::try_from(value.clone())
            .map(Some)
            .map_err(|_| self.wrong(name, "a number", value.kind()))
    }

    /// A list of strings; a single string is a one-item list (and a
    /// comma-separated string is split, as Ansible's `type='list'` does).
    pub fn str_list(&self, name: &str) -> Result<Option<Vec<String>>, ArgError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        match value.kind() {
            ValueKind::Seq => Ok(Some(
                value
                    .try_iter()
                    .map_err(|_| self.wrong(name, "a list", value.kind()))?
                    .map(|item| {
                        let text = item
                            .as_str()
                            .map_or_else(|| item.to_string(), str::to_string);
                        match text.contains('\0') {
                            true => Err(ArgError {
                                name: name.to_string(),
                                problem: "an item contains a NUL byte".into(),
                            }),
                            false => Ok(text),
                        }
                    })
                    .collect::<Result<_, _>>()?,
            )),
            ValueKind::String | ValueKind::Number | ValueKind::Bool => Ok(Some(
                value
                    .to_string()
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .collect(),
            )),
            other => Err(self.wrong(name, "a list", other)),
        }
    }

    fn wrong(&self, name: &str, expected: &str, found: ValueKind) -> ArgError {
        let mut problem = format!("expected {expected}, got a {found}");
        if let Some(value) = self.values.get(name) {
            let _ = write!(problem, " ({value})");
        }
        ArgError {
            name: name.to_string(),
            problem,
        }
    }
}

#[cfg(test)]
impl Args {
    /// Arguments as a test writes them: `Args::of(&[("path", "/x")])`.
    pub fn of<V: Clone + Into<Value>>(pairs: &[(&str, V)]) -> Self {
        Self::new(
            pairs
                .iter()
                .map(|(name, value)| ((*name).to_string(), value.clone().into()))
                .collect(),
        )
    }
}
