//! `become`, `become_user`, `become_method`, `become_flags` and `become_exe`:
//! the same keywords on plays, blocks and tasks, the innermost one set winning.
//! They stay unrendered here; templates in them are rendered per host.

use super::conditions::scalar;
use crate::connection::BecomeMethod;
use crate::source::Diagnostic;
use crate::template::has_template_markers;
use crate::value::Value;
use crate::yaml::Node;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BecomeKeywords {
    /// `become:` — a boolean or a template that renders to one.
    pub enabled: Option<Value>,
    pub user: Option<String>,
    pub method: Option<String>,
    pub flags: Option<String>,
    pub exe: Option<String>,
}

impl BecomeKeywords {
    pub const NAMES: &[&str] = &[
        "become",
        "become_user",
        "become_method",
        "become_flags",
        "become_exe",
    ];

    /// Take `name: value` (one of [`Self::NAMES`]).
    pub fn set(&mut self, name: &str, value: &Node) -> Result<(), Diagnostic> {
        match name {
            "become" => self.enabled = Some(value.to_value()),
            "become_user" => self.user = Some(scalar(value, name)?),
            "become_method" => self.method = Some(method(value)?),
            "become_flags" => self.flags = Some(scalar(value, name)?),
            "become_exe" => self.exe = Some(scalar(value, name)?),
            _ => return Err(value.error(format!("`{name}` is not a become keyword"))),
        }
        Ok(())
    }

    /// Fill what is not set here from an enclosing block or play.
    pub fn inherit(&mut self, outer: &BecomeKeywords) {
        let fill = |own: &mut Option<String>, theirs: &Option<String>| {
            if own.is_none() {
                own.clone_from(theirs);
            }
        };
        if self.enabled.is_none() {
            self.enabled.clone_from(&outer.enabled);
        }
        fill(&mut self.user, &outer.user);
        fill(&mut self.method, &outer.method);
        fill(&mut self.flags, &outer.flags);
        fill(&mut self.exe, &outer.exe);
    }
}

/// A method written out is checked now; a template is checked when rendered.
fn method(node: &Node) -> Result<String, Diagnostic> {
    let text = scalar(node, "become_method")?;
    if has_template_markers(&text) || BecomeMethod::parse(&text).is_some() {
        return Ok(text);
    }
    Err(node
        .error(format!(
            "become_method `{text}` is not supported by runbook (it has sudo and su)"
        ))
        .suggesting(&text, BecomeMethod::NAMES.iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn node(yaml: &str) -> Node {
        crate::yaml::parse_str(SourceFile::new("t.yml", yaml.to_string())).expect("yaml")
    }

    #[test]
    fn inner_keywords_win_and_the_rest_is_inherited() {
        let mut play = BecomeKeywords::default();
        play.set("become", &node("true")).expect("become");
        play.set("become_user", &node("postgres")).expect("user");
        let mut task = BecomeKeywords::default();
        task.set("become_user", &node("app")).expect("user");
        task.inherit(&play);
        assert_eq!(task.user.as_deref(), Some("app"));
        assert_eq!(task.enabled, Some(Value::from(true)));
        assert_eq!(task.method, None);
    }

    #[test]
    fn unknown_methods_are_refused_with_a_suggestion() {
        let mut keywords = BecomeKeywords::default();
        let error = keywords
            .set("become_method", &node("sudu"))
            .expect_err("sudu is not a method")
            .to_string();
        assert!(error.contains("not supported"), "{error}");
        assert!(error.contains("sudo"), "{error}");
        let error = keywords
            .set("become_method", &node("doas"))
            .expect_err("doas is not supported")
            .to_string();
        assert!(error.contains("doas"), "{error}");
        keywords
            .set("become_method", &node("'{{ how }}'"))
            .expect("templates are checked later");
    }
}
