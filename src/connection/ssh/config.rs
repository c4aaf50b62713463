//! Where and how to connect, as OpenSSH itself would: `ssh -G` applies the
//! user's `~/.ssh/config`, `/etc/ssh/ssh_config` and the inventory's
//! `ansible_ssh_*_args`, so runbook honours the same `Host` blocks, jump hosts
//! and known_hosts files as the `ssh` the operator already uses.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::connection::{ConnectionError, ConnectionSpec};

/// Keepalive interval when OpenSSH's config leaves it off: a frozen host is
/// given up after (`ServerAliveCountMax` + 1) × this many seconds.
pub(super) const DEFAULT_SERVER_ALIVE_INTERVAL: u32 = 10;
/// OpenSSH's own default.
const DEFAULT_SERVER_ALIVE_COUNT_MAX: u32 = 3;

/// What `StrictHostKeyChecking` asks for when a host key is not yet known.
/// A *changed* key is refused under every policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKeyPolicy {
    /// `yes` or `ask`: an unknown key is refused (runbook never prompts).
    Strict,
    /// `accept-new`, `no`, `off`, or `--accept-new-host-keys`: an unknown key
    /// is recorded in the first UserKnownHostsFile.
    AcceptNew,
}

/// How to reach the SSH server before speaking SSH to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proxy {
    Direct,
    /// `ProxyJump`: the hops, outermost first, as OpenSSH spells them.
    Jump(Vec<String>),
    /// `ProxyCommand`, with `%` tokens not yet expanded.
    Command(String),
}

/// The resolved settings for one host.
#[derive(Debug, Clone, PartialEq)]
pub struct SshConfig {
    /// The inventory name (what error messages call the host).
    pub name: String,
    pub hostname: String,
    pub port: u16,
    pub user: String,
    pub identity_files: Vec<PathBuf>,
    /// `IdentitiesOnly`: offer only agent keys that match an identity file.
    pub identities_only: bool,
    /// The agent's socket: `IdentityAgent`, else `$SSH_AUTH_SOCK`.
    pub identity_agent: Option<PathBuf>,
    pub proxy: Proxy,
    pub user_known_hosts: Vec<PathBuf>,
    pub global_known_hosts: Vec<PathBuf>,
    /// The name looked up in known_hosts (`HostKeyAlias`, else the host name).
    pub host_key_alias: Option<String>,
    pub hash_known_hosts: bool,
    pub host_key_policy: HostKeyPolicy,
    pub connect_timeout: Duration,
    /// Seconds of silence from the host before a keepalive goes out
    /// (`ServerAliveInterval`; 0, OpenSSH's default, means runbook's
    /// [`DEFAULT_SERVER_ALIVE_INTERVAL`]: a silent host is never waited on
    /// for ever).
    pub server_alive_interval: u32,
    /// `ServerAliveCountMax`: unanswered keepalives before giving up.
    pub server_alive_count_max: u32,
    /// Words passed on to every `ssh` runbook starts (e.g. `ssh -W` for jumps).
    pub ssh_args: Vec<String>,
    /// Tried after the keys (`ansible_password`, `-k`).
    pub password: Option<crate::connection::Secret>,
}

impl SshConfig {
    /// The settings runbook acts on, as `Keyword value` (shown at `-vvv`).
    pub(super) fn settings_shown(&self) -> Vec<String> {
        let paths = |paths: &[PathBuf]| {
            let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            shown.join(" ")
        };
        let policy = match self.host_key_policy {
            HostKeyPolicy::Strict => "yes",
            HostKeyPolicy::AcceptNew => "accept-new",
        };
        let mut shown = vec![
            format!("IdentityFile {}", paths(&self.identity_files)),
            format!(
                "IdentitiesOnly {}",
                if self.identities_only { "yes" } else { "no" }
            ),
            format!(
                "IdentityAgent {}",
                self.identity_agent
                    .as_ref()
                    .map_or_else(|| "none".to_string(), |p| p.display().to_string())
            ),
            format!("UserKnownHostsFile {}", paths(&self.user_known_hosts)),
            format!("GlobalKnownHostsFile {}", paths(&self.global_known_hosts)),
            format!("StrictHostKeyChecking {policy}"),
            format!("ConnectTimeout {}", self.connect_timeout.as_secs()),
            format!("ServerAliveInterval {}", self.server_alive_interval),
            format!("ServerAliveCountMax {}", self.server_alive_count_max),
        ];
        if let Some(alias) = &self.host_key_alias {
            shown.push(format!("HostKeyAlias {alias}"));
        }
        if self.password.is_some() {
            shown.push("password: set (ansible_password or -k)".to_string());
        }
        shown
    }
}

