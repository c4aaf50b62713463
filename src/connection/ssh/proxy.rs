//! Reaching a host through `ProxyJump` or `ProxyCommand`: OpenSSH (or the
//! user's command) carries the bytes, and libssh2 speaks SSH over one end of a
//! socket pair whose other end is bridged to the child's stdin and stdout.
//! Jump hosts thereby get all of OpenSSH's own config, agent and known_hosts
//! handling for free.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::config::{Proxy, SshConfig};
use crate::connection::ConnectionError;

/// How much of the proxy's stderr is kept for error messages.
const STDERR_LIMIT: usize = 16 * 1024;

/// How long an error message waits for a failed proxy's last words.
const STDERR_GRACE: Duration = Duration::from_secs(1);

/// A running proxy child; killed when dropped.
pub(super) struct ProxyProcess {
    child: Child,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl ProxyProcess {
    /// Start the proxy for `config` and return it with the socket libssh2
    /// should use. `None` when the host is reached directly.
    pub(super) fn start(config: &SshConfig) -> Result<Option<(Self, UnixStream)>, ConnectionError> {
        let argv = match &config.proxy {
            Proxy::Direct => return Ok(None),
            Proxy::Jump(hops) => {
                jump_command(hops, &config.hostname, config.port, &config.ssh_args)
            }
            Proxy::Command(command) => vec![
                "sh".to_string(),
                "-c".to_string(),
                format!("exec {}", expand_proxy_command(command, config)),
            ],
        };
        spawn(&argv)
            .map(Some)
            .map_err(|error| ConnectionError::Connect {
                address: config.hostname.clone(),
                reason: format!("cannot start proxy `{}`: {error}", argv.join(" ")),
            })
    }

    /// What the proxy printed on stderr (for error messages). A proxy that
    /// failed usually exits at once: give it a moment to finish speaking.
    pub(super) fn stderr_text(&self) -> String {
        let deadline = Instant::now() + STDERR_GRACE;
        while Arc::strong_count(&self.stderr) > 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let bytes = self.stderr.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).trim().to_string()
    }
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(argv: &[String]) -> std::io::Result<(ProxyProcess, UnixStream)> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| std::io::Error::other("empty proxy command"))?;
    let (ours, theirs) = UnixStream::pair()?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        return Err(std::io::Error::other("proxy pipes missing"));
    };
    let captured = Arc::new(Mutex::new(Vec::new()));
    bridge(ours, stdin, stdout)?;
    capture(stderr, Arc::clone(&captured));
    Ok((
        ProxyProcess {
            child,
            stderr: captured,
        },
        theirs,
    ))
}

/// Two pumps: child stdout → socket, socket → child stdin. Each ends when its
/// source closes, and closes its destination so the other side sees EOF.
fn bridge(
    socket: UnixStream,
    mut stdin: ChildStdin,
    mut stdout: ChildStdout,
) -> std::io::Result<()> {
    let mut to_session = socket.try_clone()?;
    let mut from_session = socket;
    std::thread::spawn(move || {
        pump(&mut stdout, &mut to_session);
        let _ = to_session.shutdown(std::net::Shutdown::Write);
    });
    std::thread::spawn(move || pump(&mut from_session, &mut stdin));
    Ok(())
}

