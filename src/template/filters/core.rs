//! Conversions and defaults with Jinja2/Ansible semantics: `default`,
//! `bool`, `int`, `float`, `string`, `ternary`, `mandatory`, `type_debug`.

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind};

use super::failure;
use crate::template::pyrepr::py_str;
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("default", default);
    env.add_filter("d", default);
    env.add_filter("bool", to_bool);
    env.add_filter("int", to_int);
    env.add_filter("float", to_float);
    env.add_filter("string", to_string);
    env.add_filter("ternary", ternary);
    env.add_filter("mandatory", mandatory);
    env.add_filter("type_debug", type_debug);
}

/// Jinja2's `default(value, default_value='', boolean=False)`.
fn default(
    value: &Value,
    default_value: Option<Value>,
    boolean: Option<bool>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let default_value = match default_value {
        Some(v) => v,
        None => kwargs
            .get::<Option<Value>>("default_value")?
            .unwrap_or(Value::from("")),
    };
    let boolean = match boolean {
        Some(b) => b,
        None => kwargs.get::<Option<bool>>("boolean")?.unwrap_or(false),
    };
    kwargs.assert_all_used()?;
    let use_default = value.is_undefined() || (boolean && !value.is_true());
    Ok(if use_default {
        default_value
    } else {
        value.clone()
    })
}

pub(crate) use crate::value::parse_bool as parse_bool_word;

/// Ansible's `bool`: known words and 1/0 map to booleans; anything else is
/// false (Ansible warns and compares with 1).
fn to_bool(value: &Value) -> Result<bool, Error> {
    match value.kind() {
        ValueKind::Undefined => Err(Error::from(ErrorKind::UndefinedError)),
        ValueKind::Bool => Ok(value.is_true()),
        ValueKind::None => Ok(false),
        ValueKind::String => Ok(parse_bool_word(value.as_str().unwrap_or_default()) == Some(true)),
        ValueKind::Number => Ok(f64::try_from(value.clone()).is_ok_and(|n| n == 1.0)),
        _ => Ok(false),
    }
}

/// Jinja2's `int(value, default=0, base=10)`: strings are parsed in `base`
/// (with an optional `0x`/`0o`/`0b` prefix matching it), then as a float
/// truncated to an integer, else `default`.
fn to_int(
    value: &Value,
    default: Option<Value>,
    base: Option<u32>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let default = match default {
        Some(d) => d,
        None => kwargs
            .get::<Option<Value>>("default")?
            .unwrap_or(Value::from(0)),
    };
    let base = match base {
        Some(b) => b,
        None => kwargs.get::<Option<u32>>("base")?.unwrap_or(10),
    };
    kwargs.assert_all_used()?;
    if !(2..=36).contains(&base) {
        return Err(failure(format!(
            "int() base must be >= 2 and <= 36, not {base}"
        )));
    }
    Ok(int_of(value, base).map_or(default, Value::from))
}

fn int_of(value: &Value, base: u32) -> Option<i64> {
    match value.kind() {
        ValueKind::Bool => Some(i64::from(value.is_true())),
        ValueKind::Number if value.is_integer() => i64::try_from(value.clone()).ok(),
        ValueKind::Number => truncate(f64::try_from(value.clone()).ok()?),
        ValueKind::String => {
            let text = value.as_str()?;
            parse_python_int(text, base).or_else(|| truncate(parse_python_float(text)?))
        }
        _ => None,
    }
}

fn truncate(float: f64) -> Option<i64> {
    // i64::MAX as f64 rounds up, so the upper bound is exclusive.
    (float.is_finite() && float >= i64::MIN as f64 && float < i64::MAX as f64)
        .then_some(float.trunc() as i64)
}

/// Python's `int(text, base)`: surrounding whitespace, a sign, `_` between
/// digits, and the base's own prefix are accepted.
pub(super) fn parse_python_int(text: &str, base: u32) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let digits = strip_base_prefix(digits, base);
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let magnitude = i64::from_str_radix(&digits.replace('_', ""), base).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

