//! The contract with Ansible: the same playbook on twin labs gives the same
//! exit code, the same PLAY RECAP and the same order of tasks with runbook
//! and with ansible-playbook. CI installs ansible-core (scripts/setup);
//! without it these tests fail and say so.

mod templates;

use std::path::Path;

use crate::support::{Lab, Output, ansible_playbook, banner_lines, recap, result_blocks};

/// Which of `files` exist in `/opt` of each of `hosts`, as `host:/opt/file`.
fn files_in_opt(lab: &Lab, hosts: &[&str], files: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for host in hosts {
        for file in files {
            if lab.host_root(host).join("opt").join(file).exists() {
                found.push(format!("{host}:/opt/{file}"));
            }
        }
    }
    found
}

/// Assert each of `files` (paths under the host's root) exists and reads
/// the same on both labs for each of `hosts`.
fn assert_same_files(ours: &Lab, theirs: &Lab, hosts: &[&str], files: &[&str]) {
    for host in hosts {
        for file in files {
            let read = |lab: &Lab| {
                std::fs::read_to_string(lab.host_root(host).join(file))
                    .unwrap_or_else(|e| panic!("{host}:{file}: {e}"))
            };
            assert_eq!(read(ours), read(theirs), "{host}:{file}");
        }
    }
}

/// Run fixture `name` with runbook on one lab and ansible-playbook on its
/// twin (`hosts` hosts each, the same names), assert they agree, and return
/// the labs for further checks.
fn twin_run(name: &str, hosts: usize, args: &[&str]) -> (Lab, Lab) {
    twin_run_after(name, hosts, args, |_| {})
}

/// [`twin_run`] after `prepare` ran on both labs (stopping a host...).
fn twin_run_after(name: &str, hosts: usize, args: &[&str], prepare: impl Fn(&Lab)) -> (Lab, Lab) {
    let (ours, theirs, _, _) = twin_outputs(name, hosts, args, prepare);
    (ours, theirs)
}

/// [`twin_run_after`], also returning runbook's and ansible-playbook's output.
fn twin_outputs(
    name: &str,
    hosts: usize,
    args: &[&str],
    prepare: impl Fn(&Lab),
) -> (Lab, Lab, Output, Output) {
    let playbook = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/differential")
        .join(name);
    let ours = Lab::up(hosts);
    let theirs = Lab::up(hosts);
    prepare(&ours);
    prepare(&theirs);
    let mut runbook_args = vec!["play", playbook.to_str().expect("utf8"), "-i", "lab"];
    runbook_args.extend_from_slice(args);
    let runbook = ours.run(&runbook_args);
    let ansible = ansible_playbook(&theirs, &playbook, args);
    let both = format!(
        "--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(runbook.code, ansible.code, "exit codes differ\n{both}");
    let has_recap = |output: &Output| output.stdout.contains("PLAY RECAP");
    assert_eq!(
        has_recap(&runbook),
        has_recap(&ansible),
        "recaps differ\n{both}"
    );
    if has_recap(&ansible) {
        assert_eq!(recap(&runbook), recap(&ansible), "recaps differ\n{both}");
    }
    assert_eq!(
        banner_lines(&runbook),
        banner_lines(&ansible),
        "tasks ran in another order\n{both}"
    );
    (ours, theirs, runbook, ansible)
}

#[test]
fn core_modules_and_keywords_behave_as_in_ansible() {
    twin_run("core.yml", 2, &[]);
}

#[test]
fn creates_and_removes_guard_commands_as_in_ansible() {
    twin_run("guarded-commands.yml", 2, &[]);
}

#[test]
fn yaml_anchors_and_aliases_behave_as_in_ansible() {
    twin_run("aliases.yml", 1, &[]);
}

#[test]
fn control_flow_behaves_as_in_ansible() {
    twin_run("control.yml", 3, &["--skip-tags", "skipme"]);
}

#[test]
fn roles_includes_and_delegation_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("structure.yml", 2, &[]);
    for host in ["node1", "node2"] {
        let ours =
            std::fs::read_to_string(ours.host_root(host).join("opt/site.conf")).expect("ours");
        let theirs =
            std::fs::read_to_string(theirs.host_root(host).join("opt/site.conf")).expect("theirs");
        assert_eq!(ours, theirs, "{host}: the role's template renders the same");
    }
}

#[test]
fn a_fatal_failure_spreads_as_in_ansible() {
    twin_run("fatal.yml", 3, &[]);
}

#[test]
fn a_failing_handler_in_a_fatal_play_fails_every_host_as_in_ansible() {
    twin_run("handler-fatal.yml", 3, &[]);
}

#[test]
fn batch_wide_metas_read_their_condition_on_the_first_host_as_in_ansible() {
    twin_run("metas.yml", 3, &[]);
}

#[test]
fn max_fail_percentage_ends_the_playbook_as_in_ansible() {
    twin_run("max-fail.yml", 5, &[]);
}

#[test]
fn a_task_past_its_timeout_fails_its_host_as_in_ansible() {
    twin_run("timeouts.yml", 2, &[]);
}

