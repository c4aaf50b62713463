//! Stand-ins for the services an ops playbook drives (`systemctl`, `docker`,
//! `mysqldump`, the KWDB installer...). Each is a small POSIX `sh` script in
//! the host's own `/usr/local/sbin`, first on root's PATH over ssh. Every call
//! appends `<timestamp>\t<shim>\t<argv, shell-quoted>` to the host's
//! `/var/log/runbook-shims.log`; state lives under `/var/lib/runbook-shims/`.
//!
//! A systemd unit exists for `systemctl` when
//! `/var/lib/runbook-shims/systemd/<unit>/` exists (seeded by `up` for
//! [`SEEDED_UNITS`]) or when `/etc/systemd/system/<unit>` exists on the host.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::LabError;

const PRELUDE: &str = include_str!("shims/prelude.sh");

/// `(file name, body)` of every shim; each is installed as
/// `#!/bin/sh`, the prelude, then its body.
pub const SHIMS: &[(&str, &str)] = &[
    ("systemctl", include_str!("shims/systemctl.sh")),
    ("docker", include_str!("shims/docker.sh")),
    ("docker-compose", include_str!("shims/docker-compose.sh")),
    ("supervisorctl", include_str!("shims/supervisorctl.sh")),
    ("mysqldump", include_str!("shims/mysqldump.sh")),
    ("mysql", include_str!("shims/mysql.sh")),
    ("kwbase", include_str!("shims/kwbase.sh")),
    ("celery", include_str!("shims/celery.sh")),
    ("jms", include_str!("shims/jms.sh")),
    ("deploy.sh", include_str!("shims/deploy.sh")),
    ("uwsgi", include_str!("shims/uwsgi.sh")),
    ("nginx", include_str!("shims/nginx.sh")),
    // issue 9: what must not reach the machine's kernel, clock or debconf.
    ("modprobe", include_str!("shims/modprobe.sh")),
    ("lsmod", include_str!("shims/lsmod.sh")),
    ("hwclock", include_str!("shims/hwclock.sh")),
    (
        "dpkg-reconfigure",
        include_str!("shims/dpkg-reconfigure.sh"),
    ),
    ("dnf", include_str!("shims/dnf.sh")),
    ("yum", include_str!("shims/dnf.sh")),
    ("rpm", include_str!("shims/rpm.sh")),
    // issue 9: the host's power commands ask its init to reboot or power off.
    ("shutdown", include_str!("shims/shutdown.sh")),
    ("reboot", include_str!("shims/shutdown.sh")),
    ("halt", include_str!("shims/shutdown.sh")),
    ("poweroff", include_str!("shims/shutdown.sh")),
];

/// Units every lab host knows, and whether each starts out running (and
/// enabled). The rest start stopped and disabled, as before an install.
pub const SEEDED_UNITS: &[(&str, bool)] = &[
    ("ssh.service", true),
    ("cron.service", true),
    ("docker.service", true),
    ("kaiwudb.service", false),
    ("nginx.service", false),
    ("mysql.service", false),
    ("supervisor.service", false),
    ("uwsgi.service", false),
    ("celery.service", false),
    ("jms_core.service", false),
    ("redis-server.service", false),
];

/// The full text of one installed shim.
pub fn script(body: &str) -> String {
    format!("#!/bin/sh\n{PRELUDE}\n{body}")
}

/// Install every shim and seed the unit states below a host's private root.
pub fn install(host_root: &Path) -> Result<(), LabError> {
    let bin = host_root.join("usr/local/sbin");
    for (name, body) in SHIMS {
        write_executable(&bin.join(name), &script(body))?;
    }
    let units = host_root.join("var/lib/runbook-shims/systemd");
    for (unit, running) in SEEDED_UNITS {
        let dir = units.join(unit);
        create_dir(&dir)?;
        if *running {
            write(&dir.join("active"), "")?;
            write(&dir.join("enabled"), "")?;
        }
    }
    Ok(())
}

fn write_executable(path: &Path, text: &str) -> Result<(), LabError> {
    write(path, text)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .map_err(|error| LabError::io(format!("cannot chmod {}", path.display()), error))
}

fn write(path: &Path, text: &str) -> Result<(), LabError> {
    fs::write(path, text)
        .map_err(|error| LabError::io(format!("cannot write {}", path.display()), error))
}

