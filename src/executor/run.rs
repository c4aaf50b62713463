//! A whole run: the state shared by every worker, and the entry points for
//! playbooks and ad-hoc commands.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, RwLock};

use indexmap::IndexMap;

use super::context::{Context, layer};
use super::fleet::Fleet;
use super::host_state::HostEntry;
use super::hostvars::HostVars;
use super::play_ctx::PlayCtx;
use super::play_runner::run_play;
use super::{Event, HostStats, RunOptions, Status};
use crate::inventory::Inventory;
use crate::playbook::{Playbook, Task};
use crate::source::Diagnostic;
use crate::template::Templar;
use crate::value::{Value, VarMap};

/// The placeholder `omit` renders to; an argument with this value is dropped.
pub const OMIT: &str = "__omit_place_holder__runbook";

/// How the run ended, per host.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub stats: IndexMap<String, HostStats>,
}

impl RunSummary {
    pub fn any_failed(&self) -> bool {
        self.stats.values().any(|s| s.failed > 0)
    }

    pub fn any_unreachable(&self) -> bool {
        self.stats.values().any(|s| s.unreachable > 0)
    }
}

/// State shared by every worker of one run.
pub struct RunShared {
    pub templar: Arc<Templar>,
    pub options: RunOptions,
    pub playbook_dir: PathBuf,
    /// The inventory and its hosts; replaced by `meta: refresh_inventory`.
    fleet: RwLock<Arc<Fleet>>,
    events: Sender<Event>,
    /// Registered results and `set_fact`s, per host, for the whole run.
    facts: RwLock<HashMap<String, Arc<VarMap>>>,
    stats: Mutex<IndexMap<String, HostStats>>,
    /// Hosts that failed or were unreachable: they sit out the rest of the run.
    dead: Mutex<HashSet<String>>,
    /// Hosts that could not be reached (also in `dead`).
    unreachable: Mutex<HashSet<String>>,
    /// `--step` was answered with (c)ontinue.
    stop_stepping: std::sync::atomic::AtomicBool,
    /// `--start-at-task` found its task.
    started: std::sync::atomic::AtomicBool,
    extra_vars: Arc<VarMap>,
}

impl RunShared {
    pub fn new(
        inventory: Arc<Inventory>,
        options: RunOptions,
        playbook_dir: PathBuf,
        events: Sender<Event>,
    ) -> Result<Arc<Self>, Diagnostic> {
        let templar = Arc::new(Templar::new());
        let fleet = Fleet::build(inventory, &templar, &options, None)?;
        let extra_vars = Arc::new(options.extra_vars.clone());
        Ok(Arc::new(Self {
            templar,
            options,
            playbook_dir,
            fleet: RwLock::new(Arc::new(fleet)),
            events,
            facts: RwLock::default(),
            stats: Mutex::default(),
            dead: Mutex::default(),
            unreachable: Mutex::default(),
            started: std::sync::atomic::AtomicBool::new(false),
            stop_stepping: std::sync::atomic::AtomicBool::new(false),
            extra_vars,
        }))
    }

