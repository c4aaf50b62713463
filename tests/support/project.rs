use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A temporary directory holding playbooks and inventories for one test.
pub(crate) struct Project {
    dir: tempfile::TempDir,
}

/// What a run of the binary printed and how it exited.
#[derive(Debug)]
pub(crate) struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Everything printed, for messages on failure.
    pub(crate) fn all(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    #[track_caller]
    pub(crate) fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit code\n{}", self.all());
        self
    }

    /// JSON events from `--output json`.
    pub(crate) fn events(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}\n{}", self.all()))
            })
            .collect()
    }
}

/// Two hosts that run commands on this machine: `alpha` and `beta`, in group `web`.
const LOCAL_INVENTORY: &str = "[web]\nalpha ansible_connection=local\nbeta ansible_connection=local\n\n[web:vars]\nrole=frontend\n";

impl Project {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A project with `inventories/local` (`alpha`, `beta` in `web`).
    pub(crate) fn local() -> Self {
        let project = Self::new();
        project.file("inventories/local", LOCAL_INVENTORY);
        project
    }

    /// [`Project::local`] with `playbook` as `site.yml`.
    pub(crate) fn local_with(playbook: &str) -> Self {
        let project = Self::local();
        project.file("site.yml", playbook);
        project
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn join(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Write a file (creating its directories); returns `self` for chaining.
    pub(crate) fn file(&self, relative: &str, content: &str) -> &Self {
        let path = self.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(&path, content).expect("write file");
        self
    }

    pub(crate) fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.join(relative))
            .unwrap_or_else(|e| panic!("read {relative}: {e}"))
    }

    /// Run `runbook ARGS` in the project directory.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.run_with_env(args, &[])
    }

    /// Run `runbook ARGS` and measure the peak resident memory of that
    /// process (in KiB): its `VmHWM`, sampled every few milliseconds until
    /// it exits (a high-water mark, so a later sample still sees an earlier
    /// peak). Not `wait4`'s `ru_maxrss`: the child is spawned with
    /// `CLONE_VM`, and at its `exec` the kernel records the high-water mark
    /// of the memory it shared — this test process's, which grows with
    /// every test run in it (a test holding a 128 MiB file made runbook
    /// "peak" at 141 MB whatever it did).
    pub(crate) fn run_measuring_rss(&self, args: &[&str]) -> (Output, u64) {
        use std::io::Read;
        let mut child = self
            .command(args, &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run runbook");
        let mut stdout_pipe = child.stdout.take().expect("stdout");
        let mut stderr_pipe = child.stderr.take().expect("stderr");
        let stdout = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stdout_pipe.read_to_end(&mut text);
            text
        });
        let stderr = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stderr_pipe.read_to_end(&mut text);
            text
        });
        let status_file = format!("/proc/{}/status", child.id());
        let mut peak_kib = 0;
        let status = loop {
            if let Some(hwm) = std::fs::read_to_string(&status_file)
                .ok()
                .and_then(|status| vm_hwm_kib(&status))
            {
                peak_kib = peak_kib.max(hwm);
            }
            if let Some(status) = child.try_wait().expect("try_wait") {
                break status;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        let output = Output {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout.join().expect("stdout reader")).into_owned(),
            stderr: String::from_utf8_lossy(&stderr.join().expect("stderr reader")).into_owned(),
        };
        assert!(peak_kib > 0, "runbook's memory was never seen");
        (output, peak_kib)
    }

    /// Start `runbook ARGS` without waiting for it.
    pub(crate) fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(args, &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run runbook")
    }

    /// Wait for a spawned run, killing it (and failing) after `limit`.
    #[track_caller]
    pub(crate) fn finish(mut child: std::process::Child, limit: std::time::Duration) -> Output {
        let started = std::time::Instant::now();
        while child.try_wait().expect("try_wait").is_none() {
            if started.elapsed() > limit {
                let _ = child.kill();
                let output = child.wait_with_output().expect("output");
                panic!(
                    "runbook still running after {limit:?}\n--- stdout\n{}\n--- stderr\n{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let output = child.wait_with_output().expect("output");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_runbook"));
        command
            .args(args)
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            // Run journals go to the project, never to the tester's home.
            .env("XDG_STATE_HOME", self.join(".state"))
            .env_remove("SSH_AUTH_SOCK")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        command
    }

    pub(crate) fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.run_with_input(args, env, None)
    }

    /// [`Project::run_with_env`] with `stdin` as the program's input.
    /// `runbook ARGS` with no controlling terminal (setsid) and stdin closed.
    pub(crate) fn run_without_terminal(&self, args: &[&str]) -> Output {
        self.run_without_terminal_with_input(args, b"")
    }

    /// `runbook ARGS` with no controlling terminal (setsid), `stdin` as its input.
    pub(crate) fn run_without_terminal_with_input(&self, args: &[&str], stdin: &[u8]) -> Output {
        use std::io::Write;
        use std::os::unix::process::CommandExt;
        let mut command = self.command(args, &[]);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: setsid is async-signal-safe; the child only execs after it.
        unsafe {
            command.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let mut child = command.spawn().expect("run runbook");
        if let Some(mut pipe) = child.stdin.take() {
            // A child that never reads its input is no failure here.
            let _ = pipe.write_all(stdin);
        }
        let output = child.wait_with_output().expect("run runbook");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `runbook ARGS` on a terminal (`script`), typing each of `lines` in
    /// turn; what the terminal showed, with `\r\n` as `\n`.
    pub(crate) fn run_on_terminal(&self, args: &[&str], lines: &[&str]) -> String {
        use std::io::Write;
        let mut words = vec![env!("CARGO_BIN_EXE_runbook")];
        words.extend_from_slice(args);
        let mut child = Command::new("script")
            .args(["-qec", &shell_words::join(words), "/dev/null"])
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env("XDG_STATE_HOME", self.join(".state"))
            .env_remove("SSH_AUTH_SOCK")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("script (util-linux)");
        let mut stdin = child.stdin.take().expect("stdin");
        for line in lines {
            std::thread::sleep(std::time::Duration::from_millis(400));
            stdin
                .write_all(format!("{line}\n").as_bytes())
                .expect("type");
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(stdin);
        let output = child.wait_with_output().expect("wait for script");
        String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n")
    }

    pub(crate) fn run_with_input(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        stdin: Option<&[u8]>,
    ) -> Output {
        use std::io::Write;
        let mut command = self.command(args, env);
        if stdin.is_some() {
            command.stdin(Stdio::piped());
        }
        let mut child = command.spawn().expect("run runbook");
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(input).expect("write stdin");
        }
        let output = child.wait_with_output().expect("run runbook");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// `VmHWM:   12345 kB` of a `/proc/PID/status`.
fn vm_hwm_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
