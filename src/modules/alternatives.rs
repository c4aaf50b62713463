//! `alternatives` (community.general): install, select, set to auto or
//! remove an alternative with the host's `update-alternatives`, read from
//! `update-alternatives --display` as Ansible reads it. `state` defaults to
//! `selected`, as in Ansible.

use super::utils::host::run_checked;
use super::utils::probe::Probe;
use super::{ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;

pub(super) struct Alternatives;

static SPEC: ArgSpec = ArgSpec {
    names: &["name", "path", "family", "link", "priority", "state", "subcommands"],
    aliases: &[("slaves", "subcommands")],
    required: &["name"],
    free_form: FreeForm::KeyValue,
    choices: &[("state", &["present", "selected", "auto", "absent"])],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Present,
    Selected,
    Auto,
    Absent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Subcommand {
    name: String,
    path: String,
    link: String,
}

#[derive(Debug, Clone)]
pub(super) struct Desired {
    name: String,
    path: Option<String>,
    family: Option<String>,
    link: Option<String>,
    priority: Option<i64>,
    state: State,
    subcommands: Option<Vec<Subcommand>>,
}

/// One alternative of the group, as `--display` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Choice {
    path: String,
    family: String,
    priority: i64,
    /// (name, path) of its followers.
    followers: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Observed {
    mode: Option<String>,
    current: Option<String>,
    link: Option<String>,
    choices: Vec<Choice>,
    path_exists: bool,
}

impl Observed {
    fn choice(&self, path: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.path == path)
    }
}

/// `update-alternatives --display NAME` (LC_ALL=C) read into its parts.
fn parse_display(text: &str) -> Observed {
    let mut have = Observed::default();
    let mut lines = text.lines();
    let Some(first) = lines.next() else {
        return have;
    };
    // "editor - auto mode" / "editor - status is manual."
    have.mode = first.split(" - ").nth(1).and_then(|rest| {
        let rest = rest.trim_start_matches("status is ");
        let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        (!word.is_empty()).then_some(word)
    });
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(path) = trimmed.strip_prefix("link currently points to ") {
            have.current = Some(path.to_string());
        } else if let Some(rest) = trimmed.strip_prefix("link ")
            && have.link.is_none()
            && let Some((word, path)) = rest.split_once(" is ")
            && !word.contains(' ')
            && word != "currently"
        {
            have.link = Some(path.to_string());
        } else if line.starts_with('/')
            && let Some((path, rest)) = line.split_once(" - ")
        {
            let (family, rest) = match rest.strip_prefix("family ") {
                Some(after) => {
                    let (family, tail) = after.split_once(' ').unwrap_or((after, ""));
                    (family.to_string(), tail)
                }
                None => (String::new(), rest),
            };
            if let Some(priority) = rest
                .strip_prefix("priority ")
                .and_then(|p| p.trim().parse::<i64>().ok())
            {
                have.choices.push(Choice {
                    path: path.to_string(),
                    family,
                    priority,
                    followers: Vec::new(),
                });
            }
        } else if line.starts_with(char::is_whitespace)
            && (trimmed.starts_with("slave ") || trimmed.starts_with("follower "))
            && let Some(choice) = have.choices.last_mut()
            && let Some((name, path)) = trimmed.split_once(' ').and_then(|(_, r)| r.split_once(": "))
            && path != "(null)"
        {
            choice.followers.push((name.to_string(), path.to_string()));
        }
    }
    have
}

