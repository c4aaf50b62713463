//! SSH through libssh2: one authenticated session per host for the whole
//! run and one persistent `sh` on it, with commands framed by a random marker.
//!
//! `config` asks OpenSSH (`ssh -G`) what the user's config says, `proxy`
//! reaches hosts behind jump hosts, `known_hosts` checks host keys, `auth`
//! logs in, `session` ties those together, and `shell`/`framing` run commands.

mod admission;
mod auth;
mod config;
mod framing;
mod keys;
mod known_hosts;
mod passphrase;
mod proxy;
mod request;
mod session;
mod shared_config;
mod shell;
mod staged_stdin;

#[cfg(test)]
mod test_sshd;
#[cfg(test)]
mod tests;

pub use auth::PASSPHRASE_ENV;
pub use config::{HostKeyPolicy, Proxy, SshConfig};

use std::io::Read;
use std::time::Instant;

use ssh2::Session;

use super::trace::{Note, SessionOpened, Trace};
use super::{CommandLimits, Connection, ConnectionError, ConnectionSpec, ExecOutput, Traffic};
use proxy::ProxyProcess;
use request::Stdin;
use shell::{Outcome, Shell, Transport};

const CLOSE_TIMEOUT_MS: u32 = 2_000;
/// The no-op probe prints nothing; anything more is not kept.
const PROBE_OUTPUT_LIMIT: usize = 4096;

/// An open SSH connection to one host with its persistent shell.
pub struct SshConnection {
    spec: ConnectionSpec,
    config: SshConfig,
    limits: CommandLimits,
    /// `None` once closed; the next command then reconnects.
    live: Option<Live>,
    /// What the sessions closed so far cost; the open one counts its own.
    spent: Traffic,
    /// Told of every session opened (`-vvv`).
    trace: Trace,
}

/// The parts of an open connection. Field order is drop order: the shell's
/// channel before its session, the session before the proxy carrying it.
struct Live {
    shell: Option<Shell>,
    session: Session,
    socket: std::os::fd::RawFd,
    _proxy: Option<ProxyProcess>,
    /// When the last command ended: a connection idle for longer than a
    /// keepalive interval is probed before it is trusted with a command.
    last_used: Instant,
    /// Framed exchanges on this session (`Shell` counts them).
    round_trips: std::cell::Cell<u64>,
}

impl SshConnection {
    /// Resolve `spec` with `ssh -G`, connect, verify the host key, log in
    /// and start the shell. Every command obeys `limits` as they stand when
    /// it runs.
    pub fn connect(spec: &ConnectionSpec, limits: CommandLimits) -> Result<Self, ConnectionError> {
        Self::connect_traced(spec, limits, Trace::default())
    }

    /// As [`connect`](Self::connect), telling `trace` of every session opened.
    pub fn connect_traced(
        spec: &ConnectionSpec,
        limits: CommandLimits,
        trace: Trace,
    ) -> Result<Self, ConnectionError> {
        let config = config::resolve(spec)?;
        let live = open_live(&config, &limits, &trace)?;
        Ok(Self {
            spec: spec.clone(),
            config,
            limits,
            live: Some(live),
            spent: Traffic::default(),
            trace,
        })
    }

    /// Forget a broken session without waiting on its host: a frozen host
    /// must not hold the run up while its session is torn down.
    fn discard_live(&mut self) {
        if let Some(live) = self.live.take() {
            self.spent += live.traffic();
            live.session.set_blocking(false);
            drop(live);
        }
    }

    /// Reopen a session that died while it was idle (sshd restarted, a
    /// firewall forgot it): no command of this task was sent on it, so
    /// connecting again is safe. A session that dies during a command is
    /// not retried — the command may have run.
    fn reopen_if_lost_while_idle(&mut self) {
        let lost = self
            .live
            .as_mut()
            .is_some_and(|live| !live.still_answers(&self.config, &self.limits));
        if lost {
            self.discard_live();
        }
    }

    /// The settings in effect for this host (after `ssh -G` and inventory).
    pub fn config(&self) -> &SshConfig {
        &self.config
    }
}

fn open_live(
    config: &SshConfig,
    limits: &CommandLimits,
    trace: &Trace,
) -> Result<Live, ConnectionError> {
    let started = Instant::now();
    let opened = admission::with_admission(config, || session::open(config))?;
    let (host_key, logged_in) = (opened.host_key, opened.logged_in);
    let mut live = Live {
        shell: None,
        session: opened.session,
        socket: opened.socket,
        _proxy: opened.proxy,
        last_used: Instant::now(),
        round_trips: std::cell::Cell::new(0),
    };
    let shell = Shell::open(&live.transport(config, limits));
    match shell {
        Ok(shell) => live.shell = Some(shell),
        Err(error) => {
            live.session.set_blocking(false);
            return Err(error);
        }
    }
    if trace.is_on() {
        trace.note(Note::Opened(SessionOpened {
            transport: "ssh".to_string(),
            host: config.name.clone(),
            user: config.user.clone(),
            address: config.hostname.clone(),
            port: config.port,
            proxy: match &config.proxy {
                Proxy::Direct => Vec::new(),
                Proxy::Jump(hops) => hops.iter().map(|hop| format!("ProxyJump {hop}")).collect(),
                Proxy::Command(command) => vec![format!("ProxyCommand {command}")],
            },
            settings: config.settings_shown(),
            host_key: host_key.0,
            host_key_source: host_key.1,
            auth: logged_in.method,
            tried: logged_in.tried,
            millis: super::trace::millis(started.elapsed()),
        }));
    }
    Ok(live)
}

