//! What `runbook check` found, as people read it (the load-time error
//! layout: `--> file:line:col`, the line, a caret), as GitHub workflow
//! annotations, or as one JSON document.

use std::fmt::Write;

use serde_json::json;

use super::style;
use crate::lint::{Finding, LintReport, Severity};

/// `runbook check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingsFormat {
    Human,
    Github,
    Json,
}

pub(super) fn render(report: &LintReport, format: FindingsFormat) -> String {
    match format {
        FindingsFormat::Human => human(report),
        FindingsFormat::Github => github(report),
        FindingsFormat::Json => json(report),
    }
}

fn human(report: &LintReport) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let severity = match finding.severity {
            Severity::Error => style::error().apply_to("error"),
            Severity::Warning => style::warning().apply_to("warning"),
        };
        let _ = write!(
            out,
            "{severity}[{}]: {}",
            finding.code.name(),
            finding.message
        );
        if let Some(location) = finding.location() {
            let _ = write!(out, "\n  --> {location}");
        }
        if let Some(span) = &finding.span {
            let snippet = span.snippet();
            if !snippet.is_empty() {
                let _ = write!(out, "\n{snippet}");
            }
        }
        if let Some(help) = &finding.help {
            let _ = write!(out, "\n  = help: {help}");
        }
        out.push_str("\n\n");
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

/// `checked 2 playbooks (5 files): 1 error, 2 warnings`.
fn summary(report: &LintReport) -> String {
    let playbooks = plural(report.playbooks.len(), "playbook");
    let files = plural(report.files, "file");
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let found = if errors + warnings == 0 {
        "no findings".to_string()
    } else {
        format!(
            "{}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    };
    format!("checked {playbooks} ({files}): {found}")
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// One `::error file=…,line=…,col=…,title=…::message` line per finding.
fn github(report: &LintReport) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = Vec::new();
        if let Some(file) = &finding.file {
            properties.push(format!("file={}", escape_property(file)));
        }
        if let (Some(line), Some(column)) = (finding.line(), finding.column()) {
            properties.push(format!("line={line}"));
            properties.push(format!("col={column}"));
        }
        properties.push(format!("title={}", escape_property(finding.code.name())));
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        );
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

/// GitHub's escaping of an annotation's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of an annotation's properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn json(report: &LintReport) -> String {
    let findings: Vec<serde_json::Value> = report.findings.iter().map(finding_json).collect();
    let document = json!({
        "format": 1,
        "playbooks": report.playbooks,
        "files": report.files,
        "errors": report.count(Severity::Error),
        "warnings": report.count(Severity::Warning),
        "findings": findings,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|e| {
        json!({"error": format!("cannot write the findings as JSON: {e}")}).to_string()
    });
    text.push('\n');
    text
}

fn finding_json(finding: &Finding) -> serde_json::Value {
    json!({
        "severity": finding.severity,
        "code": finding.code,
        "file": finding.file,
        "line": finding.line(),
        "col": finding.column(),
        "message": finding.message,
        "help": finding.help,
    })
}
