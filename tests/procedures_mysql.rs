//! The MySQL-backed procedures end to end on labs, against a real MariaDB
//! the lab hosts reach: JumpServer (seed 000) with the `jms` shim and the
//! lab's code repository, whose utils scripts change the real database.

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

/// The `jumpserver` account every lab host's config.yml logs in with.
const ACCOUNT: Account = Account {
    user: "jumpserver",
    head: "Js",
    tail: " $HOME;#`x`&|",
    variable: "jumpserver_lab_db_password",
};

struct JumpServer {
    lab: Lab,
    db: MariaDb,
    secret: String,
}

impl JumpServer {
    /// A lab of `hosts` JumpServer hosts at `versions` (default 1.4.3),
    /// each with its database on one MariaDB, core running.
    fn up(hosts: usize, versions: &[(&str, &str)]) -> Self {
        let base = DbLab::up(hosts, &ACCOUNT);
        base.venv("/opt/py3");
        let DbLab {
            lab, db, secret, ..
        } = base;
        let this = Self { lab, db, secret };
        let versions: BTreeMap<&str, &str> = versions.iter().copied().collect();
        let versions = format!(
            "{{\"jumpserver_lab_versions\": {}}}",
            serde_json::to_string(&versions).expect("json")
        );
        this.play(
            &["lab/jumpserver-upgrade.yml"],
            &["-e", &versions, "-e", "@lab-db.json"],
        )
        .assert_code(0);
        this
    }

    fn play(&self, playbooks: &[&str], extra: &[&str]) -> Output {
        let paths: Vec<String> = playbooks.iter().map(|name| playbook(name)).collect();
        let port = format!("jumpserver_lab_db_port={}", self.db.port);
        let mut args = vec!["play"];
        args.extend(paths.iter().map(String::as_str));
        args.extend([
            "-i",
            "lab",
            "-e",
            "jumpserver_hosts=lab",
            "-e",
            "jumpserver_start_timeout=20",
            "-e",
            &port,
        ]);
        args.extend_from_slice(extra);
        self.lab.run(&args)
    }

    fn upgrade(&self, extra: &[&str]) -> Output {
        self.play(&["jumpserver-upgrade.yml"], extra)
    }

    fn file(&self, host: &str, path: &str) -> String {
        std::fs::read_to_string(self.lab.host_root(host).join(path))
            .unwrap_or_else(|error| panic!("{host}:{path}: {error}"))
    }

    fn version(&self, host: &str) -> String {
        self.file(host, "opt/jumpserver/apps/jumpserver/const.py")
            .trim()
            .to_string()
    }

    /// The host's database, table by table, row by row.
    fn rows(&self, host: &str) -> String {
        let db = format!("jumpserver_{host}");
        [
            "SELECT app, name FROM {db}.django_migrations ORDER BY id",
            "SELECT * FROM {db}.assets_asset ORDER BY id",
            "SELECT * FROM {db}.perms_assetpermission ORDER BY id",
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '{db}' ORDER BY 1",
        ]
        .iter()
        .map(|query| self.db.sql(&query.replace("{db}", &db)))
        .collect::<Vec<_>>()
        .join("--\n")
    }

    fn calls(&self, host: &str) -> Vec<String> {
        self.lab
            .shim_calls(host)
            .into_iter()
            .map(|(shim, argv)| format!("{shim} {argv}").trim_end().to_string())
            .collect()
    }

    /// The calls that change core or its data: stops, starts, migrations.
    fn harmful_calls(&self, host: &str) -> Vec<String> {
        self.calls(host)
            .into_iter()
            .filter(|call| !call.starts_with("jms status"))
            .collect()
    }

    fn knob(&self, host: &str, name: &str) {
        let dir = self
            .lab
            .host_root(host)
            .join("var/lib/runbook-shims/jumpserver/knobs");
        std::fs::create_dir_all(&dir).expect("knobs");
        std::fs::write(dir.join(name), "").expect("knob");
    }

    fn core_listens(&self, host: &str) -> bool {
        let status = self.lab.run(&[
            "run",
            host,
            "-i",
            "lab",
            "-m",
            "wait_for",
            "-a",
            "host={{ ansible_host }} port=8080 timeout=10",
        ]);
        status.code == 0
    }

    fn backups(&self, host: &str) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(self.lab.host_root(host).join("opt/jumpserver_backups"))
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

    fn files(&self) -> BTreeMap<String, BTreeMap<String, String>> {
        self.lab
            .hosts
            .iter()
            .map(|host| (host.clone(), self.lab.snapshot(host)))
            .collect()
    }
}

const CONST_NEW: &str = "VERSION = '1.4.4'";

