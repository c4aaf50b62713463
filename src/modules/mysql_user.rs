//! `mysql_user` (community.mysql): an account present with its password
//! (checked against `mysql_native_password`'s hash, so the password never
//! goes into SQL text), its authentication plugin and its privileges
//! (`priv: 'db.*:SELECT,INSERT/other.t:ALL'`, column privileges
//! `SELECT (a, b)`), or absent. Accounts are written `` `user`@`host` ``.

use std::collections::BTreeMap;

use minijinja::value::ValueKind;
use sha1::{Digest, Sha1};

use super::utils::mysql::{
    Grants, LOGIN_ARGS, Login, Session, TlsRequires, grants_from_lines, names_of, parse_priv,
    quote_identifier, quote_string, require_clause, split_priv_string,
};
use super::{ArgSpec, Args, Module, ModuleContext, ModuleError, Outcome};
use crate::value::Value;

pub(super) struct MysqlUser;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "password",
        "encrypted",
        "host",
        "host_all",
        "state",
        "priv",
        "append_privs",
        "check_implicit_admin",
        "update_password",
        "sql_log_bin",
        "plugin",
        "plugin_hash_string",
        "plugin_auth_string",
        "column_case_sensitive",
        "tls_requires",
    ],
    aliases: &[("user", "name")],
    groups: &[&LOGIN_ARGS],
    required: &["name"],
    ..ArgSpec::EMPTY
};

const NATIVE: &str = "mysql_native_password";

struct Wanted {
    user: String,
    host: String,
    host_all: bool,
    present: bool,
    /// `mysql_native_password`'s `*HEX` of the password.
    password_hash: Option<String>,
    plugin: Option<String>,
    plugin_hash: Option<String>,
    plugin_auth: Option<String>,
    privileges: Option<Grants>,
    append: bool,
    update_password: bool,
    sql_log_bin: bool,
    tls: Option<TlsRequires>,
}

/// One account as the server has it.
struct Account {
    host: String,
    plugin: String,
    authentication: String,
    grants: Grants,
    tls: Option<TlsRequires>,
}

impl Module for MysqlUser {
    fn name(&self) -> &'static str {
        "mysql_user"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let want = wanted(args)?;
        let login = Login::from_args(args)?;
        let implicit_admin = args.bool("check_implicit_admin", false)?;
        let session = Session::open(ctx, "mysql_user", &login, implicit_admin)?;
        let accounts = accounts(&session, ctx, &want)?;
        let mut statements = Vec::new();
        let mut password_changed = false;
        let msg;
        if !want.present {
            if accounts.is_empty() {
                msg = "User doesn't exist";
            } else {
                for account in &accounts {
                    statements.push(format!("DROP USER {}", account_name(&want.user, &account.host)));
                }
                msg = "User deleted";
            }
        } else if accounts.is_empty() {
            if want.host_all {
                return Err(ModuleError::failed(
                    "host_all parameter cannot be used when adding a user",
                ));
            }
            let name = account_name(&want.user, &want.host);
            let identified = identified(&want, &session);
            password_changed = identified.is_some();
            let require = want
                .tls
                .as_ref()
                .map(|tls| format!(" {}", require_clause(Some(tls))))
                .unwrap_or_default();
            statements.push(format!(
                "CREATE USER {name}{}{require}",
                identified.map(|i| format!(" {i}")).unwrap_or_default()
            ));
            if let Some(privileges) = &want.privileges {
                statements.extend(privilege_changes(&name, &Grants::new(), privileges, false));
            }
            msg = "User added";
        } else {
            let mut what = Vec::new();
            for account in &accounts {
                let name = account_name(&want.user, &account.host);
                if want.update_password
                    && let Some(identified) = identified(&want, &session)
                    && authentication_differs(&want, account)
                {
                    statements.push(format!("ALTER USER {name} {identified}"));
                    password_changed = true;
                    what.push("Password updated");
                }
                if let Some(privileges) = &want.privileges {
                    let changes = privilege_changes(&name, &account.grants, privileges, want.append);
                    if !changes.is_empty() {
                        what.push("Privileges updated");
                    }
                    statements.extend(changes);
                }
                if account.tls != want.tls {
                    statements.push(format!(
                        "ALTER USER {name} {}",
                        require_clause(want.tls.as_ref())
                    ));
                    what.push("TLS requires updated");
                }
            }
            // As community.mysql, the last change names the result.
            msg = what.last().copied().unwrap_or("User unchanged");
        }
        let mut outcome = Outcome::ok()
            .with("user", want.user.as_str())
            .with("password_changed", password_changed)
            .with("attributes", Value::from(()))
            .with_msg(msg);
        outcome.changed = !statements.is_empty();
        if outcome.changed && !ctx.check_mode {
            let mut sql = String::new();
            if !want.sql_log_bin {
                sql.push_str("SET SQL_LOG_BIN=0;\n");
            }
            for statement in &statements {
                sql.push_str(statement);
                sql.push_str(";\n");
            }
            session.query(ctx, None, &sql)?;
        }
        Ok(outcome)
    }
}

