//! Wall-clock time in the machine's time zone, for the timestamps Ansible
//! prints in local time (command results, the log file).

use std::time::SystemTime;

/// A moment broken down in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micros: u32,
}

impl LocalTime {
    /// `time` in the local zone, or `None` if the C library cannot tell.
    pub fn of(time: SystemTime) -> Option<Self> {
        let since_epoch = time.duration_since(SystemTime::UNIX_EPOCH).ok()?;
        let seconds = libc::time_t::try_from(since_epoch.as_secs()).ok()?;
        // SAFETY: localtime_r only writes into the zeroed struct we own.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        let converted = unsafe { !libc::localtime_r(&seconds, &mut tm).is_null() };
        let field = |value: libc::c_int| u32::try_from(value).unwrap_or_default();
        converted.then(|| Self {
            year: tm.tm_year + 1900,
            month: field(tm.tm_mon + 1),
            day: field(tm.tm_mday),
            hour: field(tm.tm_hour),
            minute: field(tm.tm_min),
            second: field(tm.tm_sec),
            micros: since_epoch.subsec_micros(),
        })
    }

    /// `2026-11-24 01:02:03` (the caller adds the fraction it wants).
    pub fn date_and_time(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}
