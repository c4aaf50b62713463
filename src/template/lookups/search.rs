//! Where lookups find controller files: Ansible's `find_file_in_search_path`
//! over `ansible_search_path` (a role's directory, then the playbook's),
//! trying `<dir>/<subdir>/<name>` before `<dir>/<name>`.

use std::path::{Path, PathBuf};

use super::{Scope, items_of, text};

/// The directories searched, most specific first.
pub(super) fn search_dirs(scope: &Scope) -> Vec<PathBuf> {
    if let Some(paths) = scope.var("ansible_search_path") {
        let dirs: Vec<PathBuf> = items_of(&paths)
            .iter()
            .map(|p| PathBuf::from(text(p)))
            .collect();
        if !dirs.is_empty() {
            return dirs;
        }
    }
    let mut dirs = Vec::new();
    if let Some(role) = scope.var("role_path") {
        dirs.push(PathBuf::from(text(&role)));
    }
    dirs.push(base_dir(scope));
    dirs
}

/// The playbook's directory (Ansible's loader basedir).
pub(super) fn base_dir(scope: &Scope) -> PathBuf {
    scope.var("playbook_dir").map_or_else(
        || std::env::current_dir().unwrap_or_default(),
        |dir| PathBuf::from(text(&dir)),
    )
}

/// Every candidate for `name`, in the order Ansible tries them.
pub(super) fn candidates(scope: &Scope, subdir: Option<&str>, name: &str) -> Vec<PathBuf> {
    if name.starts_with('/') || name.starts_with('~') {
        return vec![expand_home(name)];
    }
    let subdir = subdir.filter(|dir| name.split('/').next() != Some(*dir));
    let mut dirs = search_dirs(scope);
    dirs.push(base_dir(scope));
    let mut out = Vec::new();
    for dir in dirs {
        if let Some(subdir) = subdir {
            out.push(dir.join(subdir).join(name));
        }
        out.push(dir.join(name));
    }
    out
}

/// The first candidate that exists.
pub(super) fn find(scope: &Scope, subdir: Option<&str>, name: &str) -> Option<PathBuf> {
    candidates(scope, subdir, name)
        .into_iter()
        .find(|path| path.exists())
        .map(|path| normalize(&path))
}

fn expand_home(name: &str) -> PathBuf {
    match name.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            let home = std::env::var("HOME").unwrap_or_default();
            PathBuf::from(format!("{home}{rest}"))
        }
        _ => PathBuf::from(name),
    }
}

/// `a/./b/../c` as `a/c`, without resolving links (Ansible's unfrackpath
/// with follow=False).
pub(super) fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