#[test]
fn unreachable_and_failed_hosts_end_as_in_ansible() {
    twin_run_after("unreachable.yml", 3, &[], |lab| lab.stop_host("node2"));
}

#[test]
fn add_host_and_group_by_change_the_inventory_as_in_ansible() {
    let (ours, theirs) = twin_run("dynamic.yml", 3, &[]);
    for (host, file) in [
        ("node1", "opt/groups"),
        ("node2", "opt/groups"),
        ("node1", "opt/half"),
        ("node3", "opt/half"),
        ("node1", "opt/alias"),
    ] {
        let read = |lab: &Lab| std::fs::read_to_string(lab.host_root(host).join(file));
        let (ours, theirs) = (read(&ours), read(&theirs));
        assert!(theirs.is_ok(), "ansible wrote {host}:/{file}");
        assert_eq!(ours.ok(), theirs.ok(), "{host}:/{file}");
    }
    assert!(!ours.host_root("node2").join("opt/half").exists());
}

#[test]
fn key_value_arguments_and_fqcn_actions_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("kv.yml", 2, &[]);
    assert_same_files(
        &ours,
        &theirs,
        &["node1", "node2"],
        &[
            "opt/kv/content",
            "opt/kv/conf",
            "opt/kv/mixed",
            "opt/kv/applied",
        ],
    );
    let conf = std::fs::read_to_string(ours.host_root("node1").join("opt/kv/conf")).expect("conf");
    assert_eq!(
        conf,
        "host=node1\nport=8080\nmode = \"fast\"\nincluded=node1\n"
    );
}

#[test]
fn lookups_loops_filters_and_tests_give_the_same_files_as_in_ansible() {
    let (ours, theirs) = twin_run("lookups.yml", 2, &[]);
    for host in ["node1", "node2"] {
        for file in [
            "opt/lk/lookups",
            "opt/lk/filters",
            "opt/lk/tests",
            "opt/lk/loops",
            "opt/lk/found",
            "opt/lk/role",
        ] {
            let read = |lab: &Lab| {
                std::fs::read(lab.host_root(host).join(file))
                    .unwrap_or_else(|e| panic!("{host}:{file}: {e}"))
            };
            let (ours, theirs) = (read(&ours), read(&theirs));
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
                "{host}:{file}"
            );
        }
    }
}

#[test]
fn host_output_is_data_not_a_template_as_in_ansible() {
    let (ours, theirs) = twin_run("trust.yml", 2, &[]);
    let files = [
        "stdout",
        "chain",
        "nested",
        "item-0",
        "item-1",
        "item-2",
        "item-3",
        "item-4",
        "slurped",
        "template",
        "author",
        "condition",
        "added",
    ];
    for host in ["node1", "node2"] {
        for file in files {
            let read = |lab: &Lab| {
                std::fs::read_to_string(lab.host_root(host).join("opt/trust").join(file))
                    .unwrap_or_else(|e| panic!("{host}:/opt/trust/{file}: {e}"))
            };
            assert_eq!(read(&ours), read(&theirs), "{host}:/opt/trust/{file}");
        }
    }
    let stdout = std::fs::read_to_string(ours.host_root("node1").join("opt/trust/stdout"))
        .expect("node1 stdout");
    assert_eq!(
        stdout,
        "{{ hostvars['node2']['lab_secret'] }}\n{{ range .Items }}{{ .Name }}{{ end }}\n\
         alert: {{ $labels.instance }} is down\n{% raw %}{{ not raw }}{% endraw %}\n\
         {% if true %}yes{% endif %}{# a comment #}",
        "node1 gets its own output back, not node2's secret"
    );
}

#[test]
fn vaulted_group_vars_inline_values_and_templates_behave_as_in_ansible() {
    let password = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/differential/vault/password")
        .display()
        .to_string();
    let (ours, theirs) = twin_run("vault/site.yml", 2, &["--vault-password-file", &password]);
    for host in ["node1", "node2"] {
        for file in ["opt/db.conf", "opt/db.credentials"] {
            let read = |lab: &Lab| {
                std::fs::read_to_string(lab.host_root(host).join(file))
                    .unwrap_or_else(|e| panic!("{host}:{file}: {e}"))
            };
            assert_eq!(read(&ours), read(&theirs), "{host}:{file}");
        }
    }
    let conf = std::fs::read_to_string(ours.host_root("node1").join("opt/db.conf")).expect("conf");
    assert_eq!(
        conf,
        "user=inline-vaulted-user\npassword=group-vaulted-s3cret\nport=5432\nhost=node1\n"
    );
}

/// [`twin_run`] on two hosts with a MariaDB server per lab (its port as
/// `mysql_port`), so the two runs never see each other's databases.
fn twin_run_with_mariadb(
    name: &str,
) -> (Lab, Lab, crate::support::MariaDb, crate::support::MariaDb) {
    use crate::support::MariaDb;
    let ours_db = MariaDb::start();
    let theirs_db = MariaDb::start();
    let ports = std::sync::Mutex::new(vec![theirs_db.port, ours_db.port]);
    let (ours, theirs) = twin_run_after(name, 2, &[], |lab| {
        let port = ports
            .lock()
            .expect("ports")
            .pop()
            .expect("a server per lab");
        lab.project.file(
            "inventories/group_vars/all.yml",
            &format!("mysql_port: {port}\n"),
        );
    });
    (ours, theirs, ours_db, theirs_db)
}