    /// The hosts as they are now.
    pub fn fleet(&self) -> Arc<Fleet> {
        self.fleet
            .read()
            .map(|fleet| fleet.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    pub fn host(&self, name: &str) -> Option<Arc<HostEntry>> {
        self.fleet().hosts.get(name).cloned()
    }

    /// `meta: refresh_inventory`: read the inventory sources again; later
    /// plays see the hosts and variables as they are now.
    pub fn refresh_inventory(&self) -> Result<(), Diagnostic> {
        let Some(sources) = &self.options.inventory_sources else {
            return Ok(());
        };
        let mut inventory = Inventory::load(&sources.sources, &sources.cwd)?;
        inventory.load_playbook_vars(&self.playbook_dir)?;
        let fleet = Fleet::build(
            Arc::new(inventory),
            &self.templar,
            &self.options,
            Some(&self.fleet()),
        )?;
        if let Ok(mut current) = self.fleet.write() {
            *current = Arc::new(fleet);
        }
        Ok(())
    }

    pub fn emit(&self, event: Event) {
        // The reporter only goes away when the run is over.
        let _ = self.events.send(event);
    }

    pub fn warn(&self, message: impl Into<String>) {
        self.emit(Event::Warning {
            message: message.into(),
        });
    }

    /// Count a result in the recap. Whether a failure takes the host out of
    /// the play is the caller's decision (blocks may still rescue it).
    pub fn record(&self, host: &str, status: Status, ignored: bool, changed: bool, rescued: bool) {
        if let Ok(mut stats) = self.stats.lock() {
            let stats = stats.entry(host.to_string()).or_default();
            if rescued {
                stats.rescued += 1;
            } else {
                stats.record(status, ignored, changed);
            }
        }
        if status == Status::Unreachable {
            if let Ok(mut unreachable) = self.unreachable.lock() {
                unreachable.insert(host.to_string());
            }
            self.mark_dead(host);
        }
    }

    pub fn is_unreachable(&self, host: &str) -> bool {
        self.unreachable.lock().is_ok_and(|u| u.contains(host))
    }

    /// `meta: clear_host_errors`: a failed (not unreachable) host rejoins.
    pub fn clear_failure(&self, host: &str) {
        if !self.is_unreachable(host)
            && let Ok(mut dead) = self.dead.lock()
        {
            dead.remove(host);
        }
    }

    /// Whether a task or meta with `tags` runs under `--tags`/`--skip-tags`.
    pub fn selects(&self, tags: &[String]) -> bool {
        self.options.tags.selects(tags)
    }

    /// `--step`: ask whether to run `task_name` (yes, no, or continue without asking).
    pub fn step_allows(&self, task_name: &str) -> bool {
        use std::sync::atomic::Ordering;
        if !self.options.step || self.stop_stepping.load(Ordering::SeqCst) {
            return true;
        }
        let question = format!("Perform task: TASK: {task_name} (N)o/(y)es/(c)ontinue: ");
        let answer = crate::terminal::ask(&question, true).unwrap_or_default();
        match answer.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => true,
            "c" | "continue" => {
                self.stop_stepping.store(true, Ordering::SeqCst);
                true
            }
            _ => false,
        }
    }

    /// `--start-at-task`: false until the named task comes, then true for good.
    pub fn reached_start(&self, task_names: &[&str]) -> bool {
        let Some(start) = &self.options.start_at_task else {
            return true;
        };
        if self.started.load(std::sync::atomic::Ordering::SeqCst) {
            return true;
        }
        let glob = globset::Glob::new(start)
            .ok()
            .map(|glob| glob.compile_matcher());
        let matches = task_names
            .iter()
            .any(|name| name == start || glob.as_ref().is_some_and(|g| g.is_match(name)));
        if matches {
            self.started
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        matches
    }

    pub fn ensure_in_recap(&self, host: &str) {
        if let Ok(mut stats) = self.stats.lock() {
            stats.entry(host.to_string()).or_default();
        }
    }

    pub fn mark_dead(&self, host: &str) {
        if let Ok(mut dead) = self.dead.lock() {
            dead.insert(host.to_string());
        }
    }

    pub fn is_dead(&self, host: &str) -> bool {
        self.dead.lock().is_ok_and(|dead| dead.contains(host))
    }

    pub fn facts(&self, host: &str) -> Arc<VarMap> {
        self.facts
            .read()
            .ok()
            .and_then(|facts| facts.get(host).cloned())
            .unwrap_or_default()
    }

    pub fn set_facts(&self, host: &str, new: VarMap) {
        if new.is_empty() {
            return;
        }
        if let Ok(mut facts) = self.facts.write() {
            let entry = facts.entry(host.to_string()).or_default();
            let mut merged = (**entry).clone();
            crate::value::overlay(&mut merged, &new);
            *entry = Arc::new(merged);
        }
    }

    /// Variables every template on `host` sees, whatever the play.
    fn magic(self: &Arc<Self>, host: &str) -> Arc<VarMap> {
        let fleet = self.fleet();
        let entry = fleet.hosts.get(host);
        let short = host.split('.').next().unwrap_or(host);
        let inventory_dir = fleet
            .inventory
            .dir
            .as_ref()
            .map(|d| Value::from(d.display().to_string()));
        layer([
            ("inventory_hostname", Value::from(host)),
            ("inventory_hostname_short", Value::from(short)),
            (
                "group_names",
                entry.map(|e| e.group_names.clone()).unwrap_or_default(),
            ),
            ("groups", fleet.groups.clone()),
            ("hostvars", HostVars::value(self)),
            (
                "playbook_dir",
                Value::from(self.playbook_dir.display().to_string()),
            ),
            ("inventory_dir", inventory_dir.unwrap_or_default()),
            ("ansible_check_mode", Value::from(self.options.check)),
            ("ansible_diff_mode", Value::from(self.options.diff)),
            ("ansible_verbosity", Value::from(self.options.verbosity)),
            ("ansible_forks", Value::from(self.options.forks)),
            ("omit", Value::from(OMIT)),
        ])
    }

    /// A host's variables outside any play: what `hostvars[host]` shows.
    pub fn host_context(self: &Arc<Self>, host: &str) -> Context {
        let mut context = Context::new(self.templar.clone());
        context.push(self.magic(host));
        if let Some(entry) = self.host(host) {
            context.push(entry.inventory_vars.clone());
        }
        context.push(self.facts(host));
        context.push(self.extra_vars.clone());
        context
    }

    /// The variables of `task` on `host` in `play`, in Ansible's precedence
    /// order (docs/variables.md); without a task, the play's own.
    pub fn task_context(
        self: &Arc<Self>,
        play: &PlayCtx,
        task: Option<&Task>,
        host: &str,
    ) -> Context {
        let role = task.and_then(|t| t.role.as_ref());
        let mut context = Context::new(self.templar.clone());
        context.push(self.magic(host));
        if let Some(role) = role {
            context.push(role.defaults.clone());
        }
        if let Some(entry) = self.host(host) {
            context.push(entry.inventory_vars.clone());
        }
        context.push(play.magic.clone());
        context.push(play.vars.clone());
        if let Some(role) = role {
            context.push(role.vars.clone());
        }
        if let Some(task) = task {
            context.push(Arc::new(task.vars.clone()));
        }
        for layer in play.include_vars(host) {
            context.push(layer);
        }
        context.push(self.facts(host));
        context.push(self.extra_vars.clone());
        context
    }

    /// Whether every `when:` of a `meta` holds on `host`.
    pub fn meta_condition_holds(
        self: &Arc<Self>,
        play: &PlayCtx,
        meta: &crate::playbook::Meta,
        host: &str,
    ) -> bool {
        self.first_false_condition(play, &meta.when, host, None)
            .is_none()
    }

    /// The first of `conditions` that does not hold on `host` (an error
    /// counts as not holding), with `extra` variables on top.
    pub fn first_false_condition(
        self: &Arc<Self>,
        play: &PlayCtx,
        conditions: &[String],
        host: &str,
        extra: Option<Arc<VarMap>>,
    ) -> Option<String> {
        let mut context = self.task_context(play, None, host);
        if let Some(extra) = extra {
            context.push(extra);
        }
        let vars = context.value();
        conditions
            .iter()
            .find(|condition| {
                !self
                    .templar
                    .eval_condition(condition, &vars)
                    .unwrap_or(false)
            })
            .cloned()
    }

    pub fn extra_vars_context(&self) -> Context {
        Context::new(self.templar.clone()).with_layer(self.extra_vars.clone())
    }

    pub fn summary(&self) -> RunSummary {
        RunSummary {
            stats: self.stats.lock().map(|s| s.clone()).unwrap_or_default(),
        }
    }

    pub fn close_connections(&self) {
        for entry in self.fleet().hosts.values() {
            if let Ok(mut state) = entry.state.lock() {
                state.connection.close();
                state.delegated.values_mut().for_each(|slot| slot.close());
            }
        }
    }
}

/// Run every play of `playbook`, sending events as they happen.
pub fn run_playbook(
    playbook: &Playbook,
    inventory: Arc<Inventory>,
    options: RunOptions,
    events: Sender<Event>,
) -> Result<RunSummary, Diagnostic> {
    let pool = worker_pool(options.forks)?;
    let run = RunShared::new(inventory, options, playbook.dir.clone(), events)?;
    for play in &playbook.plays {
        run_play(&run, play, &pool)?;
    }
    run.close_connections();
    let summary = run.summary();
    run.emit(Event::Recap {
        hosts: summary.stats.iter().map(|(h, s)| (h.clone(), *s)).collect(),
    });
    Ok(summary)
}

/// `runbook run PATTERN -m MODULE -a ARGS`: one task on every matching host.
pub fn run_adhoc(
    pattern: &str,
    task: Task,
    inventory: Arc<Inventory>,
    options: RunOptions,
    events: Sender<Event>,
) -> Result<RunSummary, Diagnostic> {
    let mut play = crate::playbook::Play::new(pattern.to_string(), task.span.clone());
    play.name = Some(format!("Ansible Ad-Hoc {pattern}"));
    play.gather_facts = false;
    play.tasks = vec![crate::playbook::Step::Task(Box::new(task))];
    let pool = worker_pool(options.forks)?;
    let cwd = std::env::current_dir().unwrap_or_default();
    let run = RunShared::new(inventory, options, cwd, events)?;
    run_play(&run, &play, &pool)?;
    run.close_connections();
    Ok(run.summary())
}

fn worker_pool(forks: usize) -> Result<rayon::ThreadPool, Diagnostic> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(forks.max(1))
        .thread_name(|i| format!("runbook-worker-{i}"))
        .build()
        .map_err(|e| Diagnostic::runtime(format!("cannot start {forks} workers: {e}")))
}
