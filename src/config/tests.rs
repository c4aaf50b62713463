use std::os::unix::fs::PermissionsExt;

use super::definitions::*;
use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

fn project(cfg: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("ansible.cfg"), cfg).expect("write ansible.cfg");
    dir
}

#[test]
fn environment_beats_the_file_and_the_file_beats_defaults() {
    let dir = project("[defaults]\nforks = 20\ntimeout = 30\n");
    let config =
        AnsibleConfig::load_with(dir.path(), env(&[("ANSIBLE_FORKS", "7")])).expect("loads");
    assert_eq!(config.number(FORKS).expect("valid"), Some(7));
    assert_eq!(config.number(TIMEOUT).expect("valid"), Some(30));
    assert_eq!(config.number(REMOTE_PORT).expect("valid"), None);
}

#[test]
fn relative_paths_are_taken_from_the_files_folder() {
    let dir = project(
        "[defaults]\ninventory = inventories/prod, /etc/hosts2\nroles_path = roles:~/shared\nlog_path = \"$LOGS/run.log\"\n",
    );
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let config = AnsibleConfig::load_with(
        elsewhere.path(),
        env(&[
            (
                "ANSIBLE_CONFIG",
                &dir.path().join("ansible.cfg").display().to_string(),
            ),
            ("HOME", "/home/op"),
            ("LOGS", "/var/log/runbook"),
        ]),
    )
    .expect("loads");
    assert_eq!(
        config.paths(INVENTORY),
        Some(vec![
            dir.path().join("inventories/prod"),
            PathBuf::from("/etc/hosts2")
        ])
    );
    assert_eq!(
        config.paths(ROLES_PATH),
        Some(vec![
            dir.path().join("roles"),
            PathBuf::from("/home/op/shared")
        ])
    );
    assert_eq!(
        config.path(LOG_PATH),
        Some(PathBuf::from("/var/log/runbook/run.log"))
    );
}

#[test]
fn ansible_config_may_name_a_folder() {
    let dir = project("[defaults]\nforks = 3\n");
    let other = tempfile::tempdir().expect("temp dir");
    let config = AnsibleConfig::load_with(
        other.path(),
        env(&[("ANSIBLE_CONFIG", &dir.path().display().to_string())]),
    )
    .expect("loads");
    assert_eq!(config.number(FORKS).expect("valid"), Some(3));
}

#[test]
fn a_world_writable_folder_is_not_a_source() {
    let dir = project("[defaults]\nforks = 3\n");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let config = AnsibleConfig::load_with(dir.path(), env(&[])).expect("loads");
    assert_eq!(config.number(FORKS).expect("valid"), None);
    let warnings = config.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("world-writable"), "{warnings:?}");
}

#[test]
fn settings_runbook_lacks_are_named_in_one_warning() {
    let dir = project(
        "[defaults]\nstdout_callback = yaml\ncallbacks_enabled = timer\nforks = 4\n[ssh_connection]\npipelining = True\n",
    );
    let config = AnsibleConfig::load_with(
        dir.path(),
        env(&[
            ("ANSIBLE_STDOUT_CALLBACK", "yaml"),
            ("ANSIBLE_FORKS", "2"),
            ("ANSIBLE_CONFIG", "ansible.cfg"),
        ]),
    )
    .expect("loads");
    let warnings: Vec<String> = config
        .warnings()
        .iter()
        .map(|w| w.replace(&dir.path().display().to_string(), "DIR"))
        .collect();
    assert_eq!(
        warnings,
        [
            "DIR/ansible.cfg: runbook does not implement these settings, so they have no effect: [defaults] stdout_callback (line 2), [defaults] callbacks_enabled (line 3)",
            "runbook does not implement this environment variable, so it has no effect: ANSIBLE_STDOUT_CALLBACK",
        ]
    );
}

#[test]
fn a_setting_that_would_change_results_is_refused_at_its_line() {
    let dir = project("[defaults]\nforks = 4\nhash_behaviour = merge\n");
    let error = AnsibleConfig::load_with(dir.path(), env(&[])).expect_err("refused");
    assert_eq!(error.kind, ErrorKind::Options);
    assert_eq!(error.span.as_ref().map(|s| s.line), Some(3));
    assert!(
        error.message.contains("DEFAULT_HASH_BEHAVIOUR = merge"),
        "{}",
        error.message
    );
    let fine = project("[defaults]\nhash_behaviour = replace\nerror_on_undefined_vars = yes\n");
    assert!(AnsibleConfig::load_with(fine.path(), env(&[])).is_ok());
}

#[test]
fn a_bad_number_points_at_its_origin() {
    let dir = project("[defaults]\nforks = many\n");
    let config = AnsibleConfig::load_with(dir.path(), env(&[])).expect("loads");
    let error = config.number(FORKS).expect_err("invalid");
    assert_eq!(
        error.span.as_ref().map(|s| (s.line, s.column)),
        Some((2, 1))
    );
    let config =
        AnsibleConfig::load_with(dir.path(), env(&[("ANSIBLE_TIMEOUT", "soon")])).expect("loads");
    let error = config.number(TIMEOUT).expect_err("invalid");
    assert!(
        error.message.contains("ANSIBLE_TIMEOUT"),
        "{}",
        error.message
    );
}

#[test]
fn dump_shows_only_what_changed_when_asked() {
    let dir = project("[defaults]\nforks = 9\n");
    let config =
        AnsibleConfig::load_with(dir.path(), env(&[("ANSIBLE_BECOME", "yes")])).expect("loads");
    let changed: Vec<(String, String, String)> = config
        .dump(true)
        .into_iter()
        .map(|line| {
            (
                line.name.to_string(),
                line.origin
                    .replace(&dir.path().display().to_string(), "DIR"),
                line.value,
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            (
                "DEFAULT_BECOME".into(),
                "env: ANSIBLE_BECOME".into(),
                "yes".into()
            ),
            ("DEFAULT_FORKS".into(), "DIR/ansible.cfg".into(), "9".into()),
        ]
    );
    assert_eq!(config.dump(false).len(), ALL.len());
}

#[test]
fn variables_expand_as_python_expands_them() {
    let vars = env(&[("A", "x"), ("B_2", "y")]);
    assert_eq!(
        expand_vars("$A/${B_2}/$MISSING/${open", &vars),
        "x/y/$MISSING/${open"
    );
    assert_eq!(expand_vars("cost $", &vars), "cost $");
}

#[test]
fn booleans_are_lenient_as_in_ansible() {
    for yes in ["yes", "True", "on", "1", "t", "Y"] {
        assert!(lenient_bool(yes), "{yes}");
    }
    for no in ["no", "False", "off", "0", "nope", ""] {
        assert!(!lenient_bool(no), "{no}");
    }
}
