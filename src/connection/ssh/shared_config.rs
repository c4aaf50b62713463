//! One `ssh -G` for many hosts. Starting `ssh` once per host was about half
//! of the controller's CPU on a fleet. When the OpenSSH config files say the
//! same for every host — no `Match`, no `Host` but `*`, no canonicalization,
//! no token that is not derived from the host name or the arguments — then
//! the output for a host is the output for a placeholder name with the
//! placeholder replaced, and hosts with the same arguments but for the
//! destination share one run. Any doubt (an `Include` it cannot follow, a
//! file it cannot read, an odd option) and the host gets its own `ssh -G`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// The destination given to the shared `ssh -G`: lowercase, as ssh prints
/// host names, and too odd to appear in a config by chance.
const PLACEHOLDER: &str = "runbook-shared-ssh-g-5d1c0e7a.invalid";

type Slot = Arc<OnceLock<Option<String>>>;

static RUNS: Mutex<Option<HashMap<Vec<String>, Slot>>> = Mutex::new(None);

/// What `ssh -G` prints for `destination` with `options` (every argument
/// before the destination), from a run shared with every host that has the
/// same options; `None` when this host needs its own run.
pub(super) fn output_for(options: &[String], destination: &str) -> Option<String> {
    if !plain_destination(destination) {
        return None;
    }
    let slot = {
        // Each change to the map is one insertion; a panic cannot leave it half-done.
        let mut runs = RUNS.lock().unwrap_or_else(PoisonError::into_inner);
        let runs = runs.get_or_insert_with(HashMap::new);
        Arc::clone(runs.entry(options.to_vec()).or_default())
    };
    let shared = slot.get_or_init(|| run_shared(options));
    shared
        .as_deref()
        .map(|output| output.replace(PLACEHOLDER, &destination.to_ascii_lowercase()))
}

/// A destination that ssh reads as a plain host name (no `user@`, no
/// option, nothing a token could mistake).
fn plain_destination(destination: &str) -> bool {
    !destination.is_empty()
        && !destination.starts_with('-')
        && destination
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
}

fn run_shared(options: &[String]) -> Option<String> {
    if !host_independent(options) {
        return None;
    }
    let output = Command::new("ssh")
        .args(options)
        .arg(PLACEHOLDER)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Whether the config files ssh reads with `options` say the same for
/// every destination.
fn host_independent(options: &[String]) -> bool {
    let Some(files) = config_files(options) else {
        return false;
    };
    let mut seen = 0;
    files
        .iter()
        .all(|(file, base)| file_is_host_independent(file, base, &mut seen))
}

/// The files ssh reads, each with the folder its relative `Include`s start
/// from: `-F FILE` alone, else the user's and the system's.
fn config_files(options: &[String]) -> Option<Vec<(PathBuf, PathBuf)>> {
    let mut explicit = None;
    let mut after_o = false;
    let mut iter = options.iter().skip_while(|a| *a == "-G");
    while let Some(arg) = iter.next() {
        if after_o {
            after_o = false;
            continue;
        }
        match arg.as_str() {
            "-o" => after_o = true,
            "-F" => explicit = Some(PathBuf::from(iter.next()?)),
            "-p" | "-l" | "-i" | "-J" => {
                iter.next()?;
            }
            "--" => break,
            other if other.starts_with("-o") => {}
            other if other.starts_with("-F") => explicit = Some(PathBuf::from(&other[2..])),
            // Another option might change what is read: no sharing.
            other if other.starts_with('-') => return None,
            _ => {}
        }
    }
    let mut homes = vec![std::env::var_os("HOME").map(PathBuf::from)];
    homes.push(passwd_home());
    let mut files = Vec::new();
    match explicit {
        Some(file) => {
            let base = homes.iter().flatten().next()?.join(".ssh");
            files.push((file, base));
        }
        None => {
            for home in homes.into_iter().flatten() {
                files.push((home.join(".ssh/config"), home.join(".ssh")));
            }
            files.push((
                PathBuf::from("/etc/ssh/ssh_config"),
                PathBuf::from("/etc/ssh"),
            ));
        }
    }
    Some(files)
}

fn passwd_home() -> Option<PathBuf> {
    // SAFETY: getpwuid returns a pointer into static storage or null; the
    // directory is copied out before any other passwd call on this thread.
    unsafe {
        let entry = libc::getpwuid(libc::getuid());
        if entry.is_null() || (*entry).pw_dir.is_null() {
            return None;
        }
        let dir = std::ffi::CStr::from_ptr((*entry).pw_dir);
        Some(PathBuf::from(
            std::ffi::OsStr::from_encoded_bytes_unchecked(dir.to_bytes()),
        ))
    }
}

/// At most this many files are followed through `Include`s.
const MAX_FILES: usize = 64;

fn file_is_host_independent(file: &Path, base: &Path, seen: &mut usize) -> bool {
    *seen += 1;
    if *seen > MAX_FILES {
        return false;
    }
    let text = match std::fs::read(file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return true,
        Err(_) => return false,
    };
    text.lines()
        .all(|line| line_is_host_independent(line, base, seen))
}

fn line_is_host_independent(line: &str, base: &Path, seen: &mut usize) -> bool {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return true;
    }
    let (keyword, value) = line
        .split_once(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or((line, ""));
    let value = value.trim_start_matches(|c: char| c.is_whitespace() || c == '=');
    if !tokens_are_shared(value) {
        return false;
    }
    match keyword.to_ascii_lowercase().as_str() {
        "host" => value.split_whitespace().all(|pattern| pattern == "*"),
        "match" => value.trim().eq_ignore_ascii_case("all"),
        "canonicalizehostname" => value.trim().eq_ignore_ascii_case("no"),
        "include" => value
            .split_whitespace()
            .all(|pattern| include_is_host_independent(pattern, base, seen)),
        _ => true,
    }
}

/// `%` tokens that are the same for every host sharing a run (`%h`, the
/// host name, is replaced with the placeholder).
fn tokens_are_shared(value: &str) -> bool {
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '%'
            && !matches!(
                chars.next(),
                Some('%' | 'h' | 'd' | 'u' | 'i' | 'l' | 'L' | 'p' | 'r')
            )
        {
            return false;
        }
    }
    true
}

