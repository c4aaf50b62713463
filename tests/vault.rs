//! Ansible Vault end to end: `runbook vault` and the real `ansible-vault`
//! read each other's files and strings (1.1, and 1.2 with a label; password
//! files, scripts and client scripts), and a run decrypts vaulted data
//! wherever Ansible does, in memory, masking every revealed value.

use std::os::unix::fs::PermissionsExt;

use crate::support::{Output, Project, ansible_vault};

const PASSWORD: &str = "correct horse";
const PLAINTEXT: &str = "db_password: s3cr3t-value\nport: 5432\n";

/// A project with the password as a file (`pw`), a plain script (`pw.sh`)
/// and a client script (`pw-client.sh`) that answers only for `--vault-id prod`.
fn project() -> Project {
    let project = Project::local();
    project.file("pw", &format!("{PASSWORD}\n"));
    project.file("pw.sh", &format!("#!/bin/sh\necho '{PASSWORD}'\n"));
    project.file(
        "pw-client.sh",
        &format!(
            "#!/bin/sh\n[ \"$*\" = '--vault-id prod' ] || {{ echo \"asked: $*\" >&2; exit 2; }}\necho '{PASSWORD}'\n"
        ),
    );
    for script in ["pw.sh", "pw-client.sh"] {
        let path = project.join(script);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    project
}

#[track_caller]
fn ok(output: Output) -> Output {
    output.assert_code(0);
    output
}

fn runbook(project: &Project, args: &[&str]) -> Output {
    let mut all = vec!["vault"];
    all.extend_from_slice(args);
    project.run(&all)
}

/// The password sources both tools are given, and the header they write.
const SOURCES: [(&[&str], &[&str], &str); 3] = [
    (
        &["--vault-password-file", "pw"],
        &["--vault-password-file", "pw"],
        "$ANSIBLE_VAULT;1.1;AES256",
    ),
    (
        &["--vault-id", "prod@pw.sh"],
        &["--vault-id", "prod@pw.sh"],
        "$ANSIBLE_VAULT;1.2;AES256;prod",
    ),
    (
        &["--vault-id", "prod@pw-client.sh"],
        &["--vault-id", "prod@pw-client.sh"],
        "$ANSIBLE_VAULT;1.2;AES256;prod",
    ),
];

#[test]
fn files_encrypted_by_one_are_read_by_the_other() {
    let project = project();
    for (ours, theirs, header) in SOURCES {
        project.file("by_runbook.yml", PLAINTEXT);
        ok(runbook(
            &project,
            &[&["encrypt"], ours, &["by_runbook.yml"]].concat(),
        ));
        let vaulted = project.read("by_runbook.yml");
        assert_eq!(vaulted.lines().next(), Some(header), "{vaulted}");
        assert!(
            vaulted
                .lines()
                .skip(1)
                .all(|line| line.len() == 80 || !line.is_empty())
        );
        let mode = std::fs::metadata(project.join("by_runbook.yml")).expect("meta");
        assert_eq!(
            mode.permissions().mode() & 0o777,
            0o600,
            "as ansible-vault writes it"
        );
        let view = ok(ansible_vault(
            project.path(),
            &[&["view"], theirs, &["by_runbook.yml"]].concat(),
            b"",
        ));
        assert_eq!(view.stdout, PLAINTEXT);

        project.file("by_ansible.yml", PLAINTEXT);
        let mut encrypt = vec!["encrypt"];
        encrypt.extend_from_slice(theirs);
        encrypt.push("by_ansible.yml");
        ok(ansible_vault(project.path(), &encrypt, b""));
        let view = ok(runbook(
            &project,
            &[&["view"], ours, &["by_ansible.yml"]].concat(),
        ));
        assert_eq!(view.stdout, PLAINTEXT);
        ok(runbook(
            &project,
            &[&["decrypt"], ours, &["by_ansible.yml"]].concat(),
        ));
        assert_eq!(project.read("by_ansible.yml"), PLAINTEXT);
    }
}

#[test]
fn stdin_and_output_work_as_in_ansible_vault() {
    let project = project();
    let output = project.run_with_input(
        &[
            "vault",
            "encrypt",
            "--vault-password-file",
            "pw",
            "--output",
            "-",
        ],
        &[],
        Some(PLAINTEXT.as_bytes()),
    );
    output.assert_code(0);
    let decrypted = ansible_vault(
        project.path(),
        &["decrypt", "--vault-password-file", "pw", "--output", "-"],
        output.stdout.as_bytes(),
    );
    assert_eq!(ok(decrypted).stdout, PLAINTEXT);
    project.file("plain.yml", PLAINTEXT);
    ok(runbook(
        &project,
        &[
            "encrypt",
            "--vault-password-file",
            "pw",
            "plain.yml",
            "--output",
            "copy.yml",
        ],
    ));
    assert_eq!(
        project.read("plain.yml"),
        PLAINTEXT,
        "--output leaves the input alone"
    );
    let again = runbook(
        &project,
        &["encrypt", "--vault-password-file", "pw", "copy.yml"],
    );
    again.assert_code(1);
    assert_eq!(
        again.stderr,
        format!(
            "ERROR! input is already encrypted for {}\n",
            project.join("copy.yml").display()
        )
    );
}

/// ansible-vault's layout with the hexadecimal digits hidden.
fn layout(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim().chars().all(|c| c.is_ascii_hexdigit()) && !line.trim().is_empty() {
                format!(
                    "{}<{}>",
                    &line[..line.len() - line.trim_start().len()],
                    line.trim().len()
                )
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The envelope of an `encrypt_string` value, unindented: a vault file.
fn envelope_of(yaml: &str) -> String {
    yaml.lines()
        .filter(|line| line.starts_with("          "))
        .map(|line| format!("{}\n", line.trim()))
        .collect()
}

#[test]
fn strings_encrypted_by_one_are_read_by_the_other() {
    let project = project();
    let args: &[&str] = &[
        "encrypt_string",
        "--vault-id",
        "prod@pw",
        "a secret value",
        "--name",
        "token",
    ];
    let ours = ok(runbook(&project, args));
    let theirs = ok(ansible_vault(project.path(), args, b""));
    assert_eq!(
        layout(&ours.stdout),
        layout(&theirs.stdout),
        "the same YAML layout"
    );
    assert!(
        ours.stdout
            .starts_with("token: !vault |\n          $ANSIBLE_VAULT;1.2;AES256;prod\n")
    );
    let decrypted = ansible_vault(
        project.path(),
        &["decrypt", "--vault-password-file", "pw", "--output", "-"],
        envelope_of(&ours.stdout).as_bytes(),
    );
    assert_eq!(ok(decrypted).stdout, "a secret value");

    // ansible-vault's value, used by a run: the copy writes the cleartext.
    let stdin_value = ansible_vault(
        project.path(),
        &[
            "encrypt_string",
            "--vault-password-file",
            "pw",
            "--stdin-name",
            "token",
        ],
        b"from stdin",
    );
    project.file(
        "site.yml",
        &format!(
            "- hosts: alpha\n  gather_facts: false\n  vars:\n{}\n  tasks:\n    - copy:\n        content: \"{{{{ token }}}}\"\n        dest: \"{{{{ playbook_dir }}}}/out.txt\"\n",
            indent(&ok(stdin_value).stdout, 4)
        ),
    );
    let run = project.run(&[
        "play",
        "site.yml",
        "-i",
        "inventories/local",
        "--vault-password-file",
        "pw",
    ]);
    ok(run);
    assert_eq!(project.read("out.txt"), "from stdin");
}

fn indent(text: &str, by: usize) -> String {
    text.lines()
        .map(|line| format!("{:by$}{line}", ""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn edit_uses_a_private_temporary_file_and_rekey_changes_the_password() {
    let project = project();
    project.file("secrets.yml", PLAINTEXT);
    ok(ansible_vault(
        project.path(),
        &["encrypt", "--vault-id", "prod@pw", "secrets.yml"],
        b"",
    ));
    std::fs::set_permissions(
        project.join("secrets.yml"),
        std::fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");
    let record = project.join("editor.log");
    project.file(
        "editor.sh",
        &format!(
            "#!/bin/sh\nstat -c '%a %n' \"$1\" > '{}'\necho 'added: true' >> \"$1\"\n",
            record.display()
        ),
    );
    std::fs::set_permissions(
        project.join("editor.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    let editor = project.join("editor.sh").display().to_string();
    let edit = project.run_with_env(
        &[
            "vault",
            "edit",
            "--vault-password-file",
            "pw",
            "secrets.yml",
        ],
        &[("EDITOR", &editor)],
    );
    ok(edit);
    let log = std::fs::read_to_string(&record).expect("the editor ran");
    let (mode, temp) = log.trim().split_once(' ').expect("mode and path");
    assert_eq!(mode, "600", "the cleartext copy is private");
    assert!(
        !std::path::Path::new(temp).exists(),
        "{temp} is removed after"
    );
    let vaulted = project.read("secrets.yml");
    assert!(
        vaulted.starts_with("$ANSIBLE_VAULT;1.2;AES256;prod\n"),
        "edit keeps the vault id"
    );
    let meta = std::fs::metadata(project.join("secrets.yml")).expect("meta");
    assert_eq!(
        meta.permissions().mode() & 0o777,
        0o640,
        "edit keeps the mode"
    );
    let view = ok(ansible_vault(
        project.path(),
        &["view", "--vault-password-file", "pw", "secrets.yml"],
        b"",
    ));
    assert_eq!(view.stdout, format!("{PLAINTEXT}added: true\n"));

    std::fs::remove_file(&record).expect("clean");
    let create = project.run_with_env(
        &[
            "vault",
            "create",
            "--vault-id",
            "dev@pw",
            "--skip-tty-check",
            "new/created.yml",
        ],
        &[("EDITOR", &editor)],
    );
    ok(create);
    let log = std::fs::read_to_string(&record).expect("the editor ran");
    assert!(log.starts_with("600 "), "{log}");
    assert!(
        project
            .read("new/created.yml")
            .starts_with("$ANSIBLE_VAULT;1.2;AES256;dev\n")
    );
    let view = ok(ansible_vault(
        project.path(),
        &["view", "--vault-id", "dev@pw", "new/created.yml"],
        b"",
    ));
    assert_eq!(view.stdout, "added: true\n");
    let again = project.run_with_env(
        &[
            "vault",
            "create",
            "--vault-id",
            "dev@pw",
            "--skip-tty-check",
            "new/created.yml",
        ],
        &[("EDITOR", &editor)],
    );
    again.assert_code(1);
    assert_eq!(
        again.stderr,
        "ERROR! new/created.yml exists, please use 'edit' instead\n"
    );

    project.file("new-pw", "another password\n");
    ok(runbook(
        &project,
        &[
            "rekey",
            "--vault-password-file",
            "pw",
            "--new-vault-password-file",
            "new-pw",
            "secrets.yml",
        ],
    ));
    let old = ansible_vault(
        project.path(),
        &["view", "--vault-password-file", "pw", "secrets.yml"],
        b"",
    );
    assert_eq!(
        old.code,
        1,
        "the old password no longer opens it\n{}",
        old.all()
    );
    let view = ok(ansible_vault(
        project.path(),
        &["view", "--vault-password-file", "new-pw", "secrets.yml"],
        b"",
    ));
    assert_eq!(view.stdout, format!("{PLAINTEXT}added: true\n"));
}

/// A project whose run reads vaulted data from every place Ansible reads it.
fn vaulted_run_project() -> Project {
    let project = project();
    let encrypt = |path: &str, text: &str| {
        project.file(path, text);
        ok(ansible_vault(
            project.path(),
            &["encrypt", "--vault-password-file", "pw", path],
            b"",
        ));
    };
    encrypt("group_vars/web.yml", "group_secret: group-s3cret\n");
    encrypt("host_vars/alpha/vault.yml", "host_secret: host-s3cret\n");
    encrypt("vars/file.yml", "file_secret: file-s3cret\n");
    encrypt("vars/included.yml", "included_secret: included-s3cret\n");
    encrypt("extra.yml", "extra_secret: extra-s3cret\n");
    encrypt(
        "roles/keeper/defaults/main.yml",
        "role_secret: role-s3cret\n",
    );
    encrypt("files/copied.txt", "copied-s3cret\n");
    encrypt("files/write.sh", "#!/bin/sh\necho scripted > \"$1\"\n");
    encrypt(
        "templates/page.j2",
        "templated-s3cret {{ inventory_hostname }}\n",
    );
    project.file(
        "roles/keeper/tasks/main.yml",
        "- copy:\n    dest: \"{{ playbook_dir }}/out/role.txt\"\n    content: \"{{ role_secret }}\"\n",
    );
    let inline = ok(ansible_vault(
        project.path(),
        &[
            "encrypt_string",
            "--vault-password-file",
            "pw",
            "inline-s3cret",
            "--name",
            "inline_secret",
        ],
        b"",
    ));
    project.file(
        "site.yml",
        &format!(
            r#"- hosts: alpha
  gather_facts: false
  vars:
{}
  vars_files: [vars/file.yml]
  roles: [keeper]
  tasks:
    - include_vars: vars/included.yml
    - copy:
        dest: "{{{{ playbook_dir }}}}/out/vars.txt"
        content: "{{{{ [group_secret, host_secret, inline_secret, file_secret, included_secret, extra_secret] | join(' ') }}}}\n"
    - copy:
        src: copied.txt
        dest: "{{{{ playbook_dir }}}}/out/copied.txt"
    - copy:
        src: copied.txt
        dest: "{{{{ playbook_dir }}}}/out/still-vaulted.txt"
        decrypt: false
    - template:
        src: page.j2
        dest: "{{{{ playbook_dir }}}}/out/page.txt"
    - script: write.sh "{{{{ playbook_dir }}}}/out/script.txt"
    - debug: var=inline_secret
"#,
            indent(&inline.stdout, 4)
        ),
    );
    std::fs::create_dir_all(project.join("out")).expect("out dir");
    project
}

const SECRETS: [&str; 9] = [
    "group-s3cret",
    "host-s3cret",
    "inline-s3cret",
    "file-s3cret",
    "included-s3cret",
    "extra-s3cret",
    "role-s3cret",
    "copied-s3cret",
    "templated-s3cret",
];

#[track_caller]
fn assert_results(project: &Project, output: &Output) {
    output.assert_code(0);
    assert_eq!(
        project.read("out/vars.txt"),
        "group-s3cret host-s3cret inline-s3cret file-s3cret included-s3cret extra-s3cret\n"
    );
    assert_eq!(project.read("out/role.txt"), "role-s3cret");
    assert_eq!(project.read("out/copied.txt"), "copied-s3cret\n");
    assert_eq!(
        project.read("out/still-vaulted.txt"),
        project.read("files/copied.txt"),
        "decrypt: false copies the vaulted file as it is"
    );
    assert_eq!(project.read("out/page.txt"), "templated-s3cret alpha\n");
    assert_eq!(
        project.read("out/script.txt"),
        "scripted\n",
        "a vaulted script runs"
    );
    for secret in SECRETS {
        assert!(
            !output.stdout.contains(secret) && !output.stderr.contains(secret),
            "{secret} is shown\n{}",
            output.all()
        );
    }
}

#[test]
fn a_run_decrypts_vaulted_data_wherever_ansible_does_and_masks_it() {
    let project = vaulted_run_project();
    let base = [
        "play",
        "site.yml",
        "-i",
        "inventories/local",
        "-e",
        "@extra.yml",
    ];
    let human =
        project.run(&[&base[..], &["--vault-password-file", "pw", "-v", "--diff"]].concat());
    assert_results(&project, &human);
    assert!(
        human.stdout.contains("\"inline_secret\": \"********\""),
        "{}",
        human.all()
    );
    assert!(
        human.stdout.contains("+********"),
        "the diff is masked\n{}",
        human.all()
    );

    std::fs::remove_dir_all(project.join("out")).expect("clean");
    std::fs::create_dir_all(project.join("out")).expect("out dir");
    let json = project.run(
        &[
            &base[..],
            &["--vault-id", "pw.sh", "--output", "json", "--diff"],
        ]
        .concat(),
    );
    assert_results(&project, &json);
    assert!(!json.events().is_empty(), "masking keeps the JSON valid");
}

#[test]
fn the_environment_names_the_password_sources() {
    let project = vaulted_run_project();
    let base = [
        "play",
        "site.yml",
        "-i",
        "inventories/local",
        "-e",
        "@extra.yml",
    ];
    let file = project.join("pw").display().to_string();
    let by_file = project.run_with_env(&base, &[("ANSIBLE_VAULT_PASSWORD_FILE", &file)]);
    assert_results(&project, &by_file);
    let list = format!("other@{},prod@{}", project.join("new-pw").display(), file);
    project.file("new-pw", "not this one\n");
    let by_list = project.run_with_env(&base, &[("ANSIBLE_VAULT_IDENTITY_LIST", &list)]);
    assert_results(&project, &by_list);
}

/// Without a secret a vaulted value is never used as its ciphertext: it is
/// an error at its position that says how to give the password (exit 1, as
/// ansible-playbook's vault errors).
#[test]
fn without_a_secret_vaulted_data_is_refused_at_its_position() {
    let vaulted = include_str!("../src/vault/test_vector.txt");
    let indented: String = vaulted
        .lines()
        .map(|line| format!("      {line}\n"))
        .collect();
    let project = Project::new();
    project.file(
        "site.yml",
        &format!("- hosts: all\n  vars:\n    db_password: !vault |\n{indented}  tasks:\n    - debug: msg=hi\n"),
    );
    // As in Ansible, which decrypts inline values when first used: nothing
    // runs under --syntax-check, so no secret is needed.
    project
        .run(&["play", "site.yml", "--syntax-check"])
        .assert_code(0);
    let output = project.run(&["play", "site.yml", "-i", "localhost,"]);
    output.assert_code(1);
    assert_eq!(
        output.stderr,
        "ERROR! Attempting to decrypt but no vault secrets found\n  \
         --> site.yml:4:7\n  |\n4 |       $ANSIBLE_VAULT;1.1;AES256\n  |       ^^^^^^^^^^^^^^^^^^^^^^^^^\n  \
         = help: give the vault password with --vault-password-file FILE, --ask-vault-pass or --vault-id LABEL@SOURCE (or set ANSIBLE_VAULT_PASSWORD_FILE)\n"
    );

    let project = Project::new();
    project
        .file(
            "site.yml",
            "- hosts: all\n  vars_files: [secrets.yml]\n  tasks:\n    - debug: msg=hi\n",
        )
        .file("secrets.yml", vaulted)
        .file("wrong", "not the password\n");
    let output = project.run(&["play", "site.yml", "-i", "localhost,"]);
    output.assert_code(1);
    assert!(
        output
            .stderr
            .starts_with("ERROR! Attempting to decrypt but no vault secrets found\n  --> ")
            && output.stderr.contains("secrets.yml:1:1"),
        "{}",
        output.all()
    );
    let output = project.run(&[
        "play",
        "site.yml",
        "-i",
        "localhost,",
        "--vault-password-file",
        "wrong",
    ]);
    output.assert_code(1);
    assert!(
        output.stderr.starts_with(
            "ERROR! Decryption failed (no vault secrets were found that could decrypt)\n  --> "
        ) && output.stderr.contains("secrets.yml:1:1"),
        "{}",
        output.all()
    );
    let output = project.run(&[
        "play",
        "site.yml",
        "-i",
        "localhost,",
        "--vault-password-file",
        "missing",
    ]);
    output.assert_code(1);
    assert_eq!(
        output.stderr,
        format!(
            "ERROR! The vault password file {} was not found\n",
            project.join("missing").display()
        )
    );
    // As in Ansible: a source that fails while another works is a warning.
    let output = project.run(&[
        "play",
        "site.yml",
        "-i",
        "localhost,",
        "--vault-password-file",
        "missing",
        "--vault-password-file",
        "wrong",
    ]);
    output.assert_code(1);
    assert!(
        output.stderr.starts_with(&format!(
            "[WARNING]: Error getting vault password file (default): The vault password file {} was not found\nERROR! Decryption failed",
            project.join("missing").display()
        )),
        "{}",
        output.all()
    );
}

#[test]
fn an_undecryptable_group_vars_file_exits_4_as_in_ansible() {
    let project = project();
    project.file("group_vars/web.yml", "secret: x\n");
    ok(ansible_vault(
        project.path(),
        &[
            "encrypt",
            "--vault-password-file",
            "pw",
            "group_vars/web.yml",
        ],
        b"",
    ));
    project.file(
        "site.yml",
        "- hosts: web\n  gather_facts: false\n  tasks:\n    - debug: var=secret\n",
    );
    project.file("wrong", "wrong\n");
    let output = project.run(&[
        "play",
        "site.yml",
        "-i",
        "inventories/local",
        "--vault-password-file",
        "wrong",
    ]);
    output.assert_code(4);
    assert!(
        output.stderr.contains("group_vars/web.yml:1:1"),
        "{}",
        output.all()
    );
}

/// `runbook ARGS` on a terminal (util-linux `script`), typing `answers`
/// one line per question, a second apart.
fn on_terminal(project: &Project, args: &str, answers: &[&str]) -> Output {
    let typing: String = answers
        .iter()
        .map(|answer| format!("sleep 1; printf '%s\\n' '{answer}'; "))
        .collect();
    let command = format!(
        "({typing}sleep 1) | NO_COLOR=1 script -qec '{} {args}' /dev/null",
        env!("CARGO_BIN_EXE_runbook")
    );
    let output = std::process::Command::new("sh")
        .args(["-c", &command])
        .current_dir(project.path())
        .output()
        .expect("script runs");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).replace('\r', ""),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn passwords_are_asked_on_the_terminal() {
    let project = project();
    project.file("secrets.yml", PLAINTEXT);
    let mismatch = on_terminal(&project, "vault encrypt secrets.yml", &["one", "two"]);
    assert_eq!(mismatch.code, 1, "{}", mismatch.all());
    assert!(
        mismatch.stdout.contains("New Vault password: \nConfirm New Vault password: \nERROR! The vault password prompt: Passwords do not match"),
        "{}",
        mismatch.all()
    );
    assert_eq!(project.read("secrets.yml"), PLAINTEXT);
    let encrypt = on_terminal(&project, "vault encrypt secrets.yml", &[PASSWORD, PASSWORD]);
    assert_eq!(encrypt.code, 0, "{}", encrypt.all());
    let view = ok(ansible_vault(
        project.path(),
        &["view", "--vault-password-file", "pw", "secrets.yml"],
        b"",
    ));
    assert_eq!(view.stdout, PLAINTEXT);

    project.file(
        "site.yml",
        "- hosts: alpha\n  gather_facts: false\n  vars_files: [secrets.yml]\n  tasks:\n    - debug: var=db_password\n",
    );
    let run = on_terminal(
        &project,
        "play site.yml -i inventories/local --ask-vault-pass",
        &[PASSWORD],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.starts_with("Vault password: \n"),
        "{}",
        run.all()
    );
    assert!(
        run.stdout.contains("\"db_password\": \"********\""),
        "{}",
        run.all()
    );
}

#[test]
fn ad_hoc_runs_take_the_same_secrets() {
    let project = project();
    project.file(
        "inventories/group_vars/web.yml",
        "group_secret: adhoc-s3cret\n",
    );
    ok(ansible_vault(
        project.path(),
        &[
            "encrypt",
            "--vault-id",
            "prod@pw",
            "inventories/group_vars/web.yml",
        ],
        b"",
    ));
    let output = project.run(&[
        "run",
        "alpha",
        "-i",
        "inventories/local",
        "-m",
        "copy",
        "-a",
        "content={{ group_secret }} dest={{ inventory_dir }}/../adhoc.txt",
        "--vault-id",
        "prod@pw-client.sh",
    ]);
    output.assert_code(0);
    assert_eq!(project.read("adhoc.txt"), "adhoc-s3cret");
    let shown = project.run(&[
        "run",
        "alpha",
        "-i",
        "inventories/local",
        "-m",
        "debug",
        "-a",
        "var=group_secret",
        "--vault-id",
        "prod@pw-client.sh",
    ]);
    shown.assert_code(0);
    assert_eq!(
        shown.stdout,
        "alpha | SUCCESS => {\n    \"changed\": false,\n    \"group_secret\": \"********\"\n}\n"
    );
}
