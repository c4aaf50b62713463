//! Users and system settings on lab hosts with the hosts' real tools:
//! `user`, `group`, `getent`, `authorized_key`, `known_hosts`, `cron`,
//! `sysctl`, `hostname`, `alternatives`; `timezone` and `modprobe` reach
//! only the lab's `hwclock`/`dpkg-reconfigure`/`modprobe`/`lsmod` shims.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{Lab, Output, ansible_playbook, recap};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/users")
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

/// A spool crontab without the header lines `crontab` writes (they name
/// the temporary file and the time of installation).
fn crontab(lab: &Lab, host: &str, user: &str) -> String {
    read(lab, host, &format!("var/spool/cron/crontabs/{user}"))
        .lines()
        .filter(|line| !line.starts_with("# DO NOT EDIT") && !line.starts_with("# ("))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The files a playbook's result is judged by, as the host has them.
type Files = BTreeMap<String, String>;

/// The same playbook twice on twin labs, by runbook and by ansible-playbook:
/// same exit codes and recaps on both runs, then the same `files`.
fn differential(playbook: &str, files: impl Fn(&Lab, &str) -> Files) {
    let playbook = fixture(playbook);
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
    }
    assert_eq!(files(&ours, "node1"), files(&theirs, "node1"));
}

fn account_files(lab: &Lab, host: &str) -> Files {
    let mut files = Files::new();
    for path in ["etc/passwd", "etc/group", "etc/shadow", "etc/gshadow"] {
        files.insert(path.into(), read(lab, host, path));
    }
    let keys = "home/carol2/.ssh/authorized_keys";
    files.insert(keys.into(), read(lab, host, keys));
    let mut homes: Vec<String> = std::fs::read_dir(lab.host_root(host).join("home"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    homes.sort();
    files.insert("home/".into(), homes.join(" "));
    files
}

#[test]
fn user_group_authorized_key_and_getent_match_ansible() {
    differential("users.yml", account_files);
}

#[test]
fn cron_matches_ansible() {
    differential("cron.yml", |lab, host| {
        let mut files = Files::new();
        for user in ["carol", "root"] {
            files.insert(format!("crontab {user}"), crontab(lab, host, user));
        }
        for file in ["runbook-rotate", "runbook-gone"] {
            let path = format!("etc/cron.d/{file}");
            files.insert(path.clone(), read(lab, host, &path));
        }
        files
    });
}

#[test]
fn sysctl_hostname_timezone_alternatives_and_known_hosts_match_ansible() {
    differential("system.yml", |lab, host| {
        let mut files = Files::new();
        for path in [
            "etc/sysctl.d/90-lab.conf",
            "etc/sysctl.d/91-lab.conf",
            "etc/hostname",
            "etc/timezone",
            "etc/default/rcS",
            "var/lib/runbook-alternatives/hello",
            "srv/known_hosts",
        ] {
            files.insert(path.into(), read(lab, host, path));
        }
        let adjtime = read(lab, host, "etc/adjtime");
        files.insert(
            "etc/adjtime mode".into(),
            adjtime.lines().nth(2).unwrap_or("").into(),
        );
        for link in ["etc/localtime", "etc/alternatives/hello"] {
            let target = std::fs::read_link(lab.host_root(host).join(link));
            files.insert(link.into(), format!("{target:?}"));
        }
        files
    });
}

#[test]
fn a_leading_tilde_is_the_home_on_the_host_as_in_ansible() {
    differential("home_paths.yml", |lab, host| {
        let mut files = Files::new();
        for path in ["srv/out/home.txt", "home/carol/notes/a.txt"] {
            files.insert(path.into(), read(lab, host, path));
        }
        for dir in [
            "home/carol/own",
            "home/carol/notes/by-var/$UNSET_HERE",
            "home/carol/notes/by-alias",
        ] {
            let made = std::fs::metadata(lab.host_root(host).join(dir));
            files.insert(dir.into(), format!("{:?}", made.map(|m| m.is_dir()).ok()));
        }
        files
    });
}

#[test]
fn pam_limits_matches_ansible() {
    differential("pam_limits.yml", |lab, host| {
        let mut files = Files::new();
        for path in [
            "etc/security/limits.conf",
            "etc/security/limits.d/90-lab.conf",
        ] {
            files.insert(path.into(), read(lab, host, path));
        }
        files
    });
}

#[test]
fn mount_matches_ansible() {
    differential("mount.yml", |lab, host| {
        let mut files = Files::new();
        for path in ["etc/fstab", "srv/out/mounts.txt"] {
            files.insert(path.into(), read(lab, host, path));
        }
        files
    });
}

/// `--check` mounts nothing and writes no fstab; the run that follows does
/// both, and a second run of `mounted` and `present` changes nothing.
#[test]
fn mount_in_check_mode_only_reads_and_then_settles() {
    let lab = Lab::up(1);
    lab.project.file(
        "mount.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - ansible.posix.mount:
        path: /srv/data
        src: tmpfs
        fstype: tmpfs
        opts: size=8m
        state: mounted
    - mount: path=/srv/later src=tmpfs fstype=tmpfs state=present boot=no
"#,
    );
    let mounts = |lab: &Lab| {
        let listed = lab.run(&[
            "run",
            "node1",
            "-i",
            "lab",
            "-m",
            "shell",
            "-a",
            "grep ' /srv/' /proc/self/mounts || true",
        ]);
        listed.assert_code(0);
        listed
            .stdout
            .lines()
            .filter(|line| line.starts_with("tmpfs "))
            .map(|line| {
                line.split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
    };
    let checked = play(&lab, "mount.yml", &["--check"]);
    checked.assert_code(0);
    assert_eq!(mounts(&lab), Vec::<String>::new(), "{}", checked.all());
    check_apply_idempotent(
        &lab,
        "mount.yml",
        2,
        &[
            "+tmpfs /srv/data tmpfs size=8m 0 0",
            "+tmpfs /srv/later tmpfs defaults,noauto 0 0",
        ],
    );
    assert_eq!(mounts(&lab), ["tmpfs /srv/data tmpfs"]);
    let fstab = read(&lab, "node1", "etc/fstab");
    let machine = std::fs::read_to_string("/etc/fstab").unwrap_or_default();
    assert_eq!(
        fstab,
        format!(
            "{machine}tmpfs /srv/data tmpfs size=8m 0 0\ntmpfs /srv/later tmpfs defaults,noauto 0 0\n"
        )
    );
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
fn user_and_group_change_once_and_check_mode_only_reads() {
    let lab = Lab::up(1);
    lab.project.file(
        "accounts.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - group: name=web gid=2600
    - user:
        name: webapp
        uid: 2600
        group: web
        shell: /bin/bash
        generate_ssh_key: true
      register: webapp
    - assert:
        that:
          - webapp.uid == 2600
          - webapp.home == '/home/webapp'
      when: not ansible_check_mode
"#,
    );
    check_apply_idempotent(
        &lab,
        "accounts.yml",
        2,
        &["-state: absent", "+state: present"],
    );
    assert_eq!(
        read(&lab, "node1", "etc/passwd").lines().last(),
        Some("webapp:x:2600:2600::/home/webapp:/bin/bash")
    );
    let public = read(&lab, "node1", "home/webapp/.ssh/id_rsa.pub");
    assert!(
        public.ends_with(" ansible-generated on node1\n"),
        "{public}"
    );
    lab.project.file(
        "shell.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - user: name=webapp shell=/bin/sh\n",
    );
    let diff = play(&lab, "shell.yml", &["--check", "--diff"]);
    assert!(
        diff.stdout.contains("-shell: /bin/bash\n+shell: /bin/sh"),
        "{}",
        diff.all()
    );
}

#[test]
fn authorized_key_and_known_hosts_edit_the_files_once() {
    let lab = Lab::up(1);
    lab.project.file(
        "keys.yml",
        r#"
- hosts: lab
  gather_facts: false
  vars:
    key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBq0EXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEexam
  tasks:
    - authorized_key: user=erin key="{{ key }} erin@laptop" key_options=no-pty
    - known_hosts:
        name: git.example.com
        key: "git.example.com {{ key }}"
        path: /home/erin/known_hosts
    - known_hosts:
        name: other.example.com
        key: "other.example.com {{ key }}"
        path: /home/erin/known_hosts
        hash_host: true
"#,
    );
    lab.project.file(
        "setup.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - user: name=erin\n",
    );
    play(&lab, "setup.yml", &[]).assert_code(0);
    check_apply_idempotent(
        &lab,
        "keys.yml",
        3,
        &[
            "+no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBq0EXAMPLE",
            "+git.example.com ssh-ed25519",
        ],
    );
    assert_eq!(
        read(&lab, "node1", "home/erin/.ssh/authorized_keys"),
        "no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBq0EXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEexam erin@laptop\n"
    );
    let known = read(&lab, "node1", "home/erin/known_hosts");
    let lines: Vec<&str> = known.lines().collect();
    assert_eq!(lines.len(), 2, "{known}");
    assert!(lines[1].starts_with("|1|"), "a hashed name: {known}");
    lab.project.file(
        "remove.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - known_hosts: name=git.example.com path=/home/erin/known_hosts state=absent\n",
    );
    play(&lab, "remove.yml", &[]).assert_code(0);
    assert!(!read(&lab, "node1", "home/erin/known_hosts").contains("git.example.com"));
}

#[test]
fn cron_edits_the_users_crontab_once() {
    let lab = Lab::up(1);
    lab.project.file(
        "cron.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - cron: name=tick minute=*/5 job=/bin/true\n    - cron: name=SHELL env=true job=/bin/sh\n",
    );
    check_apply_idempotent(
        &lab,
        "cron.yml",
        2,
        &["+#Ansible: tick", "+*/5 * * * * /bin/true"],
    );
    assert_eq!(
        crontab(&lab, "node1", "root"),
        "SHELL=\"/bin/sh\"\n#Ansible: tick\n*/5 * * * * /bin/true\n"
    );
}

/// `kernel.domainname` belongs to the host's own UTS namespace, so setting
/// it on a lab host leaves the machine's untouched.
#[test]
fn sysctl_sets_a_namespaced_key_and_its_file_once() {
    let machine = std::fs::read_to_string("/proc/sys/kernel/domainname").unwrap_or_default();
    let lab = Lab::up(1);
    lab.project.file(
        "sysctl.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - ansible.posix.sysctl:
        name: kernel.domainname
        value: lab.example
        sysctl_file: /etc/sysctl.d/90-lab.conf
        sysctl_set: true
    - command: sysctl -n kernel.domainname
      register: running
      changed_when: false
      check_mode: false
    - assert:
        that: ansible_check_mode or running.stdout == 'lab.example'
"#,
    );
    check_apply_idempotent(
        &lab,
        "sysctl.yml",
        1,
        &["+kernel.domainname=lab.example", "+value: lab.example"],
    );
    assert_eq!(
        read(&lab, "node1", "etc/sysctl.d/90-lab.conf"),
        "kernel.domainname=lab.example\n"
    );
    assert_eq!(
        std::fs::read_to_string("/proc/sys/kernel/domainname").unwrap_or_default(),
        machine,
        "the machine's own domain name is unchanged"
    );
}

#[test]
fn hostname_timezone_modprobe_and_alternatives_change_once() {
    let lab = Lab::up(1);
    lab.project.file(
        "setup.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - shell: mkdir -p /opt/bin && for n in 1 2; do printf '#!/bin/sh\\necho %s\\n' $n > /opt/hello-$n; chmod +x /opt/hello-$n; done\n",
    );
    play(&lab, "setup.yml", &[]).assert_code(0);
    lab.project.file(
        "system.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - hostname: name=web1.lab.example
      register: named
    - community.general.timezone:
        name: Europe/Paris
        hwclock: UTC
    - community.general.modprobe:
        name: dummy
        params: numdummies=2
        persistent: present
    - community.general.alternatives:
        name: hello
        link: /opt/bin/hello
        path: /opt/hello-1
        priority: 10
    - community.general.alternatives:
        name: hello
        link: /opt/bin/hello
        path: /opt/hello-2
        priority: 20
        state: present
"#,
    );
    check_apply_idempotent(
        &lab,
        "system.yml",
        5,
        &[
            "+hostname = web1.lab.example",
            "+name: Europe/Paris",
            "+options dummy numdummies=2",
            "+path: /opt/hello-1",
        ],
    );
    let root = lab.host_root("node1");
    assert_eq!(read(&lab, "node1", "etc/hostname"), "web1.lab.example\n");
    assert_eq!(read(&lab, "node1", "etc/timezone"), "Europe/Paris\n");
    assert_eq!(
        std::fs::read_link(root.join("etc/localtime")).ok(),
        Some(PathBuf::from("/usr/share/zoneinfo/Europe/Paris"))
    );
    assert_eq!(
        read(&lab, "node1", "etc/adjtime").lines().nth(2),
        Some("UTC")
    );
    assert_eq!(
        read(&lab, "node1", "etc/modules-load.d/dummy.conf"),
        "dummy\n"
    );
    assert_eq!(
        std::fs::read_link(root.join("etc/alternatives/hello")).ok(),
        Some(PathBuf::from("/opt/hello-1"))
    );
    let calls: Vec<String> = lab
        .shim_calls("node1")
        .into_iter()
        .filter(|(shim, _)| shim != "lsmod")
        .map(|(shim, argv)| format!("{shim} {argv}"))
        .collect();
    assert_eq!(
        calls,
        [
            "dpkg-reconfigure --frontend noninteractive tzdata",
            "hwclock --systohc --utc",
            "modprobe dummy numdummies=2",
        ]
    );
}

#[test]
fn misspelt_arguments_are_refused_before_connecting() {
    let lab = Lab::up(1);
    let cases = [
        ("user", "name: a\n        shel: /bin/sh", "shell"),
        ("group", "name: a\n        gdi: 1", "gid"),
        ("getent", "database: passwd\n        kye: root", "key"),
        (
            "ansible.posix.authorized_key",
            "user: a\n        key: x\n        exlusive: true",
            "exclusive",
        ),
        (
            "known_hosts",
            "name: a\n        hash_hots: true",
            "hash_host",
        ),
        ("cron", "name: a\n        minutes: 1", "minute"),
        ("ansible.posix.sysctl", "name: a\n        valu: 1", "value"),
        ("hostname", "name: a\n        uses: systemd", "use"),
        (
            "community.general.timezone",
            "name: UTC\n        hwclok: UTC",
            "hwclock",
        ),
        (
            "community.general.modprobe",
            "name: a\n        param: x",
            "params",
        ),
        (
            "community.general.alternatives",
            "name: a\n        paht: /x",
            "path",
        ),
        (
            "user",
            "name: a\n        state: presnt",
            "must be one of: absent, present",
        ),
        ("cron", "name: a\n        special_time: weekley", "weekly"),
        (
            "community.general.timezone",
            "hwclock: utc",
            "must be one of: local, UTC",
        ),
        (
            "community.general.modprobe",
            "name: a\n        persistent: yes",
            "disabled, present, absent",
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
        // The misspelt argument is the last line of the task.
        let at = format!("bad.yml:{}:9", 4 + args.lines().count());
        assert!(
            output.all().contains(&at),
            "{module} at {at}: {}",
            output.all()
        );
        assert!(
            output.all().contains(hint),
            "{module} suggests {hint}: {}",
            output.all()
        );
        assert!(
            !output.stdout.contains("PLAY ["),
            "{module}: nothing ran\n{}",
            output.all()
        );
    }
}