fn wanted(args: &Args) -> Result<Wanted, ModuleError> {
    let present = match args.str("state")?.as_deref().unwrap_or("present") {
        "present" => true,
        "absent" => false,
        other => {
            return Err(ModuleError::failed(format!(
                "value of state must be one of: absent, present, got: {other}"
            )));
        }
    };
    let update_password = match args.str("update_password")?.as_deref().unwrap_or("always") {
        "always" => true,
        "on_create" => false,
        other => {
            return Err(ModuleError::failed(format!(
                "value of update_password must be one of: always, on_create, got: {other} (on_new_username is not supported by runbook)"
            )));
        }
    };
    let encrypted = args.bool("encrypted", false)?;
    let password_hash = match args.str("password")? {
        Some(hash) if encrypted => {
            let valid = hash.len() == 41
                && hash.starts_with('*')
                && hash[1..].chars().all(|c| c.is_ascii_hexdigit());
            if !valid {
                return Err(ModuleError::failed(
                    "with encrypted, password must be a mysql_native_password hash (* and 40 hex digits)",
                ));
            }
            Some(hash.to_ascii_uppercase())
        }
        Some(password) => Some(native_hash(&password)),
        None => None,
    };
    let privileges = match args.get("priv") {
        None => None,
        Some(value) => Some(priv_pairs(value).and_then(|pairs| parse_priv(&pairs)).map_err(ModuleError::failed)?),
    };
    let plugin = args.str("plugin")?;
    if let Some(plugin) = &plugin
        && !plugin.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(ModuleError::failed(format!("invalid plugin name {plugin:?}")));
    }
    Ok(Wanted {
        user: args.str("name")?.unwrap_or_default(),
        host: args.str("host")?.unwrap_or_else(|| "localhost".into()),
        host_all: args.bool("host_all", false)?,
        present,
        password_hash,
        plugin,
        plugin_hash: args.str("plugin_hash_string")?,
        plugin_auth: args.str("plugin_auth_string")?,
        privileges,
        append: args.bool("append_privs", false)?,
        update_password,
        sql_log_bin: args.bool("sql_log_bin", true)?,
        tls: TlsRequires::from_arg(args.get("tls_requires")).map_err(ModuleError::failed)?,
    })
}

/// `priv` as a string or a mapping of object → privileges.
fn priv_pairs(value: &Value) -> Result<Vec<(String, String)>, String> {
    match value.kind() {
        ValueKind::String => split_priv_string(value.as_str().unwrap_or_default()),
        ValueKind::Map => value
            .try_iter()
            .map_err(|e| e.to_string())?
            .map(|key| {
                let privileges = value.get_item(&key).map_err(|e| e.to_string())?;
                let privileges = match privileges.kind() {
                    ValueKind::Seq => privileges
                        .try_iter()
                        .map_err(|e| e.to_string())?
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                    _ => privileges.as_str().map_or_else(|| privileges.to_string(), str::to_string),
                };
                Ok((key.to_string(), privileges))
            })
            .collect(),
        _ => Err(format!("priv parameter must be str or dict but {} was passed", value.kind())),
    }
}

/// `mysql_native_password`'s stored form: `*` and SHA1(SHA1(password)) in hex.
fn native_hash(password: &str) -> String {
    let once = Sha1::digest(password.as_bytes());
    let twice = Sha1::digest(once);
    format!("*{}", hex::encode_upper(twice))
}

/// `` `user`@`host` ``.
fn account_name(user: &str, host: &str) -> String {
    format!("{}@{}", quote_identifier(user), quote_identifier(host))
}

fn accounts(session: &Session, ctx: &mut ModuleContext, want: &Wanted) -> Result<Vec<Account>, ModuleError> {
    let mut sql = format!(
        "SELECT Host AS host, plugin, authentication_string AS auth, ssl_type, ssl_cipher, x509_issuer, x509_subject FROM mysql.user WHERE User = {}",
        quote_string(&want.user)
    );
    if !want.host_all {
        sql.push_str(&format!(" AND Host = {}", quote_string(&want.host)));
    }
    sql.push_str(" ORDER BY Host;\n");
    let sets = session.query(ctx, None, &sql)?;
    let rows: Vec<_> = sets.into_iter().flat_map(|set| set.rows).collect();
    let mut found = Vec::new();
    for row in rows {
        let cell = |name: &str| row.get(name).cloned().flatten().unwrap_or_default();
        found.push(Account {
            host: cell("host"),
            plugin: cell("plugin"),
            authentication: cell("auth"),
            grants: Grants::new(),
            tls: TlsRequires::from_account(
                &cell("ssl_type"),
                &cell("ssl_cipher"),
                &cell("x509_issuer"),
                &cell("x509_subject"),
            ),
        });
    }
    if want.present && want.privileges.is_some() && !found.is_empty() {
        let sql: String = found
            .iter()
            .map(|a| format!("SHOW GRANTS FOR {};\n", account_name(&want.user, &a.host)))
            .collect();
        let sets = session.query(ctx, None, &sql)?;
        for (account, set) in found.iter_mut().zip(sets) {
            let lines: Vec<String> = set
                .rows
                .iter()
                .filter_map(|row| row.values().next().cloned().flatten())
                .collect();
            account.grants = grants_from_lines(lines.iter().map(String::as_str));
        }
    }
    Ok(found)
}

