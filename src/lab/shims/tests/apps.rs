//! docker and compose, kwdb, supervisor, mysql, nginx and celery.

use super::*;

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
    let header =
        "id\taddress\tsql_address\tbuild\tstarted_at\tupdated_at\tlocality\tis_available\tis_live";
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
         [program:web]\ncommand = sh -c \"sleep 30\"\nstartsecs = 3\n\n[program:crash]\ncommand=false\n",
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
    // which `status` does not count as stopped. Read once it left STOPPED
    // (a loaded machine may take a while to get the start going).
    let (started, during) = std::thread::scope(|scope| {
        let start = scope.spawn(|| run(&["start", "app:*"]));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        let during = loop {
            let status = run(&["status", "app:web"]);
            if !status.stdout.contains("STOPPED") || std::time::Instant::now() > deadline {
                break status;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
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
    let errors =
        fs::read_to_string(host.root.path().join("var/log/nginx/error.log")).expect("error.log");
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
