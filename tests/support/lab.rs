use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Output, Project};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A lab of real sshd hosts started with `runbook lab up`, stopped on drop.
pub(crate) struct Lab {
    pub name: String,
    pub project: Project,
    pub hosts: Vec<String>,
}

impl Lab {
    /// Start `hosts` hosts; the inventory is written to `inventories/lab` in the project.
    pub(crate) fn up(hosts: usize) -> Self {
        let project = Project::new();
        let name = format!(
            "t{}x{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let lab = Self {
            name,
            project,
            hosts: (1..=hosts).map(|i| format!("node{i}")).collect(),
        };
        let count = hosts.to_string();
        let output = lab.lab_command(&["up", &count, "--inventory-out", "inventories/lab"]);
        output.assert_code(0);
        lab
    }

    pub(crate) fn state_dir(&self) -> PathBuf {
        self.project.join(".lab")
    }

    fn lab_command(&self, args: &[&str]) -> Output {
        let mut full = vec!["lab"];
        full.extend_from_slice(args);
        full.extend_from_slice(&["--name", &self.name]);
        let dir = self.state_dir();
        let dir = dir.to_str().expect("utf8 path");
        self.project
            .run_with_env(&full, &[("RUNBOOK_LAB_DIR", dir)])
    }

    /// Run `runbook ARGS` in the lab's project.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.project.run(args)
    }

    /// A host's private root on this machine (its /opt, /etc... are below).
    pub(crate) fn host_root(&self, host: &str) -> PathBuf {
        self.state_dir().join("hosts").join(host)
    }

    /// Every call the host's shims recorded: `(shim, argv)` in order.
    /// The arguments of every call of `shim` on `host`, in order.
    pub(crate) fn calls_of(&self, host: &str, shim: &str) -> Vec<String> {
        self.shim_calls(host)
            .into_iter()
            .filter(|(name, _)| name == shim)
            .map(|(_, argv)| argv)
            .collect()
    }

    pub(crate) fn shim_calls(&self, host: &str) -> Vec<(String, String)> {
        let log = self.host_root(host).join("var/log/runbook-shims.log");
        std::fs::read_to_string(log)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| {
                let mut fields = line.splitn(3, '\t');
                let _time = fields.next()?;
                Some((
                    fields.next()?.to_string(),
                    fields.next().unwrap_or_default().to_string(),
                ))
            })
            .collect()
    }

    /// Every file under the host's private directories (`/etc` changes,
    /// `/opt`, `/srv`, `/var/lib`, `/var/log`...) with its mode and SHA-256,
    /// to prove a `--check` run changed nothing. The shim log is left out:
    /// it records reads too.
    pub(crate) fn snapshot(&self, host: &str) -> std::collections::BTreeMap<String, String> {
        use sha2::Digest;
        use std::os::unix::fs::MetadataExt;
        let root = self.host_root(host);
        let mut files = std::collections::BTreeMap::new();
        let mut pending = vec![root.clone()];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(meta) = std::fs::symlink_metadata(&path) else {
                    continue;
                };
                let relative = path
                    .strip_prefix(&root)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                if relative.ends_with("runbook-shims.log") {
                    continue;
                }
                let content = if meta.is_file() {
                    hex::encode(sha2::Sha256::digest(
                        std::fs::read(&path).unwrap_or_default(),
                    ))
                } else if meta.is_symlink() {
                    std::fs::read_link(&path)
                        .map(|t| t.display().to_string())
                        .unwrap_or_default()
                } else {
                    pending.push(path.clone());
                    String::from("dir")
                };
                files.insert(
                    relative,
                    format!("{:o} {}:{} {content}", meta.mode(), meta.uid(), meta.gid()),
                );
            }
        }
        files
    }

    /// Replay every host's `systemctl stop|start UNIT` calls in time order
    /// and check that at most one host had the unit stopped at any moment
    /// and that every stopped host was started again.
    #[track_caller]
    pub(crate) fn assert_one_down_at_most(&self, unit: &str) {
        let (stop, start) = (format!("stop {unit}"), format!("start {unit}"));
        let mut events: Vec<(String, String, bool)> = Vec::new();
        for host in &self.hosts {
            let log =
                std::fs::read_to_string(self.host_root(host).join("var/log/runbook-shims.log"))
                    .unwrap_or_default();
            for line in log.lines() {
                let fields: Vec<&str> = line.splitn(3, '\t').collect();
                if fields.len() == 3
                    && fields[1] == "systemctl"
                    && (fields[2] == stop || fields[2] == start)
                {
                    events.push((fields[0].to_string(), host.clone(), fields[2] == stop));
                }
            }
        }
        events.sort();
        let mut down = std::collections::BTreeSet::new();
        for (time, host, stopping) in events {
            if stopping {
                down.insert(host);
            } else {
                down.remove(&host);
            }
            assert!(
                down.len() <= 1,
                "two hosts had {unit} down at {time}: {down:?}"
            );
        }
        assert!(
            down.is_empty(),
            "every stopped host was started again: {down:?}"
        );
    }

    pub(crate) fn stop_host(&self, host: &str) {
        self.lab_command(&["stop", host]).assert_code(0);
    }

    pub(crate) fn start_host(&self, host: &str) {
        self.lab_command(&["start", host]).assert_code(0);
    }

    /// The `runbook lab ...` command line (and its environment) that acts
    /// on this lab, for a playbook to run on the controller.
    pub(crate) fn lab_command_line(&self, args: &str) -> String {
        format!(
            "RUNBOOK_LAB_DIR={} {} lab {args} --name {}",
            self.state_dir().display(),
            env!("CARGO_BIN_EXE_runbook"),
            self.name
        )
    }

    /// Every process of the host: its sshd and everything sshd started.
    pub(crate) fn host_processes(&self, host: &str) -> Vec<i32> {
        let state: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(self.state_dir().join("lab.json")).expect("lab.json"),
        )
        .expect("lab state");
        let sshd = state["hosts"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|entry| entry["name"] == host)
            .and_then(|entry| entry["sshd"]["pid"].as_i64())
            .expect("the host's sshd pid") as i32;
        let parents: Vec<(i32, i32)> = std::fs::read_dir("/proc")
            .expect("/proc")
            .flatten()
            .filter_map(|entry| {
                let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
                let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
                let after_name = &stat[stat.rfind(')')? + 2..];
                let parent = after_name.split(' ').nth(1)?.parse().ok()?;
                Some((pid, parent))
            })
            .collect();
        let mut family = vec![sshd];
        let mut index = 0;
        while index < family.len() {
            let parent = family[index];
            family.extend(
                parents
                    .iter()
                    .filter(|(_, p)| *p == parent)
                    .map(|(pid, _)| *pid),
            );
            index += 1;
        }
        family
    }

    /// Freeze the host as a hung machine looks from the network: its
    /// processes stop, the kernel still holds its sockets.
    pub(crate) fn freeze_host(&self, host: &str) {
        for pid in self.host_processes(host) {
            // SAFETY: kill(2) with a pid of the lab's own processes.
            unsafe { libc::kill(pid, libc::SIGSTOP) };
        }
    }

    pub(crate) fn thaw_host(&self, host: &str) {
        for pid in self.host_processes(host) {
            // SAFETY: as in freeze_host.
            unsafe { libc::kill(pid, libc::SIGCONT) };
        }
    }

    /// A full disk on `host`: `data` (a path on the host) grows by 512 KiB
    /// that do not compress, and `dir` becomes a 64 KiB file system, so
    /// packing `data` into `dir` runs out of room.
    pub(crate) fn outgrow_disk(&self, host: &str, data: &str, dir: &str) {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let noise: Vec<u8> = (0..512 * 1024)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        let file = self.host_root(host).join(data.trim_start_matches('/'));
        std::fs::write(&file, noise).expect("data");
        let mount = format!("mkdir -p {dir} && mount -t tmpfs -o size=64k tmpfs {dir}");
        self.run(&["run", host, "-i", "lab", "-m", "shell", "-a", &mount])
            .assert_code(0);
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = self.lab_command(&["down"]);
    }
}
