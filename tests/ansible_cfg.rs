//! ansible.cfg and ANSIBLE_* variables, read as Ansible reads them.

use crate::support::{Lab, Project, ansible_playbook_with, banner_lines, recap};

/// A repository laid out for Ansible: the inventory, retry files and fact
/// gathering come from ansible.cfg, none from the command line.
const ANSIBLE_CFG: &str = "\
[defaults]
inventory = inventories/lab
retry_files_enabled = True
retry_files_save_path = retries
gathering = explicit
forks = 1
";

const PLAYBOOK: &str = "\
- hosts: all
  tasks:
    - name: facts are gathered only when a play asks
      assert:
        that: ansible_distribution is not defined
    - name: node2 fails
      command: /bin/false
      when: inventory_hostname == 'node2'
    - name: the others go on
      copy:
        content: \"{{ ansible_forks }}\\n\"
        dest: /opt/forks
";

#[test]
fn ansible_cfg_drives_a_run_as_it_drives_ansible_playbook() {
    let ours = Lab::up(2);
    let theirs = Lab::up(2);
    for lab in [&ours, &theirs] {
        lab.project
            .file("ansible.cfg", ANSIBLE_CFG)
            .file("site.yml", PLAYBOOK);
    }
    let runbook = ours.run(&["play", "site.yml"]);
    let ansible = ansible_playbook_with(&theirs, &["site.yml"]);
    let both = format!(
        "--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(runbook.code, ansible.code, "exit codes differ\n{both}");
    assert_eq!(recap(&runbook), recap(&ansible), "recaps differ\n{both}");
    assert_eq!(banner_lines(&runbook), banner_lines(&ansible), "{both}");
    assert_eq!(
        ours.project.read("retries/site.retry"),
        theirs.project.read("retries/site.retry")
    );
    let retry_hint = |output: &str| {
        output
            .lines()
            .filter(|line| line.contains("to retry, use"))
            .map(|line| line.replace(&theirs.project.path().display().to_string(), "PROJECT"))
            .map(|line| line.replace(&ours.project.path().display().to_string(), "PROJECT"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        retry_hint(&runbook.stdout),
        retry_hint(&ansible.stdout),
        "{both}"
    );
    let forks = |lab: &Lab| std::fs::read_to_string(lab.host_root("node1").join("opt/forks"));
    assert_eq!(forks(&ours).ok(), forks(&theirs).ok(), "{both}");
    // `"{{ ansible_forks }}\n"` is the number alone: Jinja drops the newline
    // and a number gets no newline back.
    assert_eq!(forks(&ours).ok(), Some("1".to_string()), "{both}");
}

#[test]
fn flags_beat_the_environment_which_beats_ansible_cfg() {
    let project = Project::local();
    project
        .file("ansible.cfg", "[defaults]\ninventory = inventories/local\nforks = 3\n")
        .file(
            "site.yml",
            "- hosts: web\n  gather_facts: false\n  tasks:\n    - debug:\n        msg: \"forks={{ ansible_forks }}\"\n",
        );
    let forks_shown = |output: &crate::support::Output| {
        output
            .stdout
            .lines()
            .filter(|line| line.contains("\"msg\""))
            .map(|line| line.trim().to_string())
            .collect::<Vec<_>>()
    };
    let from_file = project.run(&["play", "site.yml"]);
    from_file.assert_code(0);
    assert_eq!(
        forks_shown(&from_file),
        ["\"msg\": \"forks=3\"", "\"msg\": \"forks=3\""]
    );
    let from_env = project.run_with_env(&["play", "site.yml"], &[("ANSIBLE_FORKS", "4")]);
    assert_eq!(
        forks_shown(&from_env),
        ["\"msg\": \"forks=4\"", "\"msg\": \"forks=4\""]
    );
    let from_flag =
        project.run_with_env(&["play", "site.yml", "-f", "5"], &[("ANSIBLE_FORKS", "4")]);
    assert_eq!(
        forks_shown(&from_flag),
        ["\"msg\": \"forks=5\"", "\"msg\": \"forks=5\""]
    );
}

#[test]
fn what_runbook_lacks_is_one_warning_and_what_would_change_results_is_refused() {
    let project = Project::local();
    project
        .file(
            "ansible.cfg",
            "[defaults]\ninventory = inventories/local\nstdout_callback = yaml\ncallbacks_enabled = profile_tasks\n[ssh_connection]\npipelining = True\n",
        )
        .file("site.yml", "- hosts: web\n  gather_facts: false\n  tasks:\n    - ping:\n");
    let run = project.run_with_env(
        &["play", "site.yml"],
        &[("ANSIBLE_STDOUT_CALLBACK", "yaml")],
    );
    run.assert_code(0);
    let cfg = project.join("ansible.cfg").display().to_string();
    assert_eq!(
        run.stderr
            .replace(&cfg, "ansible.cfg")
            .lines()
            .collect::<Vec<_>>(),
        [
            "[WARNING]: ansible.cfg: runbook does not implement these settings, so they have no effect: [defaults] stdout_callback (line 3), [defaults] callbacks_enabled (line 4)",
            "[WARNING]: runbook does not implement this environment variable, so it has no effect: ANSIBLE_STDOUT_CALLBACK",
        ]
    );
    project.file(
        "ansible.cfg",
        "[defaults]\ninventory = inventories/local\nhash_behaviour = merge\n",
    );
    let refused = project.run(&["play", "site.yml"]);
    refused.assert_code(5);
    assert_eq!(
        refused.stderr.replace(&cfg, "ansible.cfg"),
        "ERROR! DEFAULT_HASH_BEHAVIOUR = merge is not supported by runbook (only replace): ignoring it would change what playbooks do\n  --> ansible.cfg:3:1\n  |\n3 | hash_behaviour = merge\n  | ^^^^^^^^^^^^^^\n"
    );
}

#[test]
fn the_log_path_gets_every_line_shown_in_ansibles_format() {
    let project = Project::local();
    project
        .file(
            "ansible.cfg",
            "[defaults]\ninventory = inventories/local\nlog_path = logs/runbook.log\n",
        )
        .file(
            "site.yml",
            "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - ping:\n",
        );
    std::fs::create_dir_all(project.join("logs")).expect("logs dir");
    let run = project.run(&["play", "site.yml"]);
    run.assert_code(0);
    let log = project.read("logs/runbook.log");
    let pattern =
        regex::Regex::new(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} p=\d+ u=\S+ n=ansible INFO\| ")
            .expect("regex");
    let messages: Vec<String> = log
        .lines()
        .map(|line| {
            assert!(pattern.is_match(line), "{line}");
            pattern.replace(line, "").into_owned()
        })
        .collect();
    let shown: Vec<&str> = run.stdout.lines().filter(|line| !line.is_empty()).collect();
    assert_eq!(messages, shown);
}

#[test]
fn config_dump_names_each_setting_and_its_origin() {
    let project = Project::local();
    project.file(
        "ansible.cfg",
        "[defaults]\nforks = 9\n[ssh_connection]\npipelining = True\n",
    );
    let dump = project.run_with_env(
        &["config", "dump", "--only-changed"],
        &[("ANSIBLE_BECOME", "yes")],
    );
    dump.assert_code(0);
    let cfg = project.join("ansible.cfg").display().to_string();
    assert_eq!(
        dump.stdout.replace(&cfg, "ansible.cfg"),
        "ANSIBLE_NOCOLOR(env: NO_COLOR) = 1\nDEFAULT_BECOME(env: ANSIBLE_BECOME) = yes\nDEFAULT_FORKS(ansible.cfg) = 9\nPIPELINING(ansible.cfg) = True  # no effect: runbook always runs a host's tasks through one persistent SSH session\n"
    );
}

#[test]
fn ansible_cfg_names_the_vault_password_file() {
    let project = Project::local();
    project
        .file("ansible.cfg", "[defaults]\ninventory = inventories/local\nvault_password_file = secrets/vault-pass\n")
        .file("secrets/vault-pass", "correct horse\n")
        .file("vars.yml", "db_password: s3cret-from-vault\n")
        .file(
            "site.yml",
            "- hosts: alpha\n  gather_facts: false\n  vars_files: [vars.yml]\n  tasks:\n    - copy:\n        content: \"{{ db_password }}\"\n        dest: \"{{ playbook_dir }}/out\"\n",
        );
    project
        .run(&["vault", "encrypt", "vars.yml"])
        .assert_code(0);
    assert!(
        project
            .read("vars.yml")
            .starts_with("$ANSIBLE_VAULT;1.1;AES256\n")
    );
    let run = project.run(&["play", "site.yml"]);
    run.assert_code(0);
    assert_eq!(project.read("out"), "s3cret-from-vault");
}

#[test]
fn poll_interval_sets_how_often_an_async_task_is_polled() {
    let project = Project::local();
    project.file(
        "site.yml",
        "- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n    - shell: sleep 4.5\n      async: 20\n",
    );
    let polls = |output: &crate::support::Output| {
        output
            .stdout
            .lines()
            .filter(|line| line.starts_with("ASYNC POLL on localhost"))
            .count()
    };
    // Ansible's default of 15 s: the job ends before the first poll.
    let by_default = project.run(&["play", "site.yml", "-i", "localhost,"]);
    by_default.assert_code(0);
    assert_eq!(polls(&by_default), 0, "{}", by_default.all());
    project.file("ansible.cfg", "[defaults]\npoll_interval = 1\n");
    let from_file = project.run(&["play", "site.yml", "-i", "localhost,"]);
    from_file.assert_code(0);
    // About four polls a second apart; a loaded machine may stretch them.
    assert!(polls(&from_file) >= 2, "{}", from_file.all());
}
