//! One round trip that asks a host several questions: a script prints each
//! answer after a marker line, and [`Probe::run`] hands back the answers by
//! name, so a module inspects a host with one command.

use std::collections::BTreeMap;

use crate::modules::{ModuleContext, ModuleError};

const MARKER: &str = "@@runbook-probe:";

/// A script of named questions.
#[derive(Debug, Default)]
pub(crate) struct Probe {
    script: String,
}

/// What a probe's questions answered, by name.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Answers {
    sections: BTreeMap<String, String>,
}

impl Probe {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Ask `sh` code under `name`; its stdout is the answer (stderr is dropped).
    pub(crate) fn ask(&mut self, name: &str, sh: &str) -> &mut Self {
        self.script
            .push_str(&format!("echo '{MARKER}{name}'\n{{ {sh}\n}} 2>/dev/null\n"));
        self
    }

    /// Fail with the tool's name and the host when one of `tools` is missing.
    pub(crate) fn require(&mut self, tools: &[&str]) -> &mut Self {
        for tool in tools {
            self.script.push_str(&format!(
                "command -v {tool} >/dev/null 2>&1 || {{ echo {tool} >&2; exit 127; }}\n"
            ));
        }
        self
    }

    pub(crate) fn run(
        &self,
        ctx: &mut ModuleContext,
        module: &str,
    ) -> Result<Answers, ModuleError> {
        self.run_with_input(ctx, module, None)
    }

    /// [`run`](Self::run), with `stdin` for the questions to read.
    pub(crate) fn run_with_input(
        &self,
        ctx: &mut ModuleContext,
        module: &str,
        stdin: Option<&[u8]>,
    ) -> Result<Answers, ModuleError> {
        let script = format!("{}exit 0\n", self.script);
        let output = ctx.connection()?.run(&script, stdin)?;
        if output.rc == 127 {
            return Err(ModuleError::failed(format!(
                "{module} needs {} on {}, which is not installed there",
                output.stderr_text().trim(),
                ctx.host
            )));
        }
        if output.rc != 0 {
            return Err(ModuleError::failed(format!(
                "{module} could not inspect {} (rc={}): {}",
                ctx.host,
                output.rc,
                output.stderr_text().trim()
            )));
        }
        Ok(Answers::parse(&output.stdout_text()))
    }
}

impl Answers {
    pub(crate) fn parse(text: &str) -> Self {
        let mut sections = BTreeMap::new();
        let mut current: Option<(String, String)> = None;
        for line in text.split_inclusive('\n') {
            if let Some(name) = line.strip_prefix(MARKER) {
                if let Some((name, body)) = current.take() {
                    sections.insert(name, body);
                }
                current = Some((name.trim_end().to_string(), String::new()));
            } else if let Some((_, body)) = current.as_mut() {
                body.push_str(line);
            }
        }
        if let Some((name, body)) = current {
            sections.insert(name, body);
        }
        Self { sections }
    }

    /// The answer to `name`, empty when it printed nothing.
    pub(crate) fn text(&self, name: &str) -> &str {
        self.sections.get(name).map_or("", String::as_str)
    }

    /// The answer's first line, trimmed.
    pub(crate) fn line(&self, name: &str) -> &str {
        self.text(name).lines().next().unwrap_or("").trim()
    }

    /// An answer whose question ended by printing `@rc=$?`: its output and
    /// that exit code (1 when the line is missing).
    pub(crate) fn with_rc(&self, name: &str) -> (String, i32) {
        let text = self.text(name);
        match text.trim_end().rsplit_once("@rc=") {
            Some((body, rc)) => (body.to_string(), rc.trim().parse().unwrap_or(1)),
            None => (text.to_string(), 1),
        }
    }

    /// Whether the answer is `yes` (the usual `[ -e x ] && echo yes`).
    pub(crate) fn yes(&self, name: &str) -> bool {
        self.line(name) == "yes"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_back_by_name() {
        let answers = Answers::parse(&format!("{MARKER}a\none\ntwo\n{MARKER}b\n{MARKER}c\nyes\n"));
        assert_eq!(answers.text("a"), "one\ntwo\n");
        assert_eq!(answers.text("b"), "");
        assert!(answers.yes("c"));
        assert_eq!(answers.text("missing"), "");
    }

    proptest::proptest! {
        #[test]
        fn any_answer_text_round_trips(body in "[a-z0-9:\n ]{0,40}") {
            let answers = Answers::parse(&format!("{MARKER}x\n{body}"));
            proptest::prop_assert_eq!(answers.text("x"), body.as_str());
        }
    }
}
