use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file read by runbook, kept whole so errors can quote its lines.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            path: path.into(),
            text: text.into(),
        })
    }

    pub fn read(path: &Path) -> std::io::Result<Arc<Self>> {
        let text = std::fs::read_to_string(path)?;
        Ok(Self::new(path, text))
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line(&self, line: usize) -> Option<&str> {
        self.text.lines().nth(line.checked_sub(1)?)
    }
}
