/// Exit codes, the same as ansible-playbook's so CI scripts keep working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ExitCode {
    Ok = 0,
    /// Something went wrong that is not a host's fault.
    Error = 1,
    /// At least one host failed a task.
    HostFailed = 2,
    /// At least one host could not be reached (and none failed).
    HostUnreachable = 3,
    /// A playbook, inventory or variables file could not be parsed.
    ParseError = 4,
    /// The command line was wrong.
    BadOptions = 5,
    /// Ctrl-C.
    Interrupted = 99,
}

impl ExitCode {
    pub fn from_summary(summary: &crate::executor::RunSummary) -> Self {
        if summary.any_failed() {
            Self::HostFailed
        } else if summary.any_unreachable() {
            Self::HostUnreachable
        } else {
            Self::Ok
        }
    }
}
