//! `mysql_replication` (community.mysql): a server's primary and replica
//! status, and the statements that set up or change replication
//! (`CHANGE MASTER TO`, `START`/`STOP`/`RESET REPLICA`, `RESET MASTER`), in
//! the words of the server's version, as the collection words them. A
//! statement the server answers with a warning (`START REPLICA` on a running
//! replica) changed nothing, as there.

use super::utils::mysql::{LOGIN_ARGS, Login, Row, Session, ServerVersion, quote_string};
use super::{ArgSpec, Args, Module, ModuleContext, ModuleError, Outcome};
use crate::value::Value;

pub(super) struct MysqlReplication;

/// `primary_*` settings of `CHANGE MASTER TO`: argument, statement option,
/// and whether its value is quoted.
const CHANGE_OPTIONS: &[(&str, &str, Quoting)] = &[
    ("primary_host", "MASTER_HOST", Quoting::Text),
    ("primary_user", "MASTER_USER", Quoting::Text),
    ("primary_password", "MASTER_PASSWORD", Quoting::Secret),
    ("primary_port", "MASTER_PORT", Quoting::Number),
    ("primary_connect_retry", "MASTER_CONNECT_RETRY", Quoting::Number),
    ("primary_log_file", "MASTER_LOG_FILE", Quoting::Text),
    ("primary_log_pos", "MASTER_LOG_POS", Quoting::Number),
    ("primary_delay", "MASTER_DELAY", Quoting::Number),
    ("relay_log_file", "RELAY_LOG_FILE", Quoting::Text),
    ("relay_log_pos", "RELAY_LOG_POS", Quoting::Number),
    ("primary_ssl", "MASTER_SSL", Quoting::Flag),
    ("primary_ssl_ca", "MASTER_SSL_CA", Quoting::Text),
    ("primary_ssl_capath", "MASTER_SSL_CAPATH", Quoting::Text),
    ("primary_ssl_cert", "MASTER_SSL_CERT", Quoting::Text),
    ("primary_ssl_key", "MASTER_SSL_KEY", Quoting::Text),
    ("primary_ssl_cipher", "MASTER_SSL_CIPHER", Quoting::Text),
    (
        "primary_ssl_verify_server_cert",
        "MASTER_SSL_VERIFY_SERVER_CERT",
        Quoting::Flag,
    ),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Text,
    /// Quoted, and shown as `********` in the queries reported.
    Secret,
    Number,
    Flag,
}

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "mode",
        "primary_host",
        "primary_user",
        "primary_password",
        "primary_port",
        "primary_connect_retry",
        "primary_log_file",
        "primary_log_pos",
        "primary_delay",
        "relay_log_file",
        "relay_log_pos",
        "primary_ssl",
        "primary_ssl_ca",
        "primary_ssl_capath",
        "primary_ssl_cert",
        "primary_ssl_key",
        "primary_ssl_cipher",
        "primary_ssl_verify_server_cert",
        "primary_auto_position",
        "primary_use_gtid",
        "connection_name",
        "fail_on_error",
    ],
    aliases: &[
        ("master_host", "primary_host"),
        ("master_user", "primary_user"),
        ("master_password", "primary_password"),
        ("master_port", "primary_port"),
        ("master_connect_retry", "primary_connect_retry"),
        ("master_log_file", "primary_log_file"),
        ("master_log_pos", "primary_log_pos"),
        ("master_delay", "primary_delay"),
        ("master_ssl", "primary_ssl"),
        ("master_ssl_ca", "primary_ssl_ca"),
        ("master_ssl_capath", "primary_ssl_capath"),
        ("master_ssl_cert", "primary_ssl_cert"),
        ("master_ssl_key", "primary_ssl_key"),
        ("master_ssl_cipher", "primary_ssl_cipher"),
        ("master_auto_position", "primary_auto_position"),
        ("master_use_gtid", "primary_use_gtid"),
    ],
    choices: &[
        (
            "mode",
            &[
                "getprimary",
                "getreplica",
                "changeprimary",
                "stopreplica",
                "startreplica",
                "resetprimary",
                "resetreplica",
                "resetreplicaall",
            ],
        ),
        ("primary_use_gtid", &["current_pos", "replica_pos", "disabled"]),
    ],
    groups: &[&LOGIN_ARGS],
    ..ArgSpec::EMPTY
};