fn strip_base_prefix(digits: &str, base: u32) -> &str {
    let prefix = match base {
        16 => ["0x", "0X"],
        8 => ["0o", "0O"],
        2 => ["0b", "0B"],
        _ => return digits,
    };
    prefix
        .iter()
        .find_map(|p| digits.strip_prefix(p))
        .map_or(digits, |rest| rest.strip_prefix('_').unwrap_or(rest))
}

/// Python's `float(text)`.
pub(super) fn parse_python_float(text: &str) -> Option<f64> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        return lower.parse().ok();
    }
    let cleaned = text.replace('_', "");
    let valid = !text.starts_with('_')
        && !text.contains("__")
        && cleaned.chars().any(|c| c.is_ascii_digit())
        && cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    valid.then(|| cleaned.parse().ok()).flatten()
}

/// Jinja2's `float(value, default=0.0)`.
fn to_float(value: &Value, default: Option<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let default = match default {
        Some(d) => d,
        None => kwargs
            .get::<Option<Value>>("default")?
            .unwrap_or(Value::from(0.0)),
    };
    kwargs.assert_all_used()?;
    let float = match value.kind() {
        ValueKind::Bool => Some(if value.is_true() { 1.0 } else { 0.0 }),
        ValueKind::Number => f64::try_from(value.clone()).ok(),
        ValueKind::String => parse_python_float(value.as_str().unwrap_or_default()),
        _ => None,
    };
    Ok(float.map_or(default, Value::from))
}

/// Python's `str()`: `True`, `None`, `['a']`.
fn to_string(value: &Value) -> Result<Value, Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    Ok(Value::from(py_str(value)))
}

/// Ansible's `ternary(true_val, false_val, none_val=None)`.
fn ternary(
    value: &Value,
    true_value: Value,
    false_value: Value,
    none_value: Option<Value>,
) -> Result<Value, Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    Ok(match none_value {
        Some(none_value) if value.is_none() => none_value,
        _ if value.is_true() => true_value,
        _ => false_value,
    })
}

/// Marker the error translation recognises to name the variable, which a
/// filter cannot see.
pub(crate) const MANDATORY_MARKER: &str = "mandatory variable not defined";

/// Ansible's `mandatory(msg=None)`: an undefined value is an error.
fn mandatory(value: &Value, msg: Option<String>, kwargs: Kwargs) -> Result<Value, Error> {
    let msg = match msg {
        Some(m) => Some(m),
        None => kwargs.get::<Option<String>>("msg")?,
    };
    kwargs.assert_all_used()?;
    if !value.is_undefined() {
        return Ok(value.clone());
    }
    Err(match msg {
        Some(msg) => failure(msg),
        None => Error::new(ErrorKind::UndefinedError, MANDATORY_MARKER),
    })
}

/// Ansible's `type_debug`.
fn type_debug(value: &Value) -> &'static str {
    type_name(value)
}

/// The Python type name Ansible would report for the value.
pub(super) fn type_name(value: &Value) -> &'static str {
    match value.kind() {
        ValueKind::Undefined => "AnsibleUndefined",
        ValueKind::None => "NoneType",
        ValueKind::Bool => "bool",
        ValueKind::Number if value.is_integer() => "int",
        ValueKind::Number => "float",
        ValueKind::String => "str",
        ValueKind::Bytes => "bytes",
        ValueKind::Map => "dict",
        ValueKind::Seq | ValueKind::Iterable => "list",
        _ => "object",
    }
}

#[cfg(test)]
mod tests {
    use crate::template::TemplateErrorKind;
    use crate::template::filters::test_support::{eval, render, render_err};
    use crate::value::Value;

