//! Opening an authenticated libssh2 session: the socket (direct TCP or a
//! proxy's socket pair), algorithm preferences, the handshake, the host key
//! check and authentication.

use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::path::PathBuf;
use std::time::Duration;

use ssh2::{MethodType, Session};

use super::auth;
use super::config::{HostKeyPolicy, SshConfig};
use super::known_hosts::{self, Verdict};
use super::proxy::ProxyProcess;
use crate::connection::ConnectionError;

/// Key exchanges in the order runbook asks for them: curve25519 first, SHA-1
/// based ones never (OpenSSH dropped them too).
const KEX_PREFERENCE: &[&str] = &[
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256",
];

/// Host key algorithms, best first; SHA-1 `ssh-rsa` and DSA are left out.
const HOST_KEY_PREFERENCE: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
];

/// An authenticated session and what keeps its socket alive.
pub(super) struct Opened {
    pub session: Session,
    pub socket: RawFd,
    pub proxy: Option<ProxyProcess>,
    /// `TYPE SHA256:…` and where it was found (or that it was recorded).
    pub host_key: (String, String),
    pub logged_in: auth::LoggedIn,
}

/// Connect, verify the host and log in.
pub(super) fn open(config: &SshConfig) -> Result<Opened, ConnectionError> {
    let mut session = Session::new().map_err(|e| handshake_error(config, None, &e))?;
    session.set_timeout(millis(config.connect_timeout));
    let known = known_hosts::load(&known_hosts_files(config));
    let lookup = lookup_name(config);
    prefer_algorithms(&session, &known_hosts::known_key_types(&known, &lookup));
    let (socket, proxy) = match ProxyProcess::start(config)? {
        Some((proxy, stream)) => {
            let fd = stream.as_raw_fd();
            session.set_tcp_stream(stream);
            (fd, Some(proxy))
        }
        None => {
            let stream = connect_tcp(config)?;
            let fd = stream.as_raw_fd();
            session.set_tcp_stream(stream);
            (fd, None)
        }
    };
    session
        .handshake()
        .map_err(|e| handshake_error(config, proxy.as_ref(), &e))?;
    let host_key = check_host_key(&session, config, &known, &lookup)?;
    let logged_in = auth::authenticate(&session, config)?;
    if config.server_alive_interval > 0 {
        session.set_keepalive(true, config.server_alive_interval);
    }
    Ok(Opened {
        session,
        socket,
        proxy,
        host_key,
        logged_in,
    })
}

