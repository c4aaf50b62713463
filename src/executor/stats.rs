use serde::{Deserialize, Serialize};

use super::Status;

/// One host's line in the PLAY RECAP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostStats {
    pub ok: u32,
    pub changed: u32,
    pub unreachable: u32,
    pub failed: u32,
    pub skipped: u32,
    pub rescued: u32,
    pub ignored: u32,
}

impl HostStats {
    /// Count one task result as Ansible does: a changed task is also ok, and
    /// an ignored failure counts as ok and ignored (and changed if it changed).
    pub fn record(&mut self, status: Status, ignored: bool, changed: bool) {
        match status {
            Status::Ok => self.ok += 1,
            Status::Changed => {
                self.ok += 1;
                self.changed += 1;
            }
            Status::Skipped => self.skipped += 1,
            Status::Failed if ignored => {
                self.ok += 1;
                self.ignored += 1;
                self.changed += u32::from(changed);
            }
            Status::Failed => self.failed += 1,
            Status::Unreachable => self.unreachable += 1,
        }
    }

    /// The counts of two runs (or playbooks) together.
    pub fn add(&mut self, other: &Self) {
        self.ok += other.ok;
        self.changed += other.changed;
        self.unreachable += other.unreachable;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.rescued += other.rescued;
        self.ignored += other.ignored;
    }
}
