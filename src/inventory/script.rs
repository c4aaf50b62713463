//! Dynamic inventory: an executable `-i` source is run with `--list` and its
//! JSON read as Ansible's `script` plugin reads it — groups with `hosts`,
//! `vars` and `children` (or a bare list of hosts), `_meta.hostvars` for the
//! hosts' variables, else `--host NAME` run for each host.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Map, Value as Json};

use super::Inventory;
use crate::source::Diagnostic;
use crate::value::Value;

/// Run `path --list` (and `--host` per host when it gives no `_meta`).
pub(super) fn read(inventory: &mut Inventory, path: &Path) -> Result<(), Diagnostic> {
    let listing = run(path, &["--list"])?;
    // Groups in the order the script gave them, as Ansible reads them.
    let groups: indexmap::IndexMap<String, Json> = match serde_json::from_str(&listing) {
        Ok(groups) => groups,
        Err(_) => {
            let document = parse(path, &listing, "--list")?;
            return Err(script_error(
                path,
                "--list",
                format!("printed JSON {}, not an object of groups", kind(&document)),
            ));
        }
    };
    let mut hosts: Vec<String> = Vec::new();
    let mut meta: Option<Map<String, Json>> = None;
    for (group, data) in groups {
        if group == "_meta" {
            meta = Some(match data.get("hostvars") {
                Some(Json::Object(hostvars)) => hostvars.clone(),
                Some(other) => {
                    return Err(script_error(
                        path,
                        "--list",
                        format!("`_meta.hostvars` is {}, not an object", kind(other)),
                    ));
                }
                None => Map::new(),
            });
            continue;
        }
        read_group(inventory, path, &group, data, &mut hosts)?;
    }
    for host in &hosts {
        let vars = match &meta {
            Some(hostvars) => hostvars.get(host).cloned().unwrap_or(Json::Null),
            None => {
                let output = run(path, &["--host", host])?;
                if output.trim().is_empty() {
                    Json::Null
                } else {
                    parse(path, &output, &format!("--host {host}"))?
                }
            }
        };
        match vars {
            Json::Null => {}
            Json::Object(vars) => {
                for (key, value) in vars {
                    inventory.set_host_var(host, &key, json_value(&value));
                }
            }
            other => {
                return Err(script_error(
                    path,
                    "--list",
                    format!(
                        "the variables of host `{host}` are {}, not an object",
                        kind(&other)
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn read_group(
    inventory: &mut Inventory,
    path: &Path,
    group: &str,
    data: Json,
    hosts: &mut Vec<String>,
) -> Result<(), Diagnostic> {
    inventory.add_group(group);
    // As Ansible: a list is the group's hosts; an object with none of the
    // three keys is a host of the group's name with those variables.
    let data = match data {
        Json::Object(map)
            if ["hosts", "vars", "children"]
                .iter()
                .any(|k| map.contains_key(*k)) =>
        {
            map
        }
        Json::Object(vars) => Map::from_iter([
            ("hosts".to_string(), Json::Array(vec![Json::from(group)])),
            ("vars".to_string(), Json::Object(vars)),
        ]),
        other => Map::from_iter([("hosts".to_string(), other)]),
    };
    let field = |name: &str, what: &str| format!("`{group}.{name}` is {what}");
    if let Some(members) = data.get("hosts") {
        let Json::Array(members) = members else {
            return Err(script_error(
                path,
                "--list",
                field("hosts", &format!("{}, not a list", kind(members))),
            ));
        };
        for member in members {
            let Some(name) = member.as_str() else {
                return Err(script_error(
                    path,
                    "--list",
                    field("hosts", "a list holding something other than names"),
                ));
            };
            inventory.add_host(name, Some(group), None, Some(path));
            if !hosts.iter().any(|known| known == name) {
                hosts.push(name.to_string());
            }
        }
    }
    if let Some(vars) = data.get("vars") {
        let Json::Object(vars) = vars else {
            return Err(script_error(
                path,
                "--list",
                field("vars", &format!("{}, not an object", kind(vars))),
            ));
        };
        for (key, value) in vars {
            inventory
                .set_group_var(group, key, json_value(value))
                .map_err(|e| script_error(path, "--list", e.to_string()))?;
        }
    }
    if let Some(children) = data.get("children") {
        let Json::Array(children) = children else {
            return Err(script_error(
                path,
                "--list",
                field("children", &format!("{}, not a list", kind(children))),
            ));
        };
        for child in children {
            let Some(child) = child.as_str() else {
                return Err(script_error(
                    path,
                    "--list",
                    field("children", "a list holding something other than names"),
                ));
            };
            inventory
                .add_child_group(group, child)
                .map_err(|e| script_error(path, "--list", e.to_string()))?;
        }
    }
    Ok(())
}

/// The script's stdout; a script that cannot start or exits non-zero is an
/// error that quotes its stderr.
fn run(path: &Path, args: &[&str]) -> Result<String, Diagnostic> {
    let output = Command::new(path)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| script_error(path, &args.join(" "), format!("could not be run: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let status = output.status.code().map_or_else(
            || "was killed by a signal".to_string(),
            |code| format!("exited with {code}"),
        );
        return Err(script_error(
            path,
            &args.join(" "),
            format!("{status}: {}", stderr.trim()),
        ));
    }
    String::from_utf8(output.stdout).map_err(|_| {
        script_error(
            path,
            &args.join(" "),
            "printed something that is not UTF-8".into(),
        )
    })
}

fn parse(path: &Path, text: &str, args: &str) -> Result<Json, Diagnostic> {
    serde_json::from_str(text).map_err(|e| {
        script_error(
            path,
            args,
            format!("printed something that is not JSON ({e})"),
        )
    })
}

fn script_error(path: &Path, args: &str, message: String) -> Diagnostic {
    Diagnostic::new(format!(
        "inventory script {} {args}: {message}",
        path.display()
    ))
}

fn kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

fn json_value(json: &Json) -> Value {
    Value::from(minijinja::value::Serde(json))
}
