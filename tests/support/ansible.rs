use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Lab, Output};

/// ansible-playbook from PATH, or from the venv scripts/setup makes.
fn program() -> PathBuf {
    tool("ansible-playbook")
}

/// An Ansible program from the venv scripts/setup makes, or from PATH.
fn tool(name: &str) -> PathBuf {
    let venv =
        std::env::var("RUNBOOK_ANSIBLE_VENV").unwrap_or_else(|_| "/opt/runbook-ansible".into());
    let in_venv = Path::new(&venv).join("bin").join(name);
    if in_venv.is_file() {
        in_venv
    } else {
        name.into()
    }
}

/// Run `ansible-vault ARGS` in `dir`, with `stdin` as its input.
pub(crate) fn ansible_vault(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(tool("ansible-vault"))
        .args(args)
        .current_dir(dir)
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_LOCAL_TEMP", dir.join(".ansible-local"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "ansible-vault is needed for the vault round trips (scripts/setup installs it): {e}"
            )
        });
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin).expect("write stdin");
    }
    let output = child.wait_with_output().expect("ansible-vault ran");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Run `playbook` with ansible-playbook against `lab` (its `inventories/lab`).
/// Differential tests need it: without it they fail and say how to install it.
pub(crate) fn ansible_playbook(lab: &Lab, playbook: &Path, extra_args: &[&str]) -> Output {
    let mut args = vec![
        playbook.to_str().expect("utf8 path"),
        "-i",
        "inventories/lab",
    ];
    args.extend_from_slice(extra_args);
    ansible_playbook_with(lab, &args)
}

/// ansible-playbook with `args` in `dir`, without a controlling terminal
/// (setsid) and with `stdin` as its input: what `-k` reads there. No SSH
/// connection sharing, so each run logs in afresh.
pub(crate) fn ansible_playbook_without_terminal(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(program());
    command
        .args(args)
        .current_dir(dir)
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_HOST_KEY_CHECKING", "False")
        .env("ANSIBLE_SSH_ARGS", "-o ControlMaster=no")
        .env("ANSIBLE_LOCAL_TEMP", dir.join(".ansible-local"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // SAFETY: setsid is async-signal-safe; the child only execs after it.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("ansible-playbook is needed for the differential tests (scripts/setup installs ansible-core): {e}"));
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin);
    }
    captured(&child.wait_with_output().expect("ansible-playbook ran"))
}

/// ansible-playbook with exactly `args`, in the lab's project (where its
/// ansible.cfg, if any, is found).
pub(crate) fn ansible_playbook_with(lab: &Lab, args: &[&str]) -> Output {
    let output = Command::new(program())
        .args(args)
        .current_dir(lab.project.path())
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_PYTHON_INTERPRETER", "/usr/bin/python3")
        .env("ANSIBLE_LOCAL_TEMP", lab.project.join(".ansible-local"))
        .env("ANSIBLE_REMOTE_TEMP", "/tmp/.ansible-runbook-differential")
        .output()
        .unwrap_or_else(|e| panic!("ansible-playbook is needed for the differential tests (scripts/setup installs ansible-core): {e}"));
    captured(&output)
}

fn captured(output: &std::process::Output) -> Output {
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `ansible ARGS` (the ad-hoc command) in `dir`, as the differential tests
/// run it: no colours, no deprecation warnings, the host's python3.
pub(crate) fn ansible_adhoc(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new(tool("ansible"))
        .args(args)
        .current_dir(dir)
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_DEPRECATION_WARNINGS", "0")
        .env("ANSIBLE_PYTHON_INTERPRETER", "/usr/bin/python3")
        .env("ANSIBLE_LOCAL_TEMP", dir.join(".ansible-local"))
        .env("ANSIBLE_REMOTE_TEMP", "/tmp/.ansible-runbook-differential")
        .output()
        .unwrap_or_else(|e| panic!("ansible is needed for the differential tests (scripts/setup installs ansible-core): {e}"));
    captured(&output)
}
