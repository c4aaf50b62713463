//! Starting, probing and stopping one lab host: an `unshare` holding the
//! host's namespaces, whose only child is the host's init (the setup
//! script), which runs the host's sshd and starts it again after a reboot.

use std::fs::{self, File};
use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::LabError;
use super::paths::LabPaths;
use super::process::{self, ProcessId};
use super::sshd_config::SshdConfig;
use super::state::HostState;

/// How long a host gets to stop politely before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// What identifies one host's processes in `/proc/<pid>/cmdline`.
pub(super) struct Markers {
    pub unshare: String,
    pub sshd: String,
}

pub(super) fn markers(paths: &LabPaths, host: &str) -> Markers {
    Markers {
        unshare: format!(
            "{} {host} {}",
            paths.setup_script().display(),
            paths.dir.display()
        ),
        sshd: format!("-f {}", paths.sshd_config(host).display()),
    }
}

pub(super) fn write_sshd_config(paths: &LabPaths, host: &HostState) -> Result<(), LabError> {
    let host_key = paths.host_key(&host.name);
    let pid_file = paths.sshd_pid_file(&host.name);
    let authorized_keys = paths.authorized_keys();
    let config = SshdConfig {
        address: &host.address,
        port: host.port,
        host_key: &host_key,
        pid_file: &pid_file,
        authorized_keys: &authorized_keys,
    };
    let path = paths.sshd_config(&host.name);
    fs::write(&path, config.render())
        .map_err(|error| LabError::io(format!("cannot write {}", path.display()), error))
}

/// Start the host's namespace and sshd in a session of its own, so it
/// outlives this process and its terminal. Returns without waiting for sshd.
pub(super) fn spawn(paths: &LabPaths, host: &str) -> Result<ProcessId, LabError> {
    let log_path = paths.setup_log(host);
    let log = File::create(&log_path)
        .map_err(|error| LabError::io(format!("cannot create {}", log_path.display()), error))?;
    let log_for_stderr = log
        .try_clone()
        .map_err(|error| LabError::io("cannot duplicate a log handle", error))?;
    let mut command = Command::new("unshare");
    command
        .args(["--mount", "--uts", "--pid", "--mount-proc"])
        .args(["--propagation", "private", "--fork", "--kill-child", "sh"])
        .arg(paths.setup_script())
        .arg(host)
        .arg(&paths.dir)
        .env_clear()
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("LANG", "C.UTF-8")
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_for_stderr);
    // SAFETY: setsid is async-signal-safe and touches no memory of ours.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command
        .spawn()
        .map_err(|error| LabError::io(format!("cannot start {host} with unshare"), error))?;
    ProcessId::of(child.id()).ok_or_else(|| {
        LabError::Failed(format!(
            "{host} exited at once: {}",
            log_tail(&log_path, 20)
        ))
    })
}

/// The host's init: the setup script, the only child of its `unshare`.
fn find_init(unshare: &ProcessId, marker: &str) -> Option<ProcessId> {
    process::children_of(unshare.pid)
        .into_iter()
        .filter(|pid| process::cmdline(*pid).is_some_and(|line| line.contains(marker)))
        .find_map(ProcessId::of)
}

/// The sshd the host's init runs now (a new one after every reboot).
pub(super) fn find_sshd(unshare: &ProcessId, markers: &Markers) -> Option<ProcessId> {
    let init = find_init(unshare, &markers.unshare)?;
    process::children_of(init.pid)
        .into_iter()
        .filter(|pid| process::cmdline(*pid).is_some_and(|line| line.contains(&markers.sshd)))
        .find_map(ProcessId::of)
}

/// The host's sshd: the one recorded if it still runs, else the one its
/// init started since (after a reboot).
pub(super) fn current_sshd(paths: &LabPaths, host: &HostState) -> Option<ProcessId> {
    let markers = markers(paths, &host.name);
    host.sshd
        .filter(|id| id.is_running(&markers.sshd))
        .or_else(|| find_sshd(&host.unshare?, &markers))
}

