//! Results as people read them: JSON for the small fields, and stdout and
//! stderr as plain text blocks rather than escaped strings.

use serde_json::{Map, Value as Json};

use crate::executor::HostResult;
use crate::value::Value;

/// Keys shown as text blocks, not inside the JSON.
/// What `compact` leaves out: the text blocks shown after it, the diff
/// (shown above it), and the `failed`/`skipped` flags, which ansible-core
/// 2.19 never hands its callbacks (the status word says them).
const NOT_COMPACTED: &[&str] = &[
    "diff",
    "invocation",
    "stdout",
    "stderr",
    "stdout_lines",
    "stderr_lines",
    "failed",
    "skipped",
];

pub(super) fn to_json(value: &Value) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
}

/// The result's fields without internal ones (`_ansible_*`) and without `skip`.
pub(super) fn visible_fields(result: &Value, skip: &[&str]) -> Map<String, Json> {
    match to_json(result) {
        Json::Object(map) => map
            .into_iter()
            .filter(|(k, _)| !k.starts_with("_ansible") && !skip.contains(&k.as_str()))
            .collect(),
        _ => Map::new(),
    }
}

/// One-line JSON of the result without its stdout/stderr, written as
/// Ansible writes it (Python's `json.dumps`: `", "` and `": "` separators).
pub(super) fn compact(result: &Value) -> String {
    compact_map(visible_fields(result, NOT_COMPACTED))
}

/// `fields` as one line of JSON with Python's separators.
pub(super) fn compact_map(fields: Map<String, Json>) -> String {
    let mut buffer = Vec::new();
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut buffer, PythonFormatter { separator: b", " });
    let _ = serde::Serialize::serialize(&Json::Object(fields), &mut serializer);
    String::from_utf8(buffer).unwrap_or_default()
}

/// What Ansible's default callback keeps of a `debug` result
/// (`_clean_results`): `msg` alone, or the variable shown without the status
/// and loop keys.
pub(super) fn debug_fields(result: &Value) -> Map<String, Json> {
    let mut fields = visible_fields(result, NOT_DUMPED);
    if fields.contains_key("msg") {
        fields.retain(|key, _| key == "msg");
    } else {
        for key in [
            "changed",
            "skip_reason",
            "ansible_loop_var",
            "ansible_index_var",
            "ansible_loop",
        ] {
            fields.remove(key);
        }
    }
    fields
}

/// Keys Ansible's callbacks leave out when they dump a whole result
/// (`_dump_results` below -vvv, and the `failed`/`skipped` flags
/// ansible-core 2.19 never shows).
pub(super) const NOT_DUMPED: &[&str] = &[
    "failed",
    "skipped",
    "invocation",
    "diff",
    "exception",
    "warnings",
    "deprecations",
];

/// How Ansible's `_dump_results` lays a result out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dump {
    /// `json.dumps(sort_keys=True)`: one line, `", "` between items (the tree callback).
    OneLine,
    /// `indent=0` with the newlines taken out: `","` between items (the oneline callback).
    Joined,
    /// `indent=4` with the newlines taken out: what the oneline callback
    /// makes of results that ask to be shown in full (`debug`'s).
    JoinedIndented,
}

/// A whole result as Ansible's callbacks dump it, keys sorted.
pub(super) fn dumped(result: &Value, dump: Dump) -> String {
    let fields = Json::Object(visible_fields(result, NOT_DUMPED));
    let separator: &[u8] = match dump {
        Dump::OneLine => b", ",
        Dump::Joined => b",",
        Dump::JoinedIndented => return pretty_dump(result).replace('\n', ""),
    };
    let mut buffer = Vec::new();
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut buffer, PythonFormatter { separator });
    let _ = serde::Serialize::serialize(&fields, &mut serializer);
    String::from_utf8(buffer).unwrap_or_default()
}

/// Whether a result asks to be shown in full, indented
/// (`_ansible_verbose_always`, which Ansible's `debug` and `assert` set).
pub(super) fn shown_in_full(result: &HostResult) -> bool {
    result.shown_in_full
}

pub(super) fn is_debug(module: &str) -> bool {
    matches!(
        module,
        "debug" | "ansible.builtin.debug" | "ansible.legacy.debug"
    )
}

