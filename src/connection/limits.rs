//! What the controller enforces on a host's commands, whatever the host
//! does: a deadline (a task's `timeout:`, measured here rather than by the
//! host, so a frozen host cannot stall it) and a bound on how much output is
//! kept. The connection slot sets them per task; the connection it opened
//! reads them for every command and reports what it dropped. A shared handle
//! rather than arguments, so wrappers such as `Escalating` pass them through
//! untouched.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Bytes of a stream that were left out of a command's result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    pub stdout: u64,
    pub stderr: u64,
}

#[derive(Debug, Default)]
struct State {
    deadline: Option<Instant>,
    output_limit: Option<usize>,
    dropped: Dropped,
}

/// A handle shared by a host's connection slot and its open connection.
#[derive(Debug, Clone, Default)]
pub struct CommandLimits {
    state: Arc<Mutex<State>>,
}

impl CommandLimits {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Give up on every command still running at `deadline` (`None`: never).
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        self.with(|state| state.deadline = deadline);
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.with(|state| state.deadline)
    }

    /// Keep at most `limit` bytes of each stream of the following commands
    /// (`None`: everything, as file reads need).
    pub fn bound_output(&self, limit: Option<usize>) {
        self.with(|state| state.output_limit = limit);
    }

    pub fn output_limit(&self) -> Option<usize> {
        self.with(|state| state.output_limit)
    }

    /// Called by the connection after each command.
    pub fn record_dropped(&self, dropped: Dropped) {
        self.with(|state| state.dropped = dropped);
    }

    /// What the last command dropped, and forget it.
    pub fn take_dropped(&self) -> Dropped {
        self.with(|state| std::mem::take(&mut state.dropped))
    }
}
