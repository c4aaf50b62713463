//! The KWDB procedures (seed 003) end to end on labs: the shipped playbooks
//! against the `kwbase`, `systemctl` and `deploy.sh` shims, with their
//! rejoin delays and failure knobs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::support::{Lab, Output, assert_nothing_changed, recap};

const NEW: &str = "2.2.1";
const OLD: &str = "2.2.0";

fn playbook(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("playbooks")
        .join(name);
    path.to_str().expect("utf8 path").to_string()
}

/// Run `playbooks` on `hosts` with a one-second rejoin poll.
fn play(lab: &Lab, playbooks: &[&str], hosts: &str, extra: &[&str]) -> Output {
    let paths: Vec<String> = playbooks.iter().map(|name| playbook(name)).collect();
    let hosts = format!("kwdb_hosts={hosts}");
    let mut args = vec!["play"];
    args.extend(paths.iter().map(String::as_str));
    args.extend(["-i", "lab", "-e", &hosts, "-e", "kwdb_rejoin_poll=1"]);
    args.extend_from_slice(extra);
    lab.run(&args)
}

fn prepare(lab: &Lab, name: &str, hosts: &str, extra: &[&str]) {
    play(lab, &[&format!("lab/{name}")], hosts, extra).assert_code(0);
}

fn shim_state(lab: &Lab, host: &str) -> PathBuf {
    lab.host_root(host).join("var/lib/runbook-shims")
}

/// A per-host failure knob of the KWDB shims.
fn knob(lab: &Lab, host: &str, name: &str) {
    let dir = shim_state(lab, host).join("kwdb/knobs");
    std::fs::create_dir_all(&dir).expect("knobs dir");
    std::fs::write(dir.join(name), "").expect("knob");
}

