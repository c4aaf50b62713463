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
