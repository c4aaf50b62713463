//! Copying trees on and between hosts: `copy` with `remote_src` and a
//! directory, and `synchronize` with the real rsync, on lab hosts and
//! against ansible-playbook.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{Lab, Output, ansible_playbook, ansible_playbook_with, recap};

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

fn write(path: &Path, content: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("parent");
    }
    std::fs::write(path, content).expect("write");
}

#[test]
fn synchronize_pushes_pulls_and_delegates_with_the_real_rsync() {
    let lab = Lab::up(2);
    write(&lab.project.join("files/site/index.html"), "hello\n");
    write(&lab.project.join("files/site/css/app.css"), "body{}\n");
    write(&lab.project.join("files/site/cache/tmp.bin"), "skip me\n");
    write(&lab.host_root("node1").join("srv/site/stale.html"), "old\n");
    write(
        &lab.host_root("node2").join("srv/data/report.txt"),
        "from node2\n",
    );
    write(
        &lab.host_root("node1").join("srv/logs/app.log"),
        "log line\n",
    );
    lab.project.file(
        "sync.yml",
        r#"
- hosts: node1
  gather_facts: false
  tasks:
    - name: push the site, deleting what it lacks, skipping the cache
      ansible.posix.synchronize:
        src: site/
        dest: /srv/site
        delete: true
        rsync_opts: ["--exclude=cache"]
      register: pushed
    - name: pull the logs
      synchronize: src=/srv/logs/ dest={{ playbook_dir }}/pulled mode=pull
    - name: from node2 to node1
      synchronize: {src: /srv/data/, dest: /srv/copy}
      delegate_to: node2
    - assert:
        that:
          - pushed.cmd is search('--delete-after')
          - pushed.cmd is search('--rsh=')
          - pushed.rc == 0
          - pushed is not changed or pushed.stdout_lines | select('search', 'index.html') | list | length == 1
"#,
    );
    let before = lab.snapshot("node1");
    let checked = lab.run(&["play", "sync.yml", "-i", "lab", "--check", "--diff"]);
    checked.assert_code(0);
    assert_eq!(recap(&checked)["node1"].changed, 3, "{}", checked.all());
    assert!(
        checked.stdout.contains("index.html"),
        "--diff shows rsync's itemized list\n{}",
        checked.all()
    );
    assert_eq!(
        before,
        lab.snapshot("node1"),
        "--check changed the host\n{}",
        checked.all()
    );
    assert!(
        !lab.project.join("pulled").exists(),
        "--check pulled nothing"
    );
    let first = lab.run(&["play", "sync.yml", "-i", "lab"]);
    first.assert_code(0);
    assert_eq!(recap(&first)["node1"].changed, 3, "{}", first.all());
    let second = lab.run(&["play", "sync.yml", "-i", "lab"]);
    second.assert_code(0);
    assert_eq!(recap(&second)["node1"].changed, 0, "{}", second.all());
    let node1 = lab.host_root("node1");
    let read = |path: PathBuf| {
        std::fs::read_to_string(&path).unwrap_or_else(|_| format!("<missing {}>", path.display()))
    };
    assert_eq!(read(node1.join("srv/site/index.html")), "hello\n");
    assert_eq!(read(node1.join("srv/site/css/app.css")), "body{}\n");
    assert!(
        !node1.join("srv/site/stale.html").exists(),
        "delete removed what the source lacks"
    );
    assert!(
        !node1.join("srv/site/cache").exists(),
        "rsync_opts excluded the cache"
    );
    assert_eq!(read(lab.project.join("pulled/app.log")), "log line\n");
    assert_eq!(read(node1.join("srv/copy/report.txt")), "from node2\n");
}

#[test]
fn synchronize_pushes_and_delegates_as_ansible_does() {
    let playbook = fixture("synchronize.yml");
    let ours = Lab::up(2);
    let theirs = Lab::up(2);
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
        let without_times = |lab: &Lab| -> BTreeMap<String, String> { srv_tree(lab, "node1") };
        assert_eq!(
            without_times(&ours),
            without_times(&theirs),
            "{run} run\n{both}"
        );
    }
}