/// A lab-wide setting of the KWDB shims (cluster/kwdb-settings/NAME).
fn setting(lab: &Lab, name: &str, value: Option<&str>) {
    let path = lab.state_dir().join("cluster/kwdb-settings").join(name);
    match value {
        Some(value) => std::fs::write(path, value).expect("setting"),
        None => {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn version(lab: &Lab, host: &str) -> String {
    std::fs::read_to_string(shim_state(lab, host).join("kwdb/version"))
        .expect("version")
        .trim()
        .to_string()
}

fn running(lab: &Lab, host: &str) -> bool {
    shim_state(lab, host)
        .join("systemd/kaiwudb.service/active")
        .exists()
}

fn calls(lab: &Lab, host: &str) -> Vec<String> {
    lab.shim_calls(host)
        .into_iter()
        .map(|(shim, argv)| format!("{shim} {argv}"))
        .collect()
}

/// Calls that change a node: stopping, starting or upgrading KWDB.
fn harmful_calls(lab: &Lab, host: &str) -> Vec<String> {
    calls(lab, host)
        .into_iter()
        .filter(|call| {
            call.starts_with("systemctl stop")
                || call.starts_with("systemctl start")
                || call.starts_with("systemctl restart")
                || call.starts_with("deploy.sh upgrade")
        })
        .collect()
}

/// Every host's files, less what reads leave behind (the shim log, the
/// kwbase query log).
fn files(lab: &Lab) -> BTreeMap<String, BTreeMap<String, String>> {
    lab.hosts
        .iter()
        .map(|host| {
            let mut files = lab.snapshot(host);
            files.retain(|path, _| !path.ends_with("kwdb/queries.sql"));
            (host.clone(), files)
        })
        .collect()
}

fn address(lab: &Lab, host: &str) -> String {
    let inventory = lab.project.read("inventories/lab");
    let line = inventory
        .lines()
        .find(|line| line.starts_with(&format!("{host} ")))
        .unwrap_or_else(|| panic!("{host} in {inventory}"));
    let address = line
        .split_whitespace()
        .find_map(|word| word.strip_prefix("ansible_host="))
        .expect("ansible_host");
    format!("{address}:26257")
}

/// The lab-wide KWDB journal: `(ms, host, event, detail)` in time order.
fn journal(lab: &Lab) -> Vec<(u64, String, String, String)> {
    let text = std::fs::read_to_string(lab.state_dir().join("cluster/kwdb-journal"))
        .expect("kwdb journal");
    let mut events: Vec<(u64, String, String, String)> = text
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(4, '\t');
            Some((
                fields.next()?.parse().ok()?,
                fields.next()?.to_string(),
                fields.next()?.to_string(),
                fields.next().unwrap_or_default().to_string(),
            ))
        })
        .collect();
    events.sort_by_key(|event| event.0);
    events
}

/// `stop < deploy.sh upgrade -l < start` in the host's last calls.
#[track_caller]
fn assert_upgrade_order(lab: &Lab, host: &str) {
    let calls = calls(lab, host);
    let position = |needle: &str| {
        calls
            .iter()
            .rposition(|call| call == needle)
            .unwrap_or_else(|| panic!("{needle} not run on {host}: {calls:?}"))
    };
    let stop = position("systemctl stop kaiwudb");
    let upgrade = position("deploy.sh upgrade -l");
    let start = position("systemctl start kaiwudb");
    assert!(
        stop < upgrade && upgrade < start,
        "stop, upgrade, start in order on {host}: {calls:?}"
    );
}

#[track_caller]
fn assert_backup_taken(lab: &Lab, host: &str) {
    let dir = lab.host_root(host).join("var/lib/kwdb-backups");
    let backups: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(backups.len(), 1, "one backup on {host}: {backups:?}");
    assert!(
        backups[0].starts_with(&format!("kwdb-{host}-{OLD}-")) && backups[0].ends_with(".tar.gz"),
        "{backups:?}"
    );
    let listing = std::process::Command::new("tar")
        .arg("-tzf")
        .arg(dir.join(&backups[0]))
        .output()
        .expect("tar");
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(
        listing.contains("kaiwudb/000001.sst") && listing.contains("kaiwudb/script/kaiwudb_env"),
        "the data directory and the configuration are in the backup: {listing}"
    );
}

/// What a failed upgrade must keep on the node (the document).
#[track_caller]
fn assert_kept(lab: &Lab, host: &str) {
    let root = lab.host_root(host);
    for kept in [
        "var/lib/kaiwudb/000001.sst",
        "etc/kaiwudb/script/kaiwudb_env",
        "etc/kaiwudb/certs/ca.crt",
    ] {
        assert!(root.join(kept).is_file(), "{host} kept /{kept}");
    }
}

#[test]
fn kwdb_rolling_upgrade_verifies_each_node_before_the_next_and_is_idempotent() {
    let lab = Lab::up(3);
    prepare(&lab, "kwdb-rolling.yml", "lab", &[]);
    let backup_sql = r#"{"kwdb_backup_sql": ["EXPORT INTO CSV \"nodelocal://1/before-2.2.1\" FROM DATABASE app"]}"#;
    let first = play(&lab, &["kwdb-rolling.yml"], "lab", &["-e", backup_sql]);
    first.assert_code(0);
    let exported = || {
        std::fs::read_to_string(shim_state(&lab, "node1").join("kwdb/queries.sql"))
            .expect("queries")
            .matches("EXPORT INTO CSV \"nodelocal://1/before-2.2.1\" FROM DATABASE app")
            .count()
    };
    assert_eq!(exported(), 1, "the cluster backup ran once");
    let node1 = calls(&lab, "node1");
    let export = node1
        .iter()
        .position(|call| call.contains("EXPORT INTO CSV"))
        .expect("export");
    let stop = node1
        .iter()
        .position(|call| call == "systemctl stop kaiwudb")
        .expect("stop");
    assert!(
        export < stop,
        "the backup came before the first stop: {node1:?}"
    );
    for host in &lab.hosts {
        assert_eq!(version(&lab, host), NEW, "{host} upgraded");
        assert!(running(&lab, host), "{host} runs");
        assert_upgrade_order(&lab, host);
        assert_backup_taken(&lab, host);
        assert!(
            lab.host_root(host)
                .join("opt/kwdb-packages/2.2.1/kwdb_install/deploy.sh")
                .is_file(),
            "the package was copied and unpacked on {host}"
        );
    }
    lab.assert_one_down_at_most("kaiwudb");

    // From the journal: each node was seen live on the new build, and no
    // range under-replicated, after it started and before the next stopped.
    let events = journal(&lab);
    let position = |host: &str, event: &str| {
        events
            .iter()
            .rposition(|(_, who, what, _)| who == host && what == event)
            .unwrap_or_else(|| panic!("no {event} of {host}: {events:?}"))
    };
    let order = ["node1", "node2", "node3"];
    for pair in order.windows(2) {
        let (done, next) = (pair[0], pair[1]);
        let (started, next_stopped) = (position(done, "live"), position(next, "dead"));
        assert!(
            started < next_stopped,
            "{done} restarted before {next} stopped"
        );
        let seen = format!("{}=v{NEW}/true", address(&lab, done));
        let verified = events[started..next_stopped]
            .iter()
            .position(|(_, _, what, detail)| what == "node-status" && detail.contains(&seen))
            .unwrap_or_else(|| {
                panic!("{done} never seen live on {NEW} before {next} stopped: {events:?}")
            });
        assert!(
            events[started + verified..next_stopped]
                .iter()
                .any(|(_, _, what, detail)| what == "ranges" && detail == "0 0"),
            "no range under-replicated before {next} stopped: {events:?}"
        );
    }
    assert!(
        events[position("node3", "live")..]
            .iter()
            .any(|(_, _, what, detail)| what == "node-status"
                && detail.contains(&format!("{}=v{NEW}/true", address(&lab, "node3")))),
        "the last node was verified too"
    );

    let second = play(&lab, &["kwdb-rolling.yml"], "lab", &["-e", backup_sql]);
    second.assert_code(0);
    assert_nothing_changed(&second);
    assert_eq!(exported(), 1, "no second backup when nothing is upgraded");
    for host in &lab.hosts {
        assert_eq!(
            harmful_calls(&lab, host)
                .iter()
                .filter(|call| call.as_str() == "systemctl stop kaiwudb")
                .count(),
            1,
            "{host} stopped once over both runs"
        );
    }
}

#[test]
fn kwdb_rolling_check_mode_predicts_and_changes_nothing() {
    let lab = Lab::up(3);
    prepare(&lab, "kwdb-rolling.yml", "lab", &[]);
    let before = files(&lab);
    let calls_before: Vec<usize> = lab.hosts.iter().map(|h| calls(&lab, h).len()).collect();
    let output = play(&lab, &["kwdb-rolling.yml"], "lab", &["--check"]);
    output.assert_code(0);
    assert_eq!(files(&lab), before, "--check changed files");
    for (host, skip) in lab.hosts.iter().zip(calls_before) {
        let new_calls = &calls(&lab, host)[skip..];
        assert!(
            new_calls.iter().all(|call| call.starts_with("kwbase ")
                || call.starts_with("systemctl is-active")
                || call.starts_with("systemctl status")),
            "--check only read on {host}: {new_calls:?}"
        );
        assert!(
            output
                .stdout
                .contains(&format!("{host} ({OLD} -> {NEW}): would stop kaiwudb")),
            "{}",
            output.all()
        );
    }
}

#[test]
fn kwdb_rolling_refuses_an_unhealthy_cluster_with_nothing_touched_anywhere() {
    let lab = Lab::up(3);
    prepare(&lab, "kwdb-rolling.yml", "lab", &[]);
    let scenarios: [(&str, &str, &str); 4] = [
        ("ranges", "0 4", "under-replicated: 4"),
        ("num_replicas", "1", "smallest num_replicas of any zone: 1"),
        (
            "jobs",
            "811\tIMPORT\tIMPORT TABLE t\t\troot\trunning\t\t2024-01-01\t2024-01-01\t\t2024-01-01\t0.4\t\t1\n",
            "811 IMPORT running IMPORT TABLE t",
        ),
        (
            "lease_holders",
            "1\n1\n1\n1\n1\n1\n1\n2\n3\n",
            "leases per node",
        ),
    ];
    let before = files(&lab);
    for (name, value, message) in scenarios {
        setting(&lab, name, Some(value));
        let output = play(&lab, &["kwdb-rolling.yml"], "lab", &[]);
        output.assert_code(2);
        assert!(output.stdout.contains(message), "{name}: {}", output.all());
        assert!(
            output.stdout.contains("nothing was touched on any node"),
            "{}",
            output.all()
        );
        setting(&lab, name, None);
    }
    assert_eq!(files(&lab), before, "no file changed on any host");

    // A node down: refused before anything on any host.
    lab.run(&["run", "node3", "-i", "lab", "-a", "systemctl stop kaiwudb"])
        .assert_code(0);
    let output = play(&lab, &["kwdb-rolling.yml"], "lab", &[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains(&format!(
            "nodes not live or not available: ['{}'",
            address(&lab, "node3")
        )),
        "{}",
        output.all()
    );
    for host in &lab.hosts {
        let harmful = harmful_calls(&lab, host);
        let expected: Vec<String> = if host == "node3" {
            vec![
                "systemctl start kaiwudb".into(),
                "systemctl stop kaiwudb".into(),
            ]
        } else {
            vec!["systemctl start kaiwudb".into()]
        };
        assert_eq!(harmful, expected, "only the lab's own calls on {host}");
    }
    for host in &lab.hosts {
        assert_eq!(version(&lab, host), OLD);
    }
}

#[test]
fn kwdb_rolling_refuses_versions_before_2_2_0_and_clusters_larger_than_the_play() {
    let lab = Lab::up(3);
    prepare(
        &lab,
        "kwdb-rolling.yml",
        "lab",
        &["-e", "kwdb_lab_old_version=2.1.0"],
    );
    let output = play(&lab, &["kwdb-rolling.yml"], "lab", &[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "node1 runs 2.1.0: the document allows an online upgrade to 2.2.1 only from 2.2.0 on"
        ),
        "{}",
        output.all()
    );
    let output = play(&lab, &["kwdb-rolling.yml"], "node1:node2", &[]);
    output.assert_code(2);
    assert!(
        output
            .stdout
            .contains("The play's hosts and the cluster's nodes differ"),
        "{}",
        output.all()
    );
    for host in &lab.hosts {
        assert_eq!(
            harmful_calls(&lab, host),
            ["systemctl start kaiwudb"],
            "{host}"
        );
        assert!(
            !lab.host_root(host).join("opt/kwdb-packages").exists(),
            "no package copied to {host}"
        );
    }
}

#[test]
fn kwdb_rolling_failed_upgrade_leaves_the_node_stopped_and_stops_the_rollout() {
    let lab = Lab::up(3);
    prepare(&lab, "kwdb-rolling.yml", "lab", &[]);
    knob(&lab, "node2", "upgrade_fails");
    let output = play(&lab, &["kwdb-rolling.yml"], "lab", &[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "KWDB UPGRADE FAILED on node2 at \\\"Upgrade from the package directory (step 3)\\\""
        ) && output
            .stdout
            .contains("node2 is STOPPED and was left as the document prescribes"),
        "{}",
        output.all()
    );
    let recap = recap(&output);
    assert_eq!((recap["node2"].rescued, recap["node2"].failed), (1, 1));
    assert_eq!(version(&lab, "node1"), NEW);
    assert!(running(&lab, "node1"));
    assert!(!running(&lab, "node2"), "the failed node stays stopped");
    assert_eq!(
        harmful_calls(&lab, "node2").last().map(String::as_str),
        Some("deploy.sh upgrade -l"),
        "nothing started node2 after the failed upgrade"
    );
    assert_kept(&lab, "node2");
    assert_eq!(version(&lab, "node3"), OLD);
    assert!(running(&lab, "node3"));
    assert_eq!(
        harmful_calls(&lab, "node3"),
        ["systemctl start kaiwudb"],
        "node3 untouched"
    );
}

#[test]
fn kwdb_rolling_backup_that_cannot_be_written_rejoins_the_old_node_and_stops_the_rollout() {
    let lab = Lab::up(3);
    prepare(&lab, "kwdb-rolling.yml", "lab", &[]);
    // node2's store has outgrown its backup file system.
    lab.outgrow_disk(
        "node2",
        "/var/lib/kaiwudb/000042.sst",
        "/var/lib/kwdb-backups",
    );
    let output = play(&lab, &["kwdb-rolling.yml"], "lab", &[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "KWDB UPGRADE FAILED on node2 at \\\"Back up the data directory and configuration of the stopped node\\\""
        ) && output.stdout.contains("No space left on device")
            && output.stdout.contains(&format!(
                "Nothing was upgraded on node2: it still has {OLD} installed, running again and live with every range fully replicated. No backup was kept (it could not be written)."
            ))
            && output.stdout.contains(&format!(
                "The rollout stopped: the nodes after node2 were not touched and run {OLD}."
            ))
            && !output.stdout.contains("is STOPPED"),
        "{}",
        output.all()
    );
    let recap = recap(&output);
    assert_eq!((recap["node2"].rescued, recap["node2"].failed), (1, 1));
    assert_eq!(version(&lab, "node1"), NEW);
    assert!(running(&lab, "node1"));
    assert_eq!(version(&lab, "node2"), OLD);
    assert!(running(&lab, "node2"), "the old version runs again");
    assert_eq!(
        harmful_calls(&lab, "node2"),
        [
            "systemctl start kaiwudb",
            "systemctl stop kaiwudb",
            "systemctl start kaiwudb"
        ],
        "stopped for the backup, started again, never upgraded"
    );
    assert_kept(&lab, "node2");
    assert_eq!(version(&lab, "node3"), OLD);
    assert_eq!(
        harmful_calls(&lab, "node3"),
        ["systemctl start kaiwudb"],
        "node3 untouched"
    );
}

#[test]
fn kwdb_rolling_node_that_never_rejoins_is_stopped_and_the_rollout_ends() {
    let lab = Lab::up(3);
    prepare(&lab, "kwdb-rolling.yml", "lab", &[]);
    knob(&lab, "node1", "never_rejoin");
    let output = play(
        &lab,
        &["kwdb-rolling.yml"],
        "lab",
        &["-e", "kwdb_rejoin_timeout=3"],
    );
    output.assert_code(2);
    assert!(
        output
            .stdout
            .contains("KWDB UPGRADE FAILED on node1 at \\\"Wait until the node is live"),
        "{}",
        output.all()
    );
    assert!(!running(&lab, "node1"), "left stopped");
    assert_eq!(
        harmful_calls(&lab, "node1").last().map(String::as_str),
        Some("systemctl stop kaiwudb")
    );
    for host in ["node2", "node3"] {
        assert_eq!(
            harmful_calls(&lab, host),
            ["systemctl start kaiwudb"],
            "{host} untouched"
        );
    }
}

#[test]
fn kwdb_offline_upgrade_follows_the_procedure_on_one_node_and_is_idempotent() {
    let lab = Lab::up(3);
    let first = play(
        &lab,
        &["lab/kwdb-offline.yml", "kwdb-offline.yml"],
        "node1",
        &[],
    );
    first.assert_code(0);
    assert_eq!(version(&lab, "node1"), NEW);
    assert!(running(&lab, "node1"));
    assert_upgrade_order(&lab, "node1");
    assert_backup_taken(&lab, "node1");
    for host in ["node2", "node3"] {
        assert!(
            calls(&lab, host).is_empty(),
            "{host} untouched: {:?}",
            calls(&lab, host)
        );
    }
    let second = play(&lab, &["kwdb-offline.yml"], "node1", &[]);
    second.assert_code(0);
    assert_nothing_changed(&second);
}

#[test]
fn kwdb_offline_check_mode_changes_nothing_and_a_downgrade_is_refused() {
    let lab = Lab::up(1);
    prepare(&lab, "kwdb-offline.yml", "node1", &[]);
    let before = files(&lab);
    let output = play(&lab, &["kwdb-offline.yml"], "node1", &["--check"]);
    output.assert_code(0);
    assert!(
        output
            .stdout
            .contains("node1 (2.2.0 -> 2.2.1): would stop kaiwudb"),
        "{}",
        output.all()
    );
    assert_eq!(files(&lab), before, "--check changed files");

    let output = play(
        &lab,
        &["kwdb-offline.yml"],
        "node1",
        &["-e", "kwdb_new_version=2.1.0"],
    );
    output.assert_code(2);
    assert!(
        output.stdout.contains("node1 runs 2.2.0, newer than 2.1.0"),
        "{}",
        output.all()
    );
    assert_eq!(files(&lab), before);
    assert_eq!(harmful_calls(&lab, "node1"), ["systemctl start kaiwudb"]);
}

#[test]
fn kwdb_offline_refuses_the_nodes_of_a_cluster() {
    let lab = Lab::up(3);
    prepare(&lab, "kwdb-rolling.yml", "lab", &[]);
    let output = play(&lab, &["kwdb-offline.yml"], "lab", &[]);
    output.assert_code(2);
    assert!(
        output
            .stdout
            .contains("this node is one of a 3-node cluster"),
        "{}",
        output.all()
    );
    for host in &lab.hosts {
        assert_eq!(
            harmful_calls(&lab, host),
            ["systemctl start kaiwudb"],
            "{host}"
        );
        assert!(running(&lab, host));
    }
}

#[test]
fn kwdb_offline_failed_upgrade_leaves_the_node_stopped_with_its_data() {
    let lab = Lab::up(1);
    prepare(&lab, "kwdb-offline.yml", "node1", &[]);
    knob(&lab, "node1", "upgrade_fails");
    let output = play(&lab, &["kwdb-offline.yml"], "node1", &[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("KWDB UPGRADE FAILED on node1")
            && output
                .stdout
                .contains("Failed to import KaiwuDB 2.2.1 packages"),
        "{}",
        output.all()
    );
    assert!(!running(&lab, "node1"));
    assert_kept(&lab, "node1");
    assert_backup_taken(&lab, "node1");
    assert_eq!(
        harmful_calls(&lab, "node1").last().map(String::as_str),
        Some("deploy.sh upgrade -l")
    );
}

#[test]
fn kwdb_offline_backup_that_cannot_be_written_starts_the_old_version_again() {
    let lab = Lab::up(1);
    prepare(&lab, "kwdb-offline.yml", "node1", &[]);
    // The store has grown past what the backup's file system holds.
    lab.outgrow_disk(
        "node1",
        "/var/lib/kaiwudb/000042.sst",
        "/var/lib/kwdb-backups",
    );
    let before = harmful_calls(&lab, "node1").len();

    let output = play(&lab, &["kwdb-offline.yml"], "node1", &[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "KWDB UPGRADE FAILED on node1 at \\\"Back up the data directory and configuration (the document's prerequisite)\\\""
        ) && output.stdout.contains("No space left on device")
            && output.stdout.contains(&format!(
                "Nothing was upgraded: node1 still has {OLD} installed, running again. No backup was kept (it could not be written). Fix the cause and run again."
            ))
            && !output.stdout.contains("is STOPPED"),
        "{}",
        output.all()
    );
    // Stopped for the backup, started again: never upgraded.
    assert_eq!(
        harmful_calls(&lab, "node1")[before..],
        ["systemctl stop kaiwudb", "systemctl start kaiwudb"]
    );
    assert!(running(&lab, "node1"));
    assert_eq!(version(&lab, "node1"), OLD);
    assert_kept(&lab, "node1");
    let listed = lab.run(&[
        "run",
        "node1",
        "-i",
        "lab",
        "-m",
        "shell",
        "-a",
        "ls -A /var/lib/kwdb-backups",
    ]);
    listed.assert_code(0);
    assert!(
        !listed.stdout.contains("kwdb-node1") && !listed.stdout.contains(".runbook-archive"),
        "no partial backup: {}",
        listed.all()
    );

    // With room for the backup, the next run upgrades.
    lab.run(&[
        "run",
        "node1",
        "-i",
        "lab",
        "-m",
        "shell",
        "-a",
        "umount /var/lib/kwdb-backups",
    ])
    .assert_code(0);
    let again = play(&lab, &["kwdb-offline.yml"], "node1", &[]);
    again.assert_code(0);
    assert_eq!(version(&lab, "node1"), NEW);
    assert_backup_taken(&lab, "node1");
}

/// `(time, "shim argv")` of every call on `host`.
fn timed_calls(lab: &Lab, host: &str) -> Vec<(String, String)> {
    std::fs::read_to_string(lab.host_root(host).join("var/log/runbook-shims.log"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, '\t');
            let time = fields.next()?.to_string();
            Some((
                time,
                format!("{} {}", fields.next()?, fields.next().unwrap_or_default()),
            ))
        })
        .collect()
}

/// The times of `call` on every host of the lab.
fn times_of(lab: &Lab, call: &str) -> Vec<String> {
    lab.hosts
        .iter()
        .flat_map(|host| timed_calls(lab, host))
        .filter(|(_, made)| made == call)
        .map(|(time, _)| time)
        .collect()
}

fn single_replica_lab() -> Lab {
    let lab = Lab::up(3);
    prepare(
        &lab,
        "kwdb-cluster-offline.yml",
        "lab",
        &["-e", "kwdb_lab_replicas=1"],
    );
    lab
}

#[test]
fn kwdb_cluster_offline_stops_all_upgrades_each_then_starts_all_and_is_idempotent() {
    let lab = single_replica_lab();
    // The lab's own start of every node came first; look at the upgrade's.
    let lab_starts = times_of(&lab, "systemctl start kaiwudb").len();
    assert_eq!(lab_starts, 3);
    let first = play(&lab, &["kwdb-cluster-offline.yml"], "lab", &[]);
    first.assert_code(0);
    for host in &lab.hosts {
        assert_eq!(version(&lab, host), NEW, "{host}");
        assert!(running(&lab, host), "{host}");
        assert_upgrade_order(&lab, host);
        assert_backup_taken(&lab, host);
    }
    let stops = times_of(&lab, "systemctl stop kaiwudb");
    let upgrades = times_of(&lab, "deploy.sh upgrade -l");
    let mut starts = times_of(&lab, "systemctl start kaiwudb");
    starts.sort();
    let starts = &starts[lab_starts..];
    assert_eq!((stops.len(), upgrades.len(), starts.len()), (3, 3, 3));
    let last = |times: &[String]| times.iter().max().cloned().expect("times");
    let first_of = |times: &[String]| times.iter().min().cloned().expect("times");
    assert!(
        last(&stops) < first_of(&upgrades),
        "every node stopped before any upgrade"
    );
    assert!(
        last(&upgrades) < first_of(starts),
        "every node upgraded before any start"
    );

    let second = play(&lab, &["kwdb-cluster-offline.yml"], "lab", &[]);
    second.assert_code(0);
    assert_nothing_changed(&second);
}

#[test]
fn kwdb_cluster_offline_failed_upgrade_on_one_node_starts_no_node() {
    let lab = single_replica_lab();
    knob(&lab, "node2", "upgrade_fails");
    let output = play(&lab, &["kwdb-cluster-offline.yml"], "lab", &[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("KWDB UPGRADE FAILED on node2.")
            && output
                .stdout
                .contains("EVERY NODE OF THE CLUSTER IS STOPPED and none was started again")
            && output
                .stdout
                .contains("node2: FAILED - [ERROR] Failed to import KaiwuDB 2.2.1"),
        "{}",
        output.all()
    );
    for host in &lab.hosts {
        assert!(!running(&lab, host), "{host} stays stopped");
        assert_eq!(
            harmful_calls(&lab, host).last().map(String::as_str),
            Some("deploy.sh upgrade -l"),
            "nothing started on {host} after the upgrades"
        );
        assert_kept(&lab, host);
    }
    assert_eq!(version(&lab, "node1"), NEW);
    assert_eq!(version(&lab, "node3"), NEW);
}

#[test]
fn kwdb_cluster_offline_backup_that_cannot_be_written_starts_every_node_again_upgrading_none() {
    let lab = single_replica_lab();
    // node2's store has outgrown its backup file system.
    lab.outgrow_disk(
        "node2",
        "/var/lib/kaiwudb/000042.sst",
        "/var/lib/kwdb-backups",
    );
    let before: Vec<usize> = lab
        .hosts
        .iter()
        .map(|host| harmful_calls(&lab, host).len())
        .collect();
    let output = play(&lab, &["kwdb-cluster-offline.yml"], "lab", &[]);
    output.assert_code(2);
    assert!(
        output
            .stdout
            .contains("KWDB UPGRADE FAILED: the backup could not be written on node2.\\nnode2: ")
            && output.stdout.contains("No space left on device")
            && output.stdout.contains(
                "Nothing was upgraded: every node was started again on its old version and the cluster is live. No partial backup was kept. Fix the cause and run again."
            ),
        "{}",
        output.all()
    );
    for (host, before) in lab.hosts.iter().zip(before) {
        assert_eq!(
            harmful_calls(&lab, host)[before..],
            ["systemctl stop kaiwudb", "systemctl start kaiwudb"],
            "{host}: stopped with the cluster, started again, never upgraded"
        );
        assert!(running(&lab, host), "{host} runs again");
        assert_eq!(version(&lab, host), OLD, "{host}");
        assert_kept(&lab, host);
    }
}

#[test]
fn kwdb_cluster_offline_refuses_before_anything_stops() {
    let lab = Lab::up(3);
    prepare(&lab, "kwdb-cluster-offline.yml", "lab", &[]);
    let output = play(&lab, &["kwdb-cluster-offline.yml"], "lab", &[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "smallest num_replicas of any zone: 3 - a multi-replica cluster is upgraded online"
        ),
        "{}",
        output.all()
    );

    // Single replica, but node3 holds a package of the wrong version.
    setting(&lab, "num_replicas", Some("1\n"));
    let package = lab
        .host_root("node3")
        .join("opt/kwdb-packages/2.2.1/kwdb_install");
    std::fs::create_dir_all(package.join("packages")).expect("mkdir");
    std::fs::write(package.join("deploy.sh"), "#!/bin/sh\nexit 0\n").expect("write");
    std::fs::write(
        package.join("packages/kaiwudb-server_2.2.0-1_amd64.deb"),
        "",
    )
    .expect("write");
    let before = files(&lab);
    let calls_before: Vec<usize> = lab.hosts.iter().map(|h| calls(&lab, h).len()).collect();
    // --check cannot see it (the package would be copied first) and changes nothing.
    play(&lab, &["kwdb-cluster-offline.yml"], "lab", &["--check"]).assert_code(0);
    assert_eq!(files(&lab), before, "--check changed files");
    let output = play(&lab, &["kwdb-cluster-offline.yml"], "lab", &[]);
    output.assert_code(2);
    assert!(
        output
            .stdout
            .contains("holds KWDB '2.2.0', not 2.2.1; nothing was stopped"),
        "{}",
        output.all()
    );
    for (host, skip) in lab.hosts.iter().zip(calls_before) {
        let made = &calls(&lab, host)[skip..];
        assert!(
            made.iter()
                .all(|call| !call.starts_with("systemctl stop") && !call.starts_with("deploy.sh")),
            "{host}: {made:?}"
        );
        assert!(running(&lab, host));
        assert_eq!(version(&lab, host), OLD);
    }
}

#[test]
fn kwdb_cluster_offline_check_mode_predicts_and_changes_nothing() {
    let lab = single_replica_lab();
    let before = files(&lab);
    let output = play(&lab, &["kwdb-cluster-offline.yml"], "lab", &["--check"]);
    output.assert_code(0);
    assert_eq!(files(&lab), before, "--check changed files");
    for host in &lab.hosts {
        assert!(
            output
                .stdout
                .contains(&format!("{host} ({OLD} -> {NEW}): would stop kaiwudb")),
            "{}",
            output.all()
        );
        assert_eq!(harmful_calls(&lab, host), ["systemctl start kaiwudb"]);
    }
}

#[test]
fn the_example_inventories_hold_every_kwdb_playbooks_default_group() {
    let project = crate::support::Project::new();
    for env in ["prod", "staging"] {
        let inventory = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("inventories")
            .join(format!("{env}.example"));
        let inventory = inventory.to_str().expect("utf8");
        let graph = project.run(&["inventory", "-i", inventory, "--graph"]);
        graph.assert_code(0);
        for group in ["kwdb_cluster", "kwdb_single_replica", "kwdb_standalone"] {
            assert!(
                graph
                    .stdout
                    .contains(&format!("--@{group}:\n  |  |  |--kwdb")),
                "{env}: {group}\n{}",
                graph.stdout
            );
        }
        let host = project.run(&[
            "inventory",
            "-i",
            inventory,
            "--host",
            &format!("kwdb-{env}-01"),
        ]);
        host.assert_code(0);
        assert!(
            host.stdout
                .contains("\"kwdb_kwbase\": \"/usr/local/kaiwudb/bin/kwbase\""),
            "{}",
            host.stdout
        );
    }
}

fn docker_state(lab: &Lab, host: &str) -> PathBuf {
    shim_state(lab, host).join("docker")
}

/// A container's inspect data as the docker shim keeps it, less what a
/// recreation changes anyway (its hostname, the image).
fn container_parameters(
    lab: &Lab,
    host: &str,
    name: &str,
) -> (serde_json::Value, serde_json::Value) {
    let dir = docker_state(lab, host).join("containers").join(name);
    let read = |file: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(file)).expect("container file"))
            .expect("json")
    };
    let mut config = read("config.json");
    let object = config.as_object_mut().expect("config object");
    object.remove("Hostname");
    object.remove("Image");
    (config, read("host.json"))
}

