//! `runbook inventory`: what runbook read from an inventory.

use crate::support::Project;

#[test]
fn list_graph_and_host_views() {
    let project = Project::new();
    project
        .file(
            "inventories/prod/hosts.ini",
            "[db]\ndb[01:03]\n[web]\nweb1 ansible_port=2222\n[prod:children]\ndb\nweb\n",
        )
        .file("inventories/prod/group_vars/db.yml", "db_port: 26257\n")
        .file("inventories/prod/host_vars/db02.yml", "db_port: 26258\n");
    let list = project.run(&["inventory", "-i", "prod", "--list"]);
    list.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&list.stdout).expect("JSON");
    let theirs = ansible_inventory(&project, &["-i", "inventories/prod", "--list"]);
    assert_eq!(
        json,
        serde_json::from_str::<serde_json::Value>(&theirs.stdout).expect("JSON"),
        "{}",
        theirs.all()
    );
    assert_eq!(
        json["db"]["hosts"],
        serde_json::json!(["db01", "db02", "db03"])
    );
    assert_eq!(json["_meta"]["hostvars"]["db01"]["db_port"], 26257);
    assert_eq!(json["_meta"]["hostvars"]["db02"]["db_port"], 26258);
    assert_eq!(json["_meta"]["hostvars"]["web1"]["ansible_port"], 2222);

    let graph = project.run(&["inventory", "-i", "prod", "--graph"]);
    graph.assert_code(0);
    assert!(graph.stdout.starts_with("@all:\n"), "{}", graph.all());
    assert!(graph.stdout.contains("|--@prod:"), "{}", graph.all());
    assert!(graph.stdout.contains("|--db02"), "{}", graph.all());

    let host = project.run(&["inventory", "-i", "prod", "--host", "db02"]);
    host.assert_code(0);
    assert!(host.stdout.contains("\"db_port\": 26258"), "{}", host.all());
}

#[test]
fn a_missing_inventory_says_where_it_looked() {
    let project = Project::new();
    let output = project.run(&["inventory", "-i", "nowhere", "--list"]);
    assert_ne!(output.code, 0, "{}", output.all());
    assert!(output.stderr.contains("nowhere"), "{}", output.all());
}

/// ansible-inventory from the venv scripts/setup makes.
fn ansible_inventory(project: &Project, args: &[&str]) -> crate::support::Output {
    let venv =
        std::env::var("RUNBOOK_ANSIBLE_VENV").unwrap_or_else(|_| "/opt/runbook-ansible".into());
    let output =
        std::process::Command::new(std::path::Path::new(&venv).join("bin/ansible-inventory"))
            .args(args)
            .current_dir(project.path())
            .env("ANSIBLE_DEPRECATION_WARNINGS", "0")
            .output()
            .expect("ansible-inventory is needed (scripts/setup installs it)");
    crate::support::Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `inventory -i SOURCE --list` by runbook and by ansible-inventory: both
/// succeed with the same JSON, which is returned with both runs.
fn same_listing(
    project: &Project,
    source: &str,
) -> (
    serde_json::Value,
    crate::support::Output,
    crate::support::Output,
) {
    let ours = project.run(&["inventory", "-i", source, "--list"]);
    let theirs = ansible_inventory(project, &["-i", source, "--list"]);
    let both = format!("{}\n--- ansible-inventory\n{}", ours.all(), theirs.all());
    assert_eq!((ours.code, theirs.code), (0, 0), "{both}");
    let json: serde_json::Value = serde_json::from_str(&ours.stdout).expect("JSON");
    assert_eq!(
        json,
        serde_json::from_str::<serde_json::Value>(&theirs.stdout).expect("JSON"),
        "{both}"
    );
    (json, ours, theirs)
}

fn executable(project: &Project, name: &str, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    project.file(name, script);
    std::fs::set_permissions(project.join(name), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
}

#[test]
fn an_executable_inventory_is_run_as_ansibles_script_plugin_runs_it() {
    let project = Project::new();
    // With `_meta`, one call; without, `--host` per host.
    executable(
        &project,
        "with_meta.sh",
        r#"#!/bin/sh
[ "$1" = --list ] || exit 3
cat <<'JSON'
{"db": {"hosts": ["db1", "db2"], "vars": {"port": 26257}, "children": ["replicas"]},
 "replicas": ["db3"],
 "web": {"hosts": ["web1"]},
 "lonely": {"answer": 42},
 "_meta": {"hostvars": {"db1": {"zone": "a", "tags": ["x", "y"]}, "web1": {"ansible_port": 2222}}}}
JSON
"#,
    );
    executable(
        &project,
        "per_host.sh",
        r#"#!/bin/sh
case "$1" in
  --list) echo '{"app": ["app1", "app2"], "all": {"vars": {"env": "prod"}}}' ;;
  --host) [ "$2" = app1 ] && echo "{\"role\": \"$2\"}" || echo '' ;;
  *) exit 3 ;;
esac
"#,
    );
    for script in ["with_meta.sh", "per_host.sh"] {
        same_listing(&project, script);
    }
}

