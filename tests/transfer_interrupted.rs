//! A connection cut in the middle of a transfer, on a lab host: the session's
//! sshd is killed while the host's `sh` is still reading the upload, as a
//! dropped network would. The original file must stay as it was, no
//! temporary file may be left, and a script cut off must never run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::Lab;

/// Bytes the host's `sh` must have read before the connection is cut: well
/// into the transfer, well before its end.
const CUT_AFTER: u64 = 8 << 20;
const PAYLOAD: usize = 48 << 20;

fn cmdline(pid: u32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|raw| String::from_utf8_lossy(&raw).replace('\0', " "))
        .unwrap_or_default()
}

fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    after_name.split_whitespace().nth(1)?.parse().ok()
}

fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The processes below this lab's sshd listener: the sessions and their shells.
fn session_processes(lab: &Lab) -> Vec<u32> {
    let state = lab.state_dir().display().to_string();
    let pids = all_pids();
    let listeners: Vec<u32> = pids
        .iter()
        .copied()
        .filter(|pid| {
            let line = cmdline(*pid);
            line.contains("sshd") && line.contains(&state) && line.contains("-f ")
        })
        .collect();
    pids.into_iter()
        .filter(|pid| {
            let mut at = *pid;
            while let Some(up) = parent(at) {
                if listeners.contains(&up) {
                    return true;
                }
                if up <= 1 {
                    return false;
                }
                at = up;
            }
            false
        })
        .collect()
}

