use std::fmt;
use std::sync::Arc;

use super::SourceFile;

/// A position in a source file: 1-based line and column (in characters) and
/// the length of the thing it points at.
#[derive(Clone)]
pub struct Span {
    pub file: Arc<SourceFile>,
    pub line: usize,
    pub column: usize,
    pub len: usize,
}

impl Span {
    pub fn new(file: Arc<SourceFile>, line: usize, column: usize, len: usize) -> Self {
        Self {
            file,
            line,
            column,
            len,
        }
    }

    /// A span for a whole file when no finer position is known.
    pub fn file_start(file: Arc<SourceFile>) -> Self {
        Self::new(file, 1, 1, 0)
    }

    /// `path:line:col`, as editors and terminals link it.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.file.path.display(), self.line, self.column)
    }

    /// The source line with a `^^^` marker under the span.
    pub fn snippet(&self) -> String {
        let Some(text) = self.file.line(self.line) else {
            return String::new();
        };
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        let indent: String = text
            .chars()
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let marks = "^".repeat(self.len.max(1));
        format!("{gutter} |\n{number} | {text}\n{gutter} | {indent}{marks}")
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.location())
    }
}

impl PartialEq for Span {
    fn eq(&self, other: &Self) -> bool {
        self.file.path == other.file.path && self.line == other.line && self.column == other.column
    }
}
