//! `runbook lab` against real sshd processes in real namespaces (needs root,
//! /usr/sbin/sshd and the system `ssh` client, as `runbook lab` does).

use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use runbook::lab::{self, Lab, LabUpOptions};

/// A lab in a fresh temporary directory, with a name no other test uses.
fn start_lab(name: &str, hosts: usize) -> (tempfile::TempDir, Lab) {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = LabUpOptions {
        hosts,
        name: format!("{name}-{}", std::process::id()),
        inventory_out: Some(dir.path().join("inventory")),
    };
    let started = Instant::now();
    let lab = lab::up_in(&dir.path().join("lab"), &options).expect("lab comes up");
    eprintln!("up of {hosts} hosts took {:?}", started.elapsed());
    (dir, lab)
}

/// Run `script` as root on `host` with the system ssh client, the way the
/// inventory tells a user to.
fn ssh(lab: &Lab, host: &str, script: &str) -> (i32, String) {
    let host = lab.host(host).expect("host exists");
    let output = Command::new("ssh")
        .arg("-i")
        .arg(lab.private_key())
        .arg("-o")
        .arg(format!(
            "UserKnownHostsFile={}",
            lab.known_hosts().display()
        ))
        .args(["-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"])
        .args(["-o", "ConnectTimeout=5", "-p", &host.port.to_string()])
        .arg(format!("root@{}", host.address))
        .arg(script)
        .output()
        .expect("ssh runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    (output.status.code().unwrap_or(-1), stdout + &stderr)
}

fn accepts(lab: &Lab, host: &str) -> bool {
    let host = lab.host(host).expect("host exists");
    TcpStream::connect_timeout(
        &format!("{}:{}", host.address, host.port)
            .parse()
            .expect("socket address"),
        Duration::from_secs(1),
    )
    .is_ok()
}

fn shim_log(lab: &Lab, host: &str) -> String {
    let root = &lab.host(host).expect("host exists").root;
    std::fs::read_to_string(root.join("var/log/runbook-shims.log")).unwrap_or_default()
}

#[test]
fn hosts_are_separate_machines_over_real_ssh() {
    let (dir, mut lab) = start_lab("separate", 3);

    assert_eq!(lab.etc_mode("node1").as_deref(), Some("overlay"));
    let names: Vec<String> = ["node1", "node2", "node3"]
        .iter()
        .map(|host| ssh(&lab, host, "hostname").1.trim().to_string())
        .collect();
    assert_eq!(names, ["node1", "node2", "node3"]);

    let (rc, _) = ssh(&lab, "node1", "echo one > /opt/marker && cat /opt/marker");
    assert_eq!(rc, 0);
    let (rc, _) = ssh(&lab, "node2", "test -e /opt/marker");
    assert_eq!(rc, 1, "node2 sees node1's /opt");
    assert!(
        lab.host("node1")
            .expect("node1")
            .root
            .join("opt/marker")
            .is_file()
    );

    let (rc, _) = ssh(&lab, "node2", "echo changed > /etc/runbook-lab-test");
    assert_eq!(rc, 0);
    assert!(
        !Path::new("/etc/runbook-lab-test").exists(),
        "/etc leaked to the machine"
    );
    let (rc, _) = ssh(&lab, "node3", "test -e /etc/runbook-lab-test");
    assert_eq!(rc, 1, "node3 sees node2's /etc");

    let inventory = std::fs::read_to_string(&lab.inventory).expect("inventory written");
    let node2 = lab.host("node2").expect("node2");
    assert!(inventory.contains(&format!(
        "node2 ansible_host={} ansible_port={}",
        node2.address, node2.port
    )));

    let (rc, out) = ssh(
        &lab,
        "node2",
        "systemctl start kaiwudb; systemctl is-active kaiwudb",
    );
    assert_eq!((rc, out.trim()), (0, "active"));
    let (rc, out) = ssh(&lab, "node1", "systemctl is-active kaiwudb");
    assert_eq!(
        (rc, out.trim()),
        (3, "inactive"),
        "node1 shares node2's units"
    );
    let log = shim_log(&lab, "node2");
    let calls: Vec<&str> = log
        .lines()
        .map(|line| line.split('\t').nth(2).unwrap_or(""))
        .collect();
    assert_eq!(calls, ["start kaiwudb", "is-active kaiwudb"], "{log}");

    lab.stop_host("node3").expect("stop node3");
    assert!(!accepts(&lab, "node3"), "stopped host still accepts");
    assert!(accepts(&lab, "node1"));
    lab.start_host("node3").expect("start node3");
    assert_eq!(ssh(&lab, "node3", "hostname").1.trim(), "node3");

    let pids: Vec<u32> = lab.hosts.iter().map(|host| host.pid).collect();
    let state_dir = lab.state_dir.clone();
    let started = Instant::now();
    let stopped = lab.down().expect("down");
    eprintln!("down of 3 hosts took {:?}", started.elapsed());
    assert_eq!(stopped.len(), 3, "{stopped:?}");
    for pid in pids {
        assert!(!is_live(pid), "sshd {pid} survived down");
    }
    assert!(!state_dir.exists());
    drop(dir);
}

/// Running, not a zombie waiting for a parent that never reaps.
fn is_live(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
    })
}
