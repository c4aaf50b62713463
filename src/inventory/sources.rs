//! Where inventories come from: each `-i` value is a file, a directory of
//! inventory files, a comma list of hosts (`web1,web2,`), or a bare name
//! found under `inventories/`. Formats are told apart as Ansible's plugins
//! do: `.yml`/`.yaml`/`.json` are YAML, an extensionless file is YAML when
//! it reads as a YAML mapping, everything else is INI, and an executable
//! file is a dynamic inventory script (run with `--list`, see `script.rs`).

use std::path::{Component, Path, PathBuf};

use super::Inventory;
use super::model::LOCALHOST_NAMES;
use super::vars_dirs::VarsDir;
use super::{ini, script, yaml_format};
use crate::source::{Diagnostic, ErrorKind, SourceFile};
use crate::yaml::NodeKind;

/// Suffixes Ansible skips inside an inventory directory by default
/// (`INVENTORY_IGNORE_EXTS`: `REJECT_EXTS` plus `.orig`, `.cfg`, `.retry`).
pub(crate) const IGNORED_SUFFIXES: [&str; 12] = [
    ".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".cfg", ".retry",
];
const IGNORED_NAMES: [&str; 3] = ["host_vars", "group_vars", "vars_plugins"];

/// What an inventory directory's walk skips besides hidden names and
/// `group_vars`/`host_vars`/`vars_plugins` (Ansible's IGNORED_ALWAYS):
/// names ending in one of `extensions` (`inventory_ignore_extensions`) or
/// matching one of `patterns` anywhere (`inventory_ignore_patterns`,
/// Python's `re.search`).
#[derive(Debug, Clone)]
pub struct DirectoryIgnores {
    pub extensions: Vec<String>,
    pub patterns: Vec<regex::Regex>,
}

impl Default for DirectoryIgnores {
    fn default() -> Self {
        Self {
            extensions: IGNORED_SUFFIXES.iter().map(|s| (*s).to_string()).collect(),
            patterns: Vec::new(),
        }
    }
}

/// The ignores of this process's inventory walks, from ansible.cfg and the
/// environment (set once, before any inventory is read).
static DIRECTORY_IGNORES: std::sync::RwLock<Option<DirectoryIgnores>> =
    std::sync::RwLock::new(None);

pub fn set_directory_ignores(ignores: DirectoryIgnores) {
    *DIRECTORY_IGNORES
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(ignores);
}
const YAML_EXTENSIONS: [&str; 3] = ["yml", "yaml", "json"];

enum Resolved {
    Path(PathBuf),
    HostList(String),
}

/// Read every source in order, later ones merging into earlier ones, then
/// the `group_vars/`/`host_vars/` beside each.
pub(super) fn load(sources: &[String], cwd: &Path) -> Result<Inventory, Diagnostic> {
    let mut inventory = Inventory::empty(cwd);
    let mut bases: Vec<PathBuf> = Vec::new();
    for source in sources {
        match resolve(source, cwd)? {
            Resolved::HostList(list) => read_host_list(&mut inventory, &list),
            Resolved::Path(path) => {
                let base = if path.is_dir() {
                    path.clone()
                } else {
                    path.parent()
                        .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf)
                };
                if !bases.contains(&base) {
                    bases.push(base);
                }
                read_path(&mut inventory, &path)?;
            }
        }
    }
    inventory.reconcile();
    for base in &bases {
        let groups = inventory.groups.keys().map(String::as_str);
        let hosts = inventory
            .hosts
            .keys()
            .map(String::as_str)
            .chain(LOCALHOST_NAMES);
        let vars = VarsDir::load(base, groups, hosts)?;
        inventory.inventory_vars.push(vars);
    }
    inventory.warn_name_clashes();
    Ok(inventory)
}

fn resolve(source: &str, cwd: &Path) -> Result<Resolved, Diagnostic> {
    let direct = normalize(&cwd.join(expand_home(source)));
    if direct.exists() {
        return Ok(Resolved::Path(direct));
    }
    if source.contains(',') {
        return Ok(Resolved::HostList(source.to_string()));
    }
    let named = cwd.join("inventories").join(source);
    if named.exists() {
        return Ok(Resolved::Path(normalize(&named)));
    }
    Err(
        Diagnostic::new(format!("inventory source `{source}` not found")).with_help(format!(
            "looked for {} and {}; a list of hosts needs a comma, e.g. `{source},`",
            direct.display(),
            named.display()
        )),
    )
}