/// The `IDENTIFIED ...` clause the task asks for, if any.
fn identified(want: &Wanted, session: &Session) -> Option<String> {
    if let Some(plugin) = &want.plugin {
        let mut clause = format!("IDENTIFIED WITH {plugin}");
        if let Some(hash) = &want.plugin_hash {
            clause.push_str(&format!(" AS {}", quote_string(hash)));
        } else if let Some(auth) = &want.plugin_auth {
            if session.version.is_mariadb() {
                clause.push_str(&format!(" USING PASSWORD({})", quote_string(auth)));
            } else {
                clause.push_str(&format!(" BY {}", quote_string(auth)));
            }
        } else if plugin == NATIVE
            && let Some(hash) = &want.password_hash
        {
            clause.push_str(&format!(" AS {}", quote_string(hash)));
        }
        return Some(clause);
    }
    want.password_hash
        .as_ref()
        .map(|hash| format!("IDENTIFIED WITH {NATIVE} AS {}", quote_string(hash)))
}

fn authentication_differs(want: &Wanted, account: &Account) -> bool {
    let plugin = if account.plugin.is_empty() { NATIVE } else { account.plugin.as_str() };
    match &want.plugin {
        Some(wanted) => {
            if wanted != plugin {
                return true;
            }
            if let Some(hash) = &want.plugin_hash {
                return *hash != account.authentication;
            }
            if wanted == NATIVE
                && let Some(hash) = &want.password_hash
            {
                return *hash != account.authentication;
            }
            false
        }
        None => match &want.password_hash {
            Some(hash) => plugin != NATIVE || *hash != account.authentication,
            None => false,
        },
    }
}

/// REVOKE/GRANT statements that turn `have` into `want` (with `append`,
/// only add).
fn privilege_changes(name: &str, have: &Grants, want: &Grants, append: bool) -> Vec<String> {
    let mut statements = Vec::new();
    if !append {
        for (object, privileges) in have {
            if !want.contains_key(object) {
                statements.extend(revoke(name, object, privileges));
            }
        }
    }
    for (object, privileges) in want {
        let current = have.get(object).cloned().unwrap_or_default();
        let same = current.keys().eq(privileges.keys());
        if same {
            continue;
        }
        if append {
            let missing: BTreeMap<_, _> = privileges
                .iter()
                .filter(|(key, _)| !current.contains_key(*key))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !missing.is_empty() {
                statements.push(grant(name, object, &missing));
            }
        } else {
            if !current.is_empty() {
                statements.extend(revoke(name, object, &current));
            }
            statements.push(grant(name, object, privileges));
        }
    }
    statements
}

fn revoke(
    name: &str,
    object: &str,
    privileges: &BTreeMap<String, super::utils::mysql::PrivilegeSpec>,
) -> Vec<String> {
    let mut statements = Vec::new();
    if privileges.contains_key("GRANT") {
        statements.push(format!("REVOKE GRANT OPTION ON {object} FROM {name}"));
    }
    let names = names_of(privileges);
    if !(names.is_empty() || names.len() == 1 && names.contains("USAGE")) {
        statements.push(format!("REVOKE ALL PRIVILEGES ON {object} FROM {name}"));
    }
    statements
}

fn grant(
    name: &str,
    object: &str,
    privileges: &BTreeMap<String, super::utils::mysql::PrivilegeSpec>,
) -> String {
    let list: Vec<String> = privileges
        .values()
        .filter(|p| p.name != "GRANT")
        .map(|p| p.sql())
        .collect();
    let list = if list.is_empty() { "USAGE".to_string() } else { list.join(", ") };
    let option = if privileges.contains_key("GRANT") { " WITH GRANT OPTION" } else { "" };
    format!("GRANT {list} ON {object} TO {name}{option}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_like_mysql_native_password() {
        assert_eq!(native_hash("a\"b\\c'd #e $f\tt"), "*3679F69B367307CE9092650E0EF2F8629DBD3B00");
    }

    #[test]
    fn replaces_privileges_unless_appending() {
        let have = parse_priv(&split_priv_string("app.*:SELECT,INSERT/old.*:ALL").unwrap()).unwrap();
        let want = parse_priv(&split_priv_string("app.*:SELECT").unwrap()).unwrap();
        let name = account_name("u", "%");
        assert_eq!(
            privilege_changes(&name, &have, &want, false),
            [
                "REVOKE ALL PRIVILEGES ON `old`.* FROM `u`@`%`",
                "REVOKE ALL PRIVILEGES ON `app`.* FROM `u`@`%`",
                "GRANT SELECT ON `app`.* TO `u`@`%`",
            ]
        );
        assert!(privilege_changes(&name, &have, &want, true).is_empty());
    }
}
