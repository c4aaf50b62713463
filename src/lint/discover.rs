//! Which files are playbooks: those named, and in directories every YAML
//! file whose top level is a list of plays.

use std::path::{Path, PathBuf};

use super::structure::{FileKind, kind_of};

/// Directories never searched: other tools' state and build output.
const SKIPPED_DIRS: [&str; 6] = [
    ".git",
    "target",
    "node_modules",
    ".venv",
    "roles",
    "group_vars",
];

/// The playbooks under `paths` (a file is taken as it is), sorted within
/// each directory; paths that do not exist are returned as errors.
pub fn playbooks(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_file() {
            found.push(path.clone());
        } else if path.is_dir() {
            search(path, 0, &mut found);
        } else {
            return Err(format!("{}: no such file or directory", path.display()));
        }
    }
    Ok(found)
}

fn search(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    if depth > 8 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_str()) && name != "host_vars" {
                search(&path, depth + 1, found);
            }
        } else if (name.ends_with(".yml") || name.ends_with(".yaml")) && is_playbook(&path) {
            found.push(path);
        }
    }
}

/// A file is a playbook when it reads as a list of plays; one that does
/// not parse is a playbook when it looks like one (`- hosts:` at the top),
/// so its syntax error is reported.
fn is_playbook(path: &Path) -> bool {
    match crate::yaml::parse_file(path) {
        Ok(root) => kind_of(&root) == FileKind::Playbook,
        Err(_) => std::fs::read_to_string(path).is_ok_and(|text| {
            text.lines().any(|line| {
                let line = line.trim_end();
                line.starts_with("- hosts:")
                    || line.starts_with("- import_playbook:")
                    || line.starts_with("- name:") && text.contains("\n  hosts:")
            })
        }),
    }
}
