use std::path::PathBuf;
use std::time::Duration;

use super::Secret;

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
    /// `ansible_password` / `ansible_ssh_pass`, else `-k`'s answer: tried
    /// after the keys, as `ssh` tries password authentication after them.
    pub password: Option<Secret>,
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
            password: None,
        }
    }
}

/// What applies where a host's variables say nothing: the command line
/// (`-u`, `--private-key`, `-c`, `--ssh-common-args`, `-T`…) over ansible.cfg.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionDefaults {
    pub connect_timeout: Duration,
    pub user: Option<String>,
    pub private_key_file: Option<PathBuf>,
    pub port: Option<u16>,
    pub kind: Option<String>,
    /// ansible.cfg's `[ssh_connection] ssh_args`: given to every SSH host.
    pub ssh_args: Vec<String>,
    /// Where no `ansible_ssh_common_args` / `ansible_ssh_extra_args` is set.
    pub ssh_common_args: Option<String>,
    pub ssh_extra_args: Option<String>,
    /// `--accept-new-host-keys`, or `host_key_checking = False`.
    pub accept_new_host_keys: bool,
    /// `-k`/`--ask-pass`: the SSH password where no `ansible_password` is set.
    pub password: Option<Secret>,
}

impl Default for ConnectionDefaults {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            user: None,
            private_key_file: None,
            port: None,
            kind: None,
            ssh_args: Vec::new(),
            ssh_common_args: None,
            ssh_extra_args: None,
            accept_new_host_keys: false,
            password: None,
        }
    }
}

impl ConnectionSpec {
    /// A host's connection settings from its variables (Ansible's names),
    /// then `defaults` for what they leave unset.
    pub fn from_vars(
        name: &str,
        vars: &crate::value::VarMap,
        defaults: &ConnectionDefaults,
    ) -> Result<Self, String> {
        let text = |key: &str| {
            vars.get(key)
                .filter(|v| !v.is_none() && !v.is_undefined())
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
        };
        let kind = match text("ansible_connection")
            .or_else(|| defaults.kind.clone())
            .as_deref()
        {
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
            None => defaults.port,
        };
        let mut ssh_args = defaults.ssh_args.clone();
        let args_for = |key: &str, default: &Option<String>| text(key).or_else(|| default.clone());
        for (key, args) in [
            (
                "ansible_ssh_common_args",
                args_for("ansible_ssh_common_args", &defaults.ssh_common_args),
            ),
            (
                "ansible_ssh_extra_args",
                args_for("ansible_ssh_extra_args", &defaults.ssh_extra_args),
            ),
        ] {
            if let Some(args) = args {
                ssh_args
                    .extend(shell_words::split(&args).map_err(|e| format!("{name}: {key}: {e}"))?);
            }
        }
        let timeout = match text("ansible_ssh_timeout").or_else(|| text("ansible_timeout")) {
            Some(t) => Duration::from_secs(t.trim().parse().map_err(|_| {
                format!("{name}: ansible_ssh_timeout={t} is not a number of seconds")
            })?),
            None => defaults.connect_timeout,
        };
        Ok(Self {
            name: name.to_string(),
            kind,
            address: text("ansible_host")
                .or_else(|| text("ansible_ssh_host"))
                .unwrap_or_else(|| name.to_string()),
            port,
            user: text("ansible_user")
                .or_else(|| text("ansible_ssh_user"))
                .or_else(|| defaults.user.clone()),
            private_key_file: text("ansible_ssh_private_key_file")
                .or_else(|| text("ansible_private_key_file"))
                .map(PathBuf::from)
                .or_else(|| defaults.private_key_file.clone()),
            ssh_args,
            connect_timeout: timeout,
            accept_new_host_keys: defaults.accept_new_host_keys,
            password: text("ansible_password")
                .or_else(|| text("ansible_ssh_pass"))
                .or_else(|| text("ansible_ssh_password"))
                .map(Secret::new)
                .or_else(|| defaults.password.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Value, VarMap};

    #[test]
    fn inventory_variables_beat_the_defaults_which_fill_the_gaps() {
        let defaults = ConnectionDefaults {
            user: Some("deploy".into()),
            port: Some(2222),
            private_key_file: Some("/keys/default".into()),
            ssh_args: vec!["-o".into(), "ServerAliveInterval=5".into()],
            ssh_common_args: Some("-o ProxyJump=bastion".into()),
            ..ConnectionDefaults::default()
        };
        let bare = ConnectionSpec::from_vars("web1", &VarMap::new(), &defaults).expect("valid");
        assert_eq!(bare.user.as_deref(), Some("deploy"));
        assert_eq!(bare.port, Some(2222));
        assert_eq!(bare.private_key_file, Some(PathBuf::from("/keys/default")));
        assert_eq!(
            bare.ssh_args,
            ["-o", "ServerAliveInterval=5", "-o", "ProxyJump=bastion"]
        );
        let vars: VarMap = [
            ("ansible_user", "app"),
            ("ansible_port", "22"),
            ("ansible_ssh_private_key_file", "/keys/web1"),
            ("ansible_ssh_common_args", "-o ProxyJump=jump2"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::from(v)))
        .collect();
        let set = ConnectionSpec::from_vars("web1", &vars, &defaults).expect("valid");
        assert_eq!(set.user.as_deref(), Some("app"));
        assert_eq!(set.port, Some(22));
        assert_eq!(set.private_key_file, Some(PathBuf::from("/keys/web1")));
        assert_eq!(
            set.ssh_args,
            ["-o", "ServerAliveInterval=5", "-o", "ProxyJump=jump2"]
        );
    }

    #[test]
    fn the_inventory_password_beats_ask_pass_which_fills_the_gap() {
        let defaults = ConnectionDefaults {
            password: Some(Secret::new("asked")),
            ..ConnectionDefaults::default()
        };
        let spec = |pairs: &[(&str, &str)]| {
            let vars: VarMap = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::from(*v)))
                .collect();
            ConnectionSpec::from_vars("web1", &vars, &defaults)
                .expect("valid")
                .password
        };
        assert_eq!(spec(&[]), Some(Secret::new("asked")));
        assert_eq!(
            spec(&[("ansible_ssh_pass", "old"), ("ansible_password", "new")]),
            Some(Secret::new("new"))
        );
        assert_eq!(
            spec(&[("ansible_ssh_pass", "old")]),
            Some(Secret::new("old"))
        );
        assert_eq!(
            spec(&[("ansible_ssh_password", "other")]),
            Some(Secret::new("other"))
        );
        let none =
            ConnectionSpec::from_vars("web1", &VarMap::new(), &ConnectionDefaults::default());
        assert_eq!(none.expect("valid").password, None);
    }
}
