//! `ansible_connection=local` commands obey the same bounds as commands on
//! SSH hosts: output kept within `runbook_output_limit`, and a task's
//! `timeout:` measured by the controller.

use std::time::{Duration, Instant};

use crate::support::{Project, Recap, recap};

const HUNDRED_MB: u64 = 100 * 1024;

#[test]
fn a_local_command_printing_hundreds_of_megabytes_is_kept_within_the_limit() {
    let project = Project::local_with(
        r#"
- hosts: alpha
  gather_facts: false
  tasks:
    - shell: yes | head -c 300000000; echo the end
      register: big
    - debug:
        msg: "{{ big.stdout | length }} {{ big.stdout_lines | length }} {{ big.stdout_truncated_bytes }} {{ big.stdout_lines[2097152] }} {{ big.stdout_lines[-1] }}"
"#,
    );
    let (output, peak_kib) =
        project.run_measuring_rss(&["play", "site.yml", "-i", "inventories/local"]);
    output.assert_code(0);
    println!("peak RSS for 300 MB of local output: {peak_kib} KiB");
    // The same result as on an SSH host (host_limits).
    let dropped = 300_000_000 + 8 - 8 * 1024 * 1024;
    let note = format!(
        "[runbook: {dropped} bytes of stdout left out here; at most 8388608 bytes of each stream are kept (runbook_output_limit)]"
    );
    let (head_lines, tail_lines) = (2 * 1024 * 1024, (4 * 1024 * 1024 - 8) / 2 + 1);
    let expected = format!(
        "\"msg\": \"{} {} {dropped} {note} the end\"",
        8 * 1024 * 1024 + note.len(),
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
fn a_local_task_past_its_timeout_fails_as_on_ssh_hosts() {
    // beta's command leaves the process group the host-side `timeout`
    // kills, holding the output pipe: only the controller's deadline ends it.
    let project = Project::local_with(
        r#"
- hosts: web
  gather_facts: false
  tasks:
    - shell: "{{ 'sleep 60' if inventory_hostname == 'alpha' else 'setsid sleep 60' }}"
      timeout: 2
    - command: echo after
"#,
    );
    let started = Instant::now();
    let output = project.run(&["play", "site.yml", "-i", "inventories/local"]);
    let took = started.elapsed();
    println!("local tasks past a 2 s timeout ended after {took:?}");
    output.assert_code(2);
    let recaps = recap(&output);
    for host in ["alpha", "beta"] {
        assert_eq!(recaps[host], Recap::new(0, 0, 0, 1, 0), "{}", output.all());
        let line = format!(
            "fatal: [{host}]: FAILED! => {{\"changed\": false, \"msg\": \"Task failed: Timed out after 2 second(s).\", \"timedout\": {{\"frame\": \"Configure `DISPLAY_TRACEBACK` to see a traceback on timeout errors.\", \"period\": 2}}}}"
        );
        assert!(output.stdout.contains(&line), "{line}\n{}", output.all());
    }
    assert!(took < Duration::from_secs(10), "took {took:?}");
}
