//! `--diff`: a unified diff for each before/after a module reported.

use similar::TextDiff;

use crate::value::Value;

/// The unified diffs of a result's `diff` key (one map or a list of them).
pub(super) fn render_diffs(result: &Value) -> String {
    let Ok(diff) = result.get_attr("diff") else {
        return String::new();
    };
    let entries: Vec<Value> = match diff.kind() {
        minijinja::value::ValueKind::Seq => {
            diff.try_iter().map(Iterator::collect).unwrap_or_default()
        }
        minijinja::value::ValueKind::Map => vec![diff],
        _ => Vec::new(),
    };
    entries.iter().map(render_one).collect()
}

fn text(entry: &Value, key: &str) -> String {
    entry
        .get_attr(key)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One side of a diff: text as is, data (`debconf`'s answers) as Ansible
/// shows it, sorted JSON indented by 4.
fn side(entry: &Value, key: &str) -> String {
    let Ok(value) = entry.get_attr(key) else {
        return String::new();
    };
    if let Some(text) = value.as_str() {
        return text.to_string();
    }
    if value.is_undefined() || value.is_none() {
        return String::new();
    }
    let json = serde_json::to_value(&value).unwrap_or_default();
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    let _ = serde::Serialize::serialize(&sorted(json), &mut serializer);
    format!("{}\n", String::from_utf8_lossy(&out))
}

fn sorted(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let ordered: std::collections::BTreeMap<String, serde_json::Value> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            serde_json::Value::Object(ordered.into_iter().collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted).collect())
        }
        other => other,
    }
}

fn render_one(entry: &Value) -> String {
    // apt's plan (`The following NEW packages will be installed...`), shown as is.
    let prepared = text(entry, "prepared");
    if !prepared.is_empty() {
        return format!("{}\n", prepared.trim_end_matches('\n'));
    }
    let (before, after) = (side(entry, "before"), side(entry, "after"));
    let header = |side: &str| match text(entry, &format!("{side}_header")) {
        named if named.is_empty() => side.to_string(),
        named => format!("{side}: {named}"),
    };
    let (before_header, after_header) = (header("before"), header("after"));
    let diff = TextDiff::from_lines(&before, &after);
    let mut unified = diff.unified_diff();
    unified
        .context_radius(3)
        .header(&before_header, &after_header);
    let mut out = unified.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modules::Diff;

    #[test]
    fn shows_a_unified_diff_with_headers() {
        let result = crate::value::map_from_pairs([(
            "diff",
            Diff::content("/etc/app.conf", "a\nb\n", "a\nc\n").to_value(),
        )]);
        let shown = render_diffs(&result);
        assert!(
            shown.starts_with("--- before: /etc/app.conf\n+++ after: /etc/app.conf\n"),
            "{shown}"
        );
        assert!(shown.contains("-b\n+c\n"), "{shown}");
    }
}