/// A whole result as Ansible dumps one that asks to be shown in full
/// (`debug`'s): 4-space indents.
pub(super) fn pretty_dump(result: &Value) -> String {
    pretty_map(&Json::Object(visible_fields(result, NOT_DUMPED)))
}

/// JSON on one line with Python's separators (`", "` unless told otherwise).
struct PythonFormatter {
    separator: &'static [u8],
}

impl PythonFormatter {
    fn separator<W: ?Sized + std::io::Write>(
        &self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(self.separator)
        }
    }
}

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.separator(writer, first)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.separator(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

/// Lines of a `STDOUT:`/`STDERR:` block shown whole below `-v`; longer
/// ones keep their first and last lines around a note.
const BLOCK_LINES: usize = 40;
const BLOCK_HEAD: usize = 10;
const BLOCK_TAIL: usize = 20;

/// `STDOUT:` and `STDERR:` blocks for whichever of them has text; below
/// `-v` a long one is cut to its first and last lines (`-v` shows all; the
/// result `register` keeps is whole either way).
pub(super) fn text_blocks(result: &Value, verbosity: u8) -> String {
    let mut out = String::new();
    for (key, title) in [("stdout", "STDOUT"), ("stderr", "STDERR")] {
        let text = result
            .get_attr(key)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if !text.trim().is_empty() {
            let text = text.trim_end_matches('\n');
            let shown = if verbosity == 0 {
                cut_long(text)
            } else {
                text.to_string()
            };
            out.push_str(&format!("\n{title}:\n\n{shown}\n"));
        }
    }
    out
}

fn cut_long(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= BLOCK_LINES {
        return text.to_string();
    }
    let left_out = lines.len() - BLOCK_HEAD - BLOCK_TAIL;
    format!(
        "{}\n… {left_out} more lines (-v)\n{}",
        lines[..BLOCK_HEAD].join("\n"),
        lines[lines.len() - BLOCK_TAIL..].join("\n")
    )
}

/// Ansible's 4-space-indented JSON, used for `debug` output.
pub(super) fn pretty(fields: Map<String, Json>) -> String {
    pretty_map(&Json::Object(fields))
}

fn pretty_map(json: &Json) -> String {
    let mut buffer = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffer, formatter);
    let _ = serde::Serialize::serialize(json, &mut serializer);
    String::from_utf8(buffer).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_output_keeps_its_first_and_last_lines_below_dash_v() {
        let stdout: Vec<String> = (1..=100).map(|n| format!("line {n}")).collect();
        let result = Value::from(minijinja::value::Serde(
            serde_json::json!({"stdout": stdout.join("\n")}),
        ));
        let expected = format!(
            "\nSTDOUT:\n\n{}\n… 70 more lines (-v)\n{}\n",
            stdout[..10].join("\n"),
            stdout[80..].join("\n")
        );
        assert_eq!(text_blocks(&result, 0), expected);
        assert_eq!(
            text_blocks(&result, 1),
            format!("\nSTDOUT:\n\n{}\n", stdout.join("\n"))
        );
    }

    #[test]
    fn compact_json_reads_like_ansibles() {
        let result = Value::from(minijinja::value::Serde(
            serde_json::json!({"rc": 3, "msg": "x", "cmd": ["a", "b"], "stdout": "hidden", "failed": true}),
        ));
        assert_eq!(
            compact(&result),
            r#"{"cmd": ["a", "b"], "msg": "x", "rc": 3}"#
        );
    }

    #[test]
    fn dumps_read_like_ansibles_callbacks() {
        let result = Value::from(minijinja::value::Serde(serde_json::json!({
            "rc": 3, "failed": true, "cmd": ["a", "b"], "stdout": "o\nk",
            "invocation": {}, "_ansible_no_log": false, "empty": {}
        })));
        assert_eq!(
            dumped(&result, Dump::OneLine),
            r#"{"cmd": ["a", "b"], "empty": {}, "rc": 3, "stdout": "o\nk"}"#
        );
        assert_eq!(
            dumped(&result, Dump::Joined),
            r#"{"cmd": ["a","b"],"empty": {},"rc": 3,"stdout": "o\nk"}"#
        );
        assert_eq!(
            dumped(&result, Dump::JoinedIndented),
            r#"{    "cmd": [        "a",        "b"    ],    "empty": {},    "rc": 3,    "stdout": "o\nk"}"#
        );
    }
}
