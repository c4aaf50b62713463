//! Text filters whose minijinja versions differ from Jinja2's: `join`
//! (Python item spelling, `attribute=`) and `truncate` (positional
//! arguments, leeway).

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind};

use crate::template::pyrepr::py_str;
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("join", join);
    env.add_filter("truncate", truncate);
}

/// Jinja2's `join(d='', attribute=None)`, items printed as Python prints
/// them (`True`, not minijinja's `true`).
fn join(
    value: &Value,
    separator: Option<String>,
    attribute: Option<String>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let separator = match separator {
        Some(s) => s,
        None => kwargs.get::<Option<String>>("d")?.unwrap_or_default(),
    };
    let attribute = match attribute {
        Some(a) => Some(a),
        None => kwargs.get::<Option<String>>("attribute")?,
    };
    kwargs.assert_all_used()?;
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    if let Some(text) = value.as_str() {
        let chars: Vec<String> = text.chars().map(String::from).collect();
        return Ok(chars.join(&separator));
    }
    let mut parts = Vec::new();
    for item in value.try_iter()? {
        let item = match &attribute {
            Some(path) => attribute_path(&item, path)?,
            None => item,
        };
        parts.push(py_str(&item));
    }
    Ok(parts.join(&separator))
}

/// `a.b.0` as Jinja2's `attribute=` arguments spell nested lookups.
fn attribute_path(item: &Value, path: &str) -> Result<Value, Error> {
    let mut current = item.clone();
    for part in path.split('.') {
        current = match part.parse::<usize>() {
            Ok(index) if current.kind() == ValueKind::Seq => {
                current.get_item(&Value::from(index))?
            }
            _ => current.get_attr(part)?,
        };
    }
    Ok(current)
}

/// Jinja2's `truncate(length=255, killwords=False, end='...', leeway=5)`.
fn truncate(
    value: &Value,
    length: Option<usize>,
    killwords: Option<bool>,
    end: Option<String>,
    leeway: Option<usize>,
) -> Result<String, Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    let text = py_str(value);
    let length = length.unwrap_or(255);
    let end = end.unwrap_or_else(|| "...".into());
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= length + leeway.unwrap_or(5) {
        return Ok(text);
    }
    let kept: String = chars[..length.saturating_sub(end.chars().count())]
        .iter()
        .collect();
    if killwords.unwrap_or(false) {
        return Ok(kept + &end);
    }
    let cut = kept
        .rsplit_once(' ')
        .map_or(kept.as_str(), |(head, _)| head);
    Ok(format!("{cut}{end}"))
}
