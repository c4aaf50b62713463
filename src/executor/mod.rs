//! Running plays: choosing hosts, scheduling tasks on a pool of `--forks`
//! workers, and turning module outcomes into Ansible's results. The executor
//! never prints; it sends [`Event`]s that a reporter renders.

mod context;
mod escalation;
mod events;
mod failure_text;
mod fleet;
mod handlers;
mod host_state;
mod hostvars;
mod item_loop;
mod loops;
mod options;
mod play_ctx;
mod play_runner;
mod result;
mod run;
mod settle;
mod stats;
mod steps;
mod tags;
mod task_runner;

pub use escalation::BecomeDefaults;
pub use events::{Event, HostResult, Status};
pub use options::{DEFAULT_FORKS, InventorySources, RunOptions};
pub use run::{RunSummary, run_adhoc, run_playbook};
pub use stats::HostStats;
pub use tags::TagFilter;
