//! `copy`, `template` and `file` on a lab over SSH: changed then ok,
//! `--check` leaves hosts untouched, `--diff` shows content and state,
//! bad arguments fail before connecting, and the same playbook gives the
//! same recap and the same files as ansible-playbook.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::support::{Lab, Project, Recap, ansible_playbook, recap};

/// Tasks in `tests/fixtures/files/site.yml`.
const TASKS: u32 = 9;

fn site() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/files/site.yml")
}

fn site_arg() -> String {
    site().to_str().expect("utf8 path").to_string()
}

fn mode_of(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

#[test]
fn files_are_placed_then_left_alone() {
    let lab = Lab::up(1);
    let first = lab.run(&["play", &site_arg(), "-i", "lab"]);
    first.assert_code(0);
    // The marker is touched with fixed times: only its creation changes it.
    assert_eq!(
        recap(&first)["node1"],
        Recap::new(TASKS, TASKS - 1, 0, 0, 0),
        "{}",
        first.all()
    );
    let opt = lab.host_root("node1").join("opt/app");
    let conf = std::fs::read_to_string(opt.join("conf/app.conf")).expect("rendered");
    assert_eq!(
        conf,
        "# Ansible managed\n[server]\nhost = node1\nport = 8080\nworker = alpha\nworker = beta\nunprivileged = true\n"
    );
    assert_eq!(mode_of(&opt.join("conf/app.conf")), 0o600);
    assert_eq!(mode_of(&opt.join("conf")), 0o750);
    assert_eq!(
        std::fs::read_to_string(opt.join("conf/port.conf")).expect("copied"),
        "port=8080\n"
    );
    assert_eq!(mode_of(&opt.join("conf/port.conf")), 0o640);
    assert!(
        opt.join("conf/motd.txt").is_file(),
        "copied into the directory"
    );
    assert_eq!(
        std::fs::read_to_string(opt.join("site/css/main.css")).expect("tree copied"),
        "body { margin: 0 }\n"
    );
    assert_eq!(
        std::fs::read_link(opt.join("current.conf")).expect("a link"),
        Path::new("/opt/app/conf/app.conf")
    );
    let marker = std::fs::metadata(opt.join("marker")).expect("touched");
    assert_eq!((marker.len(), mode_of(&opt.join("marker"))), (0, 0o640));

    let second = lab.run(&["play", &site_arg(), "-i", "lab"]);
    second.assert_code(0);
    assert_eq!(
        recap(&second)["node1"],
        Recap::new(TASKS, 0, 0, 0, 0),
        "a second run changes nothing\n{}",
        second.all()
    );
    assert_eq!(
        marker.mtime(),
        std::fs::metadata(opt.join("marker")).expect("kept").mtime()
    );
}

#[test]
fn check_mode_reports_changes_and_touches_nothing() {
    let lab = Lab::up(1);
    // Only what later tasks need to find: in check mode the directory task
    // creates nothing (Ansible fails the same way without it).
    let conf = lab.host_root("node1").join("opt/app/conf");
    std::fs::create_dir_all(&conf).expect("mkdir");
    std::fs::write(conf.join("app.conf"), "old\n").expect("write");
    let before = lab.snapshot("node1");
    let output = lab.run(&["play", &site_arg(), "-i", "lab", "--check"]);
    output.assert_code(0);
    assert_eq!(lab.snapshot("node1"), before, "{}", output.all());
    assert_eq!(
        recap(&output)["node1"],
        Recap::new(TASKS, TASKS - 1, 0, 0, 0),
        "everything but the absent file would change\n{}",
        output.all()
    );
}

#[test]
fn diff_shows_content_and_state_changes() {
    let lab = Lab::up(1);
    lab.run(&["play", &site_arg(), "-i", "lab"]).assert_code(0);
    let conf = lab.host_root("node1").join("opt/app/conf/port.conf");
    std::fs::write(&conf, "port=80\n").expect("drift");
    std::fs::remove_file(lab.host_root("node1").join("opt/app/current.conf")).expect("drift");
    let output = lab.run(&["play", &site_arg(), "-i", "lab", "--diff", "--check"]);
    output.assert_code(0);
    assert!(output.stdout.contains("-port=80"), "{}", output.all());
    assert!(output.stdout.contains("+port=8080"), "{}", output.all());
    assert!(output.stdout.contains("state: absent"), "{}", output.all());
    assert!(output.stdout.contains("state: link"), "{}", output.all());
    assert_eq!(std::fs::read_to_string(&conf).expect("kept"), "port=80\n");
}

#[test]
fn bad_arguments_fail_before_connecting() {
    let project = Project::new();
    for (module, args, expected) in [
        ("copy", "{content: x, dset: /tmp/x}", "dest"),
        (
            "template",
            "{src: a.j2, dest: /tmp/x, trim_block: false}",
            "trim_blocks",
        ),
        ("file", "{path: /tmp/x, stat: directory}", "state"),
    ] {
        project.file(
            "bad.yml",
            &format!(
                "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - {module}: {args}\n"
            ),
        );
        let output = project.run(&["play", "bad.yml", "--syntax-check"]);
        output.assert_code(4);
        assert!(output.all().contains("bad.yml:4:"), "{}", output.all());
        assert!(output.all().contains(expected), "{}", output.all());
    }
}

#[test]
fn failures_name_the_problem() {
    let lab = Lab::up(1);
    lab.project.file(
        "fail.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - copy: {content: x, dest: /opt/nowhere/x}\n      ignore_errors: true\n    - file: {path: /opt/missing, state: file}\n",
    );
    let output = lab.run(&["play", "fail.yml", "-i", "lab"]);
    assert!(
        output
            .all()
            .contains("Destination directory /opt/nowhere does not exist"),
        "{}",
        output.all()
    );
    assert!(
        output.all().contains("is absent, cannot continue"),
        "{}",
        output.all()
    );
}

/// Every file below the host's `/opt/app`: content (or link target) and mode.
fn tree(root: &Path) -> Vec<(String, String, u32)> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable").flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).expect("stat");
            let relative = path
                .strip_prefix(root)
                .expect("below")
                .display()
                .to_string();
            let content = if meta.is_symlink() {
                format!("-> {}", std::fs::read_link(&path).expect("link").display())
            } else if meta.is_dir() {
                pending.push(path.clone());
                "dir".to_string()
            } else {
                std::fs::read_to_string(&path).unwrap_or_else(|_| "<binary>".into())
            };
            let mode = if meta.is_symlink() {
                0
            } else {
                meta.mode() & 0o7777
            };
            found.push((relative, content, mode));
        }
    }
    found.sort();
    found
}

