//! Results as people read them: JSON for the small fields, and stdout and
//! stderr as plain text blocks rather than escaped strings.

use serde_json::{Map, Value as Json};

use crate::value::Value;

/// Keys shown as text blocks, not inside the JSON.
const TEXT_KEYS: &[&str] = &["stdout", "stderr", "stdout_lines", "stderr_lines"];

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
    let mut buffer = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffer, PythonFormatter);
    let _ = serde::Serialize::serialize(
        &Json::Object(visible_fields(result, TEXT_KEYS)),
        &mut serializer,
    );
    String::from_utf8(buffer).unwrap_or_default()
}

/// JSON on one line with Python's default separators.
struct PythonFormatter;

fn separator<W: ?Sized + std::io::Write>(writer: &mut W, first: bool) -> std::io::Result<()> {
    if first {
        Ok(())
    } else {
        writer.write_all(b", ")
    }
}

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separator(writer, first)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separator(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

/// `STDOUT:` and `STDERR:` blocks for whichever of them has text.
pub(super) fn text_blocks(result: &Value) -> String {
    let mut out = String::new();
    for (key, title) in [("stdout", "STDOUT"), ("stderr", "STDERR")] {
        let text = result
            .get_attr(key)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if !text.trim().is_empty() {
            out.push_str(&format!("\n{title}:\n\n{}\n", text.trim_end_matches('\n')));
        }
    }
    out
}

/// Ansible's 4-space-indented JSON, used for `debug` output.
pub(super) fn pretty(fields: Map<String, Json>) -> String {
    let mut buffer = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffer, formatter);
    let _ = serde::Serialize::serialize(&Json::Object(fields), &mut serializer);
    String::from_utf8(buffer).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_json_reads_like_ansibles() {
        let result = Value::from(minijinja::value::Serde(
            serde_json::json!({"rc": 3, "msg": "x", "cmd": ["a", "b"], "stdout": "hidden"}),
        ));
        assert_eq!(
            compact(&result),
            r#"{"cmd": ["a", "b"], "msg": "x", "rc": 3}"#
        );
    }
}
