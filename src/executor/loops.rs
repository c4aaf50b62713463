//! Loop items from `loop:` and the `with_<lookup>` keywords.

use minijinja::value::ValueKind;

use crate::playbook::LoopKind;
use crate::template::Templar;
use crate::value::Value;

/// The items to iterate over, from the rendered `loop`/`with_*` value:
/// `loop:` takes a list as it is; `with_<name>:` runs lookup `name` on the
/// terms (a list, or one value as a list of one), as Ansible does.
pub(super) fn loop_items(
    kind: LoopKind,
    rendered: Value,
    templar: &Templar,
    vars: &Value,
    action: &str,
) -> Result<Vec<Value>, String> {
    match kind {
        LoopKind::Loop => as_list(&rendered),
        LoopKind::With(lookup) => {
            let terms = match rendered.kind() {
                ValueKind::Seq | ValueKind::Iterable => {
                    rendered.try_iter().map_err(|e| e.to_string())?.collect()
                }
                _ => vec![rendered],
            };
            templar.loop_lookup(lookup, &terms, vars, action)
        }
    }
}

fn as_list(value: &Value) -> Result<Vec<Value>, String> {
    match value.kind() {
        ValueKind::Seq | ValueKind::Iterable => {
            Ok(value.try_iter().map_err(|e| e.to_string())?.collect())
        }
        _ => Err(format!(
            "Invalid data passed to 'loop', it requires a list, got this instead: {value}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: Vec<Value>) -> Vec<String> {
        items.into_iter().map(|v| v.to_string()).collect()
    }

    fn with(lookup: &'static str, terms: serde_json::Value) -> Result<Vec<String>, String> {
        let templar = Templar::new();
        let vars = Value::from(minijinja::value::Serde(
            serde_json::json!({"playbook_dir": "/nonexistent"}),
        ));
        let rendered = Value::from(minijinja::value::Serde(terms));
        loop_items(LoopKind::With(lookup), rendered, &templar, &vars, "debug").map(strings)
    }

    #[test]
    fn sequences_as_ansible_writes_them() {
        assert_eq!(
            with("sequence", serde_json::json!("start=1 end=3 format=db%02d")),
            Ok(vec!["db01".into(), "db02".into(), "db03".into()])
        );
        assert_eq!(
            with("sequence", serde_json::json!("start=10 count=3 stride=5")),
            Ok(vec!["10".into(), "15".into(), "20".into()])
        );
        assert_eq!(
            with("sequence", serde_json::json!("4-8/2:host%02d")),
            Ok(vec!["host04".into(), "host06".into(), "host08".into()])
        );
        assert!(with("sequence", serde_json::json!("start=1")).is_err());
    }

    #[test]
    fn with_items_flattens_one_level() {
        assert_eq!(
            with("items", serde_json::json!([1, [2, [3]], 4])),
            Ok(vec!["1".into(), "2".into(), "[3]".into(), "4".into()])
        );
        assert_eq!(
            with("items", serde_json::json!("one")),
            Ok(vec!["one".into()])
        );
    }

    #[test]
    fn with_dict_gives_key_value_items() {
        let items = with("dict", serde_json::json!({"a": 1})).expect("dict");
        assert_eq!(items, vec!["{'key': 'a', 'value': 1}".to_string()]);
    }

    #[test]
    fn with_nested_and_together() {
        assert_eq!(
            with("nested", serde_json::json!([[1, 2], ["a", "b"]])),
            Ok(vec![
                "[1, 'a']".into(),
                "[1, 'b']".into(),
                "[2, 'a']".into(),
                "[2, 'b']".into()
            ])
        );
        assert_eq!(
            with("together", serde_json::json!([[1, 2, 3], ["a"]])),
            Ok(vec![
                "[1, 'a']".into(),
                "[2, None]".into(),
                "[3, None]".into()
            ])
        );
    }

    #[test]
    fn loop_rejects_non_lists() {
        let templar = Templar::new();
        let vars = Value::from(());
        assert!(
            loop_items(
                LoopKind::Loop,
                Value::from("text"),
                &templar,
                &vars,
                "debug"
            )
            .is_err()
        );
    }
}
