//! bk-log's upgrade (seed 001) end to end on labs: the supervisorctl shim
//! runs the lab's programs for real (manage.py runserver and celery, from
//! playbooks/lab/files/bklog/), whose migrations change a real MariaDB,
//! and the lab's check_migrate.py behaves as bk-log's.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::support::{
    Account, DbLab, Lab, MariaDb, Output, assert_nothing_changed, recap, watching_processes,
};

fn playbook(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("playbooks")
        .join(name);
    path.to_str().expect("utf8 path").to_string()
}

/// The `bklog` account every host's environ.sh logs in with.
const ACCOUNT: Account = Account {
    user: "bklog",
    head: "Bk",
    tail: " $HOME;#`x`&|\"",
    variable: "bklog_lab_db_password",
};

const CONF: &str = "supervisorctl -c /etc/supervisor-bklog-api.conf";
const HOME: &str = "opt/bkce";

struct BkLog {
    lab: Lab,
    db: MariaDb,
    secret: String,
}

impl BkLog {
    /// A lab of `hosts` bk-log hosts at `versions` (default 4.6.1), each
    /// with its database on one MariaDB, Web and Celery running.
    fn up(hosts: usize, versions: &[(&str, &str)]) -> Self {
        let base = DbLab::up(hosts, &ACCOUNT);
        base.venv(&format!("/{HOME}/.envs/bklog-api"));
        let DbLab {
            lab, db, secret, ..
        } = base;
        let this = Self { lab, db, secret };
        let versions: BTreeMap<&str, &str> = versions.iter().copied().collect();
        let versions = format!(
            "{{\"bklog_lab_versions\": {}}}",
            serde_json::to_string(&versions).expect("json")
        );
        this.play(
            &["lab/bklog-upgrade.yml"],
            &["-e", &versions, "-e", "@lab-db.json"],
        )
        .assert_code(0);
        this
    }

    fn play(&self, playbooks: &[&str], extra: &[&str]) -> Output {
        let paths: Vec<String> = playbooks.iter().map(|name| playbook(name)).collect();
        let port = format!("bklog_lab_db_port={}", self.db.port);
        let mut args = vec!["play"];
        args.extend(paths.iter().map(String::as_str));
        args.extend([
            "-i",
            "lab",
            "-e",
            "bklog_hosts=lab",
            "-e",
            "bklog_home=/opt/bkce",
            "-e",
            "bklog_start_timeout=30",
            "-e",
            &port,
        ]);
        args.extend_from_slice(extra);
        self.lab.run(&args)
    }

    /// The upgrade, its downtime confirmed on the command line.
    fn upgrade(&self, extra: &[&str]) -> Output {
        let mut args = vec!["-e", "bklog_confirm=yes"];
        args.extend_from_slice(extra);
        self.play(&["bklog-upgrade.yml"], &args)
    }

    fn file(&self, host: &str, path: &str) -> String {
        std::fs::read_to_string(self.lab.host_root(host).join(path))
            .unwrap_or_else(|error| panic!("{host}:{path}: {error}"))
    }

    fn version(&self, host: &str) -> String {
        self.file(host, &format!("{HOME}/bklog/api/VERSION"))
            .trim()
            .to_string()
    }

    fn environ(&self, host: &str) -> String {
        self.file(host, &format!("{HOME}/bklog/api/bin/environ.sh"))
    }

    /// The host's database: migrations, rows, columns.
    fn rows(&self, host: &str) -> String {
        let db = format!("bklog_{host}");
        [
            "SELECT app, name FROM {db}.django_migrations ORDER BY id",
            "SELECT * FROM {db}.log_search_logindexset ORDER BY 1",
            "SELECT * FROM {db}.log_databus_collectorconfig ORDER BY 1",
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = '{db}' ORDER BY 1, ordinal_position",
        ]
        .iter()
        .map(|query| self.db.sql(&query.replace("{db}", &db)))
        .collect::<Vec<_>>()
        .join("--\n")
    }

