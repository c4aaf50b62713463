//! Ansible's YAML inventory format, read as its `yaml` inventory plugin does:
//! top-level keys are groups; each group may have `hosts:` (names, ranges
//! and `host:port` allowed, each with a mapping of vars or nothing),
//! `vars:` and `children:` (groups, recursively).
//!
//! ```yaml
//! all:
//!   hosts:
//!     mail.example.com:
//!   children:
//!     webservers:
//!       hosts:
//!         www[01:50].example.com:
//!       vars:
//!         http_port: 80
//! ```

use std::path::Path;

use super::Inventory;
use super::address::split_port;
use super::range::{expand, has_range};
use crate::source::Diagnostic;
use crate::yaml::{Node, NodeKind};

const SECTIONS: [&str; 3] = ["vars", "children", "hosts"];

/// Read a parsed YAML inventory into `inventory`; `path` is the file hosts
/// are recorded as coming from.
pub(super) fn parse(inventory: &mut Inventory, root: &Node, path: &Path) -> Result<(), Diagnostic> {
    if root.is_null() {
        return Ok(());
    }
    let groups = root.as_map().ok_or_else(|| {
        root.error(format!(
            "a YAML inventory must be a mapping of groups, found a {}",
            root.type_name()
        ))
    })?;
    if let Some(plugin) = root.get("plugin").filter(|p| !p.is_null()) {
        return Err(plugin
            .error("inventory plugin configuration files are not supported yet")
            .with_help("list hosts and groups in a static YAML or INI inventory instead"));
    }
    let mut reader = YamlReader { inventory, path };
    for (name, data) in groups {
        reader.group(name, data)?;
    }
    Ok(())
}

struct YamlReader<'a> {
    inventory: &'a mut Inventory,
    path: &'a Path,
}

impl YamlReader<'_> {
    fn warn(&mut self, node: &Node, message: String) {
        self.inventory.warnings.push(node.error(message));
    }

    /// Read one group and return its name.
    fn group(&mut self, key: &Node, data: &Node) -> Result<String, Diagnostic> {
        let name = key
            .as_str()
            .ok_or_else(|| {
                key.error(format!(
                    "a group name must be a string, found a {}",
                    key.type_name()
                ))
            })?
            .to_string();
        let entries = match &data.kind {
            NodeKind::Null => {
                self.inventory.add_group(&name);
                return Ok(name);
            }
            NodeKind::Map(entries) => entries,
            _ => {
                self.warn(
                    data,
                    format!(
                        "skipping `{name}`: a group must be a mapping, found a {}",
                        data.type_name()
                    ),
                );
                return Ok(name);
            }
        };
        self.inventory.add_group(&name);
        for (section, value) in entries {
            let section_name = section.key_text();
            if !SECTIONS.contains(&section_name.as_str()) {
                let message = format!(
                    "skipping unexpected key `{section_name}` in group `{name}`; only `vars`, `children` and `hosts` are valid"
                );
                self.warn(section, message);
                continue;
            }
            let items = section_items(&name, &section_name, value)?;
            for (item, item_data) in items {
                match section_name.as_str() {
                    "vars" => self.group_var(&name, &item, item_data)?,
                    "children" => self.child(&name, &item, item_data)?,
                    _ => self.hosts(&name, &item, item_data)?,
                }
            }
        }
        Ok(name)
    }

    fn group_var(
        &mut self,
        group: &str,
        key: &Node,
        value: Option<&Node>,
    ) -> Result<(), Diagnostic> {
        let value = value.map_or(minijinja::Value::from(()), Node::to_value);
        self.inventory
            .set_group_var(group, &key.key_text(), value)
            .map_err(|e| key.error(e.to_string()))
    }

    fn child(&mut self, parent: &str, key: &Node, data: Option<&Node>) -> Result<(), Diagnostic> {
        let null = Node {
            kind: NodeKind::Null,
            span: key.span.clone(),
        };
        let child = self.group(key, data.unwrap_or(&null))?;
        self.inventory
            .add_child_group(parent, &child)
            .map_err(|e| key.error(e.to_string()))
    }

    fn hosts(&mut self, group: &str, key: &Node, vars: Option<&Node>) -> Result<(), Diagnostic> {
        let Some(pattern) = key.as_str() else {
            return Err(key
                .error(format!(
                    "a host name must be a string, found a {}",
                    key.type_name()
                ))
                .with_help("quote host names that look like numbers or booleans"));
        };
        let address = split_port(pattern);
        let names = if has_range(address.host) {
            expand(address.host).map_err(|e| key.error(e.to_string()))?
        } else {
            vec![address.host.to_string()]
        };
        let vars = match vars.map(|v| (&v.kind, v)) {
            None | Some((NodeKind::Null, _)) => &[][..],
            Some((NodeKind::Map(entries), _)) => entries.as_slice(),
            Some((_, node)) => {
                return Err(node.error(format!(
                    "the variables of host `{pattern}` must be a mapping, found a {}",
                    node.type_name()
                )));
            }
        };
        for name in names {
            self.inventory
                .add_host(&name, Some(group), address.port, Some(self.path));
            for (var, value) in vars {
                self.inventory
                    .set_host_var(&name, &var.key_text(), value.to_value());
            }
        }
        Ok(())
    }
}

/// The entries of a `vars`/`children`/`hosts` section. A plain string is
/// one entry without data, as Ansible allows (`hosts: web1`); anything but a
/// mapping, a string or nothing is an error.
fn section_items<'n>(
    group: &str,
    section: &str,
    value: &'n Node,
) -> Result<Vec<(Node, Option<&'n Node>)>, Diagnostic> {
    match &value.kind {
        NodeKind::Null => Ok(Vec::new()),
        NodeKind::Str(_) => Ok(vec![(value.clone(), None)]),
        NodeKind::Map(entries) => Ok(entries.iter().map(|(k, v)| (k.clone(), Some(v))).collect()),
        _ => Err(value
            .error(format!(
                "`{section}` of group `{group}` must be a mapping, found a {}",
                value.type_name()
            ))
            .with_help(format!(
                "write each entry as a key ending in `:`, e.g. `{section}:\\n  name:`"
            ))),
    }
}
