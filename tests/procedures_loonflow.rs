//! loonflow r0.3 -> r1.0 (seed 002) end to end on a lab: node1 the loonflow
//! server (its 0.3 database on a real MariaDB, the lab's loonflow and
//! loonflow-helper repositories, a real venv, the uwsgi/celery/nginx
//! shims), node2 and node3 the callers.

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

struct Loonflow {
    lab: Lab,
    db: MariaDb,
    /// The unique head of the database password, for the process watcher.
    secret: String,
}

/// The `loonflow` account 0.3 and 1.0 log in with.
const ACCOUNT: Account = Account {
    user: "loonflow",
    head: "Lf",
    tail: " '$HOME;#\"`x`&|\\",
    variable: "vault_loonflow_db_password",
};
const OLD_VENV: &str = "/opt/venv/loonflow";
const NEW_VENV: &str = "/opt/venv/loonflow-r1.0.14";

const FRESH_SCHEMA: &str = "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'loonflow' ORDER BY 1, 2";

impl Loonflow {
    /// A lab of three hosts, node1 at `version` with 0.3 running, the
    /// callers on node2 and node3 running.
    fn up(version: &str) -> Self {
        Self::prepare(version, &[OLD_VENV])
    }

    /// [`Loonflow::up`] with the 1.0 venv made already, as a run that failed
    /// after step 4 leaves it (the failure tests; the first test makes it).
    fn with_new_venv(version: &str) -> Self {
        Self::prepare(version, &[OLD_VENV, NEW_VENV])
    }

    fn prepare(version: &str, venvs: &[&str]) -> Self {
        let base = DbLab::up(3, &ACCOUNT);
        for venv in venvs {
            base.venv_on("node1", venv);
        }
        let DbLab {
            lab, db, secret, ..
        } = base;
        let this = Self { lab, db, secret };
        let versions = format!("{{\"loonflow_lab_versions\": {{\"node1\": \"{version}\"}}}}");
        this.play(&["lab/loonflow-upgrade.yml"], &["-e", &versions])
            .assert_code(0);
        this
    }

    fn play(&self, playbooks: &[&str], extra: &[&str]) -> Output {
        let paths: Vec<String> = playbooks.iter().map(|name| playbook(name)).collect();
        let port = format!("loonflow_db_port={}", self.db.port);
        let vars = format!("@{}", playbook("lab/vars/loonflow.yml"));
        let mut args = vec!["play"];
        args.extend(paths.iter().map(String::as_str));
        args.extend(["-i", "lab", "-e", &vars, "-e", &port, "-e", "@lab-db.json"]);
        args.extend_from_slice(extra);
        self.lab.run(&args)
    }

    fn upgrade(&self, extra: &[&str]) -> Output {
        self.play(&["loonflow-upgrade.yml"], extra)
    }

    fn file(&self, host: &str, path: &str) -> String {
        std::fs::read_to_string(self.lab.host_root(host).join(path))
            .unwrap_or_else(|error| panic!("{host}:{path}: {error}"))
    }

    fn exists(&self, host: &str, path: &str) -> bool {
        self.lab.host_root(host).join(path).exists()
    }