#[test]
fn same_recap_and_files_as_ansible() {
    let ours = Lab::up(2);
    let theirs = Lab::up(2);
    for round in ["first", "second"] {
        let runbook = ours.run(&["play", &site_arg(), "-i", "lab"]);
        let ansible = ansible_playbook(&theirs, &site(), &[]);
        assert_eq!(
            recap(&runbook),
            recap(&ansible),
            "{round} run: recaps differ\n--- runbook\n{}\n--- ansible\n{}",
            runbook.all(),
            ansible.all()
        );
    }
    for host in &ours.hosts {
        let app = |lab: &Lab| lab.host_root(host).join("opt/app");
        let (mine, ansibles) = (tree(&app(&ours)), tree(&app(&theirs)));
        // Ansible's template_host is the controller's name in both runs.
        assert_eq!(mine, ansibles, "files on {host} differ");
    }
}

#[test]
fn edge_cases_match_ansible() {
    let playbook = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/files/edges.yml");
    let ours = Lab::up(1);
    let theirs = Lab::up(1);
    for round in ["first", "second"] {
        let runbook = ours.run(&["play", playbook.to_str().expect("utf8"), "-i", "lab"]);
        let ansible = ansible_playbook(&theirs, &playbook, &[]);
        assert_eq!(
            recap(&runbook),
            recap(&ansible),
            "{round} run: recaps differ\n--- runbook\n{}\n--- ansible\n{}",
            runbook.all(),
            ansible.all()
        );
    }
    let edge = |lab: &Lab| tree(&lab.host_root("node1").join("opt/edge"));
    assert_eq!(edge(&ours), edge(&theirs));
}

/// `assemble` under `--check --diff`: the controller's fragments show as a
/// diff (the host's, as in Ansible, do not) and nothing is written; then
/// one run writes both files and a second changes nothing.
#[test]
fn assemble_checks_diffs_then_stays_put() {
    let lab = Lab::up(1);
    lab.project.file("files/parts/a", "alpha\n");
    lab.project.file("files/parts/b", "beta\n");
    lab.project.file(
        "assemble.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - file: {path: /opt/frag, state: directory}\n      check_mode: false\n    - copy: {dest: /opt/frag/x, content: \"host fragment\\n\"}\n      check_mode: false\n    - assemble: {src: parts, remote_src: false, dest: /opt/local.conf}\n    - assemble: {src: /opt/frag, dest: /opt/remote.conf}\n",
    );
    let root = lab.host_root("node1");
    let checked = lab.run(&["play", "assemble.yml", "-i", "lab", "--check", "--diff"]);
    checked.assert_code(0);
    assert_eq!(recap(&checked)["node1"].changed, 4, "{}", checked.all());
    assert!(
        checked.stdout.contains("+alpha\n+beta"),
        "{}",
        checked.all()
    );
    assert!(
        checked.stdout.contains("--- before: /opt/local.conf"),
        "{}",
        checked.all()
    );
    assert!(
        !checked.stdout.contains("/opt/remote.conf"),
        "{}",
        checked.all()
    );
    assert!(!root.join("opt/local.conf").exists());
    assert!(!root.join("opt/remote.conf").exists());
    let first = lab.run(&["play", "assemble.yml", "-i", "lab"]);
    assert_eq!(recap(&first)["node1"].changed, 2, "{}", first.all());
    let read = |path: &str| std::fs::read_to_string(root.join(path)).expect("assembled");
    assert_eq!(read("opt/local.conf"), "alpha\nbeta\n");
    assert_eq!(read("opt/remote.conf"), "host fragment\n");
    let second = lab.run(&["play", "assemble.yml", "-i", "lab"]);
    assert_eq!(recap(&second)["node1"].changed, 0, "{}", second.all());
}
