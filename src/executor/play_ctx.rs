//! What every task of a play (or of one `serial` batch) shares: the play's
//! variables, handler notifications, and the per-host state that blocks,
//! `meta` and failure limits change as the batch runs.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use indexmap::IndexSet;

use crate::playbook::{Play, Task};
use crate::value::VarMap;

#[derive(Debug, Clone, Copy, Default)]
struct BlockDepth {
    blocks: usize,
    rescuing: usize,
}

pub struct PlayCtx<'a> {
    pub play: &'a Play,
    /// `ansible_play_hosts`, `ansible_play_batch` and friends.
    pub magic: Arc<VarMap>,
    /// Play `vars` with `vars_files` above them.
    pub vars: Arc<VarMap>,
    /// The hosts of this batch.
    pub batch: Vec<String>,
    /// Handlers notified per host (by name or `listen` topic), not yet run.
    notified: Mutex<HashMap<String, IndexSet<String>>>,
    /// How many blocks each host is inside, and how many of them have a `rescue:`.
    depth: Mutex<HashMap<String, BlockDepth>>,
    /// Hosts that failed inside a block and wait for its `rescue:`.
    failed_in_block: Mutex<HashSet<String>>,
    /// Hosts that `meta: end_host` took out of the play.
    ended: Mutex<HashSet<String>>,
    /// The batch stops (failure limits, `any_errors_fatal`, `end_batch`).
    stop_batch: AtomicBool,
    /// The whole play stops (`end_play`, failure limits).
    stop_play: AtomicBool,
    /// Variables an `include_tasks` loop sets for its tasks, per host.
    include_vars: Mutex<HashMap<String, Vec<Arc<VarMap>>>>,
}

impl<'a> PlayCtx<'a> {
    pub fn new(play: &'a Play, magic: Arc<VarMap>, vars: Arc<VarMap>, batch: Vec<String>) -> Self {
        Self {
            play,
            magic,
            vars,
            batch,
            notified: Mutex::default(),
            depth: Mutex::default(),
            failed_in_block: Mutex::default(),
            ended: Mutex::default(),
            stop_batch: AtomicBool::new(false),
            stop_play: AtomicBool::new(false),
            include_vars: Mutex::default(),
        }
    }

    pub fn notify(&self, host: &str, names: &[String]) {
        if let Ok(mut notified) = self.notified.lock() {
            notified
                .entry(host.to_string())
                .or_default()
                .extend(names.iter().cloned());
        }
    }

    /// Hosts among `hosts` that notified `handler`.
    pub fn notified_hosts(&self, handler: &Task, hosts: &[String]) -> Vec<String> {
        let Ok(notified) = self.notified.lock() else {
            return Vec::new();
        };
        hosts
            .iter()
            .filter(|host| {
                notified.get(host.as_str()).is_some_and(|names| {
                    super::handlers::handler_names(handler).any(|name| names.contains(name))
                })
            })
            .cloned()
            .collect()
    }

    pub fn forget_notifications(&self, hosts: &[String]) {
        if let Ok(mut notified) = self.notified.lock() {
            for host in hosts {
                notified.remove(host);
            }
        }
    }

    pub fn enter_block(&self, hosts: &[String], rescuing: bool) {
        self.change_depth(hosts, |d| {
            d.blocks += 1;
            d.rescuing += usize::from(rescuing);
        });
    }

    /// The block's own tasks are done: its `rescue:` no longer catches failures.
    pub fn leave_rescuable(&self, hosts: &[String]) {
        self.change_depth(hosts, |d| d.rescuing = d.rescuing.saturating_sub(1));
    }

    pub fn leave_block(&self, hosts: &[String]) {
        self.change_depth(hosts, |d| d.blocks = d.blocks.saturating_sub(1));
    }

    fn change_depth(&self, hosts: &[String], change: impl Fn(&mut BlockDepth)) {
        if let Ok(mut depth) = self.depth.lock() {
            hosts
                .iter()
                .for_each(|h| change(depth.entry(h.clone()).or_default()));
        }
    }

    fn depth_of(&self, host: &str) -> BlockDepth {
        self.depth
            .lock()
            .ok()
            .and_then(|d| d.get(host).copied())
            .unwrap_or_default()
    }

    /// Whether a failure of `host` now would be caught by a `rescue:`.
    pub fn is_rescuable(&self, host: &str) -> bool {
        self.depth_of(host).rescuing > 0
    }

    /// Whether `host` is inside a block (a failure then waits for its `always:`).
    pub fn in_block(&self, host: &str) -> bool {
        self.depth_of(host).blocks > 0
    }

    pub fn fail_in_block(&self, host: &str) {
        if let Ok(mut failed) = self.failed_in_block.lock() {
            failed.insert(host.to_string());
        }
    }

    pub fn failed_in_block(&self, host: &str) -> bool {
        self.failed_in_block
            .lock()
            .is_ok_and(|failed| failed.contains(host))
    }

    /// Take `hosts` that failed in a block, to run its `rescue:`.
    pub fn take_block_failures(&self, hosts: &[String]) -> Vec<String> {
        let Ok(mut failed) = self.failed_in_block.lock() else {
            return Vec::new();
        };
        hosts
            .iter()
            .filter(|h| failed.remove(h.as_str()))
            .cloned()
            .collect()
    }

    /// Set `vars` for `host`'s tasks until [`Self::pop_include_vars`].
    pub fn push_include_vars(&self, host: &str, vars: Arc<VarMap>) {
        if let Ok(mut layers) = self.include_vars.lock() {
            layers.entry(host.to_string()).or_default().push(vars);
        }
    }

    pub fn pop_include_vars(&self, host: &str) {
        if let Ok(mut layers) = self.include_vars.lock()
            && let Some(stack) = layers.get_mut(host)
        {
            stack.pop();
        }
    }

    pub fn include_vars(&self, host: &str) -> Vec<Arc<VarMap>> {
        self.include_vars
            .lock()
            .ok()
            .and_then(|l| l.get(host).cloned())
            .unwrap_or_default()
    }

    pub fn end_host(&self, host: &str) {
        if let Ok(mut ended) = self.ended.lock() {
            ended.insert(host.to_string());
        }
    }

    pub fn is_ended(&self, host: &str) -> bool {
        self.ended.lock().is_ok_and(|ended| ended.contains(host))
    }

    pub fn stop_batch(&self) {
        self.stop_batch.store(true, Ordering::SeqCst);
    }

    pub fn stop_play(&self) {
        self.stop_play.store(true, Ordering::SeqCst);
        self.stop_batch();
    }

    pub fn batch_stopped(&self) -> bool {
        self.stop_batch.load(Ordering::SeqCst)
    }

    pub fn play_stopped(&self) -> bool {
        self.stop_play.load(Ordering::SeqCst)
    }
}
