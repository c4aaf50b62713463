//! `find`, `tempfile` and `ini_file` on lab hosts with the hosts' real
//! tools (GNU find, mktemp, stat), and against ansible-playbook.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{Lab, Output, ansible_playbook, recap};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sysfiles")
        .join(name)
}

fn play(lab: &Lab, playbook: &str, extra: &[&str]) -> Output {
    let mut args = vec!["play", playbook, "-i", "lab"];
    args.extend_from_slice(extra);
    lab.run(&args)
}

fn read(lab: &Lab, host: &str, path: &str) -> String {
    std::fs::read_to_string(lab.host_root(host).join(path)).unwrap_or_else(|_| "<missing>".into())
}

fn outputs(lab: &Lab) -> BTreeMap<String, String> {
    [
        "srv/out/find.txt",
        "srv/out/tempfile.txt",
        "srv/out/ini.txt",
        "srv/app/app.ini",
    ]
    .iter()
    .map(|path| (path.to_string(), read(lab, "node1", path)))
    .collect()
}

#[test]
fn find_tempfile_and_ini_file_match_ansible() {
    let playbook = fixture("sysfiles.yml");
    let path = playbook.to_str().expect("utf8");
    let ours = Lab::up(1);
    let theirs = Lab::up(1);
    for run in ["first", "second"] {
        let runbook = ours.run(&["play", path, "-i", "lab"]);
        let ansible = ansible_playbook(&theirs, &playbook, &[]);
        let both = format!(
            "--- runbook ({run} run)\n{}\n--- ansible\n{}",
            runbook.all(),
            ansible.all()
        );
        assert_eq!(runbook.code, ansible.code, "exit codes differ\n{both}");
        assert_eq!(recap(&runbook), recap(&ansible), "recaps differ\n{both}");
        assert_eq!(runbook.code, 0, "the fixture runs cleanly\n{both}");
        assert_eq!(outputs(&ours), outputs(&theirs), "{run} run\n{both}");
    }
}

/// `--check --diff` reports `changed` tasks, shows `needles` and leaves the
/// host as it was; then the first run changes them and the second nothing.
fn check_apply_idempotent(lab: &Lab, playbook: &str, changed: u32, needles: &[&str]) {
    let before = lab.snapshot("node1");
    let checked = play(lab, playbook, &["--check", "--diff"]);
    checked.assert_code(0);
    assert_eq!(
        recap(&checked)["node1"].changed,
        changed,
        "{}",
        checked.all()
    );
    for needle in needles {
        assert!(
            checked.stdout.contains(needle),
            "--diff shows {needle:?}\n{}",
            checked.all()
        );
    }
    assert_eq!(
        before,
        lab.snapshot("node1"),
        "--check changed the host\n{}",
        checked.all()
    );
    let first = play(lab, playbook, &[]);
    first.assert_code(0);
    assert_eq!(recap(&first)["node1"].changed, changed, "{}", first.all());
    let second = play(lab, playbook, &[]);
    second.assert_code(0);
    assert_eq!(recap(&second)["node1"].changed, 0, "{}", second.all());
}

#[test]
fn ini_file_changes_once_and_check_mode_only_reads() {
    let lab = Lab::up(1);
    std::fs::create_dir_all(lab.host_root("node1").join("srv/app")).expect("srv/app");
    std::fs::write(
        lab.host_root("node1").join("srv/app/my.cnf"),
        "[mysqld]\nport = 3306\n# bind-address = 127.0.0.1\n\n[client]\nuser=root\n",
    )
    .expect("my.cnf");
    lab.project.file(
        "ini.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - community.general.ini_file: path=/srv/app/my.cnf section=mysqld option=port value=3307
    - ini_file:
        path: /srv/app/my.cnf
        section: mysqld
        option: bind-address
        value: 0.0.0.0
        backup: true
      register: bind
    - ini_file: {path: /srv/app/my.cnf, section: client, option: user, state: absent}
    - ini_file: {path: /srv/app/my.cnf, section: mysqld, option: skip-name-resolve, allow_no_value: true}
    - assert:
        that:
          - bind.msg == 'option changed'
          - bind.backup_file is match('/srv/app/my.cnf.')
      when: bind is changed and not ansible_check_mode
"#,
    );
    check_apply_idempotent(
        &lab,
        "ini.yml",
        4,
        &[
            "-port = 3306\n+port = 3307",
            "-# bind-address = 127.0.0.1\n+bind-address = 0.0.0.0",
            "-user=root",
        ],
    );
    assert_eq!(
        read(&lab, "node1", "srv/app/my.cnf"),
        "[mysqld]\nport = 3307\nbind-address = 0.0.0.0\nskip-name-resolve\n\n[client]\n"
    );
}

