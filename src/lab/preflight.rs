//! What a machine needs before a lab can start, each with the command that
//! provides it.

use std::path::{Path, PathBuf};

use super::LabError;
use super::paths::is_root;

pub(super) const SSHD: &str = "/usr/sbin/sshd";

/// Check root and every program `up` runs.
pub(super) fn check() -> Result<(), LabError> {
    if !is_root() {
        return Err(LabError::Missing(
            "runbook lab needs root: every lab host is an sshd in its own mount, UTS and PID \
             namespaces (made with unshare), which only root may create; rerun with sudo"
                .into(),
        ));
    }
    if !Path::new(SSHD).is_file() {
        return Err(LabError::Missing(format!(
            "runbook lab needs the OpenSSH server at {SSHD}: run `apt-get install openssh-server` \
             (Debian, Ubuntu) or `dnf install openssh-server` (Fedora, RHEL)"
        )));
    }
    for (program, package) in [
        ("unshare", "util-linux"),
        ("ssh-keygen", "openssh-client"),
        ("mount", "mount"),
        ("hostname", "hostname"),
    ] {
        if find_in_path(program).is_none() {
            return Err(LabError::Missing(format!(
                "runbook lab needs `{program}`: run `apt-get install {package}`"
            )));
        }
    }
    Ok(())
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_on_path_are_found_and_others_are_not() {
        assert!(find_in_path("sh").is_some());
        assert!(find_in_path("runbook-no-such-program").is_none());
    }
}
