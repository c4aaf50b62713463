//! `stdout_lines`/`stderr_lines` without a string per line: one shared copy
//! of the text and where each line starts (4 bytes a line), the line itself
//! made only when a template asks for it. Output of millions of short lines
//! would otherwise cost the controller tens of bytes per line.

use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr, Value};

/// Lines as Rust's `str::lines` splits them (`\n`, with a `\r` before it
/// dropped), which is Ansible's `splitlines()` for output of `\n` lines.
#[derive(Debug)]
struct OutputLines {
    text: Arc<str>,
    starts: Vec<u32>,
}

impl OutputLines {
    fn line(&self, index: usize) -> Option<&str> {
        let start = *self.starts.get(index)? as usize;
        let (end, ended_by_newline) = match self.starts.get(index + 1) {
            Some(next) => (*next as usize - 1, true),
            None => match self.text.strip_suffix('\n') {
                Some(before) => (before.len(), true),
                None => (self.text.len(), false),
            },
        };
        let line = self.text.get(start..end)?;
        if ended_by_newline {
            return Some(line.strip_suffix('\r').unwrap_or(line));
        }
        Some(line)
    }
}

impl Object for OutputLines {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = usize::try_from(key.as_i64()?).ok()?;
        self.line(index).map(Value::from)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.starts.len())
    }
}

/// The lines of `text` as a sequence value.
pub(crate) fn lines_of(text: &Arc<str>) -> Value {
    if u32::try_from(text.len()).is_err() {
        return text.lines().map(Value::from).collect();
    }
    let mut starts = Vec::new();
    if !text.is_empty() {
        starts.push(0);
    }
    for newline in memchr::memchr_iter(b'\n', text.as_bytes()) {
        if newline + 1 < text.len() {
            // Fits: the whole text is shorter than u32::MAX.
            starts.push((newline + 1) as u32);
        }
    }
    Value::from_object(OutputLines {
        text: Arc::clone(text),
        starts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eager(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    fn lazy(text: &str) -> Vec<String> {
        let value = lines_of(&Arc::from(text));
        value
            .try_iter()
            .expect("a sequence")
            .map(|line| line.as_str().expect("a string").to_string())
            .collect()
    }

    #[test]
    fn splits_like_str_lines() {
        for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n", "x\r"] {
            assert_eq!(lazy(text), eager(text), "{text:?}");
        }
    }

    #[test]
    fn indexes_and_counts_in_templates() {
        let env = minijinja::Environment::new();
        let rendered = env
            .render_str(
                "{{ l | length }} {{ l[0] }} {{ l[-1] }} {{ l | join(',') }} {{ l == ['a', 'b'] }}",
                minijinja::context! { l => lines_of(&Arc::from("a\nb\n")) },
            )
            .expect("renders");
        assert_eq!(rendered, "2 a b a,b True");
    }

    proptest! {
        #[test]
        fn any_text_splits_like_str_lines(text in "[ab\r\n]{0,40}") {
            prop_assert_eq!(lazy(&text), eager(&text));
        }
    }
}
