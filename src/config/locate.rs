//! Which ansible.cfg is read: the first readable of `$ANSIBLE_CONFIG` (a
//! file, or a folder holding ansible.cfg), `./ansible.cfg` (skipped, with a
//! warning, when the current folder is world-writable: anyone could plant
//! settings there), `~/.ansible.cfg` and `/etc/ansible/ansible.cfg`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub(super) struct Located {
    pub(super) path: Option<PathBuf>,
    pub(super) notes: Vec<String>,
}

pub(super) fn find(cwd: &Path, from_env: Option<String>, home: Option<String>) -> Located {
    let mut candidates = Vec::new();
    let env_path = from_env.map(|text| {
        let path = cwd.join(text);
        if path.is_dir() {
            path.join("ansible.cfg")
        } else {
            path
        }
    });
    candidates.extend(env_path.clone());
    let in_cwd = cwd.join("ansible.cfg");
    let cwd_world_writable = std::fs::metadata(cwd)
        .map(|meta| meta.permissions().mode() & 0o002 != 0)
        .unwrap_or(false);
    if !cwd_world_writable {
        candidates.push(in_cwd.clone());
    }
    if let Some(home) = home {
        candidates.push(Path::new(&home).join(".ansible.cfg"));
    }
    candidates.push(PathBuf::from("/etc/ansible/ansible.cfg"));
    let path = candidates.into_iter().find(|path| readable(path));
    let mut notes = Vec::new();
    let used_env_path = env_path.is_some() && path == env_path;
    if cwd_world_writable && in_cwd.exists() && !used_env_path {
        notes.push(format!(
            "runbook is being run in a world-writable directory ({}), ignoring its ansible.cfg as a source (as Ansible does)",
            cwd.display()
        ));
    }
    Located { path, notes }
}

fn readable(path: &Path) -> bool {
    path.is_file() && std::fs::File::open(path).is_ok()
}