fn image_tagged(lab: &Lab, host: &str, reference: &str) -> bool {
    docker_state(lab, host)
        .join("tags")
        .join(reference.replace('/', "%"))
        .exists()
}

#[test]
fn kwdb_docker_upgrades_compose_and_docker_run_deployments_and_is_idempotent() {
    let lab = Lab::up(3);
    prepare(&lab, "kwdb-docker.yml", "lab", &[]);
    let before = container_parameters(&lab, "node2", "kwdb");
    let output = play(&lab, &["kwdb-docker.yml"], "lab", &[]);
    output.assert_code(0);

    // Compose on node1: the image line edited with a backup, down, up -d.
    let compose = lab.host_root("node1").join("opt/kaiwudb");
    let file = std::fs::read_to_string(compose.join("docker-compose.yml")).expect("compose");
    assert!(file.contains("    image: kwdb/kwdb:2.2.1\n"), "{file}");
    let backups: Vec<String> = std::fs::read_dir(&compose)
        .expect("dir")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("docker-compose.yml.") && name.ends_with('~'))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let order = [
        "docker pull kwdb/kwdb:2.2.1",
        "docker compose -f /opt/kaiwudb/docker-compose.yml down",
        "docker compose -f /opt/kaiwudb/docker-compose.yml up -d",
        "docker exec kaiwudb ./kwbase node status --host=127.0.0.1:26257 --certs-dir=/kaiwudb/certs",
    ];
    let node1 = calls(&lab, "node1");
    let positions: Vec<usize> = order
        .iter()
        .map(|call| {
            node1
                .iter()
                .position(|made| made == call)
                .unwrap_or_else(|| panic!("{call}: {node1:?}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "{node1:?}"
    );
    assert!(
        node1
            .last()
            .is_some_and(|call| call.starts_with("docker rmi sha256:")),
        "the old image removed last, by ID: {node1:?}"
    );

    // docker run on node2 and node3: recreated with exactly the old parameters.
    for host in ["node2", "node3"] {
        assert_eq!(
            container_parameters(&lab, host, "kwdb"),
            before,
            "{host}: every parameter but the image kept"
        );
        let image = std::fs::read_to_string(docker_state(&lab, host).join("containers/kwdb/image"))
            .expect("image");
        assert_eq!(image.trim(), "kwdb/kwdb:2.2.1");
        assert!(
            !docker_state(&lab, host)
                .join("containers/kwdb-before-2.2.1")
                .exists()
        );
        assert_backup_dir_holds(&lab, host, "kwdb-{host}-kwdb-");
    }
    for host in &lab.hosts {
        assert!(
            !image_tagged(&lab, host, "kwdb/kwdb:2.2.0"),
            "{host}: old image removed"
        );
        assert!(image_tagged(&lab, host, "kwdb/kwdb:2.2.1"), "{host}");
    }
    assert_backup_dir_holds(&lab, "node1", "kwdb-node1-kaiwudb-");

    let second = play(&lab, &["kwdb-docker.yml"], "lab", &[]);
    second.assert_code(0);
    assert_nothing_changed(&second);
}

/// One `.tar.gz` named `prefix...` (with `{host}` standing for the host) in
/// the host's backup directory, holding the data directory.
#[track_caller]
fn assert_backup_dir_holds(lab: &Lab, host: &str, prefix: &str) {
    let prefix = prefix.replace("{host}", host);
    let dir = lab.host_root(host).join("var/lib/kwdb-backups");
    let archives: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("backups")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with(&prefix))
        })
        .collect();
    assert_eq!(archives.len(), 1, "{host}: {archives:?}");
    let listing = std::process::Command::new("tar")
        .arg("-tzf")
        .arg(&archives[0])
        .output()
        .expect("tar");
    assert!(
        String::from_utf8_lossy(&listing.stdout).contains("kaiwudb/000001.sst"),
        "{host}: the data directory is archived"
    );
}

