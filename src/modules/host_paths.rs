//! Path arguments expanded on the host before the module runs, as Ansible
//! expands its `type='path'` arguments where the module runs
//! (`expanduser(expandvars(path))`): `$NAME` and `${NAME}` from the task's
//! environment on the host, then a leading `~` (the home of the user the
//! task runs as, the become user's since sudo runs with `-H`) or `~user`.
//! A variable that is not set and a `~name` the host does not know stay as
//! written, as Python leaves them.

use super::utils::exec::environment_prefix;
use super::{ArgSpec, Args, ModuleContext, ModuleError};
use crate::value::Value;

/// What a path needs from the host.
#[derive(Debug, Default, PartialEq)]
struct Wanted {
    /// Variable names, in order of first use.
    variables: Vec<String>,
    /// `~` or `~user` prefixes.
    homes: Vec<String>,
}

impl Wanted {
    fn note(&mut self, path: &str) {
        // `$0` or `$1` name no environment variable (the shell would answer
        // with its own parameters): Python finds none, so neither do we.
        for name in variable_names(path) {
            if !name.starts_with(|c: char| c.is_ascii_digit()) && !self.variables.contains(&name) {
                self.variables.push(name);
            }
        }
        // The `~` is looked for once the variables are in; a variable's
        // value could only start with one when the path starts with `$`.
        if !path.starts_with('$')
            && let Some(prefix) = home_prefix(path)
            && !self.homes.iter().any(|known| known == prefix)
        {
            self.homes.push(prefix.to_string());
        }
    }

    fn is_empty(&self) -> bool {
        self.variables.is_empty() && self.homes.is_empty()
    }
}

/// What the host answered.
struct Found {
    variables: Vec<(String, Option<String>)>,
    homes: Vec<(String, String)>,
}

impl Found {
    fn expand(&self, path: &str) -> String {
        let expanded = substitute_variables(path, |name| {
            self.variables
                .iter()
                .find(|(known, _)| known == name)
                .and_then(|(_, value)| value.clone())
        });
        match home_prefix(&expanded)
            .and_then(|prefix| self.homes.iter().find(|(known, _)| known == prefix))
        {
            Some((prefix, home)) => format!("{home}{}", &expanded[prefix.len()..]),
            None => expanded,
        }
    }
}

/// `args` with the path arguments of `spec` expanded, or `None` when none
/// holds a `$` or starts with `~` (most tasks: the host is not asked).
pub(crate) fn expand_host_paths(
    args: &Args,
    spec: &ArgSpec,
    ctx: &mut ModuleContext,
) -> Result<Option<Args>, ModuleError> {
    // Under any of their names: modules read aliases (`dest` of `file`) themselves.
    let path_args: Vec<String> = args
        .values()
        .keys()
        .filter(|name| {
            spec.canonical(name)
                .is_some_and(|canonical| spec.paths.contains(&canonical))
        })
        .cloned()
        .collect();
    let mut wanted = Wanted::default();
    for name in &path_args {
        for path in path_texts(args.get(name)) {
            wanted.note(&path);
        }
    }
    if wanted.is_empty() {
        return Ok(None);
    }
    let found = ask_host(&wanted, ctx)?;
    let mut values = args.values().clone();
    for name in &path_args {
        let Some(value) = values.get(name) else {
            continue;
        };
        let expanded = if let Some(text) = value.as_str() {
            Value::from(found.expand(text))
        } else if let Ok(items) = value.try_iter() {
            Value::from(
                items
                    .map(|item| match item.as_str() {
                        Some(text) => Value::from(found.expand(text)),
                        None => item,
                    })
                    .collect::<Vec<Value>>(),
            )
        } else {
            continue;
        };
        values.insert(name.clone(), expanded);
    }
    Ok(Some(Args::new(values)))
}

/// One round trip; each answer ends in a NUL, so values may hold newlines.
/// Names and prefixes are checked to be plain words before they get here,
/// so the shell's own expansion is all that runs.
fn ask_host(wanted: &Wanted, ctx: &mut ModuleContext) -> Result<Found, ModuleError> {
    let mut script = environment_prefix(ctx.environment);
    for name in &wanted.variables {
        script.push_str(&format!(
            "if [ \"${{{name}+set}}\" = set ]; then printf '=%s\\0' \"${name}\"; else printf '\\0'; fi\n"
        ));
    }
    for prefix in &wanted.homes {
        script.push_str(&format!("printf '%s\\0' {prefix}\n"));
    }
    let output = ctx.connection()?.run(&script, None)?;
    let stdout = output.stdout_text();
    let answers: Vec<&str> = stdout.split('\0').collect();
    let expected = wanted.variables.len() + wanted.homes.len();
    if output.rc != 0 || answers.len() != expected + 1 {
        return Err(ModuleError::failed(format!(
            "cannot expand the paths of this task on {}: {}",
            ctx.host,
            output.stderr_text().trim()
        )));
    }
    let (variables, homes) = answers[..expected].split_at(wanted.variables.len());
    Ok(Found {
        variables: wanted
            .variables
            .iter()
            .zip(variables)
            .map(|(name, answer)| (name.clone(), answer.strip_prefix('=').map(str::to_string)))
            .collect(),
        homes: wanted
            .homes
            .iter()
            .zip(homes)
            .map(|(prefix, home)| (prefix.clone(), home.to_string()))
            .collect(),
    })
}

