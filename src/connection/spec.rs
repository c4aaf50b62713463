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
#[derive(Debug, Clone, PartialEq)]
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

impl ConnectionSpec {
    /// A host's connection settings from its variables (Ansible's names).
    pub fn from_vars(
        name: &str,
        vars: &crate::value::VarMap,
        connect_timeout: Duration,
    ) -> Result<Self, String> {
        let text = |key: &str| {
            vars.get(key)
                .filter(|v| !v.is_none() && !v.is_undefined())
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
        };
        let kind = match text("ansible_connection").as_deref() {
            None | Some("ssh" | "smart" | "paramiko" | "paramiko_ssh") => ConnectionKind::Ssh,
            Some("local") => ConnectionKind::Local,
            Some(other) => {
                return Err(format!(
                    "{name}: ansible_connection={other} is not supported (runbook has ssh and local)"
                ));
            }
        };
        let port = match text("ansible_port").or_else(|| text("ansible_ssh_port")) {
            Some(port) => Some(
                port.trim()
                    .parse::<u16>()
                    .map_err(|_| format!("{name}: ansible_port={port} is not a port number"))?,
            ),
            None => None,
        };
        let mut ssh_args = Vec::new();
        for key in ["ansible_ssh_common_args", "ansible_ssh_extra_args"] {
            if let Some(args) = text(key) {
                ssh_args
                    .extend(shell_words::split(&args).map_err(|e| format!("{name}: {key}: {e}"))?);
            }
        }
        let timeout = match text("ansible_ssh_timeout").or_else(|| text("ansible_timeout")) {
            Some(t) => Duration::from_secs(t.trim().parse().map_err(|_| {
                format!("{name}: ansible_ssh_timeout={t} is not a number of seconds")
            })?),
            None => connect_timeout,
        };
        Ok(Self {
            name: name.to_string(),
            kind,
            address: text("ansible_host")
                .or_else(|| text("ansible_ssh_host"))
                .unwrap_or_else(|| name.to_string()),
            port,
            user: text("ansible_user").or_else(|| text("ansible_ssh_user")),
            private_key_file: text("ansible_ssh_private_key_file")
                .or_else(|| text("ansible_private_key_file"))
                .map(PathBuf::from),
            ssh_args,
            connect_timeout: timeout,
            accept_new_host_keys: false,
        })
    }
}
