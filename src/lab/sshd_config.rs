//! The sshd configuration of one lab host: only what a fleet runner needs,
//! every path inside the lab directory so nothing touches the system sshd.

use std::fmt::Write as _;
use std::path::Path;

/// Everything that differs between two hosts' sshd configs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SshdConfig<'a> {
    pub address: &'a str,
    pub port: u16,
    pub host_key: &'a Path,
    pub pid_file: &'a Path,
    pub authorized_keys: &'a Path,
}

impl SshdConfig<'_> {
    pub(super) fn render(&self) -> String {
        let mut text = String::from("# Written by `runbook lab up`; rewritten on every start.\n");
        let lines = [
            format!("ListenAddress {}:{}", self.address, self.port),
            format!("HostKey {}", self.host_key.display()),
            format!("PidFile {}", self.pid_file.display()),
            format!("AuthorizedKeysFile {}", self.authorized_keys.display()),
            "UsePAM no".into(),
            "PermitRootLogin prohibit-password".into(),
            "PasswordAuthentication no".into(),
            "KbdInteractiveAuthentication no".into(),
            "StrictModes no".into(),
            "MaxStartups 200".into(),
            "MaxSessions 100".into(),
            "SetEnv SHLVL=1".into(),
            "PrintMotd no".into(),
            "PrintLastLog no".into(),
            "UseDNS no".into(),
            "Subsystem sftp internal-sftp".into(),
        ];
        for line in lines {
            let _ = writeln!(text, "{line}");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SshdConfig<'static> {
        SshdConfig {
            address: "127.0.3.2",
            port: 2222,
            host_key: Path::new("/lab/sshd/node2/ssh_host_ed25519_key"),
            pid_file: Path::new("/lab/sshd/node2/sshd.pid"),
            authorized_keys: Path::new("/lab/authorized_keys"),
        }
    }

    fn directive<'t>(text: &'t str, key: &str) -> Vec<&'t str> {
        text.lines()
            .filter_map(|line| line.strip_prefix(key)?.strip_prefix(' '))
            .collect()
    }

    #[test]
    fn listens_only_on_the_hosts_own_address() {
        let text = config().render();
        assert_eq!(directive(&text, "ListenAddress"), ["127.0.3.2:2222"]);
    }

    #[test]
    fn every_path_points_into_the_lab() {
        let text = config().render();
        assert_eq!(
            directive(&text, "HostKey"),
            ["/lab/sshd/node2/ssh_host_ed25519_key"]
        );
        assert_eq!(directive(&text, "PidFile"), ["/lab/sshd/node2/sshd.pid"]);
        assert_eq!(
            directive(&text, "AuthorizedKeysFile"),
            ["/lab/authorized_keys"]
        );
    }

    #[test]
    fn root_logs_in_with_keys_only_and_without_pam() {
        let text = config().render();
        assert_eq!(directive(&text, "UsePAM"), ["no"]);
        assert_eq!(directive(&text, "PermitRootLogin"), ["prohibit-password"]);
        assert_eq!(directive(&text, "PasswordAuthentication"), ["no"]);
        assert_eq!(directive(&text, "MaxStartups"), ["200"]);
        assert_eq!(directive(&text, "MaxSessions"), ["100"]);
        assert!(directive(&text, "AcceptEnv").is_empty());
    }
}
