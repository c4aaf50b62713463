use super::{ini, names};
use crate::inventory::Inventory;

fn fleet() -> Inventory {
    ini("\
[webservers]
cobweb
webbing
weber

[dbservers]
db1.example.com
db2.example.com
webbing

[staging]
weber
db2.example.com

[phoenix]
webbing

[atlanta:children]
phoenix
")
}

fn select(inventory: &Inventory, pattern: &str) -> Vec<String> {
    inventory.select(pattern).expect("valid pattern").hosts
}

#[test]
fn the_documented_pattern_table() {
    let inventory = fleet();
    let all = select(&inventory, "all");
    assert_eq!(
        names(&all),
        [
            "cobweb",
            "webbing",
            "weber",
            "db1.example.com",
            "db2.example.com"
        ]
    );
    assert_eq!(select(&inventory, "*"), all);
    assert_eq!(select(&inventory, "cobweb"), ["cobweb"]);
    assert_eq!(select(&inventory, "cobweb:weber"), ["cobweb", "weber"]);
    assert_eq!(select(&inventory, "cobweb,weber"), ["cobweb", "weber"]);
    assert_eq!(
        select(&inventory, "webservers"),
        ["cobweb", "webbing", "weber"]
    );
    assert_eq!(
        select(&inventory, "webservers:dbservers"),
        [
            "cobweb",
            "webbing",
            "weber",
            "db1.example.com",
            "db2.example.com"
        ]
    );
    assert_eq!(
        select(&inventory, "webservers:!atlanta"),
        ["cobweb", "weber"]
    );
    assert_eq!(select(&inventory, "webservers:&staging"), ["weber"]);
    assert_eq!(
        select(&inventory, "webservers:dbservers:&staging:!phoenix"),
        ["weber", "db2.example.com"]
    );
}

#[test]
fn order_of_operators_does_not_matter() {
    let inventory = fleet();
    let expected = select(&inventory, "webservers:dbservers:&staging:!phoenix");
    assert_eq!(
        select(&inventory, "&staging:webservers:!phoenix:dbservers"),
        expected
    );
    assert_eq!(
        select(&inventory, "!phoenix"),
        ["cobweb", "weber", "db1.example.com", "db2.example.com"]
    );
}

#[test]
fn wildcards_and_regexes() {
    let inventory = fleet();
    assert_eq!(
        select(&inventory, "*.example.com"),
        ["db1.example.com", "db2.example.com"]
    );
    assert_eq!(select(&inventory, "web*"), ["cobweb", "webbing", "weber"]);
    assert_eq!(
        select(&inventory, "db?.example.com"),
        ["db1.example.com", "db2.example.com"]
    );
    assert_eq!(
        select(&inventory, "~(web|db).*\\.example\\.com"),
        ["db1.example.com", "db2.example.com"]
    );
    // re.match anchors at the start only, and regexes match groups too.
    assert_eq!(select(&inventory, "~web.*g"), ["webbing"]);
    assert_eq!(select(&inventory, "~web"), ["cobweb", "webbing", "weber"]);
}

#[test]
fn the_documented_subscripts() {
    let inventory = fleet();
    assert_eq!(select(&inventory, "webservers[0]"), ["cobweb"]);
    assert_eq!(select(&inventory, "webservers[-1]"), ["weber"]);
    assert_eq!(
        select(&inventory, "webservers[0:2]"),
        ["cobweb", "webbing", "weber"]
    );
    assert_eq!(select(&inventory, "webservers[1:2]"), ["webbing", "weber"]);
    assert_eq!(select(&inventory, "webservers[1:]"), ["webbing", "weber"]);
    assert_eq!(
        select(&inventory, "webservers[:3]"),
        ["cobweb", "webbing", "weber"]
    );
    assert_eq!(select(&inventory, "webservers[1:1]"), ["webbing"]);
    assert!(select(&inventory, "webservers[2:1]").is_empty());
    assert!(inventory.select("webservers[3]").is_err());
    assert!(inventory.select("webservers[:]").is_err());
}

#[test]
fn unmatched_names_are_warnings_not_errors() {
    let inventory = fleet();
    let selection = inventory
        .select("webservers:nosuch:&also_missing")
        .expect("valid");
    assert!(selection.hosts.is_empty());
    assert_eq!(selection.warnings, ["nosuch", "also_missing"]);
    assert!(inventory.select("all").expect("valid").warnings.is_empty());
}

#[test]
fn malformed_regexes_are_errors() {
    assert!(fleet().select("~web(").is_err());
}

#[test]
fn implicit_localhost_is_selectable_and_local() {
    let inventory = fleet();
    let selection = inventory.select("localhost").expect("valid");
    assert_eq!(selection.hosts, ["localhost"]);
    assert!(selection.warnings.is_empty());
    assert!(!select(&inventory, "all").contains(&"localhost".to_string()));
    assert_eq!(
        inventory.host_vars("localhost")["ansible_connection"],
        minijinja::Value::from("local")
    );
    assert!(inventory.group_names("localhost").is_empty());
}

#[test]
fn an_inventory_localhost_is_an_ordinary_host() {
    let inventory = ini("localhost ansible_connection=ssh\n");
    assert_eq!(select(&inventory, "all"), ["localhost"]);
    assert_eq!(
        inventory.host_vars("localhost")["ansible_connection"],
        minijinja::Value::from("ssh")
    );
}

#[test]
fn limit_files_name_one_pattern_per_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("hosts"), "[web]\nw1\nw2\nw3\n").expect("write");
    std::fs::write(tmp.path().join("retry.txt"), "w3\n\nw1\n").expect("write");
    let inventory = Inventory::load(&["hosts".into()], tmp.path()).expect("loads");
    assert_eq!(select(&inventory, "@retry.txt"), ["w3", "w1"]);
    assert_eq!(select(&inventory, "@retry.txt:!w3"), ["w1"]);
    assert!(inventory.select("@missing.txt").is_err());
}
