use std::path::Path;

use minijinja::Value;

use super::names;
use crate::inventory::Inventory;

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

#[test]
fn a_directory_merges_its_files_in_name_order_and_skips_the_rest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("inventory");
    write(&dir.join("01-web"), "[web]\nw1\n");
    write(
        &dir.join("02-prod.yml"),
        "prod:\n  children:\n    web:\n  vars:\n    env: prod\n",
    );
    write(&dir.join("03-db.ini"), "[db]\nd1\n[prod:children]\ndb\n");
    write(&dir.join("README.md"), "[not]\nparsed\n");
    write(&dir.join("old.retry"), "w9\n");
    write(&dir.join("hosts~"), "w8\n");
    write(&dir.join(".hidden"), "w7\n");
    write(&dir.join("group_vars/web.yml"), "role: web\n");
    let inventory = Inventory::load(&["inventory".into()], tmp.path()).expect("loads");
    assert_eq!(names(&inventory.groups_map()["prod"]), ["w1", "d1"]);
    assert_eq!(inventory.hosts.len(), 2);
    assert_eq!(inventory.host_vars("w1")["role"], Value::from("web"));
    assert_eq!(inventory.host_vars("d1")["env"], Value::from("prod"));
    assert_eq!(inventory.dir.as_deref(), Some(dir.as_path()));
}

#[test]
fn extensionless_yaml_is_detected_by_content() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        &tmp.path().join("hosts"),
        "all:\n  hosts:\n    h1:\n      x: 1\n",
    );
    let inventory = Inventory::load(&["hosts".into()], tmp.path()).expect("loads");
    assert_eq!(inventory.host_vars("h1")["x"], Value::from(1));
}

#[test]
fn comma_lists_bare_names_and_repeated_sources() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(&tmp.path().join("inventories/staging"), "[web]\nw1\n");
    let sources = ["staging".to_string(), "w1,extra:2222,".to_string()];
    let inventory = Inventory::load(&sources, tmp.path()).expect("loads");
    assert_eq!(
        names(&inventory.select("all").expect("valid").hosts),
        ["extra", "w1"]
    );
    assert_eq!(inventory.group_names("w1"), ["web"]);
    assert_eq!(
        inventory.host_vars("extra")["ansible_port"],
        Value::from(2222)
    );
    assert_eq!(
        inventory.host_vars("extra")["inventory_file"],
        Value::from(())
    );
}

#[test]
fn a_missing_source_names_every_place_looked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let error = Inventory::load(&["prod".into()], tmp.path()).expect_err("missing");
    let text = error.to_string();
    assert!(
        text.contains(&tmp.path().join("prod").display().to_string()),
        "{text}"
    );
    assert!(
        text.contains(&tmp.path().join("inventories/prod").display().to_string()),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn executable_files_are_run_as_inventory_scripts() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let script = tmp.path().join("cmdb.sh");
    write(
        &script,
        "#!/bin/sh\necho '{\"db\": {\"hosts\": [\"db1\"], \"vars\": {\"port\": 1}}, \"_meta\": {\"hostvars\": {\"db1\": {\"zone\": \"a\"}}}}'\n",
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let inventory = Inventory::load(&["cmdb.sh".into()], tmp.path()).expect("script");
    let vars = inventory.host_vars("db1");
    assert_eq!(
        vars.get("port").map(ToString::to_string).as_deref(),
        Some("1")
    );
    assert_eq!(
        vars.get("zone").map(ToString::to_string).as_deref(),
        Some("a")
    );
    write(&script, "#!/bin/sh\n");
    let error = Inventory::load(&["cmdb.sh".into()], tmp.path()).expect_err("no JSON");
    assert!(
        error
            .message
            .contains("cmdb.sh --list: printed something that is not JSON"),
        "{error}"
    );
}

#[test]
fn later_sources_merge_into_earlier_ones() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(&tmp.path().join("a"), "[web]\nw1 x=1\n");
    write(
        &tmp.path().join("b.yml"),
        "web:\n  hosts:\n    w1:\n      x: 2\n    w2:\n",
    );
    let inventory = Inventory::load(&["a".into(), "b.yml".into()], tmp.path()).expect("loads");
    assert_eq!(names(&inventory.groups_map()["web"]), ["w1", "w2"]);
    assert_eq!(inventory.host_vars("w1")["x"], Value::from(2));
    assert_eq!(
        inventory.host_vars("w1")["inventory_file"],
        Value::from(tmp.path().join("a").display().to_string())
    );
}