impl Module for MysqlReplication {
    fn name(&self) -> &'static str {
        "mysql_replication"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        if ctx.check_mode {
            return Ok(Outcome::skipped(
                "remote module (mysql_replication) does not support check mode",
            ));
        }
        let mode = args.str("mode")?.unwrap_or_else(|| "getreplica".into());
        let login = Login::from_args(args)?;
        let session = Session::open(ctx, "mysql_replication", &login, false)?;
        let words = Words::of(&session.version);
        let connection = match args.str("connection_name")? {
            Some(name) => format!(" {}", quote_string(&name)),
            None => String::new(),
        };
        let term = words.replica;
        match mode.as_str() {
            "getprimary" => {
                let status = first_row(&session, ctx, words.primary_status)?;
                Ok(status_outcome(
                    status.filter(|row| row.contains_key("File") && row.contains_key("Position")),
                    "Is_Primary",
                    "Server is not configured as mysql primary. Meaning: Binary logs are disabled",
                ))
            }
            "getreplica" => {
                let status = first_row(&session, ctx, &format!("SHOW {term}{connection} STATUS"))?;
                Ok(status_outcome(
                    status.filter(|row| {
                        row.contains_key("Slave_IO_Running") || row.contains_key("Replica_IO_Running")
                    }),
                    "Is_Replica",
                    "Server is not configured as mysql replica",
                ))
            }
            "changeprimary" => change_primary(args, &session, ctx, &connection),
            "startreplica" => toggle(
                &session,
                ctx,
                args,
                &format!("START {term}{connection}"),
                ("Replica started ", "Replica already started (Or cannot be started)"),
            ),
            "stopreplica" => toggle(
                &session,
                ctx,
                args,
                &format!("STOP {term}{connection}"),
                ("Replica stopped", "Replica already stopped"),
            ),
            "resetreplica" => toggle(
                &session,
                ctx,
                args,
                &format!("RESET {term}{connection}"),
                ("Replica reset", "Replica already reset"),
            ),
            "resetreplicaall" => toggle(
                &session,
                ctx,
                args,
                &format!("RESET {term}{connection} ALL"),
                ("Replica reset", "Replica already reset"),
            ),
            "resetprimary" => toggle(
                &session,
                ctx,
                args,
                "RESET MASTER",
                ("Primary reset", "Primary already reset"),
            ),
            other => Err(ModuleError::failed(format!(
                "value of mode must be one of: getprimary, getreplica, changeprimary, stopreplica, startreplica, resetprimary, resetreplica, resetreplicaall, got: {other}"
            ))),
        }
    }
}

/// The statements of the server's version, as community.mysql picks them.
struct Words {
    replica: &'static str,
    primary_status: &'static str,
}

impl Words {
    fn of(version: &ServerVersion) -> Self {
        let mariadb = version.is_mariadb();
        Self {
            replica: if (mariadb && version.at_least(10, 5, 1))
                || (!mariadb && version.at_least(8, 0, 22))
            {
                "REPLICA"
            } else {
                "SLAVE"
            },
            primary_status: if mariadb && version.at_least(10, 5, 2) {
                "SHOW BINLOG STATUS"
            } else if !mariadb && version.at_least(8, 2, 0) {
                "SHOW BINARY LOG STATUS"
            } else {
                "SHOW MASTER STATUS"
            },
        }
    }
}

fn first_row(
    session: &Session,
    ctx: &mut ModuleContext,
    statement: &str,
) -> Result<Option<Row>, ModuleError> {
    let sets = session.query(ctx, None, &format!("{statement};\n"))?;
    Ok(sets.into_iter().next().and_then(|set| set.rows.into_iter().next()))
}

/// A status row as the collection returns it (numbers as numbers, as its
/// driver reads numeric columns), with `flag` true; or `flag` false and `msg`.
fn status_outcome(row: Option<Row>, flag: &str, not_configured: &str) -> Outcome {
    let mut outcome = Outcome::ok().with("queries", Value::from(Vec::<Value>::new()));
    match row {
        Some(row) => {
            for (name, value) in &row {
                outcome = outcome.with(name.as_str(), typed(value.as_deref()));
            }
            outcome.with(flag, true)
        }
        None => outcome.with(flag, false).with_msg(not_configured),
    }
}

fn typed(value: Option<&str>) -> Value {
    match value {
        None => Value::from(()),
        Some(text) => match text.parse::<i64>() {
            Ok(number) if !text.starts_with('+') && (text == "0" || !text.starts_with('0')) => {
                Value::from(number)
            }
            _ => Value::from(text),
        },
    }
}

