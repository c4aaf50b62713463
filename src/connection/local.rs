use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::kept_output::KeptOutput;
use super::script_on_stdin::{READ_SCRIPT, framed};
use super::{CommandLimits, Connection, ConnectionError, Dropped, ExecOutput};

const READ_CHUNK: usize = 64 * 1024;
/// The longest single wait, so the deadline or a signal is noticed soon.
const WAIT_SLICE: Duration = Duration::from_millis(200);

/// `ansible_connection=local`: commands run on the controller under `/bin/sh`,
/// the script on its stdin (not in its argv, which every user can read).
/// They obey the same [`CommandLimits`] as commands on SSH hosts: output
/// kept within the bound (head and tail), and a deadline at which the
/// command's process group is killed.
#[derive(Debug, Default)]
pub struct LocalConnection {
    limits: CommandLimits,
}

impl LocalConnection {
    pub fn new() -> Self {
        Self::default()
    }

    /// A connection whose commands obey `limits` as they stand when each runs.
    pub fn with_limits(limits: CommandLimits) -> Self {
        Self { limits }
    }
}

impl Connection for LocalConnection {
    fn run(&mut self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, ConnectionError> {
        let local = |e: std::io::Error| ConnectionError::Local(e.to_string());
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(READ_SCRIPT)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so the deadline or a second Ctrl-C can
            // stop all of it, and the terminal's first Ctrl-C leaves it to
            // finish as on a remote host.
            .process_group(0)
            .spawn()
            .map_err(local)?;
        if let Some(mut pipe) = child.stdin.take() {
            let input = framed(script, stdin);
            // A writer thread, so a command that prints before reading cannot deadlock us.
            std::thread::spawn(move || pipe.write_all(&input));
        }
        let limit = self.limits.output_limit();
        let mut streams = Streams {
            stdout: child.stdout.take(),
            stderr: child.stderr.take(),
            kept_stdout: KeptOutput::new(limit),
            kept_stderr: KeptOutput::new(limit),
        };
        let waited = streams.collect(&mut child, &self.limits);
        if waited.is_err() {
            stop_group(&mut child);
        }
        let rc = waited?;
        self.limits.record_dropped(Dropped {
            stdout: streams.kept_stdout.dropped(),
            stderr: streams.kept_stderr.dropped(),
        });
        Ok(ExecOutput {
            rc,
            stdout: streams.kept_stdout.into_bytes("stdout"),
            stderr: streams.kept_stderr.into_bytes("stderr"),
        })
    }
}

/// The command's output pipes (`None` once they ended) and what is kept.
struct Streams<O, E> {
    stdout: Option<O>,
    stderr: Option<E>,
    kept_stdout: KeptOutput,
    kept_stderr: KeptOutput,
}

impl<O: Read + AsRawFd, E: Read + AsRawFd> Streams<O, E> {
    /// Read both pipes until they end and the command exits; its status.
    /// `Err` when the deadline passed or a signal asked to stop commands.
    fn collect(
        &mut self,
        child: &mut Child,
        limits: &CommandLimits,
    ) -> Result<i32, ConnectionError> {
        let mut buffer = vec![0u8; READ_CHUNK];
        let mut pause = Duration::from_millis(1);
        loop {
            if self.stdout.is_none() && self.stderr.is_none() {
                match child.try_wait() {
                    Ok(Some(status)) => return Ok(exit_code(status)),
                    Ok(None) => {}
                    Err(error) => return Err(ConnectionError::Local(error.to_string())),
                }
            }
            let wait = time_left(limits)?;
            if crate::interruption::stop_commands() {
                return Err(ConnectionError::Lost(
                    "interrupted: the command was stopped".to_string(),
                ));
            }
            if self.stdout.is_none() && self.stderr.is_none() {
                // The pipes ended; the process is about to.
                std::thread::sleep(pause.min(wait));
                pause = (pause * 2).min(Duration::from_millis(50));
                continue;
            }
            self.read_ready(wait, &mut buffer)?;
        }
    }

