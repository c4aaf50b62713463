//! Talking to a MySQL or MariaDB server through the host's own client.
//!
//! Every command is one script that makes a private directory (`mktemp -d`
//! under a 0077 umask), writes the option file there from its stdin (the
//! task's `config_file` first through `!include`, then a `[client]` group
//! with what the task gave), passes it as `--defaults-file`, and removes the
//! directory when it exits, failed or not. The password is in that file and
//! in the script's stdin only: never in a command line or an environment.

use crate::connection::{ExecOutput, shell_quote};
use crate::modules::utils::exec::environment_prefix;
use crate::modules::{ModuleContext, ModuleError};

use super::login::Login;
use super::xml::{ResultSet, parse_results};

/// What the server says it is (`SELECT VERSION()`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ServerVersion {
    pub full: String,
    pub major: u64,
    pub minor: u64,
    pub release: u64,
    /// What follows `major.minor.release-` (`MariaDB-0+deb12u1`), or empty.
    pub suffix: String,
}

impl ServerVersion {
    pub(crate) fn parse(full: &str) -> Self {
        let mut parts = full.splitn(3, '.');
        let mut number = || {
            parts
                .next()
                .map(|part| {
                    part.chars()
                        .take_while(char::is_ascii_digit)
                        .collect::<String>()
                })
                .and_then(|digits| digits.parse().ok())
                .unwrap_or(0)
        };
        let (major, minor) = (number(), number());
        let third = full.splitn(3, '.').nth(2).unwrap_or_default();
        let (release, suffix) = third.split_once('-').unwrap_or((third, ""));
        Self {
            full: full.to_string(),
            major,
            minor,
            release: release
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0),
            suffix: suffix.to_string(),
        }
    }

    pub(crate) fn is_mariadb(&self) -> bool {
        self.full.to_ascii_lowercase().contains("mariadb")
    }

    pub(crate) fn at_least(&self, major: u64, minor: u64, release: u64) -> bool {
        (self.major, self.minor, self.release) >= (major, minor, release)
    }
}

/// A server the module has reached once (so later errors are query
/// errors, not login errors).
pub(crate) struct Session {
    login: Login,
    module: &'static str,
    pub version: ServerVersion,
}

/// Printed by the script when the host has no client; turned into a clear error.
const NO_TOOL: &str = "runbook-mysql: no tool:";

impl Session {
    /// Reach the server: as root without a password first when
    /// `implicit_admin` (community.mysql's `check_implicit_admin`), then
    /// with the task's login.
    pub(crate) fn open(
        ctx: &mut ModuleContext,
        module: &'static str,
        login: &Login,
        implicit_admin: bool,
    ) -> Result<Self, ModuleError> {
        let mut candidates = Vec::new();
        if implicit_admin {
            candidates.push(login.implicit_admin());
        }
        candidates.push(login.clone());
        let mut last_error = String::new();
        for candidate in candidates {
            let mut session = Self {
                login: candidate,
                module,
                version: ServerVersion::parse(""),
            };
            let output = session.client(ctx, None, "SELECT VERSION() AS version;\n", &["--xml"])?;
            if output.rc == 0 {
                let sets =
                    parse_results(&output.stdout_text()).map_err(|e| session.unreadable(&e))?;
                let full = sets
                    .first()
                    .and_then(|set| set.rows.first())
                    .and_then(|row| row.get("version").cloned().flatten())
                    .ok_or_else(|| session.unreadable("no VERSION() in the answer"))?;
                session.version = ServerVersion::parse(&full);
                return Ok(session);
            }
            last_error = output.stderr_text().trim().to_string();
        }
        Err(ModuleError::failed(format!(
            "unable to connect to database, check login_user and login_password are correct or {} has the credentials. Exception message: {last_error}",
            login.config_file
        )))
    }

    /// Run `sql` and read its result sets; a failing statement fails the task.
    pub(crate) fn query(
        &self,
        ctx: &mut ModuleContext,
        database: Option<&str>,
        sql: &str,
    ) -> Result<Vec<ResultSet>, ModuleError> {
        let output = self.client(ctx, database, sql, &["--xml"])?;
        if output.rc != 0 {
            return Err(ModuleError::failed(output.stderr_text().trim().to_string()));
        }
        self.results(&output)
    }

    /// Run `sql` and return what came back, failed or not, for callers that
    /// report partial results.
    pub(crate) fn query_output(
        &self,
        ctx: &mut ModuleContext,
        database: Option<&str>,
        sql: &str,
    ) -> Result<ExecOutput, ModuleError> {
        self.client(ctx, database, sql, &["--xml"])
    }

    pub(crate) fn results(&self, output: &ExecOutput) -> Result<Vec<ResultSet>, ModuleError> {
        parse_results(&output.stdout_text()).map_err(|e| self.unreadable(&e))
    }