/// The commands to run, in order, and a description of each.
fn plan(want: &Desired, have: &Observed) -> Result<Vec<(String, String)>, ModuleError> {
    let mut steps = Vec::new();
    let name = shell_quote(&want.name);
    if want.state == State::Absent {
        if let Some(path) = &want.path
            && have.choice(path).is_some()
        {
            steps.push((
                format!("Remove alternative '{path}' from '{}'.", want.name),
                format!("update-alternatives --remove {name} {}", shell_quote(path)),
            ));
        }
        return Ok(steps);
    }
    if let Some(path) = &want.path {
        let found = have.choice(path);
        let subcommands_differ = match (&want.subcommands, found) {
            (Some(wanted), Some(choice)) => {
                let mut a: Vec<(String, String)> =
                    wanted.iter().map(|s| (s.name.clone(), s.path.clone())).collect();
                let mut b = choice.followers.clone();
                a.sort();
                b.sort();
                a != b
            }
            _ => false,
        };
        let needs_install = match found {
            None => true,
            Some(choice) => want.priority.is_some_and(|p| p != choice.priority) || subcommands_differ,
        };
        if needs_install {
            if !have.path_exists {
                return Err(ModuleError::failed(format!("Specified path {path} does not exist")));
            }
            let Some(link) = want.link.as_ref().or(have.link.as_ref()) else {
                return Err(ModuleError::failed(
                    "Needed to install the alternative, but unable to do so as we are missing the link",
                ));
            };
            let priority = want
                .priority
                .or_else(|| found.map(|c| c.priority))
                .unwrap_or(50);
            let mut command = format!(
                "update-alternatives --install {} {name} {} {priority}",
                shell_quote(link),
                shell_quote(path)
            );
            if let Some(family) = &want.family {
                command.push_str(&format!(" --family {}", shell_quote(family)));
            }
            for sub in want.subcommands.iter().flatten() {
                command.push_str(&format!(
                    " --slave {} {} {}",
                    shell_quote(&sub.link),
                    shell_quote(&sub.name),
                    shell_quote(&sub.path)
                ));
            }
            steps.push((format!("Install alternative '{path}' for '{}'.", want.name), command));
        }
    }
    let same_path = want.path.is_some() && have.current == want.path;
    let same_family = have
        .current
        .as_deref()
        .and_then(|current| have.choice(current))
        .is_some_and(|choice| Some(choice.family.as_str()) == want.family.as_deref());
    if want.state == State::Selected && !(same_path || same_family) {
        let target = want.path.as_ref().or(want.family.as_ref()).cloned().unwrap_or_default();
        steps.push((
            format!("Set alternative '{target}' for '{}'.", want.name),
            format!("update-alternatives --set {name} {}", shell_quote(&target)),
        ));
    }
    if want.state == State::Auto && have.mode.as_deref() == Some("manual") {
        steps.push((
            format!("Set alternative to auto for '{}'.", want.name),
            format!("update-alternatives --auto {name}"),
        ));
    }
    Ok(steps)
}

fn subcommands(args: &Args) -> Result<Option<Vec<Subcommand>>, ModuleError> {
    let Some(value) = args.get("subcommands") else {
        return Ok(None);
    };
    let items = value
        .try_iter()
        .map_err(|_| ModuleError::failed("argument `subcommands`: expected a list of mappings"))?;
    let mut list = Vec::new();
    for item in items {
        let field = |key: &str| -> Result<String, ModuleError> {
            item.get_attr(key)
                .ok()
                .filter(|v| !v.is_undefined() && !v.is_none())
                .map(|v| crate::value::text(&v))
                .ok_or_else(|| {
                    ModuleError::failed(format!(
                        "missing required arguments: {key} found in subcommands"
                    ))
                })
        };
        list.push(Subcommand {
            name: field("name")?,
            path: field("path")?,
            link: field("link")?,
        });
    }
    Ok(Some(list))
}