#[test]
fn jumpserver_upgrade_follows_the_document_per_version_and_is_idempotent() {
    let js = JumpServer::up(2, &[("node1", "1.0.0"), ("node2", "1.4.3")]);
    let config = [
        js.file("node1", "opt/jumpserver/config.yml"),
        js.file("node2", "opt/jumpserver/config.yml"),
    ];
    let (_, leaks) = watching_processes(&js.secret, || {
        let files = js.files();
        let rows = [js.rows("node1"), js.rows("node2")];
        let check = js.upgrade(&["--check"]);
        check.assert_code(0);
        assert!(
            check.stdout.contains(
                "node1 (1.0.0 -> 1.4.4): would copy /opt/jumpserver and dump jumpserver_node1 to /opt/jumpserver_backups, stop core, check out 1.4.4, install requirements, run make_migrations.sh and 2018_04_11_migrate_permissions.sh and 2018_07_15_set_win_protocol_to_ssh.sh, and start core"
            ) && check.stdout.contains("node2 (1.4.3 -> 1.4.4): would copy /opt/jumpserver and dump jumpserver_node2 to /opt/jumpserver_backups, stop core, check out 1.4.4, install requirements, run make_migrations.sh, and start core"),
            "{}",
            check.all()
        );
        assert_eq!(js.files(), files, "--check changed files");
        assert_eq!(
            [js.rows("node1"), js.rows("node2")],
            rows,
            "--check changed the databases"
        );
        for host in &js.lab.hosts {
            assert_eq!(
                js.harmful_calls(host),
                ["jms start all -d"],
                "{host}: only the lab's start"
            );
        }

        let first = js.upgrade(&[]);
        first.assert_code(0);
        assert!(!first.all().contains(&js.secret), "{}", first.all());
        let second = js.upgrade(&[]);
        second.assert_code(0);
        assert_nothing_changed(&second);
        assert!(!second.all().contains(&js.secret));
    });
    assert!(
        leaks.is_empty(),
        "the password reached a command line: {:?}",
        leaks.first()
    );

    assert_eq!(
        js.harmful_calls("node1"),
        [
            "jms start all -d",
            "jms stop",
            "make_migrations.sh 1.4.4",
            "2018_04_11_migrate_permissions.sh 1.4.4",
            "2018_07_15_set_win_protocol_to_ssh.sh 1.4.4",
            "jms start all -d",
        ]
    );
    assert_eq!(
        js.harmful_calls("node2"),
        [
            "jms start all -d",
            "jms stop",
            "make_migrations.sh 1.4.4",
            "jms start all -d"
        ]
    );
    // node2 started only after node1 was verified (serial: 1).
    let stamp = |host: &str, nth: usize| {
        let log = js.file(host, "var/log/runbook-shims.log");
        log.lines()
            .filter(|line| line.contains("\tjms\tstart"))
            .nth(nth)
            .and_then(|line| line.split('\t').next())
            .map(str::to_string)
            .expect("a start")
    };
    let node2_stop = js
        .file("node2", "var/log/runbook-shims.log")
        .lines()
        .find(|line| line.contains("\tjms\tstop"))
        .and_then(|line| line.split('\t').next())
        .map(str::to_string)
        .expect("node2 stopped");
    assert!(
        stamp("node1", 1) < node2_stop,
        "node2 stopped before node1 was back"
    );

    assert_eq!(
        js.rows("node1"),
        "jumpserver\tupgrade_to_1.4.4\n--\n1\tweb01\tLinux\tssh\n2\tad01\tWindows\trdp\n--\n1\tops\t1\n--\nassets_asset\nassets_asset_protocol\ndjango_migrations\nperms_assetpermission\n"
    );
    assert_eq!(
        js.rows("node2"),
        "jumpserver\tupgrade_to_1.4.4\n--\n1\tweb01\tLinux\tNULL\n2\tad01\tWindows\tNULL\n--\n1\tops\t0\n--\nassets_asset\nassets_asset_protocol\ndjango_migrations\nperms_assetpermission\n"
    );
    for (host, config) in js.lab.hosts.iter().zip(&config) {
        assert_eq!(js.version(host), CONST_NEW, "{host}");
        assert_eq!(
            &js.file(host, "opt/jumpserver/config.yml"),
            config,
            "{host}: config.yml kept"
        );
        assert!(js.core_listens(host), "{host}: core listens");
        let backups = js.backups(host);
        assert_eq!(
            backups.len(),
            2,
            "{host}: one code copy and one dump: {backups:?}"
        );
        let from = if host == "node1" { "1.0.0" } else { "1.4.3" };
        let code = &backups[0];
        assert!(
            code.starts_with(&format!("jumpserver-{from}-")) && !code.ends_with(".sql"),
            "{backups:?}"
        );
        assert_eq!(
            js.file(
                host,
                &format!("opt/jumpserver_backups/{code}/apps/jumpserver/const.py")
            )
            .trim(),
            format!("VERSION = '{from}'")
        );
        let dump = js.file(host, &format!("opt/jumpserver_backups/{}", backups[1]));
        assert_eq!(backups[1], format!("{code}.sql"));
        assert!(dump.contains("INSERT INTO `assets_asset` VALUES"), "{dump}");
        assert!(
            dump.lines()
                .last()
                .unwrap_or_default()
                .starts_with("-- Dump completed"),
            "{dump}"
        );
        assert!(
            !dump.contains("upgrade_to_1.4.4"),
            "dumped before the migration"
        );
    }
}

