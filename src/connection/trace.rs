//! What a connection tells the person who asked for `-vvv`: how each SSH
//! session was opened (the settings `ssh -G` resolved, the jump hosts, the
//! host key, how the login went) and every command sent to a host, with its
//! duration and size. The connection layer never prints: it hands these
//! notes to a [`Trace`] the executor gives it, which turns them into events
//! for the reporter. Without `-vvv` there is no trace and nothing is built.

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Connection, ConnectionError, Escalating, ExecOutput, Traffic};

/// A session that was opened (at first use, or again after it was lost):
/// over SSH with everything below, or a local one (`ansible_connection=local`)
/// of which only the host and the user mean anything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionOpened {
    /// `ssh` or `local`; journals written before it was recorded are SSH's.
    #[serde(default = "ssh_transport")]
    pub transport: String,
    /// The inventory name.
    pub host: String,
    pub user: String,
    /// `HostName` and `Port` as resolved.
    pub address: String,
    pub port: u16,
    /// `ProxyJump` hops (outermost first) or `ProxyCommand`; empty: direct.
    pub proxy: Vec<String>,
    /// The `ssh -G` settings runbook acts on, as `Keyword value`, in a fixed order.
    pub settings: Vec<String>,
    /// `TYPE SHA256:…`
    pub host_key: String,
    /// Where the key was found, or that it was recorded (`accept-new`).
    pub host_key_source: String,
    /// What logged in: `publickey FILE`, `publickey (ssh-agent)`, `password`, `keyboard-interactive`.
    pub auth: String,
    /// What was tried before it, each with why it did not log in.
    pub tried: Vec<String>,
    /// Milliseconds from the TCP connect to the shell's first answer.
    pub millis: u64,
}

/// One command a module sent to a host, and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandSent {
    pub host: String,
    /// The script as `sh` gets it; `None` when the task's `no_log` hides it.
    pub command: Option<String>,
    /// `sudo`/`su` and the user, when the command ran under `become`.
    pub become_user: Option<String>,
    /// The exit status; `None` when the connection broke (`error` says how).
    pub rc: Option<i32>,
    pub error: Option<String>,
    pub millis: u64,
    /// Bytes of the script and of its stdin, as handed to the connection.
    pub script_bytes: u64,
    pub stdin_bytes: u64,
    pub stdout_bytes: u64,
    pub stderr_bytes: u64,
}

/// What a connection reports while it works.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    Opened(SessionOpened),
    Sent(CommandSent),
}

/// Where a connection's notes go; the default goes nowhere.
#[derive(Clone, Default)]
pub struct Trace {
    sink: Option<Arc<dyn Fn(Note) + Send + Sync>>,
}

impl Trace {
    pub fn to(sink: impl Fn(Note) + Send + Sync + 'static) -> Self {
        Self {
            sink: Some(Arc::new(sink)),
        }
    }

    /// Whether anyone listens (so nothing is built for nobody).
    pub fn is_on(&self) -> bool {
        self.sink.is_some()
    }

    pub fn note(&self, note: Note) {
        if let Some(sink) = &self.sink {
            sink(note);
        }
    }
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_on() {
            "Trace(on)"
        } else {
            "Trace(off)"
        })
    }
}

fn ssh_transport() -> String {
    "ssh".to_string()
}

impl SessionOpened {
    /// A local session, as the controller's `user` runs it.
    pub(super) fn local(host: &str, user: String) -> Self {
        Self {
            transport: "local".to_string(),
            host: host.to_string(),
            user,
            address: String::new(),
            port: 0,
            proxy: Vec::new(),
            settings: Vec::new(),
            host_key: String::new(),
            host_key_source: String::new(),
            auth: String::new(),
            tried: Vec::new(),
            millis: 0,
        }
    }
}

pub(super) fn millis(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}

/// A host's connection as modules use it, noting every command it runs.
pub struct Traced {
    inner: Escalating,
    host: String,
    trace: Trace,
    /// The running task's `no_log`: its commands are noted without their text.
    hide_commands: bool,
    /// `sudo root`, while the running task uses `become`.
    become_user: Option<String>,
}

impl Traced {
    pub fn new(inner: Escalating, host: &str, trace: Trace) -> Self {
        Self {
            inner,
            host: host.to_string(),
            trace,
            hide_commands: false,
            become_user: None,
        }
    }

    pub fn inner(&mut self) -> &mut Escalating {
        &mut self.inner
    }

    /// For the task running now: whether its commands may be shown, and as whom they run.
    pub fn for_task(&mut self, hide_commands: bool, become_user: Option<String>) {
        self.hide_commands = hide_commands;
        self.become_user = become_user;
    }
}

impl Traced {
    /// Note a command that ran (or broke) after `started`.
    fn noted(
        &self,
        script: &str,
        stdin_bytes: u64,
        started: Instant,
        result: &Result<ExecOutput, ConnectionError>,
    ) {
        let (rc, error, stdout_bytes, stderr_bytes) = match result {
            Ok(output) => (
                Some(output.rc),
                None,
                output.stdout.len() as u64,
                output.stderr.len() as u64,
            ),
            Err(error) => (None, Some(error.to_string()), 0, 0),
        };
        self.trace.note(Note::Sent(CommandSent {
            host: self.host.clone(),
            command: (!self.hide_commands).then(|| super::inline_data::hidden(script).into_owned()),
            become_user: self.become_user.clone(),
            rc,
            error,
            millis: millis(started.elapsed()),
            script_bytes: script.len() as u64,
            stdin_bytes,
            stdout_bytes,
            stderr_bytes,
        }));
    }
}

/// Counts what a streamed input gave, for `-vvvv`.
struct Counting<'a> {
    inner: &'a mut dyn Read,
    read: u64,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

impl Connection for Traced {
    fn run(&mut self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, ConnectionError> {
        if !self.trace.is_on() {
            return self.inner.run(script, stdin);
        }
        let started = Instant::now();
        let result = self.inner.run(script, stdin);
        let stdin_bytes = stdin.map_or(0, |bytes| bytes.len() as u64);
        self.noted(script, stdin_bytes, started, &result);
        result
    }

    fn run_streaming(
        &mut self,
        script: &str,
        prefix: &[u8],
        stream: &mut dyn Read,
    ) -> Result<ExecOutput, ConnectionError> {
        if !self.trace.is_on() {
            return self.inner.run_streaming(script, prefix, stream);
        }
        let started = Instant::now();
        let mut counting = Counting {
            inner: stream,
            read: 0,
        };
        let result = self.inner.run_streaming(script, prefix, &mut counting);
        let stdin_bytes = prefix.len() as u64 + counting.read;
        self.noted(script, stdin_bytes, started, &result);
        result
    }

    fn close(&mut self) {
        self.inner.close();
    }

    fn traffic(&self) -> Traffic {
        self.inner.traffic()
    }
}