    fn mode(&self, host: &str, path: &str) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(self.lab.host_root(host).join(path))
            .map(|meta| meta.permissions().mode() & 0o777)
            .unwrap_or_else(|error| panic!("{host}:{path}: {error}"))
    }

    /// The database: its columns and its rows.
    fn rows(&self) -> String {
        let mut out = self.db.sql(FRESH_SCHEMA);
        for table in [
            "account_loonuser",
            "ticket_ticketrecord",
            "workflow_customnotice",
        ] {
            out.push_str("--\n");
            out.push_str(
                &self
                    .db
                    .sql(&format!("SELECT * FROM loonflow.{table} ORDER BY id")),
            );
        }
        if self
            .db
            .sql("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'loonflow' AND table_name = 'ticket_ticketuser'")
            .trim()
            == "1"
        {
            out.push_str("--\n");
            out.push_str(&self.db.sql(
                "SELECT ticket_id, username, in_process FROM loonflow.ticket_ticketuser ORDER BY id",
            ));
        }
        out
    }

    fn calls(&self, host: &str) -> Vec<String> {
        self.lab
            .shim_calls(host)
            .into_iter()
            .map(|(shim, argv)| format!("{shim} {argv}").trim_end().to_string())
            .collect()
    }

    /// The calls that change a service or the data (reads left out).
    fn harmful_calls(&self, host: &str) -> Vec<String> {
        self.calls(host)
            .into_iter()
            .filter(|call| {
                !(call.starts_with("systemctl is-active")
                    || call.starts_with("systemctl show")
                    || call.starts_with("systemctl is-enabled")
                    || call == "nginx -t"
                    || call == "nginx -s reopen")
            })
            .collect()
    }

    fn files(&self) -> BTreeMap<String, BTreeMap<String, String>> {
        self.lab
            .hosts
            .iter()
            .map(|host| (host.clone(), self.lab.snapshot(host)))
            .collect()
    }

    /// Is the process in the pidfile alive on node1?
    fn alive(&self, pidfile: &str) -> bool {
        let probe = self.lab.run(&[
            "run",
            "node1",
            "-i",
            "lab",
            "-m",
            "shell",
            "-a",
            &format!("kill -0 \"$(cat {pidfile})\""),
        ]);
        probe.code == 0
    }

    /// Set a knob of node1's shims or lab code (`celery/knobs/stop_delay_ms`...).
    fn knob(&self, path: &str, value: &str) {
        let path = self
            .lab
            .host_root("node1")
            .join("var/lib/runbook-shims")
            .join(path);
        std::fs::create_dir_all(path.parent().expect("a knob's directory")).expect("knobs");
        std::fs::write(path, value).expect("knob");
    }

    /// node1's address, `port`.
    fn address(&self, port: u16) -> std::net::SocketAddr {
        let inventory = self.lab.project.read("inventories/lab");
        let address = inventory
            .lines()
            .find(|line| line.starts_with("node1 "))
            .and_then(|line| {
                line.split_whitespace()
                    .find_map(|word| word.strip_prefix("ansible_host="))
            })
            .unwrap_or_else(|| panic!("node1's address in {inventory}"));
        format!("{address}:{port}").parse().expect("address")
    }

    /// Does something accept connections on node1's address at `port`, now?
    fn listens(&self, port: u16) -> bool {
        std::net::TcpStream::connect_timeout(&self.address(port), std::time::Duration::from_secs(2))
            .is_ok()
    }

    /// The name of the one dump the upgrade took in /opt/loonflow_backups.
    fn the_one_dump(&self) -> String {
        let dumps: Vec<String> =
            std::fs::read_dir(self.lab.host_root("node1").join("opt/loonflow_backups"))
                .expect("backups")
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect();
        assert_eq!(dumps.len(), 1, "{dumps:?}");
        dumps[0].clone()
    }

    fn pid(&self, pidfile: &str) -> String {
        self.file("node1", pidfile.trim_start_matches('/'))
            .trim()
            .to_string()
    }

    fn caller_active(&self, host: &str) -> bool {
        self.exists(
            host,
            "var/lib/runbook-shims/systemd/shutongflow.service/active",
        )
    }
}

const UWSGI_PID: &str = "/var/lib/loonflow/uwsgi.pid";
const CELERY_PID: &str = "/var/lib/loonflow/celery.pid";
const CELERY_ARGS: &str = "worker -A tasks -l info -c 8 -Q loonflow --logfile=/var/log/loonflow/celery.log --pidfile=/var/lib/loonflow/celery.pid";

/// What the lab's preparation did on node1 (0.3 started).
fn prepared() -> Vec<String> {
    vec![
        "nginx".to_string(),
        "uwsgi --ini /opt/loonflow/uwsgi.ini".into(),
        format!("celery multi start {CELERY_ARGS}"),
    ]
}

