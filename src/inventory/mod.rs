//! Hosts, groups and their variables, read from Ansible INI or YAML
//! inventories with `group_vars/` and `host_vars/`, and host patterns.
//!
//! The behaviour follows Ansible's inventory plugins and `InventoryManager`
//! (see each file's doc). Loading returns data and collects warnings; it
//! never prints.

mod address;
mod build;
mod fnmatch;
mod graph;
mod ini;
mod literal;
mod model;
mod pattern;
mod precedence;
mod range;
mod runtime;
mod script;
mod shlex;
mod sources;
mod vars_dirs;
mod yaml_format;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

pub use address::split_port;
pub use build::GraphError;
pub use literal::parse_value as parse_ini_value;
pub use model::{DEFAULT_GROUP_PRIORITY, Group, Host, LOCALHOST_NAMES, Selection};
pub use pattern::split_pattern;
pub use range::{RangeError, expand as expand_host_range};
pub use sources::{DirectoryIgnores, set_directory_ignores};
pub use vars_dirs::VarsDir;

use crate::source::{Diagnostic, SourceFile};
use crate::value::VarMap;
use graph::{ALL, Index, UNGROUPED};

/// Every host and group from every `-i` source, merged.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub hosts: IndexMap<String, Host>,
    pub groups: IndexMap<String, Group>,
    /// The directory of the first inventory source file (`inventory_dir`).
    pub dir: Option<PathBuf>,
    /// Things Ansible would warn about while loading (skipped YAML keys, a
    /// name used for both a host and a group).
    pub warnings: Vec<Diagnostic>,
    /// `group_vars/`/`host_vars/` beside each inventory source, in `-i` order.
    pub inventory_vars: Vec<VarsDir>,
    /// `group_vars/`/`host_vars/` beside playbooks, in the order loaded.
    pub playbook_vars: Vec<VarsDir>,
    index: Index,
    cwd: PathBuf,
}

impl Inventory {
    /// An inventory with only the implicit groups `all` and `ungrouped`.
    pub fn empty(cwd: &Path) -> Self {
        let mut inventory = Self {
            cwd: cwd.to_path_buf(),
            ..Self::default()
        };
        inventory.add_group(ALL);
        inventory.add_group(UNGROUPED);
        // Ansible makes `ungrouped` a child of `all` before reading anything.
        let _ = inventory.add_child_group(ALL, UNGROUPED);
        inventory.reconcile();
        inventory
    }

    /// Load every `-i` source: files, directories, comma lists (`h1,h2,`)
    /// and bare names resolved to `inventories/NAME` under `cwd`.
    pub fn load(sources: &[String], cwd: &Path) -> Result<Self, Diagnostic> {
        sources::load(sources, cwd)
    }

    /// An inventory from INI text, as if read from a file at `path`
    /// (no `group_vars/` are read).
    pub fn from_ini(path: &Path, text: &str) -> Result<Self, Diagnostic> {
        let mut inventory = Self::empty(path.parent().unwrap_or(Path::new(".")));
        ini::parse(&mut inventory, SourceFile::new(path, text))?;
        inventory.reconcile();
        Ok(inventory)
    }

    /// An inventory from YAML text, as if read from a file at `path`
    /// (no `group_vars/` are read).
    pub fn from_yaml(path: &Path, text: &str) -> Result<Self, Diagnostic> {
        let mut inventory = Self::empty(path.parent().unwrap_or(Path::new(".")));
        let root = crate::yaml::parse_str(SourceFile::new(path, text))?;
        yaml_format::parse(&mut inventory, &root, path)?;
        inventory.reconcile();
        Ok(inventory)
    }

    /// Hosts matching an Ansible host pattern (`web*:&prod:!web03`, `~re`,
    /// `g[0:2]`, `@file`). Names that match nothing are listed in
    /// `warnings`; only malformed patterns (or an out-of-range index) fail.
    pub fn select(&self, pattern: &str) -> Result<Selection, Diagnostic> {
        self.select_hosts(pattern)
    }

    /// A host's inventory variables with Ansible's precedence applied (see
    /// `precedence.rs`): group vars by depth and priority, `group_vars/`
    /// above inventory files, playbook dirs above inventory dirs, host last.
    pub fn host_vars(&self, host: &str) -> VarMap {
        self.vars_for(host)
    }

    /// The groups a host belongs to, directly or through parents, sorted,
    /// without `all` but with `ungrouped` when it applies (Ansible's
    /// `group_names`). Empty for the implicit localhost.
    pub fn group_names(&self, host: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .index
            .host_groups
            .get(host)
            .into_iter()
            .flatten()
            .filter(|g| *g != ALL)
            .cloned()
            .collect();
        names.sort();
        names
    }

    /// Every group with its hosts (through children too), including `all`
    /// and `ungrouped` (Ansible's `groups`). The implicit localhost is in none.
    pub fn groups_map(&self) -> IndexMap<String, Vec<String>> {
        self.index.group_hosts.clone()
    }

    /// Read `group_vars/` and `host_vars/` beside a playbook; they rank above
    /// the inventory's own.
    pub fn load_playbook_vars(&mut self, playbook_dir: &Path) -> Result<(), Diagnostic> {
        let groups = self.groups.keys().map(String::as_str);
        let hosts = self.hosts.keys().map(String::as_str).chain(LOCALHOST_NAMES);
        let vars = VarsDir::load(playbook_dir, groups, hosts)?;
        self.playbook_vars.push(vars);
        Ok(())
    }

    fn warn_name_clashes(&mut self) {
        let clashes: Vec<String> = self
            .hosts
            .keys()
            .filter(|h| self.groups.contains_key(*h))
            .cloned()
            .collect();
        for name in clashes {
            self.warnings.push(Diagnostic::new(format!(
                "found both a group and a host named `{name}`"
            )));
        }
    }
}