/// Copy until EOF or an error, flushing every chunk at once. (`io::copy`,
/// with its Linux pipe/socket fast paths, stalled on this bridge in tests.)
fn pump(from: &mut impl Read, to: &mut impl Write) {
    let mut buffer = [0u8; 32 * 1024];
    loop {
        match from.read(&mut buffer) {
            Ok(0) => return,
            Ok(count) => {
                if to
                    .write_all(&buffer[..count])
                    .and_then(|()| to.flush())
                    .is_err()
                {
                    return;
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// Keep the child's stderr; the thread's clone of `into` is dropped at EOF,
/// which is how [`ProxyProcess::stderr_text`] knows it has everything.
fn capture(mut stderr: impl Read + Send + 'static, into: Arc<Mutex<Vec<u8>>>) {
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(read) = stderr.read(&mut buffer) {
            if read == 0 {
                break;
            }
            if let Ok(mut kept) = into.lock() {
                let room = STDERR_LIMIT.saturating_sub(kept.len());
                kept.extend_from_slice(&buffer[..read.min(room)]);
            }
        }
    });
}

/// `ssh [-F file] [-J hops...] -W '[host]:port' [-l user] [-p port] lasthop`,
/// as OpenSSH itself runs a `ProxyJump`. Of the inventory's ssh args only
/// `-F` is passed on: OpenSSH does not apply `-o` options to jump hosts
/// either, and passing `-J` again would loop.
pub(super) fn jump_command(
    hops: &[String],
    host: &str,
    port: u16,
    ssh_args: &[String],
) -> Vec<String> {
    let mut argv = vec!["ssh".to_string()];
    let mut words = ssh_args.iter();
    while let Some(word) = words.next() {
        if word == "-F" {
            if let Some(file) = words.next() {
                argv.extend(["-F".to_string(), file.clone()]);
            }
        } else if let Some(file) = word.strip_prefix("-F") {
            argv.extend(["-F".to_string(), file.to_string()]);
        }
    }
    let (last, outer) = match hops.split_last() {
        Some(split) => split,
        None => return argv,
    };
    if !outer.is_empty() {
        argv.extend(["-J".to_string(), outer.join(",")]);
    }
    argv.extend(["-W".to_string(), format!("[{host}]:{port}")]);
    if last.starts_with("ssh://") {
        argv.extend(["--".to_string(), last.clone()]);
        return argv;
    }
    let (user, host_port) = match last.rsplit_once('@') {
        Some((user, rest)) => (Some(user), rest),
        None => (None, last.as_str()),
    };
    let (jump_host, jump_port) = split_host_port(host_port);
    if let Some(user) = user {
        argv.extend(["-l".to_string(), user.to_string()]);
    }
    if let Some(port) = jump_port {
        argv.extend(["-p".to_string(), port.to_string()]);
    }
    argv.extend(["--".to_string(), jump_host.to_string()]);
    argv
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_host_port(text: &str) -> (&str, Option<&str>) {
    if let Some(rest) = text.strip_prefix('[')
        && let Some((host, after)) = rest.split_once(']')
    {
        return (host, after.strip_prefix(':'));
    }
    match text.split_once(':') {
        Some((host, port)) if !port.contains(':') => (host, Some(port)),
        _ => (text, None),
    }
}

/// Expand OpenSSH's `%h %p %r %n %%` tokens in a `ProxyCommand`.
pub(super) fn expand_proxy_command(command: &str, config: &SshConfig) -> String {
    let mut expanded = String::with_capacity(command.len());
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            expanded.push(c);
            continue;
        }
        match chars.next() {
            Some('h') => expanded.push_str(&config.hostname),
            Some('p') => expanded.push_str(&config.port.to_string()),
            Some('r') => expanded.push_str(&config.user),
            Some('n') => expanded.push_str(&config.name),
            Some('%') => expanded.push('%'),
            Some(other) => {
                expanded.push('%');
                expanded.push(other);
            }
            None => expanded.push('%'),
        }
    }
    expanded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::ConnectionSpec;
    use crate::connection::ssh::config::{SshG, merge};

    fn words(text: &str) -> Vec<String> {
        shell_words::split(text).expect("words")
    }

    #[test]
    fn one_hop_becomes_ssh_w() {
        assert_eq!(
            jump_command(&words("ops@bastion:2200"), "10.0.0.5", 22, &[]),
            words("ssh -W [10.0.0.5]:22 -l ops -p 2200 -- bastion")
        );
    }

    #[test]
    fn outer_hops_go_to_minus_j_and_only_minus_f_is_passed_on() {
        let args = words("-F /etc/rb.conf -o StrictHostKeyChecking=no -J x");
        assert_eq!(
            jump_command(&words("a b [::1]:2222"), "db", 2022, &args),
            words("ssh -F /etc/rb.conf -J a,b -W [db]:2022 -p 2222 -- ::1")
        );
        assert_eq!(
            jump_command(&words("ssh://u@j:1"), "db", 22, &words("-F/x")),
            words("ssh -F /x -W [db]:22 -- ssh://u@j:1")
        );
    }

    #[test]
    fn proxy_command_tokens_expand() {
        let mut spec = ConnectionSpec::local("web1");
        spec.port = Some(2222);
        spec.user = Some("deploy".into());
        let config = merge(&spec, SshG::default(), std::path::Path::new("/root"));
        assert_eq!(
            expand_proxy_command("nc -x proxy %h %p # %r@%n 100%% %z%", &config),
            "nc -x proxy web1 2222 # deploy@web1 100% %z%"
        );
    }

    #[test]
    fn the_bridge_carries_bytes_both_ways_and_the_child_dies_with_it() {
        let (proxy, mut socket) = spawn(&words("sh -c 'echo started >&2; cat'")).expect("spawn");
        socket.write_all(b"ping\n").expect("write");
        let mut echoed = [0u8; 5];
        socket.read_exact(&mut echoed).expect("read");
        assert_eq!(&echoed, b"ping\n");
        let pid = proxy.child.id();
        drop(proxy);
        let alive = std::path::Path::new(&format!("/proc/{pid}")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .unwrap_or_default()
                .contains(") Z");
        assert!(!alive, "proxy child {pid} survived its drop");
    }
}