impl Live {
    fn transport<'a>(&'a self, config: &SshConfig, limits: &'a CommandLimits) -> Transport<'a> {
        Transport {
            session: &self.session,
            socket: self.socket,
            keepalive: config.server_alive_interval,
            keepalive_count_max: config.server_alive_count_max,
            limits,
            round_trips: &self.round_trips,
        }
    }

    /// This session's cost: its login and its exchanges.
    fn traffic(&self) -> Traffic {
        Traffic {
            round_trips: self.round_trips.get(),
            sessions: 1,
        }
    }

    /// Whether the session can take a command: nothing arrived while it was
    /// idle that says it ended, and after a long idle spell a no-op command
    /// comes back.
    fn still_answers(&mut self, config: &SshConfig, limits: &CommandLimits) -> bool {
        if self.sent_something_while_idle() && self.ended_while_idle() {
            return false;
        }
        let idle = self.last_used.elapsed().as_secs();
        if idle < u64::from(config.server_alive_interval.max(1)) {
            return true;
        }
        // The probe's output is ours: it must not count as the task's.
        let saved = limits.output_limit();
        limits.bound_output(Some(PROBE_OUTPUT_LIMIT));
        let answered = matches!(
            self.run(config, limits, ":", Stdin::None),
            Ok(Outcome::Finished(_))
        );
        limits.bound_output(saved);
        answered
    }

    /// Whether the host sent anything since the last command ended.
    fn sent_something_while_idle(&self) -> bool {
        let mut poll_fd = libc::pollfd {
            fd: self.socket,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, owned by this frame; no waiting.
        let ready = unsafe { libc::poll(&mut poll_fd, 1, 0) };
        ready != 0
    }

    /// Let libssh2 read what arrived and say whether it ended the session
    /// or the shell.
    fn ended_while_idle(&mut self) -> bool {
        let Some(shell) = self.shell.as_mut() else {
            return false;
        };
        self.session.set_blocking(false);
        let mut byte = [0u8; 1];
        let read = shell.stdout().read(&mut byte);
        let ended = match read {
            Ok(0) => shell.has_ended(),
            // The shell prints nothing between commands.
            Ok(_) => true,
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => shell.has_ended(),
            Err(_) => true,
        };
        self.session.set_blocking(true);
        ended
    }

    /// Run a command on the shell, starting a fresh shell first if the
    /// previous one ended.
    fn run(
        &mut self,
        config: &SshConfig,
        limits: &CommandLimits,
        script: &str,
        stdin: Stdin,
    ) -> Result<Outcome, ConnectionError> {
        let mut shell = match self.shell.take() {
            Some(shell) if !shell.has_ended() => shell,
            _ => Shell::open(&self.transport(config, limits))?,
        };
        let outcome = shell.run(&self.transport(config, limits), script, stdin);
        match outcome {
            Ok(Outcome::Finished(_)) => self.shell = Some(shell),
            // Closing a channel blocks until the host confirms: a host that
            // stopped answering never would.
            Err(_) => {
                self.session.set_blocking(false);
                drop(shell);
            }
            Ok(Outcome::ShellEnded { .. }) => {}
        }
        self.last_used = Instant::now();
        outcome
    }
}

impl SshConnection {
    /// Run `script` on the persistent shell. If the script ends the shell
    /// itself (`kill $$`), the result has rc -1 and a note on stderr, and the
    /// next command gets a fresh shell on the same session.
    fn send(&mut self, script: &str, stdin: Stdin) -> Result<ExecOutput, ConnectionError> {
        self.reopen_if_lost_while_idle();
        if self.live.is_none() {
            self.live = Some(open_live(&self.config, &self.limits, &self.trace)?);
        }
        let Some(live) = self.live.as_mut() else {
            return Err(ConnectionError::Lost("not connected".to_string()));
        };
        match live.run(&self.config, &self.limits, script, stdin) {
            Ok(Outcome::Finished(output)) => Ok(output),
            Ok(Outcome::ShellEnded { mut output, why }) => {
                // Restart now, so a host that cannot give us a shell any more
                // is reported as lost at once rather than at the next task.
                let restarted = Shell::open(&live.transport(&self.config, &self.limits));
                match restarted {
                    Ok(shell) => live.shell = Some(shell),
                    Err(error) => {
                        self.discard_live();
                        return Err(error);
                    }
                }
                output.rc = -1;
                output.stderr.extend_from_slice(
                    format!("runbook: the remote shell ended during this command ({why}); a new shell was started\n")
                        .as_bytes(),
                );
                Ok(output)
            }
            Err(error) => {
                self.discard_live();
                Err(error)
            }
        }
    }
}

impl Connection for SshConnection {
    fn run(&mut self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, ConnectionError> {
        self.send(script, stdin.into())
    }

    /// Sent as it is read: the controller holds one chunk of it at a time.
    fn run_streaming(
        &mut self,
        script: &str,
        prefix: &[u8],
        stream: &mut dyn std::io::Read,
    ) -> Result<ExecOutput, ConnectionError> {
        self.send(script, Stdin::Stream(prefix, stream))
    }

    fn close(&mut self) {
        if let Some(mut live) = self.live.take() {
            // A host that stopped answering must not hold the run up for
            // long: the goodbyes below are a courtesy.
            live.session.set_timeout(CLOSE_TIMEOUT_MS);
            if let Some(shell) = live.shell.take() {
                shell.close(&live.transport(&self.config, &self.limits));
            }
            let _ = live.session.disconnect(None, "runbook is done", None);
            self.spent += live.traffic();
        }
    }

    fn traffic(&self) -> Traffic {
        let open = self.live.as_ref().map(Live::traffic).unwrap_or_default();
        self.spent + open
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
