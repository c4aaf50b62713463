//! `group_vars/` and `host_vars/` directories, read as Ansible's
//! `host_group_vars` plugin does: for a name, the first of `NAME`,
//! `NAME.yml`, `NAME.yaml`, `NAME.json` that exists; a directory `NAME/`
//! contributes every file inside (sorted, recursing into subdirectories,
//! skipping hidden files, backups `~` and other extensions). Files are only
//! read for groups and hosts the inventory has.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::source::{Diagnostic, ErrorKind, SourceFile};
use crate::value::{VarMap, overlay, to_var_map};

const EXTENSIONS: [&str; 4] = ["", ".yml", ".yaml", ".json"];

/// The variables found beside one inventory source or playbook.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VarsDir {
    pub base: PathBuf,
    pub groups: IndexMap<String, VarMap>,
    pub hosts: IndexMap<String, VarMap>,
}

impl VarsDir {
    /// Read `base/group_vars/` for `groups` and `base/host_vars/` for `hosts`.
    pub fn load<'a>(
        base: &Path,
        groups: impl IntoIterator<Item = &'a str>,
        hosts: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, Diagnostic> {
        Ok(Self {
            base: base.to_path_buf(),
            groups: load_entities(&base.join("group_vars"), groups)?,
            hosts: load_entities(&base.join("host_vars"), hosts)?,
        })
    }
}

fn load_entities<'a>(
    dir: &Path,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<IndexMap<String, VarMap>, Diagnostic> {
    let mut found = IndexMap::new();
    if !dir.is_dir() {
        return Ok(found);
    }
    for name in names {
        // Ansible skips names like `/path/to/chroot` rather than read them.
        if name.starts_with('/') || name.is_empty() {
            continue;
        }
        let files = files_for(dir, name);
        if files.is_empty() {
            continue;
        }
        let mut vars = VarMap::new();
        for file in files {
            overlay(&mut vars, &read_vars_file(&file)?);
        }
        found.insert(name.to_string(), vars);
    }
    Ok(found)
}

fn files_for(dir: &Path, name: &str) -> Vec<PathBuf> {
    for extension in EXTENSIONS {
        let path = dir.join(format!("{name}{extension}"));
        if path.is_dir() {
            return files_in(&path);
        }
        if path.exists() {
            return vec![path];
        }
    }
    Vec::new()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.') && !n.ends_with('~'))
        .collect();
    names.sort();
    let mut files = Vec::new();
    for name in names {
        let path = dir.join(&name);
        let extension = extension_of(&name);
        if path.is_dir() && extension.is_empty() {
            files.extend(files_in(&path));
        } else if path.is_file() && EXTENSIONS.contains(&extension) {
            files.push(path);
        }
    }
    files
}

/// Python's `os.path.splitext` extension: from the last dot, unless the
/// name starts with its only dot.
fn extension_of(name: &str) -> &str {
    match name.rfind('.') {
        Some(dot) if name[..dot].chars().any(|c| c != '.') => &name[dot..],
        _ => "",
    }
}

/// One vars file: a YAML (or JSON) mapping; empty files hold nothing.
pub(super) fn read_vars_file(path: &Path) -> Result<VarMap, Diagnostic> {
    let file = SourceFile::read(path)
        .map_err(|e| Diagnostic::new(format!("cannot read vars file {}: {e}", path.display())))?;
    // ansible-playbook stops with 4 on an undecryptable group_vars/host_vars file.
    let node = crate::yaml::parse_str(file).map_err(|e| e.with_kind(ErrorKind::Parse))?;
    if node.is_null() {
        return Ok(VarMap::new());
    }
    node.expect_map("a vars file")?;
    Ok(to_var_map(&node.to_value()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::Value;

    fn write(path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }

    #[test]
    fn first_existing_name_wins_and_directories_merge_sorted() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let base = tmp.path();
        write(&base.join("group_vars/web.yml"), "a: from_yml\n");
        write(&base.join("group_vars/web.json"), "{\"a\": \"from_json\"}");
        write(&base.join("group_vars/db/10-main.yml"), "a: 1\nb: 1\n");
        write(&base.join("group_vars/db/20-more.yaml"), "b: 2\n");
        write(&base.join("group_vars/db/notes.txt"), "not: read\n");
        write(&base.join("group_vars/db/.hidden"), "c: 3\n");
        write(&base.join("group_vars/db/sub/30-deep"), "d: 4\n");
        write(&base.join("host_vars/h1"), "x: 1\n");
        write(&base.join("group_vars/ghost.yml"), ": not yaml [");
        let dir = VarsDir::load(base, ["web", "db", "missing"], ["h1"]).expect("loads");
        assert_eq!(dir.groups["web"]["a"], Value::from("from_yml"));
        let db = &dir.groups["db"];
        assert_eq!(db.keys().collect::<Vec<_>>(), ["a", "b", "d"]);
        assert_eq!(db["b"], Value::from(2));
        assert_eq!(dir.hosts["h1"]["x"], Value::from(1));
        assert!(!dir.groups.contains_key("missing"));
    }

    #[test]
    fn a_non_mapping_vars_file_is_an_error_with_its_location() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(&tmp.path().join("group_vars/all.yml"), "- a\n- b\n");
        let error = VarsDir::load(tmp.path(), ["all"], []).expect_err("list is not vars");
        assert!(error.to_string().contains("all.yml:1:1"), "{error}");
    }
}
