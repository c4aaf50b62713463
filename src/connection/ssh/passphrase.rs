//! Passphrases of encrypted keys: from `RUNBOOK_SSH_KEY_PASSPHRASE`, or asked
//! once per key on the terminal. Many hosts connect at once, so one worker
//! asks while the others wait, and the answer serves every host.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::auth::PASSPHRASE_ENV;

static ASKED: Mutex<BTreeMap<PathBuf, Option<String>>> = Mutex::new(BTreeMap::new());

/// The passphrase for `key`, or `None` when there is neither the variable nor a terminal.
pub fn passphrase_for(key: &Path) -> Option<String> {
    if let Ok(passphrase) = std::env::var(PASSPHRASE_ENV) {
        return Some(passphrase);
    }
    let mut asked = ASKED.lock().ok()?;
    if let Some(answer) = asked.get(key) {
        return answer.clone();
    }
    let answer = ask_on_terminal(&format!("Enter passphrase for key '{}': ", key.display()));
    asked.insert(key.to_path_buf(), answer.clone());
    answer
}

/// Ask on `/dev/tty` with echo off.
pub(crate) fn ask_on_terminal(prompt: &str) -> Option<String> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    let fd = tty.as_raw_fd();
    // SAFETY: termios is plain data; tcgetattr fills it for a valid fd.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut saved) } != 0 {
        return None;
    }
    let mut quiet = saved;
    quiet.c_lflag &= !libc::ECHO;
    // SAFETY: sets the attributes of the terminal we opened, restored below.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) };
    let mut writer = &tty;
    let _ = writer.write_all(prompt.as_bytes());
    let mut line = String::new();
    let read = BufReader::new(&tty).read_line(&mut line);
    // SAFETY: restores the attributes saved above.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    let _ = writer.write_all(b"\n");
    read.ok().filter(|n| *n > 0)?;
    Some(line.trim_end_matches(['\n', '\r']).to_string())
}