#[test]
fn mysql_user_tls_requires_behave_as_in_ansible() {
    let (ours, theirs, ours_db, theirs_db) = twin_run_with_mariadb("mysql_user_tls.yml");
    assert_same_files(&ours, &theirs, &["node1", "node2"], &["opt/tls-messages"]);
    let accounts = "SELECT User, ssl_type, x509_issuer, x509_subject FROM mysql.user WHERE User LIKE 'tls%' ORDER BY User";
    assert_eq!(ours_db.sql(accounts), theirs_db.sql(accounts));
    assert_eq!(
        std::fs::read_to_string(ours.host_root("node1").join("opt/tls-messages")).ok(),
        Some(
            "True User added\nFalse User unchanged\nTrue TLS requires updated\nTrue TLS requires updated\nFalse User unchanged\nTrue TLS requires updated\n"
                .to_string()
        )
    );
}

#[test]
fn mysql_db_creates_dumps_drops_and_imports_as_in_ansible() {
    let (ours, theirs, ours_db, theirs_db) = twin_run_with_mariadb("mysql_db.yml");
    let content = "SELECT id, HEX(s) FROM t ORDER BY id";
    for host in ["node1", "node2"] {
        let table = format!("USE app_{host}; {content}");
        assert_eq!(
            ours_db.sql(&table),
            theirs_db.sql(&table),
            "{host}: the imported data"
        );
        assert_eq!(
            ours_db.sql(&table),
            "1\t69742773202271756F74656422\n2\tNULL\n"
        );
        let dump = |lab: &Lab| {
            let text = std::fs::read_to_string(lab.host_root(host).join("opt/app.sql"))
                .unwrap_or_else(|e| panic!("{host}: /opt/app.sql: {e}"));
            text.lines()
                .filter(|line| !line.starts_with("-- Dump completed on"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(dump(&ours), dump(&theirs), "{host}: the plain dumps");
        for lab in [&ours, &theirs] {
            assert!(!lab.host_root(host).join("opt/predicted.sql").exists());
            assert!(!lab.host_root(host).join("opt/missing.sql").exists());
        }
    }
}

#[test]
fn templated_keywords_names_and_magic_variables_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("keywords.yml", 2, &[]);
    for host in ["node1", "node2"] {
        let touched = |lab: &Lab| lab.host_root(host).join("opt/once-block").exists();
        assert_eq!(touched(&ours), touched(&theirs), "{host}:/opt/once-block");
        let handled = |lab: &Lab| lab.host_root(host).join("opt/block-handler").exists();
        assert_eq!(
            handled(&ours),
            handled(&theirs),
            "{host}:/opt/block-handler"
        );
        assert!(handled(&ours), "{host}: the block's notify ran its handler");
    }
    assert!(ours.host_root("node1").join("opt/once-block").exists());
    assert!(!ours.host_root("node2").join("opt/once-block").exists());
}

#[test]
fn import_playbook_tags_and_vars_and_imported_handlers_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("import-tags.yml", 2, &["--tags", "imported"]);
    for host in ["node1", "node2"] {
        for file in ["opt/outside", "opt/marker", "opt/handled"] {
            let read = |lab: &Lab| std::fs::read_to_string(lab.host_root(host).join(file)).ok();
            assert_eq!(read(&ours), read(&theirs), "{host}:/{file}");
        }
    }
    let marker = std::fs::read_to_string(ours.host_root("node1").join("opt/marker"));
    assert_eq!(marker.ok().as_deref(), Some("from-import\n"));
    assert!(ours.host_root("node2").join("opt/handled").exists());
}

#[test]
fn connection_keywords_yield_to_the_inventory_as_in_ansible() {
    twin_run("connection.yml", 2, &[]);
}

#[test]
fn templated_and_inherited_play_keywords_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("play-keywords.yml", 3, &[]);
    let files = |lab: &Lab| {
        files_in_opt(
            lab,
            &["node1", "node2", "node3"],
            &[
                "handled",
                "check-mode-file",
                "written",
                "once-play",
                "after-failure",
            ],
        )
    };
    assert_eq!(files(&ours), files(&theirs));
    assert_eq!(
        files(&ours),
        [
            "node1:/opt/handled",
            "node2:/opt/handled",
            "node2:/opt/written",
            "node2:/opt/once-play",
            "node3:/opt/handled",
            "node3:/opt/written",
        ]
    );
}

