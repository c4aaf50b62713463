//! The shipped procedures, as built into the binary (build.rs): the
//! playbooks with their group_vars defaults and their pages, copied to the
//! same paths in the new repository, so the comments that point from one to
//! the other stay true.

use super::file::ScaffoldFile;

include!(concat!(env!("OUT_DIR"), "/shipped_files.rs"));

pub(super) fn files() -> Vec<ScaffoldFile> {
    SHIPPED_FILES
        .iter()
        .filter(|(path, _)| path.starts_with("playbooks/") || path.starts_with("docs/"))
        .map(|(path, text)| ScaffoldFile::new(*path, *text))
        .collect()
}

/// A shipped file's text, by its path in runbook's repository.
pub(super) fn shipped(path: &str) -> Option<&'static str> {
    SHIPPED_FILES
        .iter()
        .find(|(shipped, _)| *shipped == path)
        .map(|(_, text)| *text)
}

/// The shipped files under `dir/`: `(path below dir, text)`.
pub(super) fn shipped_under(dir: &str) -> impl Iterator<Item = (&'static str, &'static str)> {
    let prefix = format!("{dir}/");
    SHIPPED_FILES.iter().filter_map(move |(path, text)| {
        path.strip_prefix(prefix.as_str())
            .map(|relative| (relative, *text))
    })
}
