use std::path::Path;

use crate::connection::{self, Connection, ConnectionError, ConnectionSpec};
use crate::template::Templar;
use crate::value::Value;

/// A host's connection, opened on first use and kept for the whole run.
pub struct ConnectionSlot {
    spec: ConnectionSpec,
    open: Option<Box<dyn Connection>>,
}

impl ConnectionSlot {
    pub fn new(spec: ConnectionSpec) -> Self {
        Self { spec, open: None }
    }

    pub fn spec(&self) -> &ConnectionSpec {
        &self.spec
    }

    pub fn get(&mut self) -> Result<&mut dyn Connection, ConnectionError> {
        let connection = match self.open.take() {
            Some(open) => open,
            None => connection::open(&self.spec)?,
        };
        Ok(self.open.insert(connection).as_mut())
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
