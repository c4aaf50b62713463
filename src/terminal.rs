//! Questions asked on the terminal (`/dev/tty`), for passphrases,
//! `vars_prompt` and `--step` — never on stdout, so piped output stays clean.
//! While a run is reporting, questions take a [`Route`] through its
//! reporter, so a question never overtakes output still queued for it.

use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::sync::{Arc, PoisonError, RwLock};

type Asker = Arc<dyn Fn(&str, bool) -> Option<String> + Send + Sync>;

static ROUTE: RwLock<Option<Asker>> = RwLock::new(None);

/// Questions go through `asker` until the route is dropped.
#[must_use = "the route ends when dropped"]
pub struct Route(());

impl Route {
    pub fn install(asker: impl Fn(&str, bool) -> Option<String> + Send + Sync + 'static) -> Self {
        *ROUTE.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(asker));
        Self(())
    }
}

impl Drop for Route {
    fn drop(&mut self) {
        *ROUTE.write().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// Ask `prompt` (through the run's reporter while one is running);
/// `echo: false` hides what is typed. `None` when there is no terminal or
/// nothing could be read.
pub fn ask(prompt: &str, echo: bool) -> Option<String> {
    let route = ROUTE.read().unwrap_or_else(PoisonError::into_inner).clone();
    match route {
        Some(asker) => asker(prompt, echo),
        None => ask_on_terminal(prompt, echo),
    }
}

/// Ask `prompt` on the terminal itself: what a reporter does with a question.
pub fn ask_on_terminal(prompt: &str, echo: bool) -> Option<String> {
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
    if !echo {
        let mut quiet = saved;
        quiet.c_lflag &= !libc::ECHO;
        // SAFETY: sets the attributes of the terminal we opened, restored below.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) };
    }
    let mut writer = &tty;
    let _ = writer.write_all(prompt.as_bytes());
    let mut line = String::new();
    let read = BufReader::new(&tty).read_line(&mut line);
    if !echo {
        // SAFETY: restores the attributes saved above.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
        let _ = writer.write_all(b"\n");
    }
    read.ok().filter(|n| *n > 0)?;
    Some(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Whether there is a terminal to ask on.
pub fn available() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}
