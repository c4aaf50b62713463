//! What the MySQL-backed procedures' tests start from: a real MariaDB, one
//! account on it whose password holds what a shell or an option file could
//! trip on, a lab, and the password in the project's `lab-db.json` (so no
//! command line holds it). The procedure's own lab playbook runs after.

use super::{Lab, MariaDb};

/// The database account a procedure's lab hosts log in with.
pub(crate) struct Account<'a> {
    /// The user name (allowed everything from 127.0.0.1 and localhost).
    pub user: &'a str,
    /// Two letters naming the procedure, the start of the unique `secret`.
    pub head: &'a str,
    /// What follows `secret` in the password: the characters to trip on.
    pub tail: &'a str,
    /// The variable `lab-db.json` gives the password in.
    pub variable: &'a str,
}

pub(crate) struct DbLab {
    pub lab: Lab,
    pub db: MariaDb,
    /// The password's unique head, for the process watcher.
    pub secret: String,
    pub password: String,
}

impl DbLab {
    /// MariaDB with `account`, then a lab of `hosts` hosts.
    pub(crate) fn up(hosts: usize, account: &Account) -> Self {
        let db = MariaDb::start();
        let secret = format!("{}{}x{}Q", account.head, std::process::id(), db.port);
        let password = format!("{secret}{}", account.tail);
        let quoted = password.replace('\\', "\\\\").replace('\'', "\\'");
        for host in ["127.0.0.1", "localhost"] {
            db.sql(&format!(
                "CREATE USER '{user}'@'{host}' IDENTIFIED BY '{quoted}'; GRANT ALL ON *.* TO '{user}'@'{host}'",
                user = account.user
            ));
        }
        let lab = Lab::up(hosts);
        let secrets = serde_json::json!({ account.variable: password }).to_string();
        lab.project.file("lab-db.json", &secrets);
        Self {
            lab,
            db,
            secret,
            password,
        }
    }

    /// Give every host the venv `path` (see [`super::venv::seed`]).
    pub(crate) fn venv(&self, path: &str) {
        for host in &self.lab.hosts {
            self.venv_on(host, path);
        }
    }

    /// Give `host` the venv `path`.
    pub(crate) fn venv_on(&self, host: &str, path: &str) {
        super::venv::seed(&self.lab, host, path);
    }
}