/// True once an SSH server greets on `address` (a bare TCP accept could
/// still be somebody else's listener).
pub(super) fn greets(address: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_millis(250)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut banner = [0u8; 8];
    stream.read_exact(&mut banner).is_ok() && banner.starts_with(b"SSH-2.0-")
}

/// Wait until every host in `hosts` greets, failing early if one's
/// namespace died; on failure the error carries that host's logs.
pub(super) fn wait_ready(
    paths: &LabPaths,
    hosts: &[HostState],
    timeout: Duration,
) -> Result<(), LabError> {
    let deadline = Instant::now() + timeout;
    let mut pending: Vec<&HostState> = hosts.iter().collect();
    while !pending.is_empty() {
        let mut still_pending = Vec::new();
        for host in pending {
            let socket = socket_address(host)?;
            if greets(socket) {
                continue;
            }
            if let Some(unshare) = host.unshare {
                process::reap_if_child(unshare.pid);
                if !unshare.is_running(&markers(paths, &host.name).unshare) {
                    return Err(startup_failure(paths, host, "its sshd exited"));
                }
            }
            still_pending.push(host);
        }
        pending = still_pending;
        if let Some(host) = pending.first() {
            if Instant::now() >= deadline {
                return Err(startup_failure(
                    paths,
                    host,
                    &format!("sshd did not answer within {}s", timeout.as_secs()),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    Ok(())
}

pub(super) fn socket_address(host: &HostState) -> Result<SocketAddr, LabError> {
    format!("{}:{}", host.address, host.port)
        .parse()
        .map_err(|_| LabError::Failed(format!("{}: bad address {}", host.name, host.address)))
}

fn startup_failure(paths: &LabPaths, host: &HostState, why: &str) -> LabError {
    LabError::Failed(format!(
        "lab host {} ({}:{}) did not start: {why}\n--- {} ---\n{}\n--- {} ---\n{}",
        host.name,
        host.address,
        host.port,
        paths.sshd_log(&host.name).display(),
        log_tail(&paths.sshd_log(&host.name), 20),
        paths.setup_log(&host.name).display(),
        log_tail(&paths.setup_log(&host.name), 20),
    ))
}

/// The last `lines` lines of a log, or a note that there is none.
pub(super) fn log_tail(path: &std::path::Path, lines: usize) -> String {
    match fs::read_to_string(path) {
        Ok(text) if !text.trim().is_empty() => {
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Ok(_) => "(empty)".into(),
        Err(_) => "(no log)".into(),
    }
}

/// Ask a host's sshd to stop without waiting, so that a whole lab stops in
/// about the time one host takes.
pub(super) fn request_stop(paths: &LabPaths, host: &HostState) {
    let markers = markers(paths, &host.name);
    if let Some(sshd) = current_sshd(paths, host) {
        sshd.signal(libc::SIGTERM, &markers.sshd);
    }
}

/// Stop one host: sshd first, politely (its init then ends, and with it the
/// namespace and every process in it), then the holder. Only processes whose
/// identity and command line still match are signalled. Returns whether
/// anything was running.
pub(super) fn stop(paths: &LabPaths, host: &HostState) -> Result<bool, LabError> {
    let markers = markers(paths, &host.name);
    let Some(unshare) = host.unshare.filter(|id| {
        process::reap_if_child(id.pid);
        id.is_running(&markers.unshare)
    }) else {
        return Ok(false);
    };
    match current_sshd(paths, host) {
        Some(sshd) => sshd.signal(libc::SIGTERM, &markers.sshd),
        // Down for a reboot: the init itself stops on TERM.
        None => find_init(&unshare, &markers.unshare)
            .is_some_and(|init| init.signal(libc::SIGTERM, &markers.unshare)),
    };
    if !unshare.wait_gone(&markers.unshare, STOP_GRACE) {
        // --kill-child turns the holder's death into SIGKILL for the init, and
        // the end of the PID namespace's init kills everything in it.
        unshare.signal(libc::SIGKILL, &markers.unshare);
        if !unshare.wait_gone(&markers.unshare, STOP_GRACE) {
            return Err(LabError::Failed(format!(
                "{} (pid {}) would not stop",
                host.name, unshare.pid
            )));
        }
    }
    Ok(true)
}
