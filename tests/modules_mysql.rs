//! mysql_db, mysql_user, mysql_query and mysql_info over SSH on lab hosts
//! against a real MariaDB (tests/support/mariadb.rs): first run changed,
//! second ok, `--check` changes nothing, bad arguments stop the run before
//! any host is touched, a dump → drop → import round trip keeps the data,
//! hostile names stay names, and the password never shows in any process's
//! command line or environment.

use crate::support::{Lab, MariaDb, Output, Project, Recap, recap, watching_processes};

/// A password with everything a shell, an option file or SQL could trip
/// on; `secret` is its unique head, what the process watcher looks for.
struct Admin {
    secret: String,
    password: String,
}

impl Admin {
    fn create(db: &MariaDb) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let secret = format!("Pw{}x{nanos}Zq", std::process::id());
        let password = format!("{secret}'q\"b\\s $HOME #z;`x`");
        let literal = password.replace('\\', "\\\\").replace('\'', "\\'");
        for host in ["127.0.0.1", "localhost"] {
            db.sql(&format!(
                "CREATE USER 'admin'@'{host}' IDENTIFIED BY '{literal}'; GRANT ALL ON *.* TO 'admin'@'{host}' WITH GRANT OPTION"
            ));
        }
        Self { secret, password }
    }

    /// The play's login, for tasks to merge (`<<: *login`).
    fn login_vars(&self, db: &MariaDb) -> String {
        format!(
            "    login: &login\n      login_user: admin\n      login_password: '{}'\n      login_host: 127.0.0.1\n      login_port: {}\n",
            self.password.replace('\'', "''"),
            db.port
        )
    }
}

/// A playbook for the lab's hosts whose tasks may merge `*login`; the
/// modules' option files go to the host's private /opt/tmp.
fn playbook(admin: &Admin, db: &MariaDb, tasks: &str) -> String {
    format!(
        "- hosts: lab\n  gather_facts: false\n  environment: {{TMPDIR: /opt/tmp}}\n  vars:\n{}  tasks:\n{tasks}",
        admin.login_vars(db)
    )
}

/// A lab of one host with the /opt/tmp the playbooks' tasks use.
fn lab() -> Lab {
    let lab = Lab::up(1);
    std::fs::create_dir_all(lab.host_root("node1").join("opt/tmp")).expect("/opt/tmp");
    lab
}

