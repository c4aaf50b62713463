//! What a module may use on a host: its connection (opened once, kept for
//! the run, escalated per task), check/diff mode, the environment and vars.

use std::path::Path;

use crate::connection::{
    self, CommandLimits, Connection, ConnectionError, ConnectionSpec, Escalating, Escalation,
    Trace, Traced, Traffic,
};
use crate::template::Templar;
use crate::value::Value;

/// A host's connection, opened on first use and kept for the whole run.
pub struct ConnectionSlot {
    spec: ConnectionSpec,
    open: Option<Traced>,
    /// `become` for the task running now: every command goes through it.
    escalation: Option<Escalation>,
    /// Where sessions and commands are noted (`-vvv`), and whether the
    /// running task's `no_log` hides its commands' text.
    trace: Trace,
    hide_commands: bool,
    /// The task's `timeout:` in seconds.
    time_limit: Option<u64>,
    /// The controller's own deadline and output bound for the connection.
    limits: CommandLimits,
    /// What the connections closed so far cost.
    spent: Traffic,
}

/// How long after a task's `timeout:` the controller stops waiting for the
/// host: on a host that answers, the host's own `timeout` has killed the
/// command by then and the connection stays usable.
const DEADLINE_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

impl ConnectionSlot {
    pub fn new(spec: ConnectionSpec) -> Self {
        Self {
            spec,
            open: None,
            escalation: None,
            trace: Trace::default(),
            hide_commands: false,
            time_limit: None,
            limits: CommandLimits::default(),
            spent: Traffic::default(),
        }
    }

    /// Run the next commands as another user (`None`: as the login user).
    pub fn escalate(&mut self, escalation: Option<Escalation>) {
        self.escalation = escalation;
    }

    /// Note sessions and commands to `trace` from now on; the running
    /// task's commands without their text when `hide_commands` (`no_log`).
    pub fn watch(&mut self, trace: &Trace, hide_commands: bool) {
        self.trace = trace.clone();
        self.hide_commands = hide_commands;
    }

    /// Kill each command of the task running now after `seconds`.
    /// The controller gives up on the host a moment later, whatever the host does.
    pub fn limit_time(&mut self, seconds: Option<u64>) {
        self.time_limit = seconds;
        self.limits.set_deadline(seconds.map(|seconds| {
            std::time::Instant::now() + std::time::Duration::from_secs(seconds) + DEADLINE_GRACE
        }));
        self.limits.bound_output(None);
    }

    /// The deadline and output bound the open connection obeys.
    pub fn limits(&self) -> &CommandLimits {
        &self.limits
    }

    pub fn spec(&self) -> &ConnectionSpec {
        &self.spec
    }

    /// Wait at most `timeout` for the next connection to open; returns the
    /// previous bound so a module can put it back.
    pub fn set_connect_timeout(&mut self, timeout: std::time::Duration) -> std::time::Duration {
        std::mem::replace(&mut self.spec.connect_timeout, timeout)
    }

    pub fn get(&mut self) -> Result<&mut dyn Connection, ConnectionError> {
        let mut connection = match self.open.take() {
            Some(open) => open,
            None => Traced::new(
                Escalating::new(connection::open(&self.spec, &self.limits, &self.trace)?),
                &self.spec.name,
                self.trace.clone(),
            ),
        };
        let become_user = self.escalation.as_ref().map(Escalation::describe);
        connection.for_task(self.hide_commands, become_user);
        connection.inner().escalate(self.escalation.clone());
        connection.inner().limit_time(self.time_limit);
        Ok(self.open.insert(connection))
    }

    pub fn close(&mut self) {
        if let Some(mut open) = self.open.take() {
            open.close();
            self.spent += open.traffic();
        }
    }

    /// Round trips and sessions of every connection this slot opened.
    pub fn traffic(&self) -> Traffic {
        let open = self
            .open
            .as_ref()
            .map(Connection::traffic)
            .unwrap_or_default();
        self.spent + open
    }
}

/// What a module may use while it runs on one host.
pub struct ModuleContext<'a> {
    pub host: &'a str,
    pub check_mode: bool,
    pub diff: bool,
    /// `environment:` for commands, already rendered.
    pub environment: &'a [(String, String)],
    /// Where relative local paths (`script: files/x.sh`) are looked up.
    pub playbook_dir: &'a Path,
    /// Where local files (`files/`, `templates/`) are looked up: the task's
    /// role folder first, then the playbook's.
    pub search_dirs: &'a [std::path::PathBuf],
    pub templar: &'a Templar,
    /// The task's variables, for modules that evaluate expressions.
    pub vars: &'a Value,
    /// The inventory host's own connection settings, also when the task
    /// is delegated (`synchronize` reaches the host from the delegate).
    pub target: &'a ConnectionSpec,
    /// `delegate_to`, rendered (also when it names the host itself).
    pub delegate_to: Option<&'a str>,
    pub connection: &'a mut ConnectionSlot,
}

impl ModuleContext<'_> {
    pub fn connection(&mut self) -> Result<&mut dyn Connection, ConnectionError> {
        self.connection.get()
    }
}
