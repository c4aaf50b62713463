//! `--junit FILE`: a test case per host and task, as Ansible's junit callback.

use crate::support::Lab;

const PLAYBOOK: &str = "\
- name: upgrade
  hosts: all
  gather_facts: false
  tasks:
    - name: check <version> & \"quotes\"
      command: echo checked
    - name: only on node1
      command: /bin/false
      when: inventory_hostname == 'node1'
      ignore_errors: true
    - name: fails on node2
      shell: echo 'disk full' >&2; exit 3
      when: inventory_hostname == 'node2'
";

#[test]
fn the_junit_report_has_a_case_per_host_and_task() {
    let lab = Lab::up(3);
    lab.project.file("site.yml", PLAYBOOK);
    lab.stop_host("node3");
    let run = lab.run(&["play", "site.yml", "-i", "lab", "--junit", "report.xml"]);
    run.assert_code(4);
    let xml = lab.project.read("report.xml");
    let document = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let attributes = |node: roxmltree::Node, names: &[&str]| {
        names
            .iter()
            .map(|name| format!("{name}={}", node.attribute(*name).unwrap_or("-")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut summary = vec![attributes(
        root,
        &["tests", "failures", "errors", "skipped"],
    )];
    for suite in root.children().filter(roxmltree::Node::is_element) {
        summary.push(attributes(
            suite,
            &["name", "tests", "failures", "errors", "skipped"],
        ));
        for case in suite.children().filter(roxmltree::Node::is_element) {
            let classname = case.attribute("classname").unwrap_or_default();
            assert!(classname.contains("site.yml:"), "{classname}");
            let child = case.first_element_child().expect("a result element");
            let detail = child
                .attribute("message")
                .or(child.text())
                .unwrap_or_default();
            let detail = if child.tag_name().name() == "system-out" {
                ""
            } else {
                detail
            };
            summary.push(format!(
                "  {} | {} {}",
                case.attribute("name").unwrap_or_default(),
                child.tag_name().name(),
                detail.lines().next().unwrap_or_default()
            ));
        }
    }
    // Within a task, hosts report in the order they finish.
    summary[2..].sort();
    let mut expected = [
        "tests=7 failures=1 errors=1 skipped=2",
        "name=site tests=7 failures=1 errors=1 skipped=2",
        "  [node1] upgrade: check <version> & \"quotes\" | system-out ",
        "  [node2] upgrade: check <version> & \"quotes\" | system-out ",
        &format!(
            "  [node3] upgrade: check <version> & \"quotes\" | error {}",
            unreachable_message(&xml)
        ),
        "  [node2] upgrade: only on node1 | skipped Conditional result was False",
        "  [node1] upgrade: only on node1 | system-out ",
        "  [node1] upgrade: fails on node2 | skipped Conditional result was False",
        "  [node2] upgrade: fails on node2 | failure non-zero return code",
    ];
    expected[2..].sort();
    assert_eq!(summary, expected);
}

/// The unreachable case's message, whatever the SSH error said.
fn unreachable_message(xml: &str) -> String {
    let document = roxmltree::Document::parse(xml).expect("xml");
    document
        .descendants()
        .find(|node| node.has_tag_name("error"))
        .and_then(|node| node.attribute("message"))
        .map(|m| m.lines().next().unwrap_or_default().to_string())
        .unwrap_or_default()
}
