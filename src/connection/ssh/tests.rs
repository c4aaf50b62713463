//! End-to-end tests against a real, private sshd (see `test_sshd`).

use std::time::{Duration, Instant};

use super::SshConnection;
use super::test_sshd::{TestSshd, append, free_port, keygen};
use crate::connection::{Connection, ConnectionError, ConnectionSpec};

fn connect(spec: &ConnectionSpec) -> SshConnection {
    SshConnection::connect(spec, crate::connection::CommandLimits::default())
        .unwrap_or_else(|e| panic!("connect: {e}"))
}

fn trusted() -> (TestSshd, SshConnection) {
    let server = TestSshd::start();
    server.trust();
    let connection = connect(&server.spec());
    (server, connection)
}

fn run(connection: &mut SshConnection, script: &str) -> (i32, String, String) {
    let output = connection
        .run(script, None)
        .unwrap_or_else(|e| panic!("run {script:?}: {e}"));
    (output.rc, output.stdout_text(), output.stderr_text())
}

#[test]
fn connection_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<SshConnection>();
}

#[test]
fn separates_stdout_stderr_and_status() {
    let (_server, mut connection) = trusted();
    assert_eq!(
        run(&mut connection, "echo out; echo err >&2; exit 3"),
        (3, "out\n".into(), "err\n".into())
    );
    assert_eq!(run(&mut connection, "true"), (0, "".into(), "".into()));
    assert_eq!(
        run(&mut connection, "printf 'no newline'; printf 'e' >&2"),
        (0, "no newline".into(), "e".into())
    );
    assert_eq!(
        run(&mut connection, "echo \"it's $((6 * 7))\"; false"),
        (1, "it's 42\n".into(), "".into())
    );
}

#[test]
fn exit_and_cd_and_exports_do_not_leak_into_the_next_command() {
    let (_server, mut connection) = trusted();
    let (_, home, _) = run(&mut connection, "pwd");
    assert_eq!(
        run(
            &mut connection,
            "cd /tmp && export RB_LEAK=1 && umask 000 && exit 3"
        )
        .0,
        3
    );
    assert_eq!(run(&mut connection, "pwd").1, home);
    assert_eq!(run(&mut connection, "echo \"[${RB_LEAK-}]\"").1, "[]\n");
    assert_ne!(run(&mut connection, "umask").1.trim(), "0000");
}

#[test]
fn streams_megabytes_of_interleaved_stdout_and_stderr() {
    let (_server, mut connection) = trusted();
    let output = connection
        .run(
            "yes out | head -c 5000000 & yes err | head -c 5000000 >&2; wait",
            None,
        )
        .expect("run");
    assert_eq!(output.rc, 0);
    assert_eq!(output.stdout.len(), 5_000_000);
    assert_eq!(output.stderr.len(), 5_000_000);
    assert!(output.stdout.chunks(4).all(|c| c == &b"out\n"[..c.len()]));
    assert!(output.stderr.chunks(4).all(|c| c == &b"err\n"[..c.len()]));
}

#[test]
fn feeds_binary_stdin() {
    let (_server, mut connection) = trusted();
    let input: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let output = connection
        .run("cat; echo done >&2", Some(&input))
        .expect("run");
    assert_eq!((output.rc, output.stderr_text()), (0, "done\n".into()));
    assert!(output.stdout == input, "stdin came back different");
    let empty = connection.run("wc -c", Some(b"")).expect("run");
    assert_eq!(empty.stdout_text().trim(), "0");
}

#[test]
fn puts_and_gets_binary_files_with_modes() {
    let (server, mut connection) = trusted();
    let content: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    for mode in [0o640, 0o755] {
        let path = server.path(&format!("file-{mode:o}"));
        let path = path.to_str().expect("utf8");
        connection.put_file(path, &content, mode).expect("put");
        assert_eq!(connection.get_file(path).expect("get"), content);
        let (_, shown, _) = run(&mut connection, &format!("stat -c %a {path}"));
        assert_eq!(shown.trim(), format!("{mode:o}"));
    }
    let missing = connection.get_file("/nonexistent/runbook");
    assert!(matches!(missing, Err(ConnectionError::Transfer { .. })));
}

