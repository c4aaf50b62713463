//! `mysql_query` (community.mysql): run SQL statements, with PyMySQL's
//! `%s` / `%(name)s` arguments, optionally in one transaction; report each
//! statement's rows and row count. Changed when a DML statement touched
//! rows or a DDL statement ran, as community.mysql decides.

use minijinja::value::ValueKind;

use super::utils::mysql::{LOGIN_ARGS, Login, QueryArgs, ResultSet, Session, format_query};
use super::{ArgSpec, Args, Module, ModuleContext, ModuleError, Outcome};
use crate::value::{Value, VarMap, map_from_pairs, to_var_map};

pub(super) struct MysqlQuery;

static SPEC: ArgSpec = ArgSpec {
    names: &["query", "login_db", "positional_args", "named_args", "single_transaction"],
    groups: &[&LOGIN_ARGS],
    required: &["query"],
    ..ArgSpec::EMPTY
};

const DML: &[&str] = &["INSERT", "UPDATE", "DELETE", "REPLACE"];
const DDL: &[&str] = &["CREATE", "DROP", "ALTER", "RENAME", "TRUNCATE"];

/// The column of the row count the module asks for after each statement.
const ROW_COUNT: &str = "runbook_mysql_query_row_count";

impl Module for MysqlQuery {
    fn name(&self) -> &'static str {
        "mysql_query"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let queries = queries(args)?;
        let positional: Option<Vec<Value>> = args
            .get("positional_args")
            .map(|v| v.try_iter().map(|items| items.collect()))
            .transpose()
            .map_err(|_| ModuleError::failed("argument `positional_args`: expected a list"))?;
        let named: Option<VarMap> = match args.get("named_args") {
            Some(v) if v.kind() == ValueKind::Map => Some(to_var_map(v)),
            Some(_) => return Err(ModuleError::failed("argument `named_args`: expected a mapping")),
            None => None,
        };
        if positional.is_some() && named.is_some() {
            return Err(ModuleError::failed(
                "parameters are mutually exclusive: positional_args|named_args",
            ));
        }
        let arguments = match (&positional, &named) {
            (Some(values), _) => Some(QueryArgs::Positional(values)),
            (_, Some(values)) => Some(QueryArgs::Named(values)),
            _ => None,
        };
        let mut statements = Vec::new();
        for query in &queries {
            let statement = match &arguments {
                Some(arguments) => format_query(query, arguments).map_err(|e| {
                    ModuleError::failed(format!("Cannot execute SQL '{query}': {e}"))
                })?,
                None => query.clone(),
            };
            statements.push(statement.trim().trim_end_matches(';').trim_end().to_string());
        }
        let login = Login::from_args(args)?;
        if ctx.check_mode {
            return Ok(Outcome::skipped(
                "remote module (mysql_query) does not support check mode",
            ));
        }
        let database = args.str("login_db")?;
        let session = Session::open(ctx, "mysql_query", &login, false)?;
        let transaction = args.bool("single_transaction", false)?;
        let mut sql = String::new();
        if transaction {
            sql.push_str("SET autocommit=0;\nSTART TRANSACTION;\n");
        }
        for statement in &statements {
            sql.push_str(&format!("{statement};\nSELECT ROW_COUNT() AS {ROW_COUNT};\n"));
        }
        if transaction {
            sql.push_str("COMMIT;\n");
        }
        let output = session.query_output(ctx, database.as_deref(), &sql)?;
        let sets = session.results(&output)?;
        let reports = per_statement(&sets);
        if output.rc != 0 || reports.len() < statements.len() {
            let failed = statements.get(reports.len()).cloned().unwrap_or_default();
            return Err(ModuleError::failed(format!(
                "Cannot execute SQL '{failed}' args [{}]: {}",
                shown_arguments(&positional, &named),
                output.stderr_text().trim()
            )));
        }
        let mut changed = false;
        let mut results = Vec::new();
        let mut counts = Vec::new();
        for (statement, (rows, count)) in statements.iter().zip(&reports) {
            let head: String = statement.trim_start().chars().take(8).collect::<String>().to_uppercase();
            if DML.iter().any(|k| head.contains(k)) && *count > 0 {
                changed = true;
            }
            if DDL.iter().any(|k| head.contains(k)) {
                changed = true;
            }
            results.push(rows.clone());
            counts.push(Value::from(*count));
        }
        let mut outcome = Outcome::ok()
            .with("executed_queries", Value::from(statements))
            .with("query_result", Value::from(results))
            .with("rowcount", Value::from(counts));
        outcome.changed = changed;
        Ok(outcome)
    }
}

fn queries(args: &Args) -> Result<Vec<String>, ModuleError> {
    let Some(query) = args.get("query") else {
        return Ok(Vec::new());
    };
    match query.kind() {
        ValueKind::String => Ok(vec![query.as_str().unwrap_or_default().to_string()]),
        ValueKind::Seq => query
            .try_iter()
            .map_err(|_| ModuleError::failed("the query option value must be a string or list"))?
            .map(|item| {
                item.as_str().map(str::to_string).ok_or_else(|| {
                    ModuleError::failed(format!(
                        "the elements in query list must be strings, passed '{item}'"
                    ))
                })
            })
            .collect(),
        other => Err(ModuleError::failed(format!(
            "the query option value must be a string or list, passed a {other}"
        ))),
    }
}

/// Each statement's rows and row count: its own result set (if it returned
/// rows) followed by the `ROW_COUNT()` the module asked for.
fn per_statement(sets: &[ResultSet]) -> Vec<(Value, i64)> {
    let mut reports = Vec::new();
    let mut rows: Option<&ResultSet> = None;
    for set in sets {
        let count = set
            .rows
            .first()
            .filter(|row| row.len() == 1)
            .and_then(|row| row.get(ROW_COUNT));
        match count {
            Some(count) => {
                let count: i64 = count.as_deref().and_then(|c| c.parse().ok()).unwrap_or(-1);
                let values: Vec<Value> = rows
                    .map(|set| set.rows.iter().map(row_value).collect())
                    .unwrap_or_default();
                let count = match rows {
                    Some(set) if count < 0 => set.rows.len() as i64,
                    _ => count.max(0),
                };
                reports.push((Value::from(values), count));
                rows = None;
            }
            None => rows = rows.or(Some(set)),
        }
    }
    reports
}

fn row_value(row: &super::utils::mysql::Row) -> Value {
    map_from_pairs(row.iter().map(|(name, value)| {
        (
            name.as_str(),
            value.as_deref().map_or(Value::from(()), Value::from),
        )
    }))
}

fn shown_arguments(positional: &Option<Vec<Value>>, named: &Option<VarMap>) -> String {
    match (positional, named) {
        (Some(values), _) => values.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        (_, Some(values)) => values
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        _ => "None".into(),
    }
}
