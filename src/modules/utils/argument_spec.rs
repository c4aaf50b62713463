//! Ansible's argument spec validation (`ArgumentSpecValidator`), for role
//! argument specs and `validate_argument_spec`: aliases, unsupported names,
//! defaults, `required`, `type` and `elements` conversions, `choices`,
//! nested `options` and the checks between options, with Ansible's
//! messages, in Ansible's order.

use minijinja::value::ValueKind;

use crate::template::{py_repr, py_str};
use crate::value::{Value, VarMap, map_value, to_var_map};

/// The messages of every problem found, in Ansible's order; empty when
/// `params` satisfy `spec` (a mapping of option names to their attributes).
pub(crate) fn validate(spec: &Value, params: &VarMap) -> Vec<String> {
    let mut params = params.clone();
    let mut errors = Vec::new();
    let mut unsupported = Vec::new();
    let mut context = Vec::new();
    validate_level(
        spec,
        None,
        &mut params,
        &mut context,
        &mut errors,
        &mut unsupported,
    );
    if !unsupported.is_empty() {
        unsupported.sort();
        // Ansible names the supported options of the level of one unknown
        // name (the last of a set: with unknown names on several levels,
        // which one differs between its runs); the last sorted one here.
        let (names, aliases) = unsupported
            .last()
            .map(|unknown| unknown.level.clone())
            .unwrap_or_default();
        let unknown: Vec<&str> = unsupported.iter().map(|u| u.path.as_str()).collect();
        let mut message = format!(
            "{}. Supported parameters include: {}",
            unknown.join(", "),
            names.join(", ")
        );
        if !aliases.is_empty() {
            message.push_str(&format!(" ({})", aliases.join(", ")));
        }
        message.push('.');
        errors.push(message);
    }
    errors
}

/// A name no level of the spec knows, and the options of its level.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Unsupported {
    path: String,
    level: (Vec<String>, Vec<String>),
}

/// The options of a spec with their attributes, in the spec's order.
fn options(spec: &Value) -> Vec<(String, Value)> {
    to_var_map(spec).into_iter().collect()
}

fn attr(attrs: &Value, name: &str) -> Option<Value> {
    attrs
        .get_attr(name)
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_none())
}

