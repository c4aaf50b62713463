//! GitOps (issue 14): playbooks found under playbooks/ and `playbook_dir`,
//! `runbook init`'s repository (its tree, its refusal to overwrite, its
//! vaults, its pipelines parsed and checked against the providers'
//! schemas), and on a lab the generated pipelines' own steps and
//! `runbook play kwdb-offline.yml -i prod` verbatim.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{
    CiContext, Lab, Project, read_yaml, run_github_job, run_gitlab_job, snapshot_settings,
    transcript,
};

const VAULT_PASSWORD: &str = "correct horse battery staple";

/// A project with `repo/` written by `runbook init` (vaulted with
/// `.vault-pass` beside it when `vaulted`).
fn initialized(vaulted: bool) -> Project {
    let project = Project::new();
    project.file(".vault-pass", &format!("{VAULT_PASSWORD}\n"));
    let mut args = vec!["init", "repo"];
    if vaulted {
        args.extend(["--vault-password-file", ".vault-pass"]);
    }
    project.run(&args).assert_code(0);
    project
}

/// `MODE PATH` for every file below `dir`, sorted.
fn tree(dir: &Path) -> String {
    fn walk(base: &Path, dir: &Path, lines: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, lines);
            } else {
                let mode = entry.metadata().expect("meta").permissions().mode() & 0o7777;
                let relative = path.strip_prefix(base).expect("below");
                lines.push(format!("{mode:04o} {}", relative.display()));
            }
        }
    }
    let mut lines = Vec::new();
    walk(dir, dir, &mut lines);
    lines.sort_by(|a, b| a[5..].cmp(&b[5..]));
    lines.join("\n") + "\n"
}

#[test]
fn init_writes_the_repository_with_its_modes() {
    let project = Project::new();
    project.file(".vault-pass", &format!("{VAULT_PASSWORD}\n"));
    let output = project.run(&["init", "repo", "--vault-password-file", ".vault-pass"]);
    output.assert_code(0);
    snapshot_settings(project.path(), None).bind(|| {
        insta::assert_snapshot!("init_output", transcript(&output));
        insta::assert_snapshot!("init_tree", tree(&project.join("repo")));
    });
}

#[test]
fn init_writes_nothing_when_a_file_is_in_the_way() {
    let project = Project::new();
    project.file("repo/ansible.cfg", "[defaults]\nforks = 3\n");
    project.file("repo/roles", "a file where a folder goes\n");
    let output = project.run(&["init", "repo"]);
    output.assert_code(1);
    assert!(
        output.stderr.contains("runbook init wrote nothing")
            && output.stderr.contains("\n    ansible.cfg\n")
            && output.stderr.contains("\n    roles\n"),
        "{}",
        output.all()
    );
    assert_eq!(
        tree(&project.join("repo")),
        "0644 ansible.cfg\n0644 roles\n",
        "nothing written"
    );
    assert_eq!(project.read("repo/ansible.cfg"), "[defaults]\nforks = 3\n");
}

#[test]
fn the_vaults_decrypt_with_runbook_and_with_ansible_vault() {
    let project = initialized(true);
    for inventory in ["staging", "prod"] {
        let vault = format!("repo/inventories/{inventory}/group_vars/all/vault.yml");
        assert!(
            project
                .read(&vault)
                .starts_with("$ANSIBLE_VAULT;1.1;AES256\n")
        );
        let shown = project.run(&[
            "vault",
            "view",
            &vault,
            "--vault-password-file",
            ".vault-pass",
        ]);
        shown.assert_code(0);
        assert!(
            shown.stdout.contains("vault_become_password: CHANGE-ME\n")
                && shown.stdout.contains("fleet. This file is encrypted")
                && shown
                    .stdout
                    .contains(&format!("inventories/{inventory}/group_vars/all/vault.yml")),
            "{}",
            shown.all()
        );
        let main = project.read(&format!(
            "repo/inventories/{inventory}/group_vars/all/main.yml"
        ));
        assert!(main.contains("\nansible_become_password: \"{{ vault_become_password }}\"\n"));
        let ansible_vault = Path::new("/opt/runbook-ansible/bin/ansible-vault");
        if ansible_vault.is_file() {
            let real = crate::support::ansible_vault(
                project.path(),
                &["view", &vault, "--vault-password-file", ".vault-pass"],
                b"",
            );
            assert_eq!(real.code, 0, "{}", real.all());
            assert_eq!(real.stdout, shown.stdout);
        } else {
            eprintln!(
                "note: {} is absent (scripts/setup installs it): the vault was not read by Ansible",
                ansible_vault.display()
            );
        }
    }
}

