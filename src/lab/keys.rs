//! Key material of a lab: the user key pair and one host key per host (made
//! with the system `ssh-keygen`), and the `known_hosts` that pins them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::LabError;

/// Start `ssh-keygen` for a new ed25519 key without a passphrase at `path`
/// (which must not exist). Returns the running process so that several keys
/// can be made at once.
fn spawn_keygen(path: &Path, comment: &str) -> Result<Child, LabError> {
    Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| LabError::io("cannot run ssh-keygen", error))
}

/// Make every key in `keys` (path, comment) in parallel.
pub(super) fn generate(keys: &[(PathBuf, String)]) -> Result<(), LabError> {
    let children = keys
        .iter()
        .map(|(path, comment)| spawn_keygen(path, comment).map(|child| (path, child)))
        .collect::<Result<Vec<_>, _>>()?;
    for (path, child) in children {
        let output = child
            .wait_with_output()
            .map_err(|error| LabError::io("ssh-keygen", error))?;
        if !output.status.success() {
            return Err(LabError::Failed(format!(
                "ssh-keygen could not write {}: {}",
                path.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
    }
    Ok(())
}

/// Where `ssh-keygen` put the public half of the key at `private_key`.
pub(super) fn public_key_path(private_key: &Path) -> PathBuf {
    let mut path = private_key.as_os_str().to_owned();
    path.push(".pub");
    PathBuf::from(path)
}

/// The `type base64` part of an OpenSSH public key line, without its comment.
pub(super) fn public_key_body(public_key_line: &str) -> Option<String> {
    let mut fields = public_key_line.split_whitespace();
    let kind = fields.next()?;
    let body = fields.next()?;
    Some(format!("{kind} {body}"))
}

/// The name a host is known by in `known_hosts`: a bare address for port 22,
/// `[address]:port` otherwise (what `ssh` looks up).
pub(super) fn known_hosts_name(address: &str, port: u16) -> String {
    if port == 22 {
        address.to_string()
    } else {
        format!("[{address}]:{port}")
    }
}

/// One `known_hosts` line for a host.
pub(super) fn known_hosts_line(address: &str, port: u16, public_key_body: &str) -> String {
    format!("{} {public_key_body}\n", known_hosts_name(address, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_22_is_written_as_a_bare_address() {
        assert_eq!(
            known_hosts_line("127.0.3.1", 22, "ssh-ed25519 AAAA"),
            "127.0.3.1 ssh-ed25519 AAAA\n"
        );
    }

    #[test]
    fn other_ports_use_brackets() {
        assert_eq!(
            known_hosts_line("127.0.3.1", 2201, "ssh-ed25519 AAAA"),
            "[127.0.3.1]:2201 ssh-ed25519 AAAA\n"
        );
    }

    #[test]
    fn public_key_comment_is_dropped() {
        assert_eq!(
            public_key_body("ssh-ed25519 AAAAC3 root@lab node1\n").as_deref(),
            Some("ssh-ed25519 AAAAC3")
        );
        assert_eq!(public_key_body("garbage"), None);
    }

    #[test]
    fn generated_keys_exist_in_pairs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = [
            (dir.path().join("a"), "a".to_string()),
            (dir.path().join("b"), "b".to_string()),
        ];
        generate(&keys).expect("ssh-keygen works");
        for (path, _) in &keys {
            let public = std::fs::read_to_string(public_key_path(path)).expect("pub");
            assert!(public.starts_with("ssh-ed25519 "), "{public}");
        }
    }
}