fn include_is_host_independent(pattern: &str, base: &Path, seen: &mut usize) -> bool {
    let path = match pattern.strip_prefix("~/") {
        Some(rest) => match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(rest),
            None => return false,
        },
        None if pattern.starts_with('/') => PathBuf::from(pattern),
        None => base.join(pattern),
    };
    let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
        return false;
    };
    let folder_text = folder.to_string_lossy();
    if folder_text.contains(['*', '?', '[']) {
        return false;
    }
    let name = name.to_string_lossy();
    if !name.contains(['*', '?', '[']) {
        return file_is_host_independent(&path, base, seen);
    }
    let Ok(glob) = globset::Glob::new(&name) else {
        return false;
    };
    let matcher = glob.compile_matcher();
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return true,
        Err(_) => return false,
    };
    entries.flatten().all(|entry| {
        let file_name = entry.file_name();
        !matcher.is_match(Path::new(&file_name))
            || file_is_host_independent(&entry.path(), base, seen)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn independent(text: &str) -> bool {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("config");
        std::fs::write(&file, text).expect("write");
        let mut seen = 0;
        file_is_host_independent(&file, dir.path(), &mut seen)
    }

    #[test]
    fn only_configs_that_say_the_same_for_every_host_are_shared() {
        assert!(independent(""));
        assert!(independent(
            "Host *\n  SendEnv LANG LC_*\n  HashKnownHosts yes\n"
        ));
        assert!(independent(
            "IdentityFile ~/.ssh/id_%u\nUserKnownHostsFile=/kh/%h\n"
        ));
        assert!(!independent("Host web*\n  User deploy\n"));
        assert!(!independent("Host * !db\n  User deploy\n"));
        assert!(!independent("Match host 10.*\n  User x\n"));
        assert!(!independent("CanonicalizeHostname yes\n"));
        assert!(!independent("IdentityFile ~/.ssh/%C\n"));
        assert!(!independent("IdentityFile ~/.ssh/%n\n"));
        assert!(independent("Match all\n  User x\n"));
    }

    #[test]
    fn includes_are_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("conf.d")).expect("mkdir");
        std::fs::write(dir.path().join("conf.d/a.conf"), "Host *\n User a\n").expect("a");
        std::fs::write(dir.path().join("conf.d/ignored"), "Host db\n").expect("ignored");
        let config = dir.path().join("config");
        std::fs::write(&config, "Include conf.d/*.conf\n").expect("config");
        let mut seen = 0;
        assert!(file_is_host_independent(&config, dir.path(), &mut seen));
        std::fs::write(dir.path().join("conf.d/b.conf"), "Host db\n User b\n").expect("b");
        let mut seen = 0;
        assert!(!file_is_host_independent(&config, dir.path(), &mut seen));
    }

    #[test]
    fn options_that_may_change_what_is_read_are_not_shared() {
        let args = |list: &[&str]| list.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        assert!(config_files(&args(&["-G", "-o", "User=x", "-p", "22"])).is_some());
        let explicit = config_files(&args(&["-G", "-F", "/x/config"])).expect("files");
        assert_eq!(explicit.len(), 1);
        assert_eq!(explicit[0].0, PathBuf::from("/x/config"));
        assert!(config_files(&args(&["-G", "-4"])).is_none());
        assert!(!plain_destination("user@host"));
        assert!(!plain_destination("-oProxyCommand=x"));
        assert!(plain_destination("db-01.example.com"));
        assert!(plain_destination("fe80::1"));
    }

    #[test]
    fn the_shared_output_names_each_host() {
        let options = vec!["-G".to_string(), "-p".to_string(), "2222".to_string()];
        let (Some(one), Some(two)) = (output_for(&options, "Node1"), output_for(&options, "node2"))
        else {
            return; // no ssh here, or a config that needs a run per host
        };
        assert!(one.lines().any(|l| l == "hostname node1"), "{one}");
        assert!(two.lines().any(|l| l == "hostname node2"), "{two}");
        assert!(!one.contains(PLACEHOLDER));
    }
}
