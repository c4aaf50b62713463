//! `async:` jobs on lab hosts: a job outlives the run that started it and
//! its SSH session, is killed with its whole process group at its limit,
//! and `async_status` reads it back in a later run.

use insta::assert_snapshot;

use crate::support::{Lab, Output, snapshot_settings, transcript};

fn play(lab: &Lab, name: &str, playbook: &str) -> Output {
    lab.project.file(name, playbook);
    lab.run(&["play", name, "-i", "lab", "--forks", "1"])
}

fn snapshot(lab: &Lab, name: &str, output: &Output) {
    let mut settings = snapshot_settings(lab.project.path(), Some(&lab.name));
    settings.add_filter(r"j[0-9]{12}\.[0-9]+", "[JID]");
    settings.add_filter(r#""child_pid": [0-9]+"#, r#""child_pid": [PID]"#);
    settings.bind(|| assert_snapshot!(name, transcript(output)));
}

/// Wait up to `seconds` for `what` to hold.
fn eventually(seconds: u64, what: impl Fn() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while std::time::Instant::now() < deadline {
        if what() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    what()
}

/// Processes on the machine whose command line contains `needle`.
fn processes_running(needle: &str) -> usize {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .filter(|cmdline| {
            String::from_utf8_lossy(cmdline)
                .replace('\0', " ")
                .contains(needle)
        })
        .count()
}

const START: &str = r#"
- hosts: lab
  gather_facts: false
  vars:
    ansible_async_dir: /var/lib/jobs
  tasks:
    - name: a job that ends after the run
      shell: sleep 3; echo late > /opt/late
      async: 30
      poll: 0
      register: late
    - name: a job past its limit, with a child of its own
      shell: "sh -c 'sleep 417; echo never > /opt/never' & wait"
      async: 2
      poll: 0
      register: slow
    - name: the job ids, for the next run
      copy:
        dest: /opt/jobs.yml
        content: "late: {{ late.ansible_job_id }}\nslow: {{ slow.ansible_job_id }}\n"
"#;

const STATUS: &str = r#"
- hosts: lab
  gather_facts: false
  vars:
    ansible_async_dir: /var/lib/jobs
  vars_files:
    - jobs.yml
  tasks:
    - name: the job that ended
      async_status:
        jid: "{{ late }}"
      register: late_status
    - debug: var=late_status
    - name: the job that was killed
      async_status:
        jid: "{{ slow }}"
      register: slow_status
      ignore_errors: true
    - name: what they said
      assert:
        quiet: true
        that:
          - late_status.finished and late_status.rc == 0 and late_status is changed
          - slow_status.finished and slow_status is failed
          - slow_status.msg == 'Timeout exceeded'
    - name: an unknown job
      async_status:
        jid: j1.1
"#;

#[test]
fn a_job_outlives_its_run_is_killed_at_its_limit_and_is_read_back_later() {
    let lab = Lab::up(1);
    let started = play(&lab, "start.yml", START);
    started.assert_code(0);
    let root = lab.host_root("node1");
    assert!(
        !root.join("opt/late").exists(),
        "the run did not wait for the job\n{}",
        started.all()
    );
    assert!(
        eventually(10, || root.join("opt/late").exists()),
        "the job finished after its run ended and its SSH session closed"
    );
    assert!(
        eventually(10, || processes_running("sleep 417") == 0),
        "the job's whole process group was killed at its limit"
    );
    assert!(!root.join("opt/never").exists());
    let jobs = std::fs::read_to_string(root.join("opt/jobs.yml")).expect("the job ids");
    lab.project.file("jobs.yml", &jobs);
    // The killed job's file is written a second after the kill, as Ansible's.
    let job_file = |name: &str| {
        let jid = jobs
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .expect("the job's id");
        root.join("var/lib/jobs").join(jid)
    };
    let says = |name: &str, what: &str| {
        std::fs::read_to_string(job_file(name)).is_ok_and(|text| text.contains(what))
    };
    assert!(eventually(5, || says("slow: ", "Timeout exceeded")));
    assert!(eventually(5, || says("late: ", "\"rc\": 0")));
    let status = play(&lab, "status.yml", STATUS);
    snapshot(&lab, "async_status_in_a_later_run", &status);
}

#[test]
fn a_polled_job_reports_each_poll_then_its_result() {
    let lab = Lab::up(2);
    let output = play(
        &lab,
        "polled.yml",
        r#"
- hosts: lab
  gather_facts: false
  vars:
    ansible_async_dir: /var/lib/jobs
  tasks:
    - name: a job that runs longer on node2
      shell: "sleep {{ 0 if inventory_hostname == 'node1' else 3 }}; echo done"
      async: 20
      poll: 2
    - name: a module from the controller
      stat:
        path: /opt
      async: 20
      poll: 5
    - name: fire and forget a module that cannot leave the controller
      stat:
        path: /opt
      async: 20
      poll: 0
      register: forgotten
    - name: its result waits in a job file
      async_status:
        jid: "{{ forgotten.ansible_job_id }}"
      register: found
      failed_when: not found.stat.isdir
"#,
    );
    snapshot(&lab, "async_polled_job", &output);
}
