//! After the recap, what went wrong where, so nobody scrolls back through a
//! thousand hosts' output: each failed or unreachable host with its task,
//! the task's place, the command and its rc, and the last lines of stderr.

use super::banner::banner;
use crate::executor::{HostResult, Status};
use crate::value::{Value, text};

/// Lines of a command's output kept for the summary.
const LAST_LINES: usize = 5;

/// A host's failure, and what the live view saw it run (the module and its
/// arguments), for results that do not say (a command cut short).
pub(super) struct Failure {
    pub result: HostResult,
    pub action: Option<String>,
}

/// Nothing when nothing failed.
pub(super) fn render(failures: &[&Failure]) -> String {
    if failures.is_empty() {
        return String::new();
    }
    let mut out = format!("{}\n", banner("FAILURES"));
    for failure in failures {
        out.push_str(&describe(failure));
    }
    out
}

fn describe(
    Failure {
        result: failure,
        action,
    }: &Failure,
) -> String {
    let result = &failure.result;
    let what = match failure.status {
        Status::Unreachable => "unreachable",
        _ => "failed",
    };
    let mut out = format!(
        "{}: {what} at TASK [{}] ({})\n",
        failure.host, failure.task, failure.location
    );
    if let Some(item) = &failure.item {
        out.push_str(&format!("    item: {item}\n"));
    }
    let field = |name: &str| {
        result
            .get_attr(name)
            .ok()
            .filter(|value| !value.is_undefined() && !value.is_none())
    };
    let command = field("cmd").map(|cmd| command_text(&cmd));
    match (&command, action) {
        (Some(command), _) => out.push_str(&format!("    command: {command}\n")),
        (None, Some(action)) => out.push_str(&format!("    ran: {action}\n")),
        (None, None) => {}
    }
    if let Some(rc) = field("rc") {
        out.push_str(&format!("    rc: {rc}\n"));
    }
    if let Some(error) = &failure.error {
        // A template error: what and where, not Ansible's long message.
        out.push_str(&format!(
            "    error: {} ({})\n",
            error.message, error.location
        ));
        if let Some(help) = &error.help {
            out.push_str(&format!("    help: {help}\n"));
        }
    } else if let Some(msg) = field("msg").map(|msg| text(&msg))
        // "non-zero return code" says no more than the rc above.
        && (command.is_none() || msg != "non-zero return code")
    {
        out.push_str(&indented_tail("msg", &msg));
    }
    let stderr = field("stderr").map(|s| text(&s)).filter(|s| !s.is_empty());
    let stdout = field("stdout").map(|s| text(&s)).filter(|s| !s.is_empty());
    match (stderr, stdout) {
        (Some(stderr), _) => out.push_str(&indented_tail("stderr", &stderr)),
        (None, Some(stdout)) if command.is_some() => {
            out.push_str(&indented_tail("stdout", &stdout));
        }
        _ => {}
    }
    out
}

/// `cmd` as Ansible's results carry it: a string (shell) or the argv list
/// (command).
fn command_text(cmd: &Value) -> String {
    if cmd.as_str().is_some() {
        return text(cmd);
    }
    match cmd.try_iter() {
        Ok(items) => items
            .map(|item| {
                let word = text(&item);
                shell_words::quote(&word).into_owned()
            })
            .collect::<Vec<_>>()
            .join(" "),
        Err(_) => text(cmd),
    }
}

/// `label: text` on one line, or the last lines of a longer text under it.
fn indented_tail(label: &str, text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    if lines.len() == 1 {
        return format!("    {label}: {}\n", lines[0]);
    }
    let mut out = if lines.len() > LAST_LINES {
        format!(
            "    {label} (last {LAST_LINES} of {} lines):\n",
            lines.len()
        )
    } else {
        format!("    {label}:\n")
    };
    for line in &lines[lines.len().saturating_sub(LAST_LINES)..] {
        out.push_str(format!("      {line}").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(host: &str, result: serde_json::Value) -> HostResult {
        HostResult {
            host: host.into(),
            task: "Migrate the schema".into(),
            location: "site.yml:12:7".into(),
            status: Status::Failed,
            ignored: false,
            item: None,
            delegated_to: None,
            result: Value::from(minijinja::value::Serde(result)),
            module: "command".into(),
            shown_in_full: false,
            error: None,
        }
    }

    #[test]
    fn a_failed_command_shows_its_command_rc_and_last_lines_of_stderr() {
        let stderr: Vec<String> = (1..=8).map(|n| format!("line {n}")).collect();
        let failure = failed(
            "node2",
            serde_json::json!({
                "cmd": ["/opt/app/bin/migrate", "--to", "2 0"],
                "rc": 3,
                "msg": "non-zero return code",
                "stderr": stderr.join("\n"),
                "stdout": "ignored when stderr says why",
            }),
        );
        let unreachable = HostResult {
            status: Status::Unreachable,
            ..failed(
                "node3",
                serde_json::json!({"msg": "Failed to connect to the host via ssh: timed out"}),
            )
        };
        let failure = Failure {
            result: failure,
            action: Some("command: /opt/app/bin/migrate".into()),
        };
        let unreachable = Failure {
            result: unreachable,
            action: Some("ping".into()),
        };
        let shown = render(&[&failure, &unreachable]);
        let expected = format!(
            "{}\n{}",
            banner("FAILURES"),
            "\
node2: failed at TASK [Migrate the schema] (site.yml:12:7)
    command: /opt/app/bin/migrate --to '2 0'
    rc: 3
    stderr (last 5 of 8 lines):
      line 4
      line 5
      line 6
      line 7
      line 8
node3: unreachable at TASK [Migrate the schema] (site.yml:12:7)
    ran: ping
    msg: Failed to connect to the host via ssh: timed out
"
        );
        assert_eq!(shown, expected);
    }

    #[test]
    fn nothing_is_shown_when_nothing_failed() {
        assert_eq!(render(&[]), "");
    }
}
