//! How commands reach a host. Every module speaks to a host only through
//! [`Connection`]: run a POSIX `sh` script, optionally feeding it stdin, and
//! get stdout, stderr and the exit status back separately.

mod error;
pub mod escalation;
pub mod inline_data;
mod kept_output;
mod limits;
mod local;
mod script_on_stdin;
mod spec;
pub mod ssh;
mod trace;
mod traffic;
pub mod transfer;

pub use error::ConnectionError;
pub use escalation::{Escalating, Escalation, Method as BecomeMethod, Secret};
pub use limits::{CommandLimits, Dropped};
pub use local::LocalConnection;
pub use spec::{ConnectionDefaults, ConnectionKind, ConnectionSpec};
pub use trace::{CommandSent, Note, SessionOpened, Trace, Traced};
pub use traffic::Traffic;

/// What a command printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecOutput {
    pub rc: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl ExecOutput {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// An open line to one host, reused by every task of the run.
pub trait Connection: Send {
    /// Run `script` with POSIX `sh` on the host. stdin is `/dev/null` unless
    /// `stdin` is given. A non-zero exit status is an `Ok` result; `Err` means
    /// the host could not be reached or the transport broke.
    fn run(&mut self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, ConnectionError>;

    /// [`Connection::run`] with stdin made of `prefix` then everything
    /// `stream` yields, for input too large to hold in memory (a file being
    /// uploaded). Connections that can send it piece by piece do; this
    /// default reads it whole first. A stream that fails to read fails the
    /// command before it starts.
    fn run_streaming(
        &mut self,
        script: &str,
        prefix: &[u8],
        stream: &mut dyn std::io::Read,
    ) -> Result<ExecOutput, ConnectionError> {
        let mut input = prefix.to_vec();
        stream
            .read_to_end(&mut input)
            .map_err(|e| ConnectionError::Local(format!("reading the input: {e}")))?;
        self.run(script, Some(&input))
    }

    /// Write `content` to `path` on the host with the given mode: into a
    /// temporary file beside it, checked against `content`'s length and
    /// checksum on the host, then renamed, so a reader never sees half a file
    /// and a broken transfer leaves the old file and no temporary one.
    fn put_file(&mut self, path: &str, content: &[u8], mode: u32) -> Result<(), ConnectionError> {
        let quoted = shell_quote(path);
        // Created with its final mode when a umask can give it (no chmod);
        // else private until the chmod.
        let (umask, chmod) = match transfer::creation_umask(mode) {
            Some(umask) => (umask, String::new()),
            None => (0o077, format!("chmod {mode:o} \"$tmp\" && ")),
        };
        let script = format!(
            "umask {umask:03o}\n{create}\n{remove}\ncat > \"$tmp\" && {verify} && {chmod}mv -f \"$tmp\" {quoted} && {keep}",
            create = transfer::create_beside("tmp", path),
            remove = transfer::remove_on_exit("tmp"),
            verify = transfer::verify_received("tmp", content),
            keep = transfer::keep_on_exit(),
        );
        let output = self.run(&script, Some(content))?;
        if output.rc == 0 {
            Ok(())
        } else {
            Err(ConnectionError::Transfer {
                path: path.to_string(),
                reason: output.stderr_text().trim().to_string(),
            })
        }
    }

    /// Read a whole file from the host.
    fn get_file(&mut self, path: &str) -> Result<Vec<u8>, ConnectionError> {
        let output = self.run(&format!("cat -- {}", shell_quote(path)), None)?;
        if output.rc == 0 {
            Ok(output.stdout)
        } else {
            Err(ConnectionError::Transfer {
                path: path.to_string(),
                reason: output.stderr_text().trim().to_string(),
            })
        }
    }

    /// Close the line; later calls may reconnect.
    fn close(&mut self) {}

    /// Round trips and sessions so far, closed sessions included (zero for
    /// connections without a network in between).
    fn traffic(&self) -> Traffic {
        Traffic::default()
    }
}

/// Quote `text` for POSIX `sh` so it is passed as one literal word.
pub fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:@%+,".contains(&b))
    {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Open a connection of the kind `spec` asks for, its commands bound by
/// `limits`, telling `trace` of the SSH sessions it opens.
pub fn open(
    spec: &ConnectionSpec,
    limits: &CommandLimits,
    trace: &Trace,
) -> Result<Box<dyn Connection>, ConnectionError> {
    match spec.kind {
        ConnectionKind::Local => {
            if trace.is_on() {
                trace.note(Note::Opened(SessionOpened::local(
                    &spec.name,
                    controller_user(),
                )));
            }
            Ok(Box::new(LocalConnection::with_limits(limits.clone())))
        }
        ConnectionKind::Ssh => Ok(Box::new(ssh::SshConnection::connect_traced(
            spec,
            limits.clone(),
            trace.clone(),
        )?)),
    }
}

/// Who runs runbook, as Python's `getpass.getuser()` names them for
/// Ansible's local connection.
fn controller_user() -> String {
    ["LOGNAME", "USER", "LNAME", "USERNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|name| !name.is_empty()))
        .or_else(passwd_name)
        .unwrap_or_else(|| {
            // SAFETY: getuid(2) cannot fail.
            format!("uid={}", unsafe { libc::getuid() })
        })
}

/// The passwd entry's name of the process's user.
fn passwd_name() -> Option<String> {
    let mut buffer = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: a zeroed passwd is a valid out-parameter; getpwuid_r writes
    // only into it and `buffer`, whose length it is given, and the name is
    // copied out while both live.
    unsafe {
        let mut entry: libc::passwd = std::mem::zeroed();
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            libc::getuid(),
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut found,
        );
        if rc != 0 || found.is_null() || entry.pw_name.is_null() {
            return None;
        }
        Some(
            std::ffi::CStr::from_ptr(entry.pw_name)
                .to_string_lossy()
                .into_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(shell_quote("/opt/app"), "/opt/app");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
