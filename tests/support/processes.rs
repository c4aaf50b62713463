//! Watching every process on the machine (lab hosts included: they share
//! /proc's view from here) for a secret in its argv or environment.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Run `work` while scanning every process's argv and environment for `secret`.
pub(crate) fn watching_processes<T>(secret: &str, work: impl FnOnce() -> T) -> (T, Vec<String>) {
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            let mut leaks = Vec::new();
            let mut scans = 0;
            while !done.load(Ordering::SeqCst) {
                leaks.extend(processes_containing(secret));
                scans += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            assert!(scans > 10, "the watcher saw the run");
            leaks
        });
        // Set even when `work` panics, or the scope would wait for the
        // watcher for ever.
        let stop = StopOnDrop(&done);
        let result = work();
        drop(stop);
        (result, watcher.join().expect("watcher"))
    })
}

struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn processes_containing(secret: &str) -> Vec<String> {
    let me = std::process::id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name == me || !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        for file in ["cmdline", "environ"] {
            let data = std::fs::read(entry.path().join(file)).unwrap_or_default();
            if String::from_utf8_lossy(&data).contains(secret) {
                found.push(format!(
                    "pid {name} {file}: {}",
                    String::from_utf8_lossy(&data)
                ));
            }
        }
    }
    found
}
