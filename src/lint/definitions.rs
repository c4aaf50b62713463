//! Every variable name a playbook can see defined, found without hosts:
//! what the files say (group_vars, host_vars, play and role variables,
//! vars_files), what tasks set (register, set_fact, include_vars, loops)
//! and the names Ansible itself provides.

use std::collections::BTreeSet;
use std::path::Path;

use super::model_walk::{Item, items};
use crate::playbook::{Play, Playbook, Task};
use crate::template::has_template_markers;
use crate::yaml::Node;

/// Names Ansible sets on every host, or in every template.
const MAGIC: &[&str] = &[
    "hostvars",
    "groups",
    "group_names",
    "inventory_hostname",
    "inventory_hostname_short",
    "inventory_dir",
    "inventory_file",
    "play_hosts",
    "playbook_dir",
    "role_name",
    "role_path",
    "role_names",
    "omit",
    "item",
    "vars",
    "environment",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
    "loop",
];

/// Facts modules and the variable each one sets.
const FACT_MODULES: &[(&str, &str)] =
    &[("package_facts", "packages"), ("service_facts", "services")];

/// Whether `name` is Ansible's to define: magic variables, connection
/// variables and facts all start with `ansible_`.
pub(super) fn is_ansible_name(name: &str) -> bool {
    name.starts_with("ansible_") || MAGIC.contains(&name)
}

/// What `book` defines, with `known` (inventory and `-e` names) added.
pub(super) fn defined(book: &Playbook, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut names = known.clone();
    names.extend(vars_dir_names(&book.dir));
    for play in &book.plays {
        play_names(play, &book.dir, &mut names);
    }
    names
}

fn play_names(play: &Play, dir: &Path, names: &mut BTreeSet<String>) {
    names.extend(play.vars.keys().cloned());
    names.extend(play.vars_prompt.iter().map(|prompt| prompt.name.clone()));
    for file in play.vars_files.iter().flat_map(|entry| &entry.names) {
        if !has_template_markers(file) {
            names.extend(file_keys(&dir.join(file)));
        }
    }
    for item in items(play) {
        match item {
            Item::Task(task) | Item::Handler(task) => task_names(task, dir, names),
            Item::Include(include) => {
                names.insert(include.loop_control.loop_var.clone());
                names.extend(include.loop_control.index_var.clone());
            }
            Item::Block(_) | Item::Meta(_) => {}
        }
    }
}

fn task_names(task: &Task, dir: &Path, names: &mut BTreeSet<String>) {
    names.extend(task.vars.keys().cloned());
    names.extend(task.register.clone());
    names.insert(task.loop_control.loop_var.clone());
    names.extend(task.loop_control.index_var.clone());
    if let Some(role) = &task.role {
        names.extend(role.defaults.keys().cloned());
        names.extend(role.vars.keys().cloned());
        names.extend(role.magic.keys().cloned());
    }
    let module = task.module.name();
    match module {
        "set_fact" => names.extend(task.args.keys().filter(|k| *k != "cacheable").cloned()),
        // `assert: that: x is defined` states an input the playbook is given (`-e x=…`).
        "assert" => {
            if let Some(that) = task.args.get("that") {
                names.extend(asserted_inputs(that));
            }
        }
        "include_vars" => {
            if let Some(name) = task.args.get("name").and_then(|v| v.as_str()) {
                names.insert(name.to_string());
            }
            for key in ["file", "_raw_params", "free_form"] {
                let Some(file) = task.args.get(key).and_then(|v| v.as_str()) else {
                    continue;
                };
                if has_template_markers(file) {
                    continue;
                }
                let base = task
                    .role
                    .as_ref()
                    .map_or(dir.to_path_buf(), |role| role.dir.join("vars"));
                names.extend(file_keys(&base.join(file)));
                names.extend(file_keys(&dir.join(file)));
            }
        }
        _ => {}
    }
    for (facts_module, variable) in FACT_MODULES {
        if module == *facts_module {
            names.insert((*variable).to_string());
        }
    }
}

/// The names `that:` requires to be defined.
fn asserted_inputs(that: &crate::value::Value) -> Vec<String> {
    let texts: Vec<String> = match that.as_str() {
        Some(text) => vec![text.to_string()],
        None => that
            .try_iter()
            .map(|items| {
                items
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let Ok(defined) = regex::Regex::new(r"\b([A-Za-z_]\w*)\s+is\s+defined\b") else {
        return Vec::new();
    };
    texts
        .iter()
        .flat_map(|text| {
            defined
                .captures_iter(text)
                .map(|c| c[1].to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The top-level keys of a YAML mapping file (none when it cannot be read).
pub(super) fn file_keys(path: &Path) -> Vec<String> {
    if !path.is_file() {
        return Vec::new();
    }
    crate::yaml::parse_file(path)
        .ok()
        .as_ref()
        .and_then(Node::as_map)
        .map(|entries| entries.iter().map(|(key, _)| key.key_text()).collect())
        .unwrap_or_default()
}

/// The keys of every file under `dir/group_vars` and `dir/host_vars`.
pub fn vars_dir_names(dir: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for sub in ["group_vars", "host_vars"] {
        collect_tree(&dir.join(sub), 0, &mut names);
    }
    names
}

fn collect_tree(path: &Path, depth: usize, names: &mut BTreeSet<String>) {
    if depth > 4 {
        return;
    }
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            collect_tree(&entry.path(), depth + 1, names);
        }
    } else {
        names.extend(file_keys(path));
    }
}
