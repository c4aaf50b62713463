//! What a module may use on a host: its connection (opened once, kept for
//! the run, escalated per task), check/diff mode, the environment and vars.

use std::path::Path;

use crate::connection::{
    self, Connection, ConnectionError, ConnectionSpec, Escalating, Escalation,
};
use crate::template::Templar;
use crate::value::Value;

/// A host's connection, opened on first use and kept for the whole run.
pub struct ConnectionSlot {
    spec: ConnectionSpec,
    open: Option<Escalating>,
    /// `become` for the task running now: every command goes through it.
    escalation: Option<Escalation>,
    /// The task's `timeout:` in seconds.
    time_limit: Option<u64>,
}

impl ConnectionSlot {
    pub fn new(spec: ConnectionSpec) -> Self {
        Self {
            spec,
            open: None,
            escalation: None,
            time_limit: None,
        }
    }

    /// Run the next commands as another user (`None`: as the login user).
    pub fn escalate(&mut self, escalation: Option<Escalation>) {
        self.escalation = escalation;
    }

    /// Kill each command of the task running now after `seconds`.
    pub fn limit_time(&mut self, seconds: Option<u64>) {
        self.time_limit = seconds;
    }

    pub fn spec(&self) -> &ConnectionSpec {
        &self.spec
    }

    pub fn get(&mut self) -> Result<&mut dyn Connection, ConnectionError> {
        let mut connection = match self.open.take() {
            Some(open) => open,
            None => Escalating::new(connection::open(&self.spec)?),
        };
        connection.escalate(self.escalation.clone());
        connection.limit_time(self.time_limit);
        Ok(self.open.insert(connection))
    }

    pub fn close(&mut self) {
        if let Some(mut open) = self.open.take() {
            open.close();
        }
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
    pub connection: &'a mut ConnectionSlot,
}

impl ModuleContext<'_> {
    pub fn connection(&mut self) -> Result<&mut dyn Connection, ConnectionError> {
        self.connection.get()
    }
}
