//! `runbook lab` against real sshd processes in real namespaces (needs root,
//! /usr/sbin/sshd and the system `ssh` client, as `runbook lab` does).

use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use runbook::lab::{self, Lab, LabUpOptions};

/// A lab in a fresh temporary directory, with a name no other test uses;
/// brought down when dropped, so a failing test leaves no sshd behind.
struct Running {
    lab: Lab,
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = lab::down_in(&self.lab.state_dir);
    }
}

impl std::ops::Deref for Running {
    type Target = Lab;
    fn deref(&self) -> &Lab {
        &self.lab
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Lab {
        &mut self.lab
    }
}

fn start_lab(name: &str, hosts: usize) -> Running {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = LabUpOptions {
        hosts,
        name: format!("{name}-{}", std::process::id()),
        inventory_out: Some(dir.path().join("inventory")),
    };
    let started = Instant::now();
    let lab = lab::up_in(&dir.path().join("lab"), &options).expect("lab comes up");
    eprintln!("up of {hosts} hosts took {:?}", started.elapsed());
    Running { lab, _dir: dir }
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
    let mut lab = start_lab("separate", 3);

    assert_eq!(lab.etc_mode("node1").as_deref(), Some("overlay"));
    let again = LabUpOptions {
        hosts: 1,
        name: lab.name.clone(),
        inventory_out: None,
    };
    let refused = lab::up_in(&lab.state_dir, &again).expect_err("a second up in a running lab");
    assert!(refused.to_string().contains("already up"), "{refused}");
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
    let stopped = lab.lab.clone().down().expect("down");
    eprintln!("down of 3 hosts took {:?}", started.elapsed());
    assert_eq!(stopped.len(), 3, "{stopped:?}");
    for pid in pids {
        assert!(!is_live(pid), "sshd {pid} survived down");
    }
    assert!(!state_dir.exists());
}

/// Running, not a zombie waiting for a parent that never reaps.
fn is_live(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
    })
}

#[test]
fn ten_hosts_share_a_kwdb_cluster_view_and_down_survives_dead_hosts() {
    let lab = start_lab("ten", 10);
    assert_eq!(lab.hosts.len(), 10);

    for host in ["node1", "node2", "node3"] {
        assert_eq!(ssh(&lab, host, "systemctl start kaiwudb").0, 0);
    }
    // node7 runs no KWDB: its own client cannot connect to it...
    let (rc, refused) = ssh(&lab, "node7", "kwbase node status --insecure");
    assert_eq!(rc, 1, "{refused}");
    // ...but reaches node1, where the three started nodes become live
    // (TSV, since stdout is not a terminal) once they have rejoined.
    let node1 = lab.host("node1").expect("node1").address.clone();
    let command = format!("kwbase node status --insecure --host={node1}:26257");
    let started = Instant::now();
    let status = loop {
        let (rc, status) = ssh(&lab, "node7", &command);
        assert_eq!(rc, 0, "{status}");
        let live = status
            .lines()
            .filter(|line| line.split('\t').nth(8) == Some("true"))
            .count();
        if live == 3 || started.elapsed() > Duration::from_secs(10) {
            break status;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        status.lines().next(),
        Some(
            "id\taddress\tsql_address\tbuild\tstarted_at\tupdated_at\tlocality\tis_available\tis_live"
        ),
        "{status}"
    );
    let live: Vec<&str> = status
        .lines()
        .filter(|line| line.contains(":26257") && line.ends_with("true"))
        .collect();
    assert_eq!(live.len(), 3, "{status}");

    let (_, found) = ssh(&lab, "node4", "command -v systemctl");
    assert_eq!(found.trim(), "/usr/local/sbin/systemctl");
    let (rc, _) = ssh(&lab, "node4", "dpkg-query -W openssh-server >/dev/null");
    assert_eq!(rc, 0, "dpkg database is readable");
    // The host's dpkg database and /usr are overlays of its own: what it
    // writes there stays out of the machine's.
    for path in ["/var/lib/dpkg/runbook-lab", "/usr/runbook-lab"] {
        let (rc, _) = ssh(&lab, "node4", &format!("touch {path}"));
        assert_eq!(rc, 0, "{path} is writable on a lab host");
        assert!(
            !std::path::Path::new(path).exists(),
            "{path} reached the machine"
        );
        let (rc, _) = ssh(&lab, "node5", &format!("[ ! -e {path} ]"));
        assert_eq!(rc, 0, "{path} reached another lab host");
    }

    let crashed = lab.host("node5").expect("node5").pid;
    crash(crashed);
    let started = Instant::now();
    let stopped = lab.lab.clone().down().expect("down with a dead host");
    eprintln!("down of 10 hosts took {:?}", started.elapsed());
    assert_eq!(stopped.len(), 9, "{stopped:?}");
    assert!(!stopped.iter().any(|line| line.starts_with("node5 ")));
}

/// SIGKILL a process, as a crash would, and give its namespace a moment to end.
fn crash(pid: u32) {
    let pid = libc::pid_t::try_from(pid).expect("pid fits");
    // SAFETY: kill has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    std::thread::sleep(Duration::from_millis(200));
}

#[test]
fn labs_started_together_get_their_own_addresses() {
    let labs: Vec<Running> = std::thread::scope(|scope| {
        let handles: Vec<_> = ["pair-a", "pair-b"]
            .into_iter()
            .map(|name| scope.spawn(move || start_lab(name, 2)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("lab thread"))
            .collect()
    });
    let addresses: std::collections::HashSet<&str> = labs
        .iter()
        .flat_map(|lab| lab.hosts.iter().map(|host| host.address.as_str()))
        .collect();
    assert_eq!(addresses.len(), 4, "{addresses:?}");
    for lab in &labs {
        assert_eq!(ssh(lab, "node2", "hostname").1.trim(), "node2");
    }
    for lab in labs {
        assert_eq!(lab.lab.clone().down().expect("down").len(), 2);
    }
}

#[test]
fn down_of_a_directory_without_a_lab_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let error = lab::down_in(dir.path()).expect_err("no lab there");
    assert!(error.to_string().contains("no lab in"), "{error}");
    assert!(
        dir.path().exists(),
        "down removed a directory that held no lab"
    );
}

/// `runbook lab up` with its default state directory lives under the
/// machine's /var/lib, which each host replaces with its own: the host's
/// setup must not read its files through the path it is about to hide.
#[test]
fn a_lab_kept_under_var_lib_starts_and_runs_tasks() {
    let project = crate::support::Project::new();
    let dir = std::path::PathBuf::from(format!("/var/lib/runbook-test-{}", std::process::id()));
    let dir_text = dir.display().to_string();
    let env = [("RUNBOOK_LAB_DIR", dir_text.as_str())];
    let up = project.run_with_env(&["lab", "up", "2", "--name", "varlib"], &env);
    let ping = project.run_with_env(&["run", "all", "-i", "varlib", "-m", "ping"], &env);
    let down = project.run_with_env(&["lab", "down", "--name", "varlib"], &env);
    let _ = std::fs::remove_dir_all(&dir);
    up.assert_code(0);
    ping.assert_code(0);
    down.assert_code(0);
    assert_eq!(ping.stdout.matches("SUCCESS").count(), 2, "{}", ping.all());
}