/// Every module removed its option file, whatever happened.
#[track_caller]
fn assert_no_option_file_left(lab: &Lab) {
    let left: Vec<_> = std::fs::read_dir(lab.host_root("node1").join("opt/tmp"))
        .expect("/opt/tmp")
        .flatten()
        .map(|entry| entry.path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

fn run(lab: &Lab, name: &str, args: &[&str]) -> Output {
    let mut full = vec!["play", name, "-i", "lab"];
    full.extend_from_slice(args);
    lab.run(&full)
}

#[track_caller]
fn assert_recap(output: &Output, expected: Recap) {
    assert_eq!(recap(output)["node1"], expected, "{}", output.all());
}

const SEED: &str = "CREATE TABLE `app db`.`it's` (id INT PRIMARY KEY, s TEXT, b BLOB); \
    INSERT INTO `app db`.`it's` VALUES (1, 'O''Brien \\\\ \"q\" <x> & ; -- no', UNHEX('00FF0A0D1A')), (2, NULL, NULL), (3, 'näïve 🐬', '')";
const CONTENT: &str = "SELECT id, HEX(s), HEX(b) FROM `app db`.`it's` ORDER BY id";

#[test]
fn mysql_db_dumps_drops_and_imports_a_database_and_every_step_is_idempotent() {
    let lab = lab();
    let db = MariaDb::start();
    let admin = Admin::create(&db);
    let present = "    - community.mysql.mysql_db: {name: 'app db', state: present, encoding: utf8mb4, <<: *login}\n";
    lab.project
        .file("present.yml", &playbook(&admin, &db, present));
    let absent = "    - community.mysql.mysql_db: {name: 'app db', state: absent, <<: *login}\n";
    lab.project
        .file("absent.yml", &playbook(&admin, &db, absent));
    let exists = || db.sql("SHOW DATABASES LIKE 'app db'").trim() == "app db";

    let (_, leaks) = watching_processes(&admin.secret, || {
        let check = run(&lab, "present.yml", &["--check"]);
        assert_recap(&check, Recap::new(1, 1, 0, 0, 0));
        assert!(!exists(), "--check created the database");
        assert_recap(&run(&lab, "present.yml", &[]), Recap::new(1, 1, 0, 0, 0));
        assert!(exists());
        assert_recap(&run(&lab, "present.yml", &[]), Recap::new(1, 0, 0, 0, 0));
        db.sql(SEED);
        let before = db.sql(CONTENT);
        std::fs::create_dir_all(lab.host_root("node1").join("opt/backup")).expect("backup dir");

        for target in [
            "/opt/backup/app.sql",
            "/opt/backup/app.sql.gz",
            "/opt/backup/app.sql.bz2",
            "/opt/backup/app.sql.xz",
        ] {
            let dump = format!(
                "    - community.mysql.mysql_db: {{name: 'app db', state: dump, target: {target}, single_transaction: true, <<: *login}}\n      register: dumped\n    - assert: {{that: [\"dumped.db == 'app db'\", \"ansible_check_mode or dumped.executed_commands | length == 1\"]}}\n"
            );
            lab.project.file("dump.yml", &playbook(&admin, &db, &dump));
            let import = format!(
                "    - community.mysql.mysql_db: {{name: 'app db', state: import, target: {target}, <<: *login}}\n"
            );
            lab.project
                .file("import.yml", &playbook(&admin, &db, &import));
            let on_host = lab.host_root("node1").join(target.trim_start_matches('/'));

            let check = run(&lab, "dump.yml", &["--check"]);
            assert_recap(&check, Recap::new(2, 1, 0, 0, 0));
            assert!(!on_host.exists(), "--check wrote {target}");
            assert_recap(&run(&lab, "dump.yml", &[]), Recap::new(2, 1, 0, 0, 0));
            let written = std::fs::read(&on_host).expect("the dump is on the host");
            let magic: &[u8] = match target.rsplit('.').next() {
                Some("gz") => b"\x1f\x8b",
                Some("bz2") => b"BZh",
                Some("xz") => b"\xfd7zXZ",
                _ => b"",
            };
            assert!(
                written.starts_with(magic),
                "{target} is not what its name says"
            );
            if magic.is_empty() {
                let text = String::from_utf8_lossy(&written);
                assert!(
                    text.contains("-- MariaDB dump") && text.contains("-- Dump completed"),
                    "{text}"
                );
            }

            assert_recap(&run(&lab, "absent.yml", &[]), Recap::new(1, 1, 0, 0, 0));
            assert!(!exists());
            assert_recap(&run(&lab, "absent.yml", &[]), Recap::new(1, 0, 0, 0, 0));
            assert_recap(
                &run(&lab, "import.yml", &["--check"]),
                Recap::new(1, 1, 0, 0, 0),
            );
            assert!(!exists(), "--check imported");
            assert_recap(&run(&lab, "import.yml", &[]), Recap::new(1, 1, 0, 0, 0));
            assert_eq!(
                db.sql(CONTENT),
                before,
                "{target}: the data came back as it was"
            );
            std::fs::remove_file(&on_host).expect("remove the dump");
        }
    });
    assert!(leaks.is_empty(), "password in a process: {leaks:?}");
    assert_no_option_file_left(&lab);
}

#[test]
fn mysql_db_failures_name_their_cause_and_leave_no_option_file() {
    let lab = lab();
    let db = MariaDb::start();
    let admin = Admin::create(&db);
    let tasks = "    - community.mysql.mysql_db: {name: missing, state: dump, target: /opt/x.sql, <<: *login}\n      ignore_errors: true\n      register: not_found\n    - community.mysql.mysql_db: {name: app, state: import, target: /opt/none.sql, <<: *login}\n      ignore_errors: true\n      register: no_target\n    - community.mysql.mysql_db: {name: app, <<: *login, login_password: wrong}\n      ignore_errors: true\n      register: denied\n    - community.mysql.mysql_db: {name: implicit, check_implicit_admin: true, <<: *login, login_password: wrong}\n    - assert:\n        that:\n          - \"not_found.msg == \\\"Cannot dump database(s) 'missing' - not found\\\"\"\n          - \"no_target.msg == 'target /opt/none.sql does not exist on the host'\"\n          - \"denied.msg is search('unable to connect to database.*Access denied')\"\n";
    lab.project.file("fail.yml", &playbook(&admin, &db, tasks));
    let output = run(&lab, "fail.yml", &[]);
    assert_eq!(
        recap(&output)["node1"],
        Recap {
            ok: 5,
            changed: 1,
            ignored: 3,
            ..Recap::default()
        },
        "{}",
        output.all()
    );
    assert!(!output.stdout.contains(&admin.secret), "{}", output.all());
    assert_eq!(
        db.sql("SHOW DATABASES LIKE 'implicit'").trim(),
        "implicit",
        "check_implicit_admin got in as root without a password"
    );
    assert_no_option_file_left(&lab);
}

#[test]
fn mysql_user_manages_passwords_and_privileges_idempotently() {
    let lab = lab();
    let db = MariaDb::start();
    let admin = Admin::create(&db);
    db.sql("CREATE DATABASE app; CREATE TABLE app.t (a INT, b INT)");
    let user = |password: &str, privileges: &str| {
        format!(
            "    - community.mysql.mysql_user:\n        name: \"o'brien`x\"\n        host: '%'\n        password: '{password}'\n        priv: '{privileges}'\n        <<: *login\n      register: user\n"
        )
    };
    let first = user("s3cr3t''pw", "app.*:SELECT,INSERT/app.t:UPDATE (a, b)");
    lab.project.file("user.yml", &playbook(&admin, &db, &first));
    let grants = || db.sql("SHOW GRANTS FOR 'o\\'brien`x'@'%'");

    let (_, leaks) = watching_processes(&admin.secret, || {
        let check = run(&lab, "user.yml", &["--check"]);
        assert_recap(&check, Recap::new(1, 1, 0, 0, 0));
        assert!(
            db.try_sql("SHOW GRANTS FOR 'o\\'brien`x'@'%'").is_err(),
            "--check created the user"
        );
        assert_recap(&run(&lab, "user.yml", &[]), Recap::new(1, 1, 0, 0, 0));
        let hash = db.sql("SELECT PASSWORD('s3cr3t''pw')");
        assert_eq!(
            grants(),
            format!(
                "GRANT USAGE ON *.* TO `o'brien``x`@`%` IDENTIFIED BY PASSWORD '{}'\n\
                 GRANT SELECT, INSERT ON `app`.* TO `o'brien``x`@`%`\n\
                 GRANT UPDATE (`a`, `b`) ON `app`.`t` TO `o'brien``x`@`%`\n",
                hash.trim()
            )
        );
        assert_recap(&run(&lab, "user.yml", &[]), Recap::new(1, 0, 0, 0, 0));

        let changed = user("other", "app.*:SELECT");
        lab.project
            .file("user.yml", &playbook(&admin, &db, &changed));
        let before = grants();
        assert_recap(
            &run(&lab, "user.yml", &["--check"]),
            Recap::new(1, 1, 0, 0, 0),
        );
        assert_eq!(grants(), before, "--check changed the user");
        assert_recap(&run(&lab, "user.yml", &[]), Recap::new(1, 1, 0, 0, 0));
        let hash = db.sql("SELECT PASSWORD('other')");
        assert_eq!(
            grants(),
            format!(
                "GRANT USAGE ON *.* TO `o'brien``x`@`%` IDENTIFIED BY PASSWORD '{}'\nGRANT SELECT ON `app`.* TO `o'brien``x`@`%`\n",
                hash.trim()
            )
        );
        assert_recap(&run(&lab, "user.yml", &[]), Recap::new(1, 0, 0, 0, 0));

        let absent = "    - community.mysql.mysql_user: {name: \"o'brien`x\", host: '%', state: absent, <<: *login}\n";
        lab.project
            .file("absent.yml", &playbook(&admin, &db, absent));
        assert_recap(&run(&lab, "absent.yml", &[]), Recap::new(1, 1, 0, 0, 0));
        assert_recap(&run(&lab, "absent.yml", &[]), Recap::new(1, 0, 0, 0, 0));
        assert_eq!(
            db.sql("SELECT COUNT(*) FROM mysql.user WHERE User LIKE 'o%'")
                .trim(),
            "0"
        );
    });
    assert!(leaks.is_empty(), "password in a process: {leaks:?}");
    assert_no_option_file_left(&lab);
}

#[test]
fn mysql_query_binds_hostile_arguments_as_values_and_reports_rows() {
    let lab = lab();
    let db = MariaDb::start();
    let admin = Admin::create(&db);
    db.sql("CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY, s TEXT)");
    let hostile = "x'); DROP DATABASE app; -- \\' \"";
    let quoted = hostile.replace('\'', "''");
    let queries = format!(
        "    - set_fact: {{hostile: '{quoted}'}}\n    - community.mysql.mysql_query:\n        login_db: app\n        query: INSERT INTO t VALUES (%s, %s) ON DUPLICATE KEY UPDATE s = VALUES(s)\n        positional_args: [1, \"{{{{ hostile }}}}\"]\n        <<: *login\n      register: inserted\n    - community.mysql.mysql_query:\n        login_db: app\n        query:\n          - 'SELECT id, s, NULL AS nothing FROM t WHERE s = %(s)s'\n          - SELECT 1 AS one FROM t WHERE 0\n        named_args: {{s: \"{{{{ hostile }}}}\"}}\n        <<: *login\n      register: selected\n"
    );
    let checks = "    - assert:\n        that:\n          - selected.rowcount == [1, 0]\n          - selected.query_result[0][0].s == hostile\n          - selected.query_result[0][0].nothing is none\n          - selected.query_result[1] == []\n          - inserted.executed_queries | length == 1\n";
    lab.project
        .file("query-check.yml", &playbook(&admin, &db, &queries));
    lab.project.file(
        "query.yml",
        &playbook(&admin, &db, &format!("{queries}{checks}")),
    );
    let check = run(&lab, "query-check.yml", &["--check"]);
    assert_recap(&check, Recap::new(1, 0, 0, 0, 2));
    assert_eq!(
        db.sql("SELECT COUNT(*) FROM app.t").trim(),
        "0",
        "--check ran the query"
    );
    assert_recap(&run(&lab, "query.yml", &[]), Recap::new(4, 1, 0, 0, 0));
    assert_eq!(
        db.sql("SELECT s FROM app.t").trim_end_matches('\n'),
        hostile.replace('\\', "\\\\")
    );
    assert_recap(&run(&lab, "query.yml", &[]), Recap::new(4, 0, 0, 0, 0));

    let transaction = "    - community.mysql.mysql_query:\n        login_db: app\n        single_transaction: true\n        query:\n          - INSERT INTO t VALUES (5, 'rolled back')\n          - INSERT INTO no_such_table VALUES (1)\n        <<: *login\n      register: failed\n      ignore_errors: true\n    - assert:\n        that:\n          - \"failed.msg is search(\\\"Cannot execute SQL 'INSERT INTO no_such_table VALUES \\\\\\\\(1\\\\\\\\)'\\\")\"\n";
    lab.project
        .file("transaction.yml", &playbook(&admin, &db, transaction));
    let output = run(&lab, "transaction.yml", &[]);
    assert_eq!(recap(&output)["node1"].ignored, 1, "{}", output.all());
    assert_eq!(recap(&output)["node1"].failed, 0, "{}", output.all());
    assert_eq!(
        db.sql("SELECT COUNT(*) FROM app.t WHERE id = 5").trim(),
        "0",
        "the failed transaction was rolled back"
    );
}

#[test]
fn mysql_info_reports_the_version_and_databases_over_the_unix_socket() {
    let lab = lab();
    let db = MariaDb::start();
    let admin = Admin::create(&db);
    db.sql("CREATE DATABASE app; CREATE TABLE app.t (id INT); CREATE DATABASE empty");
    let version = db.sql("SELECT VERSION()").trim().to_string();
    let (numbers, suffix) = version.split_once('-').unwrap_or((&version, ""));
    let parts: Vec<&str> = numbers.split('.').collect();
    let tasks = format!(
        "    - community.mysql.mysql_info:\n        filter: [version, databases]\n        login_user: admin\n        login_password: \"{{{{ login.login_password }}}}\"\n        login_unix_socket: {socket}\n        return_empty_dbs: true\n      register: info\n    - assert:\n        that:\n          - \"info.version == {{'major': {0}, 'minor': {1}, 'release': {2}, 'suffix': '{suffix}', 'full': '{version}'}}\"\n          - info.databases.app.tables == 1\n          - info.databases.empty.size == 0\n          - info.settings is not defined\n          - info.server_engine == 'MariaDB'\n    - community.mysql.mysql_info:\n        filter: [settings, users, '!version']\n        login_user: admin\n        login_password: \"{{{{ login.login_password }}}}\"\n        login_unix_socket: {socket}\n      register: more\n    - assert:\n        that:\n          - more.settings.port == {port}\n          - more.settings.character_set_server is string\n          - more.users['127.0.0.1'].admin.Grant_priv == 'Y'\n          - more.version is not defined\n",
        parts[0],
        parts[1],
        parts[2],
        socket = db.socket().display(),
        port = db.port
    );
    lab.project.file("info.yml", &playbook(&admin, &db, &tasks));
    assert_recap(&run(&lab, "info.yml", &[]), Recap::new(4, 0, 0, 0, 0));
    assert_recap(
        &run(&lab, "info.yml", &["--check"]),
        Recap::new(4, 0, 0, 0, 0),
    );
}

#[test]
fn bad_mysql_arguments_stop_the_run_before_any_host_is_touched() {
    let project = Project::new();
    project.file(
        "inventory",
        "target ansible_host=127.0.0.1 ansible_port=1 ansible_user=nobody\n",
    );
    for (task, message) in [
        (
            "community.mysql.mysql_db: {name: app, statee: dump}",
            "`mysql_db` has no argument `statee`",
        ),
        (
            "community.mysql.mysql_db: {state: dump, target: /x.sql}",
            "`mysql_db` needs name",
        ),
        (
            "community.mysql.mysql_user: {name: u, priv: 'a.*:ALL', resource_limits: {}}",
            "`mysql_user` has no argument `resource_limits`",
        ),
        (
            "community.mysql.mysql_query: {login_db: app}",
            "`mysql_query` needs query",
        ),
        (
            "community.mysql.mysql_info: {filters: [version]}",
            "`mysql_info` has no argument `filters`",
        ),
    ] {
        project.file(
            "bad.yml",
            &format!("- hosts: all\n  gather_facts: false\n  tasks:\n    - {task}\n"),
        );
        let output = project.run(&["play", "bad.yml", "-i", "inventory"]);
        output.assert_code(4);
        assert!(output.stderr.contains(message), "{task}\n{}", output.all());
        assert!(!output.stdout.contains("PLAY ["), "{}", output.all());
    }
}

#[test]
fn bad_mysql_values_fail_the_task_before_the_host_is_contacted() {
    let project = Project::new();
    // Nothing listens there: contacting the host would make it unreachable.
    project.file(
        "inventory",
        "target ansible_host=127.0.0.1 ansible_port=1 ansible_user=nobody\n",
    );
    for (task, message) in [
        (
            "community.mysql.mysql_db: {name: app, state: bogus}",
            "value of state must be one of: absent, dump, import, present, got: bogus",
        ),
        (
            "community.mysql.mysql_db: {name: app, state: dump}",
            "with state=dump target is required",
        ),
        (
            "community.mysql.mysql_db: {name: [a, b], state: import, target: /x.sql}",
            "Multiple databases are not supported with state=import",
        ),
        (
            "community.mysql.mysql_db: {name: app, login_port: 70000}",
            "login_port must be a valid unix port number (0-65535)",
        ),
        (
            "community.mysql.mysql_user: {name: u, priv: 'app.*:SELECT; DROP TABLE x'}",
            "invalid privilege",
        ),
        (
            "community.mysql.mysql_query: {query: 'SELECT %s, %s', positional_args: [1]}",
            "not enough arguments for format string",
        ),
    ] {
        project.file(
            "bad.yml",
            &format!("- hosts: all\n  gather_facts: false\n  tasks:\n    - {task}\n"),
        );
        let output = project.run(&["play", "bad.yml", "-i", "inventory"]);
        output.assert_code(2);
        assert_eq!(
            recap(&output)["target"],
            Recap::new(0, 0, 0, 1, 0),
            "{}",
            output.all()
        );
        assert!(output.stdout.contains(message), "{task}\n{}", output.all());
    }
}