fn connect_tcp(config: &SshConfig) -> Result<TcpStream, ConnectionError> {
    let address = format!("{}:{}", config.hostname, config.port);
    let failed = |reason: String| ConnectionError::Connect {
        address: address.clone(),
        reason,
    };
    let candidates = (config.hostname.as_str(), config.port)
        .to_socket_addrs()
        .map_err(|e| failed(format!("cannot resolve host name: {e}")))?;
    let mut last_error = None;
    for candidate in candidates {
        match TcpStream::connect_timeout(&candidate, nonzero(config.connect_timeout)) {
            Ok(stream) => {
                // Every command is a small write answered by a small read.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(error) => last_error = Some(error),
        }
    }
    Err(failed(last_error.map_or_else(
        || "the name resolves to no address".to_string(),
        |e| e.to_string(),
    )))
}

/// Ask for curve25519 first and for host key types already in known_hosts
/// first, limited to what this libssh2 build supports.
fn prefer_algorithms(session: &Session, known_types: &[String]) {
    let supported = |kind| session.supported_algs(kind).unwrap_or_default();
    let kex = supported(MethodType::Kex);
    let kex: Vec<&str> = KEX_PREFERENCE
        .iter()
        .copied()
        .filter(|name| kex.contains(name))
        .collect();
    if !kex.is_empty() {
        let _ = session.method_pref(MethodType::Kex, &kex.join(","));
    }
    let host_keys = supported(MethodType::HostKey);
    let mut order: Vec<&str> = Vec::new();
    for known in known_types {
        let algorithms: &[&str] = match known.as_str() {
            "ssh-rsa" => &["rsa-sha2-512", "rsa-sha2-256"],
            other => HOST_KEY_PREFERENCE
                .iter()
                .find(|name| **name == other)
                .map_or(&[], std::slice::from_ref),
        };
        order.extend(algorithms);
    }
    order.extend(HOST_KEY_PREFERENCE);
    let mut chosen: Vec<&str> = Vec::new();
    for name in order {
        if host_keys.contains(&name) && !chosen.contains(&name) {
            chosen.push(name);
        }
    }
    if !chosen.is_empty() {
        let _ = session.method_pref(MethodType::HostKey, &chosen.join(","));
    }
}

fn known_hosts_files(config: &SshConfig) -> Vec<PathBuf> {
    config
        .user_known_hosts
        .iter()
        .chain(&config.global_known_hosts)
        .cloned()
        .collect()
}

fn lookup_name(config: &SshConfig) -> String {
    match &config.host_key_alias {
        Some(alias) => alias.to_ascii_lowercase(),
        None => known_hosts::lookup_name(&config.hostname, config.port),
    }
}

/// Refuse unknown keys (unless the policy records them), changed keys and
/// revoked keys; never accept silently. The key (`TYPE SHA256:…`) and where
/// it was found when it is accepted.
fn check_host_key(
    session: &Session,
    config: &SshConfig,
    known: &[(PathBuf, Vec<known_hosts::Entry>)],
    lookup: &str,
) -> Result<(String, String), ConnectionError> {
    let Some((key, _)) = session.host_key() else {
        return Err(ConnectionError::Handshake {
            address: config.hostname.clone(),
            reason: "the server sent no host key".to_string(),
        });
    };
    let fingerprint = known_hosts::fingerprint(key);
    let shown = format!(
        "{} {fingerprint}",
        known_hosts::blob_key_type(key).unwrap_or_else(|| "key".to_string())
    );
    match known_hosts::verify(known, lookup, key) {
        Verdict::Known => {
            let file = known_hosts::listed_in(known, lookup, key)
                .map_or_else(String::new, |file| file.display().to_string());
            Ok((shown, format!("known as {lookup} in {file}")))
        }
        Verdict::Changed { file } => Err(ConnectionError::ChangedHostKey {
            host: config.name.clone(),
            address: lookup.to_string(),
            fingerprint,
            known_hosts: file.display().to_string(),
        }),
        Verdict::Revoked { file } => Err(ConnectionError::RevokedHostKey {
            host: config.name.clone(),
            fingerprint,
            known_hosts: file.display().to_string(),
        }),
        Verdict::Unknown if config.host_key_policy == HostKeyPolicy::AcceptNew => {
            let file = record_key(config, lookup, key)?;
            Ok((shown, format!("new, recorded as {lookup} in {file}")))
        }
        Verdict::Unknown => Err(ConnectionError::UnknownHostKey {
            host: config.name.clone(),
            address: config.hostname.clone(),
            port: config.port,
            fingerprint,
        }),
    }
}

/// Append the key to the first UserKnownHostsFile; returns that file.
fn record_key(config: &SshConfig, lookup: &str, key: &[u8]) -> Result<String, ConnectionError> {
    let file = config.user_known_hosts.first().ok_or_else(|| {
        ConnectionError::Config("no UserKnownHostsFile to record the host key in".to_string())
    })?;
    let line =
        known_hosts::format_entry(lookup, key, config.hash_known_hosts).ok_or_else(|| {
            ConnectionError::Handshake {
                address: config.hostname.clone(),
                reason: "the server's host key is malformed".to_string(),
            }
        })?;
    known_hosts::append(file, &line).map_err(|e| {
        ConnectionError::Config(format!(
            "cannot record the host key in {}: {e}",
            file.display()
        ))
    })?;
    Ok(file.display().to_string())
}

fn handshake_error(
    config: &SshConfig,
    proxy: Option<&ProxyProcess>,
    error: &ssh2::Error,
) -> ConnectionError {
    let mut reason = error.message().to_string();
    if let Some(said) = proxy
        .map(ProxyProcess::stderr_text)
        .filter(|s| !s.is_empty())
    {
        reason = format!("{reason}; the proxy said: {said}");
    }
    ConnectionError::Handshake {
        address: format!("{}:{}", config.hostname, config.port),
        reason,
    }
}

fn nonzero(timeout: Duration) -> Duration {
    if timeout.is_zero() {
        Duration::from_secs(30)
    } else {
        timeout
    }
}

fn millis(timeout: Duration) -> u32 {
    u32::try_from(nonzero(timeout).as_millis()).unwrap_or(u32::MAX)
}
