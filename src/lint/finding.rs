//! One thing `runbook check` found: a stable code, how bad it is, where.

use serde::Serialize;

use crate::source::{Diagnostic, Span};

/// How bad a finding is: errors fail the check, warnings only with `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// What kind of problem a finding is; the names are stable (CI filters on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// What `play --syntax-check` refuses.
    Syntax,
    /// A value starting with an unquoted `{{`.
    UnquotedTemplate,
    /// The same key twice in one mapping.
    DuplicateKey,
    /// `mode: 644` / `mode: 0644` written as a number.
    OctalMode,
    /// `yes`/`no`/`on`/`off` given to an argument that takes a string.
    StringBoolean,
    /// A template that does not parse.
    TemplateSyntax,
    /// A variable no file defines.
    UndefinedVariable,
    /// `notify:` naming no handler of the play.
    NotifyWithoutHandler,
    /// A keyword Ansible removed (`include:`, `sudo:`).
    DeprecatedKeyword,
    /// `when: "{{ x }}"`: templating delimiters in a condition.
    TemplatedCondition,
    /// `--tags`/`--skip-tags` naming a tag nothing has.
    UnknownTag,
}

impl Code {
    pub const ALL: [Code; 11] = [
        Code::Syntax,
        Code::UnquotedTemplate,
        Code::DuplicateKey,
        Code::OctalMode,
        Code::StringBoolean,
        Code::TemplateSyntax,
        Code::UndefinedVariable,
        Code::NotifyWithoutHandler,
        Code::DeprecatedKeyword,
        Code::TemplatedCondition,
        Code::UnknownTag,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Syntax => "syntax",
            Self::UnquotedTemplate => "yaml-unquoted-template",
            Self::DuplicateKey => "duplicate-key",
            Self::OctalMode => "yaml-octal-mode",
            Self::StringBoolean => "yaml-string-boolean",
            Self::TemplateSyntax => "template-syntax",
            Self::UndefinedVariable => "undefined-variable",
            Self::NotifyWithoutHandler => "notify-without-handler",
            Self::DeprecatedKeyword => "deprecated-keyword",
            Self::TemplatedCondition => "templated-condition",
            Self::UnknownTag => "unknown-tag",
        }
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// One finding. `file` is the path as shown (relative to the directory
/// `check` ran in when inside it); `span` draws the line and the caret.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub span: Option<Span>,
    pub file: Option<String>,
}

impl Finding {
    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            code,
            severity,
            message: message.into(),
            help: None,
            span: None,
            file: None,
        }
    }

    pub fn error(code: Code, message: impl Into<String>, span: &Span) -> Self {
        Self::new(code, Severity::Error, message).at(span)
    }

    pub fn warning(code: Code, message: impl Into<String>, span: &Span) -> Self {
        Self::new(code, Severity::Warning, message).at(span)
    }

    pub fn at(mut self, span: &Span) -> Self {
        self.span = Some(span.clone());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// A loader diagnostic as a finding of `code`.
    pub fn from_diagnostic(code: Code, diagnostic: &Diagnostic) -> Self {
        Self {
            code,
            severity: Severity::Error,
            message: diagnostic.message.clone(),
            help: diagnostic.help.clone(),
            span: diagnostic.span.clone(),
            file: None,
        }
    }

    pub fn line(&self) -> Option<usize> {
        self.span.as_ref().map(|span| span.line)
    }

    pub fn column(&self) -> Option<usize> {
        self.span.as_ref().map(|span| span.column)
    }

    /// `file:line:col` as shown.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        Some(match &self.span {
            Some(span) => format!("{file}:{}:{}", span.line, span.column),
            None => file.clone(),
        })
    }
}

/// What a check found in the playbooks it read.
#[derive(Debug, Clone, Default)]
pub struct LintReport {
    /// The playbooks checked, as shown.
    pub playbooks: Vec<String>,
    /// How many YAML files were read (playbooks, task files, role files).
    pub files: usize,
    pub findings: Vec<Finding>,
}

impl LintReport {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    }

    /// `--strict`: every warning counts as an error.
    pub fn strict(mut self) -> Self {
        for finding in &mut self.findings {
            finding.severity = Severity::Error;
        }
        self
    }
}