#[test]
fn find_lists_matches_in_walk_order_and_changes_nothing() {
    let lab = Lab::up(1);
    let root = lab.host_root("node1").join("srv/logs");
    std::fs::create_dir_all(root.join("old")).expect("logs");
    for (name, text) in [
        ("a.log", "error: disk\n"),
        ("b.log", "ok\n"),
        ("old/c.log", "error: net\n"),
        ("notes.txt", "x\n"),
    ] {
        std::fs::write(root.join(name), text).expect("log");
    }
    lab.project.file(
        "find.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - find: {paths: /srv/logs, patterns: '*.log', recurse: true, contains: 'error:'}
      register: errors
    - find: {paths: [/srv/logs, /srv/none], file_type: any}
      register: everything
    - copy:
        dest: /srv/found.txt
        content: |
          {{ errors.files | map(attribute='path') | sort | join(',') }} {{ errors.matched }} {{ errors.examined }} {{ errors.changed }}
          {{ everything.files | map(attribute='path') | sort | join(',') }} {{ everything.matched }} {{ everything.examined }}
          {{ everything.msg }} {{ everything.skipped_paths }}
          {{ errors.files[0].mode }} {{ errors.files[0].isreg }} {{ errors.files[0].size }}
"#,
    );
    let output = play(&lab, "find.yml", &[]);
    output.assert_code(0);
    assert_eq!(
        recap(&output)["node1"].changed,
        1,
        "only the copy: {}",
        output.all()
    );
    assert_eq!(
        read(&lab, "node1", "srv/found.txt"),
        "/srv/logs/a.log,/srv/logs/old/c.log 2 5 False\n\
         /srv/logs/a.log,/srv/logs/b.log,/srv/logs/notes.txt,/srv/logs/old 4 4\n\
         Not all paths examined, check warnings for details {'/srv/none': \"'/srv/none' is not a directory\"}\n\
         0644 True 12\n"
    );
    assert!(
        output.all().contains("Skipped '/srv/none' path"),
        "{}",
        output.all()
    );
    let again = play(&lab, "find.yml", &["--check"]);
    again.assert_code(0);
    assert_eq!(recap(&again)["node1"].changed, 0, "{}", again.all());
}

#[test]
fn tempfile_makes_a_new_path_each_run_and_is_skipped_in_check_mode() {
    let lab = Lab::up(1);
    std::fs::create_dir_all(lab.host_root("node1").join("srv/tmp")).expect("tmp");
    lab.project.file(
        "temp.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - tempfile: {path: /srv/tmp, suffix: .txt}
      register: made
    - copy:
        dest: /srv/made.txt
        content: "{{ made.path }} {{ made.mode }} {{ made.state }}\n"
      when: made is not skipped
"#,
    );
    let checked = play(&lab, "temp.yml", &["--check"]);
    checked.assert_code(0);
    assert_eq!(recap(&checked)["node1"].skipped, 2, "{}", checked.all());
    assert_eq!(
        std::fs::read_dir(lab.host_root("node1").join("srv/tmp"))
            .expect("tmp")
            .count(),
        0
    );
    for _ in 0..2 {
        play(&lab, "temp.yml", &[]).assert_code(0);
    }
    let mut made: Vec<String> = std::fs::read_dir(lab.host_root("node1").join("srv/tmp"))
        .expect("tmp")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    made.sort();
    assert_eq!(made.len(), 2, "{made:?}");
    assert!(
        made.iter()
            .all(|n| n.starts_with("ansible.") && n.ends_with(".txt") && n.len() == 20),
        "{made:?}"
    );
    let last = read(&lab, "node1", "srv/made.txt");
    assert!(
        last.ends_with(".txt 0600 file\n") && last.starts_with("/srv/tmp/ansible."),
        "{last}"
    );
}

