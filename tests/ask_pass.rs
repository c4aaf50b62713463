//! SSH passwords end to end: a private sshd that takes only root's password
//! (in a mount namespace of its own, where /etc/shadow is a copy with root's
//! hash replaced: the machine's accounts are never touched), reached with
//! `ansible_password` or with `-k` typed on a terminal; and one that offers
//! only keyboard-interactive, checked by PAM with a stack of its own.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Project, transcript};

const PASSWORD: &str = "correct horse";

struct PasswordSshd {
    child: Child,
    port: u16,
}

impl Drop for PasswordSshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How the private sshd checks root's password.
#[derive(Clone, Copy, PartialEq)]
enum Login {
    /// `PasswordAuthentication`, sshd reading the shadow file itself.
    Password,
    /// Only `keyboard-interactive`, through PAM's pam_unix (what servers
    /// that check passwords through PAM offer), with a PAM stack of its own.
    KeyboardInteractivePam,
}

/// PAM for the test's sshd: the password checked by pam_unix against the
/// namespace's shadow file; no session modules (pam_loginuid and the like
/// need what a namespace does not have).
const PAM_SSHD: &str = "auth required pam_unix.so\naccount required pam_unix.so\n\
                        password required pam_deny.so\nsession required pam_permit.so\n";

fn start(project: &Project) -> PasswordSshd {
    start_with(project, Login::Password)
}

fn start_with(project: &Project, login: Login) -> PasswordSshd {
    let dir = project.join("sshd");
    std::fs::create_dir_all(&dir).expect("sshd dir");
    let host_key = dir.join("host_key");
    let keygen = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&host_key)
        .status()
        .expect("ssh-keygen");
    assert!(keygen.success());
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port");
    let config = dir.join("sshd_config");
    let methods = match login {
        Login::Password => {
            "UsePAM no\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\n"
        }
        Login::KeyboardInteractivePam => {
            "UsePAM yes\nPasswordAuthentication no\nKbdInteractiveAuthentication yes\n"
        }
    };
    std::fs::write(
        &config,
        format!(
            "ListenAddress 127.0.0.1:{port}\nHostKey {}\nAuthorizedKeysFile none\nPidFile none\n\
             PermitRootLogin yes\nPubkeyAuthentication no\n{methods}",
            host_key.display()
        ),
    )
    .expect("sshd_config");
    let pam = dir.join("pam-sshd");
    std::fs::write(&pam, PAM_SSHD).expect("pam config");
    let shadow = dir.join("shadow");
    std::fs::write(&shadow, shadow_with_root(PASSWORD)).expect("shadow");
    std::fs::create_dir_all("/run/sshd").expect("/run/sshd");
    let child = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(
            "mount --bind \"$0\" /etc/shadow && mount --bind \"$1\" /etc/pam.d/sshd && \
             shift && exec /usr/sbin/sshd \"$@\"",
        )
        .arg(&shadow)
        .arg(&pam)
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("sshd.log")).expect("sshd.log"))
        .spawn()
        .expect("unshare and /usr/sbin/sshd, as root");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "sshd did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    PasswordSshd { child, port }
}