fn strings(value: Option<Value>) -> Vec<String> {
    match value {
        Some(value) if value.kind() == ValueKind::String => vec![py_str(&value)],
        Some(value) => value
            .try_iter()
            .map(|items| items.map(|item| py_str(&item)).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

fn supported(spec: &Value) -> (Vec<String>, Vec<String>) {
    let mut names = Vec::new();
    let mut aliases = Vec::new();
    for (name, attrs) in options(spec) {
        names.push(name);
        aliases.extend(strings(attr(&attrs, "aliases")));
    }
    names.sort();
    aliases.sort();
    (names, aliases)
}

/// " found in a -> b" for a nested option's messages.
fn found_in(context: &[String]) -> String {
    if context.is_empty() {
        String::new()
    } else {
        format!(" found in {}", context.join(" -> "))
    }
}

fn given(params: &VarMap, name: &str) -> bool {
    params.get(name).is_some_and(|value| !value.is_none())
}

fn validate_level(
    spec: &Value,
    checks: Option<&Value>,
    params: &mut VarMap,
    context: &mut Vec<String>,
    errors: &mut Vec<String>,
    unsupported: &mut Vec<Unsupported>,
) {
    let options = options(spec);
    let mut legal: Vec<String> = Vec::new();
    for (name, attrs) in &options {
        legal.push(name.clone());
        for alias in strings(attr(attrs, "aliases")) {
            if let Some(value) = params.get(&alias).cloned()
                && !params.contains_key(name)
            {
                params.insert(name.clone(), value);
            }
            legal.push(alias);
        }
    }
    for name in params.keys() {
        if !legal.contains(name) {
            let mut path = context.clone();
            path.push(name.clone());
            unsupported.push(Unsupported {
                path: path.join("."),
                level: supported(spec),
            });
        }
    }
    if let Some(terms) = checks.and_then(|checks| attr(checks, "mutually_exclusive")) {
        let clashing: Vec<String> = term_lists(&terms)
            .into_iter()
            .filter(|term| {
                term.iter()
                    .filter(|name| params.contains_key(*name))
                    .count()
                    > 1
            })
            .map(|term| term.join("|"))
            .collect();
        if !clashing.is_empty() {
            errors.push(format!(
                "parameters are mutually exclusive: {}{}",
                clashing.join(", "),
                found_in(context)
            ));
        }
    }
    for (name, attrs) in &options {
        if let Some(default) = attr(attrs, "default")
            && !params.contains_key(name)
        {
            params.insert(name.clone(), default);
        }
    }
    let mut missing: Vec<&str> = options
        .iter()
        .filter(|(name, attrs)| {
            attr(attrs, "required").is_some_and(|required| required.is_true())
                && !params.contains_key(name)
        })
        .map(|(name, _)| name.as_str())
        .collect();
    if !missing.is_empty() {
        missing.sort();
        errors.push(format!(
            "missing required arguments: {}{}",
            missing.join(", "),
            found_in(context)
        ));
    }
    for (name, attrs) in &options {
        let Some(value) = params.get(name).cloned() else {
            continue;
        };
        let required = attr(attrs, "required").is_some_and(|r| r.is_true());
        if value.is_none() && !required && attr(attrs, "default").is_none() {
            continue;
        }
        let wanted = attr(attrs, "type").map_or_else(|| "str".to_string(), |t| py_str(&t));
        match convert(&wanted, &value) {
            Ok(converted) => {
                let converted = match attr(attrs, "elements") {
                    Some(elements) => {
                        let elements = py_str(&elements);
                        convert_elements(name, &elements, &converted, context, errors)
                    }
                    None => converted,
                };
                params.insert(name.clone(), converted);
            }
            Err(problem) => {
                let mut message = format!("argument '{name}' is of type {}", type_name(&value));
                if !context.is_empty() {
                    message.push_str(&format!(" found in '{}'.", context.join(" -> ")));
                }
                message.push_str(&format!(
                    " and we were unable to convert to {wanted}: {problem}"
                ));
                errors.push(message);
            }
        }
    }
    for (name, attrs) in &options {
        let Some(choices) = attr(attrs, "choices") else {
            continue;
        };
        let Some(value) = params.get(name) else {
            continue;
        };
        let allowed: Vec<Value> = choices
            .try_iter()
            .map(Iterator::collect)
            .unwrap_or_default();
        let shown: Vec<String> = allowed.iter().map(py_str).collect();
        if value.kind() == ValueKind::Seq {
            let unmatched: Vec<String> = value
                .try_iter()
                .into_iter()
                .flatten()
                .filter(|item| !allowed.contains(item))
                .map(|item| py_str(&item))
                .collect();
            if !unmatched.is_empty() {
                errors.push(format!(
                    "value of {name} must be one or more of: {}. Got no match for: {}{}",
                    shown.join(", "),
                    unmatched.join(", "),
                    found_in(context)
                ));
            }
        } else if !allowed.contains(value) {
            errors.push(format!(
                "value of {name} must be one of: {}, got: {}{}",
                shown.join(", "),
                py_str(value),
                found_in(context)
            ));
        }
    }
    if let Some(checks) = checks {
        check_relations(checks, params, context, errors);
    }
    for (name, _) in &options {
        params.entry(name.clone()).or_insert(Value::from(()));
    }
    for (name, attrs) in &options {
        let wanted = attr(attrs, "type").map(|t| py_str(&t)).unwrap_or_default();
        let elements = attr(attrs, "elements")
            .map(|t| py_str(&t))
            .unwrap_or_default();
        let is_list = wanted == "list" && elements == "dict";
        if wanted != "dict" && !is_list {
            continue;
        }
        let Some(sub_spec) = attr(attrs, "options") else {
            continue;
        };
        let apply_defaults = attr(attrs, "apply_defaults").is_some_and(|a| a.is_true());
        let value = match params.get(name) {
            Some(value) if !value.is_none() => value.clone(),
            _ if apply_defaults => map_value(VarMap::new()),
            _ => continue,
        };
        context.push(name.clone());
        let elements: Vec<Value> = if value.kind() == ValueKind::Seq {
            value.try_iter().map(Iterator::collect).unwrap_or_default()
        } else {
            vec![value]
        };
        for element in elements {
            if element.kind() != ValueKind::Map {
                errors.push(format!(
                    "value of '{name}' must be of type dict or list of dicts"
                ));
                continue;
            }
            let mut sub_params = to_var_map(&element);
            validate_level(
                &sub_spec,
                Some(attrs),
                &mut sub_params,
                context,
                errors,
                unsupported,
            );
        }
        context.pop();
    }
}

/// `[[a, b], [c, d]]`, or one list `[a, b]`.
fn term_lists(terms: &Value) -> Vec<Vec<String>> {
    let items: Vec<Value> = terms.try_iter().map(Iterator::collect).unwrap_or_default();
    if items.iter().all(|item| item.kind() == ValueKind::String) {
        return vec![items.iter().map(py_str).collect()];
    }
    items
        .iter()
        .map(|item| strings(Some(item.clone())))
        .collect()
}

/// `required_together`, `required_one_of`, `required_if` and `required_by`.
fn check_relations(checks: &Value, params: &VarMap, context: &[String], errors: &mut Vec<String>) {
    if let Some(terms) = attr(checks, "required_together") {
        for term in term_lists(&terms) {
            let present = term.iter().filter(|name| given(params, name)).count();
            if present > 0 && present < term.len() {
                errors.push(format!(
                    "parameters are required together: {}{}",
                    term.join(", "),
                    found_in(context)
                ));
            }
        }
    }
    if let Some(terms) = attr(checks, "required_one_of") {
        for term in term_lists(&terms) {
            if !term.iter().any(|name| given(params, name)) {
                errors.push(format!(
                    "one of the following is required: {}{}",
                    term.join(", "),
                    found_in(context)
                ));
            }
        }
    }
    if let Some(requirements) = attr(checks, "required_if") {
        for requirement in requirements.try_iter().into_iter().flatten() {
            let parts: Vec<Value> = requirement
                .try_iter()
                .map(Iterator::collect)
                .unwrap_or_default();
            let [key, wanted, needed, rest @ ..] = parts.as_slice() else {
                continue;
            };
            let key = py_str(key);
            if params.get(&key) != Some(wanted) {
                continue;
            }
            let needed = strings(Some(needed.clone()));
            let any = rest.first().is_some_and(|flag| flag.is_true());
            let missing: Vec<&String> = needed.iter().filter(|name| !given(params, name)).collect();
            let fails = if any {
                missing.len() == needed.len()
            } else {
                !missing.is_empty()
            };
            if fails && !missing.is_empty() {
                let missing: Vec<&str> = missing.iter().map(|name| name.as_str()).collect();
                errors.push(format!(
                    "{key} is {} but {} of the following are missing: {}{}",
                    py_str(wanted),
                    if any { "any" } else { "all" },
                    missing.join(", "),
                    found_in(context)
                ));
            }
        }
    }
    if let Some(requirements) = attr(checks, "required_by") {
        for (key, needed) in to_var_map(&requirements) {
            if !given(params, &key) {
                continue;
            }
            let missing: Vec<String> = strings(Some(needed))
                .into_iter()
                .filter(|name| !given(params, name))
                .collect();
            if !missing.is_empty() {
                errors.push(format!(
                    "missing parameter(s) required by '{key}': {}{}",
                    missing.join(", "),
                    found_in(context)
                ));
            }
        }
    }
}

fn convert_elements(
    name: &str,
    wanted: &str,
    value: &Value,
    context: &[String],
    errors: &mut Vec<String>,
) -> Value {
    if value.kind() != ValueKind::Seq {
        let mut message = format!("Invalid type {wanted} for option '{}'", py_str(value));
        if !context.is_empty() {
            message.push_str(&format!(" found in '{}'.", context.join(" -> ")));
        }
        message.push_str(", elements value check is supported only with 'list' type");
        errors.push(message);
        return value.clone();
    }
    let mut converted = Vec::new();
    for item in value.try_iter().into_iter().flatten() {
        match convert(wanted, &item) {
            Ok(item) => converted.push(item),
            Err(problem) => {
                let mut message = format!("Elements value for option '{name}'");
                if !context.is_empty() {
                    message.push_str(&format!(" found in '{}'", context.join(" -> ")));
                }
                message.push_str(&format!(
                    " is of type {} and we were unable to convert to {wanted}: {problem}",
                    type_name(&item)
                ));
                errors.push(message);
            }
        }
    }
    Value::from(converted)
}

/// Python's name of the value's type.
fn type_name(value: &Value) -> &'static str {
    match value.kind() {
        ValueKind::None | ValueKind::Undefined => "NoneType",
        ValueKind::Bool => "bool",
        ValueKind::Number if value.is_integer() => "int",
        ValueKind::Number => "float",
        ValueKind::String => "str",
        ValueKind::Seq | ValueKind::Iterable => "list",
        ValueKind::Map => "dict",
        _ => "object",
    }
}

/// Python's `type(value)` as it prints (`<class 'str'>`).
fn class_of(value: &Value) -> String {
    format!("<class '{}'>", type_name(value))
}

/// Ansible's type checkers (`check_type_*`): the converted value, or why not.
fn convert(wanted: &str, value: &Value) -> Result<Value, String> {
    match wanted {
        "raw" => Ok(value.clone()),
        "str" | "path" => Ok(Value::from(match value.kind() {
            ValueKind::None => String::new(),
            _ => py_str(value),
        })),
        "bool" => {
            let truthy = ["y", "yes", "on", "1", "true", "t"];
            let falsy = ["n", "no", "off", "0", "false", "f"];
            match value.kind() {
                ValueKind::Bool => Ok(value.clone()),
                ValueKind::String | ValueKind::Number => {
                    let text = py_str(value).trim().to_lowercase();
                    let text = if value.kind() == ValueKind::Number {
                        text.trim_end_matches(".0").to_string()
                    } else {
                        text
                    };
                    if truthy.contains(&text.as_str()) {
                        Ok(Value::from(true))
                    } else if falsy.contains(&text.as_str()) {
                        Ok(Value::from(false))
                    } else {
                        // Ansible lists a Python set here, in an order that
                        // changes from run to run; this is its members' order.
                        Err(format!(
                            "The value '{}' is not a valid boolean. Valid booleans include: {}",
                            py_str(value),
                            "'y', 'yes', 'on', '1', 'true', 't', 1, 'n', 'no', 'off', '0', 'false', 'f', 0"
                        ))
                    }
                }
                _ => Err(format!("{} cannot be converted to a bool", class_of(value))),
            }
        }
        "int" => {
            if value.kind() == ValueKind::Number && value.is_integer() {
                return Ok(value.clone());
            }
            let text = py_str(value);
            let as_float = match value.kind() {
                ValueKind::Number | ValueKind::String => text.trim().parse::<f64>().ok(),
                ValueKind::Bool => Some(if value.is_true() { 1.0 } else { 0.0 }),
                _ => None,
            };
            match as_float {
                Some(number) if number.fract() == 0.0 && number.abs() < 9.0e15 => {
                    Ok(Value::from(number as i64))
                }
                _ => Err(format!(
                    "\"{}\" cannot be converted to an int",
                    py_repr(value)
                )),
            }
        }
        "float" => match value.kind() {
            ValueKind::Number => Ok(Value::from(f64::try_from(value.clone()).unwrap_or(0.0))),
            ValueKind::String => py_str(value)
                .trim()
                .parse::<f64>()
                .map(Value::from)
                .map_err(|_| format!("{} cannot be converted to a float", class_of(value))),
            ValueKind::Bool => Ok(Value::from(if value.is_true() { 1.0 } else { 0.0 })),
            _ => Err(format!(
                "{} cannot be converted to a float",
                class_of(value)
            )),
        },
        "list" => match value.kind() {
            ValueKind::Seq => Ok(value.clone()),
            ValueKind::String => Ok(Value::from(
                py_str(value)
                    .split(',')
                    .map(|part| Value::from(part.to_string()))
                    .collect::<Vec<_>>(),
            )),
            ValueKind::Number => Ok(Value::from(vec![Value::from(py_str(value))])),
            _ => Err(format!("{} cannot be converted to a list", class_of(value))),
        },
        "dict" => match value.kind() {
            ValueKind::Map => Ok(value.clone()),
            ValueKind::String => {
                let text = py_str(value);
                if text.starts_with('{') {
                    serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .filter(serde_json::Value::is_object)
                        .map(|json| Value::from(minijinja::value::Serde(&json)))
                        .ok_or_else(|| "unable to evaluate string as dictionary".to_string())
                } else if text.contains('=') {
                    key_value_dict(&text)
                } else {
                    Err("dictionary requested, could not parse JSON or key=value".to_string())
                }
            }
            _ => Err(format!("{} cannot be converted to a dict", class_of(value))),
        },
        other => Err(format!(
            "runbook does not check the type `{other}` in argument specs (str, path, raw, bool, int, float, list and dict)"
        )),
    }
}

/// Ansible's `key=value` dictionary strings (`a=1, b="x y"`).
fn key_value_dict(text: &str) -> Result<Value, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.trim().chars() {
        if escaped {
            field.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if quote.is_none() && (c == '\'' || c == '"') {
            quote = Some(c);
        } else if quote == Some(c) {
            quote = None;
        } else if quote.is_none() && (c == ',' || c == ' ') {
            if !field.is_empty() {
                fields.push(std::mem::take(&mut field));
            }
        } else {
            field.push(c);
        }
    }
    if !field.is_empty() {
        fields.push(field);
    }
    let mut map = VarMap::new();
    for field in fields {
        let (key, value) = field.split_once('=').ok_or_else(|| {
            "unable to evaluate string in the \"key=value\" format as dictionary".to_string()
        })?;
        map.insert(key.to_string(), Value::from(value.to_string()));
    }
    Ok(map_value(map))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> Value {
        let file = crate::source::SourceFile::new("spec.yml", yaml);
        crate::yaml::parse_str(file).expect("yaml").to_value()
    }

    fn params(pairs: &[(&str, Value)]) -> VarMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn a_valid_set_of_values_passes_and_conversions_happen_as_in_ansible() {
        let spec = spec(
            "port: {type: int, required: true}\nenabled: {type: bool}\nnames: {type: list, elements: str}\nmode: {choices: [a, b], default: a}\n",
        );
        let ok = validate(
            &spec,
            &params(&[
                ("port", Value::from("8080")),
                ("enabled", Value::from("yes")),
                ("names", Value::from("x,y")),
            ]),
        );
        assert_eq!(ok, Vec::<String>::new());
    }

    #[test]
    fn an_unknown_nested_name_lists_the_options_of_its_own_level() {
        let spec = spec(
            "listen:\n  type: list\n  elements: dict\n  options:\n    addr: {required: true}\n    tls: {type: bool, aliases: [ssl]}\nport: {type: int}\n",
        );
        let listen = Value::from(vec![map_value(params(&[
            ("addr", Value::from("x")),
            ("extra", Value::from(1)),
        ]))]);
        assert_eq!(
            validate(&spec, &params(&[("listen", listen)])),
            ["listen.extra. Supported parameters include: addr, tls (ssl)."]
        );
    }

    #[test]
    fn problems_are_reported_with_ansibles_messages_in_its_order() {
        let spec = spec(
            "port: {type: int}\nuser: {required: true}\nmode: {choices: [a, b]}\nflag: {type: bool}\nlisten:\n  type: list\n  elements: dict\n  options:\n    addr: {required: true}\n    tls: {type: bool}\n",
        );
        let errors = validate(
            &spec,
            &params(&[
                ("port", Value::from("eighty")),
                ("mode", Value::from("c")),
                ("flag", Value::from("maybe")),
                (
                    "listen",
                    Value::from(vec![map_value(params(&[
                        ("tls", Value::from("x")),
                        ("extra", Value::from(1)),
                    ]))]),
                ),
                ("stray", Value::from(1)),
            ]),
        );
        assert_eq!(
            errors,
            [
                "missing required arguments: user",
                "argument 'port' is of type str and we were unable to convert to int: \"'eighty'\" cannot be converted to an int",
                "argument 'flag' is of type str and we were unable to convert to bool: The value 'maybe' is not a valid boolean. Valid booleans include: 'y', 'yes', 'on', '1', 'true', 't', 1, 'n', 'no', 'off', '0', 'false', 'f', 0",
                "value of mode must be one of: a, b, got: c",
                "missing required arguments: addr found in listen",
                "argument 'tls' is of type str found in 'listen'. and we were unable to convert to bool: The value 'x' is not a valid boolean. Valid booleans include: 'y', 'yes', 'on', '1', 'true', 't', 1, 'n', 'no', 'off', '0', 'false', 'f', 0",
                "listen.extra, stray. Supported parameters include: flag, listen, mode, port, user.",
            ]
        );
    }

    #[test]
    fn dictionaries_read_json_and_key_value_text() {
        assert_eq!(
            convert("dict", &Value::from("a=1, b='x y'")).expect("dict"),
            map_value(params(&[
                ("a", Value::from("1")),
                ("b", Value::from("x y"))
            ]))
        );
        assert!(convert("dict", &Value::from("{\"a\": 1}")).is_ok());
        assert!(convert("dict", &Value::from("plain")).is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_value_of_any_type_is_judged_without_panicking(text in ".{0,20}", wanted in "(str|int|float|bool|list|dict|path|raw|bytes)") {
            let _ = convert(&wanted, &Value::from(text.clone()));
            let _ = key_value_dict(&text);
        }
    }
}