/// The settings `ssh -G` printed that runbook uses; `None`/empty when absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct SshG {
    pub hostname: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity_files: Vec<String>,
    pub identities_only: Option<bool>,
    pub identity_agent: Option<String>,
    pub proxy_jump: Option<String>,
    pub proxy_command: Option<String>,
    pub user_known_hosts: Vec<String>,
    pub global_known_hosts: Vec<String>,
    pub host_key_alias: Option<String>,
    pub hash_known_hosts: Option<bool>,
    pub strict_host_key_checking: Option<String>,
    pub connect_timeout: Option<u64>,
    pub server_alive_interval: Option<u32>,
    pub server_alive_count_max: Option<u32>,
}

/// Parse the `keyword value...` lines of `ssh -G`. Unknown keywords and
/// malformed values are ignored: they are OpenSSH's to judge, not ours.
pub(super) fn parse_ssh_g(output: &str) -> SshG {
    let mut parsed = SshG::default();
    for line in output.lines() {
        let line = line.trim();
        let (keyword, value) = line.split_once(' ').unwrap_or((line, ""));
        let value = value.trim();
        let words = || value.split_whitespace().map(str::to_string);
        match keyword.to_ascii_lowercase().as_str() {
            "hostname" => parsed.hostname = non_empty(value),
            "port" => parsed.port = value.parse().ok(),
            "user" => parsed.user = non_empty(value),
            "identityfile" => parsed.identity_files.extend(non_empty(value)),
            "identitiesonly" => parsed.identities_only = yes_no(value),
            "identityagent" => parsed.identity_agent = non_empty(value),
            "proxyjump" => parsed.proxy_jump = non_empty(value).filter(|v| v != "none"),
            "proxycommand" => parsed.proxy_command = non_empty(value).filter(|v| v != "none"),
            "userknownhostsfile" => parsed.user_known_hosts = words().collect(),
            "globalknownhostsfile" => parsed.global_known_hosts = words().collect(),
            "hostkeyalias" => parsed.host_key_alias = non_empty(value).filter(|v| v != "none"),
            "hashknownhosts" => parsed.hash_known_hosts = yes_no(value),
            "stricthostkeychecking" => parsed.strict_host_key_checking = non_empty(value),
            "connecttimeout" => parsed.connect_timeout = value.parse().ok(),
            "serveraliveinterval" => parsed.server_alive_interval = value.parse().ok(),
            "serveralivecountmax" => parsed.server_alive_count_max = value.parse().ok(),
            _ => {}
        }
    }
    parsed
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

fn yes_no(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "true" => Some(true),
        "no" | "false" => Some(false),
        _ => None,
    }
}

/// `StrictHostKeyChecking` as `ssh -G` prints it (`true`, `false`, `ask`,
/// `accept-new`) or as a user writes it (`yes`, `no`, `off`).
pub(super) fn host_key_policy(strict: Option<&str>, accept_new_flag: bool) -> HostKeyPolicy {
    let relaxed = matches!(
        strict.map(str::to_ascii_lowercase).as_deref(),
        Some("accept-new" | "no" | "off" | "false")
    );
    if relaxed || accept_new_flag {
        HostKeyPolicy::AcceptNew
    } else {
        HostKeyPolicy::Strict
    }
}

/// Resolve `spec` with `ssh -G`, or from the spec alone when `ssh` is not
/// installed. Inventory values win over ssh's.
pub(super) fn resolve(spec: &ConnectionSpec) -> Result<SshConfig, ConnectionError> {
    let ssh_g = run_ssh_g(spec)?.unwrap_or_default();
    Ok(merge(spec, ssh_g, &home_dir()))
}