#[test]
fn kwdb_docker_failed_verification_leaves_kwdb_stopped_and_the_old_container_kept() {
    let lab = Lab::up(3);
    prepare(&lab, "kwdb-docker.yml", "lab", &[]);
    let knobs = docker_state(&lab, "node2").join("knobs");
    std::fs::create_dir_all(&knobs).expect("knobs");
    std::fs::write(knobs.join("exec_fails"), "").expect("knob");
    let output = play(
        &lab,
        &["kwdb-docker.yml"],
        "lab",
        &["-e", "kwdb_rejoin_timeout=2"],
    );
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "KWDB DOCKER UPGRADE FAILED on node2 at \\\"KWDB answers inside the new container\\\""
        ) && output
            .stdout
            .contains("the old container as kwdb-before-2.2.1 (stopped, restart policy off)"),
        "{}",
        output.all()
    );
    let containers = docker_state(&lab, "node2").join("containers");
    let status = |name: &str| {
        std::fs::read_to_string(containers.join(name).join("status"))
            .expect("status")
            .trim()
            .to_string()
    };
    assert_eq!(
        status("kwdb"),
        "exited",
        "the new container is left stopped"
    );
    assert_eq!(
        status("kwdb-before-2.2.1"),
        "exited",
        "the old one is kept, stopped"
    );
    let host =
        std::fs::read_to_string(containers.join("kwdb-before-2.2.1/host.json")).expect("host");
    assert!(
        host.contains("\"RestartPolicy\":{\"Name\":\"no\""),
        "{host}"
    );
    assert!(
        image_tagged(&lab, "node2", "kwdb/kwdb:2.2.0"),
        "the old image is kept"
    );
    // serial: 1 with max_fail_percentage 0 - node3 was not touched.
    assert!(
        calls(&lab, "node3")
            .iter()
            .all(|call| !call.starts_with("docker stop") && !call.starts_with("docker pull")),
        "{:?}",
        calls(&lab, "node3")
    );
    assert_eq!(
        std::fs::read_to_string(docker_state(&lab, "node3").join("containers/kwdb/image"))
            .expect("image")
            .trim(),
        "kwdb/kwdb:2.2.0"
    );
}

