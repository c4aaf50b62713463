//! `blockinfile`'s edit as Ansible's module does it: find both markers
//! (lines split on `\n`, `\r\n` or `\r`, as Python's `splitlines`), drop
//! the old block, put the new one where the old one was, or at the anchor.

use super::{Edited, PyRegex};

/// Where a new block goes when the file has no markers yet.
#[derive(Debug, Clone)]
pub(crate) enum BlockAnchor {
    Bof,
    Eof,
    After(PyRegex),
    Before(PyRegex),
}

/// `blockinfile`'s arguments, read.
#[derive(Debug, Clone)]
pub(crate) struct BlockEdit {
    /// The opening and closing marker lines, without a line ending.
    pub marker_begin: Vec<u8>,
    pub marker_end: Vec<u8>,
    /// The block's text; empty (or `state: absent`) removes the block.
    pub block: Vec<u8>,
    pub present: bool,
    pub anchor: BlockAnchor,
    pub append_newline: bool,
    pub prepend_newline: bool,
}

/// Insert, replace or remove the block in `original` (`None`: no file yet).
pub(crate) fn edit_block(original: Option<&[u8]>, want: &BlockEdit) -> Edited {
    let mut lines = original.map(split_lines).unwrap_or_default();
    let begin = with_newline(&want.marker_begin);
    let end = with_newline(&want.marker_end);
    let block_lines = block_lines(want, &begin, &end);
    let start = lines.iter().rposition(|line| *line == begin);
    let stop = lines.iter().rposition(|line| *line == end);
    let mut at = match (start, stop) {
        (Some(start), Some(stop)) => {
            let (low, high) = (start.min(stop), start.max(stop));
            lines.drain(low..=high);
            low
        }
        _ => anchor_position(original.unwrap_or_default(), &lines, &want.anchor),
    };
    if at > 0 && !lines[at - 1].ends_with(b"\n") {
        lines[at - 1].push(b'\n');
    }
    if want.prepend_newline && want.present && at != 0 && lines[at - 1] != b"\n" {
        lines.insert(at, b"\n".to_vec());
        at += 1;
    }
    let after_block = at + block_lines.len();
    let inserted = !block_lines.is_empty();
    lines.splice(at..at, block_lines);
    if want.append_newline
        && want.present
        && after_block < lines.len()
        && lines[after_block] != b"\n"
    {
        lines.insert(after_block, b"\n".to_vec());
    }
    let content = lines.concat();
    let msg = match original {
        Some(original) if original == content.as_slice() => "",
        None => "File created",
        Some(_) if !inserted => "Block removed",
        Some(_) => "Block inserted",
    };
    Edited {
        content,
        changed: !msg.is_empty(),
        msg: msg.to_string(),
    }
}

fn block_lines(want: &BlockEdit, begin: &[u8], end: &[u8]) -> Vec<Vec<u8>> {
    if !want.present || want.block.is_empty() {
        return Vec::new();
    }
    let mut block = want.block.clone();
    if !block.ends_with(b"\n") {
        block.push(b'\n');
    }
    let mut lines = vec![begin.to_vec()];
    lines.extend(split_lines(&block));
    lines.push(end.to_vec());
    lines
}

/// The line index a new block goes to.
fn anchor_position(original: &[u8], lines: &[Vec<u8>], anchor: &BlockAnchor) -> usize {
    let (regex, after) = match anchor {
        BlockAnchor::Bof => return 0,
        BlockAnchor::Eof => return lines.len(),
        BlockAnchor::After(regex) => (regex, true),
        BlockAnchor::Before(regex) => (regex, false),
    };
    let found = if regex.is_multiline() {
        regex.find(original).map(|range| {
            let until = if after { range.end } else { range.start };
            original[..until].iter().filter(|b| **b == b'\n').count()
        })
    } else {
        lines.iter().rposition(|line| regex.is_match(line))
    };
    match found {
        None => lines.len(),
        Some(at) if after => at + 1,
        Some(at) => at,
    }
}

/// Python's `bytes.splitlines(keepends=True)`.
fn split_lines(content: &[u8]) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < content.len() {
        let end = match content[at] {
            b'\r' if content.get(at + 1) == Some(&b'\n') => at + 2,
            b'\r' | b'\n' => at + 1,
            _ => {
                at += 1;
                continue;
            }
        };
        lines.push(content[start..end].to_vec());
        start = end;
        at = end;
    }
    if start < content.len() {
        lines.push(content[start..].to_vec());
    }
    lines
}