    /// Every call but status reads: supervisorctl start/stop, manage.py
    /// (migrations, and the programs supervisord ran, with their code's
    /// version), the address of `runserver` left out.
    fn calls(&self, host: &str) -> Vec<String> {
        self.lab
            .shim_calls(host)
            .into_iter()
            .map(|(shim, argv)| format!("{shim} {argv}").trim_end().to_string())
            .filter(|call| !call.starts_with(&format!("{CONF} status")))
            .map(|call| match call.find(" runserver ") {
                Some(at) => format!("{} runserver", &call[..at]),
                None => call,
            })
            .collect()
    }

    fn knob(&self, host: &str, name: &str, content: &str) {
        let dir = self
            .lab
            .host_root(host)
            .join("var/lib/runbook-shims/bklog/knobs");
        std::fs::create_dir_all(&dir).expect("knobs");
        std::fs::write(dir.join(name), content).expect("knob");
    }

    fn status(&self, host: &str) -> Output {
        self.lab.run(&[
            "run",
            host,
            "-i",
            "lab",
            "-m",
            "command",
            "-a",
            &format!("{CONF} status"),
        ])
    }

    fn backups(&self, host: &str) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(self.lab.host_root(host).join(HOME).join("backup/bklog"))
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|entry| entry.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
        names.sort();
        names
    }

    /// The host's files, but the logs the running programs write (the
    /// health probe's request lands in api.log).
    fn snapshot(&self, host: &str) -> BTreeMap<String, String> {
        let mut files = self.lab.snapshot(host);
        files.retain(|path, _| !path.starts_with(&format!("{HOME}/logs/")));
        files
    }

    fn files(&self) -> BTreeMap<String, BTreeMap<String, String>> {
        self.lab
            .hosts
            .iter()
            .map(|host| (host.clone(), self.snapshot(host)))
            .collect()
    }
}

/// What the lab's preparation leaves in every host's call log.
fn lab_calls(version: &str) -> Vec<String> {
    [
        format!("manage.py {version} migrate --noinput"),
        format!("manage.py {version} createcachetable django_cache"),
        format!("{CONF} start 'bklog-celery:*'"),
        format!("manage.py {version} celery worker -n bklog-api -Q default,celery -c 4 -l INFO"),
        format!("manage.py {version} celery beat -l INFO"),
        format!("{CONF} start 'bklog-web:*'"),
        format!("manage.py {version} runserver"),
    ]
    .into()
}

fn stop_calls() -> Vec<String> {
    vec![
        format!("{CONF} stop 'bklog-web:*'"),
        format!("{CONF} stop 'bklog-celery:*'"),
    ]
}

/// Celery then Web, running `version`'s code.
fn start_calls(version: &str) -> Vec<String> {
    lab_calls(version)[2..].to_vec()
}

fn upgrade_calls() -> Vec<String> {
    let mut calls = stop_calls();
    calls.extend(
        [
            "migrate contenttypes --noinput",
            "migrate auth --noinput",
            "migrate admin --noinput",
            "migrate sessions --noinput",
            "migrate --noinput",
            "createcachetable django_cache",
        ]
        .iter()
        .map(|call| format!("manage.py 4.7.0 {call}")),
    );
    calls.extend(start_calls("4.7.0"));
    calls
}

fn concat(parts: &[Vec<String>]) -> Vec<String> {
    parts.concat()
}

