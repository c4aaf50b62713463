//! What can go wrong with a lab, split by what the user has to do about it.

/// Why a lab operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// Something this machine lacks (root, sshd, unshare...); the message says
    /// what to run or change.
    #[error("{0}")]
    Missing(String),
    /// The operation ran and failed; the message carries what was observed
    /// (e.g. the tail of an sshd log).
    #[error("{0}")]
    Failed(String),
}

impl LabError {
    pub(crate) fn io(context: impl std::fmt::Display, error: std::io::Error) -> Self {
        LabError::Failed(format!("{context}: {error}"))
    }
}