#[test]
fn a_failing_inventory_script_is_an_error_that_quotes_it() {
    let project = Project::new();
    executable(
        &project,
        "broken.sh",
        "#!/bin/sh\necho 'cannot reach the CMDB' >&2\nexit 2\n",
    );
    let output = project.run(&["inventory", "-i", "broken.sh", "--list"]);
    output.assert_code(4);
    assert_eq!(
        output
            .stderr
            .replace(&project.path().display().to_string(), "PROJECT"),
        "ERROR! inventory script PROJECT/broken.sh --list: exited with 2: cannot reach the CMDB\n"
    );
    executable(&project, "garbage.sh", "#!/bin/sh\necho 'not json'\n");
    let output = project.run(&["inventory", "-i", "garbage.sh", "--list"]);
    output.assert_code(4);
    assert!(
        output
            .stderr
            .contains("garbage.sh --list: printed something that is not JSON"),
        "{}",
        output.all()
    );
}

#[test]
fn graph_of_a_group_with_vars_and_export_match_ansible_inventory() {
    let project = Project::new();
    project
        .file(
            "inventories/prod/hosts",
            "[db]\ndb[01:02] zone=a\n[web]\nweb1 ansible_port=2222 tags=\"['x', 'y']\"\n[prod:children]\ndb\nweb\n[prod:vars]\nenv=prod\n",
        )
        .file("inventories/prod/group_vars/db.yml", "backup: true\n")
        .file("inventories/prod/host_vars/web1.yml", "weight: 3\n");
    for args in [
        &["--graph"][..],
        &["--graph", "prod"],
        &["--graph", "prod", "--vars"],
        &["--graph", "--vars"],
    ] {
        let mut ours_args = vec!["inventory", "-i", "prod"];
        ours_args.extend_from_slice(args);
        let ours = project.run(&ours_args);
        let mut theirs_args = vec!["-i", "inventories/prod"];
        theirs_args.extend_from_slice(args);
        let theirs = ansible_inventory(&project, &theirs_args);
        assert_eq!(ours.stdout, theirs.stdout, "{args:?}\n{}", theirs.all());
    }
    let ours = project.run(&["inventory", "-i", "prod", "--list", "--export"]);
    let theirs = ansible_inventory(&project, &["-i", "inventories/prod", "--list", "--export"]);
    let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).expect("JSON");
    assert_eq!(
        parse(&ours.stdout),
        parse(&theirs.stdout),
        "{}",
        theirs.all()
    );
    let unknown = project.run(&["inventory", "-i", "prod", "--graph", "prd"]);
    unknown.assert_code(5);
    assert!(
        unknown.stderr.contains("did you mean `prod`?"),
        "{}",
        unknown.all()
    );
}

/// A host in two groups, a group under two parents, an empty group, a host
/// in no group, group variables and a list value: every case of
/// ansible-inventory's YAML layout.
const YAML_CASES: &str = "loose\n[web]\nw1 ansible_host=10.0.0.1 x=1 l=\"[1,2]\"\nw2\n[db]\nd1\nw1\n\
[prod:children]\nweb\ndb\n[prod:vars]\nenv=prod\n[other:children]\nweb\n[empty]\n";