#[test]
fn vault_filters_and_vault_id_match_behave_as_in_ansible() {
    let password = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/differential/vault/password")
        .display()
        .to_string();
    let args = ["--vault-password-file", password.as_str()];
    let (ours, theirs) = twin_run("vault/filters.yml", 1, &args);
    let read = |lab: &Lab, file: &str| {
        std::fs::read_to_string(lab.host_root("node1").join("opt").join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    assert_eq!(read(&ours, "made.vault"), read(&theirs, "made.vault"));
    assert!(read(&ours, "made.vault").starts_with("$ANSIBLE_VAULT;1.2;AES256;filter_default\n"));
    assert_eq!(read(&ours, "made.txt"), "made-here");
    assert_eq!(read(&theirs, "made.txt"), "made-here");
    assert!(
        !ours
            .host_root("node1")
            .join("opt/made-elsewhere.txt")
            .exists()
    );

    let strict = |lab: &Lab| {
        std::fs::write(
            lab.project.join("ansible.cfg"),
            "[defaults]\nvault_id_match = True\n",
        )
        .expect("ansible.cfg");
    };
    let strict_args = [&args[..], &["-e", "strict=true"]].concat();
    twin_run_after("vault/filters.yml", 1, &strict_args, strict);
}

#[test]
fn templated_task_and_block_keywords_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("task-keywords.yml", 2, &[]);
    let files = |lab: &Lab| {
        files_in_opt(
            lab,
            &["node1", "node2"],
            &["check-by-host", "block-written", "after-task-failure"],
        )
    };
    assert_eq!(files(&ours), files(&theirs));
    assert_eq!(
        files(&ours),
        // node1 is in check mode by the task's template, over the block's;
        // the templated any_errors_fatal ended the play at node1's failure.
        ["node2:/opt/check-by-host", "node2:/opt/block-written"]
    );
}

#[test]
fn a_templated_value_outside_its_choices_fails_the_task_as_in_ansible() {
    let (ours, theirs) = twin_run("templated-choices.yml", 1, &[]);
    let files = |lab: &Lab| {
        files_in_opt(
            lab,
            &["node1"],
            &["made", "not-made", "sysctl.conf", "refused.txt"],
        )
    };
    assert_eq!(files(&ours), files(&theirs));
    assert_eq!(files(&ours), ["node1:/opt/made", "node1:/opt/refused.txt"]);
    assert_eq!(
        std::fs::read_to_string(ours.host_root("node1").join("opt/refused.txt"))
            .unwrap_or_default(),
        "value of state must be one of: absent, directory, file, hard, link, touch, got: dirctory\n\
         value of state must be one of: present, absent, got: gone\n"
    );
}

#[test]
fn role_argument_specs_are_validated_as_in_ansible() {
    let (ours, theirs) = twin_run("argspec.yml", 2, &[]);
    let files = [
        "specced-8080",
        "installed",
        "validation.txt",
        "specced-9090",
        "specced-1",
    ];
    assert_eq!(
        files_in_opt(&ours, &["node1", "node2"], &files),
        files_in_opt(&theirs, &["node1", "node2"], &files)
    );
    assert_same_files(
        &ours,
        &theirs,
        &["node1", "node2"],
        &["opt/specced-8080", "opt/specced-9090"],
    );
    // Ansible lists the valid booleans from a Python set, whose order
    // changes from run to run: the messages are compared up to that list.
    let messages = |lab: &Lab| {
        let text = std::fs::read_to_string(lab.host_root("node1").join("opt/validation.txt"))
            .unwrap_or_default();
        text.lines()
            .map(|line| {
                line.split(" Valid booleans include: ")
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(messages(&ours), messages(&theirs));
    assert_eq!(messages(&ours).len(), 5, "{:?}", messages(&ours));
}

#[test]
fn a_role_runs_once_unless_it_allows_duplicates_as_in_ansible() {
    let (ours, theirs) = twin_run("role-duplicates.yml", 1, &[]);
    assert_same_files(&ours, &theirs, &["node1"], &["opt/counted.log"]);
    assert_eq!(
        std::fs::read_to_string(ours.host_root("node1").join("opt/counted.log"))
            .unwrap_or_default(),
        // The import ran it again (import_role and include_role allow
        // duplicates unless told not to); the includes that do not are
        // the same role as the import's, which has run.
        "main\napp_one\napp_two\nfrom-dep\napp_three\nother\ntwice\ntwice\nmain\n"
    );
}

#[test]
fn a_program_that_cannot_run_fails_command_as_in_ansible() {
    let (ours, theirs) = twin_run("command-errors.yml", 1, &[]);
    assert_same_files(&ours, &theirs, &["node1"], &["opt/command-errors.txt"]);
}

#[test]
fn gather_facts_as_a_task_gathers_as_in_ansible() {
    let (ours, theirs) = twin_run("gather-task.yml", 1, &[]);
    assert_same_files(
        &ours,
        &theirs,
        &["node1"],
        &["opt/gathered.txt", "opt/gathered-all.txt"],
    );
}

#[test]
fn keywords_that_do_not_render_fail_the_task_as_in_ansible() {
    let (ours, theirs, runbook, ansible) = twin_outputs("keyword-errors.yml", 2, &[], |_: &Lab| {});
    let fatal = |output: &Output| -> Vec<String> {
        let mut lines: Vec<String> = output
            .stdout
            .lines()
            .filter(|line| line.starts_with("fatal: "))
            .map(str::to_string)
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(fatal(&runbook), fatal(&ansible));
    let files =
        |lab: &Lab| files_in_opt(lab, &["node1", "node2"], &["after-keyword-errors", "never"]);
    assert_eq!(files(&ours), files(&theirs));
    assert_eq!(files(&ours), ["node1:/opt/after-keyword-errors"]);
}

#[test]
fn a_file_only_a_conditional_include_reads_is_read_where_it_runs_as_in_ansible() {
    let (ours, theirs, runbook, _) = twin_outputs("unreadable-include.yml", 2, &[], |_: &Lab| {});
    let files = |lab: &Lab| files_in_opt(lab, &["node1", "node2"], &["went-on", "never"]);
    assert_eq!(files(&ours), files(&theirs));
    assert_eq!(files(&ours), ["node1:/opt/went-on", "node2:/opt/went-on"]);
    assert!(
        runbook.stderr.contains(
            "[WARNING]: runbook cannot run tasks/other-os.yml, which this include reads only where its `when` holds: `no_such_module_anywhere` is neither a task keyword nor a module runbook supports at "
        ),
        "{}",
        runbook.stderr
    );
}

#[test]
fn roles_of_a_collection_load_and_run_as_in_ansible() {
    let (ours, theirs) = twin_run("collection-roles.yml", 1, &[]);
    let files = ["opt/greet", "opt/base", "opt/base-again", "opt/role-names"];
    assert_same_files(&ours, &theirs, &["node1"], &files);
    let read = |file: &str| std::fs::read_to_string(ours.host_root("node1").join(file)).ok();
    assert_eq!(
        read("opt/greet").as_deref(),
        Some("greet acme.tools.greet from-base-defaults\n")
    );
    assert_eq!(
        read("opt/base-again").as_deref(),
        Some("base acme.tools.base\n")
    );
}

#[test]
fn uri_writes_dest_with_its_attributes_unless_not_modified_as_in_ansible() {
    let served = tempfile::tempdir().expect("tmp");
    std::fs::write(served.path().join("data.txt"), "served\n").expect("write");
    let server = crate::support::HttpServer::serve(served.path());
    let url = format!("url={}", server.url("data.txt"));
    let (ours, theirs) = twin_run("uri-dest.yml", 1, &["-e", &url]);
    assert_same_files(
        &ours,
        &theirs,
        &["node1"],
        &["opt/uri-data", "opt/uri-results"],
    );
    let mode = |lab: &Lab| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(lab.host_root("node1").join("opt/uri-data"))
            .map(|m| m.permissions().mode() & 0o7777)
            .ok()
    };
    assert_eq!(mode(&ours), mode(&theirs));
    assert_eq!(mode(&ours), Some(0o640));
}

#[test]
fn arguments_written_under_their_aliases_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("argument-aliases.yml", 1, &[]);
    let files = [
        "opt/aliases/conf",
        "opt/aliases/settings.ini",
        "opt/aliases/results",
    ];
    assert_same_files(&ours, &theirs, &["node1"], &files);
    assert_eq!(
        std::fs::read_to_string(ours.host_root("node1").join("opt/aliases/results")).ok(),
        Some("8\n64\n['/opt/aliases/settings.ini']\n".to_string())
    );
}

/// Who failed how (`fatal: [node3]: UNREACHABLE!`): the messages are each
/// tool's own words for a refused connection.
fn fatal_lines(output: &str) -> Vec<String> {
    output
        .lines()
        .filter(|line| line.starts_with("fatal: "))
        .filter_map(|line| line.split(" => ").next())
        .map(str::to_string)
        .collect()
}

#[test]
fn reboot_waits_reconnects_and_times_out_as_in_ansible() {
    let stays_down = |lab: &Lab| {
        let knobs = lab
            .host_root("node3")
            .join("var/lib/runbook-shims/power/knobs");
        std::fs::create_dir_all(&knobs).expect("knobs");
        std::fs::write(knobs.join("stays_down"), "").expect("knob");
    };
    let (ours, theirs, runbook, ansible) =
        twin_outputs("reboot.yml", 3, &["--forks", "1"], stays_down);
    assert_eq!(
        fatal_lines(&runbook.stdout),
        fatal_lines(&ansible.stdout),
        "--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    for host in ["node1", "node2", "node3"] {
        assert_eq!(
            ours.calls_of(host, "shutdown"),
            theirs.calls_of(host, "shutdown"),
            "{host}: the same shutdown command"
        );
    }
    assert_eq!(
        ours.calls_of("node1", "shutdown"),
        vec!["-r 0 'maintenance of node1'".to_string()]
    );
    for host in ["node1", "node2"] {
        let read = |lab: &Lab| {
            std::fs::read_to_string(lab.host_root(host).join("opt/reboot-result.json"))
                .expect("the recorded result")
        };
        assert_eq!(read(&ours), read(&theirs), "{host}: the same results");
    }
}

#[test]
fn async_jobs_polls_and_async_status_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("async.yml", 2, &[]);
    assert_same_files(
        &ours,
        &theirs,
        &["node1", "node2"],
        &[
            "opt/polled.json",
            "opt/started.json",
            "opt/status.json",
            "opt/fired",
        ],
    );
    let polled = std::fs::read_to_string(ours.host_root("node1").join("opt/polled.json"))
        .expect("the polled result");
    assert_eq!(
        polled,
        r#"{
    "changed": true,
    "cmd": "echo \"$GREETING from $(pwd)\"; echo warn >&2; sleep 1",
    "finished": true,
    "job_file": true,
    "rc": 0,
    "started": true,
    "stderr": "warn",
    "stdout": "hello from /opt"
}"#
    );
}

#[test]
fn module_defaults_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("module-defaults.yml", 2, &[]);
    assert_same_files(
        &ours,
        &theirs,
        &["node1", "node2"],
        &["opt/modes", "opt/where-shell-ran"],
    );
    let modes = std::fs::read_to_string(ours.host_root("node1").join("opt/modes")).expect("modes");
    assert_eq!(
        modes,
        "/opt/md-block 604\n/opt/md-own 610\n/opt/md-play 600\n/opt/md-task-wins 644\n"
    );
}

