//! Every playbook we ship loads, and runs end to end on a lab.

use crate::support::{Lab, Project, assert_nothing_changed, recap};

#[test]
fn every_shipped_playbook_passes_the_syntax_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let mut checked = 0;
    for entry in std::fs::read_dir(&root).expect("playbooks/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yml") {
            let output =
                Project::new().run(&["play", path.to_str().expect("utf8"), "--syntax-check"]);
            output.assert_code(0);
            checked += 1;
        }
    }
    assert!(checked > 0, "no playbooks found in {}", root.display());
}

fn shipped(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("playbooks")
        .join(name);
    path.to_str().expect("utf8 path").to_string()
}

#[test]
fn kwdb_offline_upgrade_follows_the_procedure_and_is_idempotent() {
    let lab = Lab::up(2);
    let prepare = shipped("lab/kwdb-prepare.yml");
    let upgrade = shipped("kwdb-offline.yml");
    let first = lab.run(&[
        "play",
        &prepare,
        &upgrade,
        "-i",
        "lab",
        "-e",
        "kwdb_hosts=lab",
    ]);
    first.assert_code(0);
    for host in &lab.hosts {
        let version = std::fs::read_to_string(
            lab.host_root(host)
                .join("var/lib/runbook-shims/kwdb/version"),
        )
        .expect("version");
        assert_eq!(version.trim(), "2.2.1", "{host} upgraded");
        let calls: Vec<String> = lab
            .shim_calls(host)
            .into_iter()
            .map(|(shim, argv)| format!("{shim} {argv}"))
            .collect();
        let position = |needle: &str| {
            calls
                .iter()
                .rposition(|c| c == needle)
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
    let second = lab.run(&[
        "play",
        &prepare,
        &upgrade,
        "-i",
        "lab",
        "-e",
        "kwdb_hosts=lab",
    ]);
    second.assert_code(0);
    assert_nothing_changed(&second);
}

#[test]
fn kwdb_offline_upgrade_refuses_to_downgrade() {
    let lab = Lab::up(1);
    let prepare = shipped("lab/kwdb-prepare.yml");
    let upgrade = shipped("kwdb-offline.yml");
    lab.run(&["play", &prepare, "-i", "lab"]).assert_code(0);
    let output = lab.run(&[
        "play",
        &upgrade,
        "-i",
        "lab",
        "-e",
        "kwdb_hosts=lab",
        "-e",
        "kwdb_new_version=2.1.0",
        "-e",
        "kwdb_package_dir=/opt/kwdb-2.2.1",
    ]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("is newer than 2.1.0; refusing"),
        "{}",
        output.all()
    );
    assert!(
        lab.shim_calls("node1")
            .iter()
            .all(|(shim, argv)| !(shim == "systemctl" && argv.starts_with("stop"))),
        "nothing stopped"
    );
}

#[test]
fn kwdb_rolling_upgrade_keeps_all_but_one_node_up_and_is_idempotent() {
    let lab = Lab::up(3);
    let prepare = shipped("lab/kwdb-prepare.yml");
    let rolling = shipped("kwdb-rolling.yml");
    lab.run(&["play", &prepare, "-i", "lab"]).assert_code(0);
    let first = lab.run(&["play", &rolling, "-i", "lab", "-e", "kwdb_hosts=lab"]);
    first.assert_code(0);
    for host in &lab.hosts {
        let version = std::fs::read_to_string(
            lab.host_root(host)
                .join("var/lib/runbook-shims/kwdb/version"),
        )
        .expect("version");
        assert_eq!(version.trim(), "2.2.1", "{host} upgraded");
    }
    lab.assert_one_down_at_most("kaiwudb");
    let second = lab.run(&["play", &rolling, "-i", "lab", "-e", "kwdb_hosts=lab"]);
    second.assert_code(0);
    assert_nothing_changed(&second);
}

#[test]
fn kwdb_rolling_upgrade_refuses_an_unhealthy_cluster() {
    let lab = Lab::up(2);
    let prepare = shipped("lab/kwdb-prepare.yml");
    let rolling = shipped("kwdb-rolling.yml");
    lab.run(&["play", &prepare, "-i", "lab"]).assert_code(0);
    lab.run(&["run", "node2", "-i", "lab", "-a", "systemctl stop kaiwudb"])
        .assert_code(0);
    let output = lab.run(&["play", &rolling, "-i", "lab", "-e", "kwdb_hosts=lab"]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("the cluster is not healthy"),
        "{}",
        output.all()
    );
    assert!(
        lab.shim_calls("node1")
            .iter()
            .all(|(shim, argv)| !(shim == "deploy.sh" && argv.starts_with("upgrade"))),
        "nothing upgraded"
    );
}

#[test]
fn kwdb_rolling_upgrade_stops_at_a_failing_node_and_leaves_the_rest() {
    let lab = Lab::up(3);
    lab.run(&["play", &shipped("lab/kwdb-prepare.yml"), "-i", "lab"])
        .assert_code(0);
    // node2's package is broken: its upgrade fails after the node was stopped.
    std::fs::write(
        lab.host_root("node2").join("opt/kwdb-2.2.1/deploy.sh"),
        "#!/bin/sh\necho 'import failed' >&2\nexit 1\n",
    )
    .expect("write");
    let output = lab.run(&[
        "play",
        &shipped("kwdb-rolling.yml"),
        "-i",
        "lab",
        "-e",
        "kwdb_hosts=lab",
    ]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("the upgrade failed on node2"),
        "{}",
        output.all()
    );
    let recap = recap(&output);
    assert_eq!(recap["node2"].rescued, 1, "{}", output.all());
    let version = |host: &str| {
        std::fs::read_to_string(
            lab.host_root(host)
                .join("var/lib/runbook-shims/kwdb/version"),
        )
        .expect("version")
    };
    assert_eq!(version("node1").trim(), "2.2.1");
    assert_eq!(
        version("node2").trim(),
        "2.2.0",
        "the failed node keeps its version"
    );
    assert_eq!(
        version("node3").trim(),
        "2.2.0",
        "the rollout stopped before node3"
    );
    assert!(
        lab.shim_calls("node3")
            .iter()
            .all(|(shim, argv)| !(shim == "systemctl" && argv == "stop kaiwudb")),
        "node3 never stopped"
    );
    let last_node2 = lab
        .shim_calls("node2")
        .into_iter()
        .rfind(|(shim, _)| shim == "systemctl")
        .expect("calls");
    assert_eq!(last_node2.1, "start kaiwudb", "node2 was started again");
}
