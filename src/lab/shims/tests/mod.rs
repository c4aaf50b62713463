//! The shims run on this machine in a scratch host root: each must answer
//! as the real tool does (output, exit codes, state kept between calls).
//! `system`: power, kernel modules, systemd; `apps`: the services and
//! stores the procedures drive.

mod apps;
mod system;

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