#[test]
fn kwdb_docker_compose_failed_verification_leaves_the_project_stopped_with_the_old_image_and_the_backup()
 {
    let lab = Lab::up(3);
    prepare(&lab, "kwdb-docker.yml", "lab", &[]);
    let knobs = docker_state(&lab, "node1").join("knobs");
    std::fs::create_dir_all(&knobs).expect("knobs");
    std::fs::write(knobs.join("exec_fails"), "").expect("knob");
    let output = play(
        &lab,
        &["kwdb-docker.yml"],
        "lab",
        &["-e", "kwdb_rejoin_timeout=2"],
    );
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "KWDB DOCKER UPGRADE FAILED on node1 at \\\"KWDB answers inside the new container\\\""
        ) && output
            .stdout
            .contains("The compose project is STOPPED and was not started on the old image")
            && output
                .stdout
                .contains("the compose file's backup /opt/kaiwudb/docker-compose.yml."),
        "{}",
        output.all()
    );

    // The image line was edited, its backup holds the old one.
    let compose = lab.host_root("node1").join("opt/kaiwudb");
    let file = std::fs::read_to_string(compose.join("docker-compose.yml")).expect("compose");
    assert!(file.contains("    image: kwdb/kwdb:2.2.1\n"), "{file}");
    let backups: Vec<PathBuf> = std::fs::read_dir(&compose)
        .expect("dir")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name().is_some_and(|name| {
                let name = name.to_string_lossy();
                name.starts_with("docker-compose.yml.") && name.ends_with('~')
            })
        })
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let backup = std::fs::read_to_string(&backups[0]).expect("backup");
    assert!(backup.contains("    image: kwdb/kwdb:2.2.0\n"), "{backup}");
    assert_backup_dir_holds(&lab, "node1", "kwdb-node1-kaiwudb-");

    // down, up -d, the failed probe, then the project stopped; no rmi.
    let order = [
        "docker compose -f /opt/kaiwudb/docker-compose.yml down",
        "docker compose -f /opt/kaiwudb/docker-compose.yml up -d",
        "docker exec kaiwudb ./kwbase node status --host=127.0.0.1:26257 --certs-dir=/kaiwudb/certs",
        "docker compose -f /opt/kaiwudb/docker-compose.yml stop",
    ];
    let node1 = calls(&lab, "node1");
    let positions: Vec<usize> = order
        .iter()
        .map(|call| {
            node1
                .iter()
                .rposition(|made| made == call)
                .unwrap_or_else(|| panic!("{call}: {node1:?}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "{node1:?}"
    );
    assert!(
        node1.iter().all(|call| !call.starts_with("docker rmi")),
        "{node1:?}"
    );
    assert_eq!(
        container_file(&lab, "node1", "kaiwudb", "status").trim(),
        "exited",
        "the project is left stopped"
    );
    assert_eq!(
        container_file(&lab, "node1", "kaiwudb", "image").trim(),
        "kwdb/kwdb:2.2.1",
        "not started again on the old image"
    );
    assert!(
        image_tagged(&lab, "node1", "kwdb/kwdb:2.2.0"),
        "the old image is kept"
    );

    // serial: 1 with max_fail_percentage 0 - the other hosts were not touched.
    for host in ["node2", "node3"] {
        assert!(
            calls(&lab, host)
                .iter()
                .all(|call| !call.starts_with("docker stop") && !call.starts_with("docker pull")),
            "{host}: {:?}",
            calls(&lab, host)
        );
        assert_eq!(
            container_file(&lab, host, "kwdb", "status").trim(),
            "running"
        );
        assert_eq!(
            container_file(&lab, host, "kwdb", "image").trim(),
            "kwdb/kwdb:2.2.0"
        );
    }
}

/// The data archive cannot be written on `host` (after the stop, before the
/// new image starts): the old version comes back exactly as it was.
fn kwdb_docker_backup_that_cannot_be_written_starts_the_old_version(
    host: &str,
    container: &str,
    restored: &str,
) {
    let lab = Lab::up(2);
    prepare(&lab, "kwdb-docker.yml", "lab", &[]);
    let compose = lab.host_root("node1").join("opt/kaiwudb");
    let compose_file =
        std::fs::read_to_string(compose.join("docker-compose.yml")).expect("compose");
    let parameters = container_parameters(&lab, host, container);
    let prepared = calls(&lab, host).len();
    lab.outgrow_disk(host, "/var/lib/kaiwudb/000042.sst", "/var/lib/kwdb-backups");
    let output = play(&lab, &["kwdb-docker.yml"], "lab", &[]);
    output.assert_code(2);
    let failed = format!(
        "KWDB DOCKER UPGRADE FAILED on {host} at \\\"Archive the data of the stopped container\\\""
    );
    let nothing = format!(
        "Nothing was upgraded: the new image never started, {restored} and the data was not touched. KWDB runs again on the old image and answers."
    );
    assert!(
        output.stdout.contains(&failed) && output.stdout.contains(&nothing),
        "{}",
        output.all()
    );

    assert_eq!(
        container_file(&lab, host, container, "status").trim(),
        "running"
    );
    assert_eq!(
        container_file(&lab, host, container, "image").trim(),
        "kwdb/kwdb:2.2.0"
    );
    assert_eq!(
        container_parameters(&lab, host, container),
        parameters,
        "{host}: its name, restart policy and every other parameter as before"
    );
    assert!(
        image_tagged(&lab, host, "kwdb/kwdb:2.2.0"),
        "the old image is kept"
    );
    let containers: Vec<String> = std::fs::read_dir(docker_state(&lab, host).join("containers"))
        .expect("containers")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(containers, [container], "no new or set-aside container");
    let left: Vec<_> = std::fs::read_dir(lab.host_root(host).join("var/lib/kwdb-backups"))
        .expect("backups")
        .flatten()
        .map(|entry| entry.file_name())
        .collect();
    assert!(left.is_empty(), "no half-written archive: {left:?}");
    if host == "node1" {
        let mut names: Vec<String> = std::fs::read_dir(&compose)
            .expect("dir")
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["docker-compose.yml"], "the edit's backup dropped");
        assert_eq!(
            std::fs::read_to_string(compose.join("docker-compose.yml")).expect("compose"),
            compose_file,
            "the compose file as it was"
        );
        assert!(
            calls(&lab, "node2")
                .iter()
                .all(|call| !call.starts_with("docker stop") && !call.starts_with("docker pull")),
            "serial: 1 - node2 was not touched: {:?}",
            calls(&lab, "node2")
        );
    } else {
        let node: Vec<String> = calls(&lab, host)
            .into_iter()
            .skip(prepared)
            .filter(|call| {
                [
                    "docker stop",
                    "docker update",
                    "docker rename",
                    "docker start",
                    "docker run",
                ]
                .iter()
                .any(|verb| call.starts_with(verb))
            })
            .collect();
        assert_eq!(
            node,
            [
                "docker stop kwdb",
                "docker update --restart=no kwdb",
                "docker rename kwdb kwdb-before-2.2.1",
                "docker rename kwdb-before-2.2.1 kwdb",
                "docker update --restart=always kwdb",
                "docker start kwdb",
            ],
            "{host}"
        );
    }
}

#[test]
fn kwdb_docker_compose_backup_that_cannot_be_written_starts_the_old_version() {
    kwdb_docker_backup_that_cannot_be_written_starts_the_old_version(
        "node1",
        "kaiwudb",
        "the compose file names kwdb/kwdb:2.2.0 again",
    );
}

#[test]
fn kwdb_docker_run_backup_that_cannot_be_written_starts_the_old_container() {
    kwdb_docker_backup_that_cannot_be_written_starts_the_old_version(
        "node2",
        "kwdb",
        "the old container kwdb has its name and restart policy (always) back",
    );
}

#[test]
fn kwdb_docker_refuses_before_anything_stops_and_check_mode_changes_nothing() {
    let lab = Lab::up(2);
    prepare(&lab, "kwdb-docker.yml", "lab", &[]);
    let before = files(&lab);
    let output = play(&lab, &["kwdb-docker.yml"], "lab", &["--check"]);
    output.assert_code(0);
    assert!(
        output
            .stdout
            .contains("node2: would move kwdb (run) from kwdb/kwdb:2.2.0 to kwdb/kwdb:2.2.1")
            && output.stdout.contains(
                "node1: would move kaiwudb (compose) from kwdb/kwdb:2.2.0 to kwdb/kwdb:2.2.1"
            ),
        "{}",
        output.all()
    );
    assert_eq!(files(&lab), before, "--check changed files");

    // The new image cannot be pulled: refused before the container stops.
    let registry = docker_state(&lab, "node1").join("registry");
    std::fs::create_dir_all(&registry).expect("registry");
    std::fs::write(registry.join("kwdb%kwdb:2.2.1"), "missing").expect("registry");
    let output = play(&lab, &["kwdb-docker.yml"], "lab", &[]);
    output.assert_code(2);
    assert!(
        output
            .stdout
            .contains("manifest for kwdb/kwdb:2.2.1 not found"),
        "{}",
        output.all()
    );
    // A second container with the document's other name: ambiguous, refused.
    lab.run(&[
        "run",
        "node2",
        "-i",
        "lab",
        "-a",
        "docker run -d --name kaiwudb-container kwdb/kwdb:2.2.0",
    ])
    .assert_code(0);
    let output = play(&lab, &["kwdb-docker.yml"], "node2", &[]);
    output.assert_code(2);
    assert!(
        output
            .stdout
            .contains("found 2 KWDB containers (kaiwudb-container, kwdb)"),
        "{}",
        output.all()
    );
    for host in &lab.hosts {
        assert!(
            calls(&lab, host)
                .iter()
                .all(|call| !call.starts_with("docker stop")
                    && !call.starts_with("docker compose -f /opt/kaiwudb/docker-compose.yml down")),
            "{host}: {:?}",
            calls(&lab, host)
        );
    }
}

/// The kwbase server processes on a lab host: `(pid, argv)`.
fn kwbase_servers(lab: &Lab, host: &str) -> Vec<String> {
    let output = lab.run(&["run", host, "-i", "lab", "-a", "pgrep -a -x kwbase"]);
    output
        .stdout
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            line.split_once(' ')
                .map_or("", |(_, argv)| argv)
                .to_string()
        })
        .collect()
}