#[test]
fn without_a_vault_password_a_readme_says_how_to_add_the_secrets() {
    let project = initialized(false);
    let all = project.join("repo/inventories/prod/group_vars/all");
    assert!(!all.join("vault.yml").exists());
    let readme = project.read("repo/inventories/prod/group_vars/all/README.md");
    assert!(
        readme.contains("runbook vault encrypt inventories/prod/group_vars/all/vault.yml"),
        "{readme}"
    );
    let main = project.read("repo/inventories/prod/group_vars/all/main.yml");
    assert!(main.contains("\n# ansible_become_password:"), "{main}");
    // The inventory reads (a README.md among vars files is skipped).
    project
        .run(&[
            "inventory",
            "-i",
            "repo/inventories/prod",
            "--host",
            "kwdb-single-prod-01",
        ])
        .assert_code(0);
}

/// Every string in a YAML value, for searching the scripts of a job.
fn scripts(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{text}\n"),
        Value::Array(items) => items.iter().map(scripts).collect(),
        Value::Object(map) => map.values().map(scripts).collect(),
        _ => String::new(),
    }
}

#[track_caller]
fn assert_has(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "`{needle}` missing from\n{text}");
    }
}

#[test]
fn the_github_workflow_lints_plans_on_review_and_applies_on_merge() {
    let project = initialized(true);
    let workflow = read_yaml(&project.join("repo/.github/workflows/runbook.yml"));
    assert_eq!(
        workflow["on"]["push"]["branches"],
        serde_json::json!(["main"])
    );
    assert!(workflow["on"].get("pull_request").is_some());
    let jobs = workflow["jobs"].as_object().expect("jobs");
    assert_eq!(
        jobs.keys().collect::<Vec<_>>(),
        ["apply-prod", "apply-staging", "check", "plan"]
    );
    assert_has(
        &scripts(&jobs["check"]),
        &[
            "runbook check --format github",
            "--syntax-check",
            "inventories/*/",
            "playbooks/*.yml",
        ],
    );
    let plan = &jobs["plan"];
    assert_eq!(
        plan["strategy"]["matrix"]["inventory"],
        serde_json::json!(["staging", "prod"])
    );
    assert_has(
        &scripts(plan),
        &[
            "runbook plan \"$PLAYBOOK\" -i \"$INVENTORY\" -o \"plan-$INVENTORY.json\"",
            "runbook show \"plan-$INVENTORY.json\" --format markdown",
            "$GITHUB_STEP_SUMMARY",
            "gh pr comment",
            "actions/upload-artifact",
        ],
    );
    for (job, environment) in [("apply-staging", "staging"), ("apply-prod", "production")] {
        let apply = &jobs[job];
        assert_eq!(apply["environment"], environment, "{job}");
        assert_eq!(
            apply["if"],
            "github.event_name == 'push' && github.ref == 'refs/heads/main'"
        );
        assert_has(
            &scripts(apply),
            &[
                "--plan \"plan-$INVENTORY.json\"",
                "--vault-password-file \"$RUNBOOK_VAULT_PASSWORD_FILE\"",
                "actions/download-artifact",
                "/runbook/runs",
                "failure()",
                ".retry/",
            ],
        );
    }
    assert_eq!(
        jobs["apply-prod"]["needs"],
        serde_json::json!(["plan", "apply-staging"])
    );
    let action = read_yaml(&project.join("repo/.github/actions/setup-runbook/action.yml"));
    assert_has(
        &scripts(&action["runs"]),
        &[
            "umask 077",
            "chmod 0600",
            "RUNBOOK_VAULT_PASSWORD_FILE=",
            "cargo install --locked --git",
        ],
    );
}

