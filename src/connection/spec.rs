use std::path::PathBuf;
use std::time::Duration;

/// Which transport a host uses (`ansible_connection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionKind {
    Ssh,
    Local,
}

/// Everything needed to open a connection to one host, from its inventory
/// variables and the command line. OpenSSH's own config (`ssh -G`) fills in
/// what the inventory leaves unset when the SSH connection is opened.
#[derive(Debug, Clone)]
pub struct ConnectionSpec {
    /// The inventory name of the host.
    pub name: String,
    pub kind: ConnectionKind,
    /// `ansible_host`, or the inventory name.
    pub address: String,
    /// `ansible_port`
    pub port: Option<u16>,
    /// `ansible_user`
    pub user: Option<String>,
    /// `ansible_ssh_private_key_file`
    pub private_key_file: Option<PathBuf>,
    /// `ansible_ssh_common_args` and `ansible_ssh_extra_args`, split into words
    /// (`-o Key=Value`, `-J jump`...), handed to `ssh -G` and `ssh -W`.
    pub ssh_args: Vec<String>,
    /// `--timeout` / `ansible_ssh_timeout`
    pub connect_timeout: Duration,
    /// `--accept-new-host-keys`: record unknown host keys instead of refusing.
    pub accept_new_host_keys: bool,
}

impl ConnectionSpec {
    pub fn local(name: &str) -> Self {
        Self {
            name: name.to_string(),
            kind: ConnectionKind::Local,
            address: name.to_string(),
            port: None,
            user: None,
            private_key_file: None,
            ssh_args: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            accept_new_host_keys: false,
        }
    }
}
