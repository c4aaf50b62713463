//! The persistent `sh` on a host: one exec channel for the whole run, fed one
//! framed command at a time (see `framing`). Starting a shell costs the host
//! an sshd session and the login shell's rc files; paying that once per host
//! instead of once per command is what makes runbook fast.
//!
//! Reads and writes run in libssh2's non-blocking mode and wait on the socket
//! with `poll`, so the command's input is written while its stdout and stderr
//! are drained: a command that prints megabytes to stderr before reading its
//! input, or floods both streams, cannot deadlock against the channel window.

use std::io::{ErrorKind, Read, Write};
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use ssh2::{BlockDirections, Channel, Session};

use super::framing::{self, StreamEnd};
use super::request::{Request, Stdin};
use crate::connection::{CommandLimits, ConnectionError, Dropped, ExecOutput};

const READ_CHUNK: usize = 64 * 1024;
/// How long stopping a command on the host may take.
const STOP_TIMEOUT_MS: u32 = 5_000;

/// The session a shell lives on, with what its I/O loop needs to wait.
pub(super) struct Transport<'a> {
    pub session: &'a Session,
    pub socket: RawFd,
    /// Seconds of silence from the host before a keepalive is sent.
    pub keepalive: u32,
    /// Keepalives left unanswered before the host is given up
    /// (`ServerAliveCountMax`: OpenSSH gives up when one more goes missing).
    pub keepalive_count_max: u32,
    /// The task's deadline and the output bound.
    pub limits: &'a CommandLimits,
    /// Framed exchanges so far on this session: one more per command sent.
    pub round_trips: &'a std::cell::Cell<u64>,
}

/// How the I/O loop stands with the host's silence.
struct Silence {
    /// When the host was last heard from (or the command was sent).
    heard: Instant,
    /// When the last keepalive went out, if one did since then.
    asked: Option<Instant>,
    /// Keepalives sent since the host was last heard from.
    missed: u32,
}

impl Silence {
    fn new() -> Self {
        Self {
            heard: Instant::now(),
            asked: None,
            missed: 0,
        }
    }

    fn heard_now(&mut self) {
        self.heard = Instant::now();
        self.asked = None;
        self.missed = 0;
    }
}

/// The longest single wait, so a signal or the deadline is noticed soon.
const WAIT_SLICE: Duration = Duration::from_millis(200);

/// A running `sh` on the host.
pub(super) struct Shell {
    channel: Channel,
    /// The shell's process id on the host, for stopping its commands.
    pid: Option<i32>,
}

/// How a command ended.
pub(super) enum Outcome {
    Finished(ExecOutput),
    /// The shell itself ended before the command's end markers (`kill $$`,
    /// `exec` in the shell...). What the command printed is kept.
    ShellEnded {
        output: ExecOutput,
        why: String,
    },
}

impl Shell {
    /// Start `sh` (not the login shell interactively: `exec` skips the
    /// interactive rc files) and skip whatever it prints before our first
    /// marker.
    pub(super) fn open(transport: &Transport) -> Result<Self, ConnectionError> {
        let lost = |e: ssh2::Error| ConnectionError::Lost(format!("cannot start sh: {e}"));
        transport.session.set_blocking(true);
        let mut channel = transport.session.channel_session().map_err(lost)?;
        channel.exec("sh").map_err(lost)?;
        let mut shell = Self { channel, pid: None };
        let marker = framing::new_marker();
        let sync = Request::whole(framing::sync_frame(&marker));
        match shell.exchange(transport, sync, &marker, None)? {
            (Outcome::Finished(output), _) => {
                shell.pid = Some(output.rc).filter(|pid| *pid > 1);
                Ok(shell)
            }
            (Outcome::ShellEnded { output, why }, _) => Err(ConnectionError::Lost(format!(
                "the remote sh ended at once ({why}): {}",
                output.stderr_text().trim()
            ))),
        }
    }

    /// Whether the shell is known to have ended.
    pub(super) fn has_ended(&self) -> bool {
        self.channel.eof()
    }

