//! Where a playbook named on the command line is read from, the way `-i
//! NAME` finds `inventories/NAME`: the path as given (from the current
//! directory), else under the configured playbook directory (ansible.cfg's
//! `playbook_dir`, `ANSIBLE_PLAYBOOK_DIR`), else under `playbooks/`. So
//! `runbook play kwdb-offline.yml -i prod` works at the top of a repository
//! laid out by `runbook init`. Every command that takes playbooks (`play`,
//! `check`, `plan`) resolves them here.

use std::path::{Path, PathBuf};

use crate::source::Diagnostic;

/// The folder, under the current one, searched when no other has the playbook.
pub const PLAYBOOKS_DIR: &str = "playbooks";

/// The file `name` means. A path that exists as given is kept as given (so
/// messages show what was typed); an absolute one is never searched for.
pub fn locate_playbook(
    name: &Path,
    cwd: &Path,
    playbook_dir: Option<&Path>,
) -> Result<PathBuf, Diagnostic> {
    let direct = cwd.join(name);
    if direct.exists() || name.is_absolute() {
        return Ok(name.to_path_buf());
    }
    let candidates = search_dirs(cwd, playbook_dir)
        .into_iter()
        .map(|(dir, shown)| (dir.join(name), shown.join(name)))
        .collect::<Vec<_>>();
    if let Some((_, shown)) = candidates.iter().find(|(path, _)| path.is_file()) {
        return Ok(shown.clone());
    }
    let looked: Vec<String> = std::iter::once(direct)
        .chain(candidates.into_iter().map(|(path, _)| path))
        .map(|path| path.display().to_string())
        .collect();
    Err(Diagnostic::runtime(format!(
        "the playbook: {} could not be found",
        name.display()
    ))
    .with_help(format!(
        "looked for {}; set the playbook directory with `playbook_dir` in ansible.cfg or ANSIBLE_PLAYBOOK_DIR",
        looked.join(", ")
    )))
}

/// Each folder searched: `(where it is, how a found playbook is named)` —
/// relative to the current folder when below it, as the user would type it.
fn search_dirs(cwd: &Path, playbook_dir: Option<&Path>) -> Vec<(PathBuf, PathBuf)> {
    let mut dirs: Vec<(PathBuf, PathBuf)> = Vec::new();
    if let Some(dir) = playbook_dir {
        let dir = cwd.join(dir);
        let shown = dir
            .strip_prefix(cwd)
            .map_or_else(|_| dir.clone(), Path::to_path_buf);
        dirs.push((dir, shown));
    }
    let conventional = cwd.join(PLAYBOOKS_DIR);
    if !dirs.iter().any(|(dir, _)| *dir == conventional) {
        dirs.push((conventional, PathBuf::from(PLAYBOOKS_DIR)));
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for file in [
            "here.yml",
            "playbooks/site.yml",
            "playbooks/lab/prep.yml",
            "ops/ops.yml",
        ] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
            std::fs::write(path, "- hosts: all\n").expect("write");
        }
        std::fs::write(dir.path().join("playbooks/here.yml"), "").expect("write");
        dir
    }

    #[test]
    fn the_current_directory_comes_first_then_the_configured_folder_then_playbooks() {
        let dir = tree();
        let cwd = dir.path();
        let found = |name: &str, configured: Option<&Path>| {
            locate_playbook(Path::new(name), cwd, configured).expect("found")
        };
        assert_eq!(found("here.yml", None), PathBuf::from("here.yml"));
        assert_eq!(found("site.yml", None), PathBuf::from("playbooks/site.yml"));
        assert_eq!(
            found("lab/prep.yml", None),
            PathBuf::from("playbooks/lab/prep.yml")
        );
        let ops = cwd.join("ops");
        assert_eq!(found("ops.yml", Some(&ops)), PathBuf::from("ops/ops.yml"));
        let elsewhere = tempfile::tempdir().expect("temp dir");
        std::fs::write(elsewhere.path().join("far.yml"), "").expect("write");
        assert_eq!(
            found("far.yml", Some(elsewhere.path())),
            elsewhere.path().join("far.yml")
        );
        assert_eq!(
            found("site.yml", Some(&ops)),
            PathBuf::from("playbooks/site.yml")
        );
    }

    #[test]
    fn a_missing_playbook_names_every_place_looked_at() {
        let dir = tree();
        let ops = dir.path().join("ops");
        let error =
            locate_playbook(Path::new("nope.yml"), dir.path(), Some(&ops)).expect_err("missing");
        assert_eq!(error.kind, crate::source::ErrorKind::Runtime);
        let help = error.help.unwrap_or_default();
        for place in ["nope.yml", "ops/nope.yml", "playbooks/nope.yml"] {
            let path = dir.path().join(place).display().to_string();
            assert!(help.contains(&path), "{place} in {help}");
        }
    }

    #[test]
    fn absolute_paths_are_never_searched_for() {
        let dir = tree();
        let absent = Path::new("/nonexistent/site.yml");
        assert_eq!(
            locate_playbook(absent, dir.path(), None).expect("kept"),
            absent
        );
    }
}
