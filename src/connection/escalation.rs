//! `become`: run a module's commands as another user through `sudo` or `su`.
//!
//! [`Escalating`] wraps the one [`Connection`] of a host, so every module gets
//! privilege escalation without knowing about it. The password never goes in
//! a command line, the environment or the output: it is the first line on
//! sudo's stdin (sudo `-S` reads exactly one line, byte by byte), and the
//! module's own stdin follows it untouched.
//!
//! The script itself is never an argument either: sudo, su and `timeout` run
//! a fixed bootstrap that reads it from stdin after the password line
//! (`script_on_stdin`), so no command line, `SUDO_COMMAND` or sudo log holds
//! any of the task.
//!
//! sudo reads another line after a wrong password, which would eat a module's
//! data. So before the first use of a password, a probe with nothing after
//! the password line checks it and learns whether the sudoers rule asks for
//! one at all (`NOPASSWD` rules read nothing: the line would reach the script).

use std::collections::HashMap;
use std::io::Read;

use super::script_on_stdin::{READ_SCRIPT, framed};
use super::{Connection, ConnectionError, ExecOutput, shell_quote};

/// How to become another user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Sudo,
    Su,
}

impl Method {
    pub const NAMES: &[&str] = &["sudo", "su"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "sudo" => Some(Self::Sudo),
            "su" => Some(Self::Su),
            _ => None,
        }
    }

    fn default_exe(self) -> &'static str {
        match self {
            Self::Sudo => "sudo",
            Self::Su => "su",
        }
    }

    /// Ansible's defaults for `become_flags`.
    fn default_flags(self) -> &'static str {
        match self {
            Self::Sudo => "-H -S -n",
            Self::Su => "",
        }
    }
}

/// A password that never shows itself in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The password itself, for the one place that hands it on (SSH authentication).
    pub(crate) fn reveal(&self) -> &str {
        &self.0
    }

    fn line(&self) -> Vec<u8> {
        let mut line = self.0.clone().into_bytes();
        line.push(b'\n');
        line
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<hidden>)")
    }
}

/// Who to become and how, resolved for one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub method: Method,
    pub user: String,
    /// `become_flags`, as shell words; `None` is the method's default.
    pub flags: Option<String>,
    /// `become_exe`; `None` is `sudo` or `su`.
    pub exe: Option<String>,
    pub password: Option<Secret>,
}

impl Escalation {
    fn exe(&self) -> &str {
        self.exe.as_deref().unwrap_or(self.method.default_exe())
    }

    fn flags(&self) -> &str {
        self.flags.as_deref().unwrap_or(self.method.default_flags())
    }

    /// `sudo root`: who the commands run as, and how (for `-vvv`).
    pub fn describe(&self) -> String {
        format!("{} {}", self.exe(), self.user)
    }

    /// What decides whether sudo asks for a password: everything but the script.
    fn probe_key(&self) -> String {
        format!("{}\0{}\0{}", self.exe(), self.flags(), self.user)
    }
}

/// The sudo command line around `script`. With `prompt`, sudo is told to ask
/// (on stderr, with that prompt) and to read the password from stdin.
pub fn sudo_command(how: &Escalation, script: &str, prompt: Option<&str>) -> String {
    let mut flags: Vec<&str> = how.flags().split_whitespace().collect();
    match prompt {
        Some(_) => {
            // -n would refuse to ask; -k makes sudo ask even with cached
            // credentials, so the password line is always read, never left
            // on the script's stdin.
            flags.retain(|f| *f != "-n" && *f != "--non-interactive");
            for needed in ["-k", "-S"] {
                if !flags.contains(&needed) {
                    flags.push(needed);
                }
            }
        }
        None if !flags.contains(&"-n") && !flags.contains(&"--non-interactive") => {
            // Without a password sudo must never wait for one.
            flags.push("-n");
        }
        None => {}
    }
    let prompt = prompt.map_or_else(String::new, |p| format!("-p {} ", shell_quote(p)));
    format!(
        "{} {} {prompt}-u {} -- /bin/sh -c {}",
        how.exe(),
        flags.join(" "),
        shell_quote(&how.user),
        shell_quote(script)
    )
}

/// The su command line around `script`. su asks for passwords on a terminal,
/// which runbook never has, so it is only used by root, who is not asked.
pub fn su_command(how: &Escalation, script: &str) -> String {
    let flags = how.flags();
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!("{flags} ")
    };
    format!(
        "if [ \"$(id -u)\" != 0 ]; then echo {} >&2; exit 1; fi; {} {flags}-s /bin/sh {} -c {}",
        shell_quote(SU_NEEDS_ROOT),
        how.exe(),
        shell_quote(&how.user),
        shell_quote(script)
    )
}