    fn unreadable(&self, problem: &str) -> ModuleError {
        ModuleError::failed(format!(
            "{}: cannot read what the mysql client printed ({problem}); is `mariadb`/`mysql` on this host the real client?",
            self.module
        ))
    }

    fn client(
        &self,
        ctx: &mut ModuleContext,
        database: Option<&str>,
        sql: &str,
        flags: &[&str],
    ) -> Result<ExecOutput, ModuleError> {
        let mut command = String::from("\"$mysql\" --defaults-file=\"$options\" --batch");
        for flag in flags {
            command.push(' ');
            command.push_str(flag);
        }
        if let Some(database) = database {
            command.push_str(&format!(" --database={}", shell_quote(database)));
        }
        self.run(ctx, &[Tool::CLIENT], &command, sql.as_bytes())
    }

    /// Run `body`, a line of `sh` that may use `"$options"` (the option
    /// file, to pass first as `--defaults-file="$options"`) and the tools
    /// asked for (`"$mysql"`, `"$mysqldump"`), with `input` on its stdin
    /// after the option file's bytes.
    pub(crate) fn run(
        &self,
        ctx: &mut ModuleContext,
        tools: &[Tool],
        body: &str,
        input: &[u8],
    ) -> Result<ExecOutput, ModuleError> {
        let options = self.login.option_group();
        // The task's `environment:` reaches the client (and TMPDIR says
        // where the option file goes), as it reaches a Python module.
        let mut script = environment_prefix(ctx.environment);
        script.push_str(&format!(
            "umask 077\n\
             runbook_dir=$(mktemp -d \"${{TMPDIR:-/tmp}}/runbook-mysql.XXXXXX\") || exit 1\n\
             trap 'rm -rf \"$runbook_dir\"' EXIT\n\
             trap 'exit 129' HUP\ntrap 'exit 130' INT\ntrap 'exit 143' TERM\n\
             options=$runbook_dir/client.cnf\n\
             config={config}\n\
             case $config in \"~/\"*) config=$HOME/${{config#\"~/\"}} ;; esac\n\
             {{ if [ -f \"$config\" ] && [ -r \"$config\" ]; then printf '!include %s\\n' \"$config\"; fi\n\
             dd bs=1 count={count} 2>/dev/null; }} >\"$options\" || exit 1\n",
            config = shell_quote(&self.login.config_file),
            count = options.len(),
        ));
        for tool in tools {
            let lookups: Vec<String> = tool
                .names
                .iter()
                .map(|name| format!("command -v {name}"))
                .collect();
            script.push_str(&format!(
                "{var}=$({lookups}) || {{ echo '{NO_TOOL} {shown}' >&2; exit 127; }}\n",
                var = tool.variable,
                lookups = lookups.join(" || "),
                shown = tool.names.join(" or "),
            ));
        }
        script.push_str(body);
        script.push('\n');
        let mut stdin = options.into_bytes();
        stdin.extend_from_slice(input);
        let output = ctx.connection()?.run(&script, Some(&stdin))?;
        let stderr = output.stderr_text();
        if output.rc == 127
            && let Some(tool) = stderr.lines().find_map(|line| line.strip_prefix(NO_TOOL))
        {
            return Err(ModuleError::failed(format!(
                "{} needs{} on {}, which is not installed there",
                self.module, tool, ctx.host
            )));
        }
        Ok(output)
    }
}

/// A client program the host may call by several names, the first found
/// wins. `mariadb`/`mariadb-dump` come first, as community.mysql picks them
/// for MariaDB servers (on a MySQL host only `mysql`/`mysqldump` exist).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tool {
    pub variable: &'static str,
    pub names: &'static [&'static str],
}

impl Tool {
    pub(crate) const CLIENT: Tool = Tool {
        variable: "mysql",
        names: &["mariadb", "mysql"],
    };
    pub(crate) const DUMP: Tool = Tool {
        variable: "mysqldump",
        names: &["mariadb-dump", "mysqldump"],
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mysql_and_mariadb_versions() {
        let maria = ServerVersion::parse("10.11.19-MariaDB-0+deb12u1");
        assert_eq!((maria.major, maria.minor, maria.release), (10, 11, 19));
        assert_eq!(maria.suffix, "MariaDB-0+deb12u1");
        assert!(maria.is_mariadb());
        let mysql = ServerVersion::parse("8.0.36");
        assert_eq!(
            (
                mysql.major,
                mysql.minor,
                mysql.release,
                mysql.suffix.as_str()
            ),
            (8, 0, 36, "")
        );
        assert!(!mysql.is_mariadb() && mysql.at_least(8, 0, 0) && !mysql.at_least(8, 2, 0));
    }
}