#[test]
fn loonflow_upgrade_follows_the_document_and_is_idempotent() {
    let lf = Loonflow::up("r0.3.24");
    let (_, leaks) = watching_processes(&lf.secret, || {
        let files = lf.files();
        let rows = lf.rows();
        let check = lf.upgrade(&["--check"]);
        check.assert_code(0);
        assert!(
            check.stdout.contains(
                "node1 (r0.3.24 -> r1.0.14): would check out r1.0.14 into /opt/loonflow-r1.0.14"
            ),
            "{}",
            check.all()
        );
        assert_eq!(lf.files(), files, "--check changed files");
        assert_eq!(lf.rows(), rows, "--check changed the database");
        assert_eq!(lf.harmful_calls("node1"), prepared(), "--check acted");

        let first = lf.upgrade(&[]);
        first.assert_code(0);
        assert!(!first.all().contains(&lf.secret), "{}", first.all());
        let second = lf.upgrade(&[]);
        second.assert_code(0);
        assert_nothing_changed(&second);
        assert!(!second.all().contains(&lf.secret));
    });
    assert!(
        leaks.is_empty(),
        "the password reached a command line: {:?}",
        leaks.first()
    );

    // The document's order: callers down, web down, tasks down (stopwait,
    // the worker's own pidfile), dml.py, 1.0 up under uwsgi, nginx tested
    // then reloaded, tasks up, callers up.
    let node1 = lf.harmful_calls("node1");
    let mut expected = prepared();
    expected.extend([
        format!("uwsgi --stop {UWSGI_PID}"),
        format!("celery multi stopwait {CELERY_ARGS}"),
        "dml.py loonflow".to_string(),
        "uwsgi --ini /opt/loonflow-r1.0.14/uwsgi.ini".into(),
        "nginx -s reload".into(),
        format!("celery multi start {CELERY_ARGS}"),
    ]);
    assert_eq!(node1, expected);
    let log = lf.file("node1", "var/log/runbook-shims.log");
    let stamp = |needle: &str, host_log: &str| {
        host_log
            .lines()
            .rfind(|line| line.contains(needle))
            .and_then(|line| line.split('\t').next())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{needle} in {host_log}"))
    };
    let reload_at = stamp("\tnginx\t-s reload", &log);
    let test_at = stamp("\tnginx\t-t", &log);
    assert!(test_at < reload_at, "nginx -t before the reload");
    for caller in ["node2", "node3"] {
        let caller_log = lf.file(caller, "var/log/runbook-shims.log");
        assert!(
            stamp("\tsystemctl\tstop shutongflow.service", &caller_log)
                < stamp("\tuwsgi\t--stop", &log),
            "{caller} stopped before loonflow"
        );
        assert!(
            stamp("\tsystemctl\tstart shutongflow.service", &caller_log)
                > stamp("\tcelery\tmulti start", &log),
            "{caller} started after loonflow's tasks"
        );
        assert!(lf.caller_active(caller), "{caller} runs again");
    }

    // What is left: 1.0 runs from the new directory, its config holds the
    // database (0600, DEBUG off), media/ was copied, the database is at 1.0
    // with dml.py's rows once, the dump was taken before the DDL.
    assert!(lf.alive(UWSGI_PID) && lf.alive(CELERY_PID));
    let worker = lf.file("node1", "var/lib/runbook-shims/celery/worker@node1");
    assert!(
        worker.contains("directory=/opt/loonflow-r1.0.14\n")
            && worker.contains("queues=loonflow\n"),
        "{worker}"
    );
    let loaded = lf.file("node1", "var/lib/runbook-shims/nginx/loaded");
    assert!(
        loaded.contains("alias /opt/loonflow-r1.0.14/media;"),
        "{loaded}"
    );
    let config = lf.file("node1", "opt/loonflow-r1.0.14/settings/config.py");
    assert_eq!(
        lf.mode("node1", "opt/loonflow-r1.0.14/settings/config.py"),
        0o600
    );
    assert!(
        config.contains("DEBUG = False") && config.contains(&lf.secret),
        "{config}"
    );
    assert!(config.contains("'NAME': \"loonflow\""), "{config}");
    assert_eq!(
        lf.file(
            "node1",
            "opt/loonflow-r1.0.14/media/workflow_script/lab_upload.py"
        ),
        "# uploaded to 0.3\n"
    );
    assert!(
        lf.file("node1", "var/log/loonflow/runserver-trial.log")
            .contains("Starting development server"),
        "the trial ran"
    );
    assert!(
        !lf.exists("node1", "var/lib/loonflow-upgrade/dml.py"),
        "the password copy went"
    );
    for marker in ["ddl.done", "dml.done", "upgraded"] {
        assert_eq!(
            lf.mode("node1", &format!("var/lib/loonflow-upgrade/{marker}")),
            0o600
        );
    }
    let rows = lf.rows();
    assert!(
        rows.contains("account_loonuser\tis_workflow_admin\n"),
        "{rows}"
    );
    assert!(!rows.contains("workflow_customnotice\tscript\n"), "{rows}");
    assert!(
        rows.ends_with("--\n1\talice\t0\n1\tbob\t1\n2\tbob\t1\n"),
        "dml.py ran once: {rows}"
    );
    let dump_name = lf.the_one_dump();
    assert!(dump_name.starts_with("loonflow-r0.3.24-") && dump_name.ends_with(".sql"));
    let dump = lf.file("node1", &format!("opt/loonflow_backups/{dump_name}"));
    assert!(
        dump.contains("`title_template`") && !dump.contains("is_workflow_admin"),
        "dumped before the DDL"
    );
    assert!(
        dump.trim_end()
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("-- Dump completed")
    );
}