#[test]
fn vars_files_alternatives_and_host_variables_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("vars-files/play.yml", 2, &[]);
    assert_same_files(&ours, &theirs, &["node1", "node2"], &["opt/vars-files"]);
    let read = |lab: &Lab, host: &str| {
        std::fs::read_to_string(lab.host_root(host).join("opt/vars-files"))
            .unwrap_or_else(|e| format!("{host}: {e}"))
    };
    assert_eq!(
        read(&ours, "node1"),
        "debian family / node1 has its own / from the vars folder\n"
    );
    assert_eq!(
        read(&ours, "node2"),
        "debian family / the default host file / from the vars folder\n"
    );

    let (ours, theirs) = twin_run("vars-files/undefined.yml", 2, &[]);
    let files =
        |lab: &Lab| files_in_opt(lab, &["node1", "node2"], &["without-facts", "with-facts"]);
    assert_eq!(files(&ours), files(&theirs));
    assert_eq!(
        files(&ours),
        ["node1:/opt/without-facts", "node2:/opt/without-facts"]
    );
}

/// `-o` lines with the times blanked, sorted (hosts answer in any order).
fn one_lines(output: &str) -> Vec<String> {
    let times = regex::Regex::new(r#""(delta|start|end)": "[^"]*""#).expect("regex");
    let mut lines: Vec<String> = output
        .lines()
        .map(|line| times.replace_all(line, r#""$1": "[TIME]""#).into_owned())
        .collect();
    lines.sort();
    lines
}

/// A tree file's JSON without the times.
fn tree_file(dir: &Path, host: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(host))
        .unwrap_or_else(|e| panic!("{}/{host}: {e}", dir.display()));
    let mut json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{host}: {e}\n{text}"));
    if let Some(map) = json.as_object_mut() {
        for key in ["delta", "start", "end"] {
            map.remove(key);
        }
    }
    json
}

#[test]
fn adhoc_one_line_and_tree_output_as_in_ansible() {
    let lab = Lab::up(2);
    let cases: &[&[&str]] = &[
        &["-m", "shell", "-a", "echo out; echo err >&2"],
        &["-m", "shell", "-a", "printf 'a\\nb'; exit 3"],
        &["-m", "command", "-a", "echo hi"],
        &["-m", "ping"],
        &["-m", "debug", "-a", "msg='two\\nlines'"],
        &["-m", "fail", "-a", "msg=boom"],
    ];
    for (index, case) in cases.iter().enumerate() {
        let ours_tree = lab.project.join(&format!("ours-{index}"));
        let theirs_tree = lab.project.join(&format!("theirs-{index}"));
        let mut args = vec!["all", "-i", "inventories/lab", "-o"];
        args.extend_from_slice(case);
        let mut runbook_args = vec!["run"];
        runbook_args.extend_from_slice(&args);
        runbook_args.extend_from_slice(&["-t", ours_tree.to_str().expect("utf8")]);
        let ours = lab.run(&runbook_args);
        args.extend_from_slice(&["-t", theirs_tree.to_str().expect("utf8")]);
        let theirs = crate::support::ansible_adhoc(lab.project.path(), &args);
        let both = format!(
            "{case:?}\n--- runbook\n{}\n--- ansible\n{}",
            ours.all(),
            theirs.all()
        );
        assert_eq!(ours.code, theirs.code, "exit codes differ\n{both}");
        assert!(ours.stdout.lines().count() >= 2, "{both}");
        assert_eq!(one_lines(&ours.stdout), one_lines(&theirs.stdout), "{both}");
        for host in ["node1", "node2"] {
            assert_eq!(
                tree_file(&ours_tree, host),
                tree_file(&theirs_tree, host),
                "{host}'s tree file\n{both}"
            );
        }
    }
}

#[test]
fn adhoc_background_jobs_as_in_ansible() {
    let lab = Lab::up(2);
    let jids = regex::Regex::new(r"j[0-9]+\.[0-9]+").expect("regex");
    let cases: &[&[&str]] = &[
        &[
            "-m",
            "shell",
            "-a",
            "sleep 1; echo done",
            "-B",
            "10",
            "-P",
            "1",
        ],
        &[
            "-m",
            "shell",
            "-a",
            "sleep 1; echo done",
            "-B",
            "10",
            "-P",
            "0",
        ],
        &["-m", "command", "-a", "echo -P alone", "-P", "3"],
        // Past the limit: which of the two failures a tool reports depends
        // on whether its last poll comes before the job's killer writes the
        // job file (Ansible's polls are slow enough that it usually does
        // not); the exit codes and the failed hosts agree.
        &["-m", "command", "-a", "sleep 9", "-B", "2", "-P", "1"],
    ];
    for (index, case) in cases.iter().enumerate() {
        let mut args = vec![
            "all",
            "-i",
            "inventories/lab",
            "-o",
            "-e",
            "ansible_async_dir=/opt/.jobs",
        ];
        args.extend_from_slice(case);
        let mut runbook_args = vec!["run"];
        runbook_args.extend_from_slice(&args);
        let ours = lab.run(&runbook_args);
        let theirs = crate::support::ansible_adhoc(lab.project.path(), &args);
        let both = format!(
            "{case:?}\n--- runbook\n{}\n--- ansible\n{}",
            ours.all(),
            theirs.all()
        );
        let lines = |output: &str| -> Vec<String> {
            one_lines(output)
                .into_iter()
                .map(|line| jids.replace_all(&line, "[JID]").into_owned())
                .collect()
        };
        assert_eq!(ours.code, theirs.code, "exit codes differ\n{both}");
        if index + 1 < cases.len() {
            assert_eq!(lines(&ours.stdout), lines(&theirs.stdout), "{both}");
        } else {
            let failed = |output: &str| {
                let mut hosts: Vec<String> = output
                    .lines()
                    .filter(|line| line.contains(" | FAILED! => "))
                    .filter_map(|line| line.split(' ').next())
                    .map(str::to_string)
                    .collect();
                hosts.sort();
                hosts
            };
            assert_eq!(failed(&ours.stdout), ["node1", "node2"], "{both}");
            assert_eq!(failed(&theirs.stdout), ["node1", "node2"], "{both}");
        }
    }
}

#[test]
fn public_role_variables_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("role-vars/play.yml", 1, &[]);
    assert_same_files(
        &ours,
        &theirs,
        &["node1"],
        &["opt/play-sees", "opt/app-sees", "opt/private-visible"],
    );
    let read = |file: &str| {
        std::fs::read_to_string(ours.host_root("node1").join("opt").join(file)).expect(file)
    };
    assert_eq!(read("play-sees"), "app /srv/app shop\n");
    assert_eq!(read("app-sees"), "app@/srv/app:8080\n");
    assert_eq!(read("private-visible"), "False");
}

#[test]
fn async_jobs_under_check_mode_and_loops_behave_as_in_ansible() {
    let (ours, theirs) = twin_run("async-check.yml", 2, &["--check"]);
    assert_same_files(
        &ours,
        &theirs,
        &["node1", "node2"],
        &["opt/check-results", "opt/looped"],
    );
    assert_eq!(
        files_in_opt(&ours, &["node1", "node2"], &["never", "never-either"]),
        Vec::<String>::new(),
        "--check touched nothing it predicted"
    );
    let results = std::fs::read_to_string(ours.host_root("node1").join("opt/check-results"))
        .expect("the results");
    assert_eq!(results, "[true, true, [true, true]]");
}

#[test]
fn end_role_skips_the_rest_of_its_role_on_that_host_as_in_ansible() {
    let (ours, theirs) = twin_run("end-role.yml", 2, &[]);
    let files = |lab: &Lab| {
        files_in_opt(
            lab,
            &["node1", "node2"],
            &[
                "role-start-play",
                "role-block-play",
                "role-end-play",
                "after-roles",
                "role-start-one",
                "role-end-one",
                "role-block-two",
                "role-end-two",
                "early-exit-handled",
                "imported-handler",
                "listening-handler",
                "qualified-handler",
                "play-handler",
            ],
        )
    };
    assert_eq!(files(&ours), files(&theirs));
    assert_eq!(
        files(&ours),
        [
            "node1:/opt/role-start-play",
            "node1:/opt/after-roles",
            "node1:/opt/role-start-one",
            "node1:/opt/early-exit-handled",
            "node1:/opt/imported-handler",
            "node1:/opt/listening-handler",
            "node1:/opt/qualified-handler",
            "node2:/opt/role-start-play",
            "node2:/opt/role-block-play",
            "node2:/opt/role-end-play",
            "node2:/opt/after-roles",
            "node2:/opt/role-start-one",
            "node2:/opt/role-end-one",
            "node2:/opt/role-block-two",
            "node2:/opt/role-end-two",
            "node2:/opt/early-exit-handled",
            "node2:/opt/imported-handler",
            "node2:/opt/listening-handler",
            "node2:/opt/qualified-handler",
        ]
    );
}

#[test]
fn include_role_reads_the_files_it_names_and_publishes_as_in_ansible() {
    let (ours, theirs) = twin_run("role-files.yml", 2, &[]);
    let files = [
        "opt/before-public",
        "opt/after-public",
        "opt/public-in-batch",
    ];
    assert_same_files(&ours, &theirs, &["node1", "node2"], &files);
    assert_same_files(
        &ours,
        &theirs,
        &["node1"],
        &["opt/from-other", "opt/other-handler"],
    );
    let only = |lab: &Lab| {
        files_in_opt(
            lab,
            &["node1", "node2"],
            &["from-main", "main-handler", "from-other"],
        )
    };
    assert_eq!(only(&ours), only(&theirs));
    assert_eq!(only(&ours), ["node1:/opt/from-other"]);
    assert_eq!(
        std::fs::read_to_string(ours.host_root("node2").join("opt/after-public")).ok(),
        Some("defaults-other vars-other\n".to_string())
    );
    assert_eq!(
        std::fs::read_to_string(ours.host_root("node2").join("opt/public-in-batch")).ok(),
        Some("undefined\n".to_string())
    );
}

#[test]
fn handlers_that_include_tasks_run_them_as_handlers_as_in_ansible() {
    let (ours, theirs) = twin_run("handler-include.yml", 2, &[]);
    assert_same_files(
        &ours,
        &theirs,
        &["node1", "node2"],
        &[
            "opt/handler-stopped",
            "opt/handler-started",
            "opt/after-restart",
        ],
    );
}

#[test]
fn assemble_joins_fragments_as_in_ansible() {
    let (ours, theirs) = twin_run("assemble.yml", 1, &[]);
    let files = [
        "opt/all.conf",
        "opt/filtered.conf",
        "opt/local.conf",
        "opt/assemble-results",
    ];
    assert_same_files(&ours, &theirs, &["node1"], &files);
    let read = |path: &str| {
        std::fs::read_to_string(ours.host_root("node1").join(path)).expect("assembled")
    };
    assert_eq!(read("opt/all.conf"), "hidden\nfirst\nsecond\nlate\nthird\n");
    assert_eq!(
        read("opt/filtered.conf"),
        "first\n# -- part\nsecond\n# -- part\nthird\n"
    );
    assert_eq!(read("opt/local.conf"), "local one\nlocal two");
    assert!(!ours.host_root("node1").join("opt/invalid.conf").exists());
    let results = read("opt/assemble-results");
    for needle in [
        "True /opt/all.conf /opt/frag ",
        " OK 0644 ",
        "False /opt/all.conf /opt/frag ",
        "Source (/opt/nowhere) does not exist",
        "Source (/opt/all.conf) is not a directory",
    ] {
        assert!(results.contains(needle), "{needle:?} in\n{results}");
    }
}

#[test]
fn notifying_a_missing_handler_ends_the_run_as_in_ansible() {
    let (ours, theirs, runbook, ansible) = twin_outputs("missing-handler.yml", 2, &[], |_| {});
    let message = "The requested handler 'no such handler' was not found in either the main \
                   handlers list nor in the listening handlers list";
    assert!(ansible.stderr.contains(message), "{}", ansible.all());
    assert!(runbook.stderr.contains(message), "{}", runbook.all());
    let files = |lab: &Lab| {
        files_in_opt(
            lab,
            &["node1", "node2"],
            &["after-missing", "real-handler", "next-play"],
        )
    };
    assert_eq!(files(&ours), files(&theirs));
    assert!(files(&ours).is_empty());
}

#[test]
fn debug_assert_and_loop_items_print_as_in_ansible() {
    let (_, _, runbook, ansible) = twin_outputs("display.yml", 2, &[], |_| {});
    assert_eq!(
        result_blocks(&runbook),
        result_blocks(&ansible),
        "--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
}

#[test]
fn templated_notify_names_behave_as_in_ansible() {
    let (ours, theirs, runbook, _) = twin_outputs("templated-notify.yml", 1, &[], |_| {});
    assert!(
        runbook
            .stderr
            .contains("The requested handler 'restart node1' was not found"),
        "{}",
        runbook.all()
    );
    let files = |lab: &Lab| files_in_opt(lab, &["node1"], &["restarted-web", "after-templated"]);
    assert_eq!(files(&ours), files(&theirs));
    assert_eq!(files(&ours), ["node1:/opt/restarted-web"]);
}

#[test]
fn gathered_facts_are_the_ones_ansible_gathers() {
    let (ours, theirs) = twin_run("facts.yml", 1, &[]);
    assert_same_files(
        &ours,
        &theirs,
        &["node1"],
        &[
            "opt/facts.txt",
            "opt/min-facts.txt",
            "opt/filtered-facts.txt",
            "opt/subset-facts.txt",
        ],
    );
}
