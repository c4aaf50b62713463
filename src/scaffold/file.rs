//! One file of a new repository: where it goes, what it holds, its mode.

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaffoldFile {
    /// Relative to the repository's top.
    pub path: PathBuf,
    pub content: String,
    pub mode: u32,
}

impl ScaffoldFile {
    /// A file anyone may read (`0644`).
    pub fn new(path: impl Into<PathBuf>, content: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            content: content.into(),
            mode: 0o644,
        }
    }

    /// A file only its owner may read (`0600`), as ansible-vault writes vaults.
    pub fn private(path: impl Into<PathBuf>, content: impl Into<String>) -> Self {
        Self {
            mode: 0o600,
            ..Self::new(path, content)
        }
    }

    /// An empty file that keeps an otherwise empty folder in Git.
    pub fn keep(dir: &str) -> Self {
        Self::new(format!("{dir}/.gitkeep"), "")
    }
}
