/// Why a host could not be reached or a transfer failed. Any of these makes
/// the host `unreachable` for the rest of the play.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConnectionError {
    #[error("cannot connect to {address}: {reason}")]
    Connect { address: String, reason: String },
    #[error("SSH handshake with {address} failed: {reason}")]
    Handshake { address: String, reason: String },
    #[error(
        "host key for {host} is not known (fingerprint {fingerprint})\n  add it with: ssh-keyscan -p {port} {address} >> ~/.ssh/known_hosts\n  or run with --accept-new-host-keys to record it"
    )]
    UnknownHostKey {
        host: String,
        address: String,
        port: u16,
        fingerprint: String,
    },
    #[error(
        "HOST KEY FOR {host} HAS CHANGED (now {fingerprint}); it may be an attack or a reinstalled host\n  runbook refuses changed keys whatever StrictHostKeyChecking or --accept-new-host-keys say\n  if the change is expected: ssh-keygen -R '{address}' -f {known_hosts}"
    )]
    ChangedHostKey {
        host: String,
        address: String,
        fingerprint: String,
        known_hosts: String,
    },
    #[error(
        "host key for {host} ({fingerprint}) is marked @revoked in {known_hosts}; refusing to connect"
    )]
    RevokedHostKey {
        host: String,
        fingerprint: String,
        known_hosts: String,
    },
    #[error("authentication as {user} failed: {reason}")]
    Auth { user: String, reason: String },
    #[error("ssh configuration: {0}")]
    Config(String),
    #[error("connection lost: {0}")]
    Lost(String),
    #[error("transfer of {path} failed: {reason}")]
    Transfer { path: String, reason: String },
    /// `become` failed (wrong password, no sudoers rule...): the task fails,
    /// but the host stays reachable.
    #[error("{0}")]
    Become(String),
    #[error("cannot run local command: {0}")]
    Local(String),
}
