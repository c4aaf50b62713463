use minijinja::Value;

use super::{ini, names, yaml};

const DOC_INI: &str = "\
mail.example.com

[webservers]
foo.example.com
bar.example.com

[dbservers]
one.example.com
two.example.com
three.example.com
";

const DOC_YAML: &str = "\
ungrouped:
  hosts:
    mail.example.com:
webservers:
  hosts:
    foo.example.com:
    bar.example.com:
dbservers:
  hosts:
    one.example.com:
    two.example.com:
    three.example.com:
";

#[test]
fn the_documented_ini_and_yaml_examples_define_the_same_groups() {
    for inventory in [ini(DOC_INI), yaml(DOC_YAML)] {
        let groups = inventory.groups_map();
        assert_eq!(names(&groups["ungrouped"]), ["mail.example.com"]);
        assert_eq!(
            names(&groups["webservers"]),
            ["foo.example.com", "bar.example.com"]
        );
        assert_eq!(groups["dbservers"].len(), 3);
        assert_eq!(groups["all"].len(), 6);
        assert_eq!(groups["all"][0], "mail.example.com");
    }
}

#[test]
fn group_names_exclude_all_and_include_ungrouped() {
    let inventory = ini(DOC_INI);
    assert_eq!(inventory.group_names("mail.example.com"), ["ungrouped"]);
    assert_eq!(inventory.group_names("foo.example.com"), ["webservers"]);
}

#[test]
fn a_host_in_a_group_is_not_ungrouped_even_if_listed_first() {
    let inventory = ini("h1\n[web]\nh1\n");
    assert!(inventory.groups_map()["ungrouped"].is_empty());
    assert_eq!(inventory.group_names("h1"), ["web"]);
}

#[test]
fn yaml_all_hosts_are_ungrouped() {
    let inventory =
        yaml("all:\n  hosts:\n    solo:\n  children:\n    web:\n      hosts:\n        w1:\n");
    assert_eq!(names(&inventory.groups_map()["ungrouped"]), ["solo"]);
    assert_eq!(inventory.group_names("w1"), ["web"]);
}

#[test]
fn ranges_ports_and_inline_vars_in_ini() {
    let inventory = ini("\
[web]
www[01:03].example.com http_port=8080 maxRequestsPerChild=808
badwolf.example.com:5309
jumper ansible_port=5555 ansible_host=192.0.2.50
[db]
db-[a:c].example.com
");
    let web = &inventory.groups_map()["web"];
    assert_eq!(
        web[..3],
        [
            "www01.example.com",
            "www02.example.com",
            "www03.example.com"
        ]
    );
    assert_eq!(
        names(&inventory.groups_map()["db"]),
        ["db-a.example.com", "db-b.example.com", "db-c.example.com"]
    );
    let www = inventory.host_vars("www02.example.com");
    assert_eq!(www["http_port"], Value::from(8080));
    assert_eq!(
        inventory.host_vars("badwolf.example.com")["ansible_port"],
        Value::from(5309)
    );
    assert_eq!(
        inventory.host_vars("jumper")["ansible_host"],
        Value::from("192.0.2.50")
    );
}

#[test]
fn ini_values_are_python_literals_in_host_lines_and_vars_sections() {
    let inventory = ini("\
[g]
h1 a=True b='05' c=\"two words\" d=[1,2] e=FALSE f=abc#comment
[g:vars]
n = 5
s = \"quoted\"
t = True
u = yes please
");
    let vars = inventory.host_vars("h1");
    assert_eq!(vars["a"], Value::from(true));
    assert_eq!(vars["b"], Value::from("05"));
    assert_eq!(vars["c"], Value::from("two words"));
    assert_eq!(vars["d"], Value::from(vec![1, 2]));
    assert_eq!(vars["e"], Value::from("FALSE"));
    assert_eq!(vars["f"], Value::from("abc"));
    assert_eq!(vars["n"], Value::from(5));
    assert_eq!(vars["s"], Value::from("quoted"));
    assert_eq!(vars["t"], Value::from(true));
    assert_eq!(vars["u"], Value::from("yes please"));
}

#[test]
fn children_may_be_declared_after_the_parent_names_them() {
    let inventory = ini("\
[southeast:children]
atlanta
raleigh

[southeast:vars]
escape_pods=2

[atlanta]
host1
host2

[raleigh]
host2
host3
");
    assert_eq!(
        names(&inventory.groups_map()["southeast"]),
        ["host1", "host2", "host3"]
    );
    assert_eq!(
        inventory.group_names("host2"),
        ["atlanta", "raleigh", "southeast"]
    );
    assert_eq!(inventory.host_vars("host3")["escape_pods"], Value::from(2));
}

#[test]
fn yaml_hosts_vars_children_and_ranges() {
    let inventory = yaml(
        "\
all:
  vars:
    ntp: ntp.example.com
  children:
    webservers:
      hosts:
        web[1:2]:8022:
          http_port: 80
    prod:
      children:
        webservers:
      vars:
        env: prod
",
    );
    assert_eq!(names(&inventory.groups_map()["prod"]), ["web1", "web2"]);
    let vars = inventory.host_vars("web2");
    assert_eq!(vars["ansible_port"], Value::from(8022));
    assert_eq!(vars["http_port"], Value::from(80));
    assert_eq!(vars["env"], Value::from("prod"));
    assert_eq!(vars["ntp"], Value::from("ntp.example.com"));
    assert_eq!(vars["inventory_file"], Value::from("/inv/hosts.yml"));
    assert_eq!(vars["inventory_dir"], Value::from("/inv"));
}

#[test]
fn yaml_skips_unknown_keys_with_a_warning() {
    let inventory = yaml("web:\n  hosts:\n    w1:\n  host:\n    w2:\n");
    assert_eq!(inventory.hosts.len(), 1);
    assert_eq!(inventory.warnings.len(), 1);
    assert!(
        inventory.warnings[0].to_string().contains("hosts.yml:4:3"),
        "{}",
        inventory.warnings[0]
    );
}

#[test]
fn yaml_hosts_may_be_a_single_name() {
    let inventory = yaml("web:\n  hosts: w1\n");
    assert_eq!(names(&inventory.groups_map()["web"]), ["w1"]);
}
