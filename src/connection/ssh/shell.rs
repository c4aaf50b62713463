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
use std::time::Instant;

use ssh2::{BlockDirections, Channel, Session};

use super::framing::{self, StreamEnd};
use crate::connection::{CommandLimits, ConnectionError, Dropped, ExecOutput};

const READ_CHUNK: usize = 64 * 1024;

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
}

/// How the I/O loop stands with the host's silence.
#[derive(Default)]
struct Silence {
    /// Keepalive intervals in a row in which nothing came from the host.
    missed: u32,
}

/// A running `sh` on the host.
pub(super) struct Shell {
    channel: Channel,
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
        let mut shell = Self { channel };
        let marker = framing::new_marker();
        match shell.exchange(transport, &framing::sync_frame(&marker), &marker, None)? {
            (Outcome::Finished(_), _) => Ok(shell),
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
        stdin: Option<&[u8]>,
    ) -> Result<Outcome, ConnectionError> {
        let marker = framing::new_marker();
        let limit = transport.limits.output_limit();
        let (outcome, dropped) = self.exchange(
            transport,
            &framing::frame(script, stdin, &marker),
            &marker,
            limit,
        )?;
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
        request: &[u8],
        marker: &str,
        limit: Option<usize>,
    ) -> Result<(Outcome, Dropped), ConnectionError> {
        transport.session.set_blocking(false);
        let result = self.pump(transport, request, marker, limit);
        transport.session.set_blocking(true);
        let (stdout, stderr) = result?;
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
        request: &[u8],
        marker: &str,
        limit: Option<usize>,
    ) -> Result<(StreamEnd, StreamEnd), ConnectionError> {
        let mut stdout = StreamEnd::stdout(marker, limit);
        let mut stderr = StreamEnd::stderr(marker, limit);
        let mut written = 0;
        let mut buffer = vec![0u8; READ_CHUNK];
        let mut silence = Silence::default();
        loop {
            let mut progress = false;
            if written < request.len() {
                match self.channel.write(&request[written..]) {
                    Ok(count) => {
                        written += count;
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
                silence.missed = 0;
            }
            if stdout.is_complete() && stderr.is_complete() {
                return Ok((stdout, stderr));
            }
            if !(progress || heard) {
                if self.channel.eof() {
                    return Ok((stdout, stderr));
                }
                wait_for_socket(transport, &mut silence)?;
            }
        }
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
    let interval_ms = u64::from(transport.keepalive.max(1)) * 1000;
    let deadline = transport.limits.deadline();
    let until_deadline = deadline.map(|at| at.saturating_duration_since(Instant::now()));
    if until_deadline.is_some_and(|left| left.is_zero()) {
        return Err(ConnectionError::Lost(
            "the task's timeout passed before the host answered".to_string(),
        ));
    }
    let wait_ms = until_deadline.map_or(interval_ms, |left| {
        interval_ms.min(u64::try_from(left.as_millis()).unwrap_or(u64::MAX).max(1))
    });
    let mut poll_fd = libc::pollfd {
        fd: transport.socket,
        events,
        revents: 0,
    };
    // SAFETY: one valid pollfd, owned by this frame, for the whole call.
    let ready = unsafe { libc::poll(&mut poll_fd, 1, i32::try_from(wait_ms).unwrap_or(i32::MAX)) };
    if ready < 0 {
        let error = std::io::Error::last_os_error();
        if error.kind() != ErrorKind::Interrupted {
            return Err(lost("waiting for the host", &error));
        }
        return Ok(());
    }
    if ready > 0 {
        silence.missed = 0;
    }
    // A wait cut short by the deadline says nothing about the host.
    if ready == 0 && wait_ms == interval_ms {
        silence.missed += 1;
        if silence.missed > transport.keepalive_count_max {
            return Err(ConnectionError::Lost(format!(
                "the host did not answer for {} s ({} keepalives every {} s unanswered, ServerAliveCountMax={})",
                u64::from(silence.missed) * u64::from(transport.keepalive.max(1)),
                silence.missed - 1,
                transport.keepalive.max(1),
                transport.keepalive_count_max,
            )));
        }
        let _ = transport.session.keepalive_send();
    }
    Ok(())
}

fn lost(doing: &str, error: &std::io::Error) -> ConnectionError {
    ConnectionError::Lost(format!("{doing}: {error}"))
}
