//! `-vvv` and `-vvvv` on a lab: each SSH session as it opens and each
//! command sent with its duration, in one whole-output snapshot; and what a
//! task's `no_log` hides (and a vault revealed) never shown, even at `-vvvv`.

use insta::assert_snapshot;

use crate::support::{Lab, Output, snapshot_settings, transcript};

const PLAYBOOK: &str = r#"
- hosts: node1
  gather_facts: false
  tasks:
    - name: say hello
      command: echo hello
    - name: as root
      command: id -un
      become: true
    - name: keep a secret
      shell: "echo {{ secret }} > /dev/null"
      no_log: true
"#;

const SECRET: &str = "NoLogSecret-4b7e";

fn snapshot(lab: &Lab, name: &str, output: &Output) {
    let mut settings = snapshot_settings(lab.project.path(), Some(&lab.name));
    settings.add_filter(r"SHA256:[A-Za-z0-9+/]+", "SHA256:[FINGERPRINT]");
    settings.bind(|| assert_snapshot!(name, transcript(output)));
}

/// node1 directly, with `become` and `no_log`, in a playbook and ad hoc; then node2 through node1 as
/// a jump host, whose session shows the hop.
#[test]
fn vvv_shows_each_session_and_each_command() {
    let lab = Lab::up(2);
    lab.project.file("site.yml", PLAYBOOK);
    let secret = format!("secret={SECRET}");
    let output = lab.run(&[
        "play", "site.yml", "-i", "lab", "-f", "1", "-vvv", "-e", &secret,
    ]);
    output.assert_code(0);
    snapshot(&lab, "verbose_vvv", &output);

    let output = lab.run(&[
        "run", "node1", "-i", "lab", "-m", "raw", "-a", "echo hi", "-vvv",
    ]);
    output.assert_code(0);
    snapshot(&lab, "verbose_vvv_adhoc", &output);

    let behind = crate::modules_sync::behind_a_jump_host(&lab);
    lab.project.file(
        "behind.yml",
        "- hosts: behind\n  gather_facts: false\n  tasks:\n    - raw: uname -s\n",
    );
    let output = lab.run(&["play", "behind.yml", "-i", &behind, "-vvv"]);
    output.assert_code(0);
    snapshot(&lab, "verbose_vvv_jump_host", &output);
}

/// What `no_log` hides and what a vault revealed stay hidden at `-vvvv`, in
/// the terminal view, in `--output json` and in the run's journal; the
/// commands themselves are still traced.
#[test]
fn vvvv_never_shows_a_no_log_secret_or_a_vaulted_value() {
    const VAULTED: &str = "Vaulted-Value-91d2";
    let lab = Lab::up(1);
    lab.project.file("pw", "lab vault password\n");
    let encrypted = lab.run(&[
        "vault",
        "encrypt_string",
        "--vault-password-file",
        "pw",
        VAULTED,
        "--name",
        "vaulted",
    ]);
    encrypted.assert_code(0);
    lab.project.file("vars.yml", &encrypted.stdout);
    lab.project.file(
        "site.yml",
        &format!(
            "{PLAYBOOK}    - name: say the vaulted value\n      command: echo {{{{ vaulted }}}}\n  vars_files: [vars.yml]\n"
        ),
    );
    let secret = format!("secret={SECRET}");
    for format in ["human", "json"] {
        let output = lab.run(&[
            "play",
            "site.yml",
            "-i",
            "lab",
            "-vvvv",
            "-e",
            &secret,
            "--vault-password-file",
            "pw",
            "--output",
            format,
        ]);
        output.assert_code(0);
        let traced = match format {
            "human" => "<node1> SENT script ",
            _ => "\"event\":\"command_sent\"",
        };
        assert_eq!(
            output.stdout.matches(traced).count(),
            4,
            "one traced command per task\n{}",
            output.all()
        );
        for hidden in [SECRET, VAULTED] {
            assert!(
                !output.all().contains(hidden),
                "{hidden} shown\n{}",
                output.all()
            );
        }
    }
    let journals = lab.project.join(".state/runbook/runs");
    let journal: String = std::fs::read_dir(&journals)
        .expect("journal dir")
        .map(|entry| std::fs::read_to_string(entry.expect("entry").path()).expect("read"))
        .collect();
    assert_eq!(
        journal.matches("\"event\":\"command_sent\"").count(),
        8,
        "{journal}"
    );
    for hidden in [SECRET, VAULTED] {
        assert!(
            !journal.contains(hidden),
            "{hidden} in the journal\n{journal}"
        );
    }
}

/// A local host's session at `-vvv` is Ansible's line for its local
/// connection, with the controller's user, and before its first command.
#[test]
fn vvv_shows_a_local_connection_as_ansible_does() {
    let project = crate::support::Project::local_with(
        "- hosts: alpha\n  gather_facts: false\n  tasks:\n    - command: \"true\"\n",
    );
    let ours = project.run(&["play", "site.yml", "-i", "inventories/local", "-vvv"]);
    let theirs = crate::support::ansible_playbook_without_terminal(
        project.path(),
        &["site.yml", "-i", "inventories/local", "-vvv"],
        b"",
    );
    let establish = |output: &Output| -> Vec<String> {
        output
            .stdout
            .lines()
            .filter(|line| line.contains("ESTABLISH"))
            .map(str::to_string)
            .collect()
    };
    let both = format!("--- runbook\n{}\n--- ansible\n{}", ours.all(), theirs.all());
    assert_eq!(establish(&ours).len(), 1, "{both}");
    assert_eq!(establish(&ours), establish(&theirs), "{both}");
    let first_exec = ours.stdout.find("> EXEC").unwrap_or(0);
    assert!(
        ours.stdout
            .find("ESTABLISH LOCAL")
            .is_some_and(|at| at < first_exec),
        "{both}"
    );
}