#[test]
fn loonflow_r0_2_is_refused_with_the_manual_steps_and_nothing_touched() {
    let lf = Loonflow::up("r0.2.9");
    let files = lf.files();
    let rows = lf.rows();
    let output = lf.upgrade(&[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "node1 runs loonflow r0.2.9; this procedure upgrades r0.3.x to r1.0.14 only."
        ) && output
            .stdout
            .contains("r0.2.x -> r0.3.x: callers send username in a header")
            && output.stdout.contains("Nothing was touched."),
        "{}",
        output.all()
    );
    assert_eq!(lf.files(), files);
    assert_eq!(lf.rows(), rows);
    assert_eq!(lf.harmful_calls("node1"), prepared());
    for caller in ["node2", "node3"] {
        assert!(lf.caller_active(caller));
        assert_eq!(
            lf.harmful_calls(caller),
            ["systemctl start shutongflow.service"],
            "{caller}"
        );
    }
    assert!(
        recap(&output).values().all(|host| host.changed == 0),
        "{}",
        output.all()
    );
}

#[test]
fn loonflow_refuses_a_busy_trial_port_with_nothing_touched() {
    let lf = Loonflow::up("r0.3.24");
    let files = lf.files();
    let rows = lf.rows();
    // Another server holds the trial's address: runserver could not bind
    // it, and the probe would ask that server.
    let busy = std::net::TcpListener::bind(lf.address(9999)).expect("the trial's address");
    let output = lf.upgrade(&[]);
    drop(busy);
    output.assert_code(2);
    assert!(
        output.stdout.contains(&format!(
            "node1: something listens on {}, where the trial runserver must answer (the probe would ask that server instead); free it or set loonflow_trial_port. Nothing was touched.",
            lf.address(9999)
        )),
        "{}",
        output.all()
    );
    assert_eq!(lf.files(), files);
    assert_eq!(lf.rows(), rows);
    assert_eq!(lf.harmful_calls("node1"), prepared());
    for caller in ["node2", "node3"] {
        assert!(lf.caller_active(caller));
        assert_eq!(
            lf.harmful_calls(caller),
            ["systemctl start shutongflow.service"],
            "{caller}"
        );
    }
}

/// After a failure past the stop: 0.3 runs again from /opt/loonflow, the
/// database is as before, the callers run, nginx still has the 0.3 site.
fn assert_rolled_back(lf: &Loonflow, rows: &str, site: &str) {
    assert_eq!(lf.rows(), rows, "the database is as before the upgrade");
    assert!(
        lf.alive(UWSGI_PID) && lf.alive(CELERY_PID),
        "0.3 runs again"
    );
    let worker = lf.file("node1", "var/lib/runbook-shims/celery/worker@node1");
    assert!(worker.contains("directory=/opt/loonflow\n"), "{worker}");
    assert_eq!(lf.file("node1", "etc/nginx/conf.d/loonflow.conf"), site);
    for caller in ["node2", "node3"] {
        assert!(lf.caller_active(caller), "{caller} runs again");
    }
    assert!(!lf.exists("node1", "var/lib/loonflow-upgrade/ddl.done"));
    assert!(!lf.exists("node1", "var/lib/loonflow-upgrade/dml.done"));
    assert!(!lf.exists("node1", "var/lib/loonflow-upgrade/upgraded"));
    assert!(
        !lf.exists("node1", "var/lib/loonflow-upgrade/dml.py"),
        "the password copy went"
    );
    assert!(lf.listens(8630), "the rollback waited until 0.3 listens");
}

/// The calls of a rollback after the stop, before the switch: 0.3's web and
/// tasks started again from /opt/loonflow.
fn restarted() -> Vec<String> {
    vec![
        "uwsgi --ini /opt/loonflow/uwsgi.ini".to_string(),
        format!("celery multi start {CELERY_ARGS}"),
    ]
}

