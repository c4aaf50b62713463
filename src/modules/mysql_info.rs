//! `mysql_info` (community.mysql): facts about a server — `version`,
//! `databases`, `settings`, `users`, `engines`, `global_status` — chosen
//! by `filter` (`!name` excludes). Never changes anything.

use super::utils::mysql::{LOGIN_ARGS, Login, ResultSet, Row, Session, ServerVersion};
use super::{ArgSpec, Args, Module, ModuleContext, ModuleError, Outcome};
use crate::value::{Value, map_from_pairs};

pub(super) struct MysqlInfo;

static SPEC: ArgSpec = ArgSpec {
    names: &["login_db", "filter", "exclude_fields", "return_empty_dbs"],
    groups: &[&LOGIN_ARGS],
    ..ArgSpec::EMPTY
};

/// The subsets runbook collects, in community.mysql's order.
const SUBSETS: &[&str] = &["version", "databases", "settings", "global_status", "engines", "users"];

/// What community.mysql also offers and runbook does not collect yet.
const NOT_COLLECTED: &[&str] = &["users_info", "master_status", "slave_status", "slave_hosts"];

impl Module for MysqlInfo {
    fn name(&self) -> &'static str {
        "mysql_info"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let filter: Vec<String> = args
            .str_list("filter")?
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect();
        let mut warnings = Vec::new();
        let mut include = Vec::new();
        let mut exclude = Vec::new();
        for item in &filter {
            let name = item.trim_start_matches('!');
            if NOT_COLLECTED.contains(&name) {
                return Err(ModuleError::failed(format!(
                    "mysql_info: the `{name}` subset is not supported by runbook"
                )));
            }
            if !SUBSETS.contains(&name) {
                warnings.push(format!("filter element: {item} is not allowable, ignored"));
                continue;
            }
            if item.starts_with('!') {
                exclude.push(name.to_string());
            } else {
                include.push(name.to_string());
            }
        }
        let wanted: Vec<&str> = SUBSETS
            .iter()
            .copied()
            .filter(|s| {
                if include.is_empty() {
                    !exclude.iter().any(|e| e == s)
                } else {
                    include.iter().any(|i| i == s)
                }
            })
            .collect();
        let exclude_fields: Vec<String> = args.str_list("exclude_fields")?.unwrap_or_default();
        let return_empty_dbs = args.bool("return_empty_dbs", false)?;
        let login = Login::from_args(args)?;
        let database = args.str("login_db")?;
        let session = Session::open(ctx, "mysql_info", &login, false)?;
        let mut sql = String::new();
        for subset in &wanted {
            sql.push_str(match *subset {
                "version" | "settings" => "SHOW GLOBAL VARIABLES;\n",
                "databases" => "SELECT table_schema AS name, SUM(data_length + index_length) AS size, COUNT(table_name) AS tables FROM information_schema.TABLES GROUP BY table_schema;\nSHOW DATABASES;\n",
                "global_status" => "SHOW GLOBAL STATUS;\n",
                "engines" => "SHOW ENGINES;\n",
                _ => "SELECT * FROM mysql.user;\n",
            });
        }
        let sets = session.query(ctx, database.as_deref(), &sql)?;
        let mut sets = sets.into_iter();
        let mut outcome = Outcome::ok().with(
            "server_engine",
            if session.version.is_mariadb() { "MariaDB" } else { "MySQL" },
        );
        let mut next = || sets.next().unwrap_or_default();
        for subset in wanted {
            match subset {
                "version" => {
                    let _settings = next();
                    outcome = outcome.with("version", version_value(&session.version));
                }
                "settings" => {
                    let variables = next();
                    outcome = outcome.with("settings", name_value(&variables, "Variable_name", "Value"));
                }
                "databases" => {
                    let sizes = next();
                    let all = next();
                    outcome = outcome.with(
                        "databases",
                        databases(&sizes, &all, &exclude_fields, return_empty_dbs),
                    );
                }
                "global_status" => {
                    let status = next();
                    outcome = outcome.with("global_status", name_value(&status, "Variable_name", "Value"));
                }
                "engines" => outcome = outcome.with("engines", engines(&next())),
                _ => outcome = outcome.with("users", users(&next())),
            }
        }
        if !warnings.is_empty() {
            outcome = outcome.with("warnings", Value::from(warnings));
        }
        Ok(outcome)
    }
}

fn version_value(version: &ServerVersion) -> Value {
    map_from_pairs([
        ("major", Value::from(version.major)),
        ("minor", Value::from(version.minor)),
        ("release", Value::from(version.release)),
        ("suffix", Value::from(version.suffix.as_str())),
        ("full", Value::from(version.full.as_str())),
    ])
}

/// A text value as community.mysql's `__convert` leaves it: a whole
/// number as an integer, anything else as text.
fn converted(value: &Option<String>) -> Value {
    match value {
        None => Value::from(()),
        Some(text) => text
            .parse::<i64>()
            .map_or_else(|_| Value::from(text.as_str()), Value::from),
    }
}

fn cell(row: &Row, name: &str) -> Option<String> {
    row.get(name).cloned().flatten()
}

fn name_value(set: &ResultSet, name: &str, value: &str) -> Value {
    map_from_pairs(set.rows.iter().filter_map(|row| {
        let key = cell(row, name)?;
        Some((key, converted(&row.get(value).cloned().flatten())))
    }))
}

fn databases(sizes: &ResultSet, all: &ResultSet, exclude_fields: &[String], empty: bool) -> Value {
    let included = |field: &str| !exclude_fields.iter().any(|f| f == &format!("db_{field}"));
    let info = |size: i64, tables: i64| {
        let mut pairs = Vec::new();
        if included("size") {
            pairs.push(("size", Value::from(size)));
        }
        if included("table_count") {
            pairs.push(("tables", Value::from(tables)));
        }
        map_from_pairs(pairs)
    };
    let number = |row: &Row, name: &str| cell(row, name).and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut entries: Vec<(String, Value)> = sizes
        .rows
        .iter()
        .filter_map(|row| Some((cell(row, "name")?, info(number(row, "size"), number(row, "tables")))))
        .collect();
    if empty {
        for row in &all.rows {
            if let Some(name) = cell(row, "Database")
                && !entries.iter().any(|(n, _)| *n == name)
            {
                entries.push((name, info(0, 0)));
            }
        }
    }
    map_from_pairs(entries)
}

fn engines(set: &ResultSet) -> Value {
    map_from_pairs(set.rows.iter().filter_map(|row| {
        let name = cell(row, "Engine")?;
        let details = map_from_pairs(
            row.iter()
                .filter(|(k, _)| k.as_str() != "Engine")
                .map(|(k, v)| (k.as_str(), converted(v))),
        );
        Some((name, details))
    }))
}

/// `{host: {user: {column: value}}}` from `mysql.user`.
fn users(set: &ResultSet) -> Value {
    let mut hosts: indexmap::IndexMap<String, Vec<(String, Value)>> = indexmap::IndexMap::new();
    for row in &set.rows {
        let (Some(host), Some(user)) = (cell(row, "Host"), cell(row, "User")) else {
            continue;
        };
        let details = map_from_pairs(
            row.iter()
                .filter(|(k, _)| k.as_str() != "Host" && k.as_str() != "User")
                .map(|(k, v)| (k.as_str(), converted(v))),
        );
        hosts.entry(host).or_default().push((user, details));
    }
    map_from_pairs(hosts.into_iter().map(|(host, users)| (host, map_from_pairs(users))))
}