fn run_ssh_g(spec: &ConnectionSpec) -> Result<Option<SshG>, ConnectionError> {
    let args = ssh_g_args(spec);
    if let Some((_, options)) = args.split_last()
        && let Some(output) = super::shared_config::output_for(options, &spec.address)
    {
        return Ok(Some(parse_ssh_g(&output)));
    }
    let output = Command::new("ssh").args(args).stdin(Stdio::null()).output();
    let output = match output {
        Ok(output) => output,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(ConnectionError::Config(format!(
                "cannot run ssh -G: {error}"
            )));
        }
    };
    if !output.status.success() {
        return Err(ConnectionError::Config(format!(
            "ssh -G {} rejected the ssh options: {}",
            spec.address,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(Some(parse_ssh_g(&String::from_utf8_lossy(&output.stdout))))
}

/// The arguments of `ssh -G` for `spec`: the inventory's ssh args first, then
/// what the inventory pins (`-p`, `-l`, `-i`), then the host.
pub(super) fn ssh_g_args(spec: &ConnectionSpec) -> Vec<String> {
    let mut args = vec!["-G".to_string()];
    args.extend(spec.ssh_args.iter().cloned());
    if let Some(port) = spec.port {
        args.extend(["-p".to_string(), port.to_string()]);
    }
    if let Some(user) = &spec.user {
        args.extend(["-l".to_string(), user.clone()]);
    }
    if let Some(key) = &spec.private_key_file {
        args.extend(["-i".to_string(), key.to_string_lossy().into_owned()]);
    }
    // `--` keeps a host name starting with `-` from being read as an option.
    args.extend(["--".to_string(), spec.address.clone()]);
    args
}

/// Combine the inventory's values with what `ssh -G` found.
pub(super) fn merge(spec: &ConnectionSpec, ssh_g: SshG, home: &Path) -> SshConfig {
    let expand = |path: &String| expand_tilde(path, home);
    let mut identity_files: Vec<PathBuf> = spec.private_key_file.iter().cloned().collect();
    let from_ssh: Vec<PathBuf> = if ssh_g.identity_files.is_empty() {
        ["id_rsa", "id_ecdsa", "id_ed25519"]
            .iter()
            .map(|name| home.join(".ssh").join(name))
            .collect()
    } else {
        ssh_g.identity_files.iter().map(expand).collect()
    };
    for path in from_ssh {
        if !identity_files.contains(&path) {
            identity_files.push(path);
        }
    }
    let user_known_hosts = if ssh_g.user_known_hosts.is_empty() {
        vec![home.join(".ssh/known_hosts")]
    } else {
        ssh_g.user_known_hosts.iter().map(expand).collect()
    };
    let global_known_hosts = if ssh_g.global_known_hosts.is_empty() {
        vec![PathBuf::from("/etc/ssh/ssh_known_hosts")]
    } else {
        ssh_g.global_known_hosts.iter().map(expand).collect()
    };
    let proxy = match (ssh_g.proxy_command, ssh_g.proxy_jump) {
        (Some(command), _) => Proxy::Command(command),
        (None, Some(jumps)) => Proxy::Jump(jumps.split(',').map(str::to_string).collect()),
        (None, None) => Proxy::Direct,
    };
    SshConfig {
        name: spec.name.clone(),
        // The inventory address is what the user asked for; ssh's HostName
        // applies only to the alias ssh itself was given.
        hostname: ssh_g.hostname.unwrap_or_else(|| spec.address.clone()),
        port: spec.port.or(ssh_g.port).unwrap_or(22),
        user: spec
            .user
            .clone()
            .or(ssh_g.user)
            .unwrap_or_else(|| "root".to_string()),
        identity_files,
        identities_only: ssh_g.identities_only.unwrap_or(false),
        identity_agent: agent_socket(ssh_g.identity_agent.as_deref(), home),
        proxy,
        user_known_hosts,
        global_known_hosts,
        host_key_alias: ssh_g.host_key_alias,
        hash_known_hosts: ssh_g.hash_known_hosts.unwrap_or(false),
        host_key_policy: host_key_policy(
            ssh_g.strict_host_key_checking.as_deref(),
            spec.accept_new_host_keys,
        ),
        connect_timeout: ssh_g
            .connect_timeout
            .filter(|_| spec.connect_timeout.is_zero())
            .map(Duration::from_secs)
            .unwrap_or(spec.connect_timeout),
        server_alive_interval: ssh_g
            .server_alive_interval
            .filter(|seconds| *seconds > 0)
            .unwrap_or(DEFAULT_SERVER_ALIVE_INTERVAL),
        server_alive_count_max: ssh_g
            .server_alive_count_max
            .unwrap_or(DEFAULT_SERVER_ALIVE_COUNT_MAX),
        ssh_args: spec.ssh_args.clone(),
        password: spec.password.clone(),
    }
}

/// `IdentityAgent none` turns the agent off; `SSH_AUTH_SOCK` (the default)
/// means the environment variable.
fn agent_socket(identity_agent: Option<&str>, home: &Path) -> Option<PathBuf> {
    match identity_agent {
        Some("none") => None,
        Some(path) if path != "SSH_AUTH_SOCK" => {
            let variable = path.strip_prefix('$');
            match variable {
                Some(name) => std::env::var_os(name).map(PathBuf::from),
                None => Some(expand_tilde(path, home)),
            }
        }
        _ => std::env::var_os("SSH_AUTH_SOCK").map(PathBuf::from),
    }
}

/// `~/x` → `$HOME/x`; `%d` (OpenSSH's token for the home directory) too.
pub(super) fn expand_tilde(path: &str, home: &Path) -> PathBuf {
    let home_text = home.to_string_lossy();
    let path = path.replace("%d", &home_text);
    match path.strip_prefix('~') {
        Some("") => home.to_path_buf(),
        Some(rest) if rest.starts_with('/') => home.join(&rest[1..]),
        _ => PathBuf::from(path),
    }
}

fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SAMPLE: &str = "host web1\nuser deploy\nhostname 10.0.0.5\nport 2222\n\
        identityfile ~/.ssh/id_rsa\nidentityfile /keys/ci\nproxyjump bastion,inner\n\
        userknownhostsfile ~/.ssh/known_hosts /etc/kh2\n\
        globalknownhostsfile /etc/ssh/ssh_known_hosts\nstricthostkeychecking accept-new\n\
        connecttimeout none\nserveraliveinterval 15\nhashknownhosts yes\nidentitiesonly yes\n";

    fn spec(address: &str) -> ConnectionSpec {
        let mut spec = ConnectionSpec::local(address);
        spec.kind = crate::connection::ConnectionKind::Ssh;
        spec
    }

    #[test]
    fn reads_what_ssh_g_prints() {
        let parsed = parse_ssh_g(SAMPLE);
        assert_eq!(parsed.hostname.as_deref(), Some("10.0.0.5"));
        assert_eq!(parsed.port, Some(2222));
        assert_eq!(parsed.user.as_deref(), Some("deploy"));
        assert_eq!(parsed.identity_files, ["~/.ssh/id_rsa", "/keys/ci"]);
        assert_eq!(parsed.proxy_jump.as_deref(), Some("bastion,inner"));
        assert_eq!(parsed.user_known_hosts, ["~/.ssh/known_hosts", "/etc/kh2"]);
        assert_eq!(parsed.connect_timeout, None);
        assert_eq!(parsed.server_alive_interval, Some(15));
        assert_eq!(parsed.hash_known_hosts, Some(true));
        assert_eq!(parsed.identities_only, Some(true));
        let agent = parse_ssh_g("identityagent ~/agent.sock\n").identity_agent;
        let config = merge(
            &spec("h"),
            SshG {
                identity_agent: agent,
                ..SshG::default()
            },
            Path::new("/u"),
        );
        assert_eq!(config.identity_agent, Some(PathBuf::from("/u/agent.sock")));
        let off = SshG {
            identity_agent: Some("none".into()),
            ..SshG::default()
        };
        assert_eq!(merge(&spec("h"), off, Path::new("/u")).identity_agent, None);
    }

    #[test]
    fn merge_expands_home_and_lets_the_inventory_win() {
        let mut spec = spec("web1");
        spec.port = Some(2200);
        spec.user = Some("ops".into());
        spec.private_key_file = Some("/inv/key".into());
        let config = merge(&spec, parse_ssh_g(SAMPLE), Path::new("/home/me"));
        assert_eq!(config.hostname, "10.0.0.5");
        assert_eq!((config.port, config.user.as_str()), (2200, "ops"));
        assert_eq!(
            config.identity_files,
            [
                PathBuf::from("/inv/key"),
                "/home/me/.ssh/id_rsa".into(),
                "/keys/ci".into()
            ]
        );
        assert_eq!(
            config.proxy,
            Proxy::Jump(vec!["bastion".into(), "inner".into()])
        );
        assert_eq!(
            config.user_known_hosts,
            [
                PathBuf::from("/home/me/.ssh/known_hosts"),
                "/etc/kh2".into()
            ]
        );
        assert_eq!(config.host_key_policy, HostKeyPolicy::AcceptNew);
        assert_eq!(config.server_alive_interval, 15);
    }

    #[test]
    fn keepalives_are_never_off_and_count_as_openssh_does() {
        let openssh_defaults = parse_ssh_g("serveraliveinterval 0\nserveralivecountmax 3\n");
        let config = merge(&spec("h"), openssh_defaults, Path::new("/u"));
        assert_eq!(
            (config.server_alive_interval, config.server_alive_count_max),
            (DEFAULT_SERVER_ALIVE_INTERVAL, 3)
        );
        let set = parse_ssh_g("serveraliveinterval 5\nserveralivecountmax 1\n");
        let config = merge(&spec("h"), set, Path::new("/u"));
        assert_eq!(
            (config.server_alive_interval, config.server_alive_count_max),
            (5, 1)
        );
    }

    #[test]
    fn without_ssh_the_spec_alone_gives_defaults() {
        let config = merge(&spec("db"), SshG::default(), Path::new("/root"));
        assert_eq!(
            (config.hostname.as_str(), config.port, config.user.as_str()),
            ("db", 22, "root")
        );
        assert_eq!(config.proxy, Proxy::Direct);
        assert_eq!(config.host_key_policy, HostKeyPolicy::Strict);
        assert!(
            config
                .identity_files
                .contains(&"/root/.ssh/id_ed25519".into())
        );
    }

    #[test]
    fn strictness_follows_openssh_spellings() {
        for (value, expected) in [
            ("true", HostKeyPolicy::Strict),
            ("ask", HostKeyPolicy::Strict),
            ("accept-new", HostKeyPolicy::AcceptNew),
            ("false", HostKeyPolicy::AcceptNew),
            ("off", HostKeyPolicy::AcceptNew),
        ] {
            assert_eq!(host_key_policy(Some(value), false), expected, "{value}");
        }
        assert_eq!(host_key_policy(Some("yes"), true), HostKeyPolicy::AcceptNew);
    }

    #[test]
    fn real_ssh_g_honours_the_inventory_args() {
        let mut spec = spec("example.invalid");
        spec.ssh_args =
            shell_words::split("-o UserKnownHostsFile=/x -J jump1 -o Port=2022").expect("words");
        spec.user = Some("alice".into());
        match run_ssh_g(&spec) {
            Ok(Some(parsed)) => {
                assert_eq!(parsed.user_known_hosts, ["/x"]);
                assert_eq!(parsed.proxy_jump.as_deref(), Some("jump1"));
                assert_eq!(parsed.port, Some(2022));
                assert_eq!(parsed.user.as_deref(), Some("alice"));
            }
            Ok(None) => {} // no ssh installed: nothing to compare with
            Err(error) => panic!("ssh -G failed: {error}"),
        }
    }

    #[test]
    fn tilde_and_percent_d_expand() {
        let home = Path::new("/h");
        assert_eq!(expand_tilde("~/.ssh/k", home), PathBuf::from("/h/.ssh/k"));
        assert_eq!(expand_tilde("%d/k", home), PathBuf::from("/h/k"));
        assert_eq!(expand_tilde("~other/k", home), PathBuf::from("~other/k"));
        assert_eq!(expand_tilde("/abs", home), PathBuf::from("/abs"));
    }

    proptest! {
        #[test]
        fn parsing_never_panics(text in "\\PC*") {
            let _ = parse_ssh_g(&text);
        }

        #[test]
        fn every_identity_line_is_kept_in_order(
            files in proptest::collection::vec("[a-zA-Z0-9/._~-]{1,20}", 0..6)
        ) {
            let text: String = files.iter().map(|f| format!("identityfile {f}\n")).collect();
            prop_assert_eq!(parse_ssh_g(&text).identity_files, files);
        }

        #[test]
        fn port_lines_round_trip(port in any::<u16>()) {
            prop_assert_eq!(parse_ssh_g(&format!("port {port}\n")).port, Some(port));
        }
    }
}