fn expand_home(source: &str) -> PathBuf {
    match (source.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(source),
    }
}

/// `a/./b/../c` as `a/c`, without touching the file system (Ansible's
/// `unfrackpath` with `follow=False`).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `web1,web2:2222,` — every name is an ungrouped host.
fn read_host_list(inventory: &mut Inventory, list: &str) {
    for item in list.split(',').map(str::trim).filter(|h| !h.is_empty()) {
        // The host list plugin takes no ranges: `[` leaves the item whole.
        let address = super::address::split_port(item);
        let (host, port) = if address.host.contains('[') && address.port.is_some() {
            (item, None)
        } else {
            (address.host, address.port)
        };
        if !inventory.hosts.contains_key(host) {
            inventory.add_host(host, Some(super::graph::UNGROUPED), port, None);
        }
    }
}

fn read_path(inventory: &mut Inventory, path: &Path) -> Result<(), Diagnostic> {
    if path.is_dir() {
        for entry in directory_entries(path)? {
            read_entry(inventory, &entry)?;
        }
        return Ok(());
    }
    read_file(inventory, path)
}

/// One entry of an inventory directory. A file no format can read (a
/// LICENSE, a Makefile, notes without a suffix Ansible skips) is skipped
/// with a warning, as Ansible's inventory manager does when every plugin
/// refused it (`Unable to parse … as an inventory source`); what it read
/// before the error stays, as in Ansible. A file named by `-i` itself still
/// fails the run.
fn read_entry(inventory: &mut Inventory, path: &Path) -> Result<(), Diagnostic> {
    if path.is_dir() {
        return read_path(inventory, path);
    }
    match read_file(inventory, path) {
        Err(error) if error.kind == ErrorKind::Parse => {
            let mut warning = error;
            warning.message = format!(
                "Unable to parse {} as an inventory source, skipped: {}",
                path.display(),
                warning.message
            );
            inventory.warnings.push(warning);
            Ok(())
        }
        other => other,
    }
}

fn directory_entries(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::new(format!(
            "cannot read inventory directory {}: {e}",
            dir.display()
        ))
    })?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !is_ignored(name))
        .collect();
    names.sort();
    Ok(names.into_iter().map(|name| dir.join(name)).collect())
}

fn is_ignored(name: &str) -> bool {
    if name.starts_with('.') || IGNORED_NAMES.contains(&name) {
        return true;
    }
    let configured = DIRECTORY_IGNORES
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match configured.as_ref() {
        Some(ignores) => {
            ignores
                .extensions
                .iter()
                .any(|ext| name.ends_with(ext.as_str()))
                || ignores.patterns.iter().any(|re| re.is_match(name))
        }
        None => IGNORED_SUFFIXES.iter().any(|suffix| name.ends_with(suffix)),
    }
}

fn read_file(inventory: &mut Inventory, path: &Path) -> Result<(), Diagnostic> {
    if inventory.dir.is_none() {
        inventory.dir = path.parent().map(Path::to_path_buf);
    }
    if is_executable(path) {
        return script::read(inventory, path);
    }
    let file = SourceFile::read(path)
        .map_err(|e| Diagnostic::new(format!("cannot read inventory {}: {e}", path.display())))?;
    // An inventory vaulted whole is read as its cleartext, INI or YAML.
    let file = if crate::vault::is_vaulted(file.text.as_bytes()) {
        crate::yaml::decrypt_vaulted_file(&file).map_err(|e| e.with_kind(ErrorKind::Parse))?
    } else {
        file
    };
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if YAML_EXTENSIONS.contains(&extension) {
        let root = crate::yaml::parse_str(file)?;
        return yaml_format::parse(inventory, &root, path);
    }
    if extension.is_empty()
        && !looks_like_ini(&file.text)
        && let Ok(root) = crate::yaml::parse_str(file.clone())
        && matches!(root.kind, NodeKind::Map(_))
    {
        return yaml_format::parse(inventory, &root, path);
    }
    ini::parse(inventory, file)
}

/// A first meaningful line that is a `[section]` can only be INI.
fn looks_like_ini(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with(['#', ';']))
        .is_some_and(|line| line.starts_with('['))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_path: &Path) -> bool {
    false
}