/// /etc/shadow with root's hash replaced by one of `password`.
fn shadow_with_root(password: &str) -> String {
    use std::io::Write;
    let mut openssl = Command::new("openssl")
        .args(["passwd", "-6", "-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl");
    openssl
        .stdin
        .take()
        .expect("stdin")
        .write_all(password.as_bytes())
        .expect("write");
    let output = openssl.wait_with_output().expect("openssl passwd");
    let hash = String::from_utf8_lossy(&output.stdout).trim().to_string();
    std::fs::read_to_string("/etc/shadow")
        .expect("/etc/shadow")
        .lines()
        .map(|line| match line.split_once(':') {
            Some(("root", rest)) => {
                let after = rest.split_once(':').map_or("", |(_, after)| after);
                format!("root:{hash}:{after}\n")
            }
            _ => format!("{line}\n"),
        })
        .collect()
}

/// An inventory of one host on the server, with `extra` variables; no key
/// and no agent, so only a password can get in.
fn inventory(project: &Project, server: &PasswordSshd, extra: &str) {
    project.file(
        "hosts.ini",
        &format!(
            "pw ansible_host=127.0.0.1 ansible_port={} ansible_user=root {extra} \
             ansible_ssh_common_args='-F /dev/null -o IdentityAgent=none -o IdentityFile={} -o UserKnownHostsFile={}'\n",
            server.port,
            project.join("no_key").display(),
            project.join("known_hosts").display(),
        ),
    );
}

#[test]
fn ansible_password_logs_in_and_a_wrong_one_is_unreachable_without_showing_it() {
    let project = Project::new();
    let server = start(&project);
    inventory(&project, &server, "ansible_password='correct horse'");
    let output = project.run(&[
        "run",
        "pw",
        "-i",
        "hosts.ini",
        "--accept-new-host-keys",
        "-a",
        "echo in",
    ]);
    assert_eq!(
        transcript(&output),
        "exit code: 0\n----- stdout -----\npw | CHANGED | rc=0 >>\nin\n----- stderr -----\n"
    );
    inventory(&project, &server, "ansible_ssh_pass=guessed");
    let output = project.run(&["run", "pw", "-i", "hosts.ini", "-o", "-a", "echo in"]);
    output.assert_code(4);
    assert!(
        output.stdout.starts_with("pw | UNREACHABLE!: "),
        "{}",
        output.all()
    );
    assert!(output.stdout.contains("the password ("), "{}", output.all());
    assert!(!output.all().contains("guessed"), "{}", output.all());
}

#[test]
fn ask_pass_typed_on_the_terminal_logs_in() {
    let project = Project::new();
    let server = start(&project);
    inventory(&project, &server, "");
    let shown = project.run_on_terminal(
        &[
            "run",
            "pw",
            "-i",
            "hosts.ini",
            "--accept-new-host-keys",
            "-k",
            "-o",
            "-a",
            "echo in",
        ],
        &[PASSWORD],
    );
    assert_eq!(shown, "SSH password: \npw | CHANGED | rc=0 | (stdout) in\n");
}

/// Without a terminal, `-k` reads the password from stdin after Ansible's
/// warning, as ansible-playbook does (Python's getpass fallback).
#[test]
fn ask_pass_without_a_terminal_reads_stdin() {
    let project = Project::new();
    let server = start(&project);
    inventory(&project, &server, "");
    let output = project.run_without_terminal_with_input(
        &[
            "run",
            "pw",
            "-i",
            "hosts.ini",
            "--accept-new-host-keys",
            "-k",
            "-o",
            "-a",
            "echo in",
        ],
        format!("{PASSWORD}\n").as_bytes(),
    );
    assert_eq!(
        transcript(&output),
        "exit code: 0\n----- stdout -----\npw | CHANGED | rc=0 | (stdout) in\n----- stderr -----\n\
         Warning: Password input may be echoed.\nSSH password: \n"
    );
}

/// `-vvv` says which key the server refused before the password logged in.
#[test]
fn vvv_shows_the_refused_key_and_the_password_login() {
    let project = Project::new();
    let server = start(&project);
    let key = project.join("no_key");
    let keygen = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen");
    assert!(keygen.success());
    inventory(&project, &server, "ansible_password='correct horse'");
    let output = project.run(&[
        "run",
        "pw",
        "-i",
        "hosts.ini",
        "--accept-new-host-keys",
        "-vvv",
        "-a",
        "true",
    ]);
    output.assert_code(0);
    let auth: Vec<String> = output
        .stdout
        .lines()
        .filter(|line| line.contains("not accepted") || line.contains("authenticated with"))
        .map(|line| line.replace(&key.display().to_string(), "[KEY]"))
        .map(|line| {
            regex::Regex::new(r"\(\d+ms\)")
                .expect("re")
                .replace(&line, "([DURATION])")
                .into_owned()
        })
        .collect();
    assert_eq!(
        auth,
        [
            "<pw> SSH: not accepted: [KEY] (Username/PublicKey combination invalid)",
            "<pw> SSH: authenticated with password ([DURATION])"
        ],
        "{}",
        output.all()
    );
    assert!(!output.all().contains(PASSWORD), "{}", output.all());
}

/// `-k` without a terminal against ansible-playbook `-k` (sshpass): the
/// right password read from stdin logs in, a wrong one leaves the host
/// unreachable; the same recaps and exit codes.
#[test]
fn ask_pass_from_stdin_behaves_as_in_ansible() {
    let project = Project::new();
    let server = start(&project);
    inventory(&project, &server, "");
    project.file(
        "site.yml",
        "- hosts: pw\n  gather_facts: false\n  tasks:\n    - raw: echo in\n",
    );
    for (typed, code) in [(PASSWORD, 0), ("guessed", 4)] {
        let input = format!("{typed}\n");
        let ours = project.run_without_terminal_with_input(
            &[
                "play",
                "site.yml",
                "-i",
                "hosts.ini",
                "-k",
                "--accept-new-host-keys",
            ],
            input.as_bytes(),
        );
        let theirs = crate::support::ansible_playbook_without_terminal(
            project.path(),
            &["site.yml", "-i", "hosts.ini", "-k"],
            input.as_bytes(),
        );
        let both = format!("--- runbook\n{}\n--- ansible\n{}", ours.all(), theirs.all());
        assert_eq!((ours.code, theirs.code), (code, code), "{both}");
        assert_eq!(
            crate::support::recap(&ours),
            crate::support::recap(&theirs),
            "{both}"
        );
        assert!(!ours.all().contains(typed), "{both}");
    }
}

/// A server that offers only keyboard-interactive, its password checked by
/// PAM (pam_unix against the namespace's shadow file): `ansible_password`
/// answers its prompt, and a wrong one is refused without being shown.
#[test]
fn keyboard_interactive_through_pam_logs_in_with_ansible_password() {
    let project = Project::new();
    let server = start_with(&project, Login::KeyboardInteractivePam);
    inventory(&project, &server, "ansible_password='correct horse'");
    let output = project.run(&[
        "run",
        "pw",
        "-i",
        "hosts.ini",
        "--accept-new-host-keys",
        "-o",
        "-a",
        "echo in",
    ]);
    let log = std::fs::read_to_string(project.join("sshd/sshd.log")).unwrap_or_default();
    assert_eq!(
        transcript(&output),
        "exit code: 0\n----- stdout -----\npw | CHANGED | rc=0 | (stdout) in\n----- stderr -----\n",
        "sshd said:\n{log}"
    );
    assert!(
        log.contains("Accepted keyboard-interactive/pam for root"),
        "{log}"
    );
    inventory(&project, &server, "ansible_password=guessed");
    let output = project.run(&["run", "pw", "-i", "hosts.ini", "-o", "-a", "echo in"]);
    assert_eq!(
        transcript(&output),
        "exit code: 4\n----- stdout -----\n\
         pw | UNREACHABLE!: authentication as root failed: tried the password (Authentication failed (keyboard-interactive))\n\
         ----- stderr -----\n"
    );
}
