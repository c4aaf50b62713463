//! Running plays: choosing hosts, scheduling tasks on a pool of `--forks`
//! workers, and turning module outcomes into Ansible's results. The executor
//! never prints; it sends [`Event`]s that a reporter renders.

mod context;
mod escalation;
mod events;
mod handlers;
mod host_state;
mod hostvars;
mod loops;
mod options;
mod play_ctx;
mod play_runner;
mod result;
mod run;
mod stats;
mod steps;
mod tags;
mod task_runner;

pub use escalation::BecomeDefaults;
pub use events::{Event, HostResult, Status};
pub use options::{DEFAULT_FORKS, RunOptions};
pub use run::{RunSummary, run_adhoc, run_playbook};
pub use stats::HostStats;
pub use tags::TagFilter;
