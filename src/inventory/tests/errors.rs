use std::path::Path;

use crate::inventory::Inventory;
use crate::source::Diagnostic;

fn ini_error(text: &str) -> Diagnostic {
    Inventory::from_ini(Path::new("/inv/hosts"), text).expect_err("invalid INI inventory")
}

fn yaml_error(text: &str) -> Diagnostic {
    Inventory::from_yaml(Path::new("/inv/hosts.yml"), text).expect_err("invalid YAML inventory")
}

fn position(error: &Diagnostic) -> (usize, usize) {
    let span = error.span.as_ref().expect("error has a position");
    (span.line, span.column)
}

#[test]
fn undefined_child_group_points_at_the_child() {
    let error = ini_error("[web]\nw1\n\n[prod:children]\n  webb\n");
    assert_eq!(position(&error), (5, 3));
    assert!(error.message.contains("[prod:children]"), "{error}");
    assert!(error.message.contains("webb"), "{error}");
    assert!(error.to_string().contains("did you mean `web`?"), "{error}");
}

#[test]
fn vars_for_an_undeclared_group_is_an_error() {
    let error = ini_error("[web]\nw1\n[db:vars]\nport=5432\n");
    assert_eq!(position(&error), (3, 2));
    assert!(error.message.contains("db"), "{error}");
}

#[test]
fn bad_ranges_point_at_the_host() {
    let error = ini_error("[web]\n  www[01:100] x=1\n");
    assert_eq!(position(&error), (2, 3));
    assert!(error.message.contains("equal-length"), "{error}");
}

#[test]
fn malformed_lines_are_errors_with_columns() {
    assert_eq!(position(&ini_error("[web]\nw1 oops\n")), (2, 4));
    assert_eq!(position(&ini_error("[web]\nw1 x='open\n")), (2, 6));
    assert_eq!(position(&ini_error("[web:vars]\nnot a pair\n")), (2, 1));
    assert_eq!(position(&ini_error("[web:bogus]\n")), (1, 6));
    assert_eq!(position(&ini_error("[web servers]\n")), (1, 1));
    assert_eq!(position(&ini_error("[web]\nw1:\n")), (2, 1));
}

#[test]
fn group_loops_are_errors() {
    let error = ini_error("[a:children]\nb\n[b:children]\na\n");
    assert!(error.message.contains("loop"), "{error}");
    assert_eq!(position(&error).0, 4);
}

#[test]
fn yaml_structure_errors_point_at_the_node() {
    let error = yaml_error("web:\n  hosts:\n    - h1\n");
    assert_eq!(position(&error), (3, 5));
    assert!(error.message.contains("mapping"), "{error}");
    let error = yaml_error("web:\n  hosts:\n    1234:\n");
    assert_eq!(position(&error), (3, 5));
    let error = yaml_error("plugin: aws_ec2\n");
    assert!(error.message.contains("not supported"), "{error}");
}
