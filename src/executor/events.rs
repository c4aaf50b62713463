use serde::Serialize;

use super::HostStats;
use crate::value::Value;

/// How a task ended on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Changed,
    Skipped,
    Failed,
    Unreachable,
}

/// One task's (or one loop item's) result on one host.
#[derive(Debug, Clone, Serialize)]
pub struct HostResult {
    pub host: String,
    pub task: String,
    pub status: Status,
    /// A failure that `ignore_errors` let pass.
    pub ignored: bool,
    /// The label of the loop item, for per-item results.
    pub item: Option<String>,
    pub delegated_to: Option<String>,
    /// The result as `register` would store it (censored under `no_log`).
    pub result: Value,
    /// The name of the module, for ad-hoc output.
    pub module: String,
}

/// What the executor tells the reporter, in the order it happens.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    PlayStart {
        name: String,
        hosts: Vec<String>,
    },
    TaskStart {
        name: String,
        location: String,
        handler: bool,
    },
    /// A per-item result of a loop; the task's own result follows.
    ItemResult(HostResult),
    HostResult(HostResult),
    /// An `until` condition did not hold yet; the task runs again.
    Retry {
        host: String,
        task: String,
        retries_left: usize,
        result: Value,
    },
    Warning {
        message: String,
    },
    NoHostsMatched {
        play: String,
    },
    Recap {
        hosts: Vec<(String, HostStats)>,
    },
}
