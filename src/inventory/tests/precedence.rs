use std::path::Path;

use minijinja::Value;

use super::ini;
use crate::inventory::Inventory;

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

const TREE: &str = "\
[all:vars]
level=all
[usa:children]
southeast
[usa:vars]
level=usa
[southeast:children]
atlanta
[southeast:vars]
level=southeast
[atlanta]
host1
host2 level=host
";

#[test]
fn child_groups_override_parents_and_hosts_override_groups() {
    let inventory = ini(TREE);
    assert_eq!(
        inventory.host_vars("host1")["level"],
        Value::from("southeast")
    );
    assert_eq!(inventory.host_vars("host2")["level"], Value::from("host"));
}

#[test]
fn same_depth_groups_apply_by_name_unless_priority_says_otherwise() {
    let text = "[a_team]\nh\n[b_team]\nh\n[a_team:vars]\nx=a\n[b_team:vars]\nx=b\n";
    assert_eq!(ini(text).host_vars("h")["x"], Value::from("b"));
    let inventory = ini(&text.replace("x=a\n", "x=a\nansible_group_priority=10\n"));
    assert_eq!(inventory.host_vars("h")["x"], Value::from("a"));
    assert!(
        !inventory
            .host_vars("h")
            .contains_key("ansible_group_priority")
    );
}

#[test]
fn depth_is_the_longest_path_from_all() {
    // `deep` sits under `all` directly and, through `mid`, two levels down:
    // the longer path wins, so `deep` overrides the depth-1 `other`.
    let inventory = ini("\
[top:children]
mid
[mid:children]
deep
[deep]
h
[other]
h
[deep:vars]
x=deep
[other:vars]
x=other
");
    assert_eq!(inventory.host_vars("h")["x"], Value::from("deep"));
}

#[test]
fn vars_directories_rank_above_inventory_files_and_playbooks_above_inventories() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let inv = tmp.path().join("inv");
    let play = tmp.path().join("play");
    write(&inv.join("hosts"), TREE);
    write(
        &inv.join("group_vars/all.yml"),
        "from_all_dir: inv\nlevel: all_dir\n",
    );
    write(
        &inv.join("group_vars/usa.yml"),
        "level: usa_dir\nusa_only: inv\n",
    );
    write(&inv.join("host_vars/host2.yml"), "level: host_dir\n");
    let mut inventory = Inventory::load(&["inv/hosts".into()], tmp.path()).expect("loads");
    // An inventory-file var of a deeper group loses to a group_vars/ file of a shallower one.
    assert_eq!(
        inventory.host_vars("host1")["level"],
        Value::from("usa_dir")
    );
    assert_eq!(
        inventory.host_vars("host2")["level"],
        Value::from("host_dir")
    );
    assert_eq!(
        inventory.host_vars("host1")["from_all_dir"],
        Value::from("inv")
    );

    write(&play.join("group_vars/usa.yml"), "usa_only: play\n");
    write(&play.join("group_vars/all.yml"), "from_all_dir: play\n");
    write(&play.join("host_vars/host1"), "level: play_host\n");
    inventory.load_playbook_vars(&play).expect("playbook vars");
    assert_eq!(
        inventory.host_vars("host1")["usa_only"],
        Value::from("play")
    );
    assert_eq!(
        inventory.host_vars("host1")["from_all_dir"],
        Value::from("play")
    );
    assert_eq!(
        inventory.host_vars("host1")["level"],
        Value::from("play_host")
    );
    assert_eq!(
        inventory.host_vars("host2")["level"],
        Value::from("host_dir")
    );
}

#[test]
fn implicit_localhost_gets_all_group_vars() {
    let inventory = ini("[all:vars]\nx=1\n[web]\nw1\n");
    let vars = inventory.host_vars("localhost");
    assert_eq!(vars["x"], Value::from(1));
    assert_eq!(vars["ansible_connection"], Value::from("local"));
}