#[test]
fn the_gitlab_pipeline_lints_plans_on_review_and_applies_on_merge() {
    let project = initialized(true);
    let pipeline = read_yaml(&project.join("repo/.gitlab-ci.yml"));
    assert_eq!(
        pipeline["stages"],
        serde_json::json!(["check", "plan", "apply"])
    );
    assert_has(
        &scripts(&pipeline["check"]),
        &["runbook check", "--syntax-check"],
    );
    assert_has(
        &scripts(&pipeline[".plan"]),
        &[
            "runbook plan",
            "--format markdown",
            "merge_requests/$CI_MERGE_REQUEST_IID/notes",
            "merge_request_event",
        ],
    );
    assert_has(
        &scripts(&pipeline[".runbook"]),
        &["umask 077", "chmod 0600"],
    );
    assert_has(&scripts(&pipeline[".apply"]), &["junit-apply-*.xml"]);
    assert_has(
        &scripts(&pipeline[".apply"]),
        &[
            "--plan \"plan-$INVENTORY.json\"",
            ".state/runbook/runs/",
            ".retry/",
        ],
    );
    assert_eq!(pipeline["apply-prod"]["rules"][0]["when"], "manual");
    assert_eq!(pipeline["apply-prod"]["environment"]["name"], "production");
    assert_eq!(
        pipeline["apply-prod"]["needs"],
        serde_json::json!(["plan-prod", "apply-staging"])
    );
    assert!(pipeline["apply-staging"]["rules"][0].get("when").is_none());
}

/// check-jsonschema with its vendored schemas (scripts/setup installs it).
fn schema_checker() -> PathBuf {
    let venv =
        std::env::var("RUNBOOK_SCHEMAS_VENV").unwrap_or_else(|_| "/opt/runbook-schemas".into());
    Path::new(&venv).join("bin/check-jsonschema")
}

#[test]
fn the_pipelines_validate_against_the_providers_schemas() {
    let checker = schema_checker();
    if !checker.is_file() {
        eprintln!(
            "note: {} is absent (scripts/setup installs it): the pipelines were not validated against the providers' schemas",
            checker.display()
        );
        return;
    }
    let project = initialized(true);
    for (schema, file) in [
        (
            "vendor.github-workflows",
            "repo/.github/workflows/runbook.yml",
        ),
        (
            "vendor.github-actions",
            "repo/.github/actions/setup-runbook/action.yml",
        ),
        ("vendor.gitlab-ci", "repo/.gitlab-ci.yml"),
    ] {
        let output = std::process::Command::new(&checker)
            .args([
                "--builtin-schema",
                schema,
                &project.join(file).display().to_string(),
            ])
            .output()
            .expect("check-jsonschema runs");
        assert!(
            output.status.success(),
            "{file} against {schema}:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn playbooks_are_found_in_the_playbook_dir_then_in_playbooks() {
    let project = Project::new();
    project.file("playbooks/site.yml", "- hosts: all\n  tasks: []\n");
    project.file("ops/ops.yml", "- hosts: all\n  tasks: []\n");
    let checked = project.run(&["play", "site.yml", "--syntax-check"]);
    checked.assert_code(0);
    assert!(
        checked.stdout.contains("playbook: playbooks/site.yml"),
        "{}",
        checked.all()
    );
    let from_env = project.run_with_env(
        &["play", "ops.yml", "--syntax-check"],
        &[("ANSIBLE_PLAYBOOK_DIR", "ops")],
    );
    from_env.assert_code(0);
    assert!(
        from_env.stdout.contains("playbook: ops/ops.yml"),
        "{}",
        from_env.all()
    );
    project.file("ansible.cfg", "[defaults]\nplaybook_dir = ops\n");
    project
        .run(&["play", "ops.yml", "--syntax-check"])
        .assert_code(0);
    let missing = project.run(&["play", "nope.yml", "--syntax-check"]);
    missing.assert_code(1);
    snapshot_settings(project.path(), None)
        .bind(|| insta::assert_snapshot!("playbook_not_found", transcript(&missing)));
}

/// The lab's hosts as inventory lines carrying their connection settings
/// (host variables: they must beat group_vars/all's `ansible_user`).
fn lab_host_lines(lab: &Lab) -> BTreeMap<String, String> {
    let inventory = lab.project.read("inventories/lab");
    let (hosts, vars) = inventory.split_once("[lab:vars]").expect("lab vars");
    let vars: Vec<&str> = vars.lines().filter(|line| line.contains('=')).collect();
    hosts
        .lines()
        .filter(|line| line.starts_with("node"))
        .map(|line| {
            let name = line
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            (name, format!("{line} {}", vars.join(" ")))
        })
        .collect()
}

/// Point an inventory of the generated repository at one lab host, as the
/// standalone KWDB node of kwdb-offline.yml.
/// A KWDB node of the fleet: an inventory's only host, named `alias` there,
/// and its lab. The lab's KWDB nodes form one cluster, so a standalone node
/// needs a lab of its own.
struct Node<'a> {
    lab: &'a Lab,
    inventory: &'static str,
    alias: &'static str,
}

impl Node<'_> {
    /// Point the inventory of the repository (in `repo`'s project) at the node.
    fn point(&self, repo: &Lab) {
        let line = &lab_host_lines(self.lab)["node1"];
        let line = line.replacen("node1", self.alias, 1);
        repo.project.file(
            &format!("inventories/{}/hosts", self.inventory),
            &format!("[kwdb_standalone]\n{line}\n\n[kwdb:children]\nkwdb_standalone\n"),
        );
        // The lab's KWDB: kwbase on PATH, the package built outside the
        // inventory (a directory inventory reads every file below it).
        repo.project.file(
            &format!("inventories/{}/host_vars/{}.yml", self.inventory, self.alias),
            &format!(
                "kwdb_kwbase: kwbase\nkwdb_package: {}/KWDB-{{{{ kwdb_new_version }}}}.tar.gz\nkwdb_rejoin_poll: 1\n",
                packages(repo).display()
            ),
        );
    }

    /// The KWDB version the node's shims have installed (`none` before any).
    fn version(&self) -> String {
        std::fs::read_to_string(
            self.lab
                .host_root("node1")
                .join("var/lib/runbook-shims/kwdb/version"),
        )
        .map_or_else(|_| "none".to_string(), |text| text.trim().to_string())
    }

    /// Put the node in the state the upgrade starts from (KWDB 2.2.0, running).
    fn prepare(&self, repo: &Lab) {
        let playbook =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("playbooks/lab/kwdb-offline.yml");
        repo.run(&[
            "play",
            playbook.to_str().expect("utf8"),
            "-i",
            self.inventory,
            "-e",
            &format!("kwdb_hosts={}", self.alias),
            "-e",
            &format!("kwdb_lab_package_tree={}/tree", packages(repo).display()),
            "--vault-password-file",
            ".vault-pass",
        ])
        .assert_code(0);
        assert_eq!(self.version(), "2.2.0");
    }
}