#[test]
fn loonflow_worker_that_never_stops_ends_the_wait_and_starts_0_3_web_again() {
    let lf = Loonflow::with_new_venv("r0.3.24");
    let rows = lf.rows();
    let site = lf.file("node1", "etc/nginx/conf.d/loonflow.conf");
    let worker = lf.pid(CELERY_PID);
    // Its running tasks never end: the warm shutdown never does.
    lf.knob("celery/knobs/stop_delay_ms", "3600000");
    let started = std::time::Instant::now();
    let output = lf.upgrade(&["-e", "loonflow_stop_timeout=3"]);
    output.assert_code(2);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(300),
        "the wait was bounded: {:?}",
        started.elapsed()
    );
    assert!(
        output.stdout.contains(
            "LOONFLOW UPGRADE FAILED on node1 at \\\"6. Stop the 0.3 tasks gracefully (celery multi stopwait)\\\""
        ) && output.stdout.contains(&format!(
            "celery multi stopwait did not return within 3 s: the 0.3 worker (pid {worker}) is still in its warm shutdown"
        )) && output.stdout.contains("Rolled back: the database was not changed")
            && output.stdout.contains(&format!(
                "The 0.3 worker (pid {worker}) was told to stop and has not gone: it was neither killed nor started twice. Once it has gone, start it: cd /opt/loonflow && . /opt/venv/loonflow/bin/activate && celery multi start {CELERY_ARGS}"
            )),
        "{}",
        output.all()
    );
    // Stopped before anything was dumped or changed; 0.3's web runs again,
    // its worker is the one that was told to stop (still finishing).
    let mut expected = prepared();
    expected.extend([
        format!("uwsgi --stop {UWSGI_PID}"),
        format!("celery multi stopwait {CELERY_ARGS}"),
        "uwsgi --ini /opt/loonflow/uwsgi.ini".to_string(),
    ]);
    for caller in ["node2", "node3"] {
        assert_eq!(
            lf.harmful_calls(caller),
            [
                "systemctl start shutongflow.service",
                "systemctl stop shutongflow.service",
                "systemctl start shutongflow.service"
            ],
            "{caller}"
        );
    }
    assert_eq!(lf.harmful_calls("node1"), expected);
    assert_eq!(lf.pid(CELERY_PID), worker, "the same worker");
    assert!(lf.alive(CELERY_PID), "not killed");
    assert!(
        std::fs::read_dir(lf.lab.host_root("node1").join("opt/loonflow_backups"))
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(true),
        "nothing dumped"
    );
    assert_eq!(lf.rows(), rows);
    assert!(lf.alive(UWSGI_PID), "0.3's web runs again");
    let instances = lf.file("node1", "var/lib/runbook-shims/uwsgi/instances");
    assert!(
        instances
            .lines()
            .last()
            .is_some_and(|line| line.ends_with("\t/opt/loonflow/loonflow/wsgi.py")),
        "{instances}"
    );
    assert!(lf.listens(8630), "the rollback waited until 0.3 listens");
    assert_eq!(lf.file("node1", "etc/nginx/conf.d/loonflow.conf"), site);
    for caller in ["node2", "node3"] {
        assert!(lf.caller_active(caller), "{caller} runs again");
    }
    assert!(!lf.exists("node1", "var/lib/loonflow-upgrade/ddl.done"));
    assert!(!lf.exists("node1", "var/lib/loonflow-upgrade/upgraded"));
}

#[test]
fn loonflow_failed_trial_restores_the_database_and_rolls_back() {
    let lf = Loonflow::with_new_venv("r0.3.24");
    let rows = lf.rows();
    let site = lf.file("node1", "etc/nginx/conf.d/loonflow.conf");
    lf.knob(
        "loonflow/knobs/runserver_error",
        "django.core.exceptions.ImproperlyConfigured: lab: a broken view\n",
    );
    // 0.3 takes its time to listen again: the rollback waits for it.
    lf.knob("uwsgi/knobs/start_delay_ms", "4000");
    let output = lf.upgrade(&["-e", "loonflow_trial_timeout=4"]);
    output.assert_code(2);
    assert_failed_and_restored(&output, "It answers over HTTP", "Status code was 500");
    assert_nothing_after_dml_but_the_restart(&lf, "the trial");
    assert!(!lf.listens(9999), "the trial server was stopped");
    assert!(
        lf.file("node1", "var/log/loonflow/runserver-trial.log")
            .contains("Starting development server"),
        "the trial ran"
    );
    assert_rolled_back(&lf, &rows, &site);
}

/// The run failed at `step` because of `cause`, and says the database was
/// restored from the dump it took.
fn assert_failed_and_restored(output: &Output, step: &str, cause: &str) {
    assert!(
        output
            .stdout
            .contains(&format!("LOONFLOW UPGRADE FAILED on node1 at \\\"{step}\\\""))
            && output.stdout.contains(cause)
            && output.stdout.contains(
                "Rolled back: the database was restored from /opt/loonflow_backups/loonflow-r0.3.24-"
            ),
        "{}",
        output.all()
    );
}

