use crate::value::VarMap;

/// How a run was asked to behave, resolved from the command line.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// How many hosts are worked on at once.
    pub forks: usize,
    pub check: bool,
    pub diff: bool,
    pub verbosity: u8,
    pub extra_vars: VarMap,
    /// `--limit`: a host pattern that further narrows every play's hosts.
    pub limit: Option<String>,
    /// What a host's connection uses where its variables say nothing.
    pub connection: crate::connection::ConnectionDefaults,
    /// `--tags` / `--skip-tags`.
    pub tags: super::TagFilter,
    /// `--start-at-task`: tasks before the first one of this name do not run.
    pub start_at_task: Option<String>,
    /// `--force-handlers`: as `force_handlers: true` on every play.
    pub force_handlers: bool,
    /// `--step`: confirm each task on the terminal.
    pub step: bool,
    /// Where the inventory came from, so `meta: refresh_inventory` can read it again.
    pub inventory_sources: Option<InventorySources>,
    /// `-b`, `--become-user`, `--become-method`, `-K`.
    pub become_: super::BecomeDefaults,
    /// ansible.cfg's `gathering = smart`: facts gathered once per host per run.
    pub gather_smart: bool,
    /// ansible.cfg's `poll_interval`: seconds between polls of an `async`
    /// task that sets no `poll:`.
    pub poll_interval: u64,
    /// ansible.cfg's `retry_files_enabled`: where to list the hosts that
    /// failed or were unreachable when the playbook ends.
    pub retry_file: Option<std::path::PathBuf>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            forks: DEFAULT_FORKS,
            check: false,
            diff: false,
            verbosity: 0,
            extra_vars: VarMap::new(),
            limit: None,
            connection: crate::connection::ConnectionDefaults::default(),
            tags: super::TagFilter::default(),
            start_at_task: None,
            force_handlers: false,
            step: false,
            inventory_sources: None,
            become_: super::BecomeDefaults::default(),
            gather_smart: false,
            poll_interval: DEFAULT_POLL_INTERVAL,
            retry_file: None,
        }
    }
}

/// Ansible's `DEFAULT_POLL_INTERVAL`.
pub const DEFAULT_POLL_INTERVAL: u64 = 15;

/// Workers spend nearly all their time waiting on hosts, not on the CPU, so
/// the default is far above Ansible's 5; see docs/cli.md.
pub const DEFAULT_FORKS: usize = 50;

/// The `-i` sources and the folder they are relative to.
#[derive(Debug, Clone)]
pub struct InventorySources {
    pub sources: Vec<String>,
    pub cwd: std::path::PathBuf,
}