#[test]
fn bklog_upgrade_follows_the_document_is_idempotent_and_rolls_back_when_asked() {
    let bk = BkLog::up(2, &[]);
    let environ = [bk.environ("node1"), bk.environ("node2")];
    let before = [bk.rows("node1"), bk.rows("node2")];
    let (_, leaks) = watching_processes(&bk.secret, || {
        let files = bk.files();
        let check = bk.upgrade(&["--check"]);
        check.assert_code(0);
        assert!(
            check.stdout.contains("node1 (4.6.1 -> 4.7.0): would unpack /opt/src/bklog-api-4.7.0.tgz (on the host) into /opt/bkce/releases/bklog-api/4.7.0, run check_migrate.py on its new migrations")
                && check.stdout.contains("stop bklog-web then bklog-celery, deploy, install requirements.txt, migrate contenttypes, auth, admin, sessions then the rest, run createcachetable django_cache, start bklog-celery then bklog-web and verify"),
            "{}",
            check.all()
        );
        assert_eq!(bk.files(), files, "--check changed files");
        assert_eq!(
            [bk.rows("node1"), bk.rows("node2")],
            before,
            "--check changed the databases"
        );
        for host in &bk.lab.hosts {
            assert_eq!(bk.calls(host), lab_calls("4.6.1"), "{host}: only the lab's");
        }

        let first = bk.upgrade(&[]);
        first.assert_code(0);
        assert!(!first.all().contains(&bk.secret), "{}", first.all());
        assert!(
            first
                .stdout
                .contains("\"+export BKAPP_ENABLE_IPV6=\\\"true\\\"\"")
                && first.stdout.contains("\" export DB_PASSWORD=********\""),
            "the configuration diff, its secret masked: {}",
            first.stdout
        );
        let second = bk.upgrade(&[]);
        second.assert_code(0);
        assert_nothing_changed(&second);
    });
    // bk-log reads its password from the environment bin/environ.sh
    // exports: processes that sourced it (its programs, manage.py) hold it
    // by design; no other process, and no command line, may.
    let leaks: Vec<&String> = leaks
        .iter()
        .filter(|leak| {
            !(leak.contains(" environ: ") && leak.contains("\0DJANGO_SETTINGS_MODULE=settings\0"))
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "the password reached a command line or a process that did not source bin/environ.sh: {:?}",
        leaks.first()
    );

    for (host, environ) in bk.lab.hosts.iter().zip(&environ) {
        assert_eq!(
            bk.calls(host),
            concat(&[lab_calls("4.6.1"), upgrade_calls()]),
            "{host}"
        );
        assert_eq!(bk.version(host), "4.7.0");
        let new = bk.environ(host);
        assert!(
            new.ends_with("\n# IPv6 采集\nexport BKAPP_ENABLE_IPV6=\"true\"\n"),
            "{new}"
        );
        assert!(
            new.starts_with(environ.as_str()),
            "{host}: every value carried over:\n{new}"
        );
        let status = bk.status(host);
        status.assert_code(0);
        assert_eq!(
            status.stdout.matches(" RUNNING ").count(),
            3,
            "{}",
            status.stdout
        );
        let backups = bk.backups(host);
        assert_eq!(backups.len(), 1, "{host}: one backup: {backups:?}");
        assert!(
            backups[0].starts_with("bklog-") && backups[0].ends_with("-4.6.1"),
            "{backups:?}"
        );
        let backup = format!("{HOME}/backup/bklog/{}", backups[0]);
        assert_eq!(bk.file(host, &format!("{backup}/code/VERSION")), "4.6.1\n");
        assert_eq!(bk.file(host, &format!("{backup}/environ.sh")), *environ);
        assert!(
            bk.lab
                .host_root(host)
                .join(format!("{backup}/logs.tar.gz"))
                .is_file()
        );
        assert!(
            bk.file(host, &format!("{backup}/supervisor-bklog-api.conf"))
                .contains("[group:bklog-web]")
        );
        let dump = bk.file(host, &format!("{backup}/db.sql"));
        assert!(
            dump.contains(
                "INSERT INTO `log_search_logindexset` VALUES\n(1,'nginx-access'),\n(2,'app-error');"
            ),
            "dumped before the migration: {dump}"
        );
        assert!(
            dump.lines()
                .last()
                .unwrap_or_default()
                .starts_with("-- Dump completed")
        );
    }
    // node2 stopped only after node1 was verified (serial: 1).
    let stamp = |host: &str, call: &str, nth: usize| {
        bk.file(host, "var/log/runbook-shims.log")
            .lines()
            .filter(|line| line.contains(call))
            .nth(nth)
            .and_then(|line| line.split('\t').next())
            .map(str::to_string)
            .expect("a call")
    };
    assert!(
        stamp("node1", "start 'bklog-web:*'", 1) < stamp("node2", "stop 'bklog-web:*'", 0),
        "node2 stopped before node1 was back"
    );
    let after = bk.rows("node1");
    assert!(
        after.starts_with("contenttypes\t0001_initial\nauth\t0001_initial\nadmin\t0001_initial\nsessions\t0001_initial\nlog_databus\t0001_initial\nlog_search\t0001_initial\nlog_databus\t0002_collectorconfig_enable_ipv6\nlog_search\t0002_logindexset_space_uid\n--\n1\tnginx-access\t\n2\tapp-error\t\n--\n1\t2\t0\n"),
        "{after}"
    );

    // The document's rollback plan, by hand: refused unconfirmed...
    let refused = bk.play(
        &["bklog-upgrade.yml"],
        &["--tags", "rollback", "-l", "node1"],
    );
    refused.assert_code(2);
    assert!(
        refused
            .stdout
            .contains("The rollback was not confirmed (answer yes, or -e bklog_confirm=yes). Nothing was stopped."),
        "{}",
        refused.all()
    );
    assert_eq!(bk.version("node1"), "4.7.0");
    // ... then the newest backup restored: code, config, database.
    let rollback = bk.upgrade(&["--tags", "rollback", "-l", "node1"]);
    rollback.assert_code(0);
    assert_eq!(bk.version("node1"), "4.6.1");
    assert_eq!(bk.environ("node1"), environ[0]);
    assert_eq!(bk.rows("node1"), before[0], "the dump was restored");
    assert_eq!(
        bk.calls("node1"),
        concat(&[
            lab_calls("4.6.1"),
            upgrade_calls(),
            stop_calls(),
            start_calls("4.6.1")
        ])
    );
    bk.status("node1").assert_code(0);
    assert_eq!(bk.version("node2"), "4.7.0", "node2 was not asked for");
}

#[test]
fn bklog_check_migrate_errors_stop_the_upgrade_before_anything_stops() {
    let bk = BkLog::up(2, &[]);
    let files = bk.files();
    let rows = [bk.rows("node1"), bk.rows("node2")];
    // check_migrate.py passes the second time from the same directory: the
    // playbook must refuse again.
    for _ in 0..2 {
        let output = bk.upgrade(&["-e", "bklog_archive=/opt/src/bklog-api-4.7.0-badfield.tgz"]);
        output.assert_code(2);
        assert!(
            output.stdout.contains("BK-LOG UPGRADE FAILED on node1 at \\\"Check the new migrations' field names (check_migrate.py)\\\": File 0003_logindexset_auth_code.py: Field (auth_code) in Model (logindexset) might be replaced by (access_token)\\nSome field not standard, please check.")
                && output.stdout.contains("The failure came before the stop: bk-log still runs 4.6.1, untouched.\\nBackup: not taken."),
            "{}",
            output.all()
        );
        for host in &bk.lab.hosts {
            assert_eq!(
                bk.calls(host),
                lab_calls("4.6.1"),
                "{host}: nothing stopped"
            );
            assert_eq!(bk.version(host), "4.6.1");
            assert!(bk.backups(host).is_empty(), "{host}");
        }
        assert_eq!([bk.rows("node1"), bk.rows("node2")], rows);
        assert_eq!(bk.snapshot("node2"), files["node2"], "node2 untouched");
        let recap = recap(&output);
        assert!(
            recap.get("node2").is_none_or(|host| host.changed == 0),
            "{}",
            output.all()
        );
        bk.status("node1").assert_code(0);
    }
}

#[test]
fn bklog_failed_migration_restores_code_config_and_database_and_starts_the_old_release() {
    let bk = BkLog::up(2, &[]);
    let environ = bk.environ("node1");
    let rows = [bk.rows("node1"), bk.rows("node2")];
    let node2 = bk.snapshot("node2");
    // log_databus.0002 applies, log_search.0002 fails: half-migrated.
    bk.knob(
        "node1",
        "migrate_fails",
        "log_search.0002_logindexset_space_uid",
    );
    let output = bk.upgrade(&[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("BK-LOG UPGRADE FAILED on node1 at \\\"Then the business apps (manage.py migrate)\\\"")
            && output.stdout.contains("Unknown column 'space_uid'")
            && output.stdout.contains("Rolled back: the code, bin/environ.sh and the database (from the dump) are back at 4.6.1 and every program runs the old release again."),
        "{}",
        output.all()
    );
    assert_eq!(bk.version("node1"), "4.6.1");
    assert_eq!(bk.environ("node1"), environ);
    assert_eq!(bk.rows("node1"), rows[0], "the database as before");
    let mut expected = concat(&[lab_calls("4.6.1"), upgrade_calls()]);
    expected.truncate(lab_calls("4.6.1").len() + 7);
    expected.extend(stop_calls());
    expected.extend(start_calls("4.6.1"));
    assert_eq!(bk.calls("node1"), expected);
    bk.status("node1").assert_code(0);
    // node2 was never reached.
    assert_eq!(bk.calls("node2"), lab_calls("4.6.1"));
    assert_eq!(bk.snapshot("node2"), node2);
    assert_eq!(bk.rows("node2"), rows[1]);

    // The new release boots but logs an ERROR: the same rollback, from the
    // log check; with bklog_rollback_on_failure=false it is left for
    // investigation instead.
    std::fs::remove_file(
        bk.lab
            .host_root("node1")
            .join("var/lib/runbook-shims/bklog/knobs/migrate_fails"),
    )
    .expect("knob removed");
    bk.knob("node1", "web_error", "4.7.0");
    let output = bk.upgrade(&["-l", "node1"]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("BK-LOG UPGRADE FAILED on node1 at \\\"No ERROR line in the logs since the start\\\": api.log: ERROR [")
            && output.stdout.contains("Rolled back: the code, bin/environ.sh and the database (from the dump) are back at 4.6.1"),
        "{}",
        output.all()
    );
    assert_eq!(bk.version("node1"), "4.6.1");
    assert_eq!(bk.rows("node1"), rows[0]);
    let output = bk.upgrade(&["-l", "node1", "-e", "bklog_rollback_on_failure=false"]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("NOT rolled back (bklog_rollback_on_failure=false)")
            && output.stdout.contains("roll back with --tags rollback -e bklog_rollback_backup=/opt/bkce/backup/bklog/bklog-"),
        "{}",
        output.all()
    );
    assert_eq!(bk.version("node1"), "4.7.0", "left as it failed");
    assert_eq!(bk.backups("node1").len(), 3, "one backup per attempt");
}

#[test]
fn bklog_upgrade_refuses_unsupported_unhealthy_or_unconfirmed_hosts_with_nothing_touched() {
    let bk = BkLog::up(2, &[("node2", "4.5.0")]);
    let rows = [bk.rows("node1"), bk.rows("node2")];
    let assert_untouched = |output: &Output, message: &str| {
        output.assert_code(2);
        assert!(
            output.stdout.contains(message),
            "{message}\n{}",
            output.all()
        );
        assert_eq!(bk.calls("node1"), lab_calls("4.6.1"));
        assert_eq!(bk.calls("node2"), lab_calls("4.5.0"));
        assert_eq!([bk.rows("node1"), bk.rows("node2")], rows);
        assert!(
            recap(output).values().all(|host| host.changed == 0),
            "{}",
            output.all()
        );
    };
    let files = bk.files();
    assert_untouched(
        &bk.upgrade(&[]),
        "node2 runs bk-log 4.5.0; this procedure upgrades 4.6.0 or later to 4.7.0",
    );
    assert_eq!(bk.files(), files, "files changed");
    assert_untouched(
        &bk.upgrade(&["-l", "node1", "-e", "bklog_min_mariadb=99.0"]),
        "bk-log 4.7.0 needs MySQL >= 5.7 or MariaDB >= 99.0. Nothing was touched.",
    );
    assert_untouched(
        &bk.upgrade(&["-l", "node1", "-e", "bklog_min_python=9.0"]),
        "needs >= 9.0. Nothing was touched.",
    );
    // Not confirmed: no terminal, the default answer is no.
    assert_untouched(
        &bk.play(&["bklog-upgrade.yml"], &["-l", "node1"]),
        "The downtime was not confirmed (answer yes, or -e bklog_confirm=yes). Nothing was stopped.",
    );
    assert_eq!(bk.files(), files, "files changed");

    // A Celery program stopped by hand: refused, and left as it was.
    bk.lab
        .run(&[
            "run",
            "node1",
            "-i",
            "lab",
            "-m",
            "command",
            "-a",
            &format!("{CONF} stop bklog-celery:bklog-celery-beat"),
        ])
        .assert_code(0);
    let output = bk.upgrade(&["-l", "node1"]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("node1: supervisorctl status says [")
            && output
                .stdout
                .contains("bklog-celery:bklog-celery-beat   STOPPED   ")
            && output
                .stdout
                .contains("bk-log must be running and healthy before it is upgraded"),
        "{}",
        output.all()
    );
    assert_eq!(
        bk.calls("node1"),
        concat(&[
            lab_calls("4.6.1"),
            vec![format!("{CONF} stop bklog-celery:bklog-celery-beat")]
        ])
    );
    assert_eq!(
        bk.status("node1").code,
        2,
        "status exits 3: rc 2 from the module"
    );
}

/// The two other ways of getting the release the playbook offers: a git
/// checkout on the host (node1) and an archive on the controller (node2),
/// each predicted by --check, run, verified and idempotent.
#[test]
fn bklog_upgrade_from_a_git_checkout_and_from_an_archive_on_the_controller() {
    let bk = BkLog::up(2, &[]);
    // The release archive exists only on the controller.
    let archive = bk.lab.project.join("releases/bklog-api-4.7.0.tgz");
    std::fs::create_dir_all(archive.parent().expect("dir")).expect("releases");
    std::fs::copy(
        bk.lab
            .host_root("node2")
            .join("opt/src/bklog-api-4.7.0.tgz"),
        &archive,
    )
    .expect("the archive");
    std::fs::remove_file(
        bk.lab
            .host_root("node2")
            .join("opt/src/bklog-api-4.7.0.tgz"),
    )
    .expect("off the host");
    let controller = format!("bklog_archive={}", archive.display());
    let modes: [(&str, Vec<&str>, String); 2] = [
        (
            "node1",
            vec!["-e", "bklog_source=git", "-e", "bklog_git_repo=/opt/src/bklog.git"],
            "node1 (4.6.1 -> 4.7.0): would check out /opt/src/bklog.git at 4.7.0 into /opt/bkce/releases/bklog-api/4.7.0, run check_migrate.py".to_string(),
        ),
        (
            "node2",
            vec!["-e", "bklog_archive_remote=false", "-e", &controller],
            format!(
                "node2 (4.6.1 -> 4.7.0): would unpack {} (from the controller) into /opt/bkce/releases/bklog-api/4.7.0, run check_migrate.py",
                archive.display()
            ),
        ),
    ];
    for (host, vars, predicted) in &modes {
        let mut args = vec!["-l", *host];
        args.extend(vars.iter().copied());
        let files = bk.files();
        let rows = bk.rows(host);
        let mut checked = args.clone();
        checked.push("--check");
        let check = bk.upgrade(&checked);
        check.assert_code(0);
        assert!(check.stdout.contains(predicted.as_str()), "{}", check.all());
        assert_eq!(bk.files(), files, "{host}: --check changed files");
        assert_eq!(bk.rows(host), rows, "{host}: --check changed the database");

        let first = bk.upgrade(&args);
        first.assert_code(0);
        assert!(!first.all().contains(&bk.secret), "{}", first.all());
        assert_eq!(
            bk.calls(host),
            concat(&[lab_calls("4.6.1"), upgrade_calls()]),
            "{host}"
        );
        assert_eq!(bk.version(host), "4.7.0", "{host}");
        let status = bk.status(host);
        status.assert_code(0);
        assert_eq!(
            status.stdout.matches(" RUNNING ").count(),
            3,
            "{host}: {}",
            status.stdout
        );
        assert_eq!(bk.backups(host).len(), 1, "{host}");
        let second = bk.upgrade(&args);
        second.assert_code(0);
        assert_nothing_changed(&second);
    }
    // The git checkout is the release's tree; the archive left no copy of
    // itself on node2.
    assert_eq!(
        bk.file("node1", "opt/bkce/releases/bklog-api/4.7.0/VERSION"),
        "4.7.0\n"
    );
    assert!(
        !bk.lab
            .host_root("node2")
            .join("opt/src/bklog-api-4.7.0.tgz")
            .exists()
    );
    assert_eq!(
        bk.file(
            "node2",
            "opt/bkce/releases/bklog-api/4.7.0/bklog/api/VERSION"
        ),
        "4.7.0\n"
    );
}
