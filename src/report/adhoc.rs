//! The terminal view of `runbook run`, as Ansible's ad-hoc output:
//! `host | CHANGED | rc=0 >>` and the command's output.

use super::live::Live;
use super::readable::{NOT_DUMPED, pretty, visible_fields};
use super::{Reporter, output, style};
use crate::executor::{Event, HostResult, Status};

/// Modules whose output is shown as text rather than JSON.
const COMMAND_MODULES: &[&str] = &["command", "shell", "raw", "script"];

/// `runbook run`'s view: Ansible's ad-hoc blocks, or with `-o` its
/// `oneline` callback's lines.
pub struct AdhocReporter {
    one_line: bool,
    /// `-vvv` shows sessions and commands, as in a playbook run.
    verbosity: u8,
    /// The template error shown last: hosts failing the same way show it once.
    last_explained: Option<String>,
    live: Live,
}

impl AdhocReporter {
    pub fn new() -> Self {
        Self {
            one_line: false,
            verbosity: 0,
            last_explained: None,
            live: Live::new(),
        }
    }

    /// `-o`/`--one-line`.
    pub fn one_line() -> Self {
        Self {
            one_line: true,
            ..Self::new()
        }
    }

    pub fn with_verbosity(self, verbosity: u8) -> Self {
        Self { verbosity, ..self }
    }
}

impl Default for AdhocReporter {
    fn default() -> Self {
        Self::new()
    }
}

/// A text field of the result (`stdout`, `msg`...), empty when absent.
pub(super) fn text(result: &HostResult, key: &str) -> String {
    result
        .result
        .get_attr(key)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn render(result: &HostResult) -> String {
    let host = &result.host;
    let has = |key: &str| result.result.get_attr(key).is_ok_and(|v| !v.is_undefined());
    // A successful async job's result is shown as JSON, as Ansible does.
    let command_like = COMMAND_MODULES.contains(&result.module.as_str())
        && has("rc")
        && (result.status == Status::Failed || !has("ansible_job_id"));
    let caption = match result.status {
        Status::Changed => "CHANGED",
        Status::Ok => "SUCCESS",
        Status::Skipped => return format!("{host} | SKIPPED"),
        Status::Failed => "FAILED",
        Status::Unreachable => "UNREACHABLE!",
    };
    if command_like && result.status != Status::Unreachable {
        let rc = result
            .result
            .get_attr("rc")
            .map(|v| v.to_string())
            .unwrap_or_else(|_| "-1".into());
        let mut body = text(result, "stdout");
        for extra in [
            text(result, "stderr"),
            if result.status == Status::Failed {
                text(result, "msg")
            } else {
                String::new()
            },
        ] {
            if !extra.is_empty() {
                if !body.is_empty() {
                    body.push('\n');
                }
                body.push_str(&extra);
            }
        }
        return format!("{host} | {caption} | rc={rc} >>\n{body}");
    }
    let caption = if result.status == Status::Failed {
        "FAILED!"
    } else {
        caption
    };
    format!(
        "{host} | {caption} => {}",
        pretty(visible_fields(&result.result, NOT_DUMPED))
    )
}

impl Reporter for AdhocReporter {
    fn event(&mut self, event: &Event) {
        match event {
            Event::HostResult(result) => {
                super::messages::explain(result, &mut self.last_explained);
                let style = style::for_status(result.status);
                let lines = if self.one_line {
                    super::oneline::lines(result)
                } else {
                    vec![render(result)]
                };
                for line in lines {
                    output::stdout_line(&style.apply_to(line).to_string());
                }
            }
            Event::Warning { message } => self.warning(message),
            Event::SessionOpened(_) | Event::CommandSent(_) => {
                super::connection_view::show(event, self.verbosity);
            }
            _ => {}
        }
        self.live.event(event);
    }

    fn tick(&mut self) {
        self.live.tick();
    }

    fn interrupted(&mut self, count: usize) {
        let message = self.live.interruption(count);
        self.warning(&message);
    }
}