#[test]
fn a_killed_shell_is_replaced() {
    let (_server, mut connection) = trusted();
    let (_, first_pid, _) = run(&mut connection, "echo $$");
    let killed = connection
        .run("echo before; kill $$; sleep 1", None)
        .expect("run");
    assert_eq!(killed.rc, -1);
    assert!(killed.stdout_text().starts_with("before"));
    assert!(
        killed.stderr_text().contains("remote shell ended"),
        "{killed:?}"
    );
    let (rc, second_pid, _) = run(&mut connection, "echo $$");
    assert_eq!(rc, 0);
    assert_ne!(first_pid, second_pid);
}

#[test]
fn an_unknown_host_key_is_refused_with_its_fingerprint() {
    let server = TestSshd::start();
    match SshConnection::connect(&server.spec(), crate::connection::CommandLimits::default()) {
        Err(ConnectionError::UnknownHostKey { fingerprint, .. }) => {
            assert_eq!(fingerprint, server.host_fingerprint());
        }
        other => panic!("expected UnknownHostKey, got {other:?}"),
    }
    assert!(!server.known_hosts().exists(), "nothing may be recorded");
}

#[test]
fn accept_new_records_the_key_for_the_next_strict_connection() {
    let server = TestSshd::start();
    let mut spec = server.spec();
    spec.accept_new_host_keys = true;
    let mut connection = connect(&spec);
    assert_eq!(run(&mut connection, "echo hi").1, "hi\n");
    let recorded = std::fs::read_to_string(server.known_hosts()).expect("recorded");
    assert_eq!(recorded, server.known_hosts_line());
    connect(&server.spec());
}

#[test]
fn strict_host_key_checking_no_also_records_new_keys() {
    let server = TestSshd::start();
    let mut spec = server.spec();
    spec.ssh_args
        .extend(["-o".into(), "StrictHostKeyChecking=no".into()]);
    connect(&spec);
    connect(&server.spec());
}

