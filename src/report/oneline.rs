//! `runbook run -o`: one line per host, as Ansible's `oneline` callback
//! writes it — `host | CHANGED | rc=0 | (stdout) ...` for the command
//! modules, `host | SUCCESS => {...}` with the result's JSON on one line for
//! the others.

use super::adhoc::text;
use super::readable::{Dump, dumped, shown_in_full};
use crate::executor::{HostResult, Status};

/// The modules Ansible shows as text (`C.MODULE_NO_JSON`; not `script`).
const NO_JSON: &[&str] = &["command", "shell", "raw"];

/// What ansible-core 2.19 prints before the JSON of a failure that is not
/// a command's, below -vvv (its failures all carry an exception).
const EXCEPTION_LINE: &str = "An exception occurred during task execution. To see the full traceback, use -vvv. The error was: (traceback unavailable)";

/// The lines of one result.
pub(super) fn lines(result: &HostResult) -> Vec<String> {
    let host = &result.host;
    let short = result
        .module
        .strip_prefix("ansible.builtin.")
        .or_else(|| result.module.strip_prefix("ansible.legacy."))
        .unwrap_or(&result.module);
    let as_text = NO_JSON.contains(&short);
    let dump = if shown_in_full(result) {
        Dump::JoinedIndented
    } else {
        Dump::Joined
    };
    match result.status {
        Status::Skipped => vec![format!("{host} | SKIPPED")],
        Status::Unreachable => vec![format!("{host} | UNREACHABLE!: {}", text(result, "msg"))],
        Status::Failed => vec![
            if as_text {
                command_line(result, "FAILED")
            } else {
                EXCEPTION_LINE.to_string()
            },
            format!("{host} | FAILED! => {}", dumped(&result.result, dump)),
        ],
        Status::Ok | Status::Changed => {
            let state = if result.status == Status::Changed {
                "CHANGED"
            } else {
                "SUCCESS"
            };
            // An async job's result is shown as JSON, as Ansible does.
            let job = result
                .result
                .get_attr("ansible_job_id")
                .is_ok_and(|v| !v.is_undefined());
            vec![if as_text && !job {
                command_line(result, state)
            } else {
                format!("{host} | {state} => {}", dumped(&result.result, dump))
            }]
        }
    }
}

/// `host | STATE | rc=N | (stdout) ... (stderr) ...`, newlines escaped.
fn command_line(result: &HostResult, state: &str) -> String {
    let escaped = |key: &str| text(result, key).replace('\n', "\\n").replace('\r', "\\r");
    let rc = result
        .result
        .get_attr("rc")
        .ok()
        .filter(|rc| !rc.is_undefined() && !rc.is_none())
        .map_or_else(|| "-1".to_string(), |rc| rc.to_string());
    let mut line = format!(
        "{} | {state} | rc={rc} | (stdout) {}",
        result.host,
        escaped("stdout")
    );
    let stderr = escaped("stderr");
    if !stderr.is_empty() {
        line.push_str(&format!(" (stderr) {stderr}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn result(module: &str, status: Status, json: serde_json::Value) -> HostResult {
        HostResult {
            host: "web1".into(),
            task: String::new(),
            location: String::new(),
            status,
            ignored: false,
            item: None,
            delegated_to: None,
            result: Value::from(minijinja::value::Serde(json)),
            module: module.into(),
            shown_in_full: false,
            error: None,
        }
    }

    #[test]
    fn commands_are_one_line_of_text() {
        let ok = result(
            "shell",
            Status::Changed,
            serde_json::json!({"rc": 0, "stdout": "a\nb\r", "stderr": "", "changed": true}),
        );
        assert_eq!(lines(&ok), ["web1 | CHANGED | rc=0 | (stdout) a\\nb\\r"]);
        let failed = result(
            "ansible.builtin.command",
            Status::Failed,
            serde_json::json!({"rc": 3, "stdout": "", "stderr": "bad\n", "failed": true}),
        );
        assert_eq!(
            lines(&failed),
            [
                "web1 | FAILED | rc=3 | (stdout)  (stderr) bad\\n",
                r#"web1 | FAILED! => {"rc": 3,"stderr": "bad\n","stdout": ""}"#
            ]
        );
    }

    #[test]
    fn other_modules_are_json_on_one_line() {
        let ping = result(
            "ping",
            Status::Ok,
            serde_json::json!({"ping": "pong", "changed": false}),
        );
        assert_eq!(
            lines(&ping),
            [r#"web1 | SUCCESS => {"changed": false,"ping": "pong"}"#]
        );
        let mut debug = result("debug", Status::Ok, serde_json::json!({"msg": "hi"}));
        debug.shown_in_full = true;
        assert_eq!(lines(&debug), [r#"web1 | SUCCESS => {    "msg": "hi"}"#]);
        let failed = result("fail", Status::Failed, serde_json::json!({"msg": "boom"}));
        assert_eq!(
            lines(&failed),
            [EXCEPTION_LINE, r#"web1 | FAILED! => {"msg": "boom"}"#]
        );
        let down = result(
            "ping",
            Status::Unreachable,
            serde_json::json!({"msg": "refused", "unreachable": true}),
        );
        assert_eq!(lines(&down), ["web1 | UNREACHABLE!: refused"]);
        let skipped = result("ping", Status::Skipped, serde_json::json!({}));
        assert_eq!(lines(&skipped), ["web1 | SKIPPED"]);
    }
}