/// Where the lab's installation packages are built, on the controller.
fn packages(lab: &Lab) -> PathBuf {
    lab.project.join("packages")
}

fn has_command(lab: &Lab, command: &str) -> bool {
    lab.run(&[command, "--help"]).code == 0
}

#[test]
fn on_a_lab_the_pipeline_steps_run_and_kwdb_offline_runs_verbatim() {
    let lab = Lab::up(1);
    let staging_lab = Lab::up(1);
    let prod = Node {
        lab: &lab,
        inventory: "prod",
        alias: "kwdb-prod",
    };
    let staging = Node {
        lab: &staging_lab,
        inventory: "staging",
        alias: "kwdb-staging",
    };
    lab.project
        .file(".vault-pass", &format!("{VAULT_PASSWORD}\n"));
    lab.run(&["init", "--vault-password-file", ".vault-pass"])
        .assert_code(0);
    prod.point(&lab);
    staging.point(&lab);
    let repo = lab.project.path();
    let home = tempfile::tempdir().expect("CI home");
    let context = CiContext {
        home: home.path().to_path_buf(),
        secrets: BTreeMap::from([("RUNBOOK_VAULT_PASSWORD".into(), VAULT_PASSWORD.into())]),
        unavailable: ["check", "plan", "show"]
            .into_iter()
            .filter(|command| !has_command(&lab, command))
            .map(|command| format!("runbook {command}"))
            .collect(),
        ..CiContext::default()
    };

    // Every change: lint and syntax-check, as both pipelines run them.
    let check = run_github_job(repo, "check", &context);
    assert_eq!(check.code, 0, "GitHub check job\n{}", check.all());
    let playbooks = std::fs::read_dir(repo.join("playbooks"))
        .expect("playbooks")
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "yml"))
        .count();
    assert_eq!(
        check.stdout.matches("playbook: ").count(),
        playbooks * 2,
        "every playbook against both inventories\n{}",
        check.all()
    );
    let check = run_gitlab_job(repo, "check", &context);
    assert_eq!(check.code, 0, "GitLab check job\n{}", check.all());

    prod.prepare(&lab);
    let reviewable = ["runbook plan", "runbook show"]
        .iter()
        .all(|command| !context.unavailable.iter().any(|missing| missing == command));
    if !reviewable {
        eprintln!(
            "note: {} not in this runbook yet: the plan, show and apply steps were not run",
            context.unavailable.join(", ")
        );
        by_hand_on_prod(&lab, &prod);
        assert_eq!(staging.version(), "none", "staging untouched");
        return;
    }
    review_then_merge(&lab, &context, &staging, &prod);
}

