//! A host cannot hang the run or exhaust the controller: frozen hosts are
//! given up on the controller's clock, sessions lost while idle are
//! reopened, and a command's output is kept within a bound.

use std::time::{Duration, Instant};

use crate::support::{Lab, Project, Recap, recap};

const HUNDRED_MB: u64 = 100 * 1024;

#[test]
fn a_command_printing_hundreds_of_megabytes_is_kept_within_the_limit() {
    let lab = Lab::up(1);
    lab.project.file(
        "site.yml",
        r#"
- hosts: node1
  gather_facts: false
  tasks:
    - shell: yes | head -c 300000000; echo the end
      register: big
    - debug:
        msg: "{{ big.stdout | length }} {{ big.stdout_lines | length }} {{ big.stdout_truncated_bytes }} {{ big.stdout_lines[2097152] }} {{ big.stdout_lines[-1] }}"
"#,
    );
    let (output, peak_kib) = lab
        .project
        .run_measuring_rss(&["play", "site.yml", "-i", "lab"]);
    output.assert_code(0);
    println!("peak RSS for 300 MB of output: {peak_kib} KiB");
    let dropped = 300_000_000 + 8 - 8 * 1024 * 1024;
    let note = format!(
        "[runbook: {dropped} bytes of stdout left out here; at most 8388608 bytes of each stream are kept (runbook_output_limit)]"
    );
    // The head is 2 MiB lines of "y"; the tail ends with "the end\n".
    let (head_lines, tail_lines) = (2 * 1024 * 1024, (4 * 1024 * 1024 - 8) / 2 + 1);
    let expected = format!(
        "\"msg\": \"{} {} {dropped} {note} the end\"",
        8 * 1024 * 1024 + note.len() + 1 - 1,
        head_lines + 1 + tail_lines,
    );
    assert!(
        output.stdout.contains(&expected),
        "{expected}\n{}",
        output.all()
    );
    assert!(
        peak_kib < HUNDRED_MB,
        "peak RSS {peak_kib} KiB for 300 MB of output"
    );
}

#[test]
fn a_large_copy_to_four_hosts_is_streamed_from_disk_within_a_bound() {
    const SIZE: usize = 128 << 20;
    let lab = Lab::up(4);
    let before = crate::transfer_interrupted::staged_stdin_files();
    // Bytes that repeat only every 251, so no two chunks of it are alike.
    let content: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
    std::fs::create_dir_all(lab.project.join("files")).expect("files");
    std::fs::write(lab.project.join("files/big.bin"), &content).expect("source");
    lab.project.file(
        "site.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - copy: src=big.bin dest=/opt/big.bin mode=0640\n",
    );
    let (output, peak_kib) = lab
        .project
        .run_measuring_rss(&["play", "site.yml", "-i", "lab"]);
    println!("peak RSS for a 128 MiB copy to 4 hosts: {peak_kib} KiB");
    output.assert_code(0);
    for host in &lab.hosts {
        assert_eq!(
            recap(&output)[host.as_str()],
            Recap::new(1, 1, 0, 0, 0),
            "{}",
            output.all()
        );
        let placed = std::fs::read(lab.host_root(host).join("opt/big.bin")).expect("copied");
        assert!(
            placed == content,
            "{host}: the copy differs from its source"
        );
    }
    crate::transfer_interrupted::assert_no_staged_stdin_left(&before);
    // Held in memory, the file cost about 2.5 times its size per host.
    assert!(
        peak_kib < HUNDRED_MB,
        "peak RSS {peak_kib} KiB for a 128 MiB copy to 4 hosts"
    );
}

