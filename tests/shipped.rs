//! Every playbook we ship loads, and runs end to end on a lab.

use crate::support::Project;

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
    use crate::support::{Lab, recap};
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
    for (host, counts) in recap(&second) {
        assert_eq!(
            counts.changed,
            0,
            "second run changes nothing on {host}\n{}",
            second.all()
        );
    }
}

#[test]
fn kwdb_offline_upgrade_refuses_to_downgrade() {
    use crate::support::Lab;
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
