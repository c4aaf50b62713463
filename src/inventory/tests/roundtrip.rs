//! Random inventories, written as INI and as YAML, read back to the model
//! they were written from; and the readers never panic on any input.

use std::fmt::Write as _;
use std::path::Path;

use minijinja::Value;
use proptest::prelude::*;

use crate::inventory::Inventory;
use crate::value::VarMap;

#[derive(Debug, Clone)]
enum Scalar {
    Int(i64),
    Bool(bool),
    Str(String),
}

impl Scalar {
    fn value(&self) -> Value {
        match self {
            Self::Int(i) => Value::from(*i),
            Self::Bool(b) => Value::from(*b),
            Self::Str(s) => Value::from(s.as_str()),
        }
    }

    fn ini(&self) -> String {
        match self {
            Self::Int(i) => i.to_string(),
            Self::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            Self::Str(s) => s.clone(),
        }
    }

    fn yaml(&self) -> String {
        match self {
            Self::Bool(b) => b.to_string(),
            other => other.ini(),
        }
    }
}

#[derive(Debug, Clone)]
struct GroupModel {
    vars: Vec<(String, Scalar)>,
    hosts: Vec<usize>,
    children: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Model {
    groups: Vec<GroupModel>,
    host_vars: Vec<Vec<(String, Scalar)>>,
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        any::<i32>().prop_map(|i| Scalar::Int(i64::from(i))),
        any::<bool>().prop_map(Scalar::Bool),
        "s_[a-z0-9_]{0,8}".prop_map(Scalar::Str),
    ]
}

fn vars() -> impl Strategy<Value = Vec<(String, Scalar)>> {
    proptest::collection::btree_map("v_[a-z]{1,5}", scalar(), 0..4)
        .prop_map(|m| m.into_iter().collect())
}

fn model() -> impl Strategy<Value = Model> {
    (1usize..5, 1usize..8).prop_flat_map(|(group_count, host_count)| {
        let groups = (0..group_count)
            .map(|i| {
                let later = group_count - i - 1;
                (
                    vars(),
                    proptest::collection::vec(any::<bool>(), host_count),
                    proptest::collection::vec(any::<bool>(), later),
                )
                    .prop_map(move |(vars, hosts, children)| GroupModel {
                        vars,
                        hosts: picked(&hosts, 0),
                        children: picked(&children, i + 1),
                    })
            })
            .collect::<Vec<_>>();
        (groups, proptest::collection::vec(vars(), host_count))
            .prop_map(|(groups, host_vars)| Model { groups, host_vars })
    })
}

fn picked(flags: &[bool], offset: usize) -> Vec<usize> {
    flags
        .iter()
        .enumerate()
        .filter(|(_, on)| **on)
        .map(|(i, _)| i + offset)
        .collect()
}

fn host_line(model: &Model, host: usize) -> String {
    let mut line = format!("h{host}");
    for (key, value) in &model.host_vars[host] {
        let _ = write!(line, " {key}={}", value.ini());
    }
    line
}

fn to_ini(model: &Model) -> String {
    let mut text = String::new();
    for host in ungrouped(model) {
        let _ = writeln!(text, "{}", host_line(model, host));
    }
    for (i, group) in model.groups.iter().enumerate() {
        let _ = writeln!(text, "[g{i}]");
        for host in &group.hosts {
            let _ = writeln!(text, "{}", host_line(model, *host));
        }
        let _ = writeln!(text, "[g{i}:vars]");
        for (key, value) in &group.vars {
            let _ = writeln!(text, "{key} = {}", value.ini());
        }
        let _ = writeln!(text, "[g{i}:children]");
        for child in &group.children {
            let _ = writeln!(text, "g{child}");
        }
    }
    text
}

fn yaml_host(text: &mut String, model: &Model, host: usize, indent: &str) {
    let _ = writeln!(text, "{indent}h{host}:");
    for (key, value) in &model.host_vars[host] {
        let _ = writeln!(text, "{indent}  {key}: {}", value.yaml());
    }
}