const SOURCE_START: &str = "./kwbase start-single-node --insecure --listen-addr=0.0.0.0:26257 --http-addr=0.0.0.0:8080 --store=/var/lib/kaiwudb --background";

#[test]
fn kwdb_source_upgrade_builds_and_restarts_with_the_same_command_and_is_idempotent() {
    let lab = Lab::up(2);
    prepare(&lab, "kwdb-source-upgrade.yml", "lab", &[]);
    let check = play(&lab, &["kwdb-source-upgrade.yml"], "lab", &["--check"]);
    check.assert_code(0);
    assert!(
        check
            .stdout
            .contains("node1 (2.2.0 -> 2.2.1): would check out v2.2.1, build, stop pid"),
        "{}",
        check.all()
    );
    let first = play(&lab, &["kwdb-source-upgrade.yml"], "lab", &[]);
    first.assert_code(0);
    for host in &lab.hosts {
        assert_eq!(
            kwbase_servers(&lab, host),
            [SOURCE_START],
            "{host}: the same command line"
        );
        assert_eq!(version(&lab, host), NEW, "{host}");
        let head = std::fs::read_to_string(lab.host_root(host).join("opt/src/kwdb/VERSION"))
            .expect("VERSION");
        assert_eq!(head.trim(), NEW, "{host}: the checkout is at the new tag");
        let dir = lab.host_root(host).join("var/lib/kwdb-backups");
        let archive = std::fs::read_dir(&dir)
            .expect("backups")
            .flatten()
            .next()
            .expect("an archive")
            .path();
        let listing = std::process::Command::new("tar")
            .arg("-tzf")
            .arg(&archive)
            .output()
            .expect("tar");
        let listing = String::from_utf8_lossy(&listing.stdout);
        assert!(
            listing.contains("kaiwudb/000001.sst"),
            "{host}: the store is archived: {listing}"
        );
        assert!(
            listing.contains("install/bin/kwbase"),
            "{host}: the old installation is archived: {listing}"
        );
    }
    let second = play(&lab, &["kwdb-source-upgrade.yml"], "lab", &[]);
    second.assert_code(0);
    assert_nothing_changed(&second);
}

#[test]
fn kwdb_source_upgrade_failed_build_leaves_the_old_server_running_and_stops_the_run() {
    let lab = Lab::up(2);
    prepare(&lab, "kwdb-source-upgrade.yml", "lab", &[]);
    let output = play(
        &lab,
        &["kwdb-source-upgrade.yml"],
        "lab",
        &[
            "-e",
            r#"{"kwdb_source_build_commands": ["echo 'kwbase.c:1: error: broken' >&2; exit 2"]}"#,
        ],
    );
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "KWDB SOURCE UPGRADE FAILED on node1 at \\\"Build it while the old server still runs"
        ) && output
            .stdout
            .contains("The failure came before the stop: the old server still runs, untouched."),
        "{}",
        output.all()
    );
    for host in &lab.hosts {
        assert_eq!(
            kwbase_servers(&lab, host),
            [SOURCE_START],
            "{host} still runs"
        );
        assert_eq!(version(&lab, host), OLD);
    }
    assert!(
        !recap(&output).contains_key("node2") || recap(&output)["node2"].changed == 0,
        "node2 not reached"
    );

    // Not the binary this checkout installs: refused before anything.
    let output = play(
        &lab,
        &["kwdb-source-upgrade.yml"],
        "node1",
        &["-e", "kwdb_source_binary=/usr/local/kaiwudb/bin/kwbase"],
    );
    output.assert_code(2);
    assert!(
        output
            .stdout
            .contains("expected one `kwbase start` process running /usr/local/kaiwudb/bin/kwbase"),
        "{}",
        output.all()
    );
}

#[test]
fn kwdb_source_upgrade_backup_that_cannot_be_written_starts_the_old_server_again() {
    let lab = Lab::up(2);
    prepare(&lab, "kwdb-source-upgrade.yml", "lab", &[]);
    lab.outgrow_disk(
        "node1",
        "/var/lib/kaiwudb/000042.sst",
        "/var/lib/kwdb-backups",
    );
    let output = play(&lab, &["kwdb-source-upgrade.yml"], "lab", &[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "KWDB SOURCE UPGRADE FAILED on node1 at \\\"Back up the store and the old installation\\\""
        ) && output.stdout.contains(
            "Nothing was upgraded: the old installation (2.2.0) is untouched and no backup was kept (it could not be written). The old server was started again with its command and is live."
        ),
        "{}",
        output.all()
    );
    for host in &lab.hosts {
        assert_eq!(
            kwbase_servers(&lab, host),
            [SOURCE_START],
            "{host} runs its old server with its command"
        );
        assert_eq!(version(&lab, host), OLD, "{host}");
    }
    let left: Vec<_> = std::fs::read_dir(lab.host_root("node1").join("var/lib/kwdb-backups"))
        .expect("backups")
        .flatten()
        .map(|entry| entry.file_name())
        .collect();
    assert!(left.is_empty(), "no half-written backup: {left:?}");
}