/// After dml.py (and `what` failing), the only harmful calls were the
/// rollback's restart of 0.3: no 1.0 uwsgi, no nginx reload.
fn assert_nothing_after_dml_but_the_restart(lf: &Loonflow, what: &str) {
    let calls = lf.harmful_calls("node1");
    assert!(
        !calls
            .iter()
            .any(|call| call.contains("loonflow-r1.0.14/uwsgi.ini") || call == "nginx -s reload"),
        "nothing after {what}: {calls:?}"
    );
    let mut tail = vec!["dml.py loonflow".to_string()];
    tail.extend(restarted());
    assert_eq!(calls[calls.len() - 3..], tail);
}

#[test]
fn loonflow_failed_dml_restores_the_database_and_rolls_back() {
    let lf = Loonflow::with_new_venv("r0.3.24");
    // A user name dml.py's SQL does not quote.
    lf.db.sql(
        "INSERT INTO loonflow.ticket_ticketrecord (id, title, workflow_id, state_id, creator, participant_type_id, participant, relation) VALUES (3, 'vpn for o''brien', 1, 1, 'o''brien', 1, 'bob', 'o''brien,bob')",
    );
    let rows = lf.rows();
    let site = lf.file("node1", "etc/nginx/conf.d/loonflow.conf");
    let output = lf.upgrade(&[]);
    output.assert_code(2);
    assert_failed_and_restored(
        &output,
        "8. Run dml.py in the new venv",
        "You have an error in your SQL syntax",
    );
    assert_nothing_after_dml_but_the_restart(&lf, "dml.py");
    assert!(
        !lf.exists("node1", "var/log/loonflow/runserver-trial.log"),
        "no trial"
    );
    assert_rolled_back(&lf, &rows, &site);
}

#[test]
fn loonflow_broken_nginx_config_stops_before_the_reload_and_rolls_back() {
    let lf = Loonflow::with_new_venv("r0.3.24");
    let rows = lf.rows();
    let site = lf.file("node1", "etc/nginx/conf.d/loonflow.conf");
    let loaded = lf.file("node1", "var/lib/runbook-shims/nginx/loaded");
    let output = lf.upgrade(&[
        "-e",
        r#"{"loonflow_nginx_directives": ["uwsgi_read_timout 300"]}"#,
    ]);
    output.assert_code(2);
    assert_failed_and_restored(
        &output,
        "12. nginx -t (a broken configuration stops here, before the reload)",
        "unknown directive \\\"uwsgi_read_timout\\\" in /etc/nginx/conf.d/loonflow.conf",
    );
    let calls = lf.harmful_calls("node1");
    assert!(
        !calls.iter().any(|call| call == "nginx -s reload"),
        "{calls:?}"
    );
    assert_eq!(
        lf.file("node1", "var/lib/runbook-shims/nginx/loaded"),
        loaded,
        "nginx kept the 0.3 site"
    );
    assert_eq!(
        calls[calls.len() - 3..],
        [
            "uwsgi --stop /var/lib/loonflow/uwsgi.pid".to_string(),
            "uwsgi --ini /opt/loonflow/uwsgi.ini".into(),
            format!("celery multi start {CELERY_ARGS}"),
        ]
    );
    assert_rolled_back(&lf, &rows, &site);

    // Fixed, the next run upgrades (ddl.sql and dml.py run again on the
    // restored database).
    let again = lf.upgrade(&[]);
    again.assert_code(0);
    assert!(
        lf.rows()
            .ends_with("--\n1\talice\t0\n1\tbob\t1\n2\tbob\t1\n"),
        "{}",
        lf.rows()
    );
}

#[test]
fn loonflow_failed_ddl_stops_before_the_switch_and_restores_the_database() {
    let lf = Loonflow::with_new_venv("r0.3.24");
    // Someone made the table ddl.sql creates half-way through.
    lf.db
        .sql("CREATE TABLE loonflow.workflow_workflowadmin (id INT PRIMARY KEY)");
    let rows = lf.rows();
    let site = lf.file("node1", "etc/nginx/conf.d/loonflow.conf");
    let output = lf.upgrade(&[]);
    output.assert_code(2);
    assert!(
        output
            .stdout
            .contains("LOONFLOW UPGRADE FAILED on node1 at \\\"8. Run ddl.sql\\\"")
            && output.stdout.contains("already exists")
            && output
                .stdout
                .contains("Rolled back: the database was restored"),
        "{}",
        output.all()
    );
    let calls = lf.harmful_calls("node1");
    assert!(
        !calls.iter().any(|call| call.contains("dml.py")
            || call.contains("loonflow-r1.0.14/uwsgi.ini")
            || call == "nginx -s reload"),
        "nothing after the DDL: {calls:?}"
    );
    assert_rolled_back(&lf, &rows, &site);
}