fn to_yaml(model: &Model) -> String {
    let mut text = String::from("all:\n  hosts:\n");
    for host in ungrouped(model) {
        yaml_host(&mut text, model, host, "    ");
    }
    for (i, group) in model.groups.iter().enumerate() {
        let _ = writeln!(text, "g{i}:\n  hosts:");
        for host in &group.hosts {
            yaml_host(&mut text, model, *host, "    ");
        }
        text.push_str("  vars:\n");
        for (key, value) in &group.vars {
            let _ = writeln!(text, "    {key}: {}", value.yaml());
        }
        text.push_str("  children:\n");
        for child in &group.children {
            let _ = writeln!(text, "    g{child}:");
        }
    }
    text
}

fn ungrouped(model: &Model) -> Vec<usize> {
    (0..model.host_vars.len())
        .filter(|h| model.groups.iter().all(|g| !g.hosts.contains(h)))
        .collect()
}

fn var_map(vars: &[(String, Scalar)]) -> VarMap {
    vars.iter().map(|(k, v)| (k.clone(), v.value())).collect()
}

fn assert_matches_model(inventory: &Inventory, model: &Model) -> Result<(), TestCaseError> {
    for (i, expected) in model.groups.iter().enumerate() {
        let group = &inventory.groups[format!("g{i}").as_str()];
        let hosts: Vec<String> = expected.hosts.iter().map(|h| format!("h{h}")).collect();
        let children: Vec<String> = expected.children.iter().map(|c| format!("g{c}")).collect();
        prop_assert_eq!(
            group.hosts.iter().collect::<Vec<_>>(),
            hosts.iter().collect::<Vec<_>>()
        );
        prop_assert_eq!(&group.children, &children);
        prop_assert_eq!(&group.vars, &var_map(&expected.vars));
    }
    for (h, expected) in model.host_vars.iter().enumerate() {
        let name = format!("h{h}");
        prop_assert_eq!(&inventory.hosts[name.as_str()].vars, &var_map(expected));
        if ungrouped(model).contains(&h) {
            prop_assert_eq!(inventory.group_names(&name), vec!["ungrouped".to_string()]);
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn ini_written_from_a_model_reads_back_to_it(model in model()) {
        let text = to_ini(&model);
        let inventory = Inventory::from_ini(Path::new("/inv/hosts"), &text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        assert_matches_model(&inventory, &model)?;
    }

    #[test]
    fn yaml_written_from_a_model_reads_back_to_it(model in model()) {
        let text = to_yaml(&model);
        let inventory = Inventory::from_yaml(Path::new("/inv/hosts.yml"), &text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        assert_matches_model(&inventory, &model)?;
    }

    #[test]
    fn the_ini_reader_never_panics_and_errors_have_a_position(
        text in "([\\[\\]a-z0-9:=#;'\" \\t.,~!&*-]{0,30}\n){0,8}|\\PC{0,200}"
    ) {
        if let Err(error) = Inventory::from_ini(Path::new("/inv/hosts"), &text) {
            prop_assert!(error.span.is_some(), "no position: {}", error);
        }
    }

    #[test]
    fn the_yaml_reader_never_panics_and_errors_have_a_position(
        text in "([a-z0-9:\\[\\]\\- ]{0,20}\n){0,8}|([ a-z0-9:&*!{}\\[\\],'\"|>#-]{0,24}\n){0,8}|\\PC{0,200}"
    ) {
        if let Err(error) = Inventory::from_yaml(Path::new("/inv/hosts.yml"), &text) {
            prop_assert!(error.span.is_some(), "no position: {}", error);
        }
    }

    #[test]
    fn host_ranges_in_inventories_never_panic_and_errors_have_a_position(
        text in "\\[g\\]\n(h[0-9a-z]{0,2}\\[[0-9a-zA-Z]{0,4}(:[0-9a-zA-Z]{0,4}){0,3}\\]?[a-z]{0,2}\n){1,3}"
    ) {
        if let Err(error) = Inventory::from_ini(Path::new("/inv/hosts"), &text) {
            prop_assert!(error.span.is_some(), "no position: {}", error);
        }
    }

    #[test]
    fn patterns_never_panic(pattern in "[a-z0-9*?~!&:,\\[\\]()@.-]{0,20}") {
        let inventory = Inventory::from_ini(Path::new("/inv/hosts"), "[web]\nw1\nw2\n[db]\nd1\n").expect("valid");
        let _ = inventory.select(&pattern);
    }
}
