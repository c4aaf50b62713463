//! Task and play names with templates in them, rendered for their banners
//! as ansible-playbook 2.19 renders them: a part that cannot be rendered
//! shows as `<< error N - why >>` and the rest of the name stays.

use crate::template::Templar;
use crate::value::Value;

/// `name` rendered with `vars`; each `{{ … }}` that fails becomes an
/// error marker instead of failing the banner.
pub(super) fn rendered_name(templar: &Templar, name: &str, vars: &Value) -> String {
    rendered_name_and_errors(templar, name, vars).0
}

/// [`rendered_name`], with the reasons of the parts that failed.
pub(super) fn rendered_name_and_errors(
    templar: &Templar,
    name: &str,
    vars: &Value,
) -> (String, Vec<String>) {
    if !crate::template::has_template_markers(name) {
        return (name.to_string(), Vec::new());
    }
    if let Ok(text) = templar.render_text(name, vars) {
        return (text, Vec::new());
    }
    let mut out = String::new();
    let mut rest = name;
    let mut reasons = Vec::new();
    while let Some(start) = rest.find("{{") {
        let Some(length) = rest[start..].find("}}") else {
            break;
        };
        let end = start + length + 2;
        out.push_str(&rest[..start]);
        let expression = &rest[start..end];
        match templar.render_text(expression, vars) {
            Ok(text) => out.push_str(&text),
            Err(e) => {
                reasons.push(why(&e.to_string()));
                out.push_str(&format!(
                    "<< error {} - {} >>",
                    reasons.len(),
                    reasons[reasons.len() - 1]
                ));
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    (out, reasons)
}

/// Ansible's warning for the parts of a name that could not be rendered.
pub(super) fn template_errors_warning(reasons: &[String], origin: &str) -> String {
    let count = match reasons.len() {
        1 => "1 template error".to_string(),
        n => format!("{n} template errors"),
    };
    let listed: Vec<String> = reasons
        .iter()
        .enumerate()
        .map(|(i, reason)| format!("error {} - {reason}", i + 1))
        .collect();
    format!(
        "Encountered {count}.\n{}\nOrigin: {origin}",
        listed.join("\n")
    )
}

/// The reason alone, in Ansible's words for an undefined name.
fn why(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Value {
        crate::value::map_from_pairs([("who", Value::from("world"))])
    }

    #[test]
    fn a_name_renders_with_the_variables() {
        let templar = Templar::new();
        assert_eq!(
            rendered_name(&templar, "greet {{ who }}", &vars()),
            "greet world"
        );
        assert_eq!(rendered_name(&templar, "plain", &vars()), "plain");
    }

    #[test]
    fn a_part_that_fails_becomes_an_error_marker_as_in_ansible() {
        let templar = Templar::new();
        assert_eq!(
            rendered_name(&templar, "{{ missing }} to {{ who }}", &vars()),
            "<< error 1 - 'missing' is undefined >> to world"
        );
    }

    #[test]
    fn the_failed_parts_are_warned_about_as_ansible_does() {
        let templar = Templar::new();
        let (_, reasons) = rendered_name_and_errors(&templar, "{{ a }} {{ b }}", &vars());
        assert_eq!(
            template_errors_warning(&reasons, "site.yml:3:7"),
            "Encountered 2 template errors.\nerror 1 - 'a' is undefined\nerror 2 - 'b' is undefined\nOrigin: site.yml:3:7"
        );
    }
}