fn yaml(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"))
}

#[test]
fn yaml_listings_have_ansible_inventorys_structure() {
    let project = Project::new();
    project.file("hosts.ini", YAML_CASES);
    for view in [
        &["--list", "--yaml"][..],
        &["--list", "-y", "--export"],
        &["--host", "w1", "--yaml"],
        &["--host", "loose", "--yaml"],
        &["--host", "w1"],
    ] {
        let mut args = vec!["-i", "hosts.ini"];
        args.extend_from_slice(view);
        let theirs = ansible_inventory(&project, &args);
        let mut ours_args = vec!["inventory"];
        ours_args.extend_from_slice(&args);
        let ours = project.run(&ours_args);
        ours.assert_code(0);
        assert_eq!(
            yaml(&ours.stdout),
            yaml(&theirs.stdout),
            "{view:?}\n--- runbook\n{}\n--- ansible-inventory\n{}",
            ours.all(),
            theirs.all()
        );
    }
    let ours = project.run(&["inventory", "-i", "hosts.ini", "--list", "--yaml"]);
    assert_eq!(
        crate::support::transcript(&ours),
        "exit code: 0\n----- stdout -----\n\
all:
  children:
    other:
      children:
        web: {}
    prod:
      children:
        db:
          hosts:
            d1:
              env: prod
            w1: {}
        web:
          hosts:
            w1:
              ansible_host: \"10.0.0.1\"
              env: prod
              l:
              - 1
              - 2
              x: 1
            w2:
              env: prod
    ungrouped:
      hosts:
        loose: {}
----- stderr -----\n"
    );
    let graph = project.run(&["inventory", "-i", "hosts.ini", "--graph", "--yaml"]);
    let plain = project.run(&["inventory", "-i", "hosts.ini", "--graph"]);
    assert_eq!(graph.stdout, plain.stdout, "--graph ignores --yaml");
    let empty = project.run(&["inventory", "-i", "hosts.ini", "--host", "loose", "-y"]);
    assert_eq!(empty.stdout, "{}\n");
}

/// An inventory directory as it lives in a repository: the inventories
/// beside a README, retry files, editor and merge leftovers, a .git, a
/// LICENSE and a Makefile. Ansible skips the names its
/// inventory_ignore_extensions/IGNORED_ALWAYS cover, tries every plugin on
/// the rest and skips (with a warning) what none can parse.
#[test]
fn an_inventory_directory_skips_what_is_no_inventory_as_ansible_does() {
    let project = Project::new();
    project
        .file(
            "inventories/prod/hosts",
            "[web]\nweb1 ansible_host=10.0.0.1\n[prod:children]\nweb\n",
        )
        .file("inventories/prod/cache.ini", "[cache]\nredis1\n")
        .file(
            "inventories/prod/sub/db.yml",
            "all:\n  children:\n    db:\n      hosts:\n        db1:\n          db_port: 26257\n",
        )
        .file("inventories/prod/group_vars/web.yml", "http_port: 8080\n")
        .file(
            "inventories/prod/README.md",
            "# prod\n\nweb1 serves; see hosts.\n",
        )
        .file("inventories/prod/NOTES.txt", "web2 retired\n")
        .file("inventories/prod/site.retry", "web1\n")
        .file("inventories/prod/hosts.orig", "[web]\nold1\n")
        .file("inventories/prod/hosts~", "[web]\nold2\n")
        .file("inventories/prod/hosts.bak", "[web]\nold3\n")
        .file("inventories/prod/.hosts.swp", "[web]\nold4\n")
        .file("inventories/prod/ansible.cfg", "[defaults]\nforks = 50\n")
        .file(
            "inventories/prod/.git/config",
            "[core]\n\trepositoryformatversion = 0\n",
        )
        .file("inventories/prod/.git/HEAD", "ref: refs/heads/main\n")
        .file(
            "inventories/prod/LICENSE",
            "Copyright (c) 2026 Example Corp\nAll rights reserved.\n",
        )
        .file("inventories/prod/Makefile", "lint:\n\tyamllint .\n");
    let (json, ours, theirs) = same_listing(&project, "inventories/prod");
    assert_eq!(
        json,
        serde_json::json!({
            "_meta": {
                "hostvars": {
                    "db1": {"db_port": 26257},
                    "web1": {"ansible_host": "10.0.0.1", "http_port": 8080},
                },
                "profile": "inventory_legacy",
            },
            "all": {"children": ["ungrouped", "db", "cache", "prod"]},
            "cache": {"hosts": ["redis1"]},
            "db": {"hosts": ["db1"]},
            "prod": {"children": ["web"]},
            "web": {"hosts": ["web1"]},
        })
    );
    // Both say which files they could not read, and only those.
    let skipped = |stderr: &str| -> Vec<String> {
        stderr
            .lines()
            .filter_map(|line| {
                let rest = line.split("Unable to parse ").nth(1)?;
                let path = rest.split(" as an inventory source").next()?;
                Some(path.rsplit('/').next().unwrap_or(path).to_string())
            })
            .collect()
    };
    assert_eq!(
        skipped(&ours.stderr),
        ["LICENSE", "Makefile"],
        "{}",
        ours.all()
    );
    assert_eq!(
        skipped(&theirs.stderr),
        ["LICENSE", "Makefile"],
        "{}",
        theirs.all()
    );
    assert!(
        ours.stderr.contains("LICENSE:1:11"),
        "the warning points at what could not be read: {}",
        ours.all()
    );

    // A file named by -i itself is still an error.
    let named = project.run(&["inventory", "-i", "inventories/prod/LICENSE", "--list"]);
    assert_eq!(named.code, 4, "{}", named.all());
}

