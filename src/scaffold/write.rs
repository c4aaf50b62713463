//! Writing a new repository: every file or none. A file (or anything at a
//! file's path, or a file where a folder must go) that already exists stops
//! everything before the first byte is written; a write that fails midway
//! removes what this run wrote.

use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::file::ScaffoldFile;

#[derive(Debug)]
pub enum WriteError {
    /// These paths (relative to the repository) are in the way.
    Exists(Vec<PathBuf>),
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Write `files` below `dir` (created if missing), refusing to overwrite.
pub fn write_new(dir: &Path, files: &[ScaffoldFile]) -> Result<(), WriteError> {
    let in_the_way = conflicts(dir, files);
    if !in_the_way.is_empty() {
        return Err(WriteError::Exists(in_the_way));
    }
    let mut written: Vec<PathBuf> = Vec::new();
    for file in files {
        let path = dir.join(&file.path);
        if let Err(error) = write_one(&path, file) {
            for done in written.iter().rev() {
                let _ = std::fs::remove_file(done);
            }
            return Err(WriteError::Io { path, error });
        }
        written.push(path);
    }
    Ok(())
}

/// Each target that exists, and each folder on the way that is not a folder.
fn conflicts(dir: &Path, files: &[ScaffoldFile]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    for file in files {
        if dir.join(&file.path).symlink_metadata().is_ok() {
            found.push(file.path.clone());
        }
        for ancestor in file.path.ancestors().skip(1) {
            let is_blocking = dir
                .join(ancestor)
                .symlink_metadata()
                .is_ok_and(|meta| !meta.is_dir());
            if !ancestor.as_os_str().is_empty()
                && is_blocking
                && !found.iter().any(|p| p == ancestor)
            {
                found.push(ancestor.to_path_buf());
            }
        }
    }
    found.sort();
    found
}

fn write_one(path: &Path, file: &ScaffoldFile) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // create_new: a file that appeared since the check is still not overwritten.
    let mut handle = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(file.mode)
        .open(path)?;
    handle.write_all(file.content.as_bytes())?;
    // The mode asked for, whatever the umask.
    handle.set_permissions(std::fs::Permissions::from_mode(file.mode))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<ScaffoldFile> {
        vec![
            ScaffoldFile::new("a/b.txt", "b"),
            ScaffoldFile::private("c.txt", "c"),
        ]
    }

    #[test]
    fn writes_every_file_with_its_mode() {
        let dir = tempfile::tempdir().expect("temp dir");
        write_new(dir.path(), &files()).expect("written");
        let mode = |p: &str| {
            std::fs::metadata(dir.path().join(p))
                .expect("meta")
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("a/b.txt"), 0o644);
        assert_eq!(mode("c.txt"), 0o600);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/b.txt")).expect("read"),
            "b"
        );
    }

    #[test]
    fn an_existing_file_or_a_file_where_a_folder_goes_stops_everything() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("a"), "not a folder").expect("write");
        std::fs::write(dir.path().join("c.txt"), "mine").expect("write");
        match write_new(dir.path(), &files()) {
            Err(WriteError::Exists(paths)) => {
                assert_eq!(paths, [PathBuf::from("a"), PathBuf::from("c.txt")]);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("c.txt")).expect("read"),
            "mine"
        );
    }
}
