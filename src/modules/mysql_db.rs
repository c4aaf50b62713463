//! `mysql_db` (community.mysql): databases present or absent, dumped to
//! or imported from a file on the host (`.gz`, `.bz2`, `.xz`, `.zst`
//! through the host's compressor), with the host's `mysql`/`mysqldump`.

use super::utils::mysql::{LOGIN_ARGS, Login, Session, Tool, quote_identifier, quote_string};
use super::{ArgSpec, Args, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct MysqlDb;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "state",
        "target",
        "encoding",
        "collation",
        "single_transaction",
        "quick",
        "ignore_tables",
        "hex_blob",
        "force",
        "master_data",
        "skip_lock_tables",
        "dump_extra_args",
        "check_implicit_admin",
        "chdir",
        "sql_log_bin",
        "pipefail",
        "use_shell",
        "unsafe_login_password",
        "restrict_config_file",
        "config_overrides_defaults",
    ],
    aliases: &[("db", "name")],
    groups: &[&LOGIN_ARGS],
    required: &["name"],
    paths: &["target", "config_file"],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Present,
    Absent,
    Dump,
    Import,
}

struct Wanted {
    names: Vec<String>,
    state: State,
    all: bool,
    target: Option<String>,
    encoding: String,
    collation: String,
    login: Login,
    implicit_admin: bool,
    chdir: Option<String>,
    sql_log_bin: bool,
    dump_flags: Vec<String>,
    force: bool,
}

impl Module for MysqlDb {
    fn name(&self) -> &'static str {
        "mysql_db"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let want = wanted(args)?;
        let session = Session::open(ctx, "mysql_db", &want.login, want.implicit_admin)?;
        let existing = if want.all {
            Vec::new()
        } else {
            existing(&session, ctx, &want.names)?
        };
        let missing: Vec<String> = want
            .names
            .iter()
            .filter(|name| !existing.contains(name))
            .cloned()
            .collect();
        let base = Outcome::ok()
            .with("db", want.names.join(" "))
            .with("db_list", Value::from(want.names.clone()));
        match want.state {
            State::Absent => {
                let statements: Vec<String> = existing
                    .iter()
                    .map(|name| format!("DROP DATABASE {}", quote_identifier(name)))
                    .collect();
                change_databases(&session, ctx, &want, base, statements)
            }
            State::Present => {
                let statements = create_statements(&missing, &want);
                change_databases(&session, ctx, &want, base, statements)
            }
            State::Dump => {
                if !missing.is_empty() {
                    return Err(ModuleError::failed(format!(
                        "Cannot dump database(s) '{}' - not found",
                        missing.join(", ")
                    )));
                }
                let mut outcome = base;
                outcome.changed = true;
                if ctx.check_mode {
                    return Ok(outcome);
                }
                transfer(&session, ctx, &want, dump_command(&want, &session), outcome)
            }
            State::Import => {
                let mut outcome = base;
                outcome.changed = true;
                if ctx.check_mode {
                    return Ok(outcome);
                }
                let mut executed = Vec::new();
                let create = create_statements(&missing, &want);
                if !create.is_empty() {
                    session
                        .query(ctx, None, &sql_script(&create))
                        .map_err(|e| ModuleError::failed(format!("error creating database: {e}")))?;
                    executed.extend(create);
                }
                let mut command = import_command(&want);
                command.executed.splice(0..0, executed);
                transfer(&session, ctx, &want, command, outcome)
            }
        }
    }
}

