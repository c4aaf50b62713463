//! Task and play names with templates in them, rendered for their banners
//! as ansible-playbook 2.19 renders them: a part that cannot be rendered
//! shows as `<< error N - why >>` and the rest of the name stays.

use crate::template::Templar;
use crate::value::Value;

/// `name` rendered with `vars`; each `{{ … }}` that fails becomes an
/// error marker instead of failing the banner.
pub(super) fn rendered_name(templar: &Templar, name: &str, vars: &Value) -> String {
    if !crate::template::has_template_markers(name) {
        return name.to_string();
    }
    if let Ok(text) = templar.render_text(name, vars) {
        return text;
    }
    let mut out = String::new();
    let mut rest = name;
    let mut errors = 0;
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
                errors += 1;
                out.push_str(&format!("<< error {errors} - {} >>", why(&e.to_string())));
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
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
}
