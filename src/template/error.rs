//! Template failures as the executor reports them: an undefined variable (by
//! name), a syntax error (with its line inside the template), or a failed
//! filter/test. minijinja's own errors are translated here so callers never
//! depend on minijinja's error wording.

use minijinja::ErrorKind;

use super::filters::MANDATORY_MARKER;

/// Why a template could not be rendered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub kind: TemplateErrorKind,
    pub message: String,
    /// The part of the template the error is about, as written (`app_prot`,
    /// `x | to_jsn`), when minijinja says where; for pointing a caret at it.
    pub expression: Option<String>,
    /// A filter or test that does not exist, for "did you mean …?".
    pub unknown: Option<Unknown>,
}

/// A name minijinja does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    Filter(String),
    Test(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplateErrorKind {
    /// A variable that is not defined; carries its name as written
    /// (`db_host`, or `server.port` for a missing attribute).
    Undefined(String),
    /// The template does not parse; carries the 1-based line inside the
    /// template text.
    Syntax { line: usize },
    /// A filter, test or function failed (or `mandatory`/`fail`).
    Evaluation,
}

impl TemplateError {
    pub fn undefined(name: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            message: format!("'{name}' is undefined"),
            expression: Some(name.clone()),
            kind: TemplateErrorKind::Undefined(name),
            unknown: None,
        }
    }

    pub fn evaluation(message: impl Into<String>) -> Self {
        Self {
            kind: TemplateErrorKind::Evaluation,
            message: message.into(),
            expression: None,
            unknown: None,
        }
    }

    /// Translate a minijinja error raised while compiling or running
    /// `source`, keeping the part of `source` it is about.
    pub(crate) fn from_minijinja(err: &minijinja::Error, source: &str) -> Self {
        let mut error = Self::translated(err, source);
        if error.expression.is_none() {
            error.expression = err
                .range()
                .and_then(|range| source.get(range))
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_string);
        }
        error.unknown = match err.kind() {
            ErrorKind::UnknownFilter => unknown_name(err).map(Unknown::Filter),
            ErrorKind::UnknownTest => unknown_name(err).map(Unknown::Test),
            _ => None,
        };
        error
    }

    fn translated(err: &minijinja::Error, source: &str) -> Self {
        match err.kind() {
            ErrorKind::UndefinedError if err.detail() == Some(MANDATORY_MARKER) => {
                let name = filtered_name(err, source).unwrap_or_else(|| source.trim().to_string());
                Self {
                    message: format!("Mandatory variable '{name}' not defined."),
                    expression: Some(name.clone()),
                    kind: TemplateErrorKind::Undefined(name),
                    unknown: None,
                }
            }
            ErrorKind::UndefinedError => match undefined_name(err, source) {
                Some(name) => Self::undefined(name),
                None => Self::evaluation(format!("undefined value in '{source}'")),
            },
            ErrorKind::SyntaxError | ErrorKind::BadEscape => {
                let line = err.line().unwrap_or(1);
                let detail = err.detail().unwrap_or("syntax error");
                Self {
                    kind: TemplateErrorKind::Syntax { line },
                    message: format!("template syntax error on line {line}: {detail}"),
                    expression: None,
                    unknown: None,
                }
            }
            _ => Self::evaluation(evaluation_message(err)),
        }
    }
}

/// `to_jsn` in minijinja's "filter to_jsn is unknown".
fn unknown_name(err: &minijinja::Error) -> Option<String> {
    let mut words = err.detail()?.split_whitespace();
    words.next()?;
    words.next().map(str::to_string)
}

/// The failing filter's own message when it has one: users wrote the
/// filter, not minijinja, so its wording is what they can act on.
fn evaluation_message(err: &minijinja::Error) -> String {
    match err.detail() {
        Some(detail) if err.kind() == ErrorKind::InvalidOperation => detail.to_string(),
        Some(detail) => format!("{}: {detail}", err.kind()),
        None => err.kind().to_string(),
    }
}

/// The undefined expression an error is about. minijinja (with its `debug`
/// feature) names it in backticks in the detail; failing that, the source
/// range the error points at is usually exactly the variable.
fn undefined_name(err: &minijinja::Error, source: &str) -> Option<String> {
    err.detail()
        .and_then(name_in_backticks)
        .or_else(|| name_at_range(err, source))
}

fn name_in_backticks(detail: &str) -> Option<String> {
    let start = detail.find('`')? + 1;
    let len = detail[start..].find('`')?;
    let name = detail[start..start + len].trim();
    (!name.is_empty()).then(|| name.to_string())
}

fn name_at_range(err: &minijinja::Error, source: &str) -> Option<String> {
    let text = source.get(err.range()?)?.trim();
    let is_name = !text.is_empty() && text.chars().all(is_name_char);
    is_name.then(|| text.to_string())
}

/// The variable piped into the filter the error points at
/// (`db_host` in `db_host | mandatory`).
fn filtered_name(err: &minijinja::Error, source: &str) -> Option<String> {
    let before = source.get(..err.range()?.start)?.trim_end();
    let before = before.strip_suffix('|')?.trim_end();
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !is_name_char(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let name = &before[start..];
    (!name.is_empty()).then(|| name.to_string())
}

/// Characters of a variable reference such as `hosts['web'].port`.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '\'' | '"')
}
