//! Power commands, kernel modules and systemctl.

use super::*;

#[test]
fn power_commands_refuse_outside_a_lab_host_and_parse_times_as_systemd() {
    let host = Host::new();
    let refused = host.run(&["shutdown", "-r", "0", "Reboot initiated by Ansible"]);
    assert_eq!(
        (refused.rc, refused.stdout.as_str(), refused.stderr.as_str()),
        (
            1,
            "",
            "shutdown: PID 1 is not a runbook lab host's init; refusing (runbook lab shim)\n"
        )
    );
    let bad_time = host.run(&["shutdown", "-r", "soon"]);
    assert_eq!(
        (bad_time.rc, bad_time.stderr.as_str()),
        (1, "Failed to parse time specification: soon\n")
    );
    let bad_option = host.run(&["shutdown", "-x"]);
    assert_eq!(
        (bad_option.rc, bad_option.stderr.as_str()),
        (1, "shutdown: invalid option -- 'x'\n")
    );
    assert_eq!(host.run(&["shutdown", "-c"]).rc, 0);
    let via_systemctl = host.run(&["systemctl", "reboot"]);
    assert_eq!(
        (via_systemctl.rc, via_systemctl.stderr.as_str()),
        (
            1,
            "reboot: PID 1 is not a runbook lab host's init; refusing (runbook lab shim)\n"
        )
    );
    let calls: Vec<(String, Vec<String>)> = host
        .log_lines()
        .into_iter()
        .map(|(_, name, argv)| (name, argv))
        .collect();
    let owned = |name: &str, argv: &[&str]| {
        (
            name.to_string(),
            argv.iter().map(|word| word.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        calls,
        vec![
            owned("shutdown", &["-r", "0", "Reboot initiated by Ansible"]),
            owned("shutdown", &["-r", "soon"]),
            owned("shutdown", &["-x"]),
            owned("shutdown", &["-c"]),
            owned("systemctl", &["reboot"]),
        ]
    );
}

#[test]
fn modprobe_and_lsmod_load_and_unload_with_kmods_exit_codes() {
    let host = Host::new();
    let listed = |name: &str| {
        host.run(&["lsmod"])
            .stdout
            .lines()
            .skip(1)
            .any(|line| line.split_whitespace().next() == Some(name))
    };
    assert_eq!(
        host.run(&["lsmod"]).stdout.lines().next(),
        Some("Module                  Size  Used by")
    );
    assert!(!listed("dummy"));
    assert_eq!(host.run(&["modprobe", "-n", "dummy"]).rc, 0);
    assert!(!listed("dummy"), "a dry run loads nothing");
    assert_eq!(host.run(&["modprobe", "dummy", "numdummies=2"]).rc, 0);
    assert!(listed("dummy"));
    let again = host.run(&["modprobe", "--first-time", "dummy"]);
    assert_eq!(again.rc, 1);
    assert!(
        again.stderr.contains("Module already in kernel"),
        "{}",
        again.stderr
    );
    assert_eq!(host.run(&["modprobe", "-r", "dummy"]).rc, 0);
    assert!(!listed("dummy"));
    let gone = host.run(&["modprobe", "-r", "dummy"]);
    assert_eq!(gone.rc, 1);
    assert!(
        gone.stderr.contains("is not currently loaded"),
        "{}",
        gone.stderr
    );
    let unknown = host.run(&["modprobe", "no_such_module_here"]);
    assert_eq!(unknown.rc, 1);
    assert!(
        unknown.stderr.starts_with(
            "modprobe: FATAL: Module no_such_module_here not found in directory /lib/modules/"
        ),
        "{}",
        unknown.stderr
    );
    let hwclock = host.run(&["hwclock", "--set"]);
    assert_eq!(hwclock.rc, 1, "only --systohc and --show are modelled");
}

#[test]
fn systemctl_tracks_a_units_life() {
    let host = Host::new();
    let check = |line: &[&str], rc: i32, stdout: &str| {
        let outcome = host.run(line);
        assert_eq!(
            (outcome.rc, outcome.stdout.trim()),
            (rc, stdout),
            "{line:?}"
        );
    };
    check(&["systemctl", "is-active", "kaiwudb"], 3, "inactive");
    check(&["systemctl", "start", "kaiwudb"], 0, "");
    check(&["systemctl", "is-active", "kaiwudb.service"], 0, "active");
    check(&["systemctl", "is-enabled", "kaiwudb"], 1, "disabled");
    check(&["systemctl", "enable", "kaiwudb"], 0, "");
    check(&["systemctl", "is-enabled", "kaiwudb"], 0, "enabled");
    check(&["systemctl", "-q", "is-active", "kaiwudb"], 0, "");
    check(
        &[
            "systemctl",
            "show",
            "kaiwudb",
            "-p",
            "ActiveState",
            "--value",
        ],
        0,
        "active",
    );
    let status = host.run(&["systemctl", "status", "kaiwudb"]);
    assert_eq!(status.rc, 0);
    assert!(
        status.stdout.contains("Active: active (running)"),
        "{}",
        status.stdout
    );
    check(&["systemctl", "stop", "kaiwudb"], 0, "");
    assert_eq!(host.run(&["systemctl", "status", "kaiwudb"]).rc, 3);
    check(&["systemctl", "is-active", "docker"], 0, "active");
}

#[test]
fn a_unit_with_the_start_fails_knob_fails_to_start_as_systemd_reports_it() {
    let host = Host::new();
    let knobs = host
        .root
        .path()
        .join("var/lib/runbook-shims/systemd-knobs/start_fails");
    fs::create_dir_all(&knobs).expect("knobs");
    fs::write(knobs.join("kaiwudb.service"), "").expect("knob");
    let start = host.run(&["systemctl", "start", "kaiwudb"]);
    assert_eq!(
        (start.rc, start.stderr.as_str()),
        (
            1,
            "Job for kaiwudb.service failed because the control process exited with error code.\nSee \"systemctl status kaiwudb.service\" and \"journalctl -xeu kaiwudb.service\" for details.\n"
        )
    );
    assert_eq!(
        host.run(&["systemctl", "is-active", "kaiwudb"]).stdout,
        "failed\n"
    );
    // Stopping still works; the knob gone, it starts.
    assert_eq!(host.run(&["systemctl", "stop", "kaiwudb"]).rc, 0);
    fs::remove_file(knobs.join("kaiwudb.service")).expect("knob");
    assert_eq!(host.run(&["systemctl", "start", "kaiwudb"]).rc, 0);
    assert_eq!(
        host.run(&["systemctl", "is-active", "kaiwudb"]).stdout,
        "active\n"
    );
}

#[test]
fn systemctl_reports_unknown_units_like_systemd() {
    let host = Host::new();
    let status = host.run(&["systemctl", "status", "nosuch"]);
    assert_eq!(status.rc, 4);
    assert_eq!(status.stderr, "Unit nosuch.service could not be found.\n");
    assert_eq!(host.run(&["systemctl", "start", "nosuch"]).rc, 5);
    let show = host.run(&["systemctl", "show", "nosuch", "--property=LoadState"]);
    assert_eq!(show.stdout, "LoadState=not-found\n");
}

#[test]
fn rpm_refuses_keys_it_cannot_import_and_packages_it_does_not_have_as_rpm_does() {
    let host = Host::new();
    let key = host.root.path().join("not-a-key.asc");
    fs::write(&key, "hello\n").expect("write");
    let key = key.display().to_string();
    let imported = host.run(&["rpm", "--import", &key]);
    assert_eq!(
        (imported.rc, imported.stderr),
        (
            1,
            format!("error: {key}: key 1 not an armored public key.\n")
        )
    );
    let erased = host.run(&["rpm", "--erase", "--allmatches", "gpg-pubkey-deadbeef"]);
    assert_eq!(
        (erased.rc, erased.stderr.as_str()),
        (1, "error: package gpg-pubkey-deadbeef is not installed\n")
    );
    let queried = host.run(&["rpm", "-q", "gpg-pubkey"]);
    assert_eq!(
        (queried.rc, queried.stdout.as_str()),
        (1, "package gpg-pubkey is not installed\n")
    );
}
