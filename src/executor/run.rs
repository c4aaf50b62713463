//! What every worker of one run shares: the template engine, the options,
//! the hosts (inventory entries and per-host records), the task gate and
//! the event channel. Nothing here is per task; per-host state lives in the
//! [`HostRecord`](super::host_record::HostRecord)s of [`HostTable`].

use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, RwLock};

use indexmap::IndexMap;

use super::context::layer;
use super::dynamic_inventory::InventoryChange;
use super::fleet::Fleet;
use super::gate::{StepAnswer, TaskGate};
use super::host_entry::HostEntry;
use super::host_table::HostTable;
use super::hostvars::{HostLookup, HostVars};
use super::{Event, HostStats, RunOptions, Status};
use crate::inventory::Inventory;
use crate::source::Diagnostic;
use crate::template::Templar;
use crate::value::{Value, VarMap};

pub(super) use crate::template::OMIT;

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

pub(super) struct Run {
    pub templar: Arc<Templar>,
    pub options: RunOptions,
    pub playbook_dir: PathBuf,
    pub hosts: HostTable,
    pub gate: TaskGate,
    /// The inventory and its hosts; replaced by `meta: refresh_inventory`.
    fleet: RwLock<Arc<Fleet>>,
    /// Held while `add_host`/`group_by` change the fleet, one at a time.
    pub(super) inventory_edits: std::sync::Mutex<()>,
    /// What they changed, for `refresh_inventory` to change again.
    inventory_changes: std::sync::Mutex<Vec<InventoryChange>>,
    events: Sender<Event>,
    pub(super) extra_vars: Arc<VarMap>,
    /// The magic variables that are the same on every host.
    pub(super) run_magic: Arc<VarMap>,
    /// Task names already rendered for a banner, by task: Ansible renders a
    /// task's name once and keeps it, so later `serial` batches show the
    /// first batch's rendering.
    pub(super) rendered_names: std::sync::Mutex<std::collections::HashMap<(usize, String), String>>,
    /// Where connections note their sessions and commands: on at `-vvv`.
    pub(super) connection_trace: crate::connection::Trace,
}

impl Run {
    pub(super) fn new(
        inventory: Arc<Inventory>,
        options: RunOptions,
        playbook_dir: PathBuf,
        events: Sender<Event>,
    ) -> Result<Arc<Self>, Diagnostic> {
        let templar = Arc::new(Templar::new());
        let connection_trace = super::events::connection_trace(options.verbosity, &events);
        let run = Arc::new_cyclic(|run: &std::sync::Weak<Self>| {
            let lookup: std::sync::Weak<dyn HostLookup> = run.clone();
            Self {
                run_magic: run_magic(&options, &playbook_dir, lookup),
                extra_vars: Arc::new(options.extra_vars.clone()),
                gate: TaskGate::new(&options),
                fleet: RwLock::new(Arc::new(Fleet::empty(inventory.clone()))),
                inventory_edits: std::sync::Mutex::new(()),
                inventory_changes: std::sync::Mutex::default(),
                rendered_names: std::sync::Mutex::default(),
                templar: templar.clone(),
                options,
                playbook_dir,
                hosts: HostTable::default(),
                connection_trace,
                events,
            }
        });
        let fleet = Fleet::build(inventory, &templar, &run.options, None)?;
        run.replace_fleet(fleet);
        Ok(run)
    }

    /// The hosts as they are now.
    pub(super) fn fleet(&self) -> Arc<Fleet> {
        self.fleet
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub(super) fn replace_fleet(&self, fleet: Fleet) {
        *self
            .fleet
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(fleet);
    }

    pub(super) fn host(&self, name: &str) -> Option<Arc<HostEntry>> {
        self.fleet().hosts.get(name).cloned()
    }

    /// `meta: refresh_inventory`: read the inventory sources again; later
    /// plays see the hosts and variables as they are now.
    pub(super) fn refresh_inventory(&self) -> Result<(), Diagnostic> {
        let Some(sources) = &self.options.inventory_sources else {
            return Ok(());
        };
        let mut inventory = Inventory::load(&sources.sources, &sources.cwd)?;
        inventory.load_playbook_vars(&self.playbook_dir)?;
        let changes = self
            .inventory_changes
            .lock()
            .map(|changes| changes.clone())
            .unwrap_or_default();
        for change in changes {
            // A host a change named may be gone from the sources: skip it, as Ansible does.
            let _ = change.apply(&mut inventory);
        }
        let fleet = Fleet::build(
            Arc::new(inventory),
            &self.templar,
            &self.options,
            Some(&self.fleet()),
        )?;
        self.replace_fleet(fleet);
        Ok(())
    }

    pub(super) fn remember_inventory_change(&self, change: InventoryChange) {
        if let Ok(mut changes) = self.inventory_changes.lock() {
            changes.push(change);
        }
    }

    pub(super) fn emit(&self, event: Event) {
        // The reporter only goes away when the run is over.
        let _ = self.events.send(event);
    }

    pub(super) fn warn(&self, message: impl Into<String>) {
        self.emit(Event::Warning {
            message: message.into(),
        });
    }

    /// `--step`: ask whether to run the task called `task_name`.
    pub(super) fn ask_step(&self, task_name: &str) -> StepAnswer {
        let question = format!("Perform task: TASK: {task_name} (N)o/(y)es/(c)ontinue: ");
        let answer = crate::terminal::ask(&question, true).unwrap_or_default();
        match answer.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => StepAnswer::Yes,
            "c" | "continue" => StepAnswer::Continue,
            _ => StepAnswer::No,
        }
    }