const SU_NEEDS_ROOT: &str = "runbook: become_method su works only when connected as root (su asks other users for a password on a terminal); use sudo";
const SUDO_NEEDS_PASSWORD: &str = "a password is required";
const SUDO_WRONG_PASSWORD: &str = "Sorry, try again.";
const PROBE_OK: &str = "RUNBOOK-BECOME-OK";

/// Whether sudo asks for a password under a given rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asks {
    Yes,
    No,
}

/// A connection whose commands run as another user while an escalation is set.
pub struct Escalating {
    inner: Box<dyn Connection>,
    active: Option<Escalation>,
    /// sudo's prompt: random, so it cannot be mistaken for a command's output.
    prompt: String,
    asks: HashMap<String, Asks>,
    /// A task's `timeout:`: each command is killed after this many seconds.
    time_limit: Option<u64>,
}

impl Escalating {
    /// Kill each following command after `seconds` (`None`: no limit).
    pub fn limit_time(&mut self, seconds: Option<u64>) {
        self.time_limit = seconds;
    }

    pub fn new(inner: Box<dyn Connection>) -> Self {
        Self {
            inner,
            active: None,
            prompt: format!("[runbook become {}] password:", random_key()),
            asks: HashMap::new(),
            time_limit: None,
        }
    }

    /// Run later commands as `escalation` says (`None`: as the login user).
    pub fn escalate(&mut self, escalation: Option<Escalation>) {
        self.active = escalation;
    }

    /// Run through the program in between (sudo, su, timeout): it gets the
    /// bootstrap; the framed script and the module's input follow on stdin.
    fn run_in_between(&mut self, input: Input) -> Result<ExecOutput, ConnectionError> {
        let command = match self.time_limit {
            // coreutils' timeout kills the whole command, under become too.
            Some(seconds) => format!(
                "timeout -s KILL {seconds} /bin/sh -c {}",
                shell_quote(READ_SCRIPT)
            ),
            None => READ_SCRIPT.to_string(),
        };
        let Some(how) = self.active.clone() else {
            return input.send(self.inner.as_mut(), &command);
        };
        match how.method {
            Method::Sudo => self.run_sudo(&how, &command, input),
            Method::Su => {
                let output = input.send(self.inner.as_mut(), &su_command(&how, &command))?;
                if output.rc != 0 && output.stderr_text().contains(SU_NEEDS_ROOT) {
                    return Err(ConnectionError::Become(SU_NEEDS_ROOT.into()));
                }
                Ok(output)
            }
        }
    }

    fn run_sudo(
        &mut self,
        how: &Escalation,
        script: &str,
        input: Input,
    ) -> Result<ExecOutput, ConnectionError> {
        let Some(password) = &how.password else {
            let output = input.send(self.inner.as_mut(), &sudo_command(how, script, None))?;
            return check_sudo(output, &self.prompt);
        };
        let key = how.probe_key();
        let asks = match self.asks.get(&key) {
            Some(asks) => *asks,
            None => {
                let asks = self.probe(how, password)?;
                self.asks.insert(key, asks);
                asks
            }
        };
        if asks == Asks::No {
            let output = input.send(self.inner.as_mut(), &sudo_command(how, script, None))?;
            return check_sudo(output, &self.prompt);
        }
        let command = sudo_command(how, script, Some(&self.prompt));
        let output = input
            .after(password.line())
            .send(self.inner.as_mut(), &command)?;
        check_sudo(output, &self.prompt)
    }

    /// Try the password with nothing after it, so a wrong one costs no data.
    fn probe(&mut self, how: &Escalation, password: &Secret) -> Result<Asks, ConnectionError> {
        let command = sudo_command(how, &format!("echo {PROBE_OK}"), Some(&self.prompt));
        let output = self.inner.run(&command, Some(&password.line()))?;
        let asked = output.stderr_text().contains(&self.prompt);
        if output.rc == 0 && output.stdout_text().contains(PROBE_OK) {
            return Ok(if asked { Asks::Yes } else { Asks::No });
        }
        check_sudo(output, &self.prompt)?;
        Err(ConnectionError::Become(
            "sudo refused to run a command".into(),
        ))
    }
}

/// What follows the bootstrap on stdin: in memory, or a prefix in memory
/// and a stream sent piece by piece.
enum Input<'a> {
    Bytes(Vec<u8>),
    Stream(Vec<u8>, &'a mut dyn Read),
}

