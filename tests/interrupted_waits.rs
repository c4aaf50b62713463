//! The first Ctrl-C ends a wait at once — a `pause`, the `delay` between
//! `until` attempts, `wait_for_connection`'s delay — and the run then stops as after any running task:
//! the recap, and ansible-playbook's exit code for an interrupted run.

use std::time::{Duration, Instant};

use crate::support::{Project, Recap, recap};

/// Run `site.yml` on the local host `alpha`, interrupt it once its first
/// task has touched `started` and the wait has begun, and return the
/// finished run and how long it took after the interrupt.
fn interrupt_the_wait(playbook: &str) -> (Project, crate::support::Output, Duration) {
    let project = Project::local_with(playbook);
    let started = project.join("started");
    let child = project.spawn(&["play", "site.yml", "-i", "inventories/local"]);
    let waiting = Instant::now();
    while !started.exists() {
        assert!(
            waiting.elapsed() < Duration::from_secs(60),
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The wait starts a few milliseconds after the first task.
    std::thread::sleep(Duration::from_millis(1000));
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let interrupted = Instant::now();
    let output = Project::finish(child, Duration::from_secs(90));
    (project, output, interrupted.elapsed())
}

/// [`interrupt_the_wait`], then what every interrupted wait must show: exit
/// 99 within 5 s, the recap `expected` for alpha, and no later task run;
/// the run's output, for what a test checks besides.
fn assert_the_wait_ends_at_once(
    what: &str,
    playbook: &str,
    expected: Recap,
) -> crate::support::Output {
    let (project, output, took) = interrupt_the_wait(playbook);
    println!("{what} interrupted ended the run after {took:?}");
    output.assert_code(99);
    assert_eq!(recap(&output)["alpha"], expected, "{}", output.all());
    assert!(took < Duration::from_secs(5), "ended {took:?} after Ctrl-C");
    assert!(!project.join("second").exists(), "{}", output.all());
    output
}

#[test]
fn ctrl_c_ends_a_pause_at_once_with_the_recap() {
    assert_the_wait_ends_at_once(
        "a 60 s pause",
        r#"
- hosts: alpha
  gather_facts: false
  tasks:
    - command: touch started
    - pause:
        seconds: 60
    - command: touch second
"#,
        Recap::new(2, 1, 0, 0, 0),
    );
}

#[test]
fn ctrl_c_ends_the_delay_between_until_attempts() {
    assert_the_wait_ends_at_once(
        "a 60 s retry delay",
        r#"
- hosts: alpha
  gather_facts: false
  tasks:
    - command: touch started
    - command: "false"
      register: attempt
      until: attempt.rc == 0
      retries: 3
      delay: 60
    - command: touch second
"#,
        Recap::new(1, 1, 0, 1, 0),
    );
}

#[test]
fn ctrl_c_ends_the_delay_of_wait_for_connection() {
    let output = assert_the_wait_ends_at_once(
        "a 60 s wait_for_connection delay",
        r#"
- hosts: alpha
  gather_facts: false
  tasks:
    - command: touch started
    - wait_for_connection:
        delay: 60
    - command: touch second
"#,
        Recap::new(1, 1, 0, 1, 0),
    );
    assert!(
        output
            .stdout
            .contains("\"msg\": \"interrupted while waiting for the connection\""),
        "{}",
        output.all()
    );
}