fn create_dir(path: &Path) -> Result<(), LabError> {
    fs::create_dir_all(path)
        .map_err(|error| LabError::io(format!("cannot create {}", path.display()), error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    /// The shims installed in a scratch host root, run on this machine.
    struct Host {
        root: tempfile::TempDir,
    }

    struct Outcome {
        rc: i32,
        stdout: String,
        stderr: String,
    }

    impl Host {
        fn new() -> Self {
            let root = tempfile::tempdir().expect("tempdir");
            for dir in ["usr/local/sbin", "var/lib", "var/log"] {
                fs::create_dir_all(root.path().join(dir)).expect("mkdir");
            }
            install(root.path()).expect("install");
            Host { root }
        }

        fn run_in(&self, dir: &Path, line: &[&str], stdin: &str) -> Outcome {
            let bin = self.root.path().join("usr/local/sbin");
            let mut child = Command::new(bin.join(line[0]))
                .args(&line[1..])
                .current_dir(dir)
                .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
                .env(
                    "RUNBOOK_SHIM_STATE",
                    self.root.path().join("var/lib/runbook-shims"),
                )
                .env("RUNBOOK_SHIM_LOG", self.log_path())
                .env("RUNBOOK_SHIM_ROOT", self.root.path())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("shim runs");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(stdin.as_bytes())
                .expect("write stdin");
            let output = child.wait_with_output().expect("shim finishes");
            Outcome {
                rc: output.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }
        }

        fn run(&self, line: &[&str]) -> Outcome {
            self.run_in(self.root.path(), line, "")
        }

        fn log_path(&self) -> std::path::PathBuf {
            self.root.path().join("var/log/runbook-shims.log")
        }

        fn log_lines(&self) -> Vec<(String, String, Vec<String>)> {
            fs::read_to_string(self.log_path())
                .unwrap_or_default()
                .lines()
                .map(|line| {
                    let fields: Vec<&str> = line.splitn(3, '\t').collect();
                    let argv = shell_words::split(fields.get(2).copied().unwrap_or(""))
                        .expect("argv is shell-quoted");
                    (fields[0].to_string(), fields[1].to_string(), argv)
                })
                .collect()
        }
    }

    #[test]
    fn power_commands_refuse_outside_a_lab_host_and_parse_times_as_systemd() {
        let host = Host::new();
        let refused = host.run(&["shutdown", "-r", "0", "Reboot initiated by Ansible"]);
        assert_eq!(
            (refused.rc, refused.stdout.as_str(), refused.stderr.as_str()),
            (
                1,
                "",
                "shutdown: PID 1 is not a runbook lab host's init; refusing (runbook lab shim)\n"
            )
        );
        let bad_time = host.run(&["shutdown", "-r", "soon"]);
        assert_eq!(
            (bad_time.rc, bad_time.stderr.as_str()),
            (1, "Failed to parse time specification: soon\n")
        );
        let bad_option = host.run(&["shutdown", "-x"]);
        assert_eq!(
            (bad_option.rc, bad_option.stderr.as_str()),
            (1, "shutdown: invalid option -- 'x'\n")
        );
        assert_eq!(host.run(&["shutdown", "-c"]).rc, 0);
        let via_systemctl = host.run(&["systemctl", "reboot"]);
        assert_eq!(
            (via_systemctl.rc, via_systemctl.stderr.as_str()),
            (
                1,
                "reboot: PID 1 is not a runbook lab host's init; refusing (runbook lab shim)\n"
            )
        );
        let calls: Vec<(String, Vec<String>)> = host
            .log_lines()
            .into_iter()
            .map(|(_, name, argv)| (name, argv))
            .collect();
        let owned = |name: &str, argv: &[&str]| {
            (
                name.to_string(),
                argv.iter().map(|word| word.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            calls,
            vec![
                owned("shutdown", &["-r", "0", "Reboot initiated by Ansible"]),
                owned("shutdown", &["-r", "soon"]),
                owned("shutdown", &["-x"]),
                owned("shutdown", &["-c"]),
                owned("systemctl", &["reboot"]),
            ]
        );
    }

    #[test]
    fn modprobe_and_lsmod_load_and_unload_with_kmods_exit_codes() {
        let host = Host::new();
        let listed = |name: &str| {
            host.run(&["lsmod"])
                .stdout
                .lines()
                .skip(1)
                .any(|line| line.split_whitespace().next() == Some(name))
        };
        assert_eq!(
            host.run(&["lsmod"]).stdout.lines().next(),
            Some("Module                  Size  Used by")
        );
        assert!(!listed("dummy"));
        assert_eq!(host.run(&["modprobe", "-n", "dummy"]).rc, 0);
        assert!(!listed("dummy"), "a dry run loads nothing");
        assert_eq!(host.run(&["modprobe", "dummy", "numdummies=2"]).rc, 0);
        assert!(listed("dummy"));
        let again = host.run(&["modprobe", "--first-time", "dummy"]);
        assert_eq!(again.rc, 1);
        assert!(
            again.stderr.contains("Module already in kernel"),
            "{}",
            again.stderr
        );
        assert_eq!(host.run(&["modprobe", "-r", "dummy"]).rc, 0);
        assert!(!listed("dummy"));
        let gone = host.run(&["modprobe", "-r", "dummy"]);
        assert_eq!(gone.rc, 1);
        assert!(
            gone.stderr.contains("is not currently loaded"),
            "{}",
            gone.stderr
        );
        let unknown = host.run(&["modprobe", "no_such_module_here"]);
        assert_eq!(unknown.rc, 1);
        assert!(
            unknown.stderr.starts_with(
                "modprobe: FATAL: Module no_such_module_here not found in directory /lib/modules/"
            ),
            "{}",
            unknown.stderr
        );
        let hwclock = host.run(&["hwclock", "--set"]);
        assert_eq!(hwclock.rc, 1, "only --systohc and --show are modelled");
    }

    #[test]
    fn systemctl_tracks_a_units_life() {
        let host = Host::new();
        let check = |line: &[&str], rc: i32, stdout: &str| {
            let outcome = host.run(line);
            assert_eq!(
                (outcome.rc, outcome.stdout.trim()),
                (rc, stdout),
                "{line:?}"
            );
        };
        check(&["systemctl", "is-active", "kaiwudb"], 3, "inactive");
        check(&["systemctl", "start", "kaiwudb"], 0, "");
        check(&["systemctl", "is-active", "kaiwudb.service"], 0, "active");
        check(&["systemctl", "is-enabled", "kaiwudb"], 1, "disabled");
        check(&["systemctl", "enable", "kaiwudb"], 0, "");
        check(&["systemctl", "is-enabled", "kaiwudb"], 0, "enabled");
        check(&["systemctl", "-q", "is-active", "kaiwudb"], 0, "");
        check(
            &[
                "systemctl",
                "show",
                "kaiwudb",
                "-p",
                "ActiveState",
                "--value",
            ],
            0,
            "active",
        );
        let status = host.run(&["systemctl", "status", "kaiwudb"]);
        assert_eq!(status.rc, 0);
        assert!(
            status.stdout.contains("Active: active (running)"),
            "{}",
            status.stdout
        );
        check(&["systemctl", "stop", "kaiwudb"], 0, "");
        assert_eq!(host.run(&["systemctl", "status", "kaiwudb"]).rc, 3);
        check(&["systemctl", "is-active", "docker"], 0, "active");
    }

    #[test]
    fn systemctl_reports_unknown_units_like_systemd() {
        let host = Host::new();
        let status = host.run(&["systemctl", "status", "nosuch"]);
        assert_eq!(status.rc, 4);
        assert_eq!(status.stderr, "Unit nosuch.service could not be found.\n");
        assert_eq!(host.run(&["systemctl", "start", "nosuch"]).rc, 5);
        let show = host.run(&["systemctl", "show", "nosuch", "--property=LoadState"]);
        assert_eq!(show.stdout, "LoadState=not-found\n");
    }

    #[test]
    fn every_call_is_logged_with_a_nanosecond_timestamp_and_quoted_argv() {
        let host = Host::new();
        host.run(&["systemctl", "restart", "nginx"]);
        host.run(&["mysql", "-e", "select 'it''s' from t; -- $HOME"]);
        let lines = host.log_lines();
        let timestamp = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}$").expect("re");
        assert!(
            lines.iter().all(|(time, _, _)| timestamp.is_match(time)),
            "{lines:?}"
        );
        let calls: Vec<(&str, Vec<String>)> = lines
            .iter()
            .map(|(_, shim, argv)| (shim.as_str(), argv.clone()))
            .collect();
        assert_eq!(
            calls,
            [
                ("systemctl", vec!["restart".to_string(), "nginx".into()]),
                (
                    "mysql",
                    vec!["-e".into(), "select 'it''s' from t; -- $HOME".into()]
                ),
            ]
        );
    }

    #[test]
    fn docker_containers_and_images_persist_between_calls() {
        let host = Host::new();
        assert_eq!(
            host.run(&[
                "docker",
                "run",
                "-d",
                "--name",
                "web",
                "-p",
                "80:80",
                "nginx:1.25"
            ])
            .rc,
            0
        );
        let names = |all: bool| {
            let mut line = vec!["docker", "ps", "--format", "{{.Names}} {{.State}}"];
            if all {
                line.push("-a");
            }
            host.run(&line).stdout
        };
        assert_eq!(names(false), "web running\n");
        let inspect = host.run(&[
            "docker",
            "inspect",
            "-f",
            "{{.State.Running}} {{.Config.Image}}",
            "web",
        ]);
        assert_eq!(inspect.stdout, "true nginx:1.25\n");
        assert_eq!(
            host.run(&["docker", "rm", "web"]).rc,
            1,
            "running container removed"
        );
        host.run(&["docker", "stop", "web"]);
        assert_eq!(names(false), "");
        assert_eq!(names(true), "web exited\n");
        assert_eq!(host.run(&["docker", "rm", "web"]).rc, 0);
        assert_eq!(host.run(&["docker", "inspect", "web"]).rc, 1);

        let tarball = host.root.path().join("kwdb-2.1.0.tar");
        fs::write(&tarball, "not really a tar").expect("write");
        let loaded = host.run(&["docker", "load", "-i", tarball.to_str().expect("utf-8")]);
        assert_eq!(loaded.stdout, "Loaded image: kwdb:2.1.0\n");
        host.run(&["docker", "tag", "kwdb:2.1.0", "kwdb:latest"]);
        let images = host.run(&["docker", "images"]).stdout;
        assert!(
            images.contains("kwdb   2.1.0") && images.contains("kwdb   latest"),
            "{images}"
        );
    }

    #[test]
    fn compose_projects_become_containers() {
        let host = Host::new();
        let project = host.root.path().join("jpom");
        fs::create_dir_all(&project).expect("mkdir");
        fs::write(
            project.join("docker-compose.yml"),
            "services:\n  server:\n    image: jpom/server\n  agent:\n    image: jpom/agent\nvolumes:\n  data:\n",
        )
        .expect("write");
        assert_eq!(
            host.run_in(&project, &["docker", "compose", "up", "-d"], "")
                .rc,
            0
        );
        let running = host.run(&["docker", "ps", "--format", "{{.Names}}"]).stdout;
        assert_eq!(running, "jpom-agent-1\njpom-server-1\n");
        host.run_in(&project, &["docker-compose", "down"], "");
        assert_eq!(host.run(&["docker", "ps", "-a", "-q"]).stdout, "");
        let calls: Vec<String> = host
            .log_lines()
            .into_iter()
            .map(|(_, shim, argv)| format!("{shim} {}", argv.join(" ")))
            .collect();
        assert_eq!(
            calls,
            [
                "docker compose up -d",
                "docker ps --format {{.Names}}",
                "docker-compose down",
                "docker ps -a -q"
            ],
            "the shims compose calls internally are not logged"
        );
    }

    #[test]
    fn kwdb_upgrade_is_visible_to_kwbase() {
        let host = Host::new();
        let state = host.root.path().join("var/lib/runbook-shims");
        let package = host.root.path().join("kwdb_install");
        fs::create_dir_all(package.join("packages")).expect("mkdir");
        fs::write(
            package.join("packages/kaiwudb-server_2.2.0-1_amd64.deb"),
            "",
        )
        .expect("write");
        let refused = host.run_in(&package, &["deploy.sh", "upgrade", "-l"], "");
        assert_eq!(
            (refused.rc, refused.stderr.as_str()),
            (1, "[ERROR] KaiwuDB is not installed on this node.\n")
        );
        let old = host.root.path().join("old");
        fs::create_dir_all(&old).expect("mkdir");
        fs::write(old.join("VERSION"), "2.1.0\n").expect("write");
        assert_eq!(host.run_in(&old, &["deploy.sh", "install"], "").rc, 0);
        let upgrade = host.run_in(&package, &["deploy.sh", "upgrade", "-l"], "");
        assert_eq!(upgrade.rc, 0, "{}", upgrade.stderr);
        assert!(host.run(&["kwbase", "version"]).stdout.contains("V2.2.0"));
        let again = host.run_in(&package, &["deploy.sh", "upgrade", "--local"], "");
        assert_eq!(again.rc, 1, "the same version again: {}", again.stderr);

        // A started node takes its rejoin time to become live.
        host.run(&["systemctl", "start", "kaiwudb"]);
        let header = "id\taddress\tsql_address\tbuild\tstarted_at\tupdated_at\tlocality\tis_available\tis_live";
        let status = host.run(&["kwbase", "node", "status", "--insecure"]);
        assert_eq!(status.rc, 0, "{}", status.stderr);
        let lines: Vec<&str> = status.stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{}", status.stdout);
        assert_eq!(lines[0], header, "TSV when stdout is not a terminal");
        let row: Vec<&str> = lines[1].split('\t').collect();
        assert_eq!(
            (row[0], row[3], row[7], row[8]),
            ("1", "v2.2.0", "false", "false"),
            "{}",
            lines[1]
        );
        let refused = host.run_in(&package, &["deploy.sh", "upgrade", "-l"], "");
        assert_eq!(refused.rc, 1, "upgrade while kaiwudb runs");
        host.run(&["systemctl", "stop", "kaiwudb"]);
        assert_eq!(
            host.run(&["kwbase", "node", "status", "--insecure"]).rc,
            1,
            "a stopped node refuses connections"
        );
        fs::create_dir_all(state.join("kwdb/knobs")).expect("mkdir");
        fs::write(state.join("kwdb/knobs/rejoin_ms"), "0\n").expect("write");
        fs::write(state.join("kwdb/knobs/catch_up_ms"), "0\n").expect("write");
        host.run(&["systemctl", "start", "kaiwudb"]);
        let table = host.run(&["kwbase", "node", "status", "--insecure", "--format=table"]);
        assert!(
            table.stdout.ends_with("| true         | true\n(1 row)\n"),
            "{}",
            table.stdout
        );
        let csv = host.run(&[
            "kwbase",
            "sql",
            "--insecure",
            "--format=csv",
            "-e",
            "SELECT sum((metrics->>'ranges.unavailable')::DECIMAL)::INT AS ranges_unavailable, sum((metrics->>'ranges.underreplicated')::DECIMAL)::INT AS ranges_underreplicated FROM kwdb_internal.kv_store_status",
        ]);
        assert_eq!(
            csv.stdout,
            "ranges_unavailable,ranges_underreplicated\n0,0\n"
        );
        let insecure_client = host.run(&["kwbase", "node", "status"]);
        assert_eq!(insecure_client.rc, 1, "no certificates, no --insecure");

        // A secure cluster refuses --insecure clients.
        fs::create_dir_all(state.join("cluster/kwdb-settings")).expect("mkdir");
        fs::write(state.join("cluster/kwdb-settings/certs_dir"), "/certs\n").expect("write");
        let refused = host.run(&["kwbase", "node", "status", "--insecure"]);
        assert_eq!(refused.rc, 1);
        assert!(refused.stderr.contains("secure mode"), "{}", refused.stderr);

        // A failed import keeps the data and leaves a node that cannot start.
        host.run(&["systemctl", "stop", "kaiwudb"]);
        fs::write(state.join("kwdb/knobs/upgrade_fails"), "").expect("write");
        let newer = host.root.path().join("newer");
        fs::create_dir_all(&newer).expect("mkdir");
        fs::write(newer.join("VERSION"), "2.2.1\n").expect("write");
        let failed = host.run_in(&newer, &["deploy.sh", "upgrade", "-l"], "");
        assert_eq!(failed.rc, 1);
        assert!(failed.stderr.contains("were kept"), "{}", failed.stderr);
        let start = host.run(&["systemctl", "start", "kaiwudb"]);
        assert_eq!(start.rc, 1, "{}", start.stderr);
        let state = host.run(&["systemctl", "is-active", "kaiwudb"]);
        assert_eq!((state.rc, state.stdout.as_str()), (3, "failed\n"));
    }

    #[test]
    fn supervisorctl_runs_programs_in_groups_as_supervisor_4_does() {
        let host = Host::new();
        let conf = host.root.path().join("supervisord.conf");
        let conf = conf.to_str().expect("utf-8");
        let missing = host.run(&["supervisorctl", "-c", conf, "status"]);
        assert_eq!(missing.rc, 2);
        assert!(
            missing
                .stderr
                .starts_with("Error: could not find config file")
        );
        fs::write(
            conf,
            "[program:worker]\ncommand=sleep 30\nstartsecs=0\n\n[group:app]\nprograms = web\n\n\
             [program:web]\ncommand = sh -c \"sleep 30\"\nstartsecs = 1\n\n[program:crash]\ncommand=false\n",
        )
        .expect("config");
        let run = |args: &[&str]| {
            let mut line = vec!["supervisorctl", "-c", conf];
            line.extend_from_slice(args);
            host.run(&line)
        };
        let status = run(&["status"]);
        assert_eq!(status.rc, 3, "stopped programs: {}", status.stdout);
        assert_eq!(
            status.stdout,
            "app:web                          STOPPED   Not started\n\
             crash                            STOPPED   Not started\n\
             worker                           STOPPED   Not started\n"
        );
        assert_eq!(run(&["start", "worker"]).stdout, "worker: started\n");
        let again = run(&["start", "worker"]);
        assert_eq!(
            (again.rc, again.stdout.as_str()),
            (0, "worker: ERROR (already started)\n")
        );
        // A group start waits startsecs; meanwhile the program is STARTING,
        // which `status` does not count as stopped.
        let (started, during) = std::thread::scope(|scope| {
            let start = scope.spawn(|| run(&["start", "app:*"]));
            std::thread::sleep(std::time::Duration::from_millis(500));
            let during = run(&["status", "app:web"]);
            (start.join().expect("start"), during)
        });
        assert_eq!(started.stdout, "app:web: started\n");
        assert_eq!(during.rc, 0);
        assert!(
            during
                .stdout
                .starts_with("app:web                          STARTING"),
            "{}",
            during.stdout
        );
        let running = run(&["status", "app:"]);
        assert_eq!(running.rc, 0);
        assert!(
            regex::Regex::new(r"^app:web {26}RUNNING   pid \d+, uptime 0:00:0\d\n$")
                .expect("re")
                .is_match(&running.stdout),
            "{}",
            running.stdout
        );
        let crash = run(&["start", "crash"]);
        assert_eq!(
            (crash.rc, crash.stdout.as_str()),
            (1, "crash: ERROR (spawn error)\n")
        );
        assert!(
            run(&["status", "crash"])
                .stdout
                .contains("FATAL     Exited too quickly")
        );
        let unknown = run(&["status", "web", "nosuch:"]);
        assert_eq!(unknown.rc, 4);
        assert_eq!(
            unknown.stdout,
            "web: ERROR (no such process)\nnosuch: ERROR (no such group)\n"
        );
        assert_eq!(
            run(&["stop", "app:*", "worker"]).stdout,
            "app:web: stopped\nworker: stopped\n"
        );
        let stopped = run(&["stop", "worker"]);
        assert_eq!(
            (stopped.rc, stopped.stdout.as_str()),
            (0, "worker: ERROR (not running)\n")
        );
        assert_eq!(run(&["status", "app:*"]).rc, 3);
    }

    #[test]
    fn mysql_and_friends_keep_state() {
        let host = Host::new();
        let dump = host.run(&["mysqldump", "-uroot", "--single-transaction", "appdb"]);
        assert!(
            dump.stdout
                .contains("CREATE DATABASE /*!32312 IF NOT EXISTS*/ `appdb`")
        );
        host.run_in(
            host.root.path(),
            &["mysql", "appdb"],
            "UPDATE t SET x = 1;\n",
        );
        let queries = fs::read_to_string(
            host.root
                .path()
                .join("var/lib/runbook-shims/mysql/queries.sql"),
        )
        .expect("queries kept");
        assert_eq!(queries, "UPDATE t SET x = 1;\n");

        assert_eq!(host.run(&["jms", "status"]).rc, 1);
        host.run(&["jms", "start", "all", "-d"]);
        assert_eq!(host.run(&["jms", "status"]).rc, 0);
        host.run(&["jms", "stop"]);
        assert_eq!(host.run(&["jms", "status"]).rc, 1);
        assert_eq!(
            host.run(&["nginx", "-s", "reload"]).rc,
            1,
            "reload of a stopped nginx"
        );
        fs::create_dir_all(host.root.path().join("etc/nginx")).expect("mkdir");
        fs::write(
            host.root.path().join("etc/nginx/nginx.conf"),
            "events {}\nhttp {}\n",
        )
        .expect("nginx.conf");
        assert_eq!(host.run(&["nginx", "-t"]).rc, 0);
        assert!(
            host.run(&["celery", "-A", "proj", "multi", "stopwait", "w1"])
                .stdout
                .contains("w1@")
        );
    }

    #[test]
    fn nginx_tests_the_configuration_and_a_broken_one_is_never_loaded() {
        let host = Host::new();
        let etc = host.root.path().join("etc/nginx");
        fs::create_dir_all(etc.join("conf.d")).expect("mkdir");
        fs::write(
            etc.join("nginx.conf"),
            "events { worker_connections 768; }\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n",
        )
        .expect("nginx.conf");
        fs::write(
            etc.join("conf.d/app.conf"),
            "server {\n    listen 80; # the site\n    location / { uwsgi_pass 127.0.0.1:8630; }\n}\n",
        )
        .expect("site");
        let ok = host.run(&["nginx", "-t"]);
        assert_eq!(
            (ok.rc, ok.stderr.as_str()),
            (
                0,
                "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n"
            )
        );
        assert_eq!(host.run(&["nginx", "-s", "reload"]).rc, 1, "not running");
        assert_eq!(host.run(&["nginx"]).rc, 0);
        let state = host.root.path().join("var/lib/runbook-shims/nginx");
        let loaded = fs::read_to_string(state.join("loaded")).expect("loaded");
        assert!(loaded.contains("uwsgi_pass 127.0.0.1:8630;"), "{loaded}");

        let broken = [
            (
                "server {\n    listen 80;\n    uwsgi_read_timout 30;\n}\n",
                "nginx: [emerg] unknown directive \"uwsgi_read_timout\" in /etc/nginx/conf.d/app.conf:3\n",
            ),
            (
                "server {\n    listen 81\n}\n",
                "nginx: [emerg] unexpected \"}\" in /etc/nginx/conf.d/app.conf:3\n",
            ),
            (
                "server {\n    listen 81;\n",
                "nginx: [emerg] unexpected end of file, expecting \"}\" in /etc/nginx/conf.d/app.conf:2\n",
            ),
        ];
        for (text, message) in broken {
            fs::write(etc.join("conf.d/app.conf"), text).expect("site");
            let failed = host.run(&["nginx", "-t"]);
            assert_eq!(failed.rc, 1, "{text}");
            assert_eq!(
                failed.stderr,
                format!("{message}nginx: configuration file /etc/nginx/nginx.conf test failed\n")
            );
            // The running master keeps the old configuration; the signal is sent.
            assert_eq!(host.run(&["nginx", "-s", "reload"]).rc, 0);
            assert_eq!(
                fs::read_to_string(state.join("loaded")).expect("loaded"),
                loaded
            );
        }
        let errors = fs::read_to_string(host.root.path().join("var/log/nginx/error.log"))
            .expect("error.log");
        assert_eq!(errors.lines().count(), 3, "{errors}");
        assert!(!state.join("reloads").exists(), "nothing was reloaded");
    }

    #[test]
    fn celery_multi_stops_only_the_worker_its_pidfile_names() {
        let host = Host::new();
        let app = host.root.path().join("app");
        fs::create_dir_all(&app).expect("mkdir");
        fs::write(app.join("tasks.py"), "").expect("tasks.py");
        let state = host.root.path().join("var/lib/runbook-shims/celery");
        fs::create_dir_all(state.join("knobs")).expect("knobs");
        fs::write(state.join("knobs/stop_delay_ms"), "300\n").expect("knob");
        let pidfile = format!("--pidfile={}/run/%n.pid", app.display());
        let logfile = format!("--logfile={}/log/%n.log", app.display());
        let line = |action: &'static str, pidfile: &str| -> Vec<String> {
            [
                "celery", "multi", action, "-A", "tasks", "worker", "-l", "info", "-c", "8", "-Q",
                "loonflow",
            ]
            .iter()
            .map(|word| word.to_string())
            .chain([logfile.clone(), pidfile.to_string()])
            .collect()
        };
        let run = |words: Vec<String>| {
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            host.run_in(&app, &words, "")
        };
        let name = format!("worker@{}", hostname());
        let started = run(line("start", &pidfile));
        assert_eq!(started.rc, 0, "{}", started.stderr);
        assert_eq!(
            started.stdout,
            format!("celery multi v5.3.6 (emerald-rush)\n> Starting nodes...\n\t> {name}: OK\n")
        );
        let pid: i32 = fs::read_to_string(app.join("run/worker.pid"))
            .expect("pidfile")
            .trim()
            .parse()
            .expect("pid");
        // SAFETY: kill(2) with signal 0 only probes the worker this test started.
        let alive = |pid: i32| unsafe { libc::kill(pid, 0) } == 0;
        assert!(alive(pid));
        let again = run(line("start", &pidfile));
        assert_eq!(again.rc, 1);
        assert!(again.stderr.contains("already exists"), "{}", again.stderr);

        let other = run(line("stopwait", "--pidfile=/nonexistent/%n.pid"));
        assert_eq!(
            (other.rc, other.stdout.lines().last()),
            (0, Some(format!("> {name}: DOWN").as_str()))
        );
        assert!(alive(pid), "another pidfile stops nothing");

        let stopped = run(line("stopwait", &pidfile));
        assert_eq!(stopped.rc, 0);
        assert!(
            stopped.stdout.contains(&format!(
                "\t> {name}: TERM -> {pid}\n> Waiting for 1 node -> {pid}."
            )) && stopped
                .stdout
                .ends_with(&format!("\n\t> {name}: OK\n> {name}: DOWN\n")),
            "{}",
            stopped.stdout
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(
            !alive(pid) || zombie(pid),
            "stopwait returned once the worker had gone"
        );
        let log = fs::read_to_string(app.join("log/worker.log")).expect("logfile");
        assert!(
            log.contains("ready.") && log.contains("Warm shutdown"),
            "{log}"
        );

        let missing = host.run(&[
            "celery",
            "multi",
            "start",
            "-A",
            "nosuch",
            "w1",
            "--pidfile=/tmp/x-%n.pid",
        ]);
        assert_eq!(missing.rc, 1);
        assert!(
            missing.stderr.contains("The module nosuch was not found."),
            "{}",
            missing.stderr
        );
    }

    #[test]
    fn celery_stopwait_waits_as_long_as_the_warm_shutdown_read_when_the_term_arrives() {
        let host = Host::new();
        let app = host.root.path().join("app");
        fs::create_dir_all(&app).expect("mkdir");
        fs::write(app.join("tasks.py"), "").expect("tasks.py");
        let pidfile = format!("--pidfile={}/worker.pid", app.display());
        let logfile = format!("--logfile={}/worker.log", app.display());
        let line = |action: &'static str| {
            vec![
                "celery".to_string(),
                "multi".into(),
                action.into(),
                "-A".into(),
                "tasks".into(),
                "worker".into(),
                pidfile.clone(),
                logfile.clone(),
            ]
        };
        let words = line("start");
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        assert_eq!(host.run_in(&app, &words, "").rc, 0);
        let pid: i32 = fs::read_to_string(app.join("worker.pid"))
            .expect("pidfile")
            .trim()
            .parse()
            .expect("pid");
        // Set after the start: the tasks running at the stop never end.
        let knobs = host.root.path().join("var/lib/runbook-shims/celery/knobs");
        fs::create_dir_all(&knobs).expect("knobs");
        fs::write(knobs.join("stop_delay_ms"), "600000\n").expect("knob");
        let bin = host.root.path().join("usr/local/sbin");
        let mut stopwait = Command::new(bin.join("celery"))
            .args(&line("stopwait")[1..])
            .current_dir(&app)
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env(
                "RUNBOOK_SHIM_STATE",
                host.root.path().join("var/lib/runbook-shims"),
            )
            .env("RUNBOOK_SHIM_LOG", host.log_path())
            .env("RUNBOOK_SHIM_ROOT", host.root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("stopwait runs");
        std::thread::sleep(std::time::Duration::from_secs(2));
        let still_waiting = matches!(stopwait.try_wait(), Ok(None));
        let _ = stopwait.kill();
        let _ = stopwait.wait();
        // SAFETY: kill(2) on the worker this test started.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        // SAFETY: as above; the worker would sleep ten minutes.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        assert!(still_waiting, "stopwait returned while the worker lived");
        assert!(alive, "the worker is in its warm shutdown");
        let log = fs::read_to_string(app.join("worker.log")).expect("logfile");
        assert!(log.contains("Warm shutdown"), "{log}");
    }

    fn hostname() -> String {
        String::from_utf8_lossy(&Command::new("hostname").output().expect("hostname").stdout)
            .trim()
            .to_string()
    }

    fn zombie(pid: i32) -> bool {
        fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|stat| {
                stat.rsplit(')')
                    .next()
                    .is_some_and(|rest| rest.trim_start().starts_with('Z'))
            })
            .unwrap_or(true)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        #[test]
        fn logged_argv_round_trips(args in proptest::collection::vec("[^\u{0}\n]{0,12}", 0..4)) {
            let host = Host::new();
            let mut line = vec!["nginx", "-t"];
            line.extend(args.iter().map(String::as_str));
            host.run(&line);
            let logged = host.log_lines();
            proptest::prop_assert_eq!(logged.len(), 1);
            proptest::prop_assert_eq!(&logged[0].2[1..], &args[..]);
        }
    }
}