/// As the README says, by hand: the playbook from playbooks/, the
/// inventory from inventories/, nothing else on the command line.
fn by_hand_on_prod(lab: &Lab, prod: &Node) {
    let verbatim = lab.project.run_with_env(
        &["play", "kwdb-offline.yml", "-i", "prod"],
        &[("ANSIBLE_VAULT_PASSWORD_FILE", ".vault-pass")],
    );
    verbatim.assert_code(0);
    assert_eq!(prod.version(), "2.2.1", "{}", verbatim.all());
}

/// A review plans staging and prod (a node each); the merge applies
/// staging's plan; then someone upgrades prod by hand (verbatim), so prod's
/// reviewed plan no longer matches it and its apply job refuses the host.
fn review_then_merge(lab: &Lab, context: &CiContext, staging: &Node, prod: &Node) {
    let repo = lab.project.path();
    staging.prepare(lab);
    let job_context = |inventory: &str| CiContext {
        matrix: BTreeMap::from([("inventory".into(), inventory.into())]),
        home: context.home.clone(),
        secrets: context.secrets.clone(),
        ..CiContext::default()
    };
    for node in [staging, prod] {
        let (inventory, host) = (node.inventory, node.alias);
        let plan = run_github_job(repo, "plan", &job_context(inventory));
        assert_eq!(plan.code, 0, "plan job ({inventory})\n{}", plan.all());
        assert!(repo.join(format!("plan-{inventory}.json")).is_file());
        let markdown = lab.project.read(&format!("plan-{inventory}.md"));
        assert!(markdown.contains(host), "{markdown}");
        assert_eq!(node.version(), "2.2.0", "a plan changes nothing");
    }
    let summary = std::fs::read_to_string(context.home.join("step-summary")).expect("summary");
    assert!(
        summary.contains(prod.alias) && summary.contains(staging.alias),
        "the Markdown plans are the job summaries:\n{summary}"
    );

    let applied = run_github_job(repo, "apply-staging", &job_context("staging"));
    assert_eq!(applied.code, 0, "apply-staging job\n{}", applied.all());
    assert_eq!(staging.version(), "2.2.1");
    let journals = repo.join(".state/runbook/runs");
    assert!(
        std::fs::read_dir(&journals).is_ok_and(|mut entries| entries.next().is_some()),
        "the journal the job keeps as an artifact is in {}",
        journals.display()
    );

    by_hand_on_prod(lab, prod);
    let refused = run_github_job(repo, "apply-prod", &job_context("prod"));
    assert_eq!(refused.code, 2, "drift is refused\n{}", refused.all());
    assert!(
        refused
            .stdout
            .contains(&format!("{} no longer matches the plan", prod.alias)),
        "{}",
        refused.all()
    );

    // GitLab's jobs plan and apply prod again, now that it matches.
    let gitlab = CiContext {
        home: context.home.clone(),
        secrets: context.secrets.clone(),
        ..CiContext::default()
    };
    let plan = run_gitlab_job(repo, "plan-prod", &gitlab);
    assert_eq!(plan.code, 0, "GitLab plan-prod\n{}", plan.all());
    let applied = run_gitlab_job(repo, "apply-prod", &gitlab);
    assert_eq!(applied.code, 0, "GitLab apply-prod\n{}", applied.all());
}