fn wanted(args: &Args) -> Result<Wanted, ModuleError> {
    let names: Vec<String> = args
        .str_list("name")?
        .unwrap_or_default()
        .into_iter()
        .map(|name| name.trim().to_string())
        .collect();
    let state = match args.str("state")?.as_deref().unwrap_or("present") {
        "present" => State::Present,
        "absent" => State::Absent,
        "dump" => State::Dump,
        "import" => State::Import,
        other => {
            return Err(ModuleError::failed(format!(
                "value of state must be one of: absent, dump, import, present, got: {other}"
            )));
        }
    };
    if names.is_empty() || names.iter().any(String::is_empty) {
        return Err(ModuleError::failed("name must name at least one database"));
    }
    let target = args.str("target")?;
    let moving = matches!(state, State::Dump | State::Import);
    if moving && target.is_none() {
        let shown = if state == State::Dump { "dump" } else { "import" };
        return Err(ModuleError::failed(format!("with state={shown} target is required")));
    }
    if state == State::Import && names.len() > 1 {
        return Err(ModuleError::failed("Multiple databases are not supported with state=import"));
    }
    let all = names == ["all"];
    if all && !moving {
        return Err(ModuleError::failed(
            "name is not allowed to equal 'all' unless state equals import, or dump.",
        ));
    }
    let ignore_tables = args.str_list("ignore_tables")?.unwrap_or_default();
    if ignore_tables.iter().any(|t| t.is_empty()) {
        return Err(ModuleError::failed("Name of ignored table cannot be empty"));
    }
    let master_data = match args.f64("master_data")? {
        None => 0,
        Some(n) if n == 0.0 || n == 1.0 || n == 2.0 => n as u8,
        Some(n) => {
            return Err(ModuleError::failed(format!(
                "value of master_data must be one of: 0, 1, 2, got: {n}"
            )));
        }
    };
    let encoding = args.str("encoding")?.unwrap_or_default();
    let mut dump_flags = Vec::new();
    if args.bool("skip_lock_tables", false)? {
        dump_flags.push("--skip-lock-tables".to_string());
    }
    if !encoding.is_empty() {
        dump_flags.push(format!("--default-character-set={encoding}"));
    }
    if args.bool("single_transaction", false)? {
        dump_flags.push("--single-transaction=true".into());
    }
    if args.bool("quick", true)? {
        dump_flags.push("--quick".into());
    }
    for table in &ignore_tables {
        dump_flags.push(format!("--ignore-table={table}"));
    }
    if args.bool("hex_blob", false)? {
        dump_flags.push("--hex-blob".into());
    }
    if master_data > 0 {
        dump_flags.push(format!("--master-data={master_data}"));
    }
    if let Some(extra) = args.str("dump_extra_args")? {
        let words = shell_words::split(&extra)
            .map_err(|e| ModuleError::failed(format!("dump_extra_args: {e}")))?;
        dump_flags.extend(words);
    }
    Ok(Wanted {
        names,
        state,
        all,
        target,
        encoding,
        collation: args.str("collation")?.unwrap_or_default(),
        login: Login::from_args(args)?,
        implicit_admin: args.bool("check_implicit_admin", false)?,
        chdir: args.str("chdir")?,
        sql_log_bin: args.bool("sql_log_bin", true)?,
        dump_flags,
        force: args.bool("force", false)?,
    })
}

/// Which of `names` the server has.
fn existing(
    session: &Session,
    ctx: &mut ModuleContext,
    names: &[String],
) -> Result<Vec<String>, ModuleError> {
    let list: Vec<String> = names.iter().map(|n| quote_string(n)).collect();
    let sql = format!(
        "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ({});\n",
        list.join(", ")
    );
    let sets = session.query(ctx, None, &sql)?;
    let found: Vec<String> = sets
        .iter()
        .flat_map(|set| &set.rows)
        .filter_map(|row| row.get("name").cloned().flatten())
        .collect();
    Ok(names.iter().filter(|n| found.contains(n)).cloned().collect())
}

fn create_statements(missing: &[String], want: &Wanted) -> Vec<String> {
    missing
        .iter()
        .map(|name| {
            let mut statement = format!("CREATE DATABASE {}", quote_identifier(name));
            if !want.encoding.is_empty() {
                statement.push_str(&format!(" CHARACTER SET {}", quote_string(&want.encoding)));
            }
            if !want.collation.is_empty() {
                statement.push_str(&format!(" COLLATE {}", quote_string(&want.collation)));
            }
            statement
        })
        .collect()
}

fn sql_script(statements: &[String]) -> String {
    statements.iter().map(|s| format!("{s};\n")).collect()
}

/// `present`/`absent`: run the statements (none: ok).
fn change_databases(
    session: &Session,
    ctx: &mut ModuleContext,
    want: &Wanted,
    mut outcome: Outcome,
    statements: Vec<String>,
) -> Result<Outcome, ModuleError> {
    outcome.changed = !statements.is_empty();
    if ctx.check_mode {
        return Ok(outcome);
    }
    if !statements.is_empty() {
        let mut sql = String::new();
        if !want.sql_log_bin {
            sql.push_str("SET SQL_LOG_BIN=0;\n");
        }
        sql.push_str(&sql_script(&statements));
        session.query(ctx, None, &sql).map_err(|e| {
            let what = if want.state == State::Absent { "deleting" } else { "creating" };
            ModuleError::failed(format!("error {what} database: {e}"))
        })?;
    }
    Ok(outcome.with("executed_commands", Value::from(statements)))
}

/// A dump or import as a line of `sh`, and how it is reported.
struct Transfer {
    tools: Vec<Tool>,
    script: String,
    executed: Vec<String>,
}

/// The compressor a target's extension names.
fn compressor(target: &str) -> Option<Tool> {
    let names: &'static [&'static str] = match target.rsplit_once('.')?.1 {
        "gz" => &["gzip"],
        "bz2" => &["bzip2"],
        "xz" => &["xz"],
        "zst" => &["zstd"],
        _ => return None,
    };
    Some(Tool {
        variable: "compressor",
        names,
    })
}

