//! Keywords written as templates (`run_once: "{{ is_leader }}"`,
//! `timeout: "{{ slow | ternary(600, 60) }}"`), rendered on a host as Ansible
//! renders them: a boolean, or a string that reads as one (`yes`,
//! `false`...); a whole number. Anything else is the host's error, in
//! Ansible's words.

use std::fmt;

use crate::template::{Templar, py_repr};
use crate::value::Value;

/// A keyword that did not render, or not to its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct KeywordError {
    pub keyword: String,
    /// The template's error, or "The value 'x' could not be converted to 'bool'."
    pub reason: String,
}

impl fmt::Display for KeywordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Error processing keyword '{}': {}",
            self.keyword, self.reason
        )
    }
}

/// A task that fails on a host for its keyword, as Ansible words it.
impl From<KeywordError> for String {
    fn from(error: KeywordError) -> Self {
        format!("Task failed: {error}")
    }
}

fn render(
    templar: &Templar,
    keyword: &str,
    template: &Value,
    vars: &Value,
) -> Result<Value, KeywordError> {
    templar
        .render_value(template, vars)
        .map_err(|e| KeywordError {
            keyword: keyword.to_string(),
            reason: e.to_string(),
        })
}

fn not_convertible(keyword: &str, rendered: &Value, type_name: &str) -> KeywordError {
    KeywordError {
        keyword: keyword.to_string(),
        reason: format!(
            "The value {} could not be converted to '{type_name}'.",
            py_repr(rendered)
        ),
    }
}

/// `template` rendered with `vars` as a boolean `keyword`.
pub(super) fn templated_flag(
    templar: &Templar,
    keyword: &str,
    template: &Value,
    vars: &Value,
) -> Result<bool, KeywordError> {
    let rendered = render(templar, keyword, template, vars)?;
    if let Some(flag) = rendered.as_str().map(crate::value::parse_bool) {
        return flag.ok_or_else(|| not_convertible(keyword, &rendered, "bool"));
    }
    match rendered.kind() {
        minijinja::value::ValueKind::Bool | minijinja::value::ValueKind::Number => {
            Ok(rendered.is_true())
        }
        _ => Err(not_convertible(keyword, &rendered, "bool")),
    }
}

/// `template` rendered with `vars` as a count of `keyword` (seconds, hosts);
/// 0 means none, as in Ansible.
pub(super) fn templated_count(
    templar: &Templar,
    keyword: &str,
    template: &Value,
    vars: &Value,
) -> Result<Option<u64>, KeywordError> {
    let rendered = render(templar, keyword, template, vars)?;
    let count = match rendered.as_str() {
        Some(text) => text.trim().parse::<u64>().ok(),
        None if rendered.is_integer() => u64::try_from(rendered.clone()).ok(),
        None => None,
    };
    count
        .map(|n| Some(n).filter(|n| *n > 0))
        .ok_or_else(|| not_convertible(keyword, &rendered, "int"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(template: &str) -> Result<bool, String> {
        let vars = crate::value::map_from_pairs([
            ("on", Value::from(true)),
            ("word", Value::from("no")),
            ("other", Value::from("lots")),
            ("list", Value::from(vec![Value::from(1)])),
        ]);
        templated_flag(&Templar::new(), "run_once", &Value::from(template), &vars)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_count_renders_to_a_whole_number() {
        let count = |template: &str| {
            let vars = crate::value::map_from_pairs([("n", Value::from(3))]);
            templated_count(&Templar::new(), "timeout", &Value::from(template), &vars)
                .map_err(|e| e.to_string())
        };
        assert_eq!(count("{{ n * 10 }}"), Ok(Some(30)));
        assert_eq!(count("{{ 0 }}"), Ok(None));
        assert_eq!(count("{{ '7' }}"), Ok(Some(7)));
        assert_eq!(
            count("{{ 'soon' }}"),
            Err(
                "Error processing keyword 'timeout': The value 'soon' could not be converted to 'int'."
                    .to_string()
            )
        );
    }

    #[test]
    fn a_template_renders_to_a_boolean_or_a_word_for_one() {
        assert_eq!(flag("{{ on }}"), Ok(true));
        assert_eq!(flag("{{ word }}"), Ok(false));
        assert_eq!(flag("{{ 1 == 2 }}"), Ok(false));
    }

    #[test]
    fn anything_else_is_an_error_in_ansibles_words() {
        assert_eq!(
            flag("{{ other }}"),
            Err(
                "Error processing keyword 'run_once': The value 'lots' could not be converted to 'bool'."
                    .into()
            )
        );
        assert_eq!(
            flag("{{ list }}"),
            Err(
                "Error processing keyword 'run_once': The value [1] could not be converted to 'bool'."
                    .into()
            )
        );
        assert_eq!(
            flag("{{ missing }}"),
            Err("Error processing keyword 'run_once': 'missing' is undefined".into())
        );
    }
}
