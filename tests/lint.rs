//! `runbook check`: every trap of the fixture repository (tests/fixtures/lint/)
//! found, in each format, with the exit codes CI relies on; the shipped
//! playbooks are clean.

use std::path::Path;

use crate::support::{Output, Project, snapshot_settings, transcript};

fn fixture_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint")
}

/// A project holding a copy of the fixture repository.
fn fixture() -> Project {
    let project = Project::new();
    copy_tree(&fixture_dir(), &fixture_dir(), &project);
    project
}

fn copy_tree(root: &Path, dir: &Path, project: &Project) {
    for entry in std::fs::read_dir(dir).expect("fixture dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            copy_tree(root, &path, project);
        } else {
            let relative = path.strip_prefix(root).expect("inside the fixture");
            let text = std::fs::read_to_string(&path).expect("fixture file");
            project.file(relative.to_str().expect("utf-8 path"), &text);
        }
    }
}

fn assert_snapshot(name: &str, project: &Project, output: &Output) {
    snapshot_settings(project.path(), None).bind(|| {
        insta::assert_snapshot!(name, transcript(output));
    });
}

#[test]
fn check_finds_every_trap_of_the_fixture_as_people_read_it() {
    let project = fixture();
    let output = project.run(&["check"]);
    output.assert_code(2);
    assert_snapshot("lint_human", &project, &output);
}

#[test]
fn check_writes_github_annotations() {
    let project = fixture();
    let output = project.run(&["check", "--format", "github"]);
    output.assert_code(2);
    assert_snapshot("lint_github", &project, &output);
}

#[test]
fn check_writes_one_json_document() {
    let project = fixture();
    let output = project.run(&["check", "--format", "json"]);
    output.assert_code(2);
    let document: serde_json::Value =
        serde_json::from_str(&output.stdout).unwrap_or_else(|e| panic!("{e}\n{}", output.all()));
    assert_eq!(document["format"], 1);
    assert_snapshot("lint_json", &project, &output);
}

/// Each trap file holds its trap and nothing else.
#[test]
fn each_fixture_file_has_exactly_its_own_finding_codes() {
    let project = fixture();
    let expected: &[(&str, &[&str])] = &[
        ("clean.yml", &[]),
        ("octal-mode.yml", &["yaml-octal-mode"]),
        ("string-boolean.yml", &["yaml-string-boolean"]),
        ("unquoted-template.yml", &["yaml-unquoted-template"]),
        ("duplicate-key.yml", &["duplicate-key"]),
        ("undefined-variable.yml", &["undefined-variable"]),
        ("notify-without-handler.yml", &["notify-without-handler"]),
        ("deprecated-keyword.yml", &["deprecated-keyword"]),
        ("templated-condition.yml", &["templated-condition"]),
        ("syntax.yml", &["syntax"]),
    ];
    for (file, codes) in expected {
        let output = project.run(&["check", file, "--format", "json"]);
        let document: serde_json::Value = serde_json::from_str(&output.stdout)
            .unwrap_or_else(|e| panic!("{file}: {e}\n{}", output.all()));
        let mut found: Vec<String> = document["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|finding| finding["code"].as_str().expect("code").to_string())
            .collect();
        found.dedup();
        assert_eq!(&found, codes, "{file}\n{}", output.all());
    }
}

#[test]
fn a_clean_playbook_exits_0_and_says_so() {
    let project = fixture();
    let output = project.run(&["check", "clean.yml"]);
    output.assert_code(0);
    assert_eq!(
        output.stdout,
        "checked 1 playbook (4 files): no findings\n",
        "{}",
        output.all()
    );
}

#[test]
fn warnings_pass_unless_strict() {
    let project = fixture();
    let relaxed = project.run(&["check", "string-boolean.yml"]);
    relaxed.assert_code(0);
    assert!(
        relaxed.stdout.contains("warning[yaml-string-boolean]"),
        "{}",
        relaxed.all()
    );
    let strict = project.run(&["check", "--strict", "string-boolean.yml"]);
    strict.assert_code(2);
    assert!(
        strict.stdout.contains("error[yaml-string-boolean]"),
        "{}",
        strict.all()
    );
}

#[test]
fn names_given_with_e_count_as_defined() {
    let project = fixture();
    let output = project.run(&[
        "check",
        "undefined-variable.yml",
        "-e",
        "deploy_enabled=true",
    ]);
    output.assert_code(0);
    assert!(output.stdout.contains("`app_prot`"), "{}", output.all());
    assert!(
        !output.stdout.contains("deploy_enabled"),
        "{}",
        output.all()
    );
}

#[test]
fn a_directory_without_playbooks_is_a_bad_option() {
    let project = Project::new();
    project.file("vars.yml", "a: 1\n");
    let output = project.run(&["check"]);
    output.assert_code(5);
    assert!(
        output.stderr.contains("no playbooks found in ."),
        "{}",
        output.all()
    );
    project.run(&["check", "missing.yml"]).assert_code(5);
}

#[test]
fn the_shipped_playbooks_are_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let output = Project::new().run(&["check", "--strict", root.to_str().expect("utf-8")]);
    output.assert_code(0);
    assert!(
        output.stdout.ends_with(": no findings\n"),
        "{}",
        output.all()
    );
}