fn with_newline(text: &[u8]) -> Vec<u8> {
    let mut out = text.to_vec();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want(block: &str) -> BlockEdit {
        BlockEdit {
            marker_begin: b"# BEGIN".to_vec(),
            marker_end: b"# END".to_vec(),
            block: block.as_bytes().to_vec(),
            present: true,
            anchor: BlockAnchor::Eof,
            append_newline: false,
            prepend_newline: false,
        }
    }

    fn run(original: Option<&str>, want: &BlockEdit) -> (String, String) {
        let edit = edit_block(original.map(str::as_bytes), want);
        (String::from_utf8(edit.content).expect("utf8"), edit.msg)
    }

    #[test]
    fn inserts_then_replaces_then_removes() {
        let (first, msg) = run(Some("a"), &want("x\ny"));
        assert_eq!(
            (first.as_str(), msg.as_str()),
            ("a\n# BEGIN\nx\ny\n# END\n", "Block inserted")
        );
        assert_eq!(run(Some(&first), &want("x\ny")).1, "");
        let (second, _) = run(Some(&format!("{first}tail\n")), &want("z"));
        assert_eq!(second, "a\n# BEGIN\nz\n# END\ntail\n");
        let mut absent = want("z");
        absent.present = false;
        assert_eq!(
            run(Some(&second), &absent),
            ("a\ntail\n".into(), "Block removed".into())
        );
    }

    #[test]
    fn a_new_file_is_created() {
        assert_eq!(
            run(None, &want("x")),
            ("# BEGIN\nx\n# END\n".into(), "File created".into())
        );
    }

    #[test]
    fn anchors_use_the_last_matching_line() {
        let mut after = want("x");
        after.anchor = BlockAnchor::After(PyRegex::for_lines("^k").expect("re"));
        assert_eq!(
            run(Some("k1\nk2\nz\n"), &after).0,
            "k1\nk2\n# BEGIN\nx\n# END\nz\n"
        );
        let mut before = want("x");
        before.anchor = BlockAnchor::Before(PyRegex::for_lines("^k").expect("re"));
        assert_eq!(
            run(Some("k1\nk2\n"), &before).0,
            "k1\n# BEGIN\nx\n# END\nk2\n"
        );
        before.anchor = BlockAnchor::Bof;
        assert_eq!(run(Some("k1\n"), &before).0, "# BEGIN\nx\n# END\nk1\n");
    }

    #[test]
    fn blank_lines_around_the_block_on_request() {
        let mut spaced = want("x");
        spaced.prepend_newline = true;
        spaced.append_newline = true;
        spaced.anchor = BlockAnchor::After(PyRegex::for_lines("^a").expect("re"));
        assert_eq!(
            run(Some("a\nb\n"), &spaced).0,
            "a\n\n# BEGIN\nx\n# END\n\nb\n"
        );
    }

    #[test]
    fn python_splitlines_breaks_on_cr_too() {
        assert_eq!(
            split_lines(b"a\rb\r\nc\nd"),
            vec![
                b"a\r".to_vec(),
                b"b\r\n".to_vec(),
                b"c\n".to_vec(),
                b"d".to_vec()
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn editing_a_block_is_idempotent(
            content in "([a-c#]{0,3}(\n|\r\n)?){0,6}",
            block in "([a-c]{1,3}\n?){1,3}",
            anchor in 0..4usize,
            present: bool,
            spacing in 0..4u8,
        ) {
            let mut want = want(&block);
            want.present = present;
            want.prepend_newline = spacing & 1 != 0;
            want.append_newline = spacing & 2 != 0;
            want.anchor = match anchor {
                0 => BlockAnchor::Eof,
                1 => BlockAnchor::Bof,
                2 => BlockAnchor::After(PyRegex::for_lines("^a").expect("re")),
                _ => BlockAnchor::Before(PyRegex::for_lines("b").expect("re")),
            };
            let once = edit_block(Some(content.as_bytes()), &want);
            let twice = edit_block(Some(&once.content), &want);
            proptest::prop_assert_eq!(twice.content, once.content);
        }
    }
}