#[test]
fn loonflow_rollback_stops_loudly_when_the_1_0_uwsgi_does_not_stop_in_time() {
    let lf = Loonflow::with_new_venv("r0.3.24");
    let site = lf.file("node1", "etc/nginx/conf.d/loonflow.conf");
    // The 1.0 uwsgi (started in this run: it reads the knob then) never
    // finishes its stop; 0.3's, started before, stops as usual.
    lf.knob("uwsgi/knobs/stop_delay_ms", "3600000");
    let started = std::time::Instant::now();
    let output = lf.upgrade(&[
        "-e",
        "loonflow_stop_timeout=3",
        "-e",
        r#"{"loonflow_nginx_directives": ["uwsgi_read_timout 300"]}"#,
    ]);
    output.assert_code(2);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(300),
        "the rollback did not hang: {:?}",
        started.elapsed()
    );
    let uwsgi = lf.pid(UWSGI_PID);
    let dump_name = lf.the_one_dump();
    assert!(
        output.stdout.contains(&format!(
            "ROLLBACK STOPPED: the 1.0 uwsgi (pid {uwsgi}) has not gone 3 s after uwsgi --stop; it still holds {}, where 0.3 must start. nginx still has the 0.3 site; the database is at 1.0 (ddl.sql/dml.py ran), not restored: the dump is /opt/loonflow_backups/{}; 0.3's web and tasks are stopped, and so are the callers. Once that uwsgi has gone (kill -9 {uwsgi} if it never does), finish the rollback by hand (docs/playbooks/loonflow-upgrade.md, Manual rollback).",
            lf.address(8630),
            dump_name
        )),
        "{}",
        output.all()
    );
    assert!(
        !output.stdout.contains("LOONFLOW UPGRADE FAILED"),
        "the rollback stopped where it could not go on: {}",
        output.all()
    );
    let summary = recap(&output);
    assert_eq!(
        (summary["node1"].failed, summary["node1"].rescued),
        (1, 1),
        "{}",
        output.all()
    );

    // It stopped there: after 1.0's uwsgi --stop, nothing was started, the
    // database was not touched under the live 1.0, the site is 0.3's again.
    let calls = lf.harmful_calls("node1");
    assert_eq!(
        calls[calls.len() - 3..],
        [
            "dml.py loonflow".to_string(),
            "uwsgi --ini /opt/loonflow-r1.0.14/uwsgi.ini".into(),
            format!("uwsgi --stop {UWSGI_PID}"),
        ],
        "{calls:?}"
    );
    assert!(lf.alive(UWSGI_PID), "the 1.0 uwsgi was not killed");
    assert!(!lf.alive(CELERY_PID), "no worker was started");
    assert!(
        lf.rows()
            .ends_with("--\n1\talice\t0\n1\tbob\t1\n2\tbob\t1\n"),
        "the database is at 1.0: {}",
        lf.rows()
    );
    assert!(lf.exists("node1", "var/lib/loonflow-upgrade/dml.done"));
    assert_eq!(lf.file("node1", "etc/nginx/conf.d/loonflow.conf"), site);
    for caller in ["node2", "node3"] {
        assert!(!lf.caller_active(caller), "{caller} is left stopped");
    }
}

