//! A script handed to another program (sudo, su, timeout) travels on stdin,
//! never in argv: a command line is world-readable (`/proc/PID/cmdline`),
//! sudo copies it into `SUDO_COMMAND` for every child and into its log.
//!
//! The program gets [`READ_SCRIPT`], a fixed bootstrap: it reads a length
//! line, then exactly that many bytes (`dd bs=1` never reads past them, so
//! the module's own stdin that follows is left for the script), and `eval`s
//! them in the same shell — no new process, so no new command line.

/// The bootstrap `sh -c` runs; it holds nothing of the task.
pub(super) const READ_SCRIPT: &str = "IFS= read -r __runbook_len || exit 125; \
     __runbook_script=$(dd bs=1 count=\"$__runbook_len\" 2>/dev/null) || exit 125; \
     eval \"$__runbook_script\"";

/// What [`READ_SCRIPT`] reads: the script's length, the script, then `stdin`.
pub(super) fn framed(script: &str, stdin: Option<&[u8]>) -> Vec<u8> {
    let stdin = stdin.unwrap_or_default();
    let mut input = Vec::with_capacity(script.len() + stdin.len() + 12);
    input.extend_from_slice(format!("{}\n", script.len()).as_bytes());
    input.extend_from_slice(script.as_bytes());
    input.extend_from_slice(stdin);
    input
}

#[cfg(test)]
mod tests {
    use super::{READ_SCRIPT, framed};
    use std::io::Write;
    use std::process::{Command, Stdio};

    fn run(script: &str, stdin: &[u8]) -> (i32, String) {
        let mut child = Command::new("/bin/sh")
            .args(["-c", READ_SCRIPT])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("sh runs");
        let input = framed(script, Some(stdin));
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(&input)
            .expect("write");
        let output = child.wait_with_output().expect("waits");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    }

    #[test]
    fn the_script_runs_and_its_stdin_follows_untouched() {
        let script = "printf 'arg=%s\\n' \"$0\" >/dev/null\nread -r first\nprintf '[%s]' \"$first\"\ncat\nexit 3\n";
        let (code, out) = run(script, b"line one\nrest of it\n");
        assert_eq!((code, out.as_str()), (3, "[line one]rest of it\n"));
    }

    #[test]
    fn quotes_heredocs_and_unicode_survive() {
        let script = "cat <<'EOF'\n$(not run) 'q' \"d\" ünï\nEOF\nprintf '%s' \"$(printf x)\"";
        let (code, out) = run(script, b"");
        assert_eq!((code, out.as_str()), (0, "$(not run) 'q' \"d\" ünï\nx"));
    }
}
