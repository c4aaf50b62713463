//! Colours: on a terminal unless NO_COLOR or ansible.cfg's `nocolor` says
//! otherwise; everywhere with `force_color`.

use console::Style;

use crate::executor::{HostStats, Status};

/// Decide once, at start-up, whether output is coloured: `Some(false)` for
/// `nocolor`, `Some(true)` for `force_color`, `None` to let the terminal decide.
pub(super) fn init_colors(choice: Option<bool>) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let enabled = if no_color { Some(false) } else { choice };
    if let Some(enabled) = enabled {
        console::set_colors_enabled(enabled);
        console::set_colors_enabled_stderr(enabled);
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

/// Ansible's `COLOR_DEBUG` (dark gray), for the async poll lines.
pub(super) fn debug() -> Style {
    Style::new().color256(8)
}

/// Ansible's `COLOR_VERBOSE` (blue), for `-vvv` connection detail.
pub(super) fn verbose() -> Style {
    Style::new().blue()
}

pub(super) fn warning() -> Style {
    Style::new().magenta()
}

pub(super) fn error() -> Style {
    Style::new().red().bold()
}
