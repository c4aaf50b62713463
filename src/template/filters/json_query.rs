//! `json_query` (community.general): a JMESPath expression over the value,
//! with the `jmespath` crate.

use minijinja::{Environment, Error};

use super::failure;
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("json_query", json_query);
    env.add_filter("community.general.json_query", json_query);
}

fn json_query(value: &Value, expression: &str) -> Result<Value, Error> {
    let data: serde_json::Value = serde_json::to_value(value)
        .map_err(|e| failure(format!("json_query: cannot read the value as JSON: {e}")))?;
    let compiled = jmespath::compile(expression)
        .map_err(|e| failure(format!("JMESPathError in json_query filter plugin:\n{e}")))?;
    let found = compiled
        .search(data)
        .map_err(|e| failure(format!("JMESPathError in json_query filter plugin:\n{e}")))?;
    let json = serde_json::to_value(&*found).map_err(|e| failure(e.to_string()))?;
    Ok(Value::from(minijinja::value::Serde(json)))
}

#[cfg(test)]
mod tests {
    use crate::template::filters::test_support::render;

    #[test]
    fn queries_as_jmespath_defines_them() {
        let users = "[{'name': 'alice', 'groups': ['wheel', 'dev'], 'uid': 1000}, {'name': 'bob', 'groups': ['dev'], 'uid': 1001}]";
        let cases = [
            ("[].name", "['alice', 'bob']"),
            ("[?name=='bob'].groups[0]", "['dev']"),
            ("[?uid > `1000`].name | [0]", "bob"),
            (
                "[].{n: name, u: uid}",
                "[{'n': 'alice', 'u': 1000}, {'n': 'bob', 'u': 1001}]",
            ),
            ("length([?contains(groups, 'dev')])", "2"),
            ("[0].missing == None", "True"),
        ];
        for (query, expected) in cases {
            assert_eq!(
                render(&format!("{{{{ {users} | json_query(\"{query}\") }}}}")),
                expected,
                "{query}"
            );
        }
    }
}
