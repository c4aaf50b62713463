//! Processes a lab started, identified so that a recycled pid is never
//! mistaken for them: a pid plus its start time (from `/proc/<pid>/stat`),
//! and a command line that must still name the lab's files.

use std::fs;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct ProcessId {
    pub pid: u32,
    /// Clock ticks after boot at which the process started.
    pub start_time: u64,
}

/// The fields of `/proc/<pid>/stat` a lab cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ProcStat {
    pub state: char,
    pub parent: u32,
    pub start_time: u64,
}

/// Parse `/proc/<pid>/stat`. The command name may hold spaces and
/// parentheses, so fields are counted from the last `)`.
pub(super) fn parse_stat(text: &str) -> Option<ProcStat> {
    let after_name = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    Some(ProcStat {
        state: fields.first()?.chars().next()?,
        parent: fields.get(1)?.parse().ok()?,
        start_time: fields.get(19)?.parse().ok()?,
    })
}

pub(super) fn stat(pid: u32) -> Option<ProcStat> {
    parse_stat(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// The command line with NULs turned into spaces (sshd rewrites its own as
/// one string, so this form compares both alike).
pub(super) fn cmdline(pid: u32) -> Option<String> {
    let bytes = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(String::from_utf8_lossy(&bytes).replace('\0', " "))
}

impl ProcessId {
    pub(super) fn of(pid: u32) -> Option<Self> {
        Some(ProcessId {
            pid,
            start_time: stat(pid)?.start_time,
        })
    }

    /// Still this very process, still running (a zombie has finished), and
    /// its command line still contains `marker`.
    pub(super) fn is_running(&self, marker: &str) -> bool {
        let same_process = stat(self.pid)
            .is_some_and(|stat| stat.start_time == self.start_time && stat.state != 'Z');
        same_process && cmdline(self.pid).is_some_and(|line| line.contains(marker))
    }

    /// Send `signal` if the process still is the one described.
    pub(super) fn signal(&self, signal: libc::c_int, marker: &str) -> bool {
        if !self.is_running(marker) {
            return false;
        }
        let Ok(pid) = libc::pid_t::try_from(self.pid) else {
            return false;
        };
        // SAFETY: kill has no memory-safety preconditions; the pid was just
        // checked to still be the process this lab started.
        unsafe { libc::kill(pid, signal) == 0 }
    }

    /// Wait until the process has finished, reaping it if it is our child
    /// (when `up` ran in this process); true if it finished in time.
    pub(super) fn wait_gone(&self, marker: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            reap_if_child(self.pid);
            if !self.is_running(marker) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Collect the exit status of `pid` if it is a finished child of this
/// process; anything else (not our child, still running) is left alone.
pub(super) fn reap_if_child(pid: u32) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    let mut status = 0;
    // SAFETY: status is a valid out-pointer; WNOHANG never blocks, and
    // waitpid on a pid that is not our child only returns ECHILD.
    unsafe {
        libc::waitpid(pid, &mut status, libc::WNOHANG);
    }
}

/// The pids whose parent is `parent`.
pub(super) fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| stat(*pid).is_some_and(|stat| stat.parent == parent))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        let line =
            "4242 (odd ) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 777 1000 10";
        assert_eq!(
            parse_stat(line),
            Some(ProcStat {
                state: 'S',
                parent: 17,
                start_time: 777
            })
        );
    }

    #[test]
    fn truncated_stat_is_rejected() {
        assert_eq!(parse_stat("12 (x) S 1 2"), None);
        assert_eq!(parse_stat("no parenthesis"), None);
    }

    #[test]
    fn this_process_is_running_and_a_recycled_pid_is_not() {
        let me = ProcessId::of(std::process::id()).expect("own stat");
        assert!(me.is_running(""));
        let recycled = ProcessId {
            start_time: me.start_time + 1,
            ..me
        };
        assert!(!recycled.is_running(""));
        assert!(!me.is_running("no such marker in a test binary cmdline"));
    }

    #[test]
    #[expect(
        clippy::zombie_processes,
        reason = "reaping the child through waitpid is what is tested"
    )]
    fn a_finished_child_is_gone() {
        let child = std::process::Command::new("true").spawn().expect("spawn");
        // Until reaped, a finished child is a zombie whose stat is readable.
        let id = ProcessId::of(child.id()).expect("stat of own child");
        assert!(id.wait_gone("", Duration::from_secs(5)));
        assert!(stat(id.pid).is_none(), "child was reaped");
    }
}
