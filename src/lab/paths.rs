//! Where a lab keeps its state, in one place so that `up`, `down` and the
//! per-host commands agree on every path.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::LabError;

/// The environment variable that overrides the lab directory.
pub const LAB_DIR_ENV: &str = "RUNBOOK_LAB_DIR";

/// Where root keeps labs when `RUNBOOK_LAB_DIR` is not set.
pub(super) const DEFAULT_LAB_ROOT: &str = "/var/lib/runbook/lab";

/// The directory of lab `name`: `$RUNBOOK_LAB_DIR` itself when set, else
/// `/var/lib/runbook/lab/<name>` (root only).
pub(super) fn resolve_lab_dir(
    override_dir: Option<OsString>,
    name: &str,
    is_root: bool,
) -> Result<PathBuf, LabError> {
    validate_name(name)?;
    match override_dir {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ if is_root => Ok(Path::new(DEFAULT_LAB_ROOT).join(name)),
        _ => Err(LabError::Missing(format!(
            "lab {name}: set {LAB_DIR_ENV} to a directory, or run as root to use {DEFAULT_LAB_ROOT}/{name}"
        ))),
    }
}

/// The lab directory for `name` as this process sees it.
pub fn lab_dir(name: &str) -> Result<PathBuf, LabError> {
    resolve_lab_dir(std::env::var_os(LAB_DIR_ENV), name, is_root())
}

pub(super) fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Lab and host names end up in paths, hostnames and shell scripts, so they
/// are kept to a conservative alphabet.
pub(super) fn validate_name(name: &str) -> Result<(), LabError> {
    let valid = !name.is_empty()
        && name.len() <= 48
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !name.starts_with('-');
    if valid {
        Ok(())
    } else {
        Err(LabError::Failed(format!(
            "invalid lab name {name:?}: use 1-48 letters, digits, '-' or '_' (not starting with '-')"
        )))
    }
}

/// The layout of one lab directory.
#[derive(Debug, Clone)]
pub(super) struct LabPaths {
    pub dir: PathBuf,
}

impl LabPaths {
    pub(super) fn new(dir: impl Into<PathBuf>) -> Self {
        LabPaths { dir: dir.into() }
    }

    pub(super) fn state(&self) -> PathBuf {
        self.dir.join("lab.json")
    }
    pub(super) fn lock(&self) -> PathBuf {
        self.dir.join("lab.lock")
    }
    pub(super) fn user_key(&self) -> PathBuf {
        self.dir.join("id_ed25519")
    }
    pub(super) fn authorized_keys(&self) -> PathBuf {
        self.dir.join("authorized_keys")
    }
    pub(super) fn known_hosts(&self) -> PathBuf {
        self.dir.join("known_hosts")
    }
    pub(super) fn setup_script(&self) -> PathBuf {
        self.dir.join("host_setup.sh")
    }
    pub(super) fn etc_hosts_lines(&self) -> PathBuf {
        self.dir.join("hosts.lab")
    }
    pub(super) fn cluster(&self) -> PathBuf {
        self.dir.join("cluster")
    }
    pub(super) fn hosts_dir(&self) -> PathBuf {
        self.dir.join("hosts")
    }
    /// The host's private root: its /etc (overlay upper), /opt, /srv,
    /// /var/lib, /var/log and /usr/local/sbin.
    pub(super) fn host_root(&self, host: &str) -> PathBuf {
        self.hosts_dir().join(host)
    }
    /// The host's sshd files, outside its root so a playbook cannot edit them.
    pub(super) fn sshd_dir(&self, host: &str) -> PathBuf {
        self.dir.join("sshd").join(host)
    }
    pub(super) fn sshd_config(&self, host: &str) -> PathBuf {
        self.sshd_dir(host).join("sshd_config")
    }
    pub(super) fn host_key(&self, host: &str) -> PathBuf {
        self.sshd_dir(host).join("ssh_host_ed25519_key")
    }
    pub(super) fn sshd_log(&self, host: &str) -> PathBuf {
        self.sshd_dir(host).join("sshd.log")
    }
    /// What the namespace setup script printed (mount errors end up here).
    pub(super) fn setup_log(&self, host: &str) -> PathBuf {
        self.sshd_dir(host).join("setup.log")
    }
    pub(super) fn sshd_pid_file(&self, host: &str) -> PathBuf {
        self.sshd_dir(host).join("sshd.pid")
    }
    /// `overlay` or `copy`: how the setup script gave the host its own /etc.
    pub(super) fn etc_mode(&self, host: &str) -> PathBuf {
        self.sshd_dir(host).join("etc-mode")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_is_the_lab_directory_itself() {
        let dir = resolve_lab_dir(Some("/tmp/x".into()), "demo", false).expect("resolves");
        assert_eq!(dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn root_defaults_below_var_lib() {
        let dir = resolve_lab_dir(None, "demo", true).expect("resolves");
        assert_eq!(dir, PathBuf::from("/var/lib/runbook/lab/demo"));
    }

    #[test]
    fn non_root_without_override_says_what_to_set() {
        let error = resolve_lab_dir(None, "demo", false).expect_err("needs a dir");
        assert!(error.to_string().contains(LAB_DIR_ENV), "{error}");
    }

    #[test]
    fn names_that_would_escape_a_path_are_refused() {
        for name in ["", "../x", "a/b", "-rf", "a b", "x;y"] {
            assert!(validate_name(name).is_err(), "{name:?} accepted");
        }
        for name in ["lab", "ci-42", "my_lab"] {
            assert!(validate_name(name).is_ok(), "{name:?} refused");
        }
    }
}