#[test]
fn loonflow_rollback_stops_loudly_when_the_1_0_worker_does_not_stop_in_time() {
    let lf = Loonflow::with_new_venv("r0.3.24");
    // node2's caller cannot start again (step 14 fails, after the switch).
    let knob = lf
        .lab
        .host_root("node2")
        .join("var/lib/runbook-shims/systemd-knobs/start_fails");
    std::fs::create_dir_all(&knob).expect("knobs");
    std::fs::write(knob.join("shutongflow.service"), "").expect("knob");
    // Once the 1.0 worker runs, its tasks never end: its warm shutdown
    // (read when the TERM arrives) never does. 0.3's stopped as usual.
    let worker = lf
        .lab
        .host_root("node1")
        .join("var/lib/runbook-shims/celery/worker@node1");
    let done = std::sync::atomic::AtomicBool::new(false);
    let started = std::time::Instant::now();
    let output = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                if std::fs::read_to_string(&worker)
                    .is_ok_and(|text| text.contains("directory=/opt/loonflow-r1.0.14\n"))
                {
                    lf.knob("celery/knobs/stop_delay_ms", "3600000");
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        });
        let output = lf.upgrade(&["-e", "loonflow_stop_timeout=3"]);
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        output
    });
    output.assert_code(2);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(300),
        "the rollback did not hang: {:?}",
        started.elapsed()
    );
    let pid = lf.pid(CELERY_PID);
    let dump_name = lf.the_one_dump();
    assert!(
        output.stdout.contains(&format!(
            "ROLLBACK STOPPED: celery multi stopwait did not return within 3 s: the 1.0 worker (pid {pid}) is still in its warm shutdown (its running tasks); nginx still serves 1.0 and the database is at 1.0 (the dump is /opt/loonflow_backups/{dump_name}); the callers are as \"14. Start the callers again\" left them. Once the worker has gone, finish the rollback by hand (docs/playbooks/loonflow-upgrade.md, Manual rollback).",
        )),
        "{}",
        output.all()
    );
    assert!(
        output
            .stdout
            .contains("Failed to start shutongflow.service")
            || output.stdout.contains("Job for shutongflow.service failed"),
        "the cause is shown: {}",
        output.all()
    );
    assert!(
        !output.stdout.contains("LOONFLOW UPGRADE FAILED"),
        "{}",
        output.all()
    );

    // Nothing after the stopwait: 1.0 serves, its worker finishes, the
    // database stays at 1.0 under it, nothing of 0.3 was started.
    let calls = lf.harmful_calls("node1");
    assert_eq!(
        calls[calls.len() - 4..],
        [
            "uwsgi --ini /opt/loonflow-r1.0.14/uwsgi.ini".to_string(),
            "nginx -s reload".into(),
            format!("celery multi start {CELERY_ARGS}"),
            format!("celery multi stopwait {CELERY_ARGS}"),
        ],
        "{calls:?}"
    );
    assert!(lf.alive(CELERY_PID), "the 1.0 worker was not killed");
    assert!(lf.alive(UWSGI_PID), "1.0 still serves");
    assert!(
        lf.file("node1", "var/lib/runbook-shims/nginx/loaded")
            .contains("alias /opt/loonflow-r1.0.14/media;")
    );
    assert!(
        lf.rows()
            .ends_with("--\n1\talice\t0\n1\tbob\t1\n2\tbob\t1\n"),
        "the database is at 1.0: {}",
        lf.rows()
    );
    assert!(!lf.caller_active("node2"), "node2's caller could not start");
    assert!(!lf.exists("node1", "var/lib/loonflow-upgrade/upgraded"));
}

#[test]
fn loonflow_trial_address_taken_during_the_upgrade_is_refused_and_rolled_back() {
    let lf = Loonflow::with_new_venv("r0.3.24");
    let rows = lf.rows();
    let site = lf.file("node1", "etc/nginx/conf.d/loonflow.conf");
    let log = lf.lab.host_root("node1").join("var/log/runbook-shims.log");
    let address = lf.address(9999);
    // Free at the checks; once 0.3 is being stopped, another server takes
    // the trial's address and answers 200 to anything (the probe would
    // take it for the trial).
    let done = std::sync::atomic::AtomicBool::new(false);
    let requests = std::sync::atomic::AtomicUsize::new(0);
    let output = std::thread::scope(|scope| {
        scope.spawn(|| {
            use std::io::{Read as _, Write as _};
            while !std::fs::read_to_string(&log)
                .is_ok_and(|text| text.contains("\tcelery\tmulti stopwait"))
            {
                if done.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            let listener = std::net::TcpListener::bind(address).expect("the trial's address");
            listener.set_nonblocking(true).expect("nonblocking");
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        stream.set_nonblocking(false).expect("blocking");
                        let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
                        let mut buffer = [0u8; 1024];
                        let read = stream.read(&mut buffer).unwrap_or(0);
                        if buffer[..read].starts_with(b"GET ") {
                            requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            let _ = stream.write_all(
                                b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nanother server\n",
                            );
                        }
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        });
        let output = lf.upgrade(&[]);
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        output
    });
    output.assert_code(2);
    assert_failed_and_restored(
        &output,
        "Nothing has taken the trial's address since the checks",
        &format!(
            "something listens on {address} now (it was free at the checks), where the trial runserver must answer: it could not bind, and the probe would ask that server instead. Free it or set loonflow_trial_port"
        ),
    );
    assert_eq!(
        requests.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the other server was never taken for the trial"
    );
    assert!(
        !lf.exists("node1", "var/log/loonflow/runserver-trial.log"),
        "no runserver was started"
    );
    assert_nothing_after_dml_but_the_restart(&lf, "the busy trial address");
    assert_rolled_back(&lf, &rows, &site);
}
