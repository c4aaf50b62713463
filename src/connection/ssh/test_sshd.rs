//! A private OpenSSH server for tests: `/usr/sbin/sshd` on 127.0.0.1 with a
//! fresh host key, a fresh user key, and a known_hosts file, all in a
//! tempdir. Needs root (to log in as root) and openssh-server.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::connection::{ConnectionKind, ConnectionSpec};

pub(super) struct TestSshd {
    pub dir: tempfile::TempDir,
    pub port: u16,
    child: Child,
}

impl TestSshd {
    /// Start a server; panics with the reason if that is impossible here.
    pub(super) fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        keygen(&dir.path().join("host_key"));
        keygen(&dir.path().join("id_ed25519"));
        std::fs::copy(
            dir.path().join("id_ed25519.pub"),
            dir.path().join("authorized_keys"),
        )
        .expect("authorized_keys");
        std::fs::create_dir_all("/run/sshd").expect("/run/sshd");
        let port = free_port();
        let config = dir.path().join("sshd_config");
        std::fs::write(&config, sshd_config(dir.path(), port)).expect("sshd_config");
        let log = std::fs::File::create(dir.path().join("sshd.log")).expect("log");
        let child = Command::new("/usr/sbin/sshd")
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("/usr/sbin/sshd must be installed and the tests run as root");
        let server = Self { dir, port, child };
        server.wait_until_listening();
        server
    }

    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(super) fn known_hosts(&self) -> PathBuf {
        self.path("known_hosts")
    }

    /// What the server has logged so far.
    pub(super) fn log(&self) -> String {
        std::fs::read_to_string(self.path("sshd.log")).unwrap_or_default()
    }

    /// The known_hosts line for this server's key, as `ssh-keyscan` would give.
    pub(super) fn known_hosts_line(&self) -> String {
        let public = std::fs::read_to_string(self.path("host_key.pub")).expect("host key");
        let mut fields = public.split_whitespace();
        let (kind, key) = (fields.next().expect("type"), fields.next().expect("key"));
        format!("[127.0.0.1]:{} {kind} {key}\n", self.port)
    }

    /// Write this server's key into the known_hosts file.
    pub(super) fn trust(&self) -> &Self {
        append(&self.known_hosts(), &self.known_hosts_line());
        self
    }

    /// `SHA256:...` of the host key, from `ssh-keygen -lf`.
    pub(super) fn host_fingerprint(&self) -> String {
        let output = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(self.path("host_key.pub"))
            .output()
            .expect("ssh-keygen -l");
        String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .nth(1)
            .expect("fingerprint")
            .to_string()
    }

    /// A spec for root@this server that ignores the machine's own ssh config
    /// and known_hosts.
    pub(super) fn spec(&self) -> ConnectionSpec {
        let mut spec = ConnectionSpec::local("testhost");
        spec.kind = ConnectionKind::Ssh;
        spec.address = "127.0.0.1".into();
        spec.port = Some(self.port);
        spec.user = Some("root".into());
        spec.private_key_file = Some(self.path("id_ed25519"));
        spec.connect_timeout = Duration::from_secs(5);
        spec.ssh_args = vec![
            "-F".into(),
            "/dev/null".into(),
            "-o".into(),
            format!("UserKnownHostsFile={}", self.known_hosts().display()),
            "-o".into(),
            "GlobalKnownHostsFile=/dev/null".into(),
        ];
        spec
    }

    fn wait_until_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("sshd did not start: {}", self.log());
    }
}

impl Drop for TestSshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sshd_config(dir: &Path, port: u16) -> String {
    let dir = dir.display();
    format!(
        "ListenAddress 127.0.0.1:{port}\n\
         HostKey {dir}/host_key\n\
         AuthorizedKeysFile {dir}/authorized_keys\n\
         PidFile none\n\
         UsePAM no\n\
         StrictModes no\n\
         PermitRootLogin prohibit-password\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         MaxSessions 50\n\
         MaxStartups 100\n\
         AllowTcpForwarding yes\n\
         SetEnv SHLVL=1\n\
         LogLevel DEBUG1\n"
    )
}

/// Generate an ed25519 key pair without a passphrase at `path`.
pub(super) fn keygen(path: &Path) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "runbook-test", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen must be installed");
    assert!(status.success(), "ssh-keygen failed for {}", path.display());
}

pub(super) fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open for append");
    file.write_all(text.as_bytes()).expect("append");
}

/// A port nothing listens on right now.
pub(super) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}
