use std::fmt;

use super::Span;

/// A user-facing error: what went wrong, where, and what to do about it.
/// Every layer's error converts into this one shape so there is one way of
/// showing `file:line:col`, the line itself, and a hint.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub message: String,
    pub span: Option<Span>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            span: None,
            help: None,
        }
    }

    pub fn at(message: impl Into<String>, span: &Span) -> Self {
        Self::new(message).with_span(span)
    }

    pub fn with_span(mut self, span: &Span) -> Self {
        self.span = Some(span.clone());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
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