#[test]
fn a_changed_host_key_is_refused_even_when_new_keys_are_accepted() {
    let server = TestSshd::start();
    let impostor = server.path("other_key");
    keygen(&impostor);
    let public = std::fs::read_to_string(impostor.with_extension("pub")).expect("pub");
    let mut fields = public.split_whitespace();
    let line = format!(
        "[127.0.0.1]:{} {} {}\n",
        server.port,
        fields.next().expect("type"),
        fields.next().expect("key")
    );
    append(&server.known_hosts(), &line);
    let mut spec = server.spec();
    spec.accept_new_host_keys = true;
    spec.ssh_args
        .extend(["-o".into(), "StrictHostKeyChecking=no".into()]);
    match SshConnection::connect(&spec, crate::connection::CommandLimits::default()) {
        Err(ConnectionError::ChangedHostKey { fingerprint, .. }) => {
            assert_eq!(fingerprint, server.host_fingerprint());
        }
        other => panic!("expected ChangedHostKey, got {other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(server.known_hosts()).expect("kh"),
        line,
        "the known_hosts file must be left alone"
    );
}

#[test]
fn hashed_known_hosts_entries_are_accepted() {
    let server = TestSshd::start();
    server.trust();
    let status = std::process::Command::new("ssh-keygen")
        .arg("-q")
        .arg("-H")
        .arg("-f")
        .arg(server.known_hosts())
        .status()
        .expect("ssh-keygen -H");
    assert!(status.success());
    let hashed = std::fs::read_to_string(server.known_hosts()).expect("kh");
    assert!(hashed.starts_with("|1|"), "{hashed}");
    let mut connection = connect(&server.spec());
    assert_eq!(run(&mut connection, "echo ok").1, "ok\n");
}

#[test]
fn a_closed_port_fails_fast_with_a_connect_error() {
    let server = TestSshd::start();
    let mut spec = server.spec();
    spec.port = Some(free_port());
    let started = Instant::now();
    let result = SshConnection::connect(&spec, crate::connection::CommandLimits::default());
    assert!(
        matches!(result, Err(ConnectionError::Connect { .. })),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

/// An ssh config file giving one key and one known_hosts file for a jump
/// host and a target behind it, as an operator would set up a bastion.
fn bastion_config(jump: &TestSshd, target: &TestSshd) -> String {
    std::fs::copy(jump.path("id_ed25519.pub"), target.path("authorized_keys")).expect("authorize");
    jump.trust();
    append(&jump.known_hosts(), &target.known_hosts_line());
    let ssh_config = jump.path("ssh_config");
    std::fs::write(
        &ssh_config,
        format!(
            "Host *\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  \
             IdentityFile {}\n  IdentitiesOnly yes\n  BatchMode yes\n  User root\n",
            jump.known_hosts().display(),
            jump.path("id_ed25519").display()
        ),
    )
    .expect("ssh_config");
    ssh_config.display().to_string()
}

fn assert_forwarded(jump: &TestSshd, target: &TestSshd) {
    let forwarded = format!("target 127.0.0.1 port {}", target.port);
    assert!(
        jump.log().contains(&forwarded),
        "the jump host did not forward: {}",
        jump.log()
    );
}

#[test]
fn proxy_jump_goes_through_the_jump_host() {
    let (jump, target) = (TestSshd::start(), TestSshd::start());
    let mut spec = target.spec();
    spec.private_key_file = None;
    spec.user = None;
    spec.ssh_args = vec![
        "-F".into(),
        bastion_config(&jump, &target),
        "-J".into(),
        format!("root@127.0.0.1:{}", jump.port),
    ];
    let mut connection = connect(&spec);
    assert_eq!(run(&mut connection, "echo via jump").1, "via jump\n");
    assert_forwarded(&jump, &target);
}

#[test]
fn proxy_command_carries_the_session() {
    let (jump, target) = (TestSshd::start(), TestSshd::start());
    let ssh_config = bastion_config(&jump, &target);
    let mut spec = target.spec();
    spec.private_key_file = None;
    spec.ssh_args = vec![
        "-F".into(),
        ssh_config.clone(),
        "-o".into(),
        format!(
            "ProxyCommand=ssh -F {ssh_config} -W %h:%p -p {} 127.0.0.1",
            jump.port
        ),
    ];
    let mut connection = connect(&spec);
    assert_eq!(run(&mut connection, "echo proxied").1, "proxied\n");
    assert_forwarded(&jump, &target);
}

#[test]
fn a_failing_proxy_is_reported_with_what_it_said() {
    let server = TestSshd::start();
    let mut spec = server.spec();
    spec.ssh_args.extend([
        "-o".into(),
        "ProxyCommand=echo no route to %h >&2; exit 1".into(),
    ]);
    match SshConnection::connect(&spec, crate::connection::CommandLimits::default()) {
        Err(error @ ConnectionError::Handshake { .. }) => {
            assert!(
                error.to_string().contains("no route to 127.0.0.1"),
                "{error}"
            );
        }
        other => panic!("expected Handshake, got {other:?}"),
    }
}

/// An `ssh-agent` on a private socket holding `key`; killed on drop.
struct Agent(std::process::Child, std::path::PathBuf);

impl Agent {
    fn start(server: &TestSshd, key: &std::path::Path) -> Self {
        let socket = server.path("agent.sock");
        let child = std::process::Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("ssh-agent");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !socket.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let added = std::process::Command::new("ssh-add")
            .arg("-q")
            .arg(key)
            .env("SSH_AUTH_SOCK", &socket)
            .status()
            .expect("ssh-add");
        assert!(added.success());
        Self(child, socket)
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_agent_logs_in_unless_identities_only_excludes_its_key() {
    let server = TestSshd::start();
    server.trust();
    let agent = Agent::start(&server, &server.path("id_ed25519"));
    let other = server.path("other_key");
    keygen(&other);
    let mut spec = server.spec();
    spec.private_key_file = None;
    spec.ssh_args.extend([
        "-o".into(),
        format!("IdentityAgent={}", agent.1.display()),
        "-o".into(),
        format!("IdentityFile={}", other.display()),
    ]);
    let mut connection = connect(&spec);
    assert_eq!(run(&mut connection, "echo agent").1, "agent\n");
    spec.ssh_args
        .extend(["-o".into(), "IdentitiesOnly=yes".into()]);
    let result = SshConnection::connect(&spec, crate::connection::CommandLimits::default());
    assert!(
        matches!(result, Err(ConnectionError::Auth { .. })),
        "{result:?}"
    );
}

#[test]
fn an_encrypted_key_without_a_passphrase_names_the_variable_to_set() {
    if std::env::var_os(super::PASSPHRASE_ENV).is_some() {
        return; // the variable is set here: the message would not apply
    }
    let server = TestSshd::start();
    server.trust();
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-p", "-N", "sesame", "-P", "", "-f"])
        .arg(server.path("id_ed25519"))
        .status()
        .expect("ssh-keygen -p");
    assert!(status.success());
    match SshConnection::connect(&server.spec(), crate::connection::CommandLimits::default()) {
        Err(error @ ConnectionError::Auth { .. }) => {
            assert!(error.to_string().contains(super::PASSPHRASE_ENV), "{error}");
        }
        other => panic!("expected Auth, got {other:?}"),
    }
}

#[test]
#[allow(clippy::print_stdout)] // the timing is shown with --nocapture
fn two_hundred_commands_on_one_connection() {
    let (_server, mut connection) = trusted();
    let started = Instant::now();
    for i in 0..200 {
        let (rc, stdout, _) = run(&mut connection, &format!("echo {i}"));
        assert_eq!((rc, stdout), (0, format!("{i}\n")));
    }
    let elapsed = started.elapsed();
    println!(
        "200 sequential commands: {} ms total, {:.3} ms per command",
        elapsed.as_millis(),
        elapsed.as_secs_f64() * 1000.0 / 200.0
    );
}

#[test]
fn close_then_run_reconnects() {
    let (_server, mut connection) = trusted();
    connection.close();
    assert_eq!(run(&mut connection, "echo again").1, "again\n");
}

#[test]
fn two_sessions_with_one_key_file_read_it_once() {
    let server = TestSshd::start();
    server.trust();
    let key = server.path("id_ed25519");
    let mut first = connect(&server.spec());
    let mut second = connect(&server.spec());
    assert_eq!(run(&mut first, "echo one").1, "one\n");
    assert_eq!(run(&mut second, "echo two").1, "two\n");
    assert_eq!(super::keys::tests::reads_of(&key), 1);
}

#[test]
fn ecdsa_keys_signed_here_and_keys_libssh2_parses_both_log_in() {
    let server = TestSshd::start();
    server.trust();
    for kind in [
        &["ecdsa", "-b", "256"][..],
        &["ecdsa", "-b", "521"],
        &["rsa", "-b", "2048"],
    ] {
        let key = server.path(&format!("id_{}", kind.join("_")));
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-N", "", "-t"])
            .args(kind)
            .arg("-f")
            .arg(&key)
            .status()
            .expect("ssh-keygen");
        assert!(status.success());
        let public = std::fs::read_to_string(format!("{}.pub", key.display())).expect("pub");
        std::fs::write(server.path("authorized_keys"), public).expect("authorized_keys");
        let mut spec = server.spec();
        spec.private_key_file = Some(key);
        let mut connection = connect(&spec);
        assert_eq!(run(&mut connection, "echo in").1, "in\n", "{kind:?}");
    }
}
