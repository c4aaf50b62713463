//! The edits behind `lineinfile`, `blockinfile` and `replace`, as pure
//! functions from a file's bytes and the task's arguments to new bytes and
//! Ansible's message. Kept apart from the modules so every quirk of
//! Ansible's algorithms can be tested (and property-tested) without a host.

mod blocks;
mod lines;
mod pyre;
mod replace;
mod template;

pub(crate) use blocks::{BlockAnchor, BlockEdit, edit_block};
pub(crate) use lines::{Anchor, Finder, LineRemoval, LineWant, remove_lines, set_line};
pub(crate) use pyre::{PyRegex, PyTextRegex};
pub(crate) use replace::{ReplaceWant, replace_all};
pub(crate) use template::Template;

/// A file's content after an edit, and what Ansible says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edited {
    pub content: Vec<u8>,
    pub changed: bool,
    /// Ansible's `msg` (`"line added"`, `"Block inserted"`, `""`...).
    pub msg: String,
}

/// Python's `bytes.readlines()`: split after every `\n`, keeping it; a
/// last line without one is kept as it is.
pub(crate) fn read_lines(content: &[u8]) -> Vec<Vec<u8>> {
    content
        .split_inclusive(|byte| *byte == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// `line.rstrip(b'\r\n')`.
pub(crate) fn strip_eol(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|byte| *byte != b'\r' && *byte != b'\n')
        .map_or(0, |at| at + 1);
    &line[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_endings() {
        assert_eq!(
            read_lines(b"a\r\nb\nc"),
            vec![b"a\r\n".to_vec(), b"b\n".to_vec(), b"c".to_vec()]
        );
        assert!(read_lines(b"").is_empty());
        assert_eq!(strip_eol(b"x\r\n\r"), b"x");
        assert_eq!(strip_eol(b"\n"), b"");
    }
}