#[test]
fn a_directory_copy_and_an_unarchive_of_large_files_are_streamed_within_a_bound() {
    const SIZE: usize = 64 << 20;
    let lab = Lab::up(2);
    let content: Vec<u8> = (0..SIZE).map(|i| (i % 253) as u8).collect();
    let files = lab.project.join("files");
    std::fs::create_dir_all(files.join("tree/sub")).expect("tree");
    std::fs::write(files.join("tree/sub/big.bin"), &content).expect("big");
    std::fs::write(files.join("tree/small.txt"), "small\n").expect("small");
    std::fs::create_dir_all(files.join("packed")).expect("packed");
    std::fs::write(files.join("packed/payload.bin"), &content).expect("payload");
    let tar = std::process::Command::new("tar")
        .arg("-cf")
        .arg(files.join("big.tar"))
        .arg("-C")
        .arg(files.join("packed"))
        .arg("payload.bin")
        .status()
        .expect("tar");
    assert!(tar.success());
    lab.project.file(
        "site.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - copy: src=tree dest=/opt/\n    - unarchive: src=big.tar dest=/srv\n",
    );
    let (output, peak_kib) = lab
        .project
        .run_measuring_rss(&["play", "site.yml", "-i", "lab"]);
    println!("peak RSS for a 64 MiB tree copy and a 64 MiB unarchive on 2 hosts: {peak_kib} KiB");
    output.assert_code(0);
    for host in &lab.hosts {
        assert_eq!(
            recap(&output)[host.as_str()],
            Recap::new(2, 2, 0, 0, 0),
            "{}",
            output.all()
        );
        let root = lab.host_root(host);
        let copied = std::fs::read(root.join("opt/tree/sub/big.bin")).expect("copied");
        assert!(copied == content, "{host}: the tree's large file differs");
        assert_eq!(
            std::fs::read_to_string(root.join("opt/tree/small.txt")).expect("small"),
            "small\n"
        );
        let unpacked = std::fs::read(root.join("srv/payload.bin")).expect("unpacked");
        assert!(unpacked == content, "{host}: the unpacked file differs");
    }
    assert!(
        peak_kib < HUNDRED_MB,
        "peak RSS {peak_kib} KiB for 64 MiB files on 2 hosts"
    );
}