/// The strings of a path argument: one, or each of a list (`find: paths`).
fn path_texts(value: Option<&Value>) -> Vec<String> {
    let Some(value) = value else {
        return Vec::new();
    };
    if let Some(text) = value.as_str() {
        return vec![text.to_string()];
    }
    match value.try_iter() {
        Ok(items) => items
            .filter_map(|item| item.as_str().map(str::to_string))
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The spans of `$NAME` and `${NAME}` in `text` (Python's `expandvars`),
/// with the name; a `${...}` that is not a plain name is left alone.
fn variable_spans(text: &str) -> Vec<(usize, usize, &str)> {
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find('$') {
        let start = at + found;
        let rest = &text[start + 1..];
        if let Some(braced) = rest.strip_prefix('{') {
            if let Some(close) = braced.find('}') {
                let name = &braced[..close];
                if !name.is_empty() && name.chars().all(is_name_char) {
                    spans.push((start, start + close + 3, name));
                }
                at = start + close + 3;
                continue;
            }
        } else {
            let len = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
            if len > 0 {
                spans.push((start, start + 1 + len, &rest[..len]));
                at = start + 1 + len;
                continue;
            }
        }
        at = start + 1;
    }
    spans
}

fn variable_names(text: &str) -> Vec<String> {
    variable_spans(text)
        .into_iter()
        .map(|(_, _, name)| name.to_string())
        .collect()
}

fn substitute_variables(text: &str, value_of: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut at = 0;
    for (start, end, name) in variable_spans(text) {
        out.push_str(&text[at..start]);
        match value_of(name) {
            Some(value) => out.push_str(&value),
            None => out.push_str(&text[start..end]),
        }
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// `~` or `~name` at the start of `path`, up to the first `/`, when `name`
/// is a plausible user name (so it can go to the shell unquoted).
fn home_prefix(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('~')?;
    let end = rest.find('/').unwrap_or(rest.len());
    let user = &rest[..end];
    let plausible = user
        .chars()
        .enumerate()
        .all(|(at, c)| c.is_ascii_alphanumeric() || c == '_' || (at > 0 && matches!(c, '.' | '-')));
    plausible.then_some(&path[..=end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_leading_tilde_and_a_plain_user_name_are_expanded() {
        assert_eq!(home_prefix("~"), Some("~"));
        assert_eq!(home_prefix("~/.ssh/config"), Some("~"));
        assert_eq!(home_prefix("~carol/notes"), Some("~carol"));
        assert_eq!(home_prefix("~svc-app.1"), Some("~svc-app.1"));
        assert_eq!(home_prefix("/srv/~carol"), None);
        assert_eq!(home_prefix("~$(reboot)/x"), None);
        assert_eq!(home_prefix("~-x"), None);
        assert_eq!(home_prefix("~a b/x"), None);
    }

    #[test]
    fn variables_are_substituted_as_python_does_and_unknown_ones_kept() {
        let found = Found {
            variables: vec![
                ("APP".into(), Some("/srv/app".into())),
                ("GONE".into(), None),
            ],
            homes: vec![("~".into(), "/home/carol".into())],
        };
        assert_eq!(found.expand("$APP/conf"), "/srv/app/conf");
        assert_eq!(
            found.expand("${APP}x/$GONE/${GONE}"),
            "/srv/appx/$GONE/${GONE}"
        );
        assert_eq!(found.expand("~/$APP"), "/home/carol//srv/app");
        assert_eq!(found.expand("/a$/b${x y}/$"), "/a$/b${x y}/$");
        let mut positional = Wanted::default();
        positional.note("/srv/$0/${1}");
        assert!(positional.is_empty());
        assert_eq!(found.expand("/srv/$0/${1}"), "/srv/$0/${1}");
        let mut wanted = Wanted::default();
        wanted.note("${APP}/~carol/$HOME$HOME");
        assert_eq!(wanted.variables, ["APP", "HOME"]);
        assert!(wanted.homes.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn a_path_without_dollar_or_tilde_asks_nothing_and_stays(path in "[^$~]{0,40}") {
            let mut wanted = Wanted::default();
            wanted.note(&path);
            proptest::prop_assert!(wanted.is_empty());
            let found = Found { variables: Vec::new(), homes: Vec::new() };
            proptest::prop_assert_eq!(found.expand(&path), path);
        }

        #[test]
        fn every_name_asked_for_is_a_plain_word(path in ".{0,40}") {
            let mut wanted = Wanted::default();
            wanted.note(&path);
            for name in &wanted.variables {
                proptest::prop_assert!(name.chars().all(is_name_char));
            }
            for prefix in &wanted.homes {
                proptest::prop_assert!(prefix[1..].chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)));
            }
        }
    }
}
