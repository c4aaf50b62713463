//! Running plays: choosing hosts, scheduling tasks on a pool of `--forks`
//! workers, and turning module outcomes into Ansible's results. The executor
//! never prints; it sends [`Event`]s that a reporter renders.
//!
//! Modules depend only downwards: `entry` → `play_runner` → `steps`,
//! `include`, `handlers` (all methods of [`schedule::Stage`]) → `schedule`
//! → `task_executor` → `run`, `variables`, `host_table`/`host_record`.

mod context;
mod dynamic_inventory;
mod entry;
mod escalation;
mod events;
mod failure_text;
mod flags;
mod fleet;
mod gate;
mod handlers;
mod host_entry;
mod host_record;
mod host_table;
mod hostvars;
mod include;
mod loops;
mod names;
mod options;
mod play_ctx;
mod play_runner;
mod result;
mod run;
mod schedule;
mod stats;
mod steps;
mod tags;
mod task_executor;
mod variables;
mod vars_files;
mod workers;

pub use entry::{run_adhoc, run_playbook};
pub use escalation::BecomeDefaults;
pub use events::{Event, HostResult, Question, Status};
pub use options::{DEFAULT_FORKS, DEFAULT_POLL_INTERVAL, InventorySources, RunOptions};
pub use run::RunSummary;
pub use stats::HostStats;
pub use tags::TagFilter;
