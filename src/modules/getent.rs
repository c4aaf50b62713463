//! `getent`: read a name service database (`passwd`, `group`, `hosts`,
//! `services`...) with the host's `getent` into the fact
//! `getent_<database>`: each record's first field maps to the rest.

use super::utils::probe::Probe;
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::{Value, VarMap, map_value};

pub(super) struct Getent;

static SPEC: ArgSpec = ArgSpec {
    names: &["database", "key", "split", "fail_key", "service"],
    required: &["database"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

/// Databases whose fields are separated by `:` unless `split` says otherwise.
const COLON_DATABASES: &[&str] = &["passwd", "shadow", "group", "gshadow"];

impl Module for Getent {
    fn name(&self) -> &'static str {
        "getent"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let database = args.str("database")?.unwrap_or_default();
        let key = args.str("key")?;
        let split = args
            .str("split")?
            .or_else(|| COLON_DATABASES.contains(&database.as_str()).then(|| ":".into()));
        let fail_key = args.bool("fail_key", true)?;
        let mut command = format!("getent {}", shell_quote(&database));
        if let Some(key) = &key {
            command.push(' ');
            command.push_str(&shell_quote(key));
        }
        if let Some(service) = args.str("service")? {
            command.push_str(&format!(" -s {}", shell_quote(&service)));
        }
        Probe::new().require(&["getent"]).run(ctx, "getent")?;
        let output = ctx.connection()?.run(&command, None)?;
        let fact = format!("getent_{database}");
        let msg = match output.rc {
            0 => {
                let records = records(&output.stdout_text(), split.as_deref());
                let mut outcome = Outcome::ok();
                outcome.facts.insert(fact, map_value(records));
                return Ok(outcome);
            }
            1 => "Missing arguments, or database unknown.",
            2 => {
                let msg = "One or more supplied key could not be found in the database.";
                if !fail_key {
                    let mut records = VarMap::new();
                    records.insert(key.unwrap_or_default(), Value::from(()));
                    let mut outcome = Outcome::ok().with_msg(msg);
                    outcome.facts.insert(fact, map_value(records));
                    return Ok(outcome);
                }
                msg
            }
            3 => "Enumeration not supported on this database.",
            _ => "Unexpected failure!",
        };
        Ok(Outcome::failed(msg))
    }
}

/// Each line's first field → the other fields; a key seen again maps to a
/// list of every record's fields, as Ansible's `getent` does.
fn records(text: &str, split: Option<&str>) -> VarMap {
    let mut records: VarMap = VarMap::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for line in text.lines() {
        let fields: Vec<&str> = match split {
            Some(separator) if !separator.is_empty() => line.split(separator).collect(),
            _ => line.split_whitespace().collect(),
        };
        let Some((first, rest)) = fields.split_first() else {
            continue;
        };
        let rest = Value::from(rest.iter().map(|f| Value::from(*f)).collect::<Vec<_>>());
        let count = seen.entry((*first).to_string()).or_insert(0);
        *count += 1;
        match *count {
            1 => {
                records.insert((*first).to_string(), rest);
            }
            2 => {
                let earlier = records.get(*first).cloned().unwrap_or_default();
                records.insert((*first).to_string(), Value::from(vec![earlier, rest]));
            }
            _ => {
                let mut all: Vec<Value> = records
                    .get(*first)
                    .and_then(|v| v.try_iter().ok())
                    .map(Iterator::collect)
                    .unwrap_or_default();
                all.push(rest);
                records.insert((*first).to_string(), Value::from(all));
            }
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_map_the_first_field_to_the_rest() {
        let records = records("root:x:0:0:root:/root:/bin/bash\n", Some(":"));
        assert_eq!(
            records["root"].to_string(),
            "['x', '0', '0', 'root', '/root', '/bin/bash']"
        );
        let hosts = records_of("127.0.0.1  localhost\n127.0.0.1 lab\n127.0.0.1 other\n");
        assert_eq!(
            hosts["127.0.0.1"].to_string(),
            "[['localhost'], ['lab'], ['other']]"
        );
    }

    fn records_of(text: &str) -> VarMap {
        records(text, None)
    }

    proptest::proptest! {
        #[test]
        fn every_line_with_a_field_gives_a_key(lines in proptest::collection::vec("[a-z]{1,5}( [a-z:]{0,5}){0,3}", 0..8)) {
            let text = lines.join("\n");
            let found = records(&text, None);
            for line in &lines {
                let first = line.split_whitespace().next().unwrap_or_default();
                proptest::prop_assert!(found.contains_key(first));
            }
        }
    }
}
