//! Copying trees on and between hosts: `copy` with `remote_src` and a
//! directory, and `synchronize` with the real rsync, on lab hosts and
//! against ansible-playbook.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{Lab, Output, ansible_playbook, recap};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sysmods")
        .join(name)
}

fn play(lab: &Lab, playbook: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["play", playbook.to_str().expect("utf8"), "-i", "lab"];
    args.extend_from_slice(extra);
    lab.run(&args)
}

/// Every path below `/srv` on `host`: mode, owner, content or link target.
fn srv_tree(lab: &Lab, host: &str) -> BTreeMap<String, String> {
    lab.snapshot(host)
        .into_iter()
        .filter(|(path, _)| path.starts_with("srv/"))
        .collect()
}

#[test]
fn copy_of_a_host_directory_places_trees_as_ansible_does() {
    let playbook = fixture("copy_remote_dir.yml");
    let ours = Lab::up(1);
    let theirs = Lab::up(1);
    for run in ["first", "second"] {
        let runbook = play(&ours, &playbook, &[]);
        let ansible = ansible_playbook(&theirs, &playbook, &[]);
        let both = format!(
            "--- runbook ({run} run)\n{}\n--- ansible\n{}",
            runbook.all(),
            ansible.all()
        );
        assert_eq!(runbook.code, ansible.code, "exit codes differ\n{both}");
        assert_eq!(runbook.code, 0, "the fixture runs cleanly\n{both}");
        assert_eq!(recap(&runbook), recap(&ansible), "recaps differ\n{both}");
        let results = |lab: &Lab| {
            std::fs::read_to_string(lab.host_root("node1").join("srv/out/copy_results.txt"))
                .unwrap_or_default()
        };
        assert_eq!(results(&ours), results(&theirs), "{run} run: result keys");
        assert_eq!(
            srv_tree(&ours, "node1"),
            srv_tree(&theirs, "node1"),
            "{run} run\n{both}"
        );
    }
}

#[test]
fn copy_of_a_host_directory_changes_once_and_check_mode_only_reads() {
    let playbook = fixture("copy_remote_dir.yml");
    let lab = Lab::up(1);
    play(&lab, &playbook, &["--tags", "prepare"]).assert_code(0);
    let before = lab.snapshot("node1");
    let checked = play(&lab, &playbook, &["--check", "--diff"]);
    checked.assert_code(0);
    assert_eq!(recap(&checked)["node1"].changed, 6, "{}", checked.all());
    assert_eq!(
        before,
        lab.snapshot("node1"),
        "--check changed the host\n{}",
        checked.all()
    );
    let first = play(&lab, &playbook, &[]);
    first.assert_code(0);
    assert_eq!(recap(&first)["node1"].changed, 6, "{}", first.all());
    let second = play(&lab, &playbook, &[]);
    second.assert_code(0);
    assert_eq!(recap(&second)["node1"].changed, 0, "{}", second.all());
    let tree = srv_tree(&lab, "node1");
    let entry = |path: &str| {
        tree.get(path)
            .cloned()
            .unwrap_or_else(|| "<missing>".into())
    };
    assert!(
        entry("srv/existing/a.txt").starts_with("100640 0:0"),
        "{tree:#?}"
    );
    assert!(
        entry("srv/existing/sub/b.txt").starts_with("100666"),
        "same content, mode kept: {tree:#?}"
    );
    assert!(entry("srv/existing/link").ends_with(" a.txt"), "{tree:#?}");
    assert!(
        entry("srv/existing/extra.txt").starts_with("100644"),
        "nothing is removed: {tree:#?}"
    );
    assert!(
        entry("srv/existing/src/sub/deep/c.txt").starts_with("100600"),
        "{tree:#?}"
    );
    assert!(entry("srv/new1").starts_with("40700"), "{tree:#?}");
    assert!(entry("srv/new1/sub").starts_with("40750"), "{tree:#?}");
    assert!(entry("srv/new2/src/link").ends_with(" a.txt"), "{tree:#?}");
    assert!(entry("srv/made").starts_with("40700"), "{tree:#?}");
    assert!(
        entry("srv/made/src/a.txt").starts_with("100640"),
        "{tree:#?}"
    );
    assert!(
        entry("srv/owned/sub/deep/c.txt").starts_with("100600 65534:65534"),
        "{tree:#?}"
    );
    let results = std::fs::read_to_string(lab.host_root("node1").join("srv/out/copy_results.txt"))
        .expect("results written");
    assert!(
        results.starts_with("/srv/existing/ /srv/src/ 0755 root root directory True True\n"),
        "{results}"
    );
}
