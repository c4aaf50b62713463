//! The process exit code, decided in one place from how a command ended:
//! a run that finished ([`Outcome`]) or the kind of error that stopped it.

use crate::source::{Diagnostic, ErrorKind};

/// Exit codes, the same as ansible-playbook's so CI scripts keep working.
/// Not an enum with discriminants: as in Ansible, an unreachable host and
/// a file that cannot be parsed share the code 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Ok,
    /// Something went wrong that is not a host's fault.
    Error,
    /// At least one host failed a task (and none was unreachable).
    HostFailed,
    /// `runbook check` found errors (or warnings, with `--strict`).
    Findings,
    /// At least one host could not be reached, whether or not others failed.
    HostUnreachable,
    /// A playbook, inventory or variables file could not be parsed.
    ParseError,
    /// The command line was wrong.
    BadOptions,
    /// Ctrl-C.
    Interrupted,
}

impl ExitCode {
    /// The number the process exits with.
    pub const fn code(self) -> i32 {
        match self {
            Self::Ok => 0,
            Self::Error => 1,
            Self::HostFailed | Self::Findings => 2,
            Self::HostUnreachable | Self::ParseError => 4,
            Self::BadOptions => 5,
            Self::Interrupted => 99,
        }
    }

    /// The one mapping from an error's kind to the exit code.
    pub const fn for_kind(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::Parse => Self::ParseError,
            ErrorKind::Options => Self::BadOptions,
            ErrorKind::Connection => Self::HostUnreachable,
            ErrorKind::Runtime => Self::Error,
            ErrorKind::Interrupted => Self::Interrupted,
        }
    }

    /// How a command ended: what it did, or the error that stopped it.
    pub fn of(result: &Result<Outcome, Failure>) -> Self {
        match result {
            Ok(Outcome::Success) => Self::Ok,
            Ok(Outcome::HostFailed) => Self::HostFailed,
            Ok(Outcome::Findings) => Self::Findings,
            Ok(Outcome::HostUnreachable) => Self::for_kind(ErrorKind::Connection),
            Err(failure) => Self::for_kind(failure.kind()),
        }
    }
}

/// How a command that ran to its end went. Hosts that failed or could not
/// be reached were already reported host by host; nothing is left to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    HostFailed,
    HostUnreachable,
    /// `runbook check` found what fails the check.
    Findings,
}

impl Outcome {
    pub fn of_run(summary: &crate::executor::RunSummary) -> Self {
        // ansible-playbook's order: unreachable hosts win over failed ones.
        if summary.any_unreachable() {
            Self::HostUnreachable
        } else if summary.any_failed() {
            Self::HostFailed
        } else {
            Self::Success
        }
    }
}

/// Why a command stopped: one error, or every error of the files it read
/// (a playbook reports all its mistakes at once).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    diagnostics: Vec<Diagnostic>,
}

impl Failure {
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The kind of the first error decides the exit code.
    pub fn kind(&self) -> ErrorKind {
        self.diagnostics
            .first()
            .map_or(ErrorKind::Runtime, |diagnostic| diagnostic.kind)
    }
}

impl From<Diagnostic> for Failure {
    fn from(diagnostic: Diagnostic) -> Self {
        Self {
            diagnostics: vec![diagnostic],
        }
    }
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Self { diagnostics }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_kind_has_its_exit_code() {
        let code = |kind| ExitCode::of(&Err(Diagnostic::new("x").with_kind(kind).into())).code();
        assert_eq!(code(ErrorKind::Runtime), 1);
        assert_eq!(code(ErrorKind::Connection), 4);
        assert_eq!(code(ErrorKind::Parse), 4);
        assert_eq!(code(ErrorKind::Options), 5);
        assert_eq!(code(ErrorKind::Interrupted), 99);
        assert_eq!(ExitCode::of(&Ok(Outcome::Success)).code(), 0);
        assert_eq!(ExitCode::of(&Ok(Outcome::HostFailed)).code(), 2);
        assert_eq!(
            ExitCode::of(&Ok(Outcome::HostUnreachable)),
            ExitCode::for_kind(ErrorKind::Connection)
        );
    }
}