/// Start `site.yml` on the lab, wait until node1 is inside the task that
/// touches /opt/started, freeze node1 and return the finished run and how
/// long after the freeze it ended.
fn run_and_freeze_node1(lab: &Lab, args: &[&str]) -> (crate::support::Output, Duration) {
    let started_file = lab.host_root("node1").join("opt/started");
    let mut full = vec!["play", "site.yml", "-i", "lab"];
    full.extend_from_slice(args);
    let child = lab.project.spawn(&full);
    let waiting = Instant::now();
    while !started_file.exists() {
        assert!(
            waiting.elapsed() < Duration::from_secs(60),
            "node1 never started the task"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    lab.freeze_host("node1");
    let frozen = Instant::now();
    let output = Project::finish(child, Duration::from_secs(90));
    let took = frozen.elapsed();
    lab.thaw_host("node1");
    (output, took)
}

#[test]
fn a_frozen_host_is_unreachable_after_its_keepalives_go_unanswered() {
    let lab = Lab::up(2);
    lab.project.file(
        "site.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - command: "true"
    - shell: "touch /opt/started; sleep {{ 60 if inventory_hostname == 'node1' else 3 }}"
    - command: echo after
"#,
    );
    let (output, took) = run_and_freeze_node1(
        &lab,
        &[
            "-e",
            "ansible_ssh_extra_args='-o ServerAliveInterval=1 -o ServerAliveCountMax=2'",
        ],
    );
    println!("frozen host given up after {took:?} (ServerAliveInterval=1, ServerAliveCountMax=2)");
    output.assert_code(4);
    let recaps = recap(&output);
    assert_eq!(
        recaps["node1"],
        Recap::new(1, 1, 1, 0, 0),
        "{}",
        output.all()
    );
    assert_eq!(
        recaps["node2"],
        Recap::new(3, 3, 0, 0, 0),
        "{}",
        output.all()
    );
    assert!(
        output
            .stdout
            .contains("the host did not answer for 3 s (2 keepalives every 1 s unanswered, ServerAliveCountMax=2)"),
        "{}",
        output.all()
    );
    assert!(took < Duration::from_secs(20), "gave up after {took:?}");
}

#[test]
fn a_task_timeout_is_measured_on_the_controller_when_the_host_freezes() {
    let lab = Lab::up(2);
    lab.project.file(
        "site.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - command: "true"
    - shell: "touch /opt/started; sleep {{ 60 if inventory_hostname == 'node1' else 0 }}"
      timeout: 3
    - command: echo after
"#,
    );
    let (output, took) = run_and_freeze_node1(&lab, &[]);
    println!("frozen host failed by its task timeout after {took:?}");
    output.assert_code(2);
    let recaps = recap(&output);
    assert_eq!(
        recaps["node1"],
        Recap::new(1, 1, 0, 1, 0),
        "{}",
        output.all()
    );
    assert_eq!(
        recaps["node2"],
        Recap::new(3, 3, 0, 0, 0),
        "{}",
        output.all()
    );
    assert!(
        output.stdout.contains(
            "\"msg\": \"Task failed: Timed out after 3 second(s).\", \"timedout\": {\"frame\": \"Configure `DISPLAY_TRACEBACK` to see a traceback on timeout errors.\", \"period\": 3}}"
        ),
        "{}",
        output.all()
    );
    assert!(took < Duration::from_secs(15), "gave up after {took:?}");
}

#[test]
fn a_session_lost_between_tasks_is_reopened() {
    let lab = Lab::up(1);
    let restart =
        lab.lab_command_line("stop node1") + " && " + &lab.lab_command_line("start node1");
    lab.project.file(
        "site.yml",
        &format!(
            r#"
- hosts: node1
  gather_facts: false
  tasks:
    - command: hostname
    - name: restart the host under the open session
      shell: '{restart}'
      delegate_to: localhost
    - command: hostname
      register: again
    - assert:
        that: again.stdout == 'node1'
"#
        ),
    );
    let output = lab.run(&["play", "site.yml", "-i", "lab"]);
    output.assert_code(0);
    assert_eq!(
        recap(&output)["node1"],
        Recap::new(4, 3, 0, 0, 0),
        "{}",
        output.all()
    );
}

fn signal(child: &std::process::Child, signal: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(pid, signal) };
}

fn wait_for(path: &std::path::Path) {
    let waiting = Instant::now();
    while !path.exists() {
        assert!(
            waiting.elapsed() < Duration::from_secs(60),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_second_interrupt_stops_the_commands_on_the_hosts_and_leaves_nothing_behind() {
    let lab = Lab::up(1);
    lab.project
        .file("long.sh", "#!/bin/sh\ntouch /opt/started\nsleep 300\n")
        .file(
            "site.yml",
            r#"
- hosts: node1
  gather_facts: false
  tasks:
    - command: mkdir -p /opt/tmp
    - script: long.sh
      environment:
        TMPDIR: /opt/tmp
    - command: touch /opt/second
"#,
        );
    let staged_before = crate::transfer_interrupted::staged_stdin_files();
    let child = lab.project.spawn(&["play", "site.yml", "-i", "lab"]);
    wait_for(&lab.host_root("node1").join("opt/started"));
    assert_eq!(
        std::fs::read_dir(lab.host_root("node1").join("opt/tmp"))
            .expect("tmp")
            .count(),
        1,
        "the script's temporary copy is on the host while it runs"
    );
    signal(&child, libc::SIGINT);
    std::thread::sleep(Duration::from_millis(1500));
    signal(&child, libc::SIGINT);
    let output = Project::finish(child, Duration::from_secs(30));
    output.assert_code(99);
    assert_eq!(
        recap(&output)["node1"],
        Recap::new(1, 1, 1, 0, 0),
        "{}",
        output.all()
    );
    assert!(
        output.stderr.contains("User interrupted execution"),
        "{}",
        output.all()
    );
    let sshd_only = || lab.host_processes("node1").len() == 1;
    let waiting = Instant::now();
    while !sshd_only() && waiting.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left: Vec<String> = lab
        .host_processes("node1")
        .iter()
        .skip(1)
        .map(|pid| std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default())
        .collect();
    assert!(left.is_empty(), "processes left on the host: {left:?}");
    let temp: Vec<_> = std::fs::read_dir(lab.host_root("node1").join("opt/tmp"))
        .expect("tmp")
        .flatten()
        .map(|entry| entry.path())
        .collect();
    assert!(temp.is_empty(), "temporary files left: {temp:?}");
    crate::transfer_interrupted::assert_no_staged_stdin_left(&staged_before);
    assert!(!lab.host_root("node1").join("opt/second").exists());
}

#[test]
fn a_first_sigterm_lets_the_running_task_finish_and_starts_no_other() {
    let lab = Lab::up(1);
    lab.project.file(
        "site.yml",
        r#"
- hosts: node1
  gather_facts: false
  tasks:
    - shell: touch /opt/started; sleep 2
    - command: touch /opt/second
"#,
    );
    let child = lab.project.spawn(&["play", "site.yml", "-i", "lab"]);
    wait_for(&lab.host_root("node1").join("opt/started"));
    signal(&child, libc::SIGTERM);
    let output = Project::finish(child, Duration::from_secs(30));
    output.assert_code(99);
    assert_eq!(
        recap(&output)["node1"],
        Recap::new(1, 1, 0, 0, 0),
        "{}",
        output.all()
    );
    assert!(!lab.host_root("node1").join("opt/second").exists());
}