#[test]
fn a_playbook_named_without_its_folder_is_found_as_play_finds_it() {
    let project = Project::new();
    project.file(
        "playbooks/kwdb-offline.yml",
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: say hi\n      debug: {msg: hi}\n",
    );
    let output = project.run(&["check", "kwdb-offline.yml"]);
    output.assert_code(0);
    assert!(
        output.all().contains("checked 1 playbook"),
        "{}",
        output.all()
    );
    let missing = project.run(&["check", "nope.yml"]);
    missing.assert_code(5);
    assert!(
        missing.stderr.contains("playbooks/nope.yml"),
        "{}",
        missing.all()
    );
}

/// A play, a block, a task and a role's task each give a tag; `--tags`
/// and `--skip-tags` values none of them has are errors, with the closest
/// tag or the list of tags; Ansible's special tags are always fine.
#[test]
fn tags_no_task_has_are_errors() {
    let project = Project::new();
    project.file(
        "site.yml",
        r#"- hosts: all
  tags: [base]
  roles:
    - web
  tasks:
    - name: deploy
      debug: msg=hi
      tags: deploy
    - block:
        - debug: msg=config
      tags: [config]
"#,
    );
    project.file(
        "roles/web/tasks/main.yml",
        "- debug: msg=web\n  tags: nginx\n",
    );
    let clean = project.run(&[
        "check",
        "site.yml",
        "--tags",
        "deploy,config,nginx,base,always,all,tagged",
        "--skip-tags",
        "never,untagged",
    ]);
    clean.assert_code(0);
    assert_eq!(
        clean.stdout,
        "checked 1 playbook (2 files): no findings\n",
        "{}",
        clean.all()
    );

    let output = project.run(&["check", "site.yml", "-t", "deploi", "--skip-tags", "smoke"]);
    assert_eq!(
        crate::support::transcript(&output),
        "exit code: 2\n----- stdout -----\n\
error[unknown-tag]: `--tags deploi`: no play, role, block or task of the playbooks has this tag\n  --> site.yml\n  = help: did you mean `deploy`?\n\n\
error[unknown-tag]: `--skip-tags smoke`: no play, role, block or task of the playbooks has this tag\n  --> site.yml\n  = help: the playbooks' tags: base, config, deploy, nginx\n\n\
checked 1 playbook (2 files): 2 errors, 0 warnings\n----- stderr -----\n"
    );
}

/// An include whose file name is a template is read only when the play
/// runs: a tag it may hold is a warning, not an error.
#[test]
fn a_tag_may_hide_in_a_dynamic_include() {
    let project = Project::new();
    project.file(
        "site.yml",
        "- hosts: all\n  tasks:\n    - include_tasks: \"{{ which }}.yml\"\n",
    );
    let output = project.run(&["check", "site.yml", "-e", "which=x", "--tags", "deploy"]);
    assert_eq!(
        crate::support::transcript(&output),
        "exit code: 0\n----- stdout -----\n\
warning[unknown-tag]: `--tags deploy`: no play, role, block or task of the playbooks has this tag (a file included by a template name, read only when it runs, may have it)\n  --> site.yml\n  = help: the playbooks have no tags\n\n\
checked 1 playbook (1 file): 0 errors, 1 warning\n----- stderr -----\n"
    );
}

/// Without `-i`, the inventory ansible.cfg names defines variables for
/// `check` as it does for `play`.
#[test]
fn check_reads_the_inventory_ansible_cfg_names() {
    let project = Project::new();
    project.file(
        "site.yml",
        "- hosts: all\n  tasks:\n    - debug: msg=\"{{ app_port }}\"\n",
    );
    project.file("inventories/prod", "web1 app_port=80\n");
    let without = project.run(&["check", "site.yml"]);
    without.assert_code(0);
    assert!(
        without
            .stdout
            .contains("warning[undefined-variable]: `app_port`"),
        "{}",
        without.all()
    );
    project.file("ansible.cfg", "[defaults]\ninventory = inventories/prod\n");
    let with = project.run(&["check", "site.yml"]);
    with.assert_code(0);
    assert_eq!(
        with.stdout,
        "checked 1 playbook (1 file): no findings\n",
        "{}",
        with.all()
    );
}