#[test]
fn bad_arguments_are_load_time_errors() {
    let lab = Lab::up(1);
    let cases = [
        (
            "find",
            "paths: /srv\n        file_type: folder",
            "any, directory, file, link",
        ),
        ("find", "paths: /srv\n        age_stmp: mtime", "age_stamp"),
        ("tempfile", "state: dir", "file, directory"),
        (
            "community.general.ini_file",
            "path: /x\n        state: gone",
            "absent, present",
        ),
        (
            "ini_file",
            "path: /x\n        section_has_values: []",
            "section_has_values",
        ),
    ];
    for (module, args, hint) in cases {
        lab.project.file(
            "bad.yml",
            &format!(
                "- hosts: lab\n  gather_facts: false\n  tasks:\n    - {module}:\n        {args}\n"
            ),
        );
        let output = play(&lab, "bad.yml", &[]);
        output.assert_code(4);
        let at = format!("bad.yml:{}:9", 4 + args.lines().count());
        assert!(
            output.all().contains(&at),
            "{module} at {at}: {}",
            output.all()
        );
        assert!(
            output.all().contains(hint),
            "{module} names {hint}: {}",
            output.all()
        );
        assert!(
            !output.stdout.contains("PLAY ["),
            "{module}: nothing ran\n{}",
            output.all()
        );
    }
}

#[test]
fn wait_for_connection_waits_for_a_host_to_come_back() {
    let lab = Lab::up(1);
    lab.project.file(
        "wait.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - wait_for_connection: {timeout: 40, sleep: 1, connect_timeout: 2}
      register: waited
    - copy:
        dest: /srv/waited.txt
        content: "{{ waited.elapsed >= 2 }} {{ waited.changed }}\n"
      when: waited is not skipped
"#,
    );
    lab.stop_host("node1");
    let started = std::thread::scope(|scope| {
        let play = scope.spawn(|| play(&lab, "wait.yml", &[]));
        std::thread::sleep(std::time::Duration::from_secs(3));
        lab.start_host("node1");
        play.join().expect("the play runs")
    });
    started.assert_code(0);
    assert_eq!(
        read(&lab, "node1", "srv/waited.txt"),
        "True False\n",
        "{}",
        started.all()
    );
    let checked = play(&lab, "wait.yml", &["--check"]);
    checked.assert_code(0);
    assert_eq!(recap(&checked)["node1"].skipped, 2, "{}", checked.all());
    lab.stop_host("node1");
    lab.project.file(
        "short.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - wait_for_connection: timeout=2 connect_timeout=1\n",
    );
    let gone = play(&lab, "short.yml", &[]);
    gone.assert_code(2);
    assert!(
        gone.stdout
            .contains("timed out waiting for ping module test: "),
        "{}",
        gone.all()
    );
    assert_eq!(recap(&gone)["node1"].failed, 1, "{}", gone.all());
    lab.start_host("node1");
}

#[test]
fn service_facts_reads_units_and_unit_files() {
    let lab = Lab::up(1);
    lab.project.file(
        "services.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - copy: {dest: /etc/systemd/system/web.service, content: "[Service]\nExecStart=/bin/true\n"}
    - copy: {dest: /etc/systemd/system/idle.service, content: "[Service]\nExecStart=/bin/true\n"}
    - systemd: {name: web, state: started, enabled: true}
    - service_facts:
    - copy:
        dest: /srv/services.txt
        content: |
          {{ ansible_facts.services['web.service'] }}
          {{ services['idle.service'] }}
"#,
    );
    let output = play(&lab, "services.yml", &[]);
    output.assert_code(0);
    assert_eq!(
        read(&lab, "node1", "srv/services.txt"),
        "{'name': 'web.service', 'state': 'running', 'status': 'enabled', 'source': 'systemd'}\n\
         {'name': 'idle.service', 'state': 'stopped', 'status': 'disabled', 'source': 'systemd'}\n",
        "{}",
        output.all()
    );
}