/// The old host's jpom server runs, with its restart policy `always`.
fn assert_old_server_runs(lab: &Lab) {
    assert_eq!(
        container_file(lab, "node1", "jpom-server", "status").trim(),
        "running"
    );
    assert!(
        container_file(lab, "node1", "jpom-server", "host.json")
            .contains("\"RestartPolicy\":{\"Name\":\"always\""),
        "the restart policy is always"
    );
}

/// The old host's last container calls: stopped with its restart policy
/// off, then the policy back and started again.
fn assert_old_server_stopped_then_started_again(lab: &Lab) {
    let node1: Vec<String> = calls(lab, "node1")
        .into_iter()
        .filter(|call| {
            call.starts_with("docker stop")
                || call.starts_with("docker start")
                || call.starts_with("docker update")
                || call.starts_with("docker run")
        })
        .collect();
    assert_eq!(
        node1[node1.len().saturating_sub(4)..],
        [
            "docker stop jpom-server",
            "docker update --restart=no jpom-server",
            "docker update --restart=always jpom-server",
            "docker start jpom-server",
        ],
        "{node1:?}"
    );
}

fn container_file(lab: &Lab, host: &str, name: &str, file: &str) -> String {
    std::fs::read_to_string(
        docker_state(lab, host)
            .join("containers")
            .join(name)
            .join(file),
    )
    .unwrap_or_else(|error| panic!("{host} {name}/{file}: {error}"))
}

fn jpom(lab: &Lab, playbooks: &[&str], extra: &[&str]) -> Output {
    let paths: Vec<String> = playbooks.iter().map(|name| playbook(name)).collect();
    let mut args = vec!["play"];
    args.extend(paths.iter().map(String::as_str));
    args.extend(["-i", "lab", "-e", "jpom_old=node1", "-e", "jpom_new=node2"]);
    args.extend_from_slice(extra);
    lab.run(&args)
}

#[test]
fn jpom_migration_moves_the_server_with_its_mounts_image_and_install_id() {
    let lab = Lab::up(2);
    jpom(&lab, &["lab/jpom-migrate.yml"], &[]).assert_code(0);
    let before = files(&lab);
    let check = jpom(&lab, &["jpom-migrate.yml"], &["--check"]);
    check.assert_code(0);
    assert_eq!(files(&lab), before, "--check changed files");
    assert!(
        check.stdout.contains("would stop jpom-server on node1"),
        "{}",
        check.all()
    );

    let output = jpom(&lab, &["jpom-migrate.yml"], &[]);
    output.assert_code(0);
    let new = lab.host_root("node2").join("opt/jpom-server");
    for kept in [
        "data/db/Server.mv.db",
        "data/INSTALL.json",
        "conf/application.yml",
    ] {
        assert!(new.join(kept).is_file(), "{kept} moved");
    }
    for dropped in [
        "data/temp",
        "data/script_run_cache",
        "data/build",
        "logs/server.log",
    ] {
        assert!(!new.join(dropped).exists(), "{dropped} not moved");
    }
    // Through the controller's state directory, not the inventory's repository.
    let transfer = lab.project.join(".state/runbook/jpom-transfer/node1");
    let moved: Vec<String> = std::fs::read_dir(&transfer)
        .expect("transfer directory")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(moved, ["conf.tar.gz", "data.tar.gz"]);
    assert!(!lab.project.join("inventories/jpom-transfer").exists());
    let install = std::fs::read_to_string(new.join("data/INSTALL.json")).expect("INSTALL.json");
    assert!(
        install.contains("\"installId\":\"91c653b3e17c4021b486416e33d014c8\""),
        "{install}"
    );
    assert_eq!(
        container_file(&lab, "node2", "jpom-server", "status").trim(),
        "running"
    );
    assert_eq!(
        container_file(&lab, "node2", "jpom-server", "image_id"),
        container_file(&lab, "node1", "jpom-server", "image_id"),
        "the old image, pinned by ID"
    );
    let old_host = container_file(&lab, "node1", "jpom-server", "host.json");
    assert!(
        old_host.contains("\"RestartPolicy\":{\"Name\":\"no\""),
        "{old_host}"
    );
    assert_eq!(
        container_file(&lab, "node2", "jpom-server", "host.json"),
        old_host.replace(
            "\"RestartPolicy\":{\"Name\":\"no\"",
            "\"RestartPolicy\":{\"Name\":\"always\""
        ),
        "the same ports, mounts and restart policy"
    );
    assert_eq!(
        container_file(&lab, "node1", "jpom-server", "status").trim(),
        "exited"
    );
    let node1 = calls(&lab, "node1");
    let stop = node1
        .iter()
        .position(|call| call == "docker stop jpom-server")
        .expect("stopped");
    let update = node1
        .iter()
        .position(|call| call == "docker update --restart=no jpom-server")
        .expect("policy off");
    assert!(stop < update, "{node1:?}");
    assert!(
        output.stdout.contains(
            "delete every cluster whose installId is not 91c653b3e17c4021b486416e33d014c8"
        ),
        "{}",
        output.all()
    );

    let second = jpom(&lab, &["jpom-migrate.yml"], &[]);
    second.assert_code(0);
    assert_nothing_changed(&second);
}

#[test]
fn jpom_migration_refuses_a_different_image_or_volume_mounts_before_anything_stops() {
    let lab = Lab::up(3);
    jpom(&lab, &["lab/jpom-migrate.yml"], &[]).assert_code(0);
    // The registry serves node2 another build under the same tag.
    let registry = docker_state(&lab, "node2").join("registry");
    std::fs::create_dir_all(&registry).expect("registry");
    std::fs::write(registry.join("jpomdocker%jpom:2.11.0"), "2").expect("registry");
    let output = jpom(&lab, &["jpom-migrate.yml"], &[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "load the old host's image (docker save | docker load) first. Nothing was stopped."
        ),
        "{}",
        output.all()
    );
    assert_old_server_runs(&lab);

    // A server keeping its data in named volumes is not moved by this playbook.
    lab.run(&["run", "node3", "-i", "lab", "-a", "docker run -d --name jpom-server -v jpom-data:/usr/local/jpom-server/data -v jpom-conf:/usr/local/jpom-server/conf jpomdocker/jpom:2.11.0"])
        .assert_code(0);
    let output = lab.run(&[
        "play",
        &playbook("jpom-migrate.yml"),
        "-i",
        "lab",
        "-e",
        "jpom_old=node3",
        "-e",
        "jpom_new=node2",
    ]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("This playbook moves bind mounts"),
        "{}",
        output.all()
    );
    assert!(
        calls(&lab, "node3")
            .iter()
            .all(|call| !call.starts_with("docker stop"))
    );
    assert!(
        !lab.host_root("node2").join("opt/jpom-server").exists(),
        "nothing on the new host"
    );
}

#[test]
fn jpom_migration_failed_start_on_the_new_host_keeps_the_old_data_and_says_how_to_go_back() {
    let lab = Lab::up(2);
    jpom(&lab, &["lab/jpom-migrate.yml"], &[]).assert_code(0);
    let old_data = |lab: &Lab| {
        let mut files = lab.snapshot("node1");
        files.retain(|path, _| path.contains("opt/jpom-server"));
        files
    };
    let before = old_data(&lab);
    assert!(!before.is_empty(), "the old host holds the Jpom data");
    // The server on the new host dies as soon as it starts.
    let knobs = docker_state(&lab, "node2").join("knobs");
    std::fs::create_dir_all(&knobs).expect("knobs");
    std::fs::write(knobs.join("run_exits"), "").expect("knob");

    let output = jpom(&lab, &["jpom-migrate.yml"], &[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "JPOM MIGRATION FAILED on the new host node2 at \\\"The server runs the old image with the old installation id\\\""
        ) && output.stdout.contains(
            "The old container jpom-server on node1 is STOPPED with its restart policy off and its data untouched."
        ) && output.stdout.contains(
            "To go back: on node1: docker update --restart=always jpom-server && docker start jpom-server"
        ),
        "{}",
        output.all()
    );
    assert!(
        !output.stdout.contains("What to clean up by hand"),
        "the run stopped at the failure: {}",
        output.all()
    );

    assert_eq!(old_data(&lab), before, "the old host's data is untouched");
    assert_eq!(
        container_file(&lab, "node1", "jpom-server", "status").trim(),
        "exited"
    );
    let old_host = container_file(&lab, "node1", "jpom-server", "host.json");
    assert!(
        old_host.contains("\"RestartPolicy\":{\"Name\":\"no\""),
        "the old server cannot come back by itself: {old_host}"
    );
    let node1 = calls(&lab, "node1");
    let stop = node1
        .iter()
        .position(|call| call == "docker stop jpom-server")
        .expect("stopped");
    let update = node1
        .iter()
        .position(|call| call == "docker update --restart=no jpom-server")
        .expect("policy off");
    assert!(stop < update, "{node1:?}");
    assert!(
        node1
            .iter()
            .all(|call| !call.starts_with("docker start") && !call.starts_with("docker rm")),
        "the old container is neither restarted nor removed: {node1:?}"
    );

    // The new host: unpacked before the start, the container left exited.
    let new = lab.host_root("node2").join("opt/jpom-server");
    assert!(new.join("data/INSTALL.json").is_file());
    assert_eq!(
        container_file(&lab, "node2", "jpom-server", "status").trim(),
        "exited"
    );
    let node2 = calls(&lab, "node2");
    let run = node2
        .iter()
        .position(|call| call.starts_with("docker run -d --name jpom-server"))
        .unwrap_or_else(|| panic!("docker run: {node2:?}"));
    assert!(
        node2[run + 1..]
            .iter()
            .any(|call| call == "docker inspect jpom-server"),
        "verified after the start: {node2:?}"
    );
}

