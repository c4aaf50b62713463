//! SSH through libssh2: one authenticated session per host for the whole
//! run and one persistent `sh` on it, with commands framed by a random marker.
//!
//! `config` asks OpenSSH (`ssh -G`) what the user's config says, `proxy`
//! reaches hosts behind jump hosts, `known_hosts` checks host keys, `auth`
//! logs in, `session` ties those together, and `shell`/`framing` run commands.

mod auth;
mod config;
mod framing;
mod known_hosts;
mod passphrase;
mod proxy;
mod session;
mod shell;

#[cfg(test)]
mod test_sshd;
#[cfg(test)]
mod tests;

pub use auth::PASSPHRASE_ENV;
pub use config::{HostKeyPolicy, Proxy, SshConfig};
pub(crate) use passphrase::ask_on_terminal;

use ssh2::Session;

use super::{Connection, ConnectionError, ConnectionSpec, ExecOutput};
use proxy::ProxyProcess;
use shell::{Outcome, Shell, Transport};

const CLOSE_TIMEOUT_MS: u32 = 2_000;

/// An open SSH connection to one host with its persistent shell.
pub struct SshConnection {
    spec: ConnectionSpec,
    config: SshConfig,
    /// `None` once closed; the next command then reconnects.
    live: Option<Live>,
}

/// The parts of an open connection. Field order is drop order: the shell's
/// channel before its session, the session before the proxy carrying it.
struct Live {
    shell: Option<Shell>,
    session: Session,
    socket: std::os::fd::RawFd,
    _proxy: Option<ProxyProcess>,
}

impl SshConnection {
    /// Resolve `spec` with `ssh -G`, connect, verify the host key, log in
    /// and start the shell.
    pub fn connect(spec: &ConnectionSpec) -> Result<Self, ConnectionError> {
        let config = config::resolve(spec)?;
        let live = open_live(&config)?;
        Ok(Self {
            spec: spec.clone(),
            config,
            live: Some(live),
        })
    }

    /// The settings in effect for this host (after `ssh -G` and inventory).
    pub fn config(&self) -> &SshConfig {
        &self.config
    }
}

fn open_live(config: &SshConfig) -> Result<Live, ConnectionError> {
    let opened = session::open(config)?;
    let mut live = Live {
        shell: None,
        session: opened.session,
        socket: opened.socket,
        _proxy: opened.proxy,
    };
    live.shell = Some(Shell::open(&live.transport(config))?);
    Ok(live)
}

impl Live {
    fn transport(&self, config: &SshConfig) -> Transport<'_> {
        Transport {
            session: &self.session,
            socket: self.socket,
            keepalive: config.server_alive_interval,
        }
    }

    /// Run a command on the shell, starting a fresh shell first if the
    /// previous one ended.
    fn run(
        &mut self,
        config: &SshConfig,
        script: &str,
        stdin: Option<&[u8]>,
    ) -> Result<Outcome, ConnectionError> {
        let mut shell = match self.shell.take() {
            Some(shell) if !shell.has_ended() => shell,
            _ => Shell::open(&self.transport(config))?,
        };
        let outcome = shell.run(&self.transport(config), script, stdin);
        if matches!(outcome, Ok(Outcome::Finished(_))) {
            self.shell = Some(shell);
        }
        outcome
    }
}

impl Connection for SshConnection {
    /// Run `script` on the persistent shell. If the script ends the shell
    /// itself (`kill $$`), the result has rc -1 and a note on stderr, and the
    /// next command gets a fresh shell on the same session.
    fn run(&mut self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, ConnectionError> {
        if self.live.is_none() {
            self.live = Some(open_live(&self.config)?);
        }
        let Some(live) = self.live.as_mut() else {
            return Err(ConnectionError::Lost("not connected".to_string()));
        };
        match live.run(&self.config, script, stdin) {
            Ok(Outcome::Finished(output)) => Ok(output),
            Ok(Outcome::ShellEnded { mut output, why }) => {
                // Restart now, so a host that cannot give us a shell any more
                // is reported as lost at once rather than at the next task.
                live.shell = Some(Shell::open(&live.transport(&self.config))?);
                output.rc = -1;
                output.stderr.extend_from_slice(
                    format!("runbook: the remote shell ended during this command ({why}); a new shell was started\n")
                        .as_bytes(),
                );
                Ok(output)
            }
            Err(error) => {
                self.live = None;
                Err(error)
            }
        }
    }

    fn close(&mut self) {
        if let Some(mut live) = self.live.take() {
            // A host that stopped answering must not hold the run up for
            // long: the goodbyes below are a courtesy.
            live.session.set_timeout(CLOSE_TIMEOUT_MS);
            if let Some(shell) = live.shell.take() {
                shell.close(&live.transport(&self.config));
            }
            let _ = live.session.disconnect(None, "runbook is done", None);
        }
    }
}

impl Drop for SshConnection {
    fn drop(&mut self) {
        self.close();
    }
}

impl std::fmt::Debug for SshConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshConnection")
            .field("host", &self.spec.name)
            .field("connected", &self.live.is_some())
            .finish()
    }
}