    /// Count a result in `host`'s recap line.
    pub(super) fn count(&self, host: &str, status: Status, ignored: bool, changed: bool) {
        self.hosts.join_recap(host);
        self.hosts
            .update(host, |record| record.count(status, ignored, changed));
    }

    pub(super) fn set_facts(&self, host: &str, facts: &VarMap) {
        if !facts.is_empty() {
            self.hosts.update(host, |record| record.set_facts(facts));
        }
    }

    /// Variables `include_vars` read from the author's files.
    pub(super) fn set_file_vars(&self, host: &str, vars: &VarMap) {
        if !vars.is_empty() {
            self.hosts.update(host, |record| record.set_file_vars(vars));
        }
    }

    pub(super) fn summary(&self) -> RunSummary {
        RunSummary {
            stats: self.hosts.recap(),
        }
    }

    /// `meta: reset_connection`: close `host`'s sessions; the next task
    /// connects again.
    pub(super) fn reset_connection(&self, host: &str) {
        if let Some(entry) = self.fleet().hosts.get(host)
            && let Ok(mut connections) = entry.connections.lock()
        {
            connections.close();
        }
    }

    /// Close every host's connections and send what they cost.
    pub(super) fn close_connections(&self) {
        let mut traffic = Vec::new();
        for (host, entry) in &self.fleet().hosts {
            if let Ok(mut connections) = entry.connections.lock() {
                connections.close();
                let spent = connections.traffic();
                if spent != crate::connection::Traffic::default() {
                    traffic.push((host.clone(), spent));
                }
            }
        }
        traffic.sort_by(|a, b| a.0.cmp(&b.0));
        self.emit(Event::Traffic { hosts: traffic });
    }
}

/// The magic variables that are the same on every host of the run.
fn run_magic(
    options: &RunOptions,
    playbook_dir: &std::path::Path,
    run: std::sync::Weak<dyn HostLookup>,
) -> Arc<VarMap> {
    let mut magic = layer([
        ("hostvars", HostVars::value(run)),
        (
            "playbook_dir",
            Value::from(playbook_dir.display().to_string()),
        ),
        ("ansible_check_mode", Value::from(options.check)),
        ("ansible_diff_mode", Value::from(options.diff)),
        ("ansible_verbosity", Value::from(options.verbosity)),
        ("ansible_forks", Value::from(options.forks)),
        ("ansible_version", ansible_version()),
        ("ansible_run_tags", run_tags(&options.tags.only)),
        ("ansible_skip_tags", strings(&options.tags.skip)),
        ("ansible_inventory_sources", inventory_sources(options)),
        // No ansible.cfg is read: Ansible's value without one.
        ("ansible_config_file", Value::from(())),
        ("omit", Value::from(OMIT)),
        // Defined before any fact is, as Ansible's empty fact cache gives it.
        ("ansible_facts", crate::value::map_value(VarMap::new())),
    ]);
    if let Some(limit) = &options.limit {
        Arc::make_mut(&mut magic).insert("ansible_limit".into(), Value::from(limit.as_str()));
    }
    magic
}

/// The ansible-core release whose behaviour runbook follows, in the shape
/// of Ansible's `ansible_version`, so `ansible_version.full is version(...)`
/// gates in roles decide as they would under it.
pub(super) const ANSIBLE_VERSION: (u64, u64, u64) = (2, 19, 14);

fn ansible_version() -> Value {
    let (major, minor, revision) = ANSIBLE_VERSION;
    let full = format!("{major}.{minor}.{revision}");
    crate::value::map_from_pairs([
        ("full", Value::from(full.as_str())),
        ("major", Value::from(major)),
        ("minor", Value::from(minor)),
        ("revision", Value::from(revision)),
        ("string", Value::from(full)),
    ])
}

fn strings(items: &[String]) -> Value {
    items.iter().map(|t| Value::from(t.as_str())).collect()
}

/// `--tags`, or `['all']` without it, as Ansible sets it.
fn run_tags(only: &[String]) -> Value {
    if only.is_empty() {
        strings(&["all".to_string()])
    } else {
        strings(only)
    }
}

/// The `-i` sources as absolute paths (a name that is no file stays as given).
fn inventory_sources(options: &RunOptions) -> Value {
    let Some(sources) = &options.inventory_sources else {
        return Value::from(Vec::<Value>::new());
    };
    sources
        .sources
        .iter()
        .map(|source| {
            let path = sources.cwd.join(source);
            if path.exists() {
                Value::from(path.display().to_string())
            } else {
                Value::from(source.as_str())
            }
        })
        .collect()
}
