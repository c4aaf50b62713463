//! `--junit FILE`: the run as a JUnit XML report, laid out as Ansible's
//! `junit` callback lays it out — a `<testsuite>` per playbook, a
//! `<testcase name="[host] play: task" classname="file:line">` per host and
//! task, ok as `<system-out>`, failed as `<failure>`, skipped as
//! `<skipped>` — plus unreachable hosts as `<error>` (Ansible's callback
//! leaves them out, which would let a CI job pass over a host it never
//! reached).

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use super::Observer;
use crate::executor::{Event, HostResult, Status};

#[derive(Default)]
pub struct JunitReport {
    suites: Vec<Suite>,
    play: String,
    task: Option<TaskStarted>,
}

struct TaskStarted {
    name: String,
    location: String,
    at: Instant,
}

struct Suite {
    name: String,
    cases: Vec<Case>,
}

struct Case {
    name: String,
    classname: String,
    seconds: f64,
    outcome: CaseOutcome,
    output: String,
}

enum CaseOutcome {
    Passed,
    Failed(String),
    Skipped(String),
    Unreachable(String),
}

impl JunitReport {
    /// Cases from now on belong to the playbook at `path`.
    pub fn start_playbook(&mut self, path: &Path) {
        let name = path.file_stem().map_or_else(
            || path.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        self.suites.push(Suite {
            name,
            cases: Vec::new(),
        });
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.to_xml())
    }

    fn to_xml(&self) -> String {
        let mut xml = String::from("<?xml version=\"1.0\" ?>\n<testsuites");
        let all = || self.suites.iter().flat_map(|suite| &suite.cases);
        write_counts(&mut xml, all());
        xml.push_str(">\n");
        for suite in &self.suites {
            let _ = write!(xml, "  <testsuite name=\"{}\"", escape(&suite.name));
            write_counts(&mut xml, suite.cases.iter());
            xml.push_str(">\n");
            for case in &suite.cases {
                let _ = write!(
                    xml,
                    "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\">",
                    escape(&case.classname),
                    escape(&case.name),
                    case.seconds
                );
                let output = escape(&case.output);
                match &case.outcome {
                    CaseOutcome::Passed => {
                        let _ = write!(xml, "<system-out>{output}</system-out>");
                    }
                    CaseOutcome::Failed(message) => {
                        let _ = write!(
                            xml,
                            "<failure message=\"{}\">{output}</failure>",
                            escape(message)
                        );
                    }
                    CaseOutcome::Skipped(reason) => {
                        let _ = write!(xml, "<skipped>{}</skipped>", escape(reason));
                    }
                    CaseOutcome::Unreachable(message) => {
                        let _ = write!(
                            xml,
                            "<error message=\"{}\" type=\"unreachable\">{output}</error>",
                            escape(message)
                        );
                    }
                }
                xml.push_str("</testcase>\n");
            }
            xml.push_str("  </testsuite>\n");
        }
        xml.push_str("</testsuites>\n");
        xml
    }

    fn record(&mut self, result: &HostResult) {
        let Some(task) = &self.task else {
            return;
        };
        if self.suites.is_empty() {
            self.suites.push(Suite {
                name: "runbook".into(),
                cases: Vec::new(),
            });
        }
        let text = |key: &str| {
            result
                .result
                .get_attr(key)
                .ok()
                .filter(|v| !v.is_undefined() && !v.is_none())
                .map(|v| crate::value::text(&v))
        };
        let output = bounded(serde_json::to_string(&result.result).unwrap_or_default());
        let outcome = match result.status {
            Status::Ok | Status::Changed => CaseOutcome::Passed,
            Status::Failed if result.ignored => CaseOutcome::Passed,
            Status::Failed => CaseOutcome::Failed(
                text("msg")
                    .unwrap_or_else(|| format!("rc={}", text("rc").unwrap_or_else(|| "0".into()))),
            ),
            Status::Skipped => {
                CaseOutcome::Skipped(text("skip_reason").unwrap_or_else(|| "skipped".into()))
            }
            Status::Unreachable => {
                CaseOutcome::Unreachable(text("msg").unwrap_or_else(|| "unreachable".into()))
            }
        };
        let case = Case {
            name: format!("[{}] {}: {}", result.host, self.play, task.name),
            classname: task.location.clone(),
            seconds: task.at.elapsed().as_secs_f64(),
            outcome,
            output,
        };
        if let Some(suite) = self.suites.last_mut() {
            suite.cases.push(case);
        }
    }
}

impl Observer for JunitReport {
    fn observe(&mut self, event: &Event) {
        match event {
            Event::PlayStart { name, .. } => self.play.clone_from(name),
            Event::TaskStart { name, location, .. } => {
                self.task = Some(TaskStarted {
                    name: name.clone(),
                    location: location.clone(),
                    at: Instant::now(),
                });
            }
            Event::HostResult(result) => self.record(result),
            _ => {}
        }
    }
}

/// A case's output keeps its first 64 KiB: a report of thousands of
/// cases must not hold every megabyte a command printed.
fn bounded(mut text: String) -> String {
    const KEPT: usize = 64 * 1024;
    if text.len() <= KEPT {
        return text;
    }
    let mut cut = KEPT;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let dropped = text.len() - cut;
    text.truncate(cut);
    text.push_str(&format!("… ({dropped} more bytes)"));
    text
}

fn write_counts<'a>(xml: &mut String, cases: impl Iterator<Item = &'a Case>) {
    let (mut tests, mut failures, mut errors, mut skipped, mut seconds) = (0, 0, 0, 0, 0.0);
    for case in cases {
        tests += 1;
        seconds += case.seconds;
        match case.outcome {
            CaseOutcome::Passed => {}
            CaseOutcome::Failed(_) => failures += 1,
            CaseOutcome::Skipped(_) => skipped += 1,
            CaseOutcome::Unreachable(_) => errors += 1,
        }
    }
    let _ = write!(
        xml,
        " errors=\"{errors}\" failures=\"{failures}\" skipped=\"{skipped}\" tests=\"{tests}\" time=\"{seconds:.3}\""
    );
}

/// XML text and attribute escaping; characters XML 1.0 cannot hold at all
/// (most control characters) become U+FFFD rather than an unreadable file.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    proptest::proptest! {
        #[test]
        fn escaped_text_has_no_markup_or_forbidden_characters(text in "\\PC*|[\\x00-\\x1f<>&\"']*") {
            let escaped = escape(&text);
            proptest::prop_assert!(!escaped.contains(['<', '>', '"', '\'']));
            proptest::prop_assert!(!escaped.chars().any(|c| (c as u32) < 0x20 && c != '\t' && c != '\r'));
        }
    }
}
