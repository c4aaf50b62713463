//! Reading what `copy src:` names on the controller: one file, or a
//! directory tree (its subdirectories and files, in a stable order).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// A local `src` read into memory.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LocalSource {
    File {
        content: Vec<u8>,
        mode: u32,
    },
    Tree {
        dirs: Vec<String>,
        files: Vec<TreeFile>,
    },
}

/// A file inside a copied directory.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TreeFile {
    /// Path below the copied directory, with `/` separators.
    pub relative: String,
    /// Empty when the file is left `on_disk`.
    pub content: Vec<u8>,
    /// A file too large to read into memory (see [`streamed_file`]): sent
    /// from disk as it is read.
    pub on_disk: Option<std::path::PathBuf>,
    pub mode: u32,
}

/// Files at least this large are sent from disk as they are read, rather
/// than read into memory for every host.
pub(crate) const STREAM_FROM: u64 = 1 << 20;

/// The mode of `path` when it is a file to send straight from disk: a
/// regular file of [`STREAM_FROM`] bytes or more that needs no decrypting
/// (a vaulted one is decrypted in memory).
pub(crate) fn streamed_file(path: &Path, decrypt: bool) -> Option<u32> {
    use std::io::Read;
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() < STREAM_FROM {
        return None;
    }
    if decrypt {
        let header = crate::vault::HEADER.as_bytes();
        let mut start = vec![0u8; header.len()];
        let mut file = std::fs::File::open(path).ok()?;
        if file.read_exact(&mut start).is_ok() && start == header {
            return None;
        }
    }
    Some(meta.permissions().mode() & 0o7777)
}

/// `decrypt`: vaulted files are decrypted in memory (copy's `decrypt: true`).
pub(crate) fn read_local_source(path: &Path, decrypt: bool) -> Result<LocalSource, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.is_dir() {
        let mut dirs = Vec::new();
        let mut files = Vec::new();
        walk(path, "", decrypt, &mut dirs, &mut files)?;
        Ok(LocalSource::Tree { dirs, files })
    } else {
        let content = read_file(path, decrypt)?;
        Ok(LocalSource::File {
            content,
            mode: meta.permissions().mode() & 0o7777,
        })
    }
}

fn read_file(path: &Path, decrypt: bool) -> Result<Vec<u8>, String> {
    let content =
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if decrypt {
        crate::vault::session::cleartext_of_file(content)
            .map_err(|e| format!("{}: {e}", path.display()))
    } else {
        Ok(content)
    }
}

fn walk(
    dir: &Path,
    prefix: &str,
    decrypt: bool,
    dirs: &mut Vec<String>,
    files: &mut Vec<TreeFile>,
) -> Result<(), String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        let meta =
            std::fs::metadata(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if meta.is_dir() {
            dirs.push(relative.clone());
            walk(&path, &relative, decrypt, dirs, files)?;
        } else if let Some(mode) = streamed_file(&path, decrypt) {
            files.push(TreeFile {
                relative,
                content: Vec::new(),
                on_disk: Some(path),
                mode,
            });
        } else {
            let content = read_file(&path, decrypt)?;
            files.push(TreeFile {
                relative,
                content,
                on_disk: None,
                mode: meta.permissions().mode() & 0o7777,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_tree_parents_first_in_name_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("b/c")).expect("mkdir");
        std::fs::write(dir.path().join("z.txt"), "z").expect("write");
        std::fs::write(dir.path().join("b/c/y.txt"), "y").expect("write");
        let LocalSource::Tree { dirs, files } = read_local_source(dir.path(), true).expect("reads")
        else {
            panic!("a directory reads as a tree");
        };
        assert_eq!(dirs, vec!["b", "b/c"]);
        let names: Vec<&str> = files.iter().map(|f| f.relative.as_str()).collect();
        assert_eq!(names, vec!["b/c/y.txt", "z.txt"]);
        assert_eq!(files[1].content, b"z");
    }

    #[test]
    fn large_files_of_a_tree_stay_on_disk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let big = dir.path().join("big.bin");
        std::fs::write(&big, vec![7u8; STREAM_FROM as usize]).expect("write");
        std::fs::write(dir.path().join("small.txt"), "s").expect("write");
        let LocalSource::Tree { files, .. } = read_local_source(dir.path(), true).expect("reads")
        else {
            panic!("a directory reads as a tree");
        };
        assert_eq!(
            (files[0].content.len(), files[0].on_disk.as_deref()),
            (0, Some(big.as_path()))
        );
        assert_eq!(
            (files[1].content.as_slice(), files[1].on_disk.as_deref()),
            (&b"s"[..], None)
        );
    }
}
