//! Python venvs made once per test process and copied into lab hosts.
//!
//! `python3 -m venv` (with its pip) is the slowest step of a procedure's lab
//! preparation. A venv holds its own path (bin/activate, the scripts'
//! shebangs, pyvenv.cfg), and every lab host sees its private root at the
//! same paths, so the first test that wants the venv `path` makes it on its
//! host with the host's own `python3`, keeps a copy in a temp directory,
//! and every later host gets that copy (`cp -a`) at the same path: the same
//! files `python3 -m venv` makes there.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use super::Lab;

type Built = Arc<OnceLock<tempfile::TempDir>>;

static VENVS: Mutex<BTreeMap<String, Built>> = Mutex::new(BTreeMap::new());

/// Make `path` (absolute, inside the host) a venv on `host`.
pub(crate) fn seed(lab: &Lab, host: &str, path: &str) {
    let built = {
        let mut venvs = VENVS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(venvs.entry(path.to_string()).or_default())
    };
    let target = lab.host_root(host).join(path.trim_start_matches('/'));
    assert!(!target.exists(), "{host} has {path} already");
    let mut made_here = false;
    let copy = built.get_or_init(|| {
        made_here = true;
        make(lab, host, path, &target)
    });
    if !made_here {
        copy_tree(&copy.path().join("venv"), &target);
    }
}

/// `python3 -m venv PATH` on the host, and a copy of it kept.
fn make(lab: &Lab, host: &str, path: &str, target: &Path) -> tempfile::TempDir {
    lab.run(&[
        "run",
        host,
        "-i",
        "lab",
        "-m",
        "command",
        "-a",
        &format!("python3 -m venv {path}"),
    ])
    .assert_code(0);
    assert!(target.join("bin/activate").is_file(), "{path} on {host}");
    let copy = tempfile::Builder::new()
        .prefix("runbook-venv.")
        .tempdir()
        .expect("temp dir");
    copy_tree(target, &copy.path().join("venv"));
    copy
}

fn copy_tree(from: &Path, to: &Path) {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).expect("the venv's parent");
    }
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp runs");
    assert!(
        status.success(),
        "cp -a {} {}",
        from.display(),
        to.display()
    );
}
