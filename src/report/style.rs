//! Colours, only when the output is a terminal and NO_COLOR is not set.

use console::Style;

use crate::executor::{HostStats, Status};

/// Decide once, at start-up, whether output is coloured.
pub(super) fn init_colors() {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if no_color {
        console::set_colors_enabled(false);
        console::set_colors_enabled_stderr(false);
    }
}

pub(super) fn for_status(status: Status) -> Style {
    match status {
        Status::Ok => Style::new().green(),
        Status::Changed => Style::new().yellow(),
        Status::Skipped => Style::new().cyan(),
        Status::Failed | Status::Unreachable => Style::new().red(),
    }
}

pub(super) fn for_recap(stats: &HostStats) -> Style {
    if stats.failed > 0 || stats.unreachable > 0 {
        Style::new().red()
    } else if stats.changed > 0 {
        Style::new().yellow()
    } else {
        Style::new().green()
    }
}

pub(super) fn warning() -> Style {
    Style::new().magenta()
}

pub(super) fn error() -> Style {
    Style::new().red().bold()
}