impl Input<'_> {
    /// `line` (sudo's password) before everything else.
    fn after(self, mut line: Vec<u8>) -> Self {
        match self {
            Input::Bytes(bytes) => {
                line.extend_from_slice(&bytes);
                Input::Bytes(line)
            }
            Input::Stream(prefix, stream) => {
                line.extend_from_slice(&prefix);
                Input::Stream(line, stream)
            }
        }
    }

    fn send(
        self,
        inner: &mut dyn Connection,
        command: &str,
    ) -> Result<ExecOutput, ConnectionError> {
        match self {
            Input::Bytes(bytes) => inner.run(command, Some(&bytes)),
            Input::Stream(prefix, stream) => inner.run_streaming(command, &prefix, stream),
        }
    }
}

fn random_key() -> String {
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// sudo's own failures become task failures with Ansible's messages; its
/// prompts are taken out of stderr.
fn check_sudo(mut output: ExecOutput, prompt: &str) -> Result<ExecOutput, ConnectionError> {
    let stderr = output.stderr_text();
    // Only sudo's own prompt before it: a command may print the same words.
    if stderr.contains(&format!("{prompt}{SUDO_WRONG_PASSWORD}")) {
        return Err(ConnectionError::Become("Incorrect sudo password".into()));
    }
    if output.rc != 0 && stderr.contains(&format!("sudo: {SUDO_NEEDS_PASSWORD}")) {
        return Err(ConnectionError::Become("Missing sudo password".into()));
    }
    if output.rc != 0 && stderr.starts_with("sudo: ") && !stderr.contains(prompt) {
        let first = stderr.lines().next().unwrap_or_default();
        if first.contains("not in the sudoers") || first.contains("not allowed to") {
            return Err(ConnectionError::Become(first.to_string()));
        }
    }
    if stderr.contains(prompt) {
        output.stderr = stderr.replace(prompt, "").into_bytes();
    }
    Ok(output)
}

impl Connection for Escalating {
    fn run(&mut self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, ConnectionError> {
        if self.active.is_none() && self.time_limit.is_none() {
            return self.inner.run(script, stdin);
        }
        self.run_in_between(Input::Bytes(framed(script, stdin)))
    }

    fn run_streaming(
        &mut self,
        script: &str,
        prefix: &[u8],
        stream: &mut dyn Read,
    ) -> Result<ExecOutput, ConnectionError> {
        if self.active.is_none() && self.time_limit.is_none() {
            return self.inner.run_streaming(script, prefix, stream);
        }
        self.run_in_between(Input::Stream(framed(script, Some(prefix)), stream))
    }

    fn close(&mut self) {
        self.inner.close();
    }

    fn traffic(&self) -> super::Traffic {
        self.inner.traffic()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sudo(user: &str, flags: Option<&str>, password: Option<&str>) -> Escalation {
        Escalation {
            method: Method::Sudo,
            user: user.into(),
            flags: flags.map(str::to_string),
            exe: None,
            password: password.map(Secret::new),
        }
    }

    #[test]
    fn sudo_without_a_password_never_waits_for_one() {
        let command = sudo_command(&sudo("app", None, None), "id -un", None);
        assert_eq!(command, "sudo -H -S -n -u app -- /bin/sh -c 'id -un'");
        let custom = sudo_command(&sudo("app", Some("-E"), None), "true", None);
        assert_eq!(custom, "sudo -E -n -u app -- /bin/sh -c true");
    }

    #[test]
    fn sudo_with_a_password_asks_on_stdin_and_ignores_cached_credentials() {
        let command = sudo_command(&sudo("root", None, Some("pw")), "echo 'x'", Some("[p] pw:"));
        assert_eq!(
            command,
            "sudo -H -S -k -p '[p] pw:' -u root -- /bin/sh -c 'echo '\\''x'\\'''"
        );
        assert!(!command.contains("pw\n"));
    }

    #[test]
    fn the_password_is_hidden_from_debug_output() {
        let shown = format!("{:?}", sudo("root", None, Some("hunter2")));
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn su_runs_sh_as_the_user_and_refuses_non_root() {
        let how = Escalation {
            method: Method::Su,
            user: "www-data".into(),
            flags: None,
            exe: None,
            password: None,
        };
        let command = su_command(&how, "id -un");
        assert!(
            command.ends_with("su -s /bin/sh www-data -c 'id -un'"),
            "{command}"
        );
        assert!(command.contains("id -u"), "{command}");
    }

    /// Answers like sudo would: asks (prints the prompt) when `asks`, and
    /// records every command with its stdin.
    type Calls = std::sync::Arc<std::sync::Mutex<Vec<(String, Vec<u8>)>>>;

    struct FakeSudo {
        asks: bool,
        calls: Calls,
    }

    impl Connection for FakeSudo {
        fn run(
            &mut self,
            script: &str,
            stdin: Option<&[u8]>,
        ) -> Result<ExecOutput, ConnectionError> {
            self.calls
                .lock()
                .expect("calls")
                .push((script.to_string(), stdin.unwrap_or_default().to_vec()));
            let prompt = script
                .split("-p '")
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .filter(|_| self.asks)
                .unwrap_or_default();
            let stdout = if script.contains(PROBE_OK) {
                PROBE_OK
            } else {
                "done"
            };
            Ok(ExecOutput {
                rc: 0,
                stdout: stdout.as_bytes().to_vec(),
                stderr: prompt.as_bytes().to_vec(),
            })
        }
    }

    fn calls_with(asks: bool) -> Vec<(String, Vec<u8>)> {
        let calls = Calls::default();
        let mut escalating = Escalating::new(Box::new(FakeSudo {
            asks,
            calls: calls.clone(),
        }));
        escalating.escalate(Some(sudo("root", None, Some("pw"))));
        for _ in 0..2 {
            let output = escalating.run("cat > /f", Some(b"data")).expect("runs");
            assert!(
                !output.stderr_text().contains("password:"),
                "prompt removed"
            );
        }
        calls.lock().expect("calls").clone()
    }

    #[test]
    fn the_password_line_comes_first_and_only_when_sudo_asks() {
        let calls = calls_with(true);
        assert_eq!(calls.len(), 3, "one probe, then the two commands");
        assert_eq!(calls[0].1, b"pw\n", "the probe gets the password alone");
        assert_eq!(
            calls[1].1, b"pw\n8\ncat > /fdata",
            "password, script, stdin"
        );
        assert_eq!(
            calls[2].1, b"pw\n8\ncat > /fdata",
            "the probe's answer is kept"
        );
        let calls = calls_with(false);
        assert_eq!(calls.len(), 3);
        assert_eq!(
            calls[1].1, b"8\ncat > /fdata",
            "a NOPASSWD rule gets no password line"
        );
        assert!(calls[1].0.contains(" -n "), "{}", calls[1].0);
        for (command, _) in &calls[1..] {
            assert!(
                !command.contains("cat > /f"),
                "the script is not in argv: {command}"
            );
        }
    }

    #[test]
    fn a_streamed_input_reaches_sudo_as_the_same_bytes_behind_the_password() {
        let calls = Calls::default();
        let mut escalating = Escalating::new(Box::new(FakeSudo {
            asks: true,
            calls: calls.clone(),
        }));
        escalating.escalate(Some(sudo("root", None, Some("pw"))));
        escalating.limit_time(Some(5));
        let mut stream: &[u8] = b"ta";
        escalating
            .run_streaming("cat > /f", b"da", &mut stream)
            .expect("runs");
        escalating.run("cat > /f", Some(b"data")).expect("runs");
        let calls = calls.lock().expect("calls").clone();
        assert_eq!(calls.len(), 3, "one probe, then the two commands");
        assert_eq!(
            calls[1], calls[2],
            "streamed or not, the same command and stdin"
        );
        assert_eq!(calls[1].1, b"pw\n8\ncat > /fdata");
        assert!(calls[1].0.contains("timeout -s KILL 5"), "{}", calls[1].0);
    }

    #[test]
    fn sudo_failures_get_ansibles_messages() {
        let failed = |stderr: &str| ExecOutput {
            rc: 1,
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
        };
        let message = |output| match check_sudo(output, "[p]") {
            Err(ConnectionError::Become(message)) => message,
            other => panic!("expected a become error, got {other:?}"),
        };
        assert_eq!(
            message(failed(
                "[p]Sorry, try again.\n[p]sudo: no password was provided\n"
            )),
            "Incorrect sudo password"
        );
        assert_eq!(
            message(failed("sudo: a password is required\n")),
            "Missing sudo password"
        );
        let passed = check_sudo(
            ExecOutput {
                rc: 0,
                stdout: b"ok".to_vec(),
                stderr: b"[p]warning\n".to_vec(),
            },
            "[p]",
        )
        .expect("a command that ran");
        assert_eq!(passed.stderr_text(), "warning\n");
    }
}