    /// Wait at most `wait` for either pipe, and read what is there.
    fn read_ready(&mut self, wait: Duration, buffer: &mut [u8]) -> Result<(), ConnectionError> {
        let fds = [
            self.stdout.as_ref().map(AsRawFd::as_raw_fd),
            self.stderr.as_ref().map(AsRawFd::as_raw_fd),
        ];
        let mut polled: Vec<libc::pollfd> = fds
            .iter()
            .flatten()
            .map(|fd| libc::pollfd {
                fd: *fd,
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        let wait_ms = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX).max(1);
        let count = libc::nfds_t::try_from(polled.len()).unwrap_or(0);
        // SAFETY: `polled` is a live array of `count` pollfds for the whole call.
        let ready = unsafe { libc::poll(polled.as_mut_ptr(), count, wait_ms) };
        if ready < 0 {
            let error = std::io::Error::last_os_error();
            return match error.kind() {
                ErrorKind::Interrupted => Ok(()),
                _ => Err(ConnectionError::Local(error.to_string())),
            };
        }
        for entry in polled.iter().filter(|entry| entry.revents != 0) {
            if fds[0] == Some(entry.fd) {
                read_into(&mut self.stdout, &mut self.kept_stdout, buffer)?;
            } else {
                read_into(&mut self.stderr, &mut self.kept_stderr, buffer)?;
            }
        }
        Ok(())
    }
}

/// One read from a pipe that is ready; the pipe is dropped at its end.
fn read_into<R: Read>(
    pipe: &mut Option<R>,
    kept: &mut KeptOutput,
    buffer: &mut [u8],
) -> Result<(), ConnectionError> {
    let Some(reader) = pipe.as_mut() else {
        return Ok(());
    };
    match reader.read(buffer) {
        Ok(0) => *pipe = None,
        Ok(count) => kept.push(&buffer[..count]),
        Err(error) if error.kind() == ErrorKind::Interrupted => {}
        Err(error) => return Err(ConnectionError::Local(error.to_string())),
    }
    Ok(())
}

/// How long the next wait may be; `Err` once the task's deadline passed
/// (the same error the SSH connection gives, so the task fails with
/// Ansible's timeout result).
fn time_left(limits: &CommandLimits) -> Result<Duration, ConnectionError> {
    let Some(deadline) = limits.deadline() else {
        return Ok(WAIT_SLICE);
    };
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(ConnectionError::Lost(
            "the task's timeout passed before the command ended".to_string(),
        ));
    }
    Ok(left.min(WAIT_SLICE))
}

/// Kill the command's whole process group and reap the command.
fn stop_group(child: &mut Child) {
    if let Ok(pgid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) on the process group this connection created.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
    let _ = child.wait();
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|signal| 128 + signal))
        .unwrap_or(-1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_stdout_stderr_and_status() {
        let out = LocalConnection::new()
            .run("echo out; echo err >&2; exit 3", None)
            .expect("runs");
        assert_eq!(
            (out.rc, out.stdout_text(), out.stderr_text()),
            (3, "out\n".into(), "err\n".into())
        );
    }

    #[test]
    fn feeds_stdin_and_transfers_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        let path = path.to_str().expect("utf8 path");
        let mut conn = LocalConnection::new();
        conn.put_file(path, b"bytes\x00\xff", 0o640).expect("put");
        assert_eq!(conn.get_file(path).expect("get"), b"bytes\x00\xff");
        let out = conn.run("tr a-z A-Z", Some(b"abc")).expect("runs");
        assert_eq!(out.stdout, b"ABC");
    }

    #[test]
    fn output_is_kept_within_the_bound_and_what_was_dropped_is_told() {
        let limits = CommandLimits::default();
        limits.bound_output(Some(10));
        let mut conn = LocalConnection::with_limits(limits.clone());
        let out = conn
            .run(
                "printf 'abcde%.0s' $(seq 1000); printf tail; printf 'e%.0s' $(seq 30) >&2",
                None,
            )
            .expect("runs");
        assert_eq!(
            out.stdout_text(),
            "abcde\n[runbook: 4994 bytes of stdout left out here; at most 10 bytes of each stream are kept (runbook_output_limit)]\netail"
        );
        assert_eq!(
            limits.take_dropped(),
            Dropped {
                stdout: 4994,
                stderr: 20
            }
        );
    }

    #[test]
    fn the_deadline_kills_the_whole_process_group() {
        let dir = tempfile::tempdir().expect("tempdir");
        let after = dir.path().join("after");
        let limits = CommandLimits::default();
        limits.set_deadline(Some(Instant::now() + Duration::from_millis(500)));
        let started = Instant::now();
        let result = LocalConnection::with_limits(limits).run(
            &format!("(sleep 3; touch {}) & sleep 60", after.display()),
            None,
        );
        assert!(
            matches!(&result, Err(ConnectionError::Lost(why)) if why.contains("timeout")),
            "{result:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        std::thread::sleep(Duration::from_secs(4));
        assert!(
            !after.exists(),
            "a process of the group outlived the deadline"
        );
    }
}
