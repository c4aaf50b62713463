//! Keywords written as templates (`run_once: "{{ is_leader }}"`,
//! `timeout: "{{ slow | ternary(600, 60) }}"`), rendered on a host as Ansible
//! renders them: a boolean, or a string that reads as one (`yes`,
//! `false`...); a whole number. Anything else is the host's error.

use crate::template::Templar;
use crate::value::Value;

/// `template` rendered with `vars` as a boolean `keyword`.
pub(super) fn templated_flag(
    templar: &Templar,
    keyword: &str,
    template: &Value,
    vars: &Value,
) -> Result<bool, String> {
    let rendered = templar
        .render_value(template, vars)
        .map_err(|e| format!("cannot template `{keyword}`: {e}"))?;
    if let Some(flag) = rendered.as_str().map(crate::value::parse_bool) {
        return flag.ok_or_else(|| not_boolean(keyword, &rendered));
    }
    match rendered.kind() {
        minijinja::value::ValueKind::Bool | minijinja::value::ValueKind::Number => {
            Ok(rendered.is_true())
        }
        _ => Err(not_boolean(keyword, &rendered)),
    }
}

/// `template` rendered with `vars` as a count of `keyword` (seconds, hosts);
/// 0 means none, as in Ansible.
pub(super) fn templated_count(
    templar: &Templar,
    keyword: &str,
    template: &Value,
    vars: &Value,
) -> Result<Option<u64>, String> {
    let rendered = templar
        .render_value(template, vars)
        .map_err(|e| format!("cannot template `{keyword}`: {e}"))?;
    let count = match rendered.as_str() {
        Some(text) => text.trim().parse::<u64>().ok(),
        None if rendered.is_integer() => u64::try_from(rendered.clone()).ok(),
        None => None,
    };
    count.map(|n| Some(n).filter(|n| *n > 0)).ok_or_else(|| {
        format!("`{keyword}` must be a whole number, the template gave `{rendered}`")
    })
}

fn not_boolean(keyword: &str, rendered: &Value) -> String {
    format!("`{keyword}` must be a boolean (yes/no, true/false), the template gave `{rendered}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(template: &str) -> Result<bool, String> {
        let vars = crate::value::map_from_pairs([
            ("on", Value::from(true)),
            ("word", Value::from("no")),
            ("other", Value::from("lots")),
        ]);
        templated_flag(&Templar::new(), "run_once", &Value::from(template), &vars)
    }

    #[test]
    fn a_count_renders_to_a_whole_number() {
        let count = |template: &str| {
            let vars = crate::value::map_from_pairs([("n", Value::from(3))]);
            templated_count(&Templar::new(), "timeout", &Value::from(template), &vars)
        };
        assert_eq!(count("{{ n * 10 }}"), Ok(Some(30)));
        assert_eq!(count("{{ 0 }}"), Ok(None));
        assert_eq!(count("{{ '7' }}"), Ok(Some(7)));
        assert_eq!(
            count("{{ 'soon' }}"),
            Err("`timeout` must be a whole number, the template gave `soon`".to_string())
        );
    }

    #[test]
    fn a_template_renders_to_a_boolean_or_a_word_for_one() {
        assert_eq!(flag("{{ on }}"), Ok(true));
        assert_eq!(flag("{{ word }}"), Ok(false));
        assert_eq!(flag("{{ 1 == 2 }}"), Ok(false));
    }

    #[test]
    fn anything_else_is_an_error_naming_the_keyword() {
        assert_eq!(
            flag("{{ other }}"),
            Err(
                "`run_once` must be a boolean (yes/no, true/false), the template gave `lots`"
                    .into()
            )
        );
        assert!(
            flag("{{ missing }}")
                .unwrap_err()
                .starts_with("cannot template `run_once`")
        );
    }
}