/// The target as a shell word, `~/` as the login user's home.
fn target_word(target: &str) -> String {
    match target.strip_prefix("~/") {
        Some(rest) => format!("\"$HOME\"/{}", shell_quote(rest)),
        None => shell_quote(target),
    }
}

fn chdir_prefix(want: &Wanted) -> String {
    want.chdir.as_ref().map_or_else(String::new, |dir| {
        format!(
            "cd {} || {{ echo 'Cannot change the current directory to {}' >&2; exit 1; }}\n",
            shell_quote(dir),
            dir.replace('\'', "")
        )
    })
}

fn dump_command(want: &Wanted, session: &Session) -> Transfer {
    let mut args: Vec<String> = Vec::new();
    if want.force {
        args.push("--force".into());
    }
    if want.all {
        args.push("--all-databases".into());
    } else if want.names.len() > 1 {
        args.push("--databases".into());
        args.extend(want.names.iter().cloned());
    } else {
        args.extend(want.names.iter().cloned());
    }
    for flag in &want.dump_flags {
        let mysql_source_data = !session.version.is_mariadb() && session.version.at_least(8, 2, 0);
        match flag.strip_prefix("--master-data=") {
            Some(n) if mysql_source_data => args.push(format!("--source-data={n}")),
            _ => args.push(flag.clone()),
        }
    }
    let target = want.target.clone().unwrap_or_default();
    let quoted: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
    let dump = format!("\"$mysqldump\" --defaults-file=\"$options\" {}", quoted.join(" "));
    let shown = format!("mysqldump {}", quoted.join(" "));
    let mut tools = vec![Tool::DUMP];
    let (script, executed) = match compressor(&target) {
        Some(tool) => {
            let name = tool.names[0];
            tools.push(tool);
            (
                format!(
                    "{{ {dump}; echo $? >\"$runbook_dir/status\"; }} | \"$compressor\" >{t}\n\
                     packed=$?; dumped=$(cat \"$runbook_dir/status\")\n\
                     [ \"$dumped\" = 0 ] || exit \"$dumped\"\nexit \"$packed\"",
                    t = target_word(&target)
                ),
                format!("{shown} | {name} > {}", shell_quote(&target)),
            )
        }
        None => (
            format!("{dump} >{}", target_word(&target)),
            format!("{shown} > {}", shell_quote(&target)),
        ),
    };
    Transfer {
        tools,
        script: format!("{}{script}", chdir_prefix(want)),
        executed: vec![executed],
    }
}

fn import_command(want: &Wanted) -> Transfer {
    let mut args: Vec<String> = Vec::new();
    if want.force {
        args.push("-f".into());
    }
    if !want.encoding.is_empty() {
        args.push(format!("--default-character-set={}", want.encoding));
    }
    if !want.all {
        args.push("--one-database".into());
        args.push(want.names.concat());
    }
    let target = want.target.clone().unwrap_or_default();
    let word = target_word(&target);
    let quoted: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
    let client = format!("\"$mysql\" --defaults-file=\"$options\" {}", quoted.join(" "));
    let shown = format!("mysql {}", quoted.join(" "));
    let exists = format!(
        "[ -e {word} ] || {{ echo \"target {} does not exist on the host\" >&2; exit 1; }}\n",
        target.replace(['"', '\\', '$', '`'], "_")
    );
    let mut tools = vec![Tool::CLIENT];
    let (script, executed) = match compressor(&target) {
        Some(tool) => {
            let name = tool.names[0];
            tools.push(tool);
            (
                format!(
                    "{{ \"$compressor\" -dc {word}; echo $? >\"$runbook_dir/status\"; }} | {client}\n\
                     loaded=$?; unpacked=$(cat \"$runbook_dir/status\")\n\
                     [ \"$unpacked\" = 0 ] || exit \"$unpacked\"\nexit \"$loaded\""
                ),
                format!("{name} -dc {} | {shown}", shell_quote(&target)),
            )
        }
        None => (
            format!("{client} <{word}"),
            format!("{shown} < {}", shell_quote(&target)),
        ),
    };
    Transfer {
        tools,
        script: format!("{}{exists}{script}", chdir_prefix(want)),
        executed: vec![executed],
    }
}

fn transfer(
    session: &Session,
    ctx: &mut ModuleContext,
    _want: &Wanted,
    command: Transfer,
    outcome: Outcome,
) -> Result<Outcome, ModuleError> {
    let output = session.run(ctx, &command.tools, &command.script, &[])?;
    if output.rc != 0 {
        let stderr = output.stderr_text().trim().to_string();
        let message = if stderr.is_empty() {
            format!("the command exited with status {}", output.rc)
        } else {
            stderr
        };
        return Err(ModuleError::failed(message));
    }
    Ok(outcome
        .with_msg(output.stdout_text())
        .with("executed_commands", Value::from(command.executed)))
}
