use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Lab, Output};

/// ansible-playbook from PATH, or from the venv scripts/setup makes.
fn program() -> PathBuf {
    let venv =
        std::env::var("RUNBOOK_ANSIBLE_VENV").unwrap_or_else(|_| "/opt/runbook-ansible".into());
    let in_venv = Path::new(&venv).join("bin/ansible-playbook");
    if in_venv.is_file() {
        in_venv
    } else {
        "ansible-playbook".into()
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
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
