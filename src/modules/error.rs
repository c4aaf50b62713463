/// Why a module could not do its work on a host.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ModuleError {
    /// The task fails on this host with this message.
    #[error("{0}")]
    Failed(String),
    /// The host could not be reached; it leaves the play as unreachable.
    #[error(transparent)]
    Unreachable(#[from] crate::connection::ConnectionError),
}

impl ModuleError {
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed(message.into())
    }
}

impl From<super::args::ArgError> for ModuleError {
    fn from(error: super::args::ArgError) -> Self {
        Self::Failed(error.to_string())
    }
}
