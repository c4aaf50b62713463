use std::io::Write;
use std::process::{Command, Stdio};

use super::script_on_stdin::{READ_SCRIPT, framed};
use super::{Connection, ConnectionError, ExecOutput};

/// `ansible_connection=local`: commands run on the controller under `/bin/sh`,
/// the script on its stdin (not in its argv, which every user can read).
#[derive(Debug, Default)]
pub struct LocalConnection;

impl LocalConnection {
    pub fn new() -> Self {
        Self
    }
}

impl Connection for LocalConnection {
    fn run(&mut self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, ConnectionError> {
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(READ_SCRIPT)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| ConnectionError::Local(e.to_string()))?;
        if let Some(mut pipe) = child.stdin.take() {
            let input = framed(script, stdin);
            // A writer thread, so a command that prints before reading cannot deadlock us.
            std::thread::spawn(move || pipe.write_all(&input));
        }
        let output = child
            .wait_with_output()
            .map_err(|e| ConnectionError::Local(e.to_string()))?;
        Ok(ExecOutput {
            rc: exit_code(output.status),
            stdout: output.stdout,
            stderr: output.stderr,
        })
    }
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
}
