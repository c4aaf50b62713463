//! The one user-facing error shape: what went wrong, where, what to do about
//! it, and which kind of error it is (the kind decides the exit code).

use std::fmt;

use super::Span;

/// The classes of error the exit code tells apart (see `cli::ExitCode::for_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A playbook, inventory or variables file runbook cannot read.
    Parse,
    /// The command line (or a setting) is wrong.
    Options,
    /// A host's connection settings are unusable.
    Connection,
    /// The run itself failed, not one host: `hosts:` cannot be templated, a
    /// `vars_files` entry is missing, the executor could not start.
    Runtime,
    /// The user stopped the run.
    Interrupted,
}

/// A user-facing error: what went wrong, where, and what to do about it.
/// Every layer's error converts into this one shape so there is one way of
/// showing `file:line:col`, the line itself, and a hint.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub message: String,
    pub span: Option<Span>,
    pub help: Option<String>,
    pub kind: ErrorKind,
}

impl Diagnostic {
    /// A parse error — most diagnostics point into a file runbook read, so
    /// this is the short form; the other kinds have their own constructors.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            span: None,
            help: None,
            kind: ErrorKind::Parse,
        }
    }

    /// A parse error at `span`.
    pub fn at(message: impl Into<String>, span: &Span) -> Self {
        Self::new(message).with_span(span)
    }

    pub fn options(message: impl Into<String>) -> Self {
        Self::new(message).with_kind(ErrorKind::Options)
    }

    pub fn connection(message: impl Into<String>) -> Self {
        Self::new(message).with_kind(ErrorKind::Connection)
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        Self::new(message).with_kind(ErrorKind::Runtime)
    }

    /// The same error, classified as `kind` (an invalid host pattern is an
    /// option error on the command line and a runtime error in a play).
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    pub fn with_span(mut self, span: &Span) -> Self {
        self.span = Some(span.clone());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `help` unless a hint is already there.
    pub fn with_help_if_none(self, help: impl Into<String>) -> Self {
        if self.help.is_some() {
            self
        } else {
            self.with_help(help)
        }
    }

    /// "did you mean `x`?" when a close known name exists.
    pub fn suggesting<'a>(self, unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Self {
        match super::suggest(unknown, known) {
            Some(name) => self.with_help(format!("did you mean `{name}`?")),
            None => self,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(span) = &self.span {
            write!(f, "\n  --> {}", span.location())?;
            let snippet = span.snippet();
            if !snippet.is_empty() {
                write!(f, "\n{snippet}")?;
            }
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}
