//! What a host is running, in a line: the module and a short summary of
//! its arguments, for the live view of hosts still running and the list a
//! Ctrl-C leaves behind.

use crate::modules::Args;
use crate::value::{Value, text};

/// Arguments whose values are shown as `********`: what a name says may be
/// a secret (Ansible marks such options `no_log`), and file contents.
const UNSHOWN: &[&str] = &[
    "pass", "secret", "token", "key", "auth", "private", "content",
];

/// Arguments longer than this are cut (with `…`): a line per host must fit
/// a terminal.
const LONGEST: usize = 72;

/// `command: sleep 600`, `copy: src=app.tar dest=/opt/app.tar`; the module
/// alone when the task's output is hidden (`no_log`).
pub(super) fn summary(module: &str, args: &Args, hidden: bool) -> String {
    if hidden {
        return module.to_string();
    }
    let free_form = ["_raw_params", "cmd", "argv"]
        .iter()
        .find_map(|name| args.get(name).map(free_form_text));
    let arguments = free_form.unwrap_or_else(|| {
        args.values()
            .iter()
            .filter(|(name, _)| !name.starts_with('_'))
            .map(|(name, value)| {
                let lower = name.to_ascii_lowercase();
                if UNSHOWN.iter().any(|word| lower.contains(word)) {
                    format!("{name}=********")
                } else {
                    format!("{name}={}", one_line(&text(value)))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    });
    let arguments = crate::vault::session::redact(&arguments).into_owned();
    if arguments.is_empty() {
        module.to_string()
    } else {
        format!("{module}: {}", cut(&arguments))
    }
}

/// A command line as written; `argv` lists joined by spaces.
fn free_form_text(value: &Value) -> String {
    match value.try_iter() {
        Ok(items) if value.as_str().is_none() => {
            items.map(|item| text(&item)).collect::<Vec<_>>().join(" ")
        }
        _ => one_line(&text(value)),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(LONGEST) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_form_commands_are_shown_as_written_on_one_line() {
        let args = Args::of(&[("_raw_params", "systemctl   restart\n kaiwudb")]);
        assert_eq!(
            summary("shell", &args, false),
            "shell: systemctl restart kaiwudb"
        );
    }

    #[test]
    fn argv_lists_are_joined_and_other_modules_list_their_arguments() {
        let argv = Args::new(
            [(
                "argv".to_string(),
                Value::from(vec![Value::from("kwbase"), Value::from("node status")]),
            )]
            .into_iter()
            .collect(),
        );
        assert_eq!(
            summary("command", &argv, false),
            "command: kwbase node status"
        );
        let copy = Args::of(&[("src", "app.tar"), ("dest", "/opt/app.tar")]);
        assert_eq!(
            summary("copy", &copy, false),
            "copy: src=app.tar dest=/opt/app.tar"
        );
    }

    #[test]
    fn long_arguments_are_cut_and_hidden_ones_never_shown() {
        let long = "x".repeat(200);
        let args = Args::of(&[("_raw_params", long.as_str())]);
        let shown = summary("command", &args, false);
        assert_eq!(shown.chars().count(), "command: ".len() + LONGEST + 1);
        assert!(shown.ends_with('…'));
        let secret = Args::of(&[("password", "hunter2")]);
        assert_eq!(summary("user", &secret, true), "user");
        let user = Args::of(&[("name", "app"), ("password", "hunter2")]);
        assert_eq!(
            summary("user", &user, false),
            "user: name=app password=********"
        );
        let copy = Args::of(&[("content", "db_password=hunter2"), ("dest", "/etc/app")]);
        assert_eq!(
            summary("copy", &copy, false),
            "copy: content=******** dest=/etc/app"
        );
    }
}