#[test]
fn jumpserver_upgrade_refuses_unsupported_or_unhealthy_hosts_with_nothing_touched() {
    let js = JumpServer::up(2, &[("node1", "1.4.3"), ("node2", "0.5.0")]);
    let files = js.files();
    let rows = [js.rows("node1"), js.rows("node2")];
    let assert_untouched = |output: &Output, message: &str| {
        output.assert_code(2);
        assert!(
            output.stdout.contains(message),
            "{message}\n{}",
            output.all()
        );
        assert_eq!(js.files(), files, "files changed");
        assert_eq!(
            [js.rows("node1"), js.rows("node2")],
            rows,
            "a database changed"
        );
        for host in &js.lab.hosts {
            assert_eq!(js.harmful_calls(host), ["jms start all -d"], "{host}");
        }
        assert!(
            recap(output).values().all(|host| host.changed == 0),
            "{}",
            output.all()
        );
    };

    assert_untouched(
        &js.upgrade(&[]),
        "node2 runs JumpServer 0.5.0: 0.x cannot upgrade to 1.x (the document supports 1.0.x-1.4.3 only). Nothing was touched.",
    );
    // A database older than 1.4.x needs (the lab's MariaDB is newer than 5.5.56).
    assert_untouched(
        &js.upgrade(&["-l", "node1", "-e", "jumpserver_min_mariadb=99.0.0"]),
        "JumpServer 1.4.x needs MySQL >= 5.6 or MariaDB >= 99.0.0. Upgrade the database first. Nothing was touched.",
    );
    // Core not running: stopped by hand before the upgrade.
    let stop = js
        .lab
        .run(&["run", "node1", "-i", "lab", "-m", "shell", "-a", "jms stop"]);
    stop.assert_code(0);
    let files = js.files();
    let output = js.upgrade(&["-l", "node1"]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("node1: `./jms status` says"),
        "{}",
        output.all()
    );
    assert_eq!(js.files(), files);
    assert_eq!(js.harmful_calls("node1"), ["jms start all -d", "jms stop"]);
}

#[test]
fn jumpserver_failed_migration_or_start_restores_code_and_database_and_starts_the_old_version() {
    let js = JumpServer::up(2, &[]);
    let rows = [js.rows("node1"), js.rows("node2")];
    let node2 = js.lab.snapshot("node2");
    js.knob("node1", "migrate_fails");
    let output = js.upgrade(&[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("JUMPSERVER UPGRADE FAILED on node1 at \\\"Migrate (cd utils && sh make_migrations.sh)\\\"")
            && output.stdout.contains("near '(6) NOT NULL'")
            && output.stdout.contains("Rolled back: the code and the database were back at 1.4.3 and core runs the old version again."),
        "{}",
        output.all()
    );
    assert_eq!(js.version("node1"), "VERSION = '1.4.3'");
    assert_eq!(
        js.rows("node1"),
        rows[0],
        "the database is as before the upgrade"
    );
    assert!(js.core_listens("node1"), "the old version runs");
    assert_eq!(
        js.harmful_calls("node1"),
        [
            "jms start all -d",
            "jms stop",
            "make_migrations.sh 1.4.4",
            "jms stop",
            "jms start all -d"
        ]
    );
    // node2 was never reached.
    assert_eq!(js.harmful_calls("node2"), ["jms start all -d"]);
    assert_eq!(js.lab.snapshot("node2"), node2);
    assert_eq!(js.rows("node2"), rows[1]);
    assert!(!recap(&output).contains_key("node2") || recap(&output)["node2"].changed == 0);

    // Again, and now the migrations pass but 1.4.4 never comes up: the same
    // rollback, from the port wait.
    std::fs::remove_file(
        js.lab
            .host_root("node1")
            .join("var/lib/runbook-shims/jumpserver/knobs/migrate_fails"),
    )
    .expect("knob removed");
    let knobs = js
        .lab
        .host_root("node1")
        .join("var/lib/runbook-shims/jms/knobs");
    std::fs::create_dir_all(&knobs).expect("jms knobs");
    std::fs::write(knobs.join("start_fails"), "1.4.4\n").expect("knob");
    let output = js.upgrade(&["-e", "jumpserver_start_timeout=5"]);
    output.assert_code(2);
    assert!(
        output
            .stdout
            .contains("JUMPSERVER UPGRADE FAILED on node1 at \\\"Wait until core listens\\\"")
            && output.stdout.contains(
                "Rolled back: the code and the database were back at 1.4.3 and core runs the old version again."
            ),
        "{}",
        output.all()
    );
    assert_eq!(js.version("node1"), "VERSION = '1.4.3'");
    assert_eq!(
        js.rows("node1"),
        rows[0],
        "the migrated database was restored"
    );
    assert!(js.core_listens("node1"), "the old version runs");
    assert_eq!(
        js.harmful_calls("node1")[5..],
        [
            "jms stop",
            "make_migrations.sh 1.4.4",
            "jms start all -d",
            "jms stop",
            "jms start all -d"
        ]
    );
    assert_eq!(
        js.backups("node1").len(),
        4,
        "one code copy and one dump per attempt"
    );
    assert_eq!(js.harmful_calls("node2"), ["jms start all -d"]);
}
