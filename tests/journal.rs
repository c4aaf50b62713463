//! The run journal: `runbook runs`, `runs show`, `play --retry`.

use crate::support::{Lab, recap};

const PLAYBOOK: &str = "\
- hosts: all
  gather_facts: false
  tasks:
    - name: greet
      command: echo hello {{ secret | length }}
    - name: node2 fails
      command: /bin/false
      when: inventory_hostname == 'node2'
";

#[test]
fn a_run_is_journaled_replayed_and_retried_on_its_failed_hosts() {
    let lab = Lab::up(3);
    lab.project.file("site.yml", PLAYBOOK);
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@t", "-C"])
            .arg(lab.project.path())
            .args(args)
            .output()
            .expect("git");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        String::from_utf8_lossy(&status.stdout).trim().to_string()
    };
    git(&["init", "-q"]);
    git(&["add", "site.yml"]);
    git(&["commit", "-qm", "site"]);
    let commit = git(&["rev-parse", "HEAD"]);

    let first = lab.run(&["play", "site.yml", "-i", "lab", "-e", "secret=hunter2"]);
    first.assert_code(2);

    let listed = lab.run(&["runs"]);
    listed.assert_code(0);
    let line = listed.stdout.trim_end();
    let fields: Vec<&str> = line.split('\t').collect();
    assert_eq!(fields.len(), 7, "{line}");
    assert_eq!(
        &fields[3..6],
        ["exit 2", "1/3 hosts failed", "site.yml"],
        "{line}"
    );
    assert_eq!(fields[6], format!("{}+dirty", &commit[..12]), "{line}");

    let journal_dir = lab.project.join(".state/runbook/runs");
    let journal = std::fs::read_dir(&journal_dir)
        .expect("journal dir")
        .map(|entry| std::fs::read_to_string(entry.expect("entry").path()).expect("read"))
        .collect::<String>();
    assert!(journal.contains("\"extra_vars\":[\"secret\"]"), "{journal}");
    assert!(
        !journal.contains("hunter2"),
        "extra variable values stay out of the journal"
    );

    let replay = lab.run(&["runs", "show", "last"]);
    replay.assert_code(0);
    let (notice, shown) = replay.stdout.split_once('\n').expect("a notice line");
    assert!(
        notice.starts_with(&format!(
            "run {}: runbook play site.yml -i lab -e secret=…, by ",
            fields[0]
        )),
        "{notice}"
    );
    assert!(
        notice.ends_with(&format!(", commit {commit} with uncommitted changes")),
        "{notice}"
    );
    assert_eq!(shown, first.stdout, "the replay shows what the run showed");

    let retried = lab.run(&[
        "play",
        "site.yml",
        "-i",
        "lab",
        "-e",
        "secret=x",
        "--retry",
        &fields[0][..8],
    ]);
    retried.assert_code(2);
    assert_eq!(
        recap(&retried).keys().collect::<Vec<_>>(),
        ["node2"],
        "{}",
        retried.all()
    );
}

#[test]
fn retrying_a_run_without_failures_is_refused() {
    let lab = Lab::up(1);
    lab.project.file(
        "site.yml",
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n",
    );
    lab.run(&["play", "site.yml", "-i", "lab"]).assert_code(0);
    let retried = lab.run(&["play", "site.yml", "-i", "lab", "--retry", "last"]);
    retried.assert_code(5);
    assert!(
        retried
            .stderr
            .contains("had no failed or unreachable hosts: nothing to retry"),
        "{}",
        retried.all()
    );
    let none = lab.run(&["play", "site.yml", "-i", "lab", "--no-journal"]);
    none.assert_code(0);
    assert_eq!(
        lab.run(&["runs"]).stdout.lines().count(),
        1,
        "a refused retry and --no-journal keep none"
    );
}
