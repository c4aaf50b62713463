//! The one error contract of a module run: the task fails on this host, or
//! the host cannot be reached. The executor turns each into a result once.

use crate::connection::ConnectionError;

/// Why a module could not do its work on a host.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ModuleError {
    /// The task fails on this host with this message.
    #[error("{0}")]
    Failed(String),
    /// The host could not be reached; it leaves the play as unreachable.
    /// Made only through `From<ConnectionError>`, which keeps `become`
    /// failures out of it.
    #[error(transparent)]
    Unreachable(ConnectionError),
}

impl ModuleError {
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed(message.into())
    }
}

/// A `become` failure (wrong password, no sudoers rule) fails the task but
/// leaves the host reachable, as in Ansible; every other connection error
/// makes the host unreachable.
impl From<ConnectionError> for ModuleError {
    fn from(error: ConnectionError) -> Self {
        match error {
            ConnectionError::Become(message) => Self::Failed(message),
            other => Self::Unreachable(other),
        }
    }
}

impl From<super::args::ArgError> for ModuleError {
    fn from(error: super::args::ArgError) -> Self {
        Self::Failed(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn become_failures_fail_the_task_and_others_make_the_host_unreachable() {
        let refused = ModuleError::from(ConnectionError::Become("Incorrect sudo password".into()));
        assert!(matches!(&refused, ModuleError::Failed(m) if m == "Incorrect sudo password"));
        let lost = ModuleError::from(ConnectionError::Local("gone".into()));
        assert!(matches!(
            lost,
            ModuleError::Unreachable(ConnectionError::Local(_))
        ));
    }
}