fn bytes_read(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/io"))
        .ok()
        .and_then(|io| {
            io.lines()
                .find_map(|l| l.strip_prefix("rchar: ").map(str::to_string))
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn start_play(lab: &Lab) -> Child {
    Command::new(env!("CARGO_BIN_EXE_runbook"))
        .args(["play", "site.yml", "-i", "lab"])
        .current_dir(lab.project.path())
        .env("NO_COLOR", "1")
        .env_remove("SSH_AUTH_SOCK")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runbook play")
}

/// Wait until a shell of the lab has read `CUT_AFTER` bytes, then kill the
/// session's sshd processes (not the shell: it sees its input end).
fn cut_mid_transfer(lab: &Lab, play: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(Instant::now() < deadline, "the transfer never got going");
        assert!(
            play.try_wait().expect("wait").is_none(),
            "the play ended before the cut"
        );
        let processes = session_processes(lab);
        let reading = processes
            .iter()
            .any(|pid| comm(*pid) == "sh" && bytes_read(*pid) > CUT_AFTER);
        if reading {
            for pid in processes
                .iter()
                .filter(|pid| comm(**pid).starts_with("sshd"))
            {
                // SAFETY: kill(2) on a pid of this lab's sshd; no memory involved.
                unsafe {
                    libc::kill(*pid as libc::pid_t, libc::SIGKILL);
                }
            }
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Wait until the lab host's shells have ended: a shell whose input was cut
/// goes on running what it had, after the controller has given up.
fn wait_for_shells_to_end(lab: &Lab) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while session_processes(lab)
        .iter()
        .any(|pid| comm(*pid) != "sshd")
    {
        assert!(Instant::now() < deadline, "the host's shell never ended");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn finish(play: Child) -> (i32, String) {
    let output = play.wait_with_output().expect("wait");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

/// Names in `dir` that look like runbook's temporary files, once the host's
/// shell had a moment to clean up.
fn temporary_files(dir: &Path) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left: Vec<String> = std::fs::read_dir(dir)
            .expect("read dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("runbook") || n.starts_with("tmp."))
            .collect();
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn big_payload(first_line: &str) -> Vec<u8> {
    let mut content = format!("{first_line}\n").into_bytes();
    let filler = b"# filler line so the transfer takes a while, 64 bytes long....\n";
    while content.len() < PAYLOAD {
        content.extend_from_slice(filler);
    }
    content
}

fn host_path(lab: &Lab, path: &str) -> PathBuf {
    lab.host_root("node1").join(path.trim_start_matches('/'))
}

#[test]
fn a_copy_cut_off_keeps_the_original_and_leaves_no_temporary_file() {
    let lab = Lab::up(1);
    let before = staged_stdin_files();
    let original = b"original content\n";
    std::fs::write(host_path(&lab, "/opt/big.bin"), original).expect("original");
    std::fs::create_dir_all(lab.project.join("files")).expect("files");
    std::fs::write(lab.project.join("files/big.bin"), big_payload("new")).expect("payload");
    lab.project.file(
        "site.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - copy: src=big.bin dest=/opt/big.bin\n",
    );
    let mut play = start_play(&lab);
    cut_mid_transfer(&lab, &mut play);
    let (code, output) = finish(play);
    wait_for_shells_to_end(&lab);
    assert_ne!(code, 0, "{output}");
    assert_eq!(
        std::fs::read(host_path(&lab, "/opt/big.bin")).expect("still there"),
        original,
        "{output}"
    );
    assert_eq!(
        temporary_files(&host_path(&lab, "/opt")),
        Vec::<String>::new()
    );
    assert_no_staged_stdin_left(&before);
}

#[test]
fn a_script_cut_off_never_runs() {
    let lab = Lab::up(1);
    let before = staged_stdin_files();
    std::fs::create_dir_all(lab.project.join("files")).expect("files");
    let script = big_payload("#!/bin/sh\necho ran > /opt/ran");
    std::fs::write(lab.project.join("files/big.sh"), script).expect("script");
    // The host's /tmp is this machine's; the script's temporary file goes
    // to a directory of the host's own, to be counted.
    std::fs::create_dir_all(host_path(&lab, "/opt/scripts")).expect("dir");
    lab.project.file(
        "site.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - script: big.sh\n      environment:\n        TMPDIR: /opt/scripts\n",
    );
    let mut play = start_play(&lab);
    cut_mid_transfer(&lab, &mut play);
    let (code, output) = finish(play);
    wait_for_shells_to_end(&lab);
    assert_ne!(code, 0, "{output}");
    assert!(
        !host_path(&lab, "/opt/ran").exists(),
        "a script cut off ran\n{output}"
    );
    assert_eq!(
        temporary_files(&host_path(&lab, "/opt/scripts")),
        Vec::<String>::new()
    );
    assert_no_staged_stdin_left(&before);
}

/// Names of runbook's stdin staging files in the machine's /tmp (which the
/// lab hosts share).
pub(crate) fn staged_stdin_files() -> Vec<String> {
    std::fs::read_dir("/tmp")
        .expect("read /tmp")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".runbook-stdin."))
        .collect()
}

/// The host's shell, reparented once its sshd is gone, removes the staging
/// file when its input ends; other tests' commands stage their input there
/// too, for a moment.
pub(crate) fn assert_no_staged_stdin_left(before: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let left = loop {
        let left: Vec<String> = staged_stdin_files()
            .into_iter()
            .filter(|name| !before.contains(name))
            .collect();
        if left.is_empty() || Instant::now() > deadline {
            break left;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(left, Vec::<String>::new());
}

#[test]
fn a_command_whose_stdin_is_cut_off_never_runs() {
    let lab = Lab::up(1);
    let before = staged_stdin_files();
    std::fs::create_dir_all(lab.project.join("files")).expect("files");
    std::fs::write(lab.project.join("files/input.txt"), big_payload("input")).expect("input");
    lab.project.file(
        "site.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - shell: cat > /opt/got; echo ran > /opt/ran\n      args:\n        stdin: \"{{ lookup('file', 'input.txt') }}\"\n",
    );
    let mut play = start_play(&lab);
    cut_mid_transfer(&lab, &mut play);
    let (code, output) = finish(play);
    wait_for_shells_to_end(&lab);
    assert_ne!(code, 0, "{output}");
    assert!(
        !host_path(&lab, "/opt/ran").exists() && !host_path(&lab, "/opt/got").exists(),
        "a command ran on part of its stdin\n{output}"
    );
    assert_no_staged_stdin_left(&before);
}
