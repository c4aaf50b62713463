//! Hosts, groups and their variables, read from Ansible INI or YAML
//! inventories with `group_vars/` and `host_vars/`, and host patterns.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::source::Diagnostic;
use crate::value::VarMap;

/// One host as the inventory defines it.
#[derive(Debug, Clone, Default)]
pub struct Host {
    pub name: String,
    /// Variables set on the host itself (inline, `hosts:` entries, host_vars/).
    pub vars: VarMap,
}

/// One group: its direct hosts and child groups, and its own variables.
#[derive(Debug, Clone, Default)]
pub struct Group {
    pub name: String,
    pub vars: VarMap,
    pub hosts: Vec<String>,
    pub children: Vec<String>,
}

/// The result of matching a host pattern.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// Matching hosts in inventory order.
    pub hosts: Vec<String>,
    /// Names in the pattern that matched nothing (Ansible warns about them).
    pub warnings: Vec<String>,
}

/// Every host and group from every `-i` source, merged.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub hosts: IndexMap<String, Host>,
    pub groups: IndexMap<String, Group>,
    /// The directory of the first inventory source (`inventory_dir`).
    pub dir: Option<PathBuf>,
}

impl Inventory {
    /// Load every `-i` source: files, directories, comma lists (`h1,h2,`)
    /// and bare names resolved to `inventories/NAME` under `cwd`.
    pub fn load(sources: &[String], cwd: &Path) -> Result<Self, Diagnostic> {
        let _ = (sources, cwd);
        Err(Diagnostic::new("inventory loading is not built yet"))
    }

    /// Hosts matching an Ansible host pattern (`web*:&prod:!web03`, `~re`, `g[0:2]`).
    pub fn select(&self, pattern: &str) -> Result<Selection, Diagnostic> {
        let _ = pattern;
        Err(Diagnostic::new("host patterns are not built yet"))
    }

    /// A host's inventory variables with Ansible's precedence applied
    /// (`all` < parent groups < child groups < host).
    pub fn host_vars(&self, host: &str) -> VarMap {
        let _ = host;
        VarMap::new()
    }

    /// The groups a host belongs to, directly or through parents, sorted,
    /// without `all` (Ansible's `group_names`).
    pub fn group_names(&self, host: &str) -> Vec<String> {
        let _ = host;
        Vec::new()
    }

    /// Every group with its hosts, including `all` and `ungrouped` (Ansible's `groups`).
    pub fn groups_map(&self) -> IndexMap<String, Vec<String>> {
        IndexMap::new()
    }

    /// Read `group_vars/` and `host_vars/` beside a playbook; they rank above
    /// the inventory's own.
    pub fn load_playbook_vars(&mut self, playbook_dir: &Path) -> Result<(), Diagnostic> {
        let _ = playbook_dir;
        Ok(())
    }
}