    #[test]
    fn default_applies_to_undefined_and_optionally_falsy() {
        let cases = [
            ("{{ missing | default('x') }}", "x"),
            ("{{ missing | d('x') }}", "x"),
            ("{{ missing | default }}", ""),
            ("{{ name | default('x') }}", "web01"),
            ("{{ empty | default('x') }}", ""),
            ("{{ empty | default('x', true) }}", "x"),
            ("{{ empty | d('x', boolean=true) }}", "x"),
            // Ansible writes None as nothing inside text.
            ("{{ nothing | default('x') }}", ""),
            ("{{ nothing | default('x', true) }}", "x"),
            ("{{ config.db.user | default('root') }}", "root"),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }

    #[test]
    fn bool_reads_ansible_words() {
        let truthy = [
            "'yes'", "'on'", "'1'", "'true'", "'True'", "'Y'", "'t'", "1", "true",
        ];
        let falsy = [
            "'no'", "'off'", "'0'", "'false'", "'FALSE'", "'n'", "'f'", "''", "0", "false", "none",
            "'maybe'", "2",
        ];
        for input in truthy {
            assert_eq!(
                render(&format!("{{{{ {input} | bool }}}}")),
                "True",
                "{input}"
            );
        }
        for input in falsy {
            assert_eq!(
                render(&format!("{{{{ {input} | bool }}}}")),
                "False",
                "{input}"
            );
        }
    }

    #[test]
    fn int_and_float_follow_jinja2() {
        let cases = [
            ("{{ '42' | int }}", "42"),
            ("{{ ' 42 ' | int }}", "42"),
            ("{{ '42.7' | int }}", "42"),
            ("{{ 'abc' | int }}", "0"),
            ("{{ 'abc' | int(7) }}", "7"),
            ("{{ 'abc' | int(default=-1) }}", "-1"),
            ("{{ '0x1A' | int(base=16) }}", "26"),
            ("{{ '1A' | int(0, 16) }}", "26"),
            ("{{ '755' | int(base=8) }}", "493"),
            ("{{ '1_000' | int }}", "1000"),
            ("{{ 3.9 | int }}", "3"),
            ("{{ true | int }}", "1"),
            ("{{ '1.5' | float }}", "1.5"),
            ("{{ '3' | float }}", "3.0"),
            ("{{ 'x' | float }}", "0.0"),
            ("{{ 'x' | float(2.5) }}", "2.5"),
            ("{{ 7 | float }}", "7.0"),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
        assert_eq!(eval("'8080' | int"), Value::from(8080));
    }

    #[test]
    fn string_and_type_debug_use_python_names() {
        let cases = [
            ("{{ true | string }}", "True"),
            ("{{ none | string }}", "None"),
            ("{{ [1, 'a'] | string }}", "[1, 'a']"),
            ("{{ 5 | string ~ '!' }}", "5!"),
            ("{{ 5 | type_debug }}", "int"),
            ("{{ 5.0 | type_debug }}", "float"),
            ("{{ 'x' | type_debug }}", "str"),
            ("{{ [] | type_debug }}", "list"),
            ("{{ {} | type_debug }}", "dict"),
            ("{{ none | type_debug }}", "NoneType"),
            ("{{ true | type_debug }}", "bool"),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
        assert_eq!(eval("5 | string"), Value::from("5"));
    }

    #[test]
    fn ternary_picks_by_truth_and_none() {
        let cases = [
            ("{{ (port == 8080) | ternary('yes', 'no') }}", "yes"),
            ("{{ empty | ternary('yes', 'no') }}", "no"),
            ("{{ nothing | ternary('yes', 'no', 'null') }}", "null"),
            ("{{ nothing | ternary('yes', 'no') }}", "no"),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }

    #[test]
    fn mandatory_names_the_missing_variable() {
        let err = render_err("{{ db_password | mandatory }}");
        assert_eq!(
            (err.kind, err.message.as_str()),
            (
                TemplateErrorKind::Undefined("db_password".into()),
                "Mandatory variable 'db_password' not defined."
            )
        );
        let nested = render_err("x={{ config.db.password | mandatory }}");
        assert_eq!(
            nested.message,
            "Mandatory variable 'config.db.password' not defined."
        );
        let custom = render_err("{{ missing | mandatory('set missing in group_vars') }}");
        assert_eq!(custom.message, "set missing in group_vars");
        assert_eq!(render("{{ name | mandatory }}"), "web01");
    }
}
