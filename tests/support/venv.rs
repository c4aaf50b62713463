//! Python venvs made once per test process and copied into lab hosts.
//!
//! `python3 -m venv` (with its pip) is the slowest step of a procedure's lab
//! preparation. A venv holds its own path (bin/activate, the scripts'
//! shebangs, pyvenv.cfg), and every lab host sees its private root at the
//! same paths, so the first test that wants the venv `path` makes it on its
//! host with the host's own `python3`, keeps a copy in a temp directory
//! (removed when the process exits), and every later host gets that copy
//! (`cp -a`) at the same path: the same files `python3 -m venv` makes there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use super::Lab;

type Built = Arc<OnceLock<PathBuf>>;

static VENVS: Mutex<BTreeMap<String, Built>> = Mutex::new(BTreeMap::new());

/// This process's copies: `<tmp>/runbook-venvs.<pid>/`, removed at exit
/// (a static is never dropped); those of processes gone are swept first.
static ROOT: OnceLock<PathBuf> = OnceLock::new();

const PREFIX: &str = "runbook-venvs.";

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
        copy_tree(copy, &target);
    }
}

/// `python3 -m venv PATH` on the host, and a copy of it kept.
fn make(lab: &Lab, host: &str, path: &str, target: &Path) -> PathBuf {
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
    let copy = root().join(path.trim_start_matches('/').replace('/', "%"));
    copy_tree(target, &copy);
    copy
}

fn root() -> &'static Path {
    ROOT.get_or_init(|| {
        sweep();
        let dir = std::env::temp_dir().join(format!("{PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("the venv copies' directory");
        // SAFETY: atexit(3) with a function that takes nothing and only
        // removes a directory.
        unsafe { libc::atexit(remove_root) };
        dir
    })
}

extern "C" fn remove_root() {
    if let Some(dir) = ROOT.get() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Remove the copies of test processes that are gone (killed before exit).
fn sweep() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|pid| pid.parse::<i32>().ok())
        else {
            continue;
        };
        // SAFETY: kill(2) with signal 0 only asks whether the process exists.
        if unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
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