/// ansible.cfg's `inventory_ignore_patterns` and `[inventory]
/// ignore_extensions` (which replaces the default list) decide what an
/// inventory directory skips, in runbook as in ansible-inventory.
#[test]
fn ansible_cfg_ignore_lists_decide_what_an_inventory_directory_skips() {
    let project = Project::new();
    project
        .file(
            "ansible.cfg",
            "[defaults]\ninventory_ignore_patterns = ^draft-, \\.example$\n[inventory]\nignore_extensions = .old, ~\n",
        )
        .file("inventories/prod/hosts", "[web]\nweb1\n")
        .file("inventories/prod/draft-hosts", "[web]\ndraft1\n")
        .file("inventories/prod/staging.example", "[web]\nexample1\n")
        .file("inventories/prod/hosts.old", "[web]\nold1\n")
        .file("inventories/prod/hosts~", "[web]\nold2\n")
        // No longer on the extensions list: read, as Ansible reads them.
        .file("inventories/prod/more.txt", "[web]\nweb9\n")
        .file("inventories/prod/hosts.bak", "[web]\nbak1\n");
    let (json, ..) = same_listing(&project, "inventories/prod");
    assert_eq!(
        json["web"]["hosts"],
        serde_json::json!(["web1", "bak1", "web9"])
    );

    // The environment beats the file, as in Ansible.
    let env = [
        ("ANSIBLE_INVENTORY_IGNORE", ".old, ~, .bak, .txt"),
        ("ANSIBLE_INVENTORY_IGNORE_REGEX", "^draft-"),
    ];
    let ours = project.run_with_env(&["inventory", "-i", "inventories/prod", "--list"], &env);
    ours.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&ours.stdout).expect("JSON");
    assert_eq!(
        json["web"]["hosts"],
        serde_json::json!(["web1", "example1"]),
        "{}",
        ours.all()
    );

    // A pattern runbook cannot compile is an error naming the setting.
    project.file(
        "ansible.cfg",
        "[defaults]\ninventory_ignore_patterns = ^(draft\n",
    );
    let refused = project.run(&["inventory", "-i", "inventories/prod", "--list"]);
    assert_ne!(refused.code, 0, "{}", refused.all());
    assert!(
        refused
            .stderr
            .contains("inventory_ignore_patterns: `^(draft` is not a regular expression"),
        "{}",
        refused.all()
    );
}
