//! `-vvv` and `-vvvv`: each SSH session as it opens (the settings in effect,
//! the jump hosts, the host key, how the login went) and each command sent
//! to a host with how it ended and how long it took, laid out as Ansible's
//! `<host> ESTABLISH …` / `<host> EXEC …` lines. `-vvvv` adds what each
//! command carried each way. Commands a task's `no_log` hides arrive without
//! their text; nothing here can show what the core did not send.

use super::{output, style};
use crate::connection::{CommandSent, SessionOpened, shell_quote};
use crate::executor::Event;

/// Show a session or command event at `verbosity` 3 or more, in Ansible's
/// verbose colour (blue); a journal of a `-vvv` run replayed with less shows none.
pub(super) fn show(event: &Event, verbosity: u8) {
    if verbosity < 3 {
        return;
    }
    let lines = match event {
        Event::SessionOpened(opened) => session_lines(opened),
        Event::CommandSent(sent) => command_lines(sent, verbosity),
        _ => return,
    };
    let paint = style::verbose();
    for line in lines {
        output::stdout_line(&paint.apply_to(line).to_string());
    }
}

/// The lines for a session that was opened.
pub(super) fn session_lines(opened: &SessionOpened) -> Vec<String> {
    let host = &opened.host;
    if opened.transport == "local" {
        return vec![format!(
            "<{host}> ESTABLISH LOCAL CONNECTION FOR USER: {}",
            opened.user
        )];
    }
    let mut lines = vec![
        format!(
            "<{host}> ESTABLISH SSH CONNECTION FOR USER: {}",
            opened.user
        ),
        format!(
            "<{host}> SSH: {}@{}:{}{}",
            opened.user,
            opened.address,
            opened.port,
            if opened.proxy.is_empty() {
                String::new()
            } else {
                format!(" through {}", opened.proxy.join(", "))
            }
        ),
    ];
    lines.extend(
        opened
            .settings
            .iter()
            .map(|setting| format!("<{host}> SSH: {setting}")),
    );
    lines.push(format!(
        "<{host}> SSH: host key {}, {}",
        opened.host_key, opened.host_key_source
    ));
    lines.extend(
        opened
            .tried
            .iter()
            .map(|tried| format!("<{host}> SSH: not accepted: {tried}")),
    );
    lines.push(format!(
        "<{host}> SSH: authenticated with {} ({}ms)",
        opened.auth, opened.millis
    ));
    lines
}

/// The lines for a command that was sent (`verbosity` 3 or more).
pub(super) fn command_lines(sent: &CommandSent, verbosity: u8) -> Vec<String> {
    let host = &sent.host;
    let command = match &sent.command {
        Some(script) => format!("sh -c {}", shell_quote(script.trim_end_matches('\n'))),
        None => "(the command is hidden: no_log)".to_string(),
    };
    let under = sent
        .become_user
        .as_ref()
        .map(|user| format!(" as {user}"))
        .unwrap_or_default();
    let ended = match (&sent.rc, &sent.error) {
        (Some(rc), _) => format!("rc={rc}"),
        (None, Some(error)) => format!("FAILED: {error}"),
        (None, None) => "FAILED".to_string(),
    };
    let mut lines = vec![format!(
        "<{host}> EXEC{under} ({ended}, {}ms): {command}",
        sent.millis
    )];
    if verbosity >= 4 {
        lines.push(format!(
            "<{host}> SENT script {} bytes, stdin {} bytes; RECEIVED stdout {} bytes, stderr {} bytes",
            sent.script_bytes, sent.stdin_bytes, sent.stdout_bytes, sent.stderr_bytes
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(command: Option<&str>) -> CommandSent {
        CommandSent {
            host: "web1".to_string(),
            command: command.map(str::to_string),
            become_user: None,
            rc: Some(0),
            error: None,
            millis: 7,
            script_bytes: 9,
            stdin_bytes: 0,
            stdout_bytes: 3,
            stderr_bytes: 0,
        }
    }

    #[test]
    fn a_command_with_its_outcome_and_sizes_at_vvvv() {
        assert_eq!(
            command_lines(&sent(Some("uname -r\n")), 3),
            ["<web1> EXEC (rc=0, 7ms): sh -c 'uname -r'"]
        );
        assert_eq!(
            command_lines(&sent(Some("true")), 4),
            [
                "<web1> EXEC (rc=0, 7ms): sh -c true",
                "<web1> SENT script 9 bytes, stdin 0 bytes; RECEIVED stdout 3 bytes, stderr 0 bytes"
            ]
        );
    }

    #[test]
    fn a_hidden_command_says_so() {
        assert_eq!(
            command_lines(&sent(None), 3),
            ["<web1> EXEC (rc=0, 7ms): (the command is hidden: no_log)"]
        );
    }
}