impl StateModule for Alternatives {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "alternatives"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let state = match args.str("state")?.as_deref() {
            None | Some("selected") => State::Selected,
            Some("present") => State::Present,
            Some("auto") => State::Auto,
            Some("absent") => State::Absent,
            Some(other) => {
                return Err(ModuleError::failed(format!(
                    "value of state must be one of: present, selected, auto, absent, got: {other}"
                )));
            }
        };
        let want = Desired {
            name: args.str("name")?.unwrap_or_default(),
            path: args.str("path")?,
            family: args.str("family")?,
            link: args.str("link")?,
            priority: args.f64("priority")?.map(|p| p as i64),
            state,
            subcommands: subcommands(args)?,
        };
        if want.path.is_none() && want.family.is_none() {
            return Err(ModuleError::failed(
                "one of the following is required: path, family",
            ));
        }
        Ok(want)
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let mut probe = Probe::new();
        probe.require(&["update-alternatives"]).ask(
            "display",
            &format!(
                "LC_ALL=C update-alternatives --display {}",
                shell_quote(&want.name)
            ),
        );
        if let Some(path) = &want.path {
            probe.ask("exists", &format!("[ -e {} ] && echo yes", shell_quote(path)));
        }
        let answers = probe.run(ctx, "alternatives")?;
        let mut have = parse_display(answers.text("display"));
        have.path_exists = answers.yes("exists");
        Ok(have)
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        let steps = plan(want, have)?;
        if steps.is_empty() {
            return Ok(changes);
        }
        let describe = |state: &str, link: Option<&String>, priority: Option<i64>| {
            let mut text = format!("state: {state}\n");
            if let Some(path) = &want.path {
                text.push_str(&format!("path: {path}\n"));
            }
            if let Some(priority) = priority {
                text.push_str(&format!("priority: {priority}\n"));
            }
            if let Some(link) = link {
                text.push_str(&format!("link: {link}\n"));
            }
            text
        };
        let found = want.path.as_deref().and_then(|p| have.choice(p));
        let before = match found {
            None => "state: absent\n".to_string(),
            Some(choice) => {
                let selected = have.mode.as_deref() == Some("manual") && have.current == want.path;
                describe(
                    if selected { "selected" } else { "present" },
                    have.link.as_ref(),
                    Some(choice.priority),
                )
            }
        };
        let after = match want.state {
            State::Absent => "state: absent\n".to_string(),
            state => describe(
                match state {
                    State::Selected => "selected",
                    _ => "present",
                },
                want.link.as_ref().or(have.link.as_ref()),
                want.priority.or(found.map(|c| c.priority)).or(Some(50)),
            ),
        };
        let header = format!("alternatives {}", want.name);
        changes.add(
            steps
                .iter()
                .map(|(what, _)| what.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            Some(Diff {
                before_header: header.clone(),
                after_header: header,
                before,
                after,
            }),
        );
        Ok(changes)
    }

    fn apply(
        &self,
        want: &Desired,
        have: &Observed,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let steps = plan(want, have)?;
        for (_, command) in &steps {
            run_checked(ctx, "update-alternatives", &format!("LC_ALL=C {command}"), None)?;
        }
        Ok(Outcome::ok())
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        let messages: Vec<String> = plan(want, have)
            .map(|steps| steps.into_iter().map(|(what, _)| what).collect())
            .unwrap_or_default();
        Outcome::ok().with_msg(messages.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DISPLAY: &str = "hello - manual mode
  link best version is /opt/hello-2
  link currently points to /opt/hello-1
  link hello is /opt/bin/hello
  slave hello.1.gz is /opt/man/hello.1.gz
/opt/hello-1 - priority 10
  slave hello.1.gz: /opt/man/hello-1.1.gz
/opt/hello-2 - family demo priority 20
  slave hello.1.gz: (null)
";

    #[test]
    fn display_output_reads_as_ansible_reads_it() {
        let have = parse_display(DISPLAY);
        assert_eq!(have.mode.as_deref(), Some("manual"));
        assert_eq!(have.current.as_deref(), Some("/opt/hello-1"));
        assert_eq!(have.link.as_deref(), Some("/opt/bin/hello"));
        assert_eq!(have.choices.len(), 2);
        assert_eq!(have.choices[1].family, "demo");
        assert_eq!(have.choices[0].followers.len(), 1);
        assert!(have.choices[1].followers.is_empty());
    }

    #[test]
    fn selecting_the_current_choice_needs_nothing() {
        let mut have = parse_display(DISPLAY);
        have.path_exists = true;
        let want = Desired {
            name: "hello".into(),
            path: Some("/opt/hello-1".into()),
            family: None,
            link: None,
            priority: None,
            state: State::Selected,
            subcommands: None,
        };
        assert!(plan(&want, &have).expect("plans").is_empty());
        let other = Desired {
            path: Some("/opt/hello-2".into()),
            ..want
        };
        let steps = plan(&other, &have).expect("plans");
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].1, "update-alternatives --set hello /opt/hello-2");
    }

    proptest::proptest! {
        #[test]
        fn any_display_output_reads(text in "[a-z/ \n:-]{0,80}") {
            let _ = parse_display(&text);
        }
    }
}
