//! A real MariaDB server for one test: `mariadb-install-db` into a fresh
//! directory under /tmp, `mariadbd` as root on a free loopback port and a
//! unix socket in that directory (lab hosts share the controller's network
//! and /tmp, so they reach both), stopped and removed on drop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct MariaDb {
    dir: tempfile::TempDir,
    pub port: u16,
    server: Child,
}

const SERVER: &str = "/usr/sbin/mariadbd";

impl MariaDb {
    /// Start a server with an empty datadir; root has no password.
    pub(crate) fn start() -> Self {
        Self::start_with(&["--skip-log-bin"])
    }

    /// [`MariaDb::start`] with `options` (`--log-bin`, `--server-id=2`…).
    pub(crate) fn start_with(options: &[&str]) -> Self {
        assert!(
            Path::new(SERVER).is_file(),
            "the mysql_* tests need MariaDB: run scripts/setup (it installs mariadb-server)"
        );
        let dir = tempfile::Builder::new()
            .prefix("runbook-mariadb.")
            .tempdir_in("/tmp")
            .expect("temp dir");
        let data = dir.path().join("data");
        // Its own tmpdir: servers of concurrent tests (and labs, which
        // share /tmp) never meet in the machine's /tmp.
        let tmp = dir.path().join("tmp");
        std::fs::create_dir_all(&tmp).expect("tmpdir");
        let install = Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--tmpdir={}", tmp.display()))
            .args([
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ])
            .output()
            .expect("mariadb-install-db runs");
        assert!(
            install.status.success(),
            "mariadb-install-db failed: {}",
            String::from_utf8_lossy(&install.stderr)
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let server = Command::new(SERVER)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!(
                "--socket={}",
                dir.path().join("mysqld.sock").display()
            ))
            .arg(format!(
                "--pid-file={}",
                dir.path().join("mysqld.pid").display()
            ))
            .arg(format!(
                "--log-error={}",
                dir.path().join("error.log").display()
            ))
            .arg(format!("--port={port}"))
            .arg(format!("--tmpdir={}", tmp.display()))
            .args([
                "--user=root",
                "--bind-address=127.0.0.1",
                "--innodb-buffer-pool-size=16M",
            ])
            .args(options)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mariadbd starts");
        let db = Self { dir, port, server };
        let deadline = Instant::now() + Duration::from_secs(60);
        while db.try_sql("SELECT 1").is_err() {
            assert!(
                Instant::now() < deadline,
                "mariadbd did not come up: {}",
                std::fs::read_to_string(db.dir.path().join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        db
    }

    /// The server's unix socket.
    pub(crate) fn socket(&self) -> PathBuf {
        self.dir.path().join("mysqld.sock")
    }

    /// Run `sql` as root over the socket: the rows, tab-separated, one a line.
    #[track_caller]
    pub(crate) fn sql(&self, sql: &str) -> String {
        self.try_sql(sql)
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    pub(crate) fn try_sql(&self, sql: &str) -> Result<String, String> {
        let output = Command::new("mariadb")
            .arg("--no-defaults")
            .arg(format!("--socket={}", self.socket().display()))
            .args([
                "--user=root",
                "--default-character-set=utf8mb4",
                "--batch",
                "--skip-column-names",
                "-e",
                sql,
            ])
            .output()
            .map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        // SIGTERM: a clean InnoDB shutdown, then the directory goes.
        // SAFETY: kill(2) on the child this value started.
        unsafe {
            libc::kill(self.server.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if matches!(self.server.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