    /// The shell's stdout, for looking at what arrived between commands.
    pub(super) fn stdout(&mut self) -> impl Read + '_ {
        self.channel.stream(0)
    }

    /// Run `script` with `stdin` and collect its output.
    pub(super) fn run(
        &mut self,
        transport: &Transport,
        script: &str,
        stdin: Stdin,
    ) -> Result<Outcome, ConnectionError> {
        let marker = framing::new_marker();
        let limit = transport.limits.output_limit();
        let request = Request::command(script, stdin, &marker);
        let (outcome, dropped) = self.exchange(transport, request, &marker, limit)?;
        transport.limits.record_dropped(dropped);
        Ok(outcome)
    }

    /// End the shell politely (EOF on its input) and close the channel.
    pub(super) fn close(mut self, transport: &Transport) {
        transport.session.set_blocking(true);
        let _ = self.channel.send_eof();
        let _ = self.channel.close();
    }

    fn exchange(
        &mut self,
        transport: &Transport,
        mut request: Request,
        marker: &str,
        limit: Option<usize>,
    ) -> Result<(Outcome, Dropped), ConnectionError> {
        transport.round_trips.set(transport.round_trips.get() + 1);
        transport.session.set_blocking(false);
        // After a failure the session stays non-blocking: it is about to be
        // dropped, and closing its channels must not wait on a host that
        // stopped answering.
        let (stdout, stderr) = self.pump(transport, &mut request, marker, limit)?;
        transport.session.set_blocking(true);
        let rc = stdout.status();
        let dropped = Dropped {
            stdout: stdout.dropped(),
            stderr: stderr.dropped(),
        };
        let output = ExecOutput {
            rc: rc.unwrap_or(-1),
            stdout: stdout.into_output(),
            stderr: stderr.into_output(),
        };
        let outcome = match rc {
            Some(_) => Outcome::Finished(output),
            None => Outcome::ShellEnded {
                output,
                why: self.end_reason(),
            },
        };
        Ok((outcome, dropped))
    }

    /// Write `request` and read both streams until both end markers arrived
    /// or the shell ended.
    fn pump(
        &mut self,
        transport: &Transport,
        request: &mut Request,
        marker: &str,
        limit: Option<usize>,
    ) -> Result<(StreamEnd, StreamEnd), ConnectionError> {
        let mut stdout = StreamEnd::stdout(marker, limit);
        let mut stderr = StreamEnd::stderr(marker, limit);
        let mut buffer = vec![0u8; READ_CHUNK];
        let mut silence = Silence::new();
        loop {
            let mut progress = false;
            if !request.is_done() {
                // A stream that cannot be read leaves the shell inside the
                // input, before the command: the session is given up, and
                // the host's shell, at the end of its input, runs nothing.
                let pending = request
                    .pending()
                    .map_err(|error| lost("reading the input to send", &error))?;
                match self.channel.write(pending) {
                    Ok(count) => {
                        request.advance(count);
                        progress |= count > 0;
                    }
                    Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                    Err(_) if self.channel.eof() => return Ok((stdout, stderr)),
                    Err(error) => return Err(lost("writing to the shell", &error)),
                }
            }
            let heard = drain(&mut self.channel.stream(0), &mut stdout, &mut buffer)?
                | drain(&mut self.channel.stderr(), &mut stderr, &mut buffer)?;
            if heard {
                silence.heard_now();
            }
            if stdout.is_complete() && stderr.is_complete() {
                return Ok((stdout, stderr));
            }
            if crate::interruption::stop_commands() {
                self.stop_remote_commands(transport);
                return Err(ConnectionError::Lost(
                    "interrupted: the command was stopped on the host".to_string(),
                ));
            }
            if !(progress || heard) {
                if self.channel.eof() {
                    return Ok((stdout, stderr));
                }
                wait_for_socket(transport, &mut silence)?;
            }
        }
    }

    /// Stop what the shell is running, through a second channel of the same
    /// session; a host that does not answer within a few seconds is left.
    fn stop_remote_commands(&mut self, transport: &Transport) {
        let Some(pid) = self.pid else {
            return;
        };
        transport.session.set_blocking(true);
        transport.session.set_timeout(STOP_TIMEOUT_MS);
        if let Ok(mut channel) = transport.session.channel_session()
            && channel.exec(&framing::stop_tree_script(pid)).is_ok()
        {
            let mut sink = Vec::new();
            let _ = channel.read_to_end(&mut sink);
            let _ = channel.wait_close();
        }
        transport.session.set_blocking(false);
    }

    /// Why the shell ended, as far as the server told us.
    fn end_reason(&mut self) -> String {
        let _ = self.channel.close();
        let _ = self.channel.wait_close();
        if let Ok(signal) = self.channel.exit_signal()
            && let Some(name) = signal.exit_signal
        {
            return format!("killed by SIG{name}");
        }
        match self.channel.exit_status() {
            Ok(status) => format!("exit status {status}"),
            Err(_) => "no exit status".to_string(),
        }
    }
}

