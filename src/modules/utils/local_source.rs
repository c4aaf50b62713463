//! Where a module finds a file named relative to the playbook (`script`,
//! `copy src:`, `template src:`), as Ansible searches: absolute as given,
//! else in the kind's own folder (`files/`, `templates/`) of each search
//! folder (the task's role, then the playbook's folder), then in the folder
//! itself.

use std::path::{Path, PathBuf};

/// Candidate places for `path`, in search order.
pub(crate) fn candidates(path: &str, dirs: &[PathBuf], folder: &str) -> Vec<PathBuf> {
    let given = Path::new(path);
    if given.is_absolute() {
        vec![given.to_path_buf()]
    } else {
        dirs.iter()
            .flat_map(|dir| [dir.join(folder).join(given), dir.join(given)])
            .collect()
    }
}

/// The first candidate that exists and satisfies `accept` (a file, or a
/// file or a directory), or an error that lists where it looked.
pub(crate) fn find_local(
    what: &str,
    path: &str,
    dirs: &[PathBuf],
    folder: &str,
    accept: fn(&Path) -> bool,
) -> Result<PathBuf, String> {
    let candidates = candidates(path, dirs, folder);
    candidates
        .iter()
        .find(|c| accept(c))
        .cloned()
        .ok_or_else(|| {
            let looked: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
            format!(
                "could not find {what} {path:?} (looked in {})",
                looked.join(", ")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_the_kind_folder_then_beside_the_playbook() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("files")).expect("mkdir");
        std::fs::write(dir.path().join("a.txt"), "beside").expect("write");
        std::fs::write(dir.path().join("files/a.txt"), "in files").expect("write");
        std::fs::write(dir.path().join("b.txt"), "beside").expect("write");
        let role = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(role.path().join("files")).expect("mkdir");
        std::fs::write(role.path().join("files/r.txt"), "in the role").expect("write");
        let dirs = [role.path().to_path_buf(), dir.path().to_path_buf()];
        let found = find_local("file", "r.txt", &dirs, "files", Path::is_file);
        assert_eq!(
            found,
            Ok(role.path().join("files/r.txt")),
            "the role's files first"
        );
        let dirs = &dirs[1..];
        let found = find_local("file", "a.txt", dirs, "files", Path::is_file);
        assert_eq!(found, Ok(dir.path().join("files/a.txt")));
        let found = find_local("file", "b.txt", dirs, "files", Path::is_file);
        assert_eq!(found, Ok(dir.path().join("b.txt")));
        let missing =
            find_local("file", "c.txt", dirs, "files", Path::is_file).expect_err("absent");
        assert!(missing.contains("files/c.txt"), "{missing}");
    }
}