#[test]
fn jpom_migration_failure_on_the_old_host_after_the_stop_starts_it_again_and_leaves_the_new_host() {
    let lab = Lab::up(2);
    jpom(&lab, &["lab/jpom-migrate.yml"], &[]).assert_code(0);
    // The controller cannot take the archives: the transfer directory would
    // be below a regular file.
    lab.project.file("not-a-directory", "");
    let transfer = lab.project.join("not-a-directory/jpom-transfer");
    let transfer = format!("jpom_transfer_dir={}", transfer.display());
    let output = jpom(&lab, &["jpom-migrate.yml"], &["-e", &transfer]);
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "JPOM MIGRATION FAILED on the old host node1 at \\\"Bring them to the controller\\\""
        ) && output.stdout.contains(
            "The old container jpom-server runs again with its restart policy always (docker update --restart=always jpom-server && docker start jpom-server)."
        ) && output
            .stdout
            .contains("Nothing was done on node2; fix the cause and run again."),
        "{}",
        output.all()
    );
    assert!(
        !output.stdout.contains("What to clean up by hand"),
        "{}",
        output.all()
    );

    // The old host: stopped, policy off, packed; then policy back, started.
    assert_old_server_runs(&lab);
    assert_old_server_stopped_then_started_again(&lab);
    assert!(
        lab.host_root("node1")
            .join("var/lib/jpom-migrate/data.tar.gz")
            .is_file(),
        "it failed after packing"
    );

    // The new host: nothing started, nothing unpacked.
    let node2 = calls(&lab, "node2");
    assert!(
        node2.iter().all(|call| !call.starts_with("docker run")
            && !call.starts_with("docker start")
            && !call.starts_with("docker restart")),
        "{node2:?}"
    );
    assert!(!lab.host_root("node2").join("opt/jpom-server").exists());
    assert!(!lab.host_root("node2").join("var/lib/jpom-migrate").exists());
}

#[test]
fn kwdb_rehearsal_runs_with_a_directory_inventory_and_builds_nothing_inside_it() {
    let lab = Lab::up(1);
    lab.project.file(
        "inventories/fleet/hosts",
        &lab.project.read("inventories/lab"),
    );
    let inventory_files = || -> Vec<String> {
        let mut names: Vec<String> = walk(&lab.project.join("inventories/fleet"));
        names.sort();
        names
    };
    let package = lab.project.join("packages/KWDB-2.2.1.tar.gz");
    let package_var = format!("kwdb_package={}", package.display());
    let rehearse = |playbooks: &[&str], extra: &[&str]| {
        let paths: Vec<String> = playbooks.iter().map(|name| playbook(name)).collect();
        let mut args = vec!["play"];
        args.extend(paths.iter().map(String::as_str));
        args.extend([
            "-i",
            "inventories/fleet",
            "-e",
            "kwdb_hosts=node1",
            "-e",
            "kwdb_rejoin_poll=1",
        ]);
        args.extend_from_slice(extra);
        lab.run(&args)
    };

    // The package left where it would be read as an inventory: refused
    // before anything is built or installed.
    let refused = rehearse(&["lab/kwdb-offline.yml"], &[]);
    refused.assert_code(2);
    assert!(
        refused.stdout.contains(
            "which would read it as an inventory file; give -e kwdb_package=... outside it"
        ),
        "{}",
        refused.all()
    );
    assert_eq!(inventory_files(), ["hosts"]);
    assert!(
        calls(&lab, "node1").is_empty(),
        "{:?}",
        calls(&lab, "node1")
    );

    let both = ["lab/kwdb-offline.yml", "kwdb-offline.yml"];
    let first = rehearse(&both, &["-e", &package_var]);
    first.assert_code(0);
    assert_eq!(version(&lab, "node1"), NEW);
    assert_upgrade_order(&lab, "node1");
    assert!(package.is_file(), "the package is at kwdb_package");
    assert_eq!(
        inventory_files(),
        ["hosts"],
        "nothing built in the inventory"
    );
    let second = rehearse(&both, &["-e", &package_var]);
    second.assert_code(0);
    assert_nothing_changed(&second);
    assert_eq!(inventory_files(), ["hosts"]);
}

/// Every file below `dir`, relative to it.
fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(
                    path.strip_prefix(dir)
                        .unwrap_or(&path)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    files
}

#[test]
fn jpom_migration_failed_packing_starts_the_old_server_again_and_a_second_run_moves_it() {
    let lab = Lab::up(2);
    jpom(&lab, &["lab/jpom-migrate.yml"], &[]).assert_code(0);
    // The H2 database has grown: 512 KiB that do not compress, and the
    // staging directory's file system holds 64 KiB (a full disk at packing).
    lab.outgrow_disk(
        "node1",
        "/opt/jpom-server/data/db/Server.trace.db",
        "/var/lib/jpom-migrate",
    );
    let old_data = |lab: &Lab| {
        let mut files = lab.snapshot("node1");
        files.retain(|path, _| path.contains("opt/jpom-server"));
        files
    };
    let before = old_data(&lab);

    let output = jpom(&lab, &["jpom-migrate.yml"], &[]);
    output.assert_code(2);
    assert!(
        output.stdout.contains(
            "JPOM MIGRATION FAILED on the old host node1 at \\\"Pack data (without logs, data/temp, data/script_run_cache, data/build unless jpom_keep_build_data)\\\""
        ) && output.stdout.contains("No space left on device")
            && output.stdout.contains(
                "The old container jpom-server runs again with its restart policy always (docker update --restart=always jpom-server && docker start jpom-server)."
            )
            && output
                .stdout
                .contains("Nothing was done on node2; fix the cause and run again."),
        "{}",
        output.all()
    );
    assert!(
        !output.stdout.contains("What to clean up by hand"),
        "{}",
        output.all()
    );
    let summary = recap(&output);
    assert_eq!(
        (summary["node1"].failed, summary["node2"].failed),
        (1, 0),
        "{}",
        output.all()
    );

    // The running version is intact: the old server runs with its policy,
    // its data as it was, and nothing half-packed is left in the staging
    // directory (or on the controller) to be taken for an archive later.
    assert_old_server_runs(&lab);
    assert_eq!(old_data(&lab), before, "the old host's data is untouched");
    let staged = lab.run(&[
        "run",
        "node1",
        "-i",
        "lab",
        "-m",
        "shell",
        "-a",
        "ls -A /var/lib/jpom-migrate",
    ]);
    staged.assert_code(0);
    assert!(
        !staged.stdout.contains(".tar.gz") && !staged.stdout.contains(".runbook-archive"),
        "{}",
        staged.all()
    );
    assert!(!lab.project.join("inventories/jpom-transfer").exists());
    assert_old_server_stopped_then_started_again(&lab);
    // The new host only pulled the image, in the checks before the stop.
    assert_eq!(
        calls(&lab, "node2"),
        [
            "docker version",
            "docker inspect jpom-server",
            "docker image inspect jpomdocker/jpom:2.11.0",
            "docker pull jpomdocker/jpom:2.11.0",
            "docker image inspect jpomdocker/jpom:2.11.0",
        ]
    );
    assert!(!lab.host_root("node2").join("opt/jpom-server").exists());
    assert!(!lab.host_root("node2").join("var/lib/jpom-migrate").exists());

    // The cause fixed (room to pack), the next run migrates.
    lab.run(&[
        "run",
        "node1",
        "-i",
        "lab",
        "-m",
        "shell",
        "-a",
        "umount /var/lib/jpom-migrate",
    ])
    .assert_code(0);
    let again = jpom(&lab, &["jpom-migrate.yml"], &[]);
    again.assert_code(0);
    assert_eq!(
        std::fs::read(
            lab.host_root("node2")
                .join("opt/jpom-server/data/db/Server.trace.db")
        )
        .expect("moved")
        .len(),
        512 * 1024
    );
    assert_eq!(
        container_file(&lab, "node2", "jpom-server", "status").trim(),
        "running"
    );
}