/// A statement that changed something unless the server answered it with a
/// warning or (without `fail_on_error`) an error.
fn toggle(
    session: &Session,
    ctx: &mut ModuleContext,
    args: &Args,
    statement: &str,
    (done, already): (&str, &str),
) -> Result<Outcome, ModuleError> {
    let output = session.query_output(ctx, None, &format!("{statement};\nSHOW WARNINGS;\n"))?;
    let queries = Value::from(vec![Value::from(statement)]);
    if output.rc != 0 {
        if args.bool("fail_on_error", false)? {
            return Err(ModuleError::failed(format!(
                "{} failed: {}",
                statement.split(" '").next().unwrap_or(statement),
                output.stderr_text().trim()
            )));
        }
        return Ok(Outcome::ok().with_msg(already).with("queries", queries));
    }
    let warned = session
        .results(&output)?
        .last()
        .is_some_and(|warnings| !warnings.rows.is_empty());
    let mut outcome = Outcome::ok()
        .with_msg(if warned { already } else { done })
        .with("queries", queries);
    outcome.changed = !warned;
    Ok(outcome)
}

fn change_primary(
    args: &Args,
    session: &Session,
    ctx: &mut ModuleContext,
    connection: &str,
) -> Result<Outcome, ModuleError> {
    let mut settings = Vec::new();
    let mut shown = Vec::new();
    for (argument, option, quoting) in CHANGE_OPTIONS {
        let Some(value) = args.str(argument)? else {
            continue;
        };
        let (setting, visible) = match quoting {
            Quoting::Text => {
                let quoted = quote_string(&value);
                (format!("{option}={quoted}"), format!("{option}={quoted}"))
            }
            Quoting::Secret => (
                format!("{option}={}", quote_string(&value)),
                format!("{option}='********'"),
            ),
            Quoting::Number => {
                let number: u64 = value.trim().parse().map_err(|_| {
                    ModuleError::failed(format!(
                        "argument '{argument}' is of type str and we were unable to convert to int: invalid literal for int() with base 10: '{value}'"
                    ))
                })?;
                (format!("{option}={number}"), format!("{option}={number}"))
            }
            Quoting::Flag => {
                let on = crate::value::parse_bool(&value).ok_or_else(|| {
                    ModuleError::failed(format!(
                        "argument '{argument}' is of type str and we were unable to convert to bool: The value '{value}' is not a valid boolean."
                    ))
                })?;
                let flag = format!("{option}={}", u8::from(on));
                (flag.clone(), flag)
            }
        };
        settings.push(setting);
        shown.push(visible);
    }
    if args.bool("primary_auto_position", false)? {
        settings.push("MASTER_AUTO_POSITION=1".into());
        shown.push("MASTER_AUTO_POSITION=1".into());
    }
    if let Some(gtid) = args.str("primary_use_gtid")? {
        let gtid = match gtid.as_str() {
            "disabled" => "no",
            "replica_pos" if Words::of(&session.version).replica == "SLAVE" => "slave_pos",
            other => other,
        };
        settings.push(format!("MASTER_USE_GTID={gtid}"));
        shown.push(format!("MASTER_USE_GTID={gtid}"));
    }
    let statement = |parts: &[String]| format!("CHANGE MASTER{connection} TO {}", parts.join(","));
    let output = session.query_output(
        ctx,
        None,
        &format!("{};\nSHOW WARNINGS;\n", statement(&settings)),
    )?;
    if output.rc != 0 {
        return Err(ModuleError::failed(format!(
            "{}. Query == CHANGE MASTER TO [{}]",
            output.stderr_text().trim(),
            shown
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut outcome = Outcome::ok().with("queries", Value::from(vec![Value::from(statement(&shown))]));
    if let Some(warning) = session
        .results(&output)?
        .last()
        .and_then(|warnings| warnings.rows.first())
        .and_then(|row| row.get("Message").cloned().flatten())
    {
        outcome = outcome.with("warning", warning);
    }
    outcome.changed = true;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_values_keep_the_types_the_collections_driver_gives() {
        assert_eq!(typed(Some("1234")), Value::from(1234));
        assert_eq!(typed(Some("0")), Value::from(0));
        assert_eq!(typed(Some("mysql-bin.000001")), Value::from("mysql-bin.000001"));
        assert_eq!(typed(Some("007")), Value::from("007"));
        assert_eq!(typed(None), Value::from(()));
    }

    #[test]
    fn statements_follow_the_servers_version() {
        let words = Words::of(&ServerVersion::parse("10.11.6-MariaDB-0+deb12u1"));
        assert_eq!((words.replica, words.primary_status), ("REPLICA", "SHOW BINLOG STATUS"));
        let words = Words::of(&ServerVersion::parse("10.3.39-MariaDB"));
        assert_eq!((words.replica, words.primary_status), ("SLAVE", "SHOW MASTER STATUS"));
        let words = Words::of(&ServerVersion::parse("8.0.35"));
        assert_eq!((words.replica, words.primary_status), ("REPLICA", "SHOW MASTER STATUS"));
        let words = Words::of(&ServerVersion::parse("5.7.44-log"));
        assert_eq!((words.replica, words.primary_status), ("SLAVE", "SHOW MASTER STATUS"));
    }
}
