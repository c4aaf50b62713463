//! Which user a task runs as: the `become*` keywords of the task (and its
//! blocks) over the play's over the command line, with the `ansible_become*`
//! variables above them all — in Ansible, connection variables beat keywords.

use crate::connection::{BecomeMethod, Escalation, Secret};
use crate::playbook::BecomeKeywords;
use crate::template::Templar;
use crate::value::{Value, parse_bool, text};

/// `-b`, `--become-user`, `--become-method` and the `-K` password.
#[derive(Debug, Clone, Default)]
pub struct BecomeDefaults {
    pub enabled: bool,
    pub user: Option<String>,
    pub method: Option<String>,
    pub password: Option<Secret>,
}

const DEFAULT_USER: &str = "root";
const DEFAULT_METHOD: &str = "sudo";

/// The escalation for one task on one host, `None` when it runs as the login user.
pub(super) fn resolve(
    templar: &Templar,
    defaults: &BecomeDefaults,
    play: &BecomeKeywords,
    task: &BecomeKeywords,
    vars: &Value,
) -> Result<Option<Escalation>, String> {
    let mut keywords = task.clone();
    keywords.inherit(play);
    let lookup = Lookup { templar, vars };
    let enabled = match lookup.var(&["ansible_become"]) {
        Some(value) => truth(&value)?,
        None => match &keywords.enabled {
            Some(raw) => truth(&lookup.render_value(raw)?)?,
            None => defaults.enabled,
        },
    };
    if !enabled {
        return Ok(None);
    }
    let method = lookup
        .setting("ansible_become_method", keywords.method.as_deref())?
        .or_else(|| defaults.method.clone())
        .unwrap_or_else(|| DEFAULT_METHOD.into());
    let method = BecomeMethod::parse(&method).ok_or_else(|| {
        format!("become_method `{method}` is not supported by runbook (it has sudo and su)")
    })?;
    let user = lookup
        .setting("ansible_become_user", keywords.user.as_deref())?
        .or_else(|| defaults.user.clone())
        .unwrap_or_else(|| DEFAULT_USER.into());
    let password = lookup
        .var(&["ansible_become_password", "ansible_become_pass"])
        .map(|v| Secret::new(text(&v)))
        .or_else(|| defaults.password.clone());
    Ok(Some(Escalation {
        method,
        user,
        flags: lookup.setting("ansible_become_flags", keywords.flags.as_deref())?,
        exe: lookup.setting("ansible_become_exe", keywords.exe.as_deref())?,
        password,
    }))
}

struct Lookup<'a> {
    templar: &'a Templar,
    vars: &'a Value,
}

impl Lookup<'_> {
    /// The first of `names` that is defined (variables render themselves lazily).
    fn var(&self, names: &[&str]) -> Option<Value> {
        names.iter().find_map(|name| {
            self.vars
                .get_attr(name)
                .ok()
                .filter(|v| !v.is_undefined() && !v.is_none())
        })
    }

    /// The variable if set, else the keyword rendered.
    fn setting(&self, var: &str, keyword: Option<&str>) -> Result<Option<String>, String> {
        if let Some(value) = self.var(&[var]) {
            return Ok(Some(text(&value)));
        }
        keyword
            .map(|raw| {
                self.templar
                    .render_str(raw, self.vars)
                    .map(|v| text(&v))
                    .map_err(|e| format!("cannot template a become keyword: {e}"))
            })
            .transpose()
    }

    fn render_value(&self, raw: &Value) -> Result<Value, String> {
        self.templar
            .render_value(raw, self.vars)
            .map_err(|e| format!("cannot template `become`: {e}"))
    }
}

fn truth(value: &Value) -> Result<bool, String> {
    match value.as_str() {
        Some(text) => {
            parse_bool(text).ok_or_else(|| format!("`become` must be a boolean, found {text:?}"))
        }
        None => Ok(value.is_true()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::map_from_pairs;

    fn keywords(enabled: Option<bool>, user: Option<&str>) -> BecomeKeywords {
        BecomeKeywords {
            enabled: enabled.map(Value::from),
            user: user.map(str::to_string),
            ..BecomeKeywords::default()
        }
    }

    fn resolved(
        defaults: &BecomeDefaults,
        play: &BecomeKeywords,
        task: &BecomeKeywords,
        vars: Value,
    ) -> Option<Escalation> {
        resolve(&Templar::new(), defaults, play, task, &vars).expect("resolves")
    }

    #[test]
    fn nothing_set_runs_as_the_login_user() {
        let none = BecomeKeywords::default();
        let vars = map_from_pairs::<&str>([]);
        assert_eq!(
            resolved(&BecomeDefaults::default(), &none, &none, vars),
            None
        );
    }

    #[test]
    fn task_keywords_beat_the_play_and_default_to_sudo_as_root() {
        let play = keywords(Some(true), Some("postgres"));
        let task = keywords(None, None);
        let vars = map_from_pairs::<&str>([]);
        let how =
            resolved(&BecomeDefaults::default(), &play, &task, vars.clone()).expect("become is on");
        assert_eq!(
            (how.method, how.user.as_str()),
            (BecomeMethod::Sudo, "postgres")
        );
        let off = keywords(Some(false), None);
        assert_eq!(
            resolved(&BecomeDefaults::default(), &play, &off, vars),
            None
        );
    }

    #[test]
    fn become_variables_beat_keywords_and_carry_the_password() {
        let task = keywords(Some(true), Some("{{ wanted }}"));
        let vars = map_from_pairs([
            ("wanted", Value::from("app")),
            ("ansible_become_password", Value::from("s3cret")),
        ]);
        let how = resolved(
            &BecomeDefaults::default(),
            &BecomeKeywords::default(),
            &task,
            vars,
        )
        .expect("become is on");
        assert_eq!(how.user, "app");
        assert_eq!(how.password, Some(Secret::new("s3cret")));
        let vars = map_from_pairs([
            ("ansible_become", Value::from("no")),
            ("ansible_become_user", Value::from("other")),
        ]);
        assert_eq!(
            resolved(
                &BecomeDefaults::default(),
                &BecomeKeywords::default(),
                &task,
                vars
            ),
            None
        );
    }

    #[test]
    fn the_command_line_is_the_weakest() {
        let defaults = BecomeDefaults {
            enabled: true,
            user: Some("deploy".into()),
            method: Some("su".into()),
            password: Some(Secret::new("pw")),
        };
        let none = BecomeKeywords::default();
        let vars = map_from_pairs::<&str>([]);
        let how = resolved(&defaults, &none, &none, vars).expect("-b turns it on");
        assert_eq!(
            (how.method, how.user.as_str()),
            (BecomeMethod::Su, "deploy")
        );
        let bad = BecomeDefaults {
            method: Some("doas".into()),
            ..defaults
        };
        let error = resolve(
            &Templar::new(),
            &bad,
            &none,
            &none,
            &map_from_pairs::<&str>([]),
        )
        .expect_err("doas is refused");
        assert!(error.contains("doas"), "{error}");
    }
}