/// An inventory of node2 alone, reached through node1 as a jump host
/// (`ProxyJump` in an ssh config given with `-F`, as a team's bastion is).
pub(crate) fn behind_a_jump_host(lab: &Lab) -> String {
    let inventory =
        std::fs::read_to_string(lab.project.join("inventories/lab")).expect("inventory");
    let value = |prefix: &str| {
        inventory
            .split_whitespace()
            .find_map(|word| word.strip_prefix(prefix))
            .map(|v| v.trim_matches('\'').to_string())
            .unwrap_or_else(|| panic!("{prefix} in the lab inventory:\n{inventory}"))
    };
    let address = |host: &str| {
        inventory
            .lines()
            .find(|line| line.starts_with(&format!("{host} ")))
            .and_then(|line| {
                line.split_whitespace()
                    .find_map(|w| w.strip_prefix("ansible_host="))
            })
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{host} in the lab inventory:\n{inventory}"))
    };
    let key = value("ansible_ssh_private_key_file=");
    let known_hosts = value("UserKnownHostsFile=");
    let config = lab.project.join("jump.cfg");
    std::fs::write(
        &config,
        format!(
            "Host bastion\n  HostName {}\n  User root\n  IdentityFile {key}\n  UserKnownHostsFile {known_hosts}\n  StrictHostKeyChecking yes\n\
             Host {}\n  ProxyJump bastion\n  UserKnownHostsFile {known_hosts}\n  StrictHostKeyChecking yes\n",
            address("node1"),
            address("node2")
        ),
    )
    .expect("jump.cfg");
    let path = lab.project.join("behind.ini");
    std::fs::write(
        &path,
        format!(
            "[behind]\nnode2 ansible_host={} ansible_user=root ansible_ssh_private_key_file={key} ansible_ssh_common_args='-F {}'\n",
            address("node2"),
            config.display()
        ),
    )
    .expect("behind.ini");
    path.display().to_string()
}

/// Logins node1's sshd accepted: each session through the jump host is one.
fn bastion_logins(lab: &Lab) -> usize {
    std::fs::read_to_string(lab.state_dir().join("sshd/node1/sshd.log"))
        .unwrap_or_default()
        .lines()
        .filter(|line| line.starts_with("Accepted publickey"))
        .count()
}

#[test]
fn commands_and_synchronize_reach_a_host_behind_a_jump_host_as_in_ansible() {
    let playbook = fixture("behind-jump.yml");
    let ours = Lab::up(2);
    let theirs = Lab::up(2);
    let (our_inventory, their_inventory) = (behind_a_jump_host(&ours), behind_a_jump_host(&theirs));
    let logins_before = bastion_logins(&ours);
    let runbook = ours.run(&[
        "play",
        playbook.to_str().expect("utf8"),
        "-i",
        &our_inventory,
    ]);
    let ansible = ansible_playbook_with(
        &theirs,
        &[playbook.to_str().expect("utf8"), "-i", &their_inventory],
    );
    let both = format!(
        "--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(runbook.code, 0, "{both}");
    assert_eq!(runbook.code, ansible.code, "exit codes differ\n{both}");
    assert_eq!(recap(&runbook), recap(&ansible), "recaps differ\n{both}");
    assert_eq!(
        srv_tree(&ours, "node2"),
        srv_tree(&theirs, "node2"),
        "{both}"
    );
    assert_eq!(
        std::fs::read_to_string(ours.host_root("node2").join("srv/hostname.txt"))
            .unwrap_or_default(),
        "node2\n"
    );
    assert!(
        !srv_tree(&ours, "node2").is_empty(),
        "the site arrived on node2\n{both}"
    );
    assert!(
        bastion_logins(&ours) > logins_before,
        "the sessions went through node1\n{both}"
    );
    // Without the jump host, node2 cannot be reached that way.
    ours.stop_host("node1");
    let cut_off = ours.run(&[
        "play",
        playbook.to_str().expect("utf8"),
        "-i",
        &our_inventory,
    ]);
    assert_eq!(cut_off.code, 4, "{}", cut_off.all());
    assert_eq!(recap(&cut_off)["node2"].unreachable, 1, "{}", cut_off.all());
}