/// Read everything `stream` has now into `end`; true if anything came.
fn drain(
    stream: &mut impl Read,
    end: &mut StreamEnd,
    buffer: &mut [u8],
) -> Result<bool, ConnectionError> {
    let mut progress = false;
    loop {
        match stream.read(buffer) {
            Ok(0) => return Ok(progress),
            Ok(count) => {
                end.feed(&buffer[..count]);
                progress = true;
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => return Ok(progress),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => return Err(lost("reading from the shell", &error)),
        }
    }
}

/// Sleep until the socket can move in the direction libssh2 is waiting for.
/// A keepalive goes out after each interval of silence from the host; when
/// more than `ServerAliveCountMax` of them go unanswered, or the task's
/// deadline passes, the host is given up — measured here, so a frozen host
/// cannot hold the run.
fn wait_for_socket(transport: &Transport, silence: &mut Silence) -> Result<(), ConnectionError> {
    let events = match transport.session.block_directions() {
        BlockDirections::Outbound => libc::POLLOUT,
        BlockDirections::Both => libc::POLLIN | libc::POLLOUT,
        // Inbound, or nothing recorded (e.g. a full channel window, which
        // only the peer's window adjustment can open).
        BlockDirections::Inbound | BlockDirections::None => libc::POLLIN,
    };
    let interval = Duration::from_secs(u64::from(transport.keepalive.max(1)));
    let now = Instant::now();
    let deadline = transport.limits.deadline();
    if deadline.is_some_and(|at| at <= now) {
        return Err(ConnectionError::Lost(
            "the task's timeout passed before the host answered".to_string(),
        ));
    }
    let since = silence.asked.unwrap_or(silence.heard);
    if now.duration_since(since) >= interval {
        if silence.missed >= transport.keepalive_count_max {
            let seconds = now.duration_since(silence.heard).as_secs();
            return Err(ConnectionError::Lost(format!(
                "the host did not answer for {seconds} s ({} keepalives every {} s unanswered, ServerAliveCountMax={})",
                silence.missed,
                interval.as_secs(),
                transport.keepalive_count_max,
            )));
        }
        let _ = transport.session.keepalive_send();
        silence.asked = Some(now);
        silence.missed += 1;
    }
    let mut wait = WAIT_SLICE;
    if let Some(at) = deadline {
        wait = wait.min(at.saturating_duration_since(now));
    }
    let mut poll_fd = libc::pollfd {
        fd: transport.socket,
        events,
        revents: 0,
    };
    let wait_ms = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX).max(1);
    // SAFETY: one valid pollfd, owned by this frame, for the whole call.
    let ready = unsafe { libc::poll(&mut poll_fd, 1, wait_ms) };
    if ready < 0 {
        let error = std::io::Error::last_os_error();
        if error.kind() != ErrorKind::Interrupted {
            return Err(lost("waiting for the host", &error));
        }
        return Ok(());
    }
    if ready > 0 {
        silence.heard_now();
    }
    Ok(())
}

fn lost(doing: &str, error: &std::io::Error) -> ConnectionError {
    ConnectionError::Lost(format!("{doing}: {error}"))
}
